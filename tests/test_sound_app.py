"""Sound in the app: the session screen's course reaches the live player at the right frames,
`m` mutes (and is remembered), the palette holds every sound setting, a missing device or
voice is said once, and the terminal bell does not double the chimes.

The app is the real one from the factory, on a fake clock, with a fake sound device
(tests/fake_sound.py) whose timing is that clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from fake_sound import FakeOutputs
from textual.command import CommandPalette
from textual.pilot import Pilot

from calmfeet.core.clock import FakeClock
from calmfeet.core.cues import CueKind, Layer
from calmfeet.core.library import Library
from calmfeet.core.paths import Paths
from calmfeet.core.preferences import PreferencesStore
from calmfeet.core.routines import load_routine
from calmfeet.sound.live import SCREEN_LAG_SECONDS, LivePlayer
from calmfeet.sound.voice import NO_VOICE_NOTICE
from calmfeet.ui.app import CalmFeetApp
from calmfeet.ui.screens.keys import KeysScreen
from calmfeet.ui.screens.picker import PickerScreen
from calmfeet.ui.screens.session import SessionScreen

MakeApp = Callable[..., Any]
ScreenText = Callable[[Any], str]
RATE = 44100

TWO_FEET = """\
name = "Two feet"
breathing = "4-6"
[[steps]]
title = "Press the left arch"
seconds = 30
foot = "left"
zone = "arch"
how = "Press slowly."
[[steps]]
title = "Press the right arch"
seconds = 30
foot = "right"
zone = "arch"
how = "Press slowly."
[[steps]]
title = "Rest"
seconds = 20
foot = "both"
zone = "whole"
how = "Rest."
"""


@pytest.fixture
def routines(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "two-feet.toml").write_text(TWO_FEET, encoding="utf-8")
    return folder


class Sounding:
    """The app with sound on a fake device, and what it told the person."""

    def __init__(
        self,
        make_app: MakeApp,
        paths: Paths,
        routines: Path,
        *,
        device: bool = True,
        run: bool = True,
        **options: Any,
    ) -> None:
        self.clock = FakeClock()
        self.outputs = FakeOutputs(self.clock, device=device)
        options.setdefault("sound", None)  # the saved settings, as `calmfeet` runs
        self.app: CalmFeetApp = make_app(
            paths,
            clock=self.clock,
            library=Library(routines=[load_routine(routines / "two-feet.toml")]),
            run_routine="two-feet" if run else None,
            open_output=self.outputs,
            interludes=False,
            **options,
        )
        self.notices: list[str] = []
        self.bells = 0
        original = self.app.notify

        def notify(message: str, **kwargs: Any) -> None:
            self.notices.append(message)
            original(message, **kwargs)

        def bell() -> None:
            self.bells += 1

        self.app.notify = notify  # record the toasts
        self.app.bell = bell  # count the bells

    @property
    def player(self) -> LivePlayer:
        player = self.app.sound.player
        assert player is not None, "no live player"
        return player

    async def settle(self, pilot: Pilot[Any]) -> None:
        """Let the app handle what was posted, the player do its jobs, and the app hear back."""
        await pilot.pause()
        if self.app.sound.player is not None:
            assert self.app.sound.player.flush()
        await pilot.pause()
        await pilot.pause()

    async def advance(self, pilot: Pilot[Any], seconds: float) -> None:
        self.clock.advance(seconds)
        screen = self.app.screen
        if isinstance(screen, SessionScreen):
            screen.tick()
        await self.settle(pilot)

    def frame_now(self) -> int:
        """The frame a cue due now goes at: heard as the screen shows it."""
        return self.outputs.last.frame_at(self.clock.monotonic() + SCREEN_LAG_SECONDS)

    def planned(self, kind: CueKind) -> list[int]:
        """The frames the latest plan put each `kind` of cue at."""
        placed = self.player.placed[-1]
        return [placed.frame + round(c.at * RATE) for c in placed.cues if c.kind is kind]


@asynccontextmanager
async def running(
    sounding: Sounding, size: tuple[int, int] = (100, 30)
) -> AsyncIterator[Pilot[Any]]:
    async with sounding.app.run_test(size=size) as pilot:
        await sounding.settle(pilot)
        yield pilot


def footer(app: CalmFeetApp, screen_text: ScreenText) -> str:
    return str(screen_text(app).splitlines()[-1])


# ---- the course of the session reaches the sound --------------------------------------------


async def test_the_sound_follows_pause_next_back_and_added_time_at_their_frames(
    make_app: MakeApp, paths: Paths, routines: Path
) -> None:
    sounding = Sounding(make_app, paths, routines)
    async with running(sounding) as pilot:
        placed = sounding.player.placed
        assert len(placed) == 1  # the session started counting: the first plan
        assert placed[0].frame == sounding.frame_now()
        assert sounding.planned(CueKind.STEP)[1:] == [
            placed[0].frame + 30 * RATE,
            placed[0].frame + 60 * RATE,
        ]
        await sounding.advance(pilot, 10)
        assert len(placed) == 1  # time passing is no change of course
        await pilot.press("space")
        await sounding.settle(pilot)
        assert placed[-1].cues == [] and placed[-1].frame == sounding.frame_now()
        await sounding.advance(pilot, 60)  # paused for a minute: nothing moves
        await pilot.press("space")
        await sounding.settle(pilot)
        # 20 s of the first step were left when it paused: the next step 20 s from now.
        assert sounding.planned(CueKind.STEP)[0] == sounding.frame_now() + 20 * RATE
        await pilot.press("n")
        await sounding.settle(pilot)
        now = sounding.frame_now()
        assert sounding.planned(CueKind.STEP)[:2] == [now, now + 30 * RATE]  # step two, now
        await sounding.advance(pilot, 5)
        await pilot.press("p")
        await sounding.settle(pilot)
        now = sounding.frame_now()
        assert sounding.planned(CueKind.STEP)[:2] == [now, now + 30 * RATE]  # step one again
        await pilot.press("plus")
        await sounding.settle(pilot)
        assert sounding.planned(CueKind.STEP)[1] == sounding.frame_now() + 60 * RATE
        await pilot.press("r")
        await sounding.settle(pilot)
        assert sounding.planned(CueKind.STEP)[:2] == [
            sounding.frame_now(),
            sounding.frame_now() + 30 * RATE,
        ]
        assert len(sounding.outputs.opened) == 1  # one output for the whole session


async def test_a_sleep_or_ctrl_z_is_heard_as_a_pause(
    make_app: MakeApp, paths: Paths, routines: Path
) -> None:
    sounding = Sounding(make_app, paths, routines)
    async with running(sounding) as pilot:
        await sounding.advance(pilot, 5)
        sounding.clock.jump_wall(3600)  # the laptop slept
        await sounding.advance(pilot, 0.01)
        assert sounding.player.placed[-1].cues == []
        await pilot.press("space")
        await sounding.settle(pilot)
        assert sounding.player.placed[-1].cues != []
        sounding.clock.advance(600)  # calmfeet was stopped
        sounding.app.app_resume_signal.publish(sounding.app)
        await sounding.settle(pilot)
        assert sounding.player.placed[-1].cues == []


async def test_leaving_rings_the_closing_chime_and_quitting_releases_the_device(
    make_app: MakeApp, paths: Paths, routines: Path
) -> None:
    sounding = Sounding(make_app, paths, routines, run=False)
    async with running(sounding) as pilot:
        await pilot.press("enter")
        await sounding.settle(pilot)
        assert isinstance(sounding.app.screen, SessionScreen)
        player = sounding.player
        guide = player.guide
        assert guide is not None
        await sounding.advance(pilot, 3)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # Leave
        await pilot.pause()
        assert player.flush()
        assert isinstance(sounding.app.screen, PickerScreen)
        assert sounding.app.sound.player is None
        output = sounding.outputs.last
        heard = output.play(0.2)
        assert max(abs(heard)) > 0.01  # the closing chime, heard as the person leaves
        assert not output.closed  # still ringing out
    assert sounding.outputs.last.closed  # calmfeet stopped: the device is released at once


async def test_sessions_without_sound_open_no_device(
    make_app: MakeApp, paths: Paths, routines: Path, screen_text: ScreenText
) -> None:
    sounding = Sounding(make_app, paths, routines, sound=False)  # --no-sound
    async with running(sounding) as pilot:
        await sounding.advance(pilot, 31)
        assert sounding.outputs.calls == 0 and sounding.app.sound.player is None
        assert "Mute" not in footer(sounding.app, screen_text)
        assert sounding.bells >= 1  # the bell still marks the step change
    store = PreferencesStore(paths)
    store.load()
    store.set_sound("off")  # sound off, voice off: nothing to hear either
    sounding = Sounding(make_app, paths, routines)
    async with running(sounding):
        assert sounding.outputs.calls == 0


# ---- m, the palette, the bell -------------------------------------------------------------


async def test_m_mutes_at_once_says_so_in_the_footer_and_is_remembered(
    make_app: MakeApp, paths: Paths, routines: Path, screen_text: ScreenText
) -> None:
    sounding = Sounding(make_app, paths, routines)
    async with running(sounding) as pilot:
        assert "m Mute" in footer(sounding.app, screen_text)
        await pilot.press("m")
        await sounding.settle(pilot)
        assert "m Unmute" in footer(sounding.app, screen_text)
        guide = sounding.player.guide
        assert guide is not None and guide.mixer.muted
        assert "Sound muted" in sounding.notices
    store = PreferencesStore(paths)
    assert store.load().sound_muted
    sounding = Sounding(make_app, paths, routines)  # calmfeet again: still muted
    async with running(sounding) as pilot:
        guide = sounding.player.guide
        assert guide is not None and guide.mixer.muted
        assert "m Unmute" in footer(sounding.app, screen_text)
        await pilot.press("m")
        await sounding.settle(pilot)
        assert not guide.mixer.muted
    assert not PreferencesStore(paths).load().sound_muted


async def test_the_keys_screen_lists_m(
    make_app: MakeApp, paths: Paths, routines: Path, screen_text: ScreenText
) -> None:
    sounding = Sounding(make_app, paths, routines)
    async with running(sounding) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(sounding.app.screen, KeysScreen)
        assert "Mute the sound / Unmute it" in screen_text(sounding.app)


async def test_the_palette_changes_each_sound_setting_and_the_session_hears_it(
    make_app: MakeApp, paths: Paths, routines: Path
) -> None:
    sounding = Sounding(make_app, paths, routines)
    app = sounding.app
    async with running(sounding) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in (
            "Sound: breath tones and chimes",
            "Mute sound",
            "Sound volume: 60",
            "Breath tone: on",
            "Breath tone volume: 100",
            "Step chimes: on",
            "Step chimes volume: 100",
            "Ticks: off",
            "Voice: off",
            "Voice volume: 100",
            "Voice reads how: off",
            "Voice says in and out: off",
        ):
            assert title in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await pilot.press(*"Sound: breath")
        await palette.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await sounding.settle(pilot)
        assert app.prefs.sound == "chimes"
        assert "Sound: chimes only" in sounding.notices
        # The session hears it from now: no breath tone in its plan any more.
        assert all(cue.layer is not Layer.BREATH for cue in sounding.player.placed[-1].cues)
        ticks = next(c for c in app.get_system_commands(app.screen) if c.title == "Ticks: off")
        ticks.callback()
        await sounding.settle(pilot)
        assert sounding.planned(CueKind.TICK)
        volume = next(
            c for c in app.get_system_commands(app.screen) if c.title.startswith("Sound v")
        )
        volume.callback()
        await sounding.settle(pilot)
        guide = sounding.player.guide
        assert guide is not None and guide.mixer.master == pytest.approx(0.8)
    saved = PreferencesStore(paths).load()
    assert (saved.sound, saved.sound_ticks, saved.sound_volume) == ("chimes", True, 80)


async def test_the_bell_does_not_double_the_chime_but_rings_when_muted(
    make_app: MakeApp, paths: Paths, routines: Path
) -> None:
    sounding = Sounding(make_app, paths, routines)
    async with running(sounding) as pilot:
        assert sounding.app.chiming
        await sounding.advance(pilot, 30.5)  # the switch to the right foot
        assert sounding.bells == 0
        await pilot.press("m")
        await sounding.settle(pilot)
        assert not sounding.app.chiming
        await sounding.advance(pilot, 30)  # the last step: heard only as the bell now
        assert sounding.bells == 1


# ---- said once ----------------------------------------------------------------------------


async def test_no_sound_device_is_one_notice_for_the_whole_run_never_an_error(
    make_app: MakeApp, paths: Paths, routines: Path, screen_text: ScreenText
) -> None:
    sounding = Sounding(make_app, paths, routines, device=False, run=False)
    async with running(sounding) as pilot:
        for _ in range(2):  # two sessions, one after the other
            await pilot.press("enter")
            await sounding.settle(pilot)
            assert isinstance(sounding.app.screen, SessionScreen)
            await sounding.advance(pilot, 2)
            assert "Mute" not in footer(sounding.app, screen_text)  # nothing to mute
            await pilot.press("space")
            await sounding.settle(pilot)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("enter")
            await sounding.settle(pilot)
            assert isinstance(sounding.app.screen, PickerScreen)
        assert sounding.outputs.calls == 2  # tried again: a device may have been plugged in
        assert sounding.notices.count("No sound device, so calmfeet is silent.") == 1
        assert not sounding.app.chiming  # nothing chimes: the terminal bell marks the steps


async def test_voice_without_an_engine_is_one_notice_and_the_chimes_play_on(
    make_app: MakeApp, paths: Paths, routines: Path
) -> None:
    sounding = Sounding(make_app, paths, routines, voice=True, find_voice=lambda: None)
    async with running(sounding) as pilot:
        await sounding.advance(pilot, 1)
        assert sounding.notices.count(NO_VOICE_NOTICE) == 1
        assert sounding.app.chiming and sounding.player.playing


# ---- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "sound", "voice"),
    [
        (["run", "quick-reset"], None, None),
        (["run", "quick-reset", "--no-sound"], False, None),
        (["--sound", "run", "quick-reset", "--no-voice"], True, False),
        (["breathe", "--voice"], None, True),
        (["--no-sound"], False, None),
    ],
)
def test_sound_and_voice_options_reach_the_app_for_this_run_only(
    paths: Paths,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    sound: bool | None,
    voice: bool | None,
) -> None:
    from calmfeet.cli import main

    started: list[tuple[bool | None, bool | None]] = []

    def run_without_a_terminal(self: CalmFeetApp, *args: Any, **kwargs: Any) -> None:
        started.append((self.config.sound, self.config.voice))

    monkeypatch.setattr("calmfeet.launch.terminal_attached", lambda: True)
    monkeypatch.setattr(CalmFeetApp, "run", run_without_a_terminal)
    assert main(argv, paths=paths) == 0
    assert started == [(sound, voice)]
    assert not paths.preferences_file.exists() or "sound" not in paths.preferences_file.read_text()


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["list", "--no-sound"], None),
        (["--no-sound", "list"], "--no-sound"),
        (["--voice", "history"], "--voice"),
        (["--sound", "audio", "quick-reset", "x.wav"], "--sound"),
    ],
)
def test_sound_options_are_refused_by_commands_that_only_print(
    paths: Paths, capsys: pytest.CaptureFixture[str], argv: list[str], flag: str | None
) -> None:
    from calmfeet.cli import main

    assert main(argv, paths=paths) == 2
    err = capsys.readouterr().err
    if flag is None:
        assert "unrecognized arguments: --no-sound" in err
    else:
        assert f"calmfeet: {flag} applies only when calmfeet opens" in err


def test_voice_before_the_audio_command_counts_like_after_it(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from calmfeet.cli import main

    assert main(["--no-voice", "audio", "quick-reset", str(tmp_path / "a.wav")], paths=paths) == 0
    assert main(["audio", "quick-reset", str(tmp_path / "b.wav"), "--no-voice"], paths=paths) == 0
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()


def test_serve_passes_sound_and_voice_on_to_every_tabs_calmfeet(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = pytest.importorskip("calmfeet.web.server", reason="needs the web extra")
    from calmfeet.cli import main

    forwarded: list[list[str]] = []

    def serve(host: str, port: int, app_args: list[str], out: Any, err: Any) -> int:
        forwarded.append(app_args)
        return 0

    monkeypatch.setattr(server, "serve", serve)
    assert main(["--no-sound", "serve", "--voice"], paths=paths) == 0
    assert main(["serve"], paths=paths) == 0
    assert forwarded == [["--no-sound", "--voice"], []]


async def test_the_real_device_path_on_miniaudios_null_backend(
    make_app: MakeApp, paths: Paths, routines: Path, screen_text: ScreenText
) -> None:
    """The app as it runs, on the real clock, playing through miniaudio's NULL backend (set for
    every test in conftest.py): the device pulls, m mutes it, and quitting releases it."""
    from calmfeet.core.clock import SystemClock
    from calmfeet.sound.output import Output

    app: CalmFeetApp = make_app(
        paths,
        clock=SystemClock(),
        library=Library(routines=[load_routine(routines / "two-feet.toml")]),
        run_routine="two-feet",
        interludes=False,
        sound=None,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        player = app.sound.player
        assert player is not None
        for _ in range(1000):  # the real device and thread: wait, a few ms at a time
            await pilot.pause(0.01)
            if player.placed and player.guide is not None and player.guide.mixer.position:
                break
        output = player.output
        assert isinstance(output, Output) and output.backend == "Null"
        assert "m Mute" in footer(app, screen_text)
        await pilot.press("m")
        await pilot.pause()
        assert player.flush()
        guide = player.guide
        assert guide is not None and guide.mixer.muted
        assert "No sound device" not in screen_text(app)
    assert output.closed
