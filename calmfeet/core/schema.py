"""The JSON Schema of routine files, generated from the format's declaration.

Editors that read TOML with a schema (taplo, and "Even Better TOML" in VS Code, which uses it)
complete keys and flag mistakes as a person types. calmfeet's validator stays the authority: the
schema never refuses a file the validator accepts, and says less where JSON Schema cannot say it
(a breathing cycle's length, unsafe characters), so `calmfeet validate` still has the last word.

Files calmfeet writes start with `#:schema ./calmfeet-routine.schema.json`, and the schema is
written beside them in the routines folder: it works offline and follows the installed calmfeet.
"""

from __future__ import annotations

import json
from pathlib import Path

from calmfeet.core.breathing import CUSTOM_PATTERN_REGEX
from calmfeet.core.routine_format import (
    LENGTH_KEYS,
    MAX_STEP_SECONDS,
    PATTERN_NAMES,
    PATTERN_TABLE_KEYS,
    ROUTINE_FIELDS,
    STEP_FIELDS,
    Field,
)

SCHEMA_FILE_NAME = "calmfeet-routine.schema.json"
SCHEMA_DIRECTIVE = f"#:schema ./{SCHEMA_FILE_NAME}"
"""The first line of every routine file calmfeet writes: taplo reads it as the file's schema."""

JsonObject = dict[str, object]


def _trimmed_at_most(limit: int) -> str:
    """A pattern for "at most `limit` characters once spaces at either end are trimmed": the
    validator counts the trimmed text, so plain maxLength would refuse padded text it accepts."""
    return rf"^\s*[\s\S]{{0,{limit}}}\s*$"


def _any_case(word: str) -> str:
    """A regular expression matching `word` in any letter case (JSON Schema has no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else _escape(c) for c in word)


def _escape(character: str) -> str:
    return "\\" + character if character in r".^$*+?()[]{}|\\" else character


def _text(field: Field) -> JsonObject:
    patterns = [_trimmed_at_most(field.max_length)]
    if field.required:
        patterns.append(r"\S")  # not blank
    about = f"{field.about} At most {field.max_length} characters."
    schema: JsonObject = {"type": "string", "description": about}
    if len(patterns) == 1:
        schema["pattern"] = patterns[0]
    else:
        schema["allOf"] = [{"pattern": p} for p in patterns]
    return schema


def _breathing() -> JsonObject:
    names = "|".join(_any_case(name) for name in PATTERN_NAMES)
    table_numbers: JsonObject = {
        key: {"type": "number", "minimum": 0, "description": f"{key} in seconds"}
        for key in PATTERN_TABLE_KEYS
    }
    for key in ("inhale", "exhale"):
        table_numbers[key] = {"type": "number", "exclusiveMinimum": 0}
    return {
        "anyOf": [
            {"enum": list(PATTERN_NAMES), "description": "a built-in pattern"},
            {"type": "string", "pattern": rf"^\s*(?:{names})\s*$"},
            {
                "type": "string",
                "pattern": CUSTOM_PATTERN_REGEX,
                "description": 'seconds: "in-out", "in-hold-out" or "in-hold-out-hold"',
            },
            {
                "type": "object",
                "properties": table_numbers,
                "required": ["inhale", "exhale"],
                "additionalProperties": False,
            },
        ]
    }


def _field(field: Field) -> JsonObject:
    about = {"description": field.about}
    if field.kind == "text":
        return _text(field)
    if field.kind == "choice":
        return {"enum": list(field.options), **about}
    if field.kind == "tags":
        return {"type": "array", "items": {"enum": list(field.options)}, **about}
    if field.kind == "names":
        item = {
            "type": "string",
            "allOf": [{"pattern": r"\S"}, {"pattern": _trimmed_at_most(field.max_length)}],
        }
        return {"type": "array", "maxItems": field.max_items, "items": item, **about}
    if field.kind == "pattern":
        return {"$ref": "#/definitions/breathing", **about}
    if field.kind == "seconds":
        return {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": MAX_STEP_SECONDS,
            **about,
        }
    if field.kind == "duration":
        return {"type": "string", "pattern": r"^[\s\d.hHmMsS]*\d[\s\d.hHmMsS]*$", **about}
    if field.kind == "breaths":
        return {"type": "integer", "minimum": 1, **about}
    if field.kind == "flag":
        return {"type": "boolean", **about}
    if field.kind == "steps":
        return {
            "type": "array",
            "minItems": 1,
            "maxItems": field.max_items,
            "items": {"$ref": "#/definitions/step"},
            **about,
        }
    raise AssertionError(f"a field kind the schema does not know: {field.kind}")


def _table(fields: dict[str, Field]) -> JsonObject:
    return {
        "type": "object",
        "properties": {key: _field(field) for key, field in fields.items()},
        "required": [key for key, field in fields.items() if field.required],
        "additionalProperties": False,
    }


def routine_schema() -> JsonObject:
    """The schema, as a JSON-ready dict (draft-07, which taplo and most editors read)."""
    step = _table(STEP_FIELDS)
    step["oneOf"] = [{"required": [key]} for key in LENGTH_KEYS]  # exactly one length
    step["if"] = {"properties": {"mirror": {"const": True}}, "required": ["mirror"]}
    one_foot = [foot for foot in STEP_FIELDS["foot"].options if foot != "both"]
    # mirror: foot given, left or right (a step without one is for both feet)
    step["then"] = {"properties": {"foot": {"enum": one_foot}}, "required": ["foot"]}
    routine = _table(ROUTINE_FIELDS)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "calmfeet routine",
        "description": "A foot-massage routine for calmfeet; `calmfeet validate` checks it fully.",
        **routine,
        "definitions": {"step": step, "breathing": _breathing()},
    }


def schema_text() -> str:
    """The schema as calmfeet prints and ships it: stable key order, a newline at the end."""
    return json.dumps(routine_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema_beside(folder: Path) -> Path | None:
    """Put the schema in `folder` (a routines folder) unless it is there already as it should
    be; the path, or None when it cannot be written (the routine is still saved: an editor
    then only lacks completion)."""
    from calmfeet.core.files import write_atomically

    target = folder / SCHEMA_FILE_NAME
    text = schema_text().encode("utf-8")
    try:
        if target.is_file() and target.read_bytes() == text:
            return target
        write_atomically(target, text)
    except OSError:
        return None
    return target
