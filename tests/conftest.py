"""Shared fixtures: the developer's real config stays out of every test; apps built like launch."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings
from textual.app import App

from calmfeet.core.clock import FakeClock
from calmfeet.core.library import ENV_VAR
from calmfeet.core.paths import Paths

if TYPE_CHECKING:
    from pulse import PulseSink

settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
"""CI: the same examples every run, so a red build is reproducible; no per-example deadline
on a shared, noisy machine."""
settings.register_profile("dev", deadline=None, max_examples=25)
"""Development (the fast tier): fewer examples where a test does not set its own count."""
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

MakeApp = Callable[..., Any]
"""`make_app(paths, **options)` -> CalmFeetApp: calmfeet.launch.make_app with a FakeClock."""
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


AwakeLog = list[tuple[str, tuple[str, ...]]]
"""("start" | "stop", command): what the session asked of the display-awake tool."""


@pytest.fixture(autouse=True)
def awake_log(monkeypatch: pytest.MonkeyPatch) -> AwakeLog:
    """No test really inhibits the screen saver: the session's inhibitor is recorded instead."""
    import calmfeet.ui.awake as awake

    log: AwakeLog = []

    class Recorded:
        def __init__(self, command: tuple[str, ...]) -> None:
            self.command = command

        def terminate(self) -> None:
            log.append(("stop", self.command))

        def wait(self, timeout: float | None = None) -> int:
            return 0

        def kill(self) -> None:
            log.append(("kill", self.command))

    def start(command: Any) -> Recorded:
        log.append(("start", tuple(command)))
        return Recorded(tuple(command))

    monkeypatch.setattr(awake, "start_quietly", start)
    monkeypatch.setattr(awake, "PLATFORM", "linux")
    monkeypatch.setattr(awake, "find_tool", lambda name: f"/usr/bin/{name}")
    return log


@pytest.fixture(autouse=True)
def _no_real_speakers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sound device opened by accident in a test plays into miniaudio's NULL backend: never
    out of the developer's speakers, never a "no device" toast on a snapshot."""
    monkeypatch.setenv("CALMFEET_AUDIO_BACKEND", "null")


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(config_dir=tmp_path / "config", data_dir=tmp_path / "data")


@pytest.fixture
def make_app() -> MakeApp:
    """The app exactly as the command line builds it, on a FakeClock unless told otherwise.

    Call it again with the same paths to "restart" calmfeet: it re-reads everything from disk.
    """
    from calmfeet.launch import make_app as build_app

    def build(paths: Paths, *, interludes: bool = True, **options: Any) -> Any:
        """`interludes=False` saves the get-ready and switch-feet pauses as off first, for
        tests about something else whose clock is the steps' own time.

        Sessions are silent (`--no-sound`) unless a test passes `sound=` (and, to hear what
        plays, `open_output=` a tests/fake_sound.py FakeOutputs)."""
        options.setdefault("clock", FakeClock())
        options.setdefault("sound", False)
        if not interludes:
            from calmfeet.core.preferences import PreferencesStore

            store = PreferencesStore(paths)
            store.load()
            store.set_lead_in_seconds(0)
            store.set_switch_seconds(0)
        return build_app(paths, **options)

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


@pytest.fixture
def pulse_sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[PulseSink]:
    """A private PulseAudio server with a null sink (tests/pulse.py), and PULSE_SERVER pointing
    this process at it; skips, saying why, where PulseAudio is not installed."""
    from pulse import running_pulse_sink

    with running_pulse_sink() as sink:
        for name, value in sink.variables.items():
            monkeypatch.setenv(name, value)
        yield sink
