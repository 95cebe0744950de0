"""A session's sound as the live player will drive it: key presses re-plan, the mixer keeps time.

No sound card: a small player here renders 40 ms blocks and moves a fake clock by the same
amount, as the audio callback would, and the blocks are compared with what an uninterrupted
session sounds like.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from calmfeet.core.breathing import parse_pattern
from calmfeet.core.clock import FakeClock
from calmfeet.core.cues import CueKind, CueSettings
from calmfeet.core.model import Foot, Routine, Step
from calmfeet.core.session import Session
from calmfeet.sound import SAMPLE_RATE
from calmfeet.sound.guide import Guide
from calmfeet.sound.mixer import FADE_SECONDS
from calmfeet.sound.synth import cue_sound

RATE = SAMPLE_RATE
BLOCK = 1764  # 40 ms
Floats = npt.NDArray[np.float64]
CALM = parse_pattern("calm")
QUIET = CueSettings(voice=False)


def step(title: str, seconds: float, foot: Foot = "both") -> Step:
    return Step(title, seconds, foot, "arch", "", CALM)


ROUTINE = Routine("r", "R", "", (), CALM, "", (step("One", 20), step("Two", 20)), Path("r.toml"))


class Player:
    """The live path without a device: blocks out, the clock moved along with them."""

    def __init__(self, settings: CueSettings = QUIET) -> None:
        self.clock = FakeClock()
        self.session = Session(ROUTINE, self.clock)
        self.session.update()
        self.guide = Guide(settings)
        self.guide.prepare(self.session)
        self.guide.replan(self.session, 0)
        self.out: list[npt.NDArray[np.float32]] = []

    def play(self, seconds: float) -> None:
        for _ in range(round(seconds * RATE / BLOCK)):
            self.out.append(self.guide.mixer.render(BLOCK))
            self.clock.advance(BLOCK / RATE)
            self.session.update()

    def press(self, action: str) -> None:
        getattr(self.session, action)()
        self.session.update()
        self.guide.replan(self.session, self.guide.mixer.position)

    @property
    def heard(self) -> Floats:
        return np.concatenate(self.out).astype(np.float64)


def seconds(t: float) -> int:
    return round(t * RATE)


def test_a_pause_fades_the_sound_away_and_resuming_picks_it_up_where_it_was() -> None:
    steady = Player()
    steady.play(16)
    paused = Player()
    paused.play(6)  # 2 s into the first exhale
    paused.press("pause")
    paused.play(10)
    paused.press("resume")
    paused.play(4)
    heard, reference = paused.heard, steady.heard
    pause_at = seconds(6)
    fade = seconds(FADE_SECONDS)
    assert np.max(np.abs(heard[pause_at + fade : pause_at + seconds(10)])) == 0  # silent
    # It fades, never cut: the wave moves no faster than the tone itself did.
    natural = float(np.max(np.abs(np.diff(reference[pause_at - 2000 : pause_at]))))
    assert np.max(np.abs(np.diff(heard[pause_at - 100 : pause_at + fade + 100]))) <= natural
    # After the fade back in, exactly what an unpaused session sounds like from 6 s on.
    resumed = pause_at + seconds(10)
    assert np.allclose(
        heard[resumed + fade : resumed + seconds(4)],
        reference[pause_at + fade : pause_at + seconds(4)],
        atol=1e-6,
    )


def test_next_rings_the_new_step_at_once_and_moves_its_end() -> None:
    player = Player()
    player.play(5)
    player.press("next_step")
    player.play(1)
    chime = cue_sound(CueKind.STEP)
    assert chime is not None
    heard = player.heard
    at = seconds(5)
    # The bowl's own first samples are there, on the frame of the key press.
    correlation = float(np.dot(heard[at : at + 4000], chime[:4000])) / float(
        np.dot(chime[:4000], chime[:4000])
    )
    assert correlation == pytest.approx(1.0, abs=0.05)
    assert player.session.index == 1
    cues = player.guide.plan(player.session)
    assert [round(c.at, 2) for c in cues if c.kind is CueKind.END] == [19.0]


def test_a_replan_that_changes_nothing_is_not_heard() -> None:
    steady = Player()
    steady.play(8)
    again = Player()
    again.play(3)
    again.guide.replan(again.session, again.guide.mixer.position)
    again.play(5)
    assert np.allclose(again.heard, steady.heard, atol=1e-6)


def test_the_closing_chime_rings_out_even_if_the_end_is_replanned() -> None:
    player = Player()
    player.play(40.2)
    assert player.session.is_finished
    player.guide.replan(player.session, player.guide.mixer.position)  # told of the end
    player.play(2)
    tail = player.heard[seconds(40.3) :]
    assert np.sqrt(np.mean(tail**2)) > 0.01  # still ringing, not faded away


def test_ending_early_gives_the_closing_chime_now() -> None:
    player = Player()
    player.play(22)
    player.press("next_step")  # on the last step: the routine ends
    assert player.session.is_finished
    player.play(1)
    closing = cue_sound(CueKind.END)
    assert closing is not None
    at = seconds(22)
    heard = player.heard[at : at + 4000]
    assert float(np.dot(heard, closing[:4000])) / float(
        np.dot(closing[:4000], closing[:4000])
    ) == pytest.approx(1.0, abs=0.1)


def test_chimes_only_and_no_sound_settings_are_respected() -> None:
    chimes = Player(CueSettings(style="chimes", voice=False))
    chimes.play(4)
    bowl = cue_sound(CueKind.STEP)
    assert bowl is not None
    assert np.allclose(chimes.heard, bowl[: seconds(4)], atol=1e-7)  # the bowl and nothing else
    silent = Player(CueSettings(style="off", voice=False))
    silent.play(22)
    silent.press("next_step")
    silent.play(1)
    assert np.max(np.abs(silent.heard)) == 0
