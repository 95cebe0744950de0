"""The session engine: step timing, pausing, skipping, breathing and sleep, on a fake clock."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmfeet.core.breathing import BreathingPattern, Phase, parse_pattern
from calmfeet.core.clock import FakeClock
from calmfeet.core.model import Routine, Step
from calmfeet.core.session import (
    SLEEP_REASON,
    STOPPED_REASON,
    RoutineFinished,
    Session,
    SessionEvent,
    SessionPaused,
    SessionResumed,
    SessionState,
    StepFinished,
    StepStarted,
    breathing_only_routine,
)

CALM = parse_pattern("calm")  # 4 in, 6 out: a 10 s cycle
BOX = parse_pattern("box")  # 4 · 4 · 4 · 4: a 16 s cycle


def make_step(seconds: float, breathing: BreathingPattern = CALM, title: str = "") -> Step:
    return Step(
        title=title or f"Step of {seconds:g}s",
        seconds=seconds,
        foot="left",
        zone="arch",
        how="Press slowly.",
        breathing=breathing,
    )


def make_routine(*steps: Step) -> Routine:
    return Routine(
        id="test",
        name="Test",
        summary="",
        focus=(),
        breathing=CALM,
        caution="",
        steps=tuple(steps),
        source=Path("x.toml"),
    )


def start(
    seconds: Sequence[float], patterns: Sequence[BreathingPattern] = ()
) -> tuple[Session, FakeClock]:
    clock = FakeClock()
    breathing = list(patterns) or [CALM] * len(seconds)
    routine = make_routine(*(make_step(s, b) for s, b in zip(seconds, breathing, strict=True)))
    session = Session(routine, clock)
    session.update()  # drain the opening StepStarted
    return session, clock


def kinds(events: Sequence[SessionEvent]) -> list[str]:
    return [type(event).__name__ for event in events]


# ---- starting and counting down -----------------------------------------------------------------


def test_starts_running_on_the_first_step() -> None:
    clock = FakeClock()
    routine = make_routine(make_step(60), make_step(30))
    session = Session(routine, clock)

    assert session.update() == [StepStarted(0, routine.steps[0])]
    assert session.state is SessionState.RUNNING
    assert session.index == 0
    assert session.step is routine.steps[0]
    assert session.next_step_preview is routine.steps[1]
    assert session.step_count == 2
    assert session.step_remaining == 60
    assert session.routine_remaining == 90


def test_remaining_time_follows_the_clock_between_updates() -> None:
    session, clock = start([60, 30])
    clock.advance(12.5)

    assert session.step_elapsed == pytest.approx(12.5)
    assert session.step_remaining == pytest.approx(47.5)
    assert session.seconds_until_step_end == pytest.approx(47.5)
    assert session.routine_remaining == pytest.approx(77.5)
    assert session.routine_elapsed == pytest.approx(12.5)


def test_an_empty_routine_is_refused() -> None:
    with pytest.raises(ValueError, match="no steps"):
        Session(make_routine(), FakeClock())


# ---- auto-advance ------------------------------------------------------------------------------


def test_step_moves_on_by_itself_at_zero() -> None:
    session, clock = start([60, 30])
    clock.advance(60)

    events = session.update()

    step0, step1 = session.routine.steps
    assert events == [StepFinished(0, step0, completed=True), StepStarted(1, step1)]
    assert session.index == 1
    assert session.step_remaining == 30
    assert session.steps_done == 1
    assert session.next_step_preview is None


def test_overshoot_carries_into_the_next_step() -> None:
    session, clock = start([60, 30])
    clock.advance(64)
    session.update()

    assert session.index == 1
    assert session.step_remaining == pytest.approx(26)
    assert session.practised_seconds == pytest.approx(64)


def test_a_reading_past_the_end_waits_for_update_and_never_goes_negative() -> None:
    session, clock = start([60, 30])
    clock.advance(90)

    assert session.index == 0
    assert session.step_remaining == 0
    assert session.step_elapsed == 60


def test_one_update_can_pass_several_step_ends() -> None:
    session, clock = start([10, 20, 30])
    clock.advance(35)

    events = session.update()

    assert kinds(events) == [
        "StepFinished",
        "StepStarted",
        "StepFinished",
        "StepStarted",
    ]
    assert [e.index for e in events if isinstance(e, StepStarted)] == [1, 2]
    assert all(e.completed for e in events if isinstance(e, StepFinished))
    assert session.index == 2
    assert session.step_remaining == pytest.approx(25)
    assert session.steps_done == 2


def test_a_long_jump_finishes_exactly_once_at_the_scheduled_total() -> None:
    session, clock = start([10, 20, 30])
    clock.advance(1000)

    events = session.update()

    assert events[-1] == RoutineFinished(seconds_practised=60, steps_done=3)
    assert kinds(events).count("RoutineFinished") == 1
    assert session.is_finished
    assert session.state is SessionState.FINISHED
    assert session.practised_seconds == 60
    assert session.routine_remaining == 0
    assert session.step_remaining == 0
    assert session.state is not SessionState.RUNNING


def test_nothing_more_happens_after_the_routine_finishes() -> None:
    session, clock = start([10])
    clock.advance(10)
    assert kinds(session.update()) == ["StepFinished", "RoutineFinished"]

    for operation in (
        session.pause,
        session.resume,
        session.toggle_pause,
        session.next_step,
        session.previous_step,
        session.restart_step,
        session.add_time,
    ):
        operation()
        clock.advance(5)
        assert session.update() == []
    clock.jump_wall(3600)
    assert session.update() == []
    assert session.practised_seconds == 10
    assert session.is_finished


# ---- pause and resume --------------------------------------------------------------------------


def test_pause_freezes_the_step_and_the_breath() -> None:
    session, clock = start([60, 30])
    clock.advance(5)
    session.pause()
    remaining = session.step_remaining
    breath = session.breath_state()

    clock.advance(300)

    assert session.update() == [SessionPaused(reason=None)]
    assert session.state is SessionState.PAUSED
    assert session.paused_reason is None
    assert session.index == 0
    assert session.step_remaining == remaining == pytest.approx(55)
    assert session.breath_state() == breath
    assert session.breath_elapsed == pytest.approx(5)
    assert session.state is not SessionState.RUNNING

    session.resume()
    clock.advance(2)
    assert session.update() == [SessionResumed()]
    assert session.step_remaining == pytest.approx(53)
    assert session.breath_elapsed == pytest.approx(7)
    assert session.practised_seconds == pytest.approx(7)


def test_pausing_or_resuming_twice_is_harmless() -> None:
    session, clock = start([60])
    session.pause()
    session.pause()
    assert session.update() == [SessionPaused(reason=None)]
    session.resume()
    session.resume()
    assert session.update() == [SessionResumed()]


def test_toggle_pause_flips_between_running_and_paused() -> None:
    session, clock = start([60])
    session.toggle_pause()
    assert session.state is SessionState.PAUSED
    session.toggle_pause()
    assert session.state is SessionState.RUNNING
    assert kinds(session.update()) == ["SessionPaused", "SessionResumed"]


def test_a_step_end_that_came_before_a_pause_is_honoured_first() -> None:
    session, clock = start([10, 30])
    clock.advance(12)
    session.pause()

    assert kinds(session.update()) == ["StepFinished", "StepStarted", "SessionPaused"]
    assert session.index == 1
    assert session.step_remaining == pytest.approx(28)


# ---- moving between steps ----------------------------------------------------------------------


def test_next_step_skips_without_counting_the_step_as_done() -> None:
    session, clock = start([60, 30])
    clock.advance(20)
    session.next_step()

    step0, step1 = session.routine.steps
    assert session.update() == [StepFinished(0, step0, completed=False), StepStarted(1, step1)]
    assert session.index == 1
    assert session.step_remaining == 30
    assert session.steps_done == 0
    assert session.practised_seconds == pytest.approx(20)


def test_next_step_on_the_last_step_finishes_the_routine() -> None:
    session, clock = start([10, 30])
    clock.advance(10)
    session.update()
    clock.advance(5)
    session.next_step()

    events = session.update()
    assert kinds(events) == ["StepFinished", "RoutineFinished"]
    finish = events[-1]
    assert isinstance(finish, RoutineFinished)
    assert finish.seconds_practised == pytest.approx(15)
    assert finish.steps_done == 1
    assert session.is_finished


def test_previous_step_goes_back_to_a_fresh_step() -> None:
    session, clock = start([60, 30])
    clock.advance(70)
    session.update()
    session.previous_step()

    events = session.update()
    step0, step1 = session.routine.steps
    assert events == [StepFinished(1, step1, completed=False), StepStarted(0, step0)]
    assert session.index == 0
    assert session.step_remaining == 60
    assert session.practised_seconds == pytest.approx(70)


def test_previous_step_at_the_start_restarts_the_first_step() -> None:
    session, clock = start([60, 30])
    clock.advance(25)
    session.previous_step()

    step0 = session.routine.steps[0]
    assert session.update() == [StepFinished(0, step0, completed=False), StepStarted(0, step0)]
    assert session.index == 0
    assert session.step_remaining == 60
    assert session.breath_elapsed == 0


def test_restart_step_starts_the_step_and_the_breath_again() -> None:
    session, clock = start([60, 30])
    clock.advance(27)
    session.add_time(30)
    session.restart_step()

    assert kinds(session.update()) == ["StepFinished", "StepStarted"]
    assert session.index == 0
    assert session.step_duration == 60  # added time belonged to the abandoned attempt
    assert session.step_remaining == 60
    assert session.breath_state().phase is Phase.INHALE
    assert session.breath_state().progress == 0
    assert session.practised_seconds == pytest.approx(27)


def test_moving_steps_while_paused_stays_paused() -> None:
    session, clock = start([60, 30])
    clock.advance(5)
    session.pause()
    session.next_step()
    clock.advance(100)

    assert session.state is SessionState.PAUSED
    assert session.index == 1
    assert session.step_remaining == 30


# ---- adding time -------------------------------------------------------------------------------


def test_add_time_lengthens_only_the_current_step() -> None:
    session, clock = start([60, 30])
    clock.advance(50)
    session.add_time(30.0)

    assert session.step_duration == 90
    assert session.step_remaining == pytest.approx(40)
    assert session.routine_remaining == pytest.approx(70)

    clock.advance(39)
    session.update()
    assert session.index == 0
    clock.advance(1)
    session.update()
    assert session.index == 1
    assert session.step_duration == 30
    assert session.practised_seconds == pytest.approx(90)


def test_add_time_defaults_to_thirty_seconds_and_refuses_nonsense() -> None:
    session, clock = start([60])
    session.add_time()
    assert session.step_remaining == 90
    with pytest.raises(ValueError):
        session.add_time(-5)
    with pytest.raises(ValueError):
        session.add_time(float("nan"))


# ---- breathing ---------------------------------------------------------------------------------


def test_breath_runs_on_across_steps_that_share_a_pattern() -> None:
    session, clock = start([12, 12], [CALM, parse_pattern("calm")])
    clock.advance(13)
    session.update()

    assert session.index == 1
    assert session.breath_elapsed == pytest.approx(13)
    assert session.breath_state() == CALM.state_at(13)


def test_breath_starts_with_an_inhale_when_the_pattern_changes() -> None:
    session, clock = start([12, 32], [CALM, BOX])
    clock.advance(13)
    session.update()

    assert session.index == 1
    assert session.breath_elapsed == pytest.approx(1)  # the overshoot, exactly
    state = session.breath_state()
    assert state.phase is Phase.INHALE
    assert state.cycle == 0
    assert state == BOX.state_at(1)


def test_breath_follows_the_pattern_on_skip_too() -> None:
    session, clock = start([60, 60, 60], [CALM, CALM, BOX])
    clock.advance(7)
    session.next_step()
    clock.advance(1)
    assert session.breath_elapsed == pytest.approx(8)
    session.next_step()
    assert session.breath_elapsed == 0


# ---- a sleeping computer -----------------------------------------------------------------------


def test_sleep_pauses_the_session_and_does_not_count_the_sleep() -> None:
    session, clock = start([60, 30])
    clock.advance(10)
    session.update()

    clock.jump_wall(3600)  # asleep for an hour: the monotonic clock stood still
    clock.advance(0.5)  # then a moment awake before the next update
    assert session.step_elapsed == pytest.approx(10)  # a reading already ignores it

    events = session.update()

    assert events == [SessionPaused(reason=SLEEP_REASON)]
    assert session.state is SessionState.PAUSED
    assert session.paused_reason == SLEEP_REASON
    assert session.step_remaining == pytest.approx(50)
    assert session.practised_seconds == pytest.approx(10)
    assert session.breath_elapsed == pytest.approx(10)

    session.resume()
    assert session.update() == [SessionResumed()]
    assert session.paused_reason is None


def test_a_stopped_process_comes_back_paused_without_the_stopped_time() -> None:
    """ctrl+z, then `fg` ten minutes later: both clocks ran on, but none of it was practice."""
    session, clock = start([60, 30])
    clock.advance(10)
    session.update()

    clock.advance(600)  # stopped: monotonic and wall clocks both move on
    session.stopped()

    assert session.update() == [SessionPaused(reason=STOPPED_REASON)]
    assert session.state is SessionState.PAUSED
    assert session.index == 0
    assert session.step_remaining == pytest.approx(50)
    assert session.practised_seconds == pytest.approx(10)
    clock.advance(5)
    assert session.practised_seconds == pytest.approx(10), "still paused, nothing counts"
    session.resume()
    clock.advance(5)
    assert session.practised_seconds == pytest.approx(15)


def test_stopping_when_paused_or_finished_changes_nothing() -> None:
    session, clock = start([60])
    session.pause()
    session.update()
    clock.advance(600)
    session.stopped()
    assert session.update() == []
    assert session.paused_reason is None


def test_small_wall_clock_wobbles_are_not_sleep() -> None:
    session, clock = start([60])
    clock.advance(1)
    clock.jump_wall(4.0)
    assert session.update() == []
    assert session.state is SessionState.RUNNING


def test_a_clock_set_backwards_also_pauses() -> None:
    session, clock = start([60])
    clock.advance(1)
    clock.jump_wall(-600)
    assert session.update() == [SessionPaused(reason=SLEEP_REASON)]


def test_a_keypress_on_waking_does_not_resume_behind_the_persons_back() -> None:
    session, clock = start([60])
    clock.advance(10)
    session.update()
    clock.jump_wall(900)
    session.toggle_pause()  # they saw a running timer before the lid closed

    assert session.state is SessionState.PAUSED
    assert session.update() == [SessionPaused(reason=SLEEP_REASON)]
    assert session.step_elapsed == pytest.approx(10)


def test_sleep_while_paused_changes_nothing() -> None:
    session, clock = start([60])
    session.pause()
    session.update()
    clock.jump_wall(3600)
    assert session.update() == []
    assert session.paused_reason is None


# ---- a whole routine ---------------------------------------------------------------------------


def test_a_thirty_minute_routine_finishes_at_exactly_thirty_minutes() -> None:
    patterns = [parse_pattern(name) for name in ("calm", "box", "4-7-8", "sigh", "resonance")]
    clock = FakeClock()
    routine = make_routine(*(make_step(60, patterns[i % len(patterns)]) for i in range(30)))
    session = Session(routine, clock)
    start_time = clock.monotonic()
    rng = random.Random(20240611)
    events: list[SessionEvent] = []
    finished_at = None

    while finished_at is None:
        clock.advance(rng.uniform(0.001, 0.3) if rng.random() < 0.95 else rng.uniform(1, 90))
        new = session.update()
        events += new
        on_clock = clock.monotonic() - start_time
        if on_clock < 1800:  # the session sits exactly where the clock says, step and second
            assert session.index == int(on_clock // 60)
            assert session.routine_elapsed == pytest.approx(on_clock, abs=1e-6)
            assert session.routine_remaining == pytest.approx(1800 - on_clock, abs=1e-6)
        if any(isinstance(e, RoutineFinished) for e in new):
            finished_at = clock.monotonic()

    assert routine.total_seconds == 1800
    assert session.practised_seconds == pytest.approx(1800, abs=1e-6)
    assert session.routine_elapsed == pytest.approx(1800, abs=1e-6)
    assert session.steps_done == 30
    assert kinds(events).count("StepStarted") == 30
    assert kinds(events).count("RoutineFinished") == 1
    finish = events[-1]
    assert isinstance(finish, RoutineFinished)
    assert finish.seconds_practised == pytest.approx(1800, abs=1e-6)
    assert finished_at - start_time >= 1800


def test_breathing_only_routine_is_one_whole_foot_step() -> None:
    box = parse_pattern("box")
    routine = breathing_only_routine(box, 5)

    assert len(routine.steps) == 1
    step = routine.steps[0]
    assert (step.title, step.foot, step.zone, step.seconds) == ("Breathe", "both", "whole", 300)
    assert step.breathing == box
    assert routine.breathing == box

    clock = FakeClock()
    session = Session(routine, clock)
    clock.advance(300)
    assert kinds(session.update()) == ["StepStarted", "StepFinished", "RoutineFinished"]
    with pytest.raises(ValueError):
        breathing_only_routine(box, 0)


# ---- random operation sequences ----------------------------------------------------------------

OPERATIONS = st.one_of(
    st.tuples(st.just("advance"), st.floats(min_value=0, max_value=40)),
    st.tuples(st.just("sleep"), st.floats(min_value=-3600, max_value=3600)),
    st.tuples(
        st.sampled_from(
            [
                "update",
                "pause",
                "resume",
                "toggle_pause",
                "next_step",
                "previous_step",
                "restart_step",
                "add_time",
            ]
        ),
        st.just(0.0),
    ),
)


@settings(
    max_examples=500,  # x about 20 operations each: some 10,000 operations in all
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    durations=st.lists(st.sampled_from([5.0, 10.0, 30.0, 60.0]), min_size=1, max_size=6),
    operations=st.lists(OPERATIONS, min_size=10, max_size=30),
)
def test_random_operation_sequences_keep_the_timer_sane(
    durations: list[float], operations: list[tuple[str, float]]
) -> None:
    patterns = [CALM, BOX]
    clock = FakeClock()
    routine = make_routine(*(make_step(s, patterns[i % 2]) for i, s in enumerate(durations)))
    session = Session(routine, clock)
    events: list[SessionEvent] = []
    last_elapsed = session.routine_elapsed

    def check() -> None:
        nonlocal last_elapsed
        assert 0 <= session.step_remaining <= session.step_duration + 1e-9
        assert session.routine_elapsed >= last_elapsed - 1e-9
        last_elapsed = session.routine_elapsed
        assert session.breath_elapsed >= 0
        assert 0 <= session.steps_done <= session.step_count

    for name, amount in operations:
        if name == "advance":
            clock.advance(amount)
        elif name == "sleep":
            clock.jump_wall(amount)
        elif name == "update":
            events += session.update()
        else:
            getattr(session, name)()
        check()

    # Run on to the end: the routine must finish, exactly once.
    session.resume()
    clock.advance(sum(durations) + 30 * len(operations) + 1)  # every step and addition
    events += session.update()
    check()
    assert session.is_finished
    assert kinds(events).count("RoutineFinished") == 1
    assert events[-1] == RoutineFinished(session.practised_seconds, session.steps_done)
    starts = kinds(events).count("StepStarted")
    assert kinds(events).count("StepFinished") == starts
    clock.advance(100)
    assert session.update() == []
