"""Shared fixtures: the developer's real config stays out of every test; apps built like launch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App

from calmfeet.core.clock import FakeClock
from calmfeet.core.history import History
from calmfeet.core.library import ENV_VAR
from calmfeet.core.paths import Paths
from calmfeet.core.preferences import PreferencesStore

MakeApp = Callable[..., Any]
"""`make_app(paths, **overrides)` -> CalmFeetApp; overrides are AppConfig fields."""
ScreenText = Callable[[App[Any]], str]
"""`screen_text(app)` -> the characters on the terminal right now, one line per row."""


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every per-user folder at tmp_path, so no test reads or writes the real ones."""
    home = tmp_path / "home"
    for name, folder in (
        ("HOME", home),
        ("XDG_CONFIG_HOME", home / ".config"),
        ("XDG_DATA_HOME", home / ".local" / "share"),
    ):
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(folder))
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(config_dir=tmp_path / "config", data_dir=tmp_path / "data")


@pytest.fixture
def make_app() -> MakeApp:
    """Build a CalmFeetApp the way `launch.run_app` does, with a FakeClock by default.

    Call it again with the same paths to "restart" calmfeet: it re-reads everything from disk.
    """
    from calmfeet.cli import ordered_library
    from calmfeet.ui.app import AppConfig, CalmFeetApp
    from calmfeet.ui.themes import discover_themes

    def build(paths: Paths, **overrides: Any) -> CalmFeetApp:
        prefs = PreferencesStore(paths)
        prefs.load()
        extra_dirs = tuple(overrides.pop("extra_dirs", ()))
        config = AppConfig(
            paths=paths,
            library=overrides.pop("library", None)
            or ordered_library(paths, extra_dirs, prefs.current),
            themes=overrides.pop("themes", None) or discover_themes(paths.themes_dir),
            prefs=prefs,
            clock=overrides.pop("clock", None) or FakeClock(),
            history=overrides.pop("history", None) or History(paths.history_db),
            extra_dirs=extra_dirs,
            **overrides,
        )
        return CalmFeetApp(config)

    return build


@pytest.fixture
def screen_text() -> ScreenText:
    """What a person would read on the terminal, toasts and all, without styles."""

    def read(app: App[Any]) -> str:
        strips = app.screen._compositor.render_strips()
        return "\n".join(strip.text.rstrip() for strip in strips)

    return read


PLAIN_ROUTINE = """\
name = "Plain"
breathing = "4-6"
[[steps]]
title = "Press the arch"
seconds = 30
foot = "left"
zone = "arch"
how = "Press slowly."
"""


@pytest.fixture
def plain_routine_dir(tmp_path: Path) -> Path:
    """A folder with one routine, `plain`: no caution, one 30 s step on the left arch."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "plain.toml").write_text(PLAIN_ROUTINE, encoding="utf-8")
    return folder
