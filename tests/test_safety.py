"""The shared safety text, the rules that give each routine its lines, and steps on points
avoided in pregnancy left out of a session."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from calmfeet.core.breathing import parse_pattern
from calmfeet.core.clock import FakeClock
from calmfeet.core.customise import save_own_copy
from calmfeet.core.library import load_library
from calmfeet.core.model import Routine, Step, Zone
from calmfeet.core.paths import Paths
from calmfeet.core.routines import parse_routine
from calmfeet.core.safety import (
    CLOTS,
    DIZZINESS,
    GENERAL_LINES,
    GENERAL_SHORT,
    PREGNANCY_GENTLE,
    avoided_points,
    caution_for_copy,
    caution_preview,
    holds_or_forces_the_breath,
    routine_caution,
    without_avoided_points,
)
from calmfeet.core.session import (
    RoutineFinished,
    Session,
    StepStarted,
    breathing_only_routine,
)


def make_routine(
    *steps: tuple[str, Zone, str], caution: str = "", breathing: str = "calm", builtin: bool = False
) -> Routine:
    """Steps as (title, zone, point); each 30 s on the left foot."""
    pattern = parse_pattern(breathing)
    return Routine(
        id="mine",
        name="Mine",
        summary="",
        focus=(),
        breathing=pattern,
        caution=caution,
        steps=tuple(
            Step(title, 30.0, "left", zone, "", pattern, point=point)
            for title, zone, point in steps
        ),
        source=Path("mine.toml"),
        builtin=builtin,
    )


# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "dizzy"),
    [
        ("box", True),
        ("4-7-8", True),
        ("sigh", True),
        ("4-3-6", True),
        ("4-6-4-3", True),
        ("4-2-6", False),  # a brief pause, not a breath hold
        ("resonance", False),
        ("calm", False),
    ],
)
def test_a_hold_of_3_s_or_more_or_a_forced_breath_counts(pattern: str, dizzy: bool) -> None:
    assert holds_or_forces_the_breath(parse_pattern(pattern)) is dizzy


@pytest.mark.parametrize("pattern", ["box", "4-7-8", "sigh"])
def test_any_routine_with_a_hold_pattern_carries_the_dizziness_line(pattern: str) -> None:
    routine = make_routine(("Rub", "arch", ""), breathing=pattern)
    assert DIZZINESS in routine_caution(routine)
    calm = make_routine(("Rub", "arch", ""))
    one_step = replace(
        calm, steps=(*calm.steps, replace(calm.steps[0], breathing=parse_pattern(pattern)))
    )
    assert DIZZINESS in routine_caution(one_step), "a step's own pattern counts too"


def test_calmfeet_breathe_with_a_hold_gets_only_the_dizziness_line() -> None:
    assert routine_caution(breathing_only_routine(parse_pattern("box"), 5)) == DIZZINESS
    assert routine_caution(breathing_only_routine(parse_pattern("resonance"), 5)) == ""


def test_a_routine_on_a_point_avoided_in_pregnancy_names_it() -> None:
    routine = make_routine(
        ("Press", "ankle", "SP6"), ("Press", "ankle", "BL60"), ("Press", "ball", "KI1")
    )
    caution = routine_caution(routine)
    assert caution.split("\n")[0] == (
        "If you are pregnant, press gently and leave out SP6 and BL60: points traditionally "
        "avoided in pregnancy (calmfeet can skip those steps for you)."
    )
    assert PREGNANCY_GENTLE not in caution, "the named points say it already"
    assert CLOTS in caution
    assert [p.id for p in avoided_points(routine)] == ["SP6", "BL60"]


def test_ankle_or_heel_work_of_one_s_own_shows_no_caution_by_itself() -> None:
    """Built-ins say "press gently in pregnancy" with the general lines; a routine of one's
    own is not stopped by a dialog just for working on a heel."""
    assert routine_caution(make_routine(("Rub", "heel", ""))) == ""
    assert PREGNANCY_GENTLE in routine_caution(make_routine(("Rub", "heel", ""), builtin=True))


def test_a_routine_of_one_s_own_with_nothing_to_say_shows_no_caution() -> None:
    """As in 0.1: no caution, no dialog. With a caution of its own, or a rule's line, the
    general lines come too."""
    assert routine_caution(make_routine(("Rub", "arch", ""))) == ""
    own = routine_caution(make_routine(("Rub", "arch", ""), caution="Go gently."))
    assert own.split("\n") == ["Go gently.", *GENERAL_LINES]
    built_in = routine_caution(make_routine(("Rub", "arch", ""), builtin=True))
    assert built_in.split("\n") == list(GENERAL_LINES)


def test_each_line_once_even_when_the_routine_already_says_it() -> None:
    routine = make_routine(
        ("Rub", "heel", ""), caution=f"Go gently.\n{GENERAL_LINES[0]}", breathing="box"
    )
    caution = routine_caution(routine)
    for line in (*GENERAL_LINES, DIZZINESS, PREGNANCY_GENTLE):
        assert caution.count(line) == 1, line
    copied = replace(routine, caution=caution_for_copy(routine), id="copy")
    assert routine_caution(copied) == caution, "a copy shows what its original showed"


def test_the_preview_shortens_only_the_general_lines() -> None:
    routine = make_routine(("Rub", "heel", ""), caution="Go gently.", breathing="box")
    preview = caution_preview(routine).split("\n")
    assert preview == ["Go gently.", DIZZINESS, GENERAL_SHORT]
    points = make_routine(("Press", "ankle", "SP6"), builtin=True)
    assert caution_preview(points).split("\n")[1:] == [GENERAL_SHORT]
    assert caution_preview(make_routine(("Rub", "arch", ""))) == ""


def test_the_person_s_own_version_of_a_built_in_keeps_its_caution(paths: Paths) -> None:
    """Saved by editing its steps: it shadows the built-in, so it keeps the general lines and
    the same caution, which the person has confirmed already."""
    library = load_library(paths, env={})
    original = library.get("stress-release")
    assert original is not None
    mine = save_own_copy(paths, original, list(original.steps[1:]))
    assert routine_caution(mine) == routine_caution(original)
    assert all(line in routine_caution(mine) for line in GENERAL_LINES)


# --- pregnancy: the steps left out -----------------------------------------------------------


SLEEP = """\
name = "Sleep"
breathing = "calm"
[[steps]]
title = "Inner ankle"
seconds = 30
foot = "left"
point = "KI3"
mirror = true
[[steps]]
title = "Inner leg"
seconds = 30
foot = "left"
point = "SP6"
mirror = true
[[steps]]
title = "Sole"
seconds = 30
point = "KI1"
"""


def sleep_routine() -> Routine:
    return parse_routine(SLEEP, "sleep", "sleep.toml", Path("sleep.toml"))


def test_without_avoided_points_leaves_out_both_halves_of_a_mirrored_step() -> None:
    routine = sleep_routine()
    kept = without_avoided_points(routine)
    assert [(s.title, s.foot) for s in kept.steps] == [
        ("Inner ankle", "left"),
        ("Inner ankle", "right"),
        ("Sole", "both"),
    ]
    assert kept.id == routine.id and kept.total_seconds == 90


def test_a_session_for_a_person_who_skips_them_never_starts_such_a_step() -> None:
    """Run on a fake clock from start to end: every step that starts is one on a point not
    avoided in pregnancy, and the session takes 90 s, not 150."""
    clock = FakeClock()
    session = Session(without_avoided_points(sleep_routine()), clock)
    started: list[str] = []
    finished = None
    for _ in range(40):
        for event in session.update():
            if isinstance(event, StepStarted):
                started.append(event.step.point)
            elif isinstance(event, RoutineFinished):
                finished = event
        clock.advance(5)
    assert started == ["KI3", "KI3", "KI1"]
    assert finished is not None and finished.seconds_practised == pytest.approx(90)
    assert session.completed


def test_a_session_that_keeps_them_starts_every_step() -> None:
    clock = FakeClock()
    session = Session(sleep_routine(), clock)
    started: list[str] = []
    for _ in range(40):
        started += [e.step.point for e in session.update() if isinstance(e, StepStarted)]
        clock.advance(5)
    assert started == ["KI3", "KI3", "SP6", "SP6", "KI1"]
