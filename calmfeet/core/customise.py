"""A person's own version of a routine: steps reordered, retimed or removed, saved as a file."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from calmfeet.core.breathing import BUILTIN_PATTERNS, BreathingPattern, Phase
from calmfeet.core.files import FileTrouble, read_capped, write_atomically
from calmfeet.core.library import shadowed_routine
from calmfeet.core.model import BREATHING_ONLY_ID, Routine, Step
from calmfeet.core.paths import Paths
from calmfeet.core.routines import MAX_FILE_BYTES, RoutineFileError, load_routine
from calmfeet.core.safe_text import displayable
from calmfeet.core.schema import SCHEMA_DIRECTIVE, write_schema_beside

MARKER = "# calmfeet: your own version of"
ROUTINE_MARKER = "# calmfeet: your own routine"
"""The first line of a routine the person made in calmfeet's editor: written by calmfeet, so
calmfeet may save it again, but a version of nothing, so there is no original to go back to."""
MARKERS = (MARKER, ROUTINE_MARKER)
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
    if routine.needs:
        document["needs"] = list(routine.needs)
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
        if step.halfway:
            row["halfway"] = step.halfway
        if step.point:
            row["point"] = step.point
        if step.breathing != routine.breathing:
            row["breathing"] = pattern_value(step.breathing)
        rows.append(row)
    document["steps"] = rows
    return document


def _first_marker(path: Path) -> str | None:
    """Which of calmfeet's markers the file starts with (read through a link), if any: on its
    first line, or on its second after the `#:schema` line editors read."""
    try:
        data = read_capped(path, MAX_FILE_BYTES)
    except FileTrouble:  # gone, too big, or not a file at all: not one calmfeet wrote
        return None
    directive = SCHEMA_DIRECTIVE.encode("utf-8") + b"\n"
    if data.startswith(directive):
        data = data[len(directive) :]
    return next((m for m in MARKERS if data.startswith(m.encode("utf-8"))), None)


def is_own_copy(path: Path) -> bool:
    """True for a file that starts with one of calmfeet's markers (read through a link): a
    version of a routine, or a routine made in the editor."""
    return _first_marker(path) is not None


def is_made_in_editor(path: Path) -> bool:
    """True for a routine the person made in calmfeet's editor (not a version of another)."""
    return _first_marker(path) == ROUTINE_MARKER


def _in_routines_folder(path: Path, paths: Paths) -> bool:
    """Whether the entry itself sits in the person's routines folder; where a link there points
    does not matter, since the link is what calmfeet would replace or remove."""
    try:
        return path.parent.resolve() == paths.routines_dir.resolve()
    except (OSError, RuntimeError):  # a folder that loops: not one calmfeet can vouch for
        return False


def is_calmfeet_copy(path: Path, paths: Paths) -> bool:
    """A version calmfeet saved itself: the marker, in the person's routines folder. The only
    kind of file calmfeet ever overwrites or removes; a marker copied elsewhere is not enough."""
    return _in_routines_folder(path, paths) and is_own_copy(path)


def is_calmfeet_version(path: Path, paths: Paths) -> bool:
    """A version of another routine that calmfeet saved in the routines folder: one that
    ctrl+o can take away to bring the original back (not a routine made in the editor)."""
    return _in_routines_folder(path, paths) and _first_marker(path) == MARKER


def own_copy_path(paths: Paths, routine_id: str) -> Path:
    """Where the person's version of `routine_id` is saved: the id is the file's stem."""
    return paths.routines_dir / f"{routine_id}.toml"


def hand_written_file(paths: Paths, routine_id: str) -> Path | None:
    """The person's own file where a version of `routine_id` would go, which calmfeet must
    never overwrite; None when the place is free or holds a version calmfeet saved."""
    target = own_copy_path(paths, routine_id)
    if (target.exists() or target.is_symlink()) and not is_own_copy(target):
        return target
    return None


class IdInUse(CustomiseError):
    """The version cannot take the routine's id: it would overwrite the person's own file, or
    a shared file would hide it again at the next start. It needs an id of its own."""

    def __init__(self, path: Path, why: str | None = None) -> None:
        super().__init__(
            why or f"{path.name} in your routines folder is your own file, so it stays."
        )
        self.path = path


def _outranks_your_folder(routine: Routine, paths: Paths) -> bool:
    """A routine from --routines or CALMFEET_ROUTINES: those folders are read after yours, so
    a version of it saved in yours under the same id would be hidden at the next start."""
    return not routine.builtin and not _in_routines_folder(routine.source, paths)


FORBIDDEN_ID_CHARACTERS = frozenset('/\\:*?"<>|')
"""Characters no file name may hold on one system or another; an id is a file's stem."""
MAX_ID_BYTES = 255 - len(".toml")


def id_problem(paths: Paths, routine_id: str, loaded_ids: Collection[str]) -> str | None:
    """Why `routine_id` cannot name a new version, in one sentence; None when it can.

    The id becomes `ID.toml` in the routines folder, so it must make a file name that
    `load_library` reads back (no dotfile, no folder separators) and must not take the place
    of any file already there, of a routine already loaded, or of `calmfeet breathe`.
    """
    if not routine_id.strip():
        return "Type an id for your version."
    if routine_id != routine_id.strip():
        return "An id cannot start or end with a space."
    if routine_id.startswith("."):
        return f"{routine_id}.toml would be a hidden file; an id cannot start with a dot."
    if any(c in FORBIDDEN_ID_CHARACTERS or not c.isprintable() for c in routine_id):
        return 'An id cannot hold / \\ : * ? " < > | or control characters.'
    if len(routine_id.encode("utf-8")) > MAX_ID_BYTES:
        return f"An id can be at most {MAX_ID_BYTES} bytes long."
    if routine_id == BREATHING_ONLY_ID:
        return f"{BREATHING_ONLY_ID} is kept for `calmfeet breathe`; choose another id."
    target = own_copy_path(paths, routine_id)
    if target.exists() or target.is_symlink():
        return f"{target.name} is already in your routines folder; choose another id."
    if routine_id in loaded_ids:
        return f"{routine_id} is already a routine's id; choose another."
    return None


def suggest_id(paths: Paths, routine_id: str, loaded_ids: Collection[str]) -> str:
    """The first free `ID-2`, `ID-3`... for a version that cannot take `routine_id`."""
    number = 2
    while id_problem(paths, f"{routine_id}-{number}", loaded_ids) is not None:
        number += 1
    return f"{routine_id}-{number}"


def original_source(routine: Routine) -> Path | None:
    """The file an own copy shadows, if any."""
    return routine.shadows[-1] if routine.shadows else None


def check_version_place(paths: Paths, routine: Routine) -> None:
    """IdInUse unless a version of `routine` can be saved under its own id: the place in the
    routines folder is free or holds a version calmfeet saved, and no folder read after the
    person's would hide it."""
    if (taken := hand_written_file(paths, routine.id)) is not None:
        raise IdInUse(taken)
    if _outranks_your_folder(routine, paths):
        raise IdInUse(
            routine.source,
            f"{routine.name} comes from {routine.source.parent}, which calmfeet reads after "
            "your routines folder, so a version under the same id would be hidden next time.",
        )


def version_header(paths: Paths, routine: Routine, name: str) -> str:
    """The comment a saved version of `routine` starts with: the `#:schema` line, the marker.

    A routine made in the editor keeps its own first line when saved again: it is still
    nobody's version."""
    if is_calmfeet_copy(routine.source, paths):
        if is_made_in_editor(routine.source):
            return routine_header(name)
        origin = original_source(routine)
    else:
        origin = routine.source
    where = f" (from {displayable(str(origin), one_line=True)})" if origin is not None else ""
    return (
        f"{SCHEMA_DIRECTIVE}\n"
        f"{MARKER} {name!r}{where}.\n"
        "# Delete this file, or press o on it in calmfeet, to go back to the original.\n"
    )


def routine_header(name: str) -> str:
    """The comment a routine made in the editor starts with: the `#:schema` line, the marker."""
    return (
        f"{SCHEMA_DIRECTIVE}\n"
        f"{ROUTINE_MARKER} {name!r}.\n"
        "# Made in calmfeet's routine editor (ctrl+r on it there edits it again). You can edit\n"
        "# it by hand as well: `calmfeet validate` on this file checks it.\n"
    )


def write_routine_file(paths: Paths, target: Path, text: str, *, new: bool = False) -> Routine:
    """Put `text` at `target` in the routines folder atomically, once it loads as a routine;
    the routine as loaded (id and source still to be set by the caller). `new`: the target
    must not exist, even if a file appears there while this writes (CustomiseError then).

    A target that is a link (say into a dotfiles folder) is written through the link: the new
    text replaces the file it points to, atomically in that file's folder, and the link stays.
    Replacing the link with a copy would quietly cut the person's file loose from calmfeet.
    """
    saved: Routine | None = None

    def check_what_was_written(temp: Path) -> None:
        nonlocal saved
        saved = load_routine(temp, str(target))

    try:
        paths.routines_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CustomiseError(f"Cannot save to {paths.routines_dir}: {error.strerror}") from None
    try:
        destination = target.resolve() if target.is_symlink() else target
        write_atomically(
            destination, text.encode("utf-8"), check=check_what_was_written, overwrite=not new
        )
    except FileExistsError:
        raise CustomiseError(
            f"{target.name} is already in your routines folder; choose another id."
        ) from None
    except RoutineFileError as error:
        raise CustomiseError(f"Could not save your version: {error}") from None
    except (OSError, RuntimeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "the link goes round in a loop"
        raise CustomiseError(f"Cannot save to {target}: {reason}") from None
    assert saved is not None  # the check ran before the file was put in place
    write_schema_beside(paths.routines_dir)  # what the #:schema line points at
    return saved


def version_shadows(paths: Paths, routine: Routine) -> tuple[Path, ...]:
    """What a version of `routine` saved under its id shadows: the files below it."""
    if is_calmfeet_copy(routine.source, paths):
        return routine.shadows
    return (*routine.shadows, routine.source)


def save_own_copy(
    paths: Paths, routine: Routine, steps: Sequence[Step], *, new_id: str | None = None
) -> Routine:
    """Write the person's version to their routines folder, shadowing the original.

    Only a version calmfeet saved itself is ever replaced: IdInUse when the person's own file
    holds the place, so they can choose `new_id` (a routine of its own, shadowing nothing).
    A version that is a link is written through the link (see `write_routine_file`).
    """
    if not steps:
        raise CustomiseError("A routine needs at least one step; restore the original instead.")
    routine_id = routine.id if new_id is None else new_id
    target = own_copy_path(paths, routine_id)
    if new_id is not None:
        problem = id_problem(paths, new_id, ())
        if problem is not None:
            raise CustomiseError(problem)
    else:
        check_version_place(paths, routine)
    import tomli_w  # only when saving: not at start-up

    header = version_header(paths, routine, routine.name)
    saved = write_routine_file(
        paths,
        target,
        header + tomli_w.dumps(routine_document(routine, steps)),
        new=new_id is not None,
    )
    shadows = () if new_id is not None else version_shadows(paths, routine)
    return replace(saved, id=routine_id, source=target, builtin=False, shadows=shadows)


class NothingToRestore(EditRefused):
    """The routine is not a version calmfeet saved: it is the original already."""


class RestoreRefused(EditRefused):
    """A version calmfeet will not remove: the original would not come back."""


def restore_original(paths: Paths, routine: Routine) -> Routine:
    """Remove the person's version and return the original it shadows, read from its file.

    Refused, with nothing removed, unless the routine is a version calmfeet saved in the
    routines folder and its original still loads: removing the only copy of a routine is
    not going "back to the original". A version that is a link loses the link only; the file
    it points to stays where the person put it.
    """
    source = routine.source
    if is_made_in_editor(source):
        raise NothingToRestore(f"{routine.name} is a routine of your own: it has no original.")
    if not is_calmfeet_copy(source, paths):
        if is_own_copy(source):
            raise RestoreRefused(
                f"{source} is not in your routines folder, so calmfeet leaves it alone."
            )
        raise NothingToRestore(f"{source.name} is already the original.")
    original = shadowed_routine(routine)
    if original is None:
        raise RestoreRefused(
            f"No original of {routine.name} is loaded under the id {routine.id}, "
            f"so your version {source} stays."
        )
    try:
        source.unlink()
    except FileNotFoundError:
        pass
    except OSError as error:
        raise CustomiseError(f"Cannot remove {source}: {error.strerror}") from None
    return original


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
