"""Writing a routine in the app: a draft as the person typed it, checked by the one validator,
saved as a commented routine file in their routines folder.

The editor screen holds a `RoutineDraft` and nothing else. Every check goes through
`draft_problems`, which turns the draft into the very text that would be saved and runs it
through `parse_routine`, the code `calmfeet validate` runs: the editor has no rules of its own.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from calmfeet.core import safety
from calmfeet.core.breathing import DEFAULT_PATTERN
from calmfeet.core.customise import (
    LAST_STEP_REFUSAL,
    CustomiseError,
    EditRefused,
    check_version_place,
    id_problem,
    own_copy_path,
    routine_header,
    suggest_id,
    version_header,
    version_shadows,
    write_routine_file,
)
from calmfeet.core.model import Routine
from calmfeet.core.paths import Paths
from calmfeet.core.points import get_point
from calmfeet.core.problems import Problem
from calmfeet.core.routine_format import LENGTH_KEYS, PATTERN_NAMES, Field
from calmfeet.core.routine_format import ROUTINE_FIELDS as ROUTINE_FORMAT
from calmfeet.core.routine_format import STEP_FIELDS as STEP_FORMAT
from calmfeet.core.routines import RoutineFileError, parse_routine

DEFAULT_STEP_LENGTH = "60"
DEFAULT_FOOT = "both"
"""A step's foot when its file names none."""
DRAFT_FILE = "your routine"
"""What the draft is called in its problems until it has a file."""


@dataclass(frozen=True)
class StepDraft:
    """One step as typed. `length` is seconds (`90`), a duration (`1m30s`) or `10 breaths`;
    `point` a point's id or empty; `breathing` empty means the routine's pattern."""

    title: str = ""
    length: str = DEFAULT_STEP_LENGTH
    foot: str = DEFAULT_FOOT
    zone: str = "whole"
    point: str = ""
    halfway: str = ""
    how: str = ""
    breathing: str = ""


@dataclass(frozen=True)
class RoutineDraft:
    """A routine as typed. `breathing` is a pattern's name or counts like `4-7-8`; `needs`
    is the props, separated by commas."""

    name: str = ""
    summary: str = ""
    focus: tuple[str, ...] = ()
    breathing: str = DEFAULT_PATTERN
    caution: str = ""
    needs: str = ""
    steps: tuple[StepDraft, ...] = field(default_factory=lambda: (StepDraft(),))


EDITOR_FIELDS = ("name", "summary", "focus", "breathing", "caution", "needs")
"""The routine's own fields in the editor; a step's are its keys, with `length` for the three
ways of giving one."""


# --- from a routine --------------------------------------------------------------------------


def length_text(seconds: float) -> str:
    """A step's length as the editor shows it: whole seconds, or tenths when it has them."""
    return f"{round(seconds, 1):g}"


def draft_from_routine(
    routine: Routine, *, name: str | None = None, copy: bool = False
) -> RoutineDraft:
    """The routine as a draft: a mirrored step becomes its two steps, one for each foot.

    A `copy` (saved under a new id) writes out the whole safety text its original showed,
    since a routine of one's own gets the shared lines only where it asks for them."""
    steps = tuple(
        StepDraft(
            title=step.title,
            length=length_text(step.seconds),
            foot=step.foot,
            zone=step.zone,
            point=step.point,
            halfway=step.halfway,
            how=step.how,
            breathing="" if step.breathing == routine.breathing else step.breathing.name,
        )
        for step in routine.steps
    )
    return RoutineDraft(
        name=routine.name if name is None else name,
        summary=routine.summary,
        focus=routine.focus,
        breathing=routine.breathing.name,
        caution=safety.caution_for_copy(routine) if copy else routine.caution,
        needs=", ".join(routine.needs),
        steps=steps or (StepDraft(),),
    )


def copy_name(name: str) -> str:
    """What a copy is called until the person names it."""
    return f"{name} (copy)"


# --- the document ----------------------------------------------------------------------------

_SECONDS = re.compile(r"^\s*(\d{1,15}(?:\.\d+)?|\.\d+)\s*$")
_BREATHS = re.compile(r"^\s*(\d{1,9})\s*breaths?\s*$", re.IGNORECASE)


def length_entry(text: str) -> tuple[str, object] | None:
    """The key and value a step's typed length is saved as: `seconds = 90` for a number,
    `breaths = 10` for "10 breaths", else `duration = "1m30s"` as typed; None when empty.

    Anything that is not a number goes to the validator as a duration, so a wrong length is
    explained in `calmfeet validate`'s words."""
    if not text.strip():
        return None
    seconds = _SECONDS.match(text)
    if seconds:
        value = float(seconds.group(1))
        return ("seconds", int(value) if value.is_integer() else value)
    breaths = _BREATHS.match(text)
    if breaths:
        return ("breaths", int(breaths.group(1)))
    return ("duration", text.strip())


def default_zone(point_id: str) -> str:
    """The zone a step has when its file names none: its point's, else the whole foot."""
    point = get_point(point_id) if point_id else None
    return "whole" if point is None else point.zone


def with_point(step: StepDraft, point_id: str) -> StepDraft:
    """The step on another point (or none). A zone that only followed the old point (or was
    the whole foot) follows the new one; a zone the person chose stays."""
    zone = step.zone
    if zone in ("whole", default_zone(step.point)):
        zone = default_zone(point_id)
    return replace(step, point=point_id, zone=zone)


def needs_list(text: str) -> list[str]:
    """`tennis ball, towel` as the list a routine file holds."""
    return [part.strip() for part in text.split(",") if part.strip()]


def draft_document(draft: RoutineDraft) -> dict[str, object]:
    """The routine file's keys and values, in the order they are written. Required text is
    written even when empty, so the validator says it must not be; optional keys only when
    given, and a step's foot and zone only when they are not what the file would mean
    without them (both feet; the point's zone, else the whole foot)."""
    document: dict[str, object] = {"name": draft.name.strip()}
    if draft.summary.strip():
        document["summary"] = draft.summary.strip()
    if draft.focus:
        document["focus"] = list(draft.focus)
    if draft.breathing.strip():
        document["breathing"] = draft.breathing.strip()
    if draft.caution.strip():
        document["caution"] = draft.caution.strip()
    needs = needs_list(draft.needs)
    if needs:
        document["needs"] = needs
    document["steps"] = [_step_document(step) for step in draft.steps]
    return document


def _step_document(step: StepDraft) -> dict[str, object]:
    row: dict[str, object] = {"title": step.title.strip()}
    length = length_entry(step.length)
    if length is not None:
        row[length[0]] = length[1]
    if step.point:
        row["point"] = step.point
    if step.foot != DEFAULT_FOOT:
        row["foot"] = step.foot
    if step.zone != default_zone(step.point):
        row["zone"] = step.zone
    if step.halfway.strip():
        row["halfway"] = step.halfway.strip()
    if step.how.strip():
        row["how"] = step.how.strip()
    if step.breathing.strip():
        row["breathing"] = step.breathing.strip()
    return row


# --- commented TOML --------------------------------------------------------------------------

_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


COMMENT_WIDTH = 96


def key_words(key: str, spec: Field) -> str:
    """What a key is for: the format's own words (`core/routine_format.py`, which the schema
    and the validator read too), with the choices it takes."""
    words = f"{key}: {spec.about}"
    if spec.kind == "choice":
        words += f" One of: {', '.join(spec.options)}."
    elif spec.kind == "tags":
        words += f" Any of: {', '.join(spec.options)}."
    elif spec.kind == "pattern":
        words += f" Names: {', '.join(PATTERN_NAMES)}."
    return words


def comment(words: str, indent: str = "", hang: str = "  ") -> str:
    """`words` as comment lines at most COMMENT_WIDTH wide, later lines indented by `hang`."""
    return textwrap.fill(
        words,
        width=COMMENT_WIDTH,
        initial_indent=f"# {indent}",
        subsequent_indent=f"# {indent}{hang}",
        break_long_words=False,
        break_on_hyphens=False,
    )


def steps_comment() -> str:
    """The comment before the steps: every key a step may have."""
    lengths = f"{', '.join(LENGTH_KEYS[:-1])} or {LENGTH_KEYS[-1]}"
    about = f"{ROUTINE_FORMAT['steps'].about} A step's keys (its length in {lengths}):"
    lines = [comment(about, hang="")]
    lines.extend(comment(key_words(key, spec), "  ") for key, spec in STEP_FORMAT.items())
    return "\n".join(lines)


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character escaped."""
    out: list[str] = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: object) -> str:
    """A value as TOML writes it inline: text, a number, true/false, a list or a table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else toml_string(key)


def routine_toml(document: Mapping[str, object]) -> str:
    """The document as a routine file a person can read and edit: a comment before each key
    saying what it is for, and one before the steps saying what a step may hold."""
    lines: list[str] = []
    steps = document.get("steps", [])
    for key, value in document.items():
        if key == "steps":
            continue
        if key in ROUTINE_FORMAT:
            lines.append(comment(key_words(key, ROUTINE_FORMAT[key])))
        lines.append(f"{toml_key(key)} = {toml_value(value)}")
    lines.extend(["", steps_comment()])
    for row in steps if isinstance(steps, list) else []:
        lines.extend(["", "[[steps]]"])
        if isinstance(row, Mapping):
            lines.extend(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in row.items())
    return "\n".join(lines) + "\n"


def draft_text(draft: RoutineDraft, header: str = "") -> str:
    """The whole file the draft would be saved as."""
    return header + "\n" + routine_toml(draft_document(draft))


# --- checking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldProblem:
    """One problem, placed on the editor field it is about (`step` None: the routine's)."""

    step: int | None
    field: str
    problem: Problem

    @property
    def text(self) -> str:
        """`steps[2].seconds: must be a positive number of seconds, got 0`, as `validate` says
        it, without the file and line the draft does not have yet."""
        return f"{self.problem.key}: {self.problem.message}"


_PROBLEM_KEY = re.compile(r"^(?P<top>[A-Za-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<key>[A-Za-z_]+))?")
_LENGTH_KEYS = ("seconds", "duration", "breaths")


def place_problem(problem: Problem) -> FieldProblem:
    """Which field a problem from the validator belongs to."""
    match = _PROBLEM_KEY.match(problem.key)
    if match is None:
        return FieldProblem(None, "name", problem)
    top, index, key = match.group("top"), match.group("index"), match.group("key")
    if top == "steps" and index is not None:
        step = int(index) - 1
        name = key or "title"
        return FieldProblem(step, "length" if name in _LENGTH_KEYS else name, problem)
    return FieldProblem(None, top if top in EDITOR_FIELDS else "steps", problem)


def draft_problems(draft: RoutineDraft) -> list[FieldProblem]:
    """Every problem `calmfeet validate` would find in the saved file, in the file's order."""
    try:
        parse_routine(draft_text(draft), "draft", DRAFT_FILE, Path(DRAFT_FILE))
    except RoutineFileError as error:
        return [place_problem(problem) for problem in error.problems]
    return []


def problems_line(problems: Sequence[FieldProblem]) -> str:
    """One line saying why a draft cannot be saved yet."""
    first = problems[0].text
    more = len(problems) - 1
    return f"Not saved: {first}" + (f" (and {more} more)" if more else "")


class DraftInvalid(CustomiseError):
    """The draft would not load as a routine; nothing was written."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__(problems_line(problems))
        self.problems = list(problems)


# --- editing steps ---------------------------------------------------------------------------


def add_step(steps: Sequence[StepDraft], after: int | None) -> tuple[tuple[StepDraft, ...], int]:
    """A new step after `after` (at the end for None), on the same foot and zone as the one
    before it; returns the steps and where the new one is."""
    index = len(steps) if after is None else min(after + 1, len(steps))
    before = steps[index - 1] if index > 0 else StepDraft()
    new = StepDraft(foot=before.foot, zone=before.zone)
    return (*steps[:index], new, *steps[index:]), index


def remove_step(steps: Sequence[StepDraft], index: int) -> tuple[tuple[StepDraft, ...], int]:
    """The steps without `index`, and the one that took its place; never the last step."""
    if len(steps) <= 1:
        raise EditRefused(LAST_STEP_REFUSAL)
    rest = (*steps[:index], *steps[index + 1 :])
    return rest, min(index, len(rest) - 1)


def move_step(
    steps: Sequence[StepDraft], index: int, delta: int
) -> tuple[tuple[StepDraft, ...], int]:
    """The step moved `delta` places (stopping at the ends), and where it is now."""
    target = max(0, min(len(steps) - 1, index + delta))
    moved = list(steps)
    moved.insert(target, moved.pop(index))
    return tuple(moved), target


ROUTINE_TEXT_FIELDS = ("name", "summary", "breathing", "caution", "needs")


def with_text(draft: RoutineDraft, field_name: str, value: str) -> RoutineDraft:
    """The draft with one of its text fields (ROUTINE_TEXT_FIELDS) as typed."""
    if field_name == "name":
        return replace(draft, name=value)
    if field_name == "summary":
        return replace(draft, summary=value)
    if field_name == "breathing":
        return replace(draft, breathing=value)
    if field_name == "caution":
        return replace(draft, caution=value)
    if field_name == "needs":
        return replace(draft, needs=value)
    raise ValueError(f"not a routine's text field: {field_name}")


def replace_step(draft: RoutineDraft, index: int, **changes: str) -> RoutineDraft:
    steps = list(draft.steps)
    steps[index] = replace(steps[index], **changes)
    return replace(draft, steps=tuple(steps))


# --- saving ----------------------------------------------------------------------------------


def id_for_name(paths: Paths, name: str, loaded_ids: Collection[str]) -> str:
    """A free id made from the routine's name (`Evening feet` -> `evening-feet`)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-") or "my-routine"
    if id_problem(paths, slug, loaded_ids) is None:
        return slug
    return suggest_id(paths, slug, loaded_ids)


def save_draft(
    paths: Paths,
    draft: RoutineDraft,
    *,
    editing: Routine | None = None,
    new_id: str | None = None,
    loaded_ids: Collection[str] = (),
) -> Routine:
    """Save the draft in the person's routines folder, and nowhere else; the routine as it
    will load from now on.

    `new_id`: a routine of its own, saved as `NEW_ID.toml`, which must not exist yet (nor be
    a loaded routine's id). Otherwise the draft is `editing` changed and takes its id: a
    routine made in the editor, or a version calmfeet saved, is saved again in place; any
    other routine gets a version of its own that shadows it, as a step edit in the picker
    does. IdInUse when that place holds the person's own file (or would be hidden), so they
    can choose `new_id`; calmfeet overwrites only files it wrote.
    """
    problems = draft_problems(draft)
    if problems:
        raise DraftInvalid(problems)
    name = draft.name.strip()
    shadows: tuple[Path, ...]
    if new_id is not None:
        problem = id_problem(paths, new_id, loaded_ids)
        if problem is not None:
            raise CustomiseError(problem)
        routine_id, header, shadows = new_id, routine_header(name), ()
    elif editing is not None:
        check_version_place(paths, editing)
        routine_id = editing.id
        header = version_header(paths, editing, name)
        shadows = version_shadows(paths, editing)
    else:
        raise ValueError("save_draft needs the routine being edited or a new id")
    target = own_copy_path(paths, routine_id)
    saved = write_routine_file(paths, target, draft_text(draft, header), new=new_id is not None)
    return replace(saved, id=routine_id, source=target, builtin=False, shadows=shadows)
