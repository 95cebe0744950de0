"""The built-in routines load cleanly and are fit to follow with your hands on your feet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomli

from calmfeet.core.model import FOCUS_TAGS, ZONES, Routine
from calmfeet.core.paths import builtin_routines_dir
from calmfeet.core.points import get_point
from calmfeet.core.routines import load_routine
from calmfeet.core.safety import (
    DIZZINESS,
    GENERAL_LINES,
    PREGNANCY_GENTLE,
    avoided_points,
    holds_or_forces_the_breath,
    routine_caution,
    routine_points,
)

EXPECTED_IDS = [
    "ankle-mobility",
    "circulation-boost",
    "quick-reset",
    "reflexology-walk",
    "sleep-acupressure",
    "sleep-wind-down",
    "stress-release",
    "tired-feet-relief",
    "whole-foot-tour",
]


def builtin_files() -> list[Path]:
    return sorted(builtin_routines_dir().glob("*.toml"))


def load_all() -> list[Routine]:
    return [load_routine(path, builtin=True) for path in builtin_files()]


def test_the_nine_builtins_ship_in_file_name_order() -> None:
    assert [path.stem for path in builtin_files()] == EXPECTED_IDS


@pytest.mark.parametrize("path", builtin_files(), ids=lambda p: p.stem)
def test_each_builtin_loads_without_problems(path: Path) -> None:
    routine = load_routine(path, builtin=True)
    assert routine.id == path.stem
    assert routine.builtin
    assert routine.name and routine.summary


@pytest.mark.parametrize("path", builtin_files(), ids=lambda p: p.stem)
def test_each_builtin_is_short_enough_to_read_mid_massage(path: Path) -> None:
    routine = load_routine(path)
    assert len(routine.name) <= 60
    for step in routine.steps:
        assert len(step.title) <= 40, step.title
        assert 0 < len(step.how) <= 160, step.how


@pytest.mark.parametrize("path", builtin_files(), ids=lambda p: p.stem)
def test_each_builtin_has_4_to_12_steps_of_sensible_length(path: Path) -> None:
    routine = load_routine(path)
    assert 4 <= len(routine.steps) <= 12
    for step in routine.steps:
        assert 25 <= step.seconds <= 120, (step.title, step.seconds)


def test_quick_reset_takes_about_five_minutes() -> None:
    routine = load_routine(builtin_routines_dir() / "quick-reset.toml")
    assert 270 <= routine.total_seconds <= 330


def test_the_longer_routines_take_8_to_20_minutes() -> None:
    for routine in load_all():
        if routine.id != "quick-reset":
            assert 8 * 60 <= routine.total_seconds <= 20 * 60, routine.id


def test_a_mirrored_step_runs_again_on_the_other_foot_right_after() -> None:
    mirrored = 0
    for routine in load_all():
        for index, step in enumerate(routine.steps):
            if step.mirror_of is None:
                continue
            mirrored += 1
            first = routine.steps[index - 1]
            assert {first.foot, step.foot} == {"left", "right"}
            assert (first.title, first.zone, first.seconds) == (step.title, step.zone, step.seconds)
    assert mirrored >= 5


def test_every_focus_tag_and_zone_is_covered_by_some_builtin() -> None:
    routines = load_all()
    assert {tag for r in routines for tag in r.focus} == set(FOCUS_TAGS)
    assert {step.zone for r in routines for step in r.steps} == set(ZONES)


def test_the_builtins_show_every_way_to_give_a_step_its_length() -> None:
    """They double as examples for people writing their own routines."""
    keys = set()
    step_breathing = False
    for path in builtin_files():
        with path.open("rb") as handle:
            data = tomli.load(handle)
        for step in data["steps"]:
            keys |= {"seconds", "duration", "breaths"} & set(step)
            step_breathing = step_breathing or "breathing" in step
    assert keys == {"seconds", "duration", "breaths"}
    assert step_breathing


def test_sleep_wind_down_closes_with_relaxing_breaths() -> None:
    routine = load_routine(builtin_routines_dir() / "sleep-wind-down.toml")
    assert routine.steps[-1].breathing.name == "4-7-8"
    assert routine.breathing.name != "4-7-8"


def test_every_builtin_carries_the_general_safety_lines() -> None:
    """Blood clots, wounds, injury and gout, and numb feet: in every built-in's caution, from
    the one shared text, and each only once."""
    for routine in load_all():
        caution = routine_caution(routine)
        for line in GENERAL_LINES:
            if line != PREGNANCY_GENTLE:  # said with the points when the routine names some
                assert caution.count(line) == 1, (routine.id, line)
        assert "DVT" in caution and "gout" in caution and "numb feet" in caution


def test_the_safety_rules_hold_for_every_builtin() -> None:
    """A pattern that holds the breath 3 s or more (or tops it up, as the sigh does) brings
    the dizziness line; a point avoided in pregnancy names itself (and then says "press
    gently" for pregnancy in the same line). Every line that is there, a rule put there."""
    dizzy = set()
    for routine in load_all():
        caution = routine_caution(routine)
        holds = any(holds_or_forces_the_breath(step.breathing) for step in routine.steps)
        assert (DIZZINESS in caution) == holds, routine.id
        if holds:
            dizzy.add(routine.id)
        avoided = avoided_points(routine)
        for point in avoided:
            assert point.id in caution and "pregnan" in caution, (routine.id, point.id)
        assert (PREGNANCY_GENTLE in caution) == (not avoided), routine.id
    assert dizzy == {"quick-reset", "sleep-wind-down"}  # the sigh, and 4-7-8 to close


def test_the_builtins_own_cautions_repeat_nothing_the_shared_text_says() -> None:
    for routine in load_all():
        for word in ("DVT", "diabetes", "pregnant", "wound"):
            assert word not in routine.caution, (routine.id, word)


FEET_DOWN = re.compile(
    r"\b(floor|ground|stand|standing|feet flat|flat on|feet down|put your feet up|"
    r"rest your feet on|tap them back|heels down|over a (tennis )?ball|over a bottle)\b",
    re.IGNORECASE,
)
"""Words that say (or imply) the feet are on the floor. Every built-in is done sitting with
the feet up, unless its summary says it needs them down."""


def test_no_builtin_step_needs_the_feet_on_the_floor_unless_its_summary_says_so() -> None:
    for routine in load_all():
        if re.search(r"feet on the floor", routine.summary, re.IGNORECASE):
            continue
        for step in routine.steps:
            for text in (step.title, step.how, step.halfway):
                assert not FEET_DOWN.search(text), (routine.id, step.title, text)


def test_a_prop_a_step_mentions_is_named_in_needs() -> None:
    """Tired Feet Relief's tennis ball is named before its first step starts, not during it."""
    props = ("tennis ball", "bottle", "oil", "lotion", "cream")  # "a towel" is a simile here
    for routine in load_all():
        for step in routine.steps:
            for prop in props:
                if re.search(rf"\b{prop}\b", step.how):
                    assert prop in routine.needs, (routine.id, step.title, prop)
    tired = next(r for r in load_all() if r.id == "tired-feet-relief")
    assert tired.needs == ("tennis ball",)


def test_a_step_that_changes_direction_says_so_halfway() -> None:
    for routine in load_all():
        for step in routine.steps:
            assert "halfway" not in step.how.lower(), (routine.id, step.title)
            if "circle" in step.title.lower() and step.zone == "ankle":
                assert step.halfway == "Change direction", (routine.id, step.title)


def test_a_hand_guided_step_is_guided_by_the_hand() -> None:
    for routine in load_all():
        for step in routine.steps:
            if "hand-guided" in step.title.lower():
                assert "with your hand" in step.how, step.how
                assert "let the foot" not in step.how.lower(), step.how


def test_toe_circles_leave_time_for_slow_circles() -> None:
    """Five toes, so many circles each way, in the step's time: at least 5 s a circle."""
    words = {"once": 1, "twice": 2, "three times": 3}
    stress = next(r for r in load_all() if r.id == "stress-release")
    step = next(s for s in stress.steps if s.title == "Toe circles")
    each_way = next(n for word, n in words.items() if f"{word} each way" in step.how)
    assert step.seconds / (5 * 2 * each_way) >= 5


def test_the_new_routines_use_points_and_every_point_is_in_the_catalogue() -> None:
    routines = {r.id: r for r in load_all()}
    for routine_id in ("reflexology-walk", "sleep-acupressure"):
        assert routine_points(routines[routine_id]), routine_id
    assert [p.id for p in routine_points(routines["sleep-acupressure"])] == [
        "KI3",
        "SP6",
        "LR3",
        "KI1",
    ]
    for routine in routines.values():
        for step in routine.steps:
            if step.point:
                point = get_point(step.point)
                assert point is not None and step.zone in (point.zone, "whole"), step.title


def test_no_builtin_text_says_inhale_hold_or_exhale() -> None:
    """On the session screen the pacer's phase word must be the only one of the three."""
    phase_words = re.compile(r"\b(inhale|hold|exhale)s?\b", re.IGNORECASE)
    for routine in load_all():
        for text in (routine.name, routine.summary, routine_caution(routine)):
            assert not phase_words.search(text), (routine.id, text)
        for step in routine.steps:
            point = get_point(step.point)
            extra = (point.where, point.how) if point is not None else ()
            for text in (step.title, step.how, step.halfway, *extra):
                assert not phase_words.search(text), (routine.id, text)
