"""A real (non-editable) install carries the built-in routines and themes inside the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BUILTIN_IDS = sorted(p.stem for p in (ROOT / "calmfeet" / "routines").glob("*.toml"))


@dataclass(frozen=True)
class Installed:
    venv: Path
    home: Path

    @property
    def command(self) -> Path:
        return self.venv / "bin" / "calmfeet"

    @property
    def site_packages(self) -> Path:
        [found] = (self.venv / "lib").glob("python*/site-packages")
        return found

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CALMFEET_ROUTINES")}
        env.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
        )
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.command), *args],
            cwd=self.home,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )


def _check(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("install")
    wheels, venv, home = base / "wheels", base / "venv", base / "home"
    home.mkdir()
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    _check([*pip_wheel, "-w", str(wheels), str(ROOT)], base)
    [wheel] = wheels.glob("calmfeet-*.whl")
    _check([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], base)
    _check([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", str(wheel)], base)
    yield Installed(venv, home)


def test_installed_list_shows_builtins(installed: Installed) -> None:
    result = installed.run("list")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert sorted(line.split()[0] for line in result.stdout.splitlines()) == BUILTIN_IDS


def test_installed_routines_come_from_the_venv(installed: Installed) -> None:
    """Not from the source checkout: proves the wheel itself carries the routine files."""
    result = installed.run("list", "--json")
    assert result.returncode == 0, result.stderr
    routines = json.loads(result.stdout)
    assert sorted(r["id"] for r in routines) == BUILTIN_IDS
    venv = installed.venv.resolve()
    for routine in routines:
        source = Path(routine["source"]).resolve()
        assert source.is_relative_to(venv), source
        assert not source.is_relative_to(ROOT / "calmfeet"), source


def test_installed_validate_and_paths(installed: Installed) -> None:
    routines = installed.site_packages / "calmfeet" / "routines"
    result = installed.run("validate", str(routines))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(BUILTIN_IDS)
    assert all(line.startswith("OK ") for line in result.stdout.splitlines())

    paths = installed.run("paths")
    assert paths.returncode == 0
    first = paths.stdout.splitlines()[0]
    assert first == f"routines:     {installed.home / '.config' / 'calmfeet' / 'routines'}"


def test_installed_version(installed: Installed) -> None:
    from calmfeet import __version__

    result = installed.run("--version")
    assert (result.returncode, result.stdout) == (0, f"calmfeet {__version__}\n")


def test_installed_wheel_carries_themes(installed: Installed) -> None:
    themes = installed.site_packages / "calmfeet" / "themes"
    assert sorted(p.name for p in themes.glob("*.toml")) == sorted(
        p.name for p in (ROOT / "themes").glob("*.toml")
    )
    assert list(themes.glob("*.toml"))


def test_installed_wheel_carries_the_stylesheets(installed: Installed) -> None:
    """A screen whose .tcss is missing cannot open at all."""
    package = installed.site_packages / "calmfeet"
    shipped = sorted(str(p.relative_to(package)) for p in package.rglob("*.tcss"))
    source = ROOT / "calmfeet"
    assert shipped == sorted(str(p.relative_to(source)) for p in source.rglob("*.tcss"))
    assert "ui/screens/session.tcss" in shipped


def test_installed_audio_writes_a_track(installed: Installed) -> None:
    """The wheel carries calmfeet.sound: `calmfeet audio` works from a real install."""
    result = installed.run("audio", "quick-reset", "reset.wav", "--no-voice")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Wrote reset.wav: Quick Reset, ")
    assert (installed.home / "reset.wav").stat().st_size > 300 * 44100 * 2


def test_installed_wheel_carries_the_schema_and_the_web_page(installed: Installed) -> None:
    """`calmfeet schema`'s shipped copy and `calmfeet serve`'s page are package files too."""
    package = installed.site_packages / "calmfeet"
    assert (package / "routine.schema.json").is_file()
    assert (package / "web" / "page.html").is_file()
    result = installed.run("schema")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (package / "routine.schema.json").read_text(encoding="utf-8")
