"""What the session screen shows and when it next changes, read from a session without Textual."""

from __future__ import annotations

from pathlib import Path

import pytest

from calmfeet.core.breathing import BUILTIN_PATTERNS, Phase
from calmfeet.core.clock import FakeClock
from calmfeet.core.model import Routine, Step
from calmfeet.core.session import SLEEP_REASON, Session, breathing_only_routine
from calmfeet.core.session_view import (
    PAUSED_NOTICE,
    DisplayOptions,
    SessionView,
    session_view,
    where_words,
)

PLAIN = DisplayOptions()
STILL = DisplayOptions(reduced_motion=True)


def make_routine(pattern_name: str = "calm") -> Routine:
    """Three steps, 3:15 in all, on different feet and zones."""
    pattern = BUILTIN_PATTERNS[pattern_name]()
    steps = (
        Step("Warm the soles", 60, "both", "whole", "Rub both soles with your palms.", pattern),
        Step("Thumb-walk the arch", 90, "left", "arch", "Walk both thumbs along it.", pattern),
        Step("Heel circles", 45, "right", "heel", "Circle the heel.", pattern),
    )
    return Routine(
        id="test-routine",
        name="Test routine",
        summary="A short routine for tests.",
        focus=("stress",),
        breathing=pattern,
        caution="",
        steps=steps,
        source=Path("test-routine.toml"),
    )


def started(pattern_name: str = "calm") -> tuple[Session, FakeClock]:
    clock = FakeClock()
    return Session(make_routine(pattern_name), clock), clock


def at(session: Session, clock: FakeClock, seconds: float, options: DisplayOptions) -> SessionView:
    """Move time on, let the session catch up as the screen's tick does, and read the view."""
    clock.advance(seconds)
    session.update()
    return session_view(session, options)


def next_change(view: SessionView) -> float:
    assert view.seconds_to_next_change is not None
    return view.seconds_to_next_change


# ---- texts --------------------------------------------------------------------------------


def test_the_first_step_at_a_glance() -> None:
    session, _ = started()
    view = session_view(session, PLAIN)
    assert view.texts.step_of == "Step 1 of 3"
    assert view.texts.title == "Warm the soles"
    assert view.texts.where == "Both feet · whole sole"
    assert view.texts.how == "Rub both soles with your palms."
    assert view.texts.next == "Next: Thumb-walk the arch"
    assert view.texts.routine_left == "3:15 left"
    assert view.texts.clock == "1:00"
    assert (view.texts.cue, view.texts.notice) == ("", "")
    assert (view.paused, view.ending, view.finished) == (False, False, False)
    assert (view.progress_done, view.progress_count, view.progress_fraction) == (0, 3, 0.0)
    assert (view.foot, view.zone) == ("both", "whole")
    assert view.breath.phase is Phase.INHALE


def test_clocks_count_down_in_whole_seconds_rounded_up() -> None:
    session, clock = started()
    view = at(session, clock, 12.3, PLAIN)
    assert view.texts.clock == "0:48"
    assert view.texts.routine_left == "3:03 left"
    assert (view.step_seconds_left, view.routine_seconds_left) == (48, 183)
    assert view.progress_fraction == pytest.approx(12.3 / 60)


def test_the_last_step_says_so() -> None:
    session, clock = started()
    view = at(session, clock, 150.5, PLAIN)
    assert view.texts.step_of == "Step 3 of 3"
    assert view.texts.next == "Last step"
    assert view.texts.where == "Right foot · heel"
    assert view.progress_done == 2


def test_the_last_seconds_of_a_step_count_down_to_what_comes() -> None:
    session, clock = started()
    assert session_view(session, PLAIN).ending is False
    view = at(session, clock, 57.5, PLAIN)
    assert view.ending is True
    assert view.texts.cue == "Next in 3…"
    view = at(session, clock, 91.0 + 0.5, PLAIN)  # 1.0 s before the end of step 2
    assert view.texts.cue == "Next in 1…"
    view = at(session, clock, 1.0 + 42.5, PLAIN)
    assert view.texts.cue == "Done in 3…"


def test_ascii_marks() -> None:
    session, clock = started()
    options = DisplayOptions(ascii=True)
    assert session_view(session, options).texts.where == "Both feet - whole sole"
    assert at(session, clock, 58.5, options).texts.cue == "Next in 2..."


def test_where_words_read_naturally() -> None:
    step = make_routine().steps[1]
    assert where_words(step) == "Left foot · arch"
    assert where_words(step, ascii=True) == "Left foot - arch"


def test_breathing_only_says_breathing_instead_of_a_step_count() -> None:
    clock = FakeClock()
    session = Session(breathing_only_routine(BUILTIN_PATTERNS["box"](), 5), clock)
    view = session_view(session, DisplayOptions(breathing_only=True))
    assert view.texts.step_of == "Breathing"
    assert view.texts.clock == "5:00"
    assert view.texts.next == "Last step"


def test_paused_says_so_and_schedules_nothing() -> None:
    session, clock = started()
    clock.advance(10)
    session.pause()
    view = session_view(session, PLAIN)
    assert view.paused is True
    assert view.texts.cue == "Paused"
    assert view.texts.notice == PAUSED_NOTICE
    assert view.seconds_to_next_change is None
    clock.advance(30)
    assert session_view(session, PLAIN).texts.clock == "0:50"


def test_a_pause_in_the_last_seconds_is_not_an_ending() -> None:
    session, clock = started()
    clock.advance(58.5)
    session.pause()
    view = session_view(session, PLAIN)
    assert (view.ending, view.texts.cue) == (False, "Paused")


def test_a_sleeping_computer_is_the_reason_shown() -> None:
    session, clock = started()
    clock.advance(5)
    session.update()
    clock.jump_wall(3600)
    view = at(session, clock, 0.0, PLAIN)
    assert view.paused is True
    assert view.texts.notice == SLEEP_REASON


def test_finished_fills_the_progress_and_schedules_nothing() -> None:
    session, clock = started()
    view = at(session, clock, 195.5, PLAIN)
    assert view.finished is True
    assert view.texts.clock == "0:00"
    assert (view.progress_done, view.progress_count) == (3, 3)
    assert view.seconds_to_next_change is None


# ---- when the next change is due ------------------------------------------------------------


def test_a_moving_pacer_changes_twelve_and_a_half_times_a_second() -> None:
    session, _ = started()  # inhale 4 s: 50 frames
    assert next_change(session_view(session, PLAIN)) == pytest.approx(4 / 50)


def test_with_reduced_motion_the_next_change_is_the_next_whole_second() -> None:
    session, clock = started()
    view = at(session, clock, 0.25, STILL)
    assert next_change(view) == pytest.approx(0.75)
    assert at(session, clock, 0.74, STILL).texts.clock == "1:00"
    assert at(session, clock, 0.02, STILL).texts.clock == "0:59"


def test_the_next_change_at_a_phase_boundary_between_whole_seconds() -> None:
    session, clock = started("resonance")  # inhale 5.5 s, exhale 5.5 s
    view = at(session, clock, 5.2, STILL)
    assert view.breath.phase is Phase.INHALE
    assert next_change(view) == pytest.approx(0.3)
    assert at(session, clock, 0.31, STILL).breath.phase is Phase.EXHALE


def test_the_next_change_at_a_step_end_between_whole_seconds() -> None:
    session, clock = started("resonance")
    view = at(session, clock, 59.7, STILL)
    assert view.texts.title == "Warm the soles"
    assert next_change(view) == pytest.approx(0.3)
    assert at(session, clock, 0.31, STILL).texts.title == "Thumb-walk the arch"


def test_the_next_change_never_lies_beyond_a_second() -> None:
    session, clock = started("sigh")
    for _ in range(400):
        view = at(session, clock, 0.173, STILL)
        if view.finished:
            break
        assert 0 < next_change(view) <= 1.0


def test_the_view_carries_the_steps_breathing_for_the_pacer() -> None:
    session, _ = started("box")
    assert session_view(session, PLAIN).breathing == BUILTIN_PATTERNS["box"]()


def test_between_whole_seconds_no_text_changes() -> None:
    """The screen redraws its labels only when this says they changed: once a second."""
    session, clock = started()
    first = at(session, clock, 10.01, PLAIN).texts
    for _ in range(19):
        assert at(session, clock, 0.05, PLAIN).texts == first
    later = at(session, clock, 0.05, PLAIN).texts
    assert (later.clock, later.routine_left) == ("0:49", "3:04 left")
    assert later.title == first.title


def test_frames_only_lasts_until_the_next_whole_second_or_phase() -> None:
    """Between those moments only the pacer's shape may change, so the screen can draw it
    alone; any later and a clock or the phase word would be shown late."""
    session, clock = started()
    view = at(session, clock, 10.25, PLAIN)
    assert view.seconds_of_frames_only == pytest.approx(0.75)
    assert next_change(view) < 0.1  # the pacer's next frame comes first
    session.pause()
    assert session_view(session, PLAIN).seconds_of_frames_only is None
