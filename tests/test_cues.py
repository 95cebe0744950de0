"""The cue schedule: every sound a session will make, planned from the session on a fake clock.

Besides the cases one by one, each plan is checked against the session itself: the clock is run
forward to every planned moment and the session (what the screen shows) must agree, and nothing
the screen would show or ring may happen without a cue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmfeet.core.breathing import BreathingPattern, Phase, parse_pattern
from calmfeet.core.clock import FakeClock
from calmfeet.core.cues import (
    BREATH_KINDS,
    BREATHING_END_WORDS,
    FRESH_SECONDS,
    MIN_TONE_SECONDS,
    ROUTINE_END_WORDS,
    VOICE_AFTER_CHIME,
    Cue,
    CueKind,
    CueSettings,
    Layer,
    plan_cues,
    settings_from_preferences,
)
from calmfeet.core.glyphs import whole_seconds
from calmfeet.core.model import Foot, Routine, Step
from calmfeet.core.paths import builtin_routines_dir
from calmfeet.core.preferences import Preferences
from calmfeet.core.routines import load_routine
from calmfeet.core.safe_text import speakable
from calmfeet.core.session import (
    HalfwayReached,
    InterludeFinished,
    InterludeKind,
    RoutineFinished,
    Session,
    SessionEvent,
    StepStarted,
    breathing_only_routine,
)

CALM = parse_pattern("calm")  # in 4, out 6
BOX = parse_pattern("box")  # in 4, hold 4, out 4, hold 4
SIGH = parse_pattern("sigh")  # in 2, in 1 more, out 6
RESONANCE = parse_pattern("resonance")
ALL_SOUNDS = CueSettings(ticks=True)
QUIET = CueSettings(voice=False)
EPSILON = 1e-6


def step(
    title: str,
    seconds: float,
    foot: Foot = "both",
    breathing: BreathingPattern = CALM,
    halfway: str = "",
    how: str = "Press slowly.",
) -> Step:
    return Step(title, seconds, foot, "arch", how, breathing, halfway=halfway)


def routine(*steps: Step, needs: tuple[str, ...] = ()) -> Routine:
    return Routine(
        id="test",
        name="Test",
        summary="",
        focus=(),
        breathing=CALM,
        caution="",
        steps=steps,
        source=Path("test.toml"),
        needs=needs,
    )


MIRRORED = routine(
    step("Press the arch", 30, "left"),
    step("Press the arch", 30, "right"),
    step("Rest", 20, "both"),
)


def of(cues: Sequence[Cue], *kinds: CueKind) -> list[Cue]:
    return [cue for cue in cues if cue.kind in kinds]


def times(cues: Sequence[Cue], *kinds: CueKind) -> list[float]:
    return [round(cue.at, 6) for cue in of(cues, *kinds)]


def words(cues: Sequence[Cue]) -> list[tuple[float, str]]:
    return [(round(c.at, 6), c.text) for c in of(cues, CueKind.SPEAK)]


def breath(cues: Sequence[Cue]) -> list[tuple[float, CueKind, float]]:
    return [(round(c.at, 6), c.kind, round(c.seconds, 6)) for c in cues if c.kind in BREATH_KINDS]


# ---- checking a plan against the session ------------------------------------------------------

PHASE_OF = {
    CueKind.INHALE: Phase.INHALE,
    CueKind.INHALE_MORE: Phase.INHALE,
    CueKind.EXHALE: Phase.EXHALE,
    CueKind.HOLD: Phase.HOLD,
}
MARKS = (CueKind.STEP, CueKind.SWITCH, CueKind.HALFWAY, CueKind.END)


@dataclass(frozen=True)
class _Check:
    at: float
    cue: Cue
    what: str  # "before", "start", "end"


def _event_cue(event: SessionEvent, switching: bool) -> tuple[CueKind, int] | None:
    """The cue the screen's reaction to `event` should be heard with, or None for no sound."""
    if isinstance(event, StepStarted):
        return (CueKind.SWITCH if switching else CueKind.STEP, event.index)
    if isinstance(event, InterludeFinished):
        return (CueKind.STEP, event.index)
    if isinstance(event, HalfwayReached):
        return (CueKind.HALFWAY, event.index)
    if isinstance(event, RoutineFinished):
        return (CueKind.END, -1)
    return None


def assert_plan_matches_session(session: Session, clock: FakeClock, cues: Sequence[Cue]) -> None:
    """Run the clock through every planned moment; the session must agree with each cue, and
    every step change, halfway, lead-in end and routine end must have its cue."""
    session.update()  # what the screen has already reacted to
    origin = clock.monotonic()
    checks: list[_Check] = []
    for cue in cues:
        if cue.layer is Layer.VOICE:
            continue
        if cue.kind in BREATH_KINDS:
            checks.append(_Check(max(cue.at, 0.0) + EPSILON, cue, "start"))
            checks.append(_Check(cue.at + cue.seconds - EPSILON, cue, "end"))
        else:
            if cue.at > EPSILON:
                checks.append(_Check(cue.at - EPSILON, cue, "before"))
            checks.append(_Check(cue.at + EPSILON, cue, "start"))
    checks.sort(key=lambda c: c.at)
    planned_marks = {
        (c.kind, c.step if c.kind is not CueKind.END else -1, round(c.at, 4))
        for c in cues
        if c.kind in MARKS
    }
    heard: set[tuple[CueKind, int, float]] = set()
    previous = 0.0
    for check in checks:
        if check.at > clock.monotonic() - origin:
            clock.advance(check.at - (clock.monotonic() - origin))
        for event in session.update():
            interlude = session.interlude
            switching = interlude is not None and interlude.kind is InterludeKind.SWITCH
            expected = _event_cue(event, switching and isinstance(event, StepStarted))
            if expected is None:
                continue
            matches = [
                mark
                for mark in planned_marks
                if mark[:2] == expected and previous - 2 * EPSILON <= mark[2] <= check.at + 1e-4
            ]
            assert matches, f"{event} at {check.at:.4f}s has no cue in {planned_marks}"
            heard.update(matches)
        previous = check.at
        _assert_agrees(session, check)
    # Every mark planned after now happened (those at 0 happened as the plan was made).
    assert {m for m in planned_marks if m[2] > EPSILON} <= heard
    clock.advance(3600)
    session.update()
    if cues:
        assert session.is_finished


def _assert_agrees(session: Session, check: _Check) -> None:
    cue = check.cue
    interlude = session.interlude
    if cue.kind in BREATH_KINDS:
        assert interlude is None or interlude.kind is not InterludeKind.LEAD_IN, cue
        state = session.breath_state()
        assert state.phase is PHASE_OF[cue.kind], (check, state)
        assert (state.said == "Inhale more") == (cue.kind is CueKind.INHALE_MORE)
        if check.what == "end":
            assert state.level == pytest.approx(cue.end_level, abs=1e-3), (check, state)
        elif cue.at >= 0:
            assert state.level == pytest.approx(cue.start_level, abs=1e-3), (check, state)
        else:  # joined part-way: as far into the phase as the plan says
            into = -cue.at / cue.seconds
            level = cue.start_level + (cue.end_level - cue.start_level) * into
            assert state.level == pytest.approx(level, abs=1e-3), (check, state)
        return
    if check.what == "before":
        if cue.kind is CueKind.STEP:
            assert session.index != cue.step or interlude is not None
        elif cue.kind is CueKind.END:
            assert not session.is_finished
        return
    if cue.kind is CueKind.STEP:
        assert (session.index, interlude) == (cue.step, None)
        assert session.step_elapsed < FRESH_SECONDS
    elif cue.kind is CueKind.SWITCH:
        assert session.index == cue.step
        assert interlude is not None and interlude.kind is InterludeKind.SWITCH
    elif cue.kind is CueKind.COUNT:
        assert interlude is not None and interlude.kind is InterludeKind.LEAD_IN
        assert whole_seconds(interlude.seconds_left) == int(cue.text)
    elif cue.kind is CueKind.TICK:
        assert interlude is None and session.index == cue.step
        assert whole_seconds(session.step_remaining) == int(cue.text)
    elif cue.kind is CueKind.HALFWAY:
        assert session.index == cue.step
        assert session.step_elapsed == pytest.approx(session.step.seconds / 2, abs=1e-4)
    elif cue.kind is CueKind.END:
        assert session.is_finished


def check_whole_session(session: Session, clock: FakeClock) -> list[Cue]:
    session.update()
    cues = plan_cues(session, ALL_SOUNDS)
    assert cues == sorted(cues, key=lambda c: c.at)
    assert_plan_matches_session(session, clock, cues)
    return cues


# ---- the plan from the start -----------------------------------------------------------------


def test_the_lead_in_counts_three_two_one_then_the_first_step_chimes_on_an_inhale() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock, lead_in_seconds=5)
    cues = plan_cues(session, ALL_SOUNDS)
    assert [(c.at, c.text) for c in of(cues, CueKind.COUNT)] == [(2.0, "3"), (3.0, "2"), (4.0, "1")]
    assert times(cues, CueKind.STEP)[0] == 5.0
    first_tone = of(cues, *BREATH_KINDS)[0]
    assert (first_tone.at, first_tone.kind, first_tone.start_level) == (5.0, CueKind.INHALE, 0.0)
    assert words(cues)[:2] == [
        (0.0, "Get ready."),
        (5 + VOICE_AFTER_CHIME, "Step 1 of 3. Press the arch. Left foot."),
    ]
    assert_plan_matches_session(session, clock, cues)


def test_the_lead_in_names_what_the_routine_needs() -> None:
    session = Session(
        routine(step("Roll", 30), needs=("tennis ball", "towel")), FakeClock(), lead_in_seconds=3
    )
    cues = plan_cues(session, ALL_SOUNDS)
    assert words(cues)[0] == (0.0, "Get ready. You will need: tennis ball, towel.")
    assert [(c.at, c.text) for c in of(cues, CueKind.COUNT)] == [(0.0, "3"), (1.0, "2"), (2.0, "1")]


def test_a_short_lead_in_counts_only_what_it_has() -> None:
    session = Session(routine(step("Roll", 30)), FakeClock(), lead_in_seconds=2)
    assert [c.text for c in of(plan_cues(session, ALL_SOUNDS), CueKind.COUNT)] == ["2", "1"]


def test_without_a_lead_in_the_first_step_is_announced_at_once() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock)
    cues = plan_cues(session, ALL_SOUNDS)
    assert times(cues, CueKind.STEP)[0] == 0.0
    assert not of(cues, CueKind.COUNT)
    assert breath(cues)[:2] == [(0.0, CueKind.INHALE, 4.0), (4.0, CueKind.EXHALE, 6.0)]


def test_mirrored_halves_switch_feet_with_a_pause_and_the_breath_goes_on() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock, switch_seconds=3)
    cues = plan_cues(session, ALL_SOUNDS)
    assert times(cues, CueKind.SWITCH) == [30.0]
    assert times(cues, CueKind.STEP) == [0.0, 33.0, 63.0]  # right to both: no pause
    assert (30 + VOICE_AFTER_CHIME, "Switch to the right foot.") in words(cues)
    assert (33 + VOICE_AFTER_CHIME, "Step 2 of 3. Press the arch. Right foot.") in words(cues)
    assert (63 + VOICE_AFTER_CHIME, "Step 3 of 3. Rest. Both feet.") in words(cues)
    # One calm breath every 10 s from the start, straight through the pause.
    assert times(cues, CueKind.INHALE) == [float(t) for t in range(0, 83, 10)]
    assert_plan_matches_session(session, clock, cues)


def test_the_halfway_cue_is_planned_at_half_the_steps_own_time() -> None:
    clock = FakeClock()
    session = Session(routine(step("Circles", 60, halfway="Change direction")), clock)
    clock.advance(10)
    session.add_time(30)  # added time does not move the halfway point
    cues = plan_cues(session, ALL_SOUNDS)
    assert times(cues, CueKind.HALFWAY) == [20.0]
    assert (20 + VOICE_AFTER_CHIME, "Change direction.") in words(cues)
    assert times(cues, CueKind.END) == [80.0]
    assert_plan_matches_session(session, clock, cues)


def test_a_halfway_already_past_is_not_planned_again() -> None:
    clock = FakeClock()
    session = Session(routine(step("Circles", 60, halfway="Change direction")), clock)
    clock.advance(31)
    session.update()
    assert not of(plan_cues(session, ALL_SOUNDS), CueKind.HALFWAY)


def test_the_sighs_second_inhale_is_its_own_short_rise() -> None:
    session = Session(routine(step("Sigh", 18, breathing=SIGH)), FakeClock())
    tones = [c for c in plan_cues(session, ALL_SOUNDS) if c.kind in BREATH_KINDS]
    assert [(c.at, c.kind, c.seconds, c.start_level, c.end_level) for c in tones[:3]] == [
        (0.0, CueKind.INHALE, 2.0, 0.0, 0.75),
        (2.0, CueKind.INHALE_MORE, 1.0, 0.75, 1.0),
        (3.0, CueKind.EXHALE, 6.0, 1.0, 0.0),
    ]


def test_box_breathing_holds_are_planned_between_in_and_out() -> None:
    session = Session(routine(step("Box", 16, breathing=BOX)), FakeClock())
    assert [(c.kind, c.start_level) for c in of(plan_cues(session, ALL_SOUNDS), *BREATH_KINDS)] == [
        (CueKind.INHALE, 0.0),
        (CueKind.HOLD, 1.0),
        (CueKind.EXHALE, 1.0),
        (CueKind.HOLD, 0.0),
    ]


def test_the_routine_ends_with_the_closing_chime_and_the_last_tone_cut_at_the_end() -> None:
    clock = FakeClock()
    session = Session(routine(step("Short", 12)), clock)  # calm: in 4, out 6, in 4 cut at 2
    cues = plan_cues(session, ALL_SOUNDS)
    assert cues[-2:] == [
        Cue(12.0, CueKind.END, Layer.STEPS),
        Cue(12.0 + VOICE_AFTER_CHIME, CueKind.SPEAK, Layer.VOICE, text=ROUTINE_END_WORDS),
    ]
    last_tone = of(cues, *BREATH_KINDS)[-1]
    assert (last_tone.at, last_tone.seconds) == (10.0, 2.0)
    assert last_tone.end_level == pytest.approx(0.5)  # half the inhale: half its rise
    assert [(c.at, c.text) for c in of(cues, CueKind.TICK)] == [
        (9.0, "3"),
        (10.0, "2"),
        (11.0, "1"),
    ]
    assert_plan_matches_session(session, clock, cues)


def test_a_new_pattern_restarts_the_breath_at_its_step() -> None:
    clock = FakeClock()
    session = Session(routine(step("Calm", 13), step("Box", 16, breathing=BOX)), clock)
    cues = plan_cues(session, QUIET)
    tones = breath(cues)
    assert (10.0, CueKind.INHALE, 3.0) in tones  # calm's second inhale, cut at the step change
    assert (13.0, CueKind.INHALE, 4.0) in tones  # box starts afresh
    assert_plan_matches_session(session, clock, cues)


# ---- after key presses -----------------------------------------------------------------------


def test_a_tone_part_way_starts_in_the_past_so_the_player_can_join_it() -> None:
    clock = FakeClock()
    session = Session(routine(step("Calm", 60)), clock)
    clock.advance(6)  # 2 s into the 6 s exhale
    first = of(plan_cues(session, QUIET), *BREATH_KINDS)[0]
    assert (first.at, first.kind, first.seconds) == (-2.0, CueKind.EXHALE, 6.0)
    assert not of(plan_cues(session, QUIET), CueKind.STEP)  # no chime for a step under way


def test_paused_plans_nothing_and_resuming_keeps_every_cue_in_running_time() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock, switch_seconds=3)
    clock.advance(12.5)
    before = plan_cues(session, ALL_SOUNDS)
    session.pause()
    assert plan_cues(session, ALL_SOUNDS) == []
    clock.advance(40)
    session.resume()
    after = plan_cues(session, ALL_SOUNDS)
    assert after == before
    assert_plan_matches_session(session, clock, after)


def test_next_chimes_the_new_step_now_and_drops_the_old_steps_cues() -> None:
    clock = FakeClock()
    session = Session(routine(step("One", 30), step("Two", 20), step("Three", 20)), clock)
    clock.advance(10)
    session.next_step()
    session.update()
    clock.advance(0.01)  # the screen plans a moment after the key press
    cues = plan_cues(session, ALL_SOUNDS)
    chime = of(cues, CueKind.STEP)[0]
    assert (chime.at, chime.step) == (0.0, 1)
    assert words(cues)[0] == (VOICE_AFTER_CHIME, "Step 2 of 3. Two. Both feet.")
    assert times(cues, CueKind.STEP) == [0.0, pytest.approx(19.99)]
    assert_plan_matches_session(session, clock, cues)


def test_next_into_the_other_foot_plans_the_switch_pause_first() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock, switch_seconds=3)
    clock.advance(5)
    session.next_step()
    session.update()
    cues = plan_cues(session, ALL_SOUNDS)
    assert [(c.at, c.kind) for c in of(cues, CueKind.SWITCH, CueKind.STEP)][:2] == [
        (0.0, CueKind.SWITCH),
        (3.0, CueKind.STEP),
    ]
    assert_plan_matches_session(session, clock, cues)


def test_back_keeps_the_breath_going_when_the_pattern_is_the_same() -> None:
    clock = FakeClock()
    session = Session(routine(step("One", 30), step("Two", 30)), clock)
    clock.advance(32)  # 2 s into step two, 2 s into the second inhale of the breath
    session.update()
    session.previous_step()
    session.update()
    cues = plan_cues(session, QUIET)
    assert (cues[0].kind, cues[0].step) == (CueKind.INHALE, 0)
    assert (cues[0].at, cues[0].seconds) == (pytest.approx(-2.0), 4.0)
    assert times(cues, CueKind.STEP) == [0.0, 30.0]
    assert_plan_matches_session(session, clock, cues)


def test_restart_starts_the_step_and_its_breath_afresh() -> None:
    clock = FakeClock()
    session = Session(routine(step("One", 30, halfway="Turn"), step("Two", 30)), clock)
    clock.advance(21)
    session.update()
    session.restart_step()
    session.update()
    cues = plan_cues(session, ALL_SOUNDS)
    assert breath(cues)[0] == (0.0, CueKind.INHALE, 4.0)
    assert times(cues, CueKind.STEP) == [0.0, 30.0]
    assert times(cues, CueKind.HALFWAY) == [15.0]  # a new visit: the halfway cue again
    assert_plan_matches_session(session, clock, cues)


def test_added_time_moves_the_end_and_the_ticks() -> None:
    clock = FakeClock()
    session = Session(routine(step("One", 30)), clock)
    clock.advance(20)
    session.add_time(30)
    cues = plan_cues(session, ALL_SOUNDS)
    assert times(cues, CueKind.TICK) == [37.0, 38.0, 39.0]
    assert times(cues, CueKind.END) == [40.0]


def test_skipping_the_lead_in_starts_the_step_now() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock, lead_in_seconds=5, switch_seconds=3)
    clock.advance(1.5)
    session.skip_interlude()
    session.update()
    cues = plan_cues(session, ALL_SOUNDS)
    assert not of(cues, CueKind.COUNT)
    assert (cues[0].at, cues[0].kind) == (0.0, CueKind.INHALE)
    assert_plan_matches_session(session, clock, cues)


def test_a_plan_part_way_through_the_lead_in_keeps_the_counts_still_to_come() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock, lead_in_seconds=5)
    clock.advance(2.5)
    cues = plan_cues(session, ALL_SOUNDS)
    assert [(c.at, c.text) for c in of(cues, CueKind.COUNT)] == [(0.5, "2"), (1.5, "1")]
    assert words(cues)[0][1].startswith("Step 1 of 3")  # get ready is not said again
    assert_plan_matches_session(session, clock, cues)


def test_a_finished_session_plans_nothing() -> None:
    clock = FakeClock()
    session = Session(routine(step("One", 10)), clock)
    clock.advance(11)
    session.update()
    assert plan_cues(session, ALL_SOUNDS) == []


def test_the_horizon_stops_the_plan() -> None:
    session = Session(MIRRORED, FakeClock(), switch_seconds=3)
    cues = plan_cues(session, ALL_SOUNDS, horizon=20)
    assert cues and all(c.at < 20 for c in cues)
    assert cues == [c for c in plan_cues(session, ALL_SOUNDS) if c.at < 20]


# ---- settings --------------------------------------------------------------------------------


def test_styles_and_layers_choose_what_is_planned() -> None:
    session = Session(MIRRORED, FakeClock(), lead_in_seconds=5, switch_seconds=3)

    def layers(settings: CueSettings) -> set[Layer]:
        return {cue.layer for cue in plan_cues(session, settings)}

    assert layers(CueSettings()) == {Layer.BREATH, Layer.STEPS, Layer.VOICE}
    assert layers(CueSettings(style="chimes")) == {Layer.STEPS, Layer.VOICE}
    assert layers(CueSettings(style="off")) == {Layer.VOICE}
    assert layers(CueSettings(style="off", voice=False)) == set()
    assert layers(CueSettings(breath=False, voice=False)) == {Layer.STEPS}
    assert not of(plan_cues(session, CueSettings()), CueKind.TICK)  # ticks are asked for
    assert of(plan_cues(session, CueSettings(ticks=True)), CueKind.TICK)


def test_saved_sound_preferences_become_the_plan_s_settings() -> None:
    saved = Preferences(
        sound="chimes",
        sound_volume=50,
        sound_muted=True,
        sound_breath=False,
        sound_steps_volume=80,
        sound_ticks=True,
        voice=True,
        voice_volume=25,
        voice_how=True,
        voice_phase_words=True,
    )
    assert settings_from_preferences(saved) == CueSettings(
        style="chimes",
        breath=False,
        steps=True,
        voice=True,
        ticks=True,
        voice_how=True,
        voice_phase_words=True,
        breath_volume=1.0,
        steps_volume=0.8,
        voice_volume=0.25,
        volume=0.5,
        muted=True,
    )
    first_run = settings_from_preferences(None)
    assert first_run == settings_from_preferences(Preferences())
    assert (first_run.style, first_run.voice, first_run.muted) == ("tones", False, False)
    assert first_run.volume < 1.0  # soft by default


def test_the_command_line_overrides_sound_and_voice_for_one_run() -> None:
    muted_off = Preferences(sound="off", sound_muted=True, voice=True)
    assert not settings_from_preferences(muted_off, sound=False).anything_to_hear
    played = settings_from_preferences(muted_off, sound=True)
    assert (played.style, played.muted, played.voice) == ("tones", False, True)
    assert settings_from_preferences(Preferences(), voice=True).voice
    assert not settings_from_preferences(Preferences(voice=True), voice=False).voice
    assert settings_from_preferences(Preferences(sound="off"), voice=True).anything_to_hear
    assert not settings_from_preferences(Preferences(sound="off")).anything_to_hear


def test_without_a_chime_the_words_come_on_the_moment() -> None:
    session = Session(MIRRORED, FakeClock(), switch_seconds=3)
    assert words(plan_cues(session, CueSettings(style="off")))[1] == (
        30.0,
        "Switch to the right foot.",
    )


def test_the_voice_can_say_how_and_the_phase_words_never_over_an_announcement() -> None:
    session = Session(
        routine(step("Roll", 20, "left", how="Roll the ball\nslowly."), step("Rest", 20)),
        FakeClock(),
    )
    cues = plan_cues(session, CueSettings(voice_how=True, voice_phase_words=True))
    said = words(cues)
    assert said[0] == (VOICE_AFTER_CHIME, "Step 1 of 2. Roll. Left foot. Roll the ball slowly.")
    assert (10.0, "in") in said and (14.0, "out") in said
    assert (4.0, "out") not in said  # the announcement is still being made
    assert (0.0, "in") not in said  # the announcement is being made
    assert (20.0, "in") not in said


def test_a_breathing_only_session_announces_no_steps() -> None:
    session = Session(breathing_only_routine(RESONANCE, 1), FakeClock())
    assert words(plan_cues(session, CueSettings())) == [
        (60 + VOICE_AFTER_CHIME, BREATHING_END_WORDS)
    ]


def test_words_from_a_file_reach_the_voice_as_plain_text() -> None:
    session = Session(routine(step("Press\x1b]0;owned\x07 \u202ehere", 20)), FakeClock())
    said = words(plan_cues(session, CueSettings()))[0][1]
    assert said == "Step 1 of 1. Press ]0;owned here. Both feet."
    assert speakable(" a\t b\n\nc\x85 ") == "a b c"


def test_the_session_tells_its_switch_pause() -> None:
    assert Session(MIRRORED, FakeClock(), switch_seconds=4).switch_seconds == 4
    assert Session(MIRRORED, FakeClock()).switch_seconds == 0


# ---- every built-in routine, and any sequence of key presses ------------------------------------


@pytest.mark.parametrize(
    "path", sorted(builtin_routines_dir().glob("*.toml")), ids=lambda p: p.stem
)
def test_every_builtin_routine_sounds_as_it_shows(path: Path) -> None:
    clock = FakeClock()
    session = Session(load_routine(path, path.stem), clock, lead_in_seconds=5, switch_seconds=3)
    cues = check_whole_session(session, clock)
    tones = of(cues, *BREATH_KINDS)
    # The breath is heard without a gap.
    for before, after in zip(tones, tones[1:], strict=False):
        gap = after.at - (before.at + before.seconds)
        assert 0 <= gap + 1e-9 < MIN_TONE_SECONDS, (before, after)


OPERATIONS = (
    "wait",
    "pause",
    "resume",
    "next_step",
    "previous_step",
    "restart_step",
    "add_time",
    "skip_interlude",
    "toggle_pause_or_skip",
)
PATTERNS = (CALM, BOX, SIGH, RESONANCE)


@st.composite
def routines(draw: st.DrawFn) -> Routine:
    count = draw(st.integers(1, 4))
    steps = [
        step(
            f"Step {n}",
            draw(st.sampled_from([3.0, 7.5, 12.0, 20.0, 33.0])),
            draw(st.sampled_from(["left", "right", "both"])),
            draw(st.sampled_from(PATTERNS)),
            halfway=draw(st.sampled_from(["", "Turn"])),
        )
        for n in range(count)
    ]
    return routine(*steps)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    routines(),
    st.sampled_from([0.0, 2.0, 5.0]),
    st.sampled_from([0.0, 3.0]),
    st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.sampled_from([0.0, 0.1, 1.7, 4.0, 9.3])),
        max_size=6,
    ),
)
def test_any_key_presses_leave_a_plan_that_matches_the_session(
    routine: Routine, lead_in: float, switch: float, presses: list[tuple[str, float]]
) -> None:
    clock = FakeClock()
    session = Session(routine, clock, lead_in_seconds=lead_in, switch_seconds=switch)
    for operation, wait in presses:
        clock.advance(wait)
        session.update()
        if operation != "wait":
            getattr(session, operation)()
    session.update()
    if session.state.value == "paused":
        assert plan_cues(session, ALL_SOUNDS) == []
        session.resume()
    check_whole_session(session, clock)
