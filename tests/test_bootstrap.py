"""tools/bootstrap.py: the Quick start's own virtual environment, on any Python 3.10+."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_bootstrap() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bootstrap", ROOT / "tools" / "bootstrap.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bootstrap = load_bootstrap()


@pytest.mark.slow
def test_without_ensurepip_pip_comes_from_pypi(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Debian or Ubuntu without python3-venv: `venv` cannot install pip, and the environment
    still ends up with a pip that works (fetched from PyPI, its digest checked)."""
    monkeypatch.setattr(bootstrap, "create_with_ensurepip", lambda venv: False)
    venv = tmp_path / ".venv"
    bootstrap.ensure_environment(venv)
    pip = subprocess.run(
        [str(bootstrap.venv_python(venv)), "-m", "pip", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pip.returncode == 0, pip.stderr
    assert str(venv) in pip.stdout


def test_a_folder_in_the_way_is_never_removed(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    venv.mkdir()
    (venv / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(bootstrap.BootstrapError, match="is not a virtual environment"):
        bootstrap.ensure_environment(venv)
    assert (venv / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_second_run_installs_nothing_new(tmp_path: Path) -> None:
    """The stamp: what was installed covers what is asked, so pip is not run again; asking for
    an extra not yet installed, or a changed pyproject.toml, installs again."""
    venv = tmp_path / ".venv"
    venv.mkdir()
    stamp = bootstrap.wanted_stamp(["test", "web"])
    (venv / bootstrap.STAMP_NAME).write_text(json.dumps(stamp), encoding="utf-8")
    assert bootstrap.already_installed(venv, [])
    assert bootstrap.already_installed(venv, ["web"])
    assert not bootstrap.already_installed(venv, ["docs"])
    stamp["pyproject"] = "0" * 64
    (venv / bootstrap.STAMP_NAME).write_text(json.dumps(stamp), encoding="utf-8")
    assert not bootstrap.already_installed(venv, [])


def test_an_environment_for_another_folder_is_made_again(tmp_path: Path) -> None:
    """A clone moved elsewhere: the environment's commands point at the old place."""
    venv = tmp_path / ".venv"
    venv.mkdir()
    stamp = bootstrap.wanted_stamp([]) | {"source": "/somewhere/else"}
    (venv / bootstrap.STAMP_NAME).write_text(json.dumps(stamp), encoding="utf-8")
    assert bootstrap.moved(venv)


def test_too_old_a_python_gets_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bootstrap, "MIN_PYTHON", (99, 0))
    assert bootstrap.main([]) == 2
    found = ".".join(str(n) for n in sys.version_info[:2])
    assert capsys.readouterr().err == (
        f"calmfeet: calmfeet needs Python 99.0 or newer; {sys.executable} is {found}\n"
    )
