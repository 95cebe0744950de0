"""Reading and validating routine files: every problem found, each on one line with its line."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import tomli

from calmfeet.core.breathing import (
    DEFAULT_PATTERN,
    BreathingPattern,
    PatternError,
    parse_pattern,
)
from calmfeet.core.files import FileTrouble, NotUtf8Text, decode_utf8, read_capped
from calmfeet.core.model import (
    BREATHING_ONLY_ID,
    FEET,
    FOCUS_TAGS,
    ZONES,
    Foot,
    Routine,
    Step,
    Zone,
)
from calmfeet.core.points import POINT_IDS, get_point, suggest_point
from calmfeet.core.problems import KeyPath, Problem, Problems, describe_value, did_you_mean
from calmfeet.core.routine_format import (
    LENGTH_KEYS,
    MAX_STEP_SECONDS,
    ROUTINE_FIELDS,
    STEP_FIELDS,
)
from calmfeet.core.safe_text import unsafe_character

MAX_FILE_BYTES = 1024 * 1024
# Keys, required keys and limits come from the format's one declaration, which the JSON Schema
# is generated from too (core/schema.py).
TOP_KEYS = tuple(ROUTINE_FIELDS)
STEP_KEYS = tuple(STEP_FIELDS)
DURATION_KEYS = LENGTH_KEYS
MAX_STEPS = ROUTINE_FIELDS["steps"].max_items
MAX_TEXT = {
    key: field.max_length
    for fields in (ROUTINE_FIELDS, STEP_FIELDS)
    for key, field in fields.items()
    if field.kind == "text"
}
MAX_NEEDS = ROUTINE_FIELDS["needs"].max_items
MAX_NEED_TEXT = ROUTINE_FIELDS["needs"].max_length

Choice = TypeVar("Choice", bound=str)
_DURATION = re.compile(
    r"^\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s)?\s*$"
)


class RoutineFileError(Exception):
    """A routine file that cannot be used; holds every problem found in it."""

    def __init__(self, path: Path, problems: list[Problem], *, unreadable: bool = False) -> None:
        self.path = path
        self.problems = problems
        self.unreadable = unreadable
        """True when the file could not be read at all (gone, not a file, no permission):
        nothing in it was checked, so it is not "invalid"."""
        super().__init__("\n".join(str(p) for p in problems))


def parse_duration(text: str) -> float:
    """`1m30s`, `90s`, `2m`, `1h`, `45` (seconds) to seconds; ValueError when not a duration."""
    cleaned = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        return float(cleaned)
    match = _DURATION.match(cleaned)
    if not cleaned or match is None or not any(match.groups()):
        raise ValueError(text)
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


class _Checker:
    """Collects a routine's problems, naming steps the way a person counts them."""

    def __init__(self, display: str, text: str) -> None:
        self.problems = Problems(display, text)

    def add(self, key: str, message: str, step: int | None = None, line_key: str = "") -> None:
        """A problem with `key` (of step `step`), placed on the line of `line_key` if given."""
        path = _path(key, step)
        self.problems.add(path, message, at=_path(line_key, step) if line_key else None)

    def unknown_keys(
        self, table: Mapping[str, object], known: tuple[str, ...], step: int | None
    ) -> None:
        for key in table:
            if key in known:
                continue
            hint = did_you_mean(key, known) or f"; known keys: {', '.join(known)}"
            self.add(key, f"unknown key{hint}", step)

    def text(
        self, table: Mapping[str, object], key: str, step: int | None, *, required: bool
    ) -> str:
        if key not in table:
            if required:
                self.add(key, "is required", step, line_key="" if step is None else "title")
            return ""
        value = table[key]
        if not isinstance(value, str):
            self.add(key, f"must be text, got {describe_value(value)}", step)
            return ""
        unsafe = unsafe_character(value)
        if unsafe:
            self.add(key, unsafe, step)
            return ""
        stripped = value.strip()
        if required and not stripped:
            self.add(key, "must not be empty", step)
        limit = MAX_TEXT.get(key, 600)
        if len(stripped) > limit:
            self.add(key, f"must be at most {limit} characters, got {len(stripped)}", step)
        return stripped

    def choice(
        self,
        table: Mapping[str, object],
        key: str,
        options: tuple[Choice, ...],
        step: int | None,
        default: Choice,
        *,
        required: bool = True,
    ) -> Choice:
        """The value if it is one of `options` (typed as they are), else `default` (with a
        problem when the value is wrong, or missing and `required`)."""
        if key not in table:
            if required:
                self.add(key, f"is required: one of {', '.join(options)}", step, line_key="title")
            return default
        value = table[key]
        if not isinstance(value, str) or value not in options:
            shown = _shown_choice(value, options)
            self.add(key, f"must be one of {', '.join(options)}, got {shown}", step)
            return default
        return options[options.index(value)]  # the option itself: a Foot, not just any str

    def pattern(
        self, table: Mapping[str, object], step: int | None, fallback: BreathingPattern | None
    ) -> BreathingPattern | None:
        if "breathing" not in table:
            return fallback
        try:
            return parse_pattern(table["breathing"])
        except PatternError as error:
            self.add("breathing", str(error), step)
            return fallback


def _path(key: str, step: int | None) -> KeyPath:
    if step is None:
        return (key,)
    return ("steps", step, key) if key else ("steps", step)


def _shown_choice(value: object, options: tuple[str, ...]) -> str:
    """A wrong choice as the person wrote it, with the option they probably meant."""
    if isinstance(value, str):
        return f"{value!r}{did_you_mean(value, options)}"
    return describe_value(value)


def _step_seconds(
    check: _Checker, table: Mapping[str, object], index: int, pattern: BreathingPattern | None
) -> float | None:
    given = [key for key in DURATION_KEYS if key in table]
    if not given:
        check.add("seconds", "a step needs a length: seconds, duration or breaths", index, "title")
        return None
    if len(given) > 1:
        check.add(
            given[1],
            f"give only one of seconds, duration or breaths, got {' and '.join(given)}",
            index,
        )
        return None
    key = given[0]
    value = table[key]
    seconds: float
    if key == "seconds":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            check.add(
                key, f"must be a positive number of seconds, got {describe_value(value)}", index
            )
            return None
        try:
            seconds = float(value)
        except OverflowError:  # TOML integers can exceed a float; too long (or short) anyway
            seconds = math.inf if value > 0 else -math.inf
        if math.isnan(seconds) or seconds <= 0:
            check.add(key, f"must be a positive number of seconds, got {seconds:g}", index)
            return None
    elif key == "duration":
        if not isinstance(value, str):
            check.add(
                key, f'must be text like "1m30s" or "90s", got {describe_value(value)}', index
            )
            return None
        try:
            seconds = parse_duration(value)
        except ValueError:
            check.add(key, f'must look like "1m30s", "90s" or "2m", got {value!r}', index)
            return None
        if seconds <= 0:
            check.add(key, f"must be longer than 0 seconds, got {value!r}", index)
            return None
    else:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            shown = str(value) if isinstance(value, int) else describe_value(value)
            check.add(key, f"must be a whole number of breaths, 1 or more, got {shown}", index)
            return None
        if pattern is None:
            return None
        try:
            seconds = value * pattern.cycle_seconds
        except OverflowError:
            seconds = math.inf
    if seconds > MAX_STEP_SECONDS:
        check.add(key, f"a step can last at most 60 minutes, got {seconds:g} seconds", index)
        return None
    return seconds


def parse_routine(text: str, routine_id: str, display: str, source: Path) -> Routine:
    """Validate a routine's text; RoutineFileError lists every problem, never just the first."""
    check = _Checker(display, text)
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        line = getattr(error, "lineno", 1) or 1
        column = getattr(error, "colno", 1) or 1
        message = getattr(error, "msg", str(error))
        problem = Problem(display, line, "syntax", f"{message} (column {column})")
        raise RoutineFileError(source, [problem]) from None
    except RecursionError:
        problem = Problem(display, 1, "syntax", "nested too deeply")
        raise RoutineFileError(source, [problem]) from None
    except ValueError as error:  # e.g. an integer longer than Python will convert
        problem = Problem(display, 1, "syntax", f"cannot be read as TOML: {error}")
        raise RoutineFileError(source, [problem]) from None

    check.unknown_keys(data, TOP_KEYS, None)
    name = check.text(data, "name", None, required=ROUTINE_FIELDS["name"].required)
    summary = check.text(data, "summary", None, required=ROUTINE_FIELDS["summary"].required)
    caution = check.text(data, "caution", None, required=ROUTINE_FIELDS["caution"].required)
    focus: list[str] = []
    raw_focus = data.get("focus", [])
    if not isinstance(raw_focus, list):
        check.add(
            "focus", f'must be a list like ["stress", "sleep"], got {describe_value(raw_focus)}'
        )
    else:
        for index, tag in enumerate(raw_focus):
            if not isinstance(tag, str) or tag not in FOCUS_TAGS:
                check.problems.add(
                    ("focus", index),
                    f"must be one of {', '.join(FOCUS_TAGS)}, got {_shown_choice(tag, FOCUS_TAGS)}",
                )
            elif tag not in focus:
                focus.append(tag)
    needs = _needs(check, data.get("needs", []))
    default = parse_pattern(DEFAULT_PATTERN)
    routine_pattern = check.pattern(data, None, default) or default

    steps: list[Step] = []
    raw_steps = data.get("steps")
    if raw_steps is None:
        check.add("steps", "a routine needs at least one [[steps]] table")
    elif not isinstance(raw_steps, list) or not all(isinstance(s, dict) for s in raw_steps):
        check.add(
            "steps",
            "must be [[steps]] tables, each with a title and a length "
            "(seconds, duration or breaths)",
        )
    elif not raw_steps:
        check.add("steps", "a routine needs at least one step")
    elif len(raw_steps) > MAX_STEPS:
        check.add("steps", f"a routine can have at most {MAX_STEPS} steps, got {len(raw_steps)}")
    else:
        for index, table in enumerate(raw_steps):
            steps.extend(_parse_step(check, table, index, routine_pattern))

    if check.problems:
        raise RoutineFileError(source, check.problems.items)
    return Routine(
        id=routine_id,
        name=name,
        summary=summary,
        focus=tuple(focus),
        breathing=routine_pattern,
        caution=caution,
        steps=tuple(steps),
        source=source,
        needs=needs,
    )


def _needs(check: _Checker, raw: object) -> tuple[str, ...]:
    """`needs = ["tennis ball", "towel"]`: short names of props, shown while getting ready."""
    example = 'must be a list like ["tennis ball", "towel"]'
    if not isinstance(raw, list):
        check.add("needs", f"{example}, got {describe_value(raw)}")
        return ()
    if len(raw) > MAX_NEEDS:
        check.add("needs", f"can name at most {MAX_NEEDS} things, got {len(raw)}")
        return ()
    needs: list[str] = []
    for index, item in enumerate(raw):
        problem = ""
        if not isinstance(item, str):
            problem = f"must be text, got {describe_value(item)}"
        elif unsafe_character(item):
            problem = unsafe_character(item) or ""
        elif not item.strip():
            problem = "must not be empty"
        elif len(item.strip()) > MAX_NEED_TEXT:
            problem = f"must be at most {MAX_NEED_TEXT} characters, got {len(item.strip())}"
        if problem:
            check.problems.add(("needs", index), problem)
        elif isinstance(item, str) and item.strip() not in needs:
            needs.append(item.strip())
    return tuple(needs)


def _parse_step(
    check: _Checker, table: dict[str, object], index: int, routine_pattern: BreathingPattern
) -> list[Step]:
    check.unknown_keys(table, STEP_KEYS, index)
    title = check.text(table, "title", index, required=STEP_FIELDS["title"].required)
    how = check.text(table, "how", index, required=STEP_FIELDS["how"].required)
    halfway = check.text(table, "halfway", index, required=STEP_FIELDS["halfway"].required)
    point = _point(check, table, index)
    foot = check.choice(table, "foot", FEET, index, "both", required=STEP_FIELDS["foot"].required)
    zone = _zone(check, table, index, point)
    pattern = check.pattern(table, index, routine_pattern)
    seconds = _step_seconds(check, table, index, pattern)
    mirror = table.get("mirror", False)
    if not isinstance(mirror, bool):
        check.add("mirror", f"must be true or false, got {describe_value(mirror)}", index)
        mirror = False
    if mirror and table.get("foot", "both") == "both":
        check.add(
            "mirror", 'needs foot = "left" or "right": the step repeats on the other foot', index
        )
        mirror = False
    if seconds is None or pattern is None:
        return []
    step = Step(
        title=title,
        seconds=seconds,
        foot=foot,
        zone=zone,
        how=how,
        breathing=pattern,
        halfway=halfway,
        point=point,
    )
    if not mirror:
        return [step]
    other: Foot = "right" if foot == "left" else "left"
    return [step, replace(step, foot=other, mirror_of=index)]


def _point(check: _Checker, table: Mapping[str, object], index: int) -> str:
    """`point = "KI1"`: one id from calmfeet's catalogue (`calmfeet points`), or ""."""
    if "point" not in table:
        return ""
    value = table["point"]
    if not isinstance(value, str):
        check.add("point", f'must be a point id like "KI1", got {describe_value(value)}', index)
        return ""
    if get_point(value) is None:
        hint = suggest_point(value) or f"; the points are: {', '.join(POINT_IDS)}"
        check.add("point", f"unknown point {value!r}{hint}", index)
        return ""
    return value


def _zone(check: _Checker, table: Mapping[str, object], index: int, point_id: str) -> Zone:
    """The step's zone: as written, else its point's, else the whole foot. A zone that
    contradicts the point (KI1 is on the ball, not the heel) is a problem."""
    point = get_point(point_id)
    default: Zone = point.zone if point is not None else "whole"
    zone = check.choice(table, "zone", ZONES, index, default, required=STEP_FIELDS["zone"].required)
    if point is not None and "zone" in table and zone not in (point.zone, "whole"):
        check.add(
            "zone",
            f'{point.id} is in the "{point.zone}" zone, not "{zone}": write zone = '
            f'"{point.zone}" or leave zone out',
            index,
        )
    return zone


def read_routine_text(path: Path, display: str | None = None) -> str:
    """The file's text, refusing what is too big, unreadable or not UTF-8 before parsing."""
    shown = display or path.name

    def refuse(message: str, line: int = 1, *, unreadable: bool = False) -> RoutineFileError:
        return RoutineFileError(
            path, [Problem(shown, line, "file", message)], unreadable=unreadable
        )

    try:
        data = read_capped(path, MAX_FILE_BYTES)
    except FileTrouble as trouble:
        if trouble.kind == "not-a-file":
            raise refuse(f"is {trouble.what}, not a routine file", unreadable=True) from None
        if trouble.kind == "too-big":
            size = (
                "larger than 1 MiB" if trouble.size is None else f"{trouble.size / 1048576:.1f} MiB"
            )
            raise refuse(f"is {size}; a routine file can be at most 1 MiB") from None
        raise refuse(trouble.reason, unreadable=True) from None
    try:
        return decode_utf8(data)
    except NotUtf8Text as error:
        raise refuse(str(error), error.line) from None


def load_routine(path: Path, display: str | None = None, *, builtin: bool = False) -> Routine:
    """Load one routine file; RoutineFileError holds every problem found."""
    shown = display or str(path)
    if path.stem == BREATHING_ONLY_ID:
        message = f"the name {path.name} is kept for `calmfeet breathe`; rename the file"
        raise RoutineFileError(path, [Problem(shown, 1, "file", message)])
    text = read_routine_text(path, shown)
    routine = parse_routine(text, path.stem, shown, path)
    if builtin:
        routine = replace(routine, builtin=True)
    return routine
