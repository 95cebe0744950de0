"""A person's own version of a routine: steps reordered, retimed or removed, saved as a file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import tomli_w

from calmfeet.core.breathing import BUILTIN_PATTERNS, BreathingPattern, Phase
from calmfeet.core.files import FileTrouble, read_capped, write_atomically
from calmfeet.core.model import Routine, Step
from calmfeet.core.paths import Paths
from calmfeet.core.routines import MAX_FILE_BYTES, RoutineFileError, load_routine

MARKER = "# calmfeet: your own version of"
MIN_STEP_SECONDS = 5.0


class CustomiseError(Exception):
    """The change could not be saved; the message is meant for a person."""


class EditRefused(CustomiseError):
    """The edit itself makes no sense (not a failure to save): a warning, not an error."""


def pattern_value(pattern: BreathingPattern) -> str | dict[str, float]:
    """How a pattern is written back: its name if built-in, else an inline table."""
    if pattern.name in BUILTIN_PATTERNS and BUILTIN_PATTERNS[pattern.name]() == pattern:
        return pattern.name
    table = {"inhale": 0.0, "hold": 0.0, "exhale": 0.0, "hold_after": 0.0}
    seen_exhale = False
    for spec in pattern.phases:
        if spec.phase is Phase.INHALE:
            table["inhale"] += spec.seconds
        elif spec.phase is Phase.EXHALE:
            table["exhale"] += spec.seconds
            seen_exhale = True
        else:
            table["hold_after" if seen_exhale else "hold"] += spec.seconds
    return {k: _plain(v) for k, v in table.items() if v or k in ("inhale", "exhale")}


def _plain(value: float) -> float:
    return int(value) if float(value).is_integer() else value


def routine_document(routine: Routine, steps: Sequence[Step]) -> dict[str, object]:
    document: dict[str, object] = {"name": routine.name}
    if routine.summary:
        document["summary"] = routine.summary
    if routine.focus:
        document["focus"] = list(routine.focus)
    document["breathing"] = pattern_value(routine.breathing)
    if routine.caution:
        document["caution"] = routine.caution
    rows: list[dict[str, object]] = []
    for step in steps:
        row: dict[str, object] = {
            "title": step.title,
            "seconds": _plain(round(step.seconds, 1)),
            "foot": step.foot,
            "zone": step.zone,
        }
        if step.how:
            row["how"] = step.how
        if step.breathing != routine.breathing:
            row["breathing"] = pattern_value(step.breathing)
        rows.append(row)
    document["steps"] = rows
    return document


def is_own_copy(path: Path) -> bool:
    """True for a file calmfeet wrote when the person customised a routine."""
    try:
        return read_capped(path, MAX_FILE_BYTES).startswith(MARKER.encode("utf-8"))
    except FileTrouble:  # gone, too big, or not a file at all: not one calmfeet wrote
        return False


def can_customise(routine: Routine, paths: Paths) -> bool:
    """Built-ins and calmfeet's own copies can be customised; a person's own file is theirs."""
    return routine.builtin or is_own_copy(routine.source) or not _inside(routine.source, paths)


def _inside(path: Path, paths: Paths) -> bool:
    try:
        path.resolve().relative_to(paths.routines_dir.resolve())
    except ValueError:
        return False
    return True


def original_source(routine: Routine) -> Path | None:
    """The file an own copy shadows, if any."""
    return routine.shadows[-1] if routine.shadows else None


def save_own_copy(paths: Paths, routine: Routine, steps: Sequence[Step]) -> Routine:
    """Write the person's version to their routines folder, shadowing the original."""
    if not steps:
        raise CustomiseError("A routine needs at least one step; restore the original instead.")
    if not can_customise(routine, paths):
        raise CustomiseError(
            f"{routine.source.name} is your own file: edit it in a text editor instead."
        )
    origin = routine.source if not is_own_copy(routine.source) else original_source(routine)
    header = (
        f"{MARKER} {routine.name!r} (from {origin}).\n"
        "# Delete this file, or press o on it in calmfeet, to go back to the original.\n"
    )
    text = header + tomli_w.dumps(routine_document(routine, steps))
    target = paths.routines_dir / f"{routine.id}.toml"
    saved: Routine | None = None

    def check_what_was_written(temp: Path) -> None:
        nonlocal saved
        saved = load_routine(temp, str(target))

    try:
        paths.routines_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CustomiseError(f"Cannot save to {paths.routines_dir}: {error.strerror}") from None
    try:
        write_atomically(target, text.encode("utf-8"), check=check_what_was_written)
    except RoutineFileError as error:
        raise CustomiseError(f"Could not save your version: {error}") from None
    except OSError as error:
        raise CustomiseError(f"Cannot save to {target}: {error.strerror}") from None
    assert saved is not None  # the check ran before the file was put in place
    shadows = routine.shadows if is_own_copy(routine.source) else (*routine.shadows, routine.source)
    return replace(saved, id=routine.id, source=target, builtin=False, shadows=shadows)


def restore_original(routine: Routine) -> bool:
    """Remove the person's version so the original shows again; False if there is none."""
    if not is_own_copy(routine.source):
        return False
    try:
        routine.source.unlink()
    except FileNotFoundError:
        return True
    except OSError as error:
        raise CustomiseError(f"Cannot remove {routine.source}: {error.strerror}") from None
    return True


def move_step(steps: Sequence[Step], index: int, delta: int) -> list[Step]:
    result = list(steps)
    target = max(0, min(len(result) - 1, index + delta))
    if target != index:
        result.insert(target, result.pop(index))
    return result


def retime_step(steps: Sequence[Step], index: int, delta_seconds: float) -> list[Step]:
    result = list(steps)
    seconds = max(MIN_STEP_SECONDS, min(3600.0, result[index].seconds + delta_seconds))
    result[index] = replace(result[index], seconds=seconds)
    return result


def remove_step(steps: Sequence[Step], index: int) -> list[Step]:
    result = list(steps)
    del result[index]
    return result


@dataclass(frozen=True)
class MoveStep:
    """Shift the step at `index` by `delta` places (negative is earlier), stopping at the ends."""

    index: int
    delta: int


@dataclass(frozen=True)
class RetimeStep:
    """Make the step at `index` `seconds` longer (negative: shorter), within the limits."""

    index: int
    seconds: float


@dataclass(frozen=True)
class RemoveStep:
    """Drop the step at `index`; never the last one."""

    index: int


StepEdit = MoveStep | RetimeStep | RemoveStep
LAST_STEP_REFUSAL = "A routine needs at least one step."


def apply_edit(steps: Sequence[Step], edit: StepEdit) -> tuple[list[Step], int]:
    """The steps after one edit, and where the cursor goes so it stays on the step edited
    (or, after a removal, on the one that took its place).

    Raises EditRefused for removing the only step: a routine needs at least one.
    """
    last = len(steps) - 1
    if isinstance(edit, MoveStep):
        return move_step(steps, edit.index, edit.delta), max(0, min(last, edit.index + edit.delta))
    if isinstance(edit, RetimeStep):
        return retime_step(steps, edit.index, edit.seconds), edit.index
    if len(steps) <= 1:
        raise EditRefused(LAST_STEP_REFUSAL)
    return remove_step(steps, edit.index), min(edit.index, last - 1)
