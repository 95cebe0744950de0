"""A flow that leaves room for hands, and honest counts: interludes, the halfway cue, what
counts as complete, what is kept and what keeps a streak, all on a fake clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from calmfeet.core.breathing import Phase, parse_pattern
from calmfeet.core.clock import FakeClock
from calmfeet.core.history import SessionRecord
from calmfeet.core.model import Foot, Routine, Step
from calmfeet.core.practice import practice_record
from calmfeet.core.preferences import PreferencesStore
from calmfeet.core.routines import RoutineFileError, parse_routine
from calmfeet.core.session import (
    HalfwayReached,
    InterludeFinished,
    InterludeKind,
    Session,
    SessionState,
    StepFinished,
    StepStarted,
)
from calmfeet.core.session_view import DisplayOptions, session_view
from calmfeet.core.stats import compute_stats, current_streak

CALM = parse_pattern("calm")


def step(title: str, seconds: float, foot: Foot = "left", halfway: str = "") -> Step:
    return Step(title, seconds, foot, "arch", "Press slowly.", CALM, halfway=halfway)


def routine(*steps: Step, needs: tuple[str, ...] = ()) -> Routine:
    return Routine(
        id="flow",
        name="Flow",
        summary="",
        focus=(),
        breathing=CALM,
        caution="",
        steps=steps,
        source=Path("flow.toml"),
        needs=needs,
    )


MIRRORED = routine(step("Toes", 30, "left"), step("Toes", 30, "right"), step("Rest", 20, "both"))


def texts(session: Session) -> tuple[str, str, str]:
    view = session_view(session, DisplayOptions()).texts
    return view.headline, view.clock, view.how


# ---- the get-ready lead-in -------------------------------------------------------------------


def test_the_lead_in_counts_3_2_1_and_step_one_starts_at_exactly_five_seconds() -> None:
    clock = FakeClock()
    session = Session(routine(step("A", 60, halfway="")), clock, lead_in_seconds=5)
    assert texts(session)[:2] == ("Get ready 5", "0:05")
    clock.advance(2.5)
    session.update()
    assert texts(session)[:2] == ("Get ready 3", "0:03")
    assert session.practised_seconds == 0
    assert session.step_remaining == 60
    clock.advance(2.4999)
    session.update()
    assert texts(session)[0] == "Get ready 1"
    clock.advance(0.0001)
    session.update()
    assert session.interlude is None
    assert texts(session)[:2] == ("", "1:00")
    clock.advance(10)
    assert session.practised_seconds == pytest.approx(10)


def test_the_lead_in_names_the_props_the_routine_needs() -> None:
    session = Session(
        routine(step("A", 60), needs=("tennis ball", "towel")), FakeClock(), lead_in_seconds=5
    )
    assert texts(session)[2] == "You will need: tennis ball, towel"


def test_the_next_change_includes_the_lead_in_s_whole_seconds_and_end() -> None:
    clock = FakeClock()
    session = Session(routine(step("A", 60)), clock, lead_in_seconds=5)
    clock.advance(4.5)
    view = session_view(session, DisplayOptions(reduced_motion=True))
    assert view.seconds_to_next_change == pytest.approx(0.5)
    assert not view.ending


def test_space_skips_the_lead_in_and_pauses_once_the_step_runs() -> None:
    clock = FakeClock()
    session = Session(routine(step("A", 60)), clock, lead_in_seconds=5)
    clock.advance(1)
    session.toggle_pause_or_skip()
    assert session.interlude is None
    assert session.state is SessionState.RUNNING
    clock.advance(3)
    assert session.practised_seconds == pytest.approx(3)
    session.toggle_pause_or_skip()
    assert session.state is SessionState.PAUSED


def test_a_lead_in_of_zero_is_off() -> None:
    clock = FakeClock()
    session = Session(routine(step("A", 60)), clock, lead_in_seconds=0)
    assert session.interlude is None
    clock.advance(1)
    assert session.practised_seconds == pytest.approx(1)


def test_pausing_the_lead_in_freezes_it() -> None:
    clock = FakeClock()
    session = Session(routine(step("A", 60)), clock, lead_in_seconds=5)
    clock.advance(1)
    session.pause()
    clock.advance(100)
    interlude = session.interlude
    assert interlude is not None and interlude.seconds_left == pytest.approx(4)
    session.toggle_pause_or_skip()  # paused: space goes on, it does not skip
    assert session.state is SessionState.RUNNING
    assert session.interlude is not None


def test_the_lead_in_preference_is_saved(tmp_path: Path) -> None:
    from calmfeet.core.paths import Paths

    paths = Paths(config_dir=tmp_path / "c", data_dir=tmp_path / "d")
    store = PreferencesStore(paths)
    assert store.load().lead_in_seconds == 5.0
    store.set_lead_in_seconds(10)
    store.set_switch_seconds(0)
    again = PreferencesStore(paths).load()
    assert (again.lead_in_seconds, again.switch_seconds) == (10.0, 0.0)


# ---- the switch-feet pause -------------------------------------------------------------------


def test_switching_feet_between_mirrored_halves_pauses_and_is_not_practice() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock, switch_seconds=3)
    clock.advance(30)
    events = session.update()
    assert [type(e) for e in events] == [StepStarted, StepFinished, StepStarted]
    assert session.index == 1
    interlude = session.interlude
    assert interlude is not None and interlude.kind is InterludeKind.SWITCH
    assert texts(session)[:2] == ("Switch to the right foot 3", "0:03")
    clock.advance(2)
    assert texts(session)[0] == "Switch to the right foot 1"
    assert session.practised_seconds == pytest.approx(30)
    clock.advance(1)
    session.update()
    assert session.interlude is None
    assert session.step_remaining == pytest.approx(30)
    # right to both feet: no switch
    clock.advance(30)
    session.update()
    assert session.index == 2 and session.interlude is None
    clock.advance(20)
    session.update()
    assert session.is_finished
    assert session.practised_seconds == pytest.approx(80)
    assert session.completed


def test_next_into_the_other_foot_pauses_too_but_back_does_not() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock, switch_seconds=3)
    session.next_step()
    assert session.interlude is not None
    session.previous_step()
    assert session.index == 0 and session.interlude is None


def test_a_switch_pause_of_zero_is_off() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock, switch_seconds=0)
    clock.advance(30)
    session.update()
    assert session.index == 1 and session.interlude is None


# ---- the halfway cue --------------------------------------------------------------------------


def test_the_halfway_cue_comes_once_at_half_time_and_shows_for_a_few_seconds() -> None:
    clock = FakeClock()
    session = Session(routine(step("Circles", 60, halfway="Change direction")), clock)
    clock.advance(29.9)
    assert not any(isinstance(e, HalfwayReached) for e in session.update())
    assert texts(session)[0] == ""
    view = session_view(session, DisplayOptions(reduced_motion=True))
    assert view.seconds_to_next_change is not None and view.seconds_to_next_change <= 0.1 + 1e-9
    clock.advance(0.1)
    assert [e for e in session.update() if isinstance(e, HalfwayReached)] == [
        HalfwayReached(0, session.step)
    ]
    assert texts(session)[0] == "Change direction"
    session.pause()
    session.resume()
    clock.advance(4.9)
    assert not any(isinstance(e, HalfwayReached) for e in session.update())
    assert texts(session)[0] == "Change direction"
    clock.advance(0.1)
    assert texts(session)[0] == ""


def test_a_restart_is_a_new_visit_the_cue_comes_again_only_at_half_time() -> None:
    clock = FakeClock()
    session = Session(routine(step("Circles", 60, halfway="Change direction")), clock)
    clock.advance(40)
    assert sum(isinstance(e, HalfwayReached) for e in session.update()) == 1
    session.restart_step()
    assert not any(isinstance(e, HalfwayReached) for e in session.update())
    clock.advance(29)
    assert not any(isinstance(e, HalfwayReached) for e in session.update())
    clock.advance(1)
    assert sum(isinstance(e, HalfwayReached) for e in session.update()) == 1


def test_a_step_without_a_halfway_cue_rings_nothing() -> None:
    clock = FakeClock()
    session = Session(routine(step("A", 60)), clock)
    clock.advance(40)
    assert not any(isinstance(e, HalfwayReached) for e in session.update())


# ---- "Next:" names the foot -------------------------------------------------------------------


def test_next_names_the_foot_on_the_mirror_half_and_a_new_step_on_the_other_foot() -> None:
    session = Session(MIRRORED, FakeClock())
    assert session_view(session, DisplayOptions()).texts.next == "Next: right foot"
    other = routine(step("Toes", 30, "left"), step("Heel", 30, "right"))
    assert session_view(Session(other, FakeClock()), DisplayOptions()).texts.next == (
        "Next: Heel · right foot"
    )
    same = routine(step("Toes", 30, "left"), step("Heel", 30, "left"))
    assert session_view(Session(same, FakeClock()), DisplayOptions()).texts.next == "Next: Heel"


# ---- honest counts ----------------------------------------------------------------------------


def test_skipping_through_every_step_is_not_complete() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock)
    for _ in range(3):
        clock.advance(5)
        session.next_step()
    assert session.is_finished
    assert not session.completed
    record = practice_record(session)
    assert record is not None and record.completed is False


def test_complete_means_at_least_80_percent_of_the_time() -> None:
    clock = FakeClock()
    session = Session(routine(step("A", 50), step("B", 50)), clock)
    clock.advance(50)
    clock.advance(30)  # 80 of 100 s
    session.next_step()
    assert session.is_finished and session.completed
    clock = FakeClock()
    session = Session(routine(step("A", 50), step("B", 50)), clock)
    clock.advance(79)
    session.next_step()
    assert session.is_finished and not session.completed


def test_a_false_start_under_ten_seconds_is_not_recorded() -> None:
    clock = FakeClock()
    session = Session(routine(step("A", 60)), clock, lead_in_seconds=5)
    clock.advance(5 + 9.9)  # the lead-in is not practice
    assert practice_record(session) is None
    clock.advance(0.1)
    assert practice_record(session) is not None


def _record(day: date, seconds: float) -> SessionRecord:
    return SessionRecord(
        routine="r",
        name="R",
        started=datetime(day.year, day.month, day.day, 20, tzinfo=timezone.utc),
        seconds=seconds,
        steps_done=1,
        completed=False,
        utc_offset_minutes=0,
    )


def test_a_streak_day_needs_a_minute_practised_in_all() -> None:
    today = date(2024, 3, 20)
    yesterday = today - timedelta(days=1)
    short = [_record(today, 60), _record(yesterday, 59)]
    assert current_streak(short, today) == 1  # yesterday's 59 s breaks it
    assert compute_stats(short, today).current_streak == 1
    enough = [_record(today, 30), _record(today, 30), _record(yesterday, 60)]
    assert current_streak(enough, today) == 2
    assert compute_stats(enough, today).longest_streak == 2


# ---- routine files ----------------------------------------------------------------------------

ROUTINE = """\
name = "Ball"
needs = ["tennis ball"]
[[steps]]
title = "Roll"
seconds = 60
foot = "left"
zone = "arch"
halfway = "Change direction"
mirror = true
"""


def test_needs_and_halfway_are_read_and_kept_on_both_halves() -> None:
    parsed = parse_routine(ROUTINE, "ball", "ball.toml", Path("ball.toml"))
    assert parsed.needs == ("tennis ball",)
    assert [s.halfway for s in parsed.steps] == ["Change direction", "Change direction"]


def test_bad_needs_and_halfway_are_problems_with_their_lines() -> None:
    text = ROUTINE.replace('["tennis ball"]', '["tennis ball", 3]').replace(
        '"Change direction"', "true"
    )
    with pytest.raises(RoutineFileError) as raised:
        parse_routine(text, "ball", "ball.toml", Path("ball.toml"))
    lines = [str(p) for p in raised.value.problems]
    assert lines == [
        "ball.toml:2: needs[2]: must be text, got a number (3)",
        "ball.toml:8: steps[1].halfway: must be text, got a boolean (true)",
    ]


def test_the_sigh_s_second_inhale_has_its_own_word_and_rises_to_full() -> None:
    sigh = parse_pattern("sigh")
    first = sigh.state_at(0.5)
    second = sigh.state_at(2.5)
    assert first.phase is Phase.INHALE and second.phase is Phase.INHALE
    assert second.said == "Inhale more"
    assert first.said == "Inhale"
    assert sigh.state_at(2.0).level == pytest.approx(0.75)
    assert sigh.state_at(2.999).level == pytest.approx(1.0, abs=0.01)


def test_a_5_5_second_phase_never_flashes_6() -> None:
    resonance = parse_pattern("resonance")
    counts = [resonance.state_at(t / 10).count for t in range(0, 55)]
    assert max(counts) == 5
    assert counts[0] == 5 and resonance.state_at(1.4).count == 5
    assert resonance.state_at(1.6).count == 4
    assert resonance.state_at(5.49).count == 1
    assert parse_pattern("calm").state_at(0).count == 4  # whole lengths count as before


def test_patterns_are_named_with_units() -> None:
    assert parse_pattern("resonance").label == "resonance · in 5.5 s, out 5.5 s"
    assert parse_pattern("4-7-8").label == "in 4 s, hold 7 s, out 8 s"
    assert parse_pattern("sigh").label == "sigh · in 2 s + 1 s, out 6 s"


def test_an_interlude_s_end_is_an_event_the_screen_rings_on() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock, lead_in_seconds=5, switch_seconds=3)
    session.update()
    clock.advance(5)
    assert session.update() == [InterludeFinished(0, InterludeKind.LEAD_IN)]
    clock.advance(30 + 3)
    assert session.update()[-1] == InterludeFinished(1, InterludeKind.SWITCH)


def test_ctrl_z_during_the_lead_in_pauses_it_with_the_time_kept() -> None:
    clock = FakeClock()
    session = Session(routine(step("A", 60)), clock, lead_in_seconds=5)
    clock.advance(2)
    session.update()
    clock.advance(600)  # stopped; the process clock ran on
    session.stopped()
    assert session.state is SessionState.PAUSED
    interlude = session.interlude
    assert interlude is not None and interlude.seconds_left == pytest.approx(3)
    assert session.practised_seconds == 0


def test_a_sleep_during_the_switch_pause_is_cut_and_not_practice() -> None:
    clock = FakeClock()
    session = Session(MIRRORED, clock, switch_seconds=3)
    clock.advance(31)
    session.update()
    clock.jump_wall(3600)  # the laptop slept
    session.update()
    assert session.state is SessionState.PAUSED
    interlude = session.interlude
    assert interlude is not None and interlude.seconds_left == pytest.approx(2)
    assert session.practised_seconds == pytest.approx(30)


def test_the_palette_cycles_the_lead_in_through_0_3_5_10() -> None:
    from calmfeet.ui.app import LEAD_IN_CHOICES, next_choice

    seen = [5.0]
    for _ in range(4):
        seen.append(next_choice(seen[-1], LEAD_IN_CHOICES))
    assert seen == [5.0, 10.0, 0.0, 3.0, 5.0]
    assert next_choice(7.0, LEAD_IN_CHOICES) == 10.0  # a value set by hand
