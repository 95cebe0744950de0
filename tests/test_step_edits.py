"""Editing a routine's steps: each edit keeps the cursor on what the person just changed."""

from __future__ import annotations

import pytest

from calmfeet.core.customise import (
    LAST_STEP_REFUSAL,
    MIN_STEP_SECONDS,
    EditRefused,
    MoveStep,
    RemoveStep,
    RetimeStep,
    apply_edit,
)
from calmfeet.core.model import Step
from calmfeet.core.paths import builtin_routines_dir
from calmfeet.core.routines import load_routine


def builtin_steps() -> list[Step]:
    path = builtin_routines_dir() / "quick-reset.toml"
    return list(load_routine(path, path.name, builtin=True).steps)


def titles(steps: list[Step]) -> list[str]:
    return [s.title for s in steps]


def test_moving_a_step_down_takes_the_cursor_with_it() -> None:
    steps = builtin_steps()
    moved, cursor = apply_edit(steps, MoveStep(0, 1))
    assert titles(moved) == [steps[1].title, steps[0].title, *titles(steps[2:])]
    assert moved[cursor] == steps[0]


def test_moving_past_either_end_changes_nothing() -> None:
    steps = builtin_steps()
    assert apply_edit(steps, MoveStep(0, -1)) == (steps, 0)
    last = len(steps) - 1
    assert apply_edit(steps, MoveStep(last, 1)) == (steps, last)


def test_retiming_keeps_the_cursor_and_never_goes_below_the_minimum() -> None:
    steps = builtin_steps()
    longer, cursor = apply_edit(steps, RetimeStep(2, 15))
    assert cursor == 2
    assert longer[2].seconds == steps[2].seconds + 15
    assert longer[:2] + longer[3:] == steps[:2] + steps[3:]
    shorter, _ = apply_edit(steps, RetimeStep(2, -10_000))
    assert shorter[2].seconds == MIN_STEP_SECONDS


def test_removing_a_step_leaves_the_cursor_on_the_one_that_took_its_place() -> None:
    steps = builtin_steps()
    fewer, cursor = apply_edit(steps, RemoveStep(1))
    assert titles(fewer) == titles(steps[:1] + steps[2:])
    assert fewer[cursor] == steps[2]
    last = len(steps) - 1
    fewer, cursor = apply_edit(steps, RemoveStep(last))
    assert fewer[cursor] == steps[last - 1], "removing the last one moves the cursor up"


def test_the_only_step_cannot_be_removed() -> None:
    only = builtin_steps()[:1]
    with pytest.raises(EditRefused) as refusal:
        apply_edit(only, RemoveStep(0))
    assert str(refusal.value) == LAST_STEP_REFUSAL == "A routine needs at least one step."


def test_edits_never_change_the_steps_given() -> None:
    steps = builtin_steps()
    before = list(steps)
    for edit in (MoveStep(0, 2), RetimeStep(0, 15), RemoveStep(0)):
        apply_edit(steps, edit)
    assert steps == before
