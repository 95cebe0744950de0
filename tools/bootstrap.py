"""Set up calmfeet in a virtual environment of its own, `.venv` beside this repository's code.

The README's Quick start runs this first. A project-local environment works wherever Python 3.10
or newer does: Debian's and Ubuntu's own python3 (which refuse `pip install` outside one, PEP
668), pyenv, Homebrew and macOS. Where Python's `venv` cannot install pip (Debian without the
python3-venv package), the environment is made without pip and pip's wheel is fetched from PyPI,
checked against the digest PyPI publishes. Run again, it only checks: a second run costs nothing.

    python3 tools/bootstrap.py                 # calmfeet and what it needs
    python3 tools/bootstrap.py --extras test   # also what the tests need

Only the standard library here: nothing else can be relied on before the environment exists.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP_NAME = "calmfeet-bootstrap.json"
"""Written in the environment after a successful install: what was installed, from which
pyproject.toml, so a later run can skip pip entirely."""
PIP_JSON = "https://pypi.org/pypi/pip/json"
MIN_PYTHON = (3, 10)
ENSUREPIP_MISSING = (
    "Python's venv could not install pip here (on Debian or Ubuntu: the python3-venv package)"
)


class BootstrapError(Exception):
    """Setting up could not go on; the message is one line meant for a person."""


def say(message: str) -> None:
    print(f"calmfeet: {message}", file=sys.stderr, flush=True)


def venv_python(venv: Path) -> Path:
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def _runs(command: list[str]) -> bool:
    try:
        done = subprocess.run(command, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def usable(venv: Path) -> bool:
    """An environment whose Python starts and has pip (one made by a Python since removed, as
    pyenv and Homebrew upgrades do, does not start)."""
    python = venv_python(venv)
    return python.exists() and _runs([str(python), "-m", "pip", "--version"])


def remove_environment(venv: Path) -> None:
    """Remove an environment that cannot be used; never a folder that is not one."""
    if not venv.exists() and not venv.is_symlink():
        return
    if not (venv / "pyvenv.cfg").exists():
        raise BootstrapError(
            f"{venv} is in the way and is not a virtual environment; move it and run this again"
        )
    shutil.rmtree(venv)


def create_with_ensurepip(venv: Path) -> bool:
    """Python's own way; False when venv cannot install pip (the folder is then removed)."""
    done = subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=600
    )
    if done.returncode == 0 and usable(venv):
        return True
    if venv.exists():
        shutil.rmtree(venv)
    return False


def pip_wheel_from_pypi(folder: Path) -> Path:
    """pip's newest wheel from PyPI, its sha256 checked against the one PyPI lists."""
    with urllib.request.urlopen(PIP_JSON, timeout=60) as response:
        release = json.load(response)
    wheels = [
        f for f in release["urls"] if f["packagetype"] == "bdist_wheel" and f["yanked"] is False
    ]
    if not wheels:
        raise BootstrapError("PyPI lists no wheel for pip")
    wheel = wheels[0]
    target = folder / wheel["filename"]
    url = urllib.parse.urljoin(PIP_JSON, wheel["url"])  # a mirror may list it relatively
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
        raise BootstrapError("the pip wheel from PyPI does not match its published digest")
    target.write_bytes(data)
    return target


def create_without_ensurepip(venv: Path) -> None:
    """An environment without pip, then pip installed into it from its own wheel (a wheel is a
    zip Python can run from)."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    python = venv_python(venv)
    with tempfile.TemporaryDirectory() as scratch:
        wheel = pip_wheel_from_pypi(Path(scratch))
        subprocess.run(
            [str(python), str(wheel / "pip"), "install", "--quiet", "--no-index", str(wheel)],
            check=True,
            timeout=600,
        )


def moved(venv: Path) -> bool:
    """An environment made for this code in another folder: its commands point there."""
    try:
        stamp = json.loads((venv / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return not isinstance(stamp, dict) or stamp.get("source") != str(ROOT)


def ensure_environment(venv: Path) -> None:
    if usable(venv) and not moved(venv):
        return
    remove_environment(venv)
    say(f"making a virtual environment in {venv}")
    if create_with_ensurepip(venv):
        return
    say(f"{ENSUREPIP_MISSING}; fetching pip from PyPI instead")
    try:
        create_without_ensurepip(venv)
    except (OSError, subprocess.SubprocessError, ValueError, KeyError) as error:
        if venv.exists():
            shutil.rmtree(venv)
        raise BootstrapError(
            f"{ENSUREPIP_MISSING}, and fetching pip failed ({error}); install python3-venv "
            "(sudo apt install python3-venv) and run this again"
        ) from None


def wanted_stamp(extras: list[str]) -> dict[str, object]:
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    return {
        "pyproject": hashlib.sha256(pyproject).hexdigest(),
        "source": str(ROOT),
        "extras": sorted(extras),
    }


def already_installed(venv: Path, extras: list[str]) -> bool:
    """True when this pyproject.toml was installed here with at least these extras."""
    try:
        stamp = json.loads((venv / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    wanted = wanted_stamp(extras)
    return (
        isinstance(stamp, dict)
        and stamp.get("pyproject") == wanted["pyproject"]
        and stamp.get("source") == wanted["source"]
        and set(extras) <= set(stamp.get("extras", []))
    )


def install(venv: Path, extras: list[str]) -> None:
    """calmfeet from this folder, editable: a change to the code shows at the next start."""
    if already_installed(venv, extras):
        return
    try:  # keep what an earlier run installed: `--extras test` then none must not shrink it
        earlier = json.loads((venv / STAMP_NAME).read_text(encoding="utf-8")).get("extras", [])
    except (OSError, ValueError, AttributeError):
        earlier = []
    wanted = sorted(set(extras) | {e for e in earlier if isinstance(e, str)})
    target = f".[{','.join(wanted)}]" if wanted else "."
    say(f"installing calmfeet{' with ' + ', '.join(wanted) if wanted else ''} into {venv.name}")
    done = subprocess.run(
        [
            str(venv_python(venv)),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--editable",
            target,
        ],
        cwd=ROOT,
        timeout=1800,
    )
    if done.returncode != 0:
        raise BootstrapError(f"pip could not install calmfeet into {venv} (its message is above)")
    stamp = wanted_stamp(wanted)
    (venv / STAMP_NAME).write_text(json.dumps(stamp), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--extras", default="", metavar="A,B", help="optional parts too, e.g. test or web"
    )
    args = parser.parse_args(argv)
    extras = [e.strip() for e in args.extras.split(",") if e.strip()]
    if sys.version_info < MIN_PYTHON:
        found = ".".join(str(n) for n in sys.version_info[:2])
        needed = ".".join(str(n) for n in MIN_PYTHON)
        say(f"calmfeet needs Python {needed} or newer; {sys.executable} is {found}")
        return 2
    try:
        ensure_environment(VENV)
        install(VENV, extras)
    except BootstrapError as error:
        say(str(error))
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
