"""One reviewed safety text, and the rules that decide which of its lines a routine carries.

A routine's caution, as the person sees it, is its own `caution` followed by the lines below
that apply to it. Each rule reads only the routine itself (its breathing, its points, its
zones, where it comes from), so a routine written tomorrow gets the same care as the
built-ins. `routine_caution` is the text every screen shows and the caution dialog confirms
(by its hash, so a reviewed change to these lines is shown once more).

Sources: University of Minnesota "Taking Charge of Your Health" (reflexology: when not to);
greenreflexology.com (contraindications); toppodiatrist.com (diabetic neuropathy); for the
points avoided in pregnancy, calmfeet.core.points.PREGNANCY_SOURCE.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from pathlib import Path

from calmfeet.core.breathing import BreathingPattern, Phase
from calmfeet.core.model import BREATHING_ONLY_ID, Routine
from calmfeet.core.paths import builtin_routines_dir
from calmfeet.core.points import Point, get_point

CLOTS = (
    "Don't massage a calf or foot that is swollen, painful, warm or red: it may be a blood "
    "clot (DVT); see a doctor."
)
SKIN = "Leave out wounds, blisters and infections (athlete's foot, verrucas); with a fever, wait."
INJURY = (
    "Leave a foot alone after a fracture, a fresh sprain or surgery, or in a gout flare, "
    "until it has healed."
)
DIABETES = (
    "With diabetes or numb feet you may not feel too much pressure: press lightly and ask "
    "your clinician first."
)
PREGNANCY_GENTLE = (
    "If you are pregnant, press gently, above all around the ankles and heels, where some "
    "points are traditionally avoided."
)
DIZZINESS = "If the breathing makes you light-headed or dizzy, stop and breathe normally."

GENERAL_LINES = (CLOTS, SKIN, INJURY, DIABETES, PREGNANCY_GENTLE)
"""For every massage routine that shows a caution at all: built-ins always."""
GENERAL_SHORT = (
    "Not on a swollen, painful calf (it may be a clot), wounds, infections, fresh injuries or "
    "a gout flare; with diabetes or numb feet, or in pregnancy, press lightly."
)
"""GENERAL_LINES in one sentence, for the picker's preview; the dialog shows them in full."""

DIZZY_HOLD_SECONDS = 3.0
"""A hold this long or longer counts as a breath hold (box's 4 s, 4-7-8's 7 s); the brief
pause of a pattern like 4-2-6 does not."""


def pregnancy_points_line(points: tuple[Point, ...]) -> str:
    """`If you are pregnant, press gently and leave out SP6 and BL60: ...`."""
    ids = [point.id for point in points]
    named = ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"
    these = "a point" if len(ids) == 1 else "points"
    return (
        f"If you are pregnant, press gently and leave out {named}: {these} traditionally "
        "avoided in pregnancy (calmfeet can skip those steps for you)."
    )


def holds_or_forces_the_breath(pattern: BreathingPattern) -> bool:
    """A hold of DIZZY_HOLD_SECONDS or more, or a breath topped up on top of a breath in (the
    sigh's second inhale): the patterns that can make a person light-headed."""
    previous: Phase | None = None
    for spec in pattern.phases:
        if spec.phase is Phase.HOLD and spec.seconds >= DIZZY_HOLD_SECONDS:
            return True
        if spec.phase is Phase.INHALE and previous is Phase.INHALE:
            return True
        previous = spec.phase
    return False


def avoided_points(routine: Routine) -> tuple[Point, ...]:
    """The routine's points traditionally avoided in pregnancy, each once, in step order."""
    found: dict[str, Point] = {}
    for step in routine.steps:
        point = get_point(step.point)
        if point is not None and point.avoided_in_pregnancy:
            found.setdefault(point.id, point)
    return tuple(found.values())


def routine_points(routine: Routine) -> tuple[Point, ...]:
    """Every point the routine's steps name, each once, in step order."""
    found: dict[str, Point] = {}
    for step in routine.steps:
        point = get_point(step.point)
        if point is not None:
            found.setdefault(point.id, point)
    return tuple(found.values())


def _comes_from_a_builtin(routine: Routine) -> bool:
    """A built-in, or the person's version of one (it shadows the built-in's file)."""
    if routine.builtin:
        return True
    builtin_dir = builtin_routines_dir()
    return any(_same_folder(path.parent, builtin_dir) for path in routine.shadows)


def _same_folder(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except (OSError, RuntimeError):
        return False


def rule_lines(routine: Routine) -> tuple[str, ...]:
    """The lines this routine's content calls for, in the order they are shown."""
    lines: list[str] = []
    avoided = avoided_points(routine)
    if avoided:
        lines.append(pregnancy_points_line(avoided))
    if any(holds_or_forces_the_breath(step.breathing) for step in routine.steps):
        lines.append(DIZZINESS)
    return tuple(lines)


@functools.lru_cache(maxsize=512)
def routine_caution(routine: Routine) -> str:
    """What the person reads before starting: the routine's own caution, then every line of
    the safety text that applies to it, one a line, none twice.

    The general lines (clots, skin, injury and gout, numb feet, gentle in pregnancy) come with
    every massage routine that shows a caution: built-ins and their copies always, a person's
    own routine when it has a caution of its own or another line applies. A routine of one's
    own with none of these shows none, as before. `calmfeet breathe` is no massage: only its
    breath's line applies.
    """
    own = routine.caution.strip()
    specific = rule_lines(routine)
    massage = routine.id != BREATHING_ONLY_ID
    general = massage and bool(_comes_from_a_builtin(routine) or own or specific)
    lines = [own] if own else []
    named = bool(avoided_points(routine))  # the points line says "press gently" already
    common = [line for line in GENERAL_LINES if not (named and line == PREGNANCY_GENTLE)]
    for line in (*specific, *(common if general else ())):
        if line not in own:  # a copy that already carries the text gets it once
            lines.append(line)
    return "\n".join(lines)


def caution_preview(routine: Routine) -> str:
    """The caution for the picker's preview: the routine's own and its rule lines in full,
    the general lines in one short sentence (the dialog before starting shows them all)."""
    lines = routine_caution(routine).split("\n")
    kept = [line for line in lines if line not in GENERAL_LINES]
    if CLOTS not in lines:  # no general lines: nothing to shorten
        return "\n".join(lines)
    return "\n".join([*kept, GENERAL_SHORT])


def caution_for_copy(routine: Routine) -> str:
    """The `caution` to write in a copy of `routine` saved under another id, so the copy
    shows the safety text its original showed (composing it again adds nothing twice)."""
    return routine_caution(routine)


def without_avoided_points(routine: Routine) -> Routine:
    """The routine without its steps on points traditionally avoided in pregnancy, for a
    person who asked calmfeet to skip them. Its own id: the session is still this routine."""
    kept = tuple(
        step
        for step in routine.steps
        if not ((point := get_point(step.point)) is not None and point.avoided_in_pregnancy)
    )
    return replace(routine, steps=kept)
