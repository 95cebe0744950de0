"""The live player: each cue on the frame heard at its moment, through pause, next, back and the
end; no device or no voice is one notice; and the real playback path on miniaudio's NULL backend.

A fake device (tests/fake_sound.py) keeps time by the fake clock; `Run` pulls its blocks and
moves the clock together, 30 ms at a time, as a real device and a real clock would.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from fake_sound import LATENCY_SECONDS, RATE, FakeOutput, FakeOutputs

from calmfeet.core.breathing import parse_pattern
from calmfeet.core.clock import FakeClock, SystemClock
from calmfeet.core.cues import VOICE_AFTER_CHIME, CueKind, CueSettings, Layer
from calmfeet.core.model import Foot, Routine, Step
from calmfeet.core.session import Session
from calmfeet.sound.live import (
    SCREEN_LAG_SECONDS,
    SETTLE_SECONDS,
    FindVoice,
    LivePlayer,
    SoundNews,
    plan_changes,
)
from calmfeet.sound.voice import NO_VOICE_NOTICE

CALM = parse_pattern("calm")  # in 4, out 6
QUIET = CueSettings(voice=False, ticks=False)
CHIMES = CueSettings(style="chimes", voice=False)
EXACT = 4
"""Frames (0.1 ms): how exactly an onset is found in 16-bit samples."""
"""Step sounds alone: silence between them is exact zeros, so their onsets are exact."""
BLOCK = 1323  # 30 ms
PATIENCE_SECONDS = 30.0
Floats = npt.NDArray[np.float64]


def step(title: str, seconds: float, foot: Foot = "both") -> Step:
    return Step(title, seconds, foot, "arch", "", CALM)


ROUTINE = Routine(
    "r", "R", "", (), CALM, "", (step("One", 20), step("Two", 20), step("Three", 20)), Path("r")
)


def wait_until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {PATIENCE_SECONDS:.0f} s")
        time.sleep(0.002)


class Run:
    """A session with live sound on a fake device and a fake clock."""

    def __init__(
        self,
        settings: CueSettings = QUIET,
        *,
        device: bool = True,
        find_voice: FindVoice | None = None,
        check_seconds: float = 0.25,
    ) -> None:
        self.real_time = 0.0
        self.clock = FakeClock()
        self.outputs = FakeOutputs(self.clock, device=device)
        self.news: list[SoundNews] = []
        self.session = Session(ROUTINE, self.clock)
        self.session.update()
        self.player = LivePlayer(
            settings,
            self.clock,
            tell=self.news.append,
            open_output=self.outputs,
            find_voice=find_voice,
            check_seconds=check_seconds,
            real_time=lambda: self.real_time,
        )
        self.player.start(self.session)
        assert self.player.flush()
        self.heard: list[npt.NDArray[np.float32]] = []

    @property
    def output(self) -> FakeOutput:
        return self.outputs.last

    def begin(self) -> None:
        """The screen shows the first step and the session starts counting."""
        self.session.begin_now()
        self.session.update()
        self.act()

    def act(self) -> None:
        """What the app does after the person changes course."""
        self.player.follow(self.session)
        assert self.player.flush()

    def press(self, action: str) -> None:
        getattr(self.session, action)()
        self.session.update()
        self.act()

    def play(self, seconds: float) -> None:
        """Real time passing: the device pulls a block, the clock moves by as much."""
        for _ in range(round(seconds * RATE / BLOCK)):
            self.heard.append(self.output.play(BLOCK / RATE, BLOCK))
            self.clock.advance(BLOCK / RATE)
            self.session.update()

    def samples(self) -> Floats:
        return np.concatenate(self.heard).astype(np.float64)

    def heard_at(self, frame: int) -> float:
        """When the fake device's speaker plays mixer frame `frame` (the clock's seconds)."""
        output = self.output
        return output.opened_at + output.latency_seconds + output.shift_seconds + frame / RATE

    def frame_now(self) -> int:
        """The frame for a cue due now: heard as the screen shows what happened now."""
        return self.output.frame_at(self.clock.monotonic() + SCREEN_LAG_SECONDS)

    def cue_frames(self, kind: CueKind) -> list[int]:
        placed = self.player.placed[-1]
        return [placed.frame + round(c.at * RATE) for c in placed.cues if c.kind is kind]


def wait_checks(run: Run) -> None:
    """Let the player's thread look at the device's timing (it does after every job)."""
    assert run.player.flush()


def onsets(samples: Floats, quiet_seconds: float = 0.1) -> list[int]:
    """Frames where a sound starts after silence. With style "chimes" there is no breath
    tone, and between chimes the mixer gives exact zeros: an onset is the frame before the
    first sample that is not zero (every sound starts at exactly zero), to within EXACT: the
    device is given 16-bit samples, and a strike's first few round to zero."""
    loud = np.flatnonzero(samples != 0)
    if not len(loud):
        return []
    gaps = np.flatnonzero(np.diff(loud) > quiet_seconds * RATE)
    return [int(loud[0]) - 1, *(int(loud[i + 1]) - 1 for i in gaps)]


def settings_with(**changes: Any) -> CueSettings:
    return replace(QUIET, **changes)


# ---- when each cue is heard ---------------------------------------------------------------


def test_nothing_plays_before_the_session_counts_then_its_chime_is_heard_at_once() -> None:
    run = Run(CHIMES)
    assert run.player.placed == []  # prepared, silent: the screen is not yet counting
    run.play(0.3)
    assert np.all(run.samples() == 0)
    run.begin()
    placed = run.player.placed[0]
    assert placed.frame == run.frame_now()  # the frame the speaker plays now
    [first, second, third] = run.cue_frames(CueKind.STEP)
    assert (second - first, third - first) == (20 * RATE, 40 * RATE)
    given = len(run.samples())
    run.play(0.5)
    # Due now, but the device already holds a buffer: whole, in the very next block.
    [onset] = onsets(run.samples())
    assert given <= onset <= given + EXACT


def test_each_step_change_is_heard_at_the_frame_of_its_moment_with_no_new_plan() -> None:
    run = Run(CHIMES)
    run.play(0.2)
    run.begin()
    began = run.clock.monotonic()
    run.play(41.0)
    assert len(run.player.placed) == 1  # the steps' own ends needed no new plan
    heard = [run.heard_at(onset) - began - SCREEN_LAG_SECONDS for onset in onsets(run.samples())]
    frame = EXACT / RATE
    # The first chime is due the moment the session starts: the device already holds one
    # buffer, so it comes whole right after that (see the key-press test below)...
    assert 0 <= heard[0] <= LATENCY_SECONDS + BLOCK / RATE
    # ...and every step change after it on its moment, to the frame.
    assert heard[1:] == [pytest.approx(20.0, abs=frame), pytest.approx(40.0, abs=frame)]


def test_pause_silences_within_a_fade_and_resume_picks_the_breath_up_again() -> None:
    run = Run()
    run.begin()
    run.play(6.0)  # past the first chime's ring
    run.press("pause")
    assert run.player.placed[-1].cues == []  # a paused session plans nothing
    before = len(run.samples())
    run.play(1.0)
    after_pause = run.samples()[before:]
    fade = round(0.05 * RATE)
    assert np.max(np.abs(after_pause[:BLOCK])) > 0  # the block already given plays out...
    assert np.max(np.abs(np.diff(after_pause[: BLOCK + fade]))) < 0.01  # ...fades, no click...
    assert np.all(after_pause[BLOCK + fade :] == 0)  # ...then silence
    run.play(3.0)  # paused: time passes, nothing moves
    run.press("resume")
    resumed_at = len(run.samples())
    run.play(1.0)
    assert np.max(np.abs(run.samples()[resumed_at + BLOCK + fade :])) > 0.01  # the breath
    # And the next step's chime is 14 s of running time from the resume.
    assert run.cue_frames(CueKind.STEP)[0] == run.player.placed[-1].frame + round(14.0 * RATE)


def test_next_and_back_move_every_later_cue_to_the_new_course() -> None:
    run = Run()
    run.begin()
    run.play(5.0)
    run.press("next_step")
    placed = run.player.placed[-1]
    assert placed.frame == run.frame_now()
    steps = run.cue_frames(CueKind.STEP)
    assert steps == [placed.frame, placed.frame + 20 * RATE]  # step two now, three in 20 s
    assert run.cue_frames(CueKind.END) == [placed.frame + 40 * RATE]
    run.play(3.0)
    run.press("previous_step")  # back to step one, from its start
    placed = run.player.placed[-1]
    assert run.cue_frames(CueKind.STEP)[0] == placed.frame
    assert run.cue_frames(CueKind.END) == [placed.frame + 60 * RATE]
    run.press("add_time")
    assert run.cue_frames(CueKind.END) == [run.player.placed[-1].frame + 90 * RATE]


def test_the_chime_for_a_key_press_is_heard_whole_as_soon_as_the_device_can() -> None:
    """The speaker is always a buffer behind the mixer: a chime due "now" cannot be heard
    earlier than what was already given to the device, so it starts whole right after."""
    run = Run(CHIMES)
    run.begin()
    run.play(5.0)
    given = len(run.samples())
    run.press("next_step")
    run.play(0.5)
    assert given <= onsets(run.samples())[-1] <= given + EXACT


def test_an_early_end_rings_the_closing_chime_and_the_output_closes_after_it() -> None:
    run = Run(CHIMES, check_seconds=0.005)
    run.begin()
    run.play(5.0)
    for _ in range(3):
        run.session.next_step()
    run.session.update()
    assert run.session.is_finished
    given = len(run.samples())
    run.player.end(run.session)
    assert run.player.flush()
    run.play(1.0)
    assert given <= onsets(run.samples())[-1] <= given + EXACT  # the closing arpeggio, at once
    assert not run.output.closed  # still ringing
    run.play(6.0)
    wait_until(lambda: run.output.closed, "the output closed after the ring-out")
    assert run.player.done.wait(PATIENCE_SECONDS)


def test_closing_releases_the_device_at_once() -> None:
    run = Run()
    run.begin()
    run.player.close()
    assert run.output.closed
    assert run.player.done.wait(PATIENCE_SECONDS)
    run.player.follow(run.session)  # after closing, nothing happens (and nothing raises)


# ---- settings mid-session --------------------------------------------------------------------


def test_mute_and_volumes_apply_at_once_and_a_style_change_plans_again() -> None:
    run = Run()
    run.begin()
    run.player.change(settings_with(muted=True), run.session)
    assert run.player.flush()
    assert len(run.player.placed) == 1  # mute changes no plan
    run.play(1.0)
    assert np.all(run.samples()[-BLOCK:] == 0)
    run.player.change(settings_with(muted=False, style="chimes"), run.session)
    assert run.player.flush()
    assert len(run.player.placed) == 2
    assert all(cue.layer is not Layer.BREATH for cue in run.player.placed[-1].cues)
    assert plan_changes(QUIET, settings_with(ticks=True))
    assert not plan_changes(QUIET, settings_with(volume=0.2, breath_volume=0.5, muted=True))


# ---- what the person is told -----------------------------------------------------------------


def test_no_device_is_one_notice_and_nothing_more() -> None:
    run = Run(device=False)
    assert [news.notice for news in run.news] == ["No sound device, so calmfeet is silent."]
    assert run.news[0].playing is False
    run.begin()
    run.press("pause")
    assert run.outputs.calls == 1 and run.player.placed == []
    assert len(run.news) == 1


def test_voice_on_without_an_engine_is_one_notice_and_the_rest_still_plays() -> None:
    run = Run(settings_with(voice=True), find_voice=lambda: None)
    assert [news.notice for news in run.news if news.notice] == [NO_VOICE_NOTICE]
    assert run.news[-1].playing is True
    run.begin()
    assert run.cue_frames(CueKind.STEP)  # chimes go on without words
    spoken = [c for c in run.player.placed[-1].cues if c.kind is CueKind.SPEAK]
    assert spoken and spoken[0].at == pytest.approx(VOICE_AFTER_CHIME)  # planned, not heard


def test_when_the_device_falls_behind_what_is_to_come_moves_with_it() -> None:
    """A busy computer let the device run dry: it now plays everything 50 ms later than
    planned. The player notices by itself, with no new plan, and the next chime is on time."""
    run = Run(CHIMES)
    run.begin()
    began = run.clock.monotonic()
    run.play(2.0)
    run.output.shift_seconds = 0.05
    wait_checks(run)  # seen, but not yet followed: it may be a stall that catches up
    assert run.player.shifts == []
    run.real_time += SETTLE_SECONDS  # it held
    wait_checks(run)
    assert run.player.shifts == [round(-0.05 * RATE)]
    assert len(run.player.placed) == 1
    run.play(19.0)
    step_two = [run.heard_at(onset) for onset in onsets(run.samples())][1]
    heard_from_now = began + SCREEN_LAG_SECONDS  # as the screen shows it
    assert step_two == pytest.approx(heard_from_now + 20.0, abs=EXACT / RATE)


def test_a_stall_that_catches_up_moves_nothing() -> None:
    run = Run(CHIMES)
    run.begin()
    run.play(2.0)
    run.output.shift_seconds = 0.2  # the sound server stalled...
    wait_checks(run)
    run.real_time += SETTLE_SECONDS / 2
    wait_checks(run)
    run.output.shift_seconds = 0.0  # ...and caught up
    wait_checks(run)
    run.real_time += SETTLE_SECONDS
    wait_checks(run)
    assert run.player.shifts == []


def test_a_failure_in_the_audio_thread_is_one_line_for_the_person() -> None:
    run = Run(check_seconds=0.005)
    run.begin()
    run.output.failure = "Sound failed, so this block is silent: ValueError: boom"
    wait_until(lambda: any(news.notice for news in run.news), "the failure was told")
    assert [news.notice for news in run.news if news.notice] == [
        "Sound failed, so this block is silent: ValueError: boom"
    ]


# ---- the real device path ------------------------------------------------------------------


def test_the_real_playback_path_plays_the_plan_on_miniaudios_null_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Real time, a real stream, the real mixer: the session's plan is pulled by the device
    at the pace of the clock, and closing releases it."""
    monkeypatch.setenv("CALMFEET_AUDIO_BACKEND", "null")
    from calmfeet.sound.output import Output

    clock = SystemClock()
    news: list[SoundNews] = []
    session = Session(ROUTINE, clock)
    session.update()
    player = LivePlayer(QUIET, clock, tell=news.append)
    player.start(session)
    assert player.flush()
    assert [n.playing for n in news] == [True], news
    session.begin_now()
    session.update()
    player.follow(session)
    assert player.flush()
    guide = player.guide
    assert guide is not None
    output = player.output
    assert isinstance(output, Output) and output.backend == "Null"
    placed = player.placed[0]
    assert abs(placed.frame - output.frame_at(time.monotonic())) < 0.25 * RATE
    wait_until(lambda: guide.mixer.position > placed.frame + RATE // 2, "half a second played")
    player.close()
    assert output.closed
    assert player.done.wait(PATIENCE_SECONDS)
    assert [n.notice for n in news if n.notice] == []
