"""The built-in routines load cleanly and are fit to follow with your hands on your feet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomli

from calmfeet.core.model import FOCUS_TAGS, ZONES, Routine
from calmfeet.core.paths import builtin_routines_dir
from calmfeet.core.routines import load_routine

EXPECTED_IDS = [
    "ankle-mobility",
    "circulation-boost",
    "quick-reset",
    "sleep-wind-down",
    "stress-release",
    "tired-feet-relief",
    "whole-foot-tour",
]


def builtin_files() -> list[Path]:
    return sorted(builtin_routines_dir().glob("*.toml"))


def load_all() -> list[Routine]:
    return [load_routine(path, builtin=True) for path in builtin_files()]


def test_the_seven_builtins_ship_in_file_name_order() -> None:
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


def test_safety_notes_cover_clots_pregnancy_and_numb_feet() -> None:
    routines = {r.id: r for r in load_all()}
    assert "DVT" in routines["circulation-boost"].caution
    assert "pregnant" in routines["ankle-mobility"].caution
    assert "pregnant" in routines["sleep-wind-down"].caution
    for routine in routines.values():
        if routine.id not in ("ankle-mobility", "sleep-wind-down"):
            assert "diabetes" in routine.caution, routine.id


def test_no_builtin_text_says_inhale_hold_or_exhale() -> None:
    """On the session screen the pacer's phase word must be the only one of the three."""
    phase_words = re.compile(r"\b(inhale|hold|exhale)s?\b", re.IGNORECASE)
    for routine in load_all():
        for text in (routine.name, routine.summary, routine.caution):
            assert not phase_words.search(text), (routine.id, text)
        for step in routine.steps:
            for text in (step.title, step.how):
                assert not phase_words.search(text), (routine.id, text)
