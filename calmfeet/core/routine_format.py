"""The routine file format, declared once: every key, what it holds, its limits and its help.

The validator (`core/routines.py`) takes its keys, required keys, choices and limits from here,
and the JSON Schema editors use (`core/schema.py`, `calmfeet schema`) is generated from here, so
the two cannot disagree about what a routine file may say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from calmfeet.core.breathing import BUILTIN_PATTERNS, TABLE_KEYS
from calmfeet.core.model import FEET, FOCUS_TAGS, ZONES
from calmfeet.core.points import POINT_IDS

Kind = Literal[
    "text",  # a string; `max_length` characters once trimmed; `required` ones not blank
    "choice",  # one of `options`
    "tags",  # a list of `options` (repeats are dropped)
    "names",  # a list of at most `max_items` short texts of `max_length` characters
    "pattern",  # a breathing pattern: a name, "4-2-6", or { inhale, hold, exhale, hold_after }
    "seconds",  # a number of seconds above 0, at most MAX_STEP_SECONDS
    "duration",  # text like "1m30s", at most MAX_STEP_SECONDS
    "breaths",  # a whole number of breaths, 1 or more
    "flag",  # true or false
    "steps",  # one to `max_items` [[steps]] tables
]


@dataclass(frozen=True)
class Field:
    """One key of a routine file or of a step."""

    kind: Kind
    about: str
    """What the key is for, as an editor shows it on hover."""
    required: bool = False
    max_length: int = 0
    max_items: int = 0
    options: tuple[str, ...] = ()


MAX_STEP_SECONDS = 3600.0
LENGTH_KEYS = ("seconds", "duration", "breaths")
"""A step gives exactly one of these."""
PATTERN_NAMES = tuple(BUILTIN_PATTERNS)
PATTERN_TABLE_KEYS = TABLE_KEYS

ROUTINE_FIELDS: dict[str, Field] = {
    "name": Field("text", "The routine's name, shown in the picker.", True, max_length=80),
    "summary": Field("text", "One or two sentences about the routine.", max_length=600),
    "focus": Field("tags", "What the routine is for.", options=FOCUS_TAGS),
    "breathing": Field(
        "pattern",
        "The routine's breathing pattern (default resonance): a name, seconds like "
        '"4-2-6", or a table like { inhale = 4, exhale = 6 }.',
    ),
    "caution": Field(
        "text", "A safety note, shown once before the first session.", max_length=1200
    ),
    "needs": Field(
        "names",
        'Props to have at hand, named while you get ready, e.g. ["tennis ball"].',
        max_items=8,
        max_length=40,
    ),
    "steps": Field(
        "steps", "The routine's steps, in order: [[steps]] tables.", True, max_items=100
    ),
}

STEP_FIELDS: dict[str, Field] = {
    "title": Field("text", "What the step is called.", True, max_length=80),
    "seconds": Field("seconds", "How long the step lasts, in seconds (at most 3600)."),
    "duration": Field("duration", 'How long the step lasts, like "90s", "2m" or "1m30s".'),
    "breaths": Field("breaths", "How long the step lasts, in whole cycles of its pattern."),
    "foot": Field("choice", "Which foot the step is for (default both).", options=FEET),
    "zone": Field(
        "choice",
        "Where on the foot to work (default: the point's zone, else the whole foot).",
        options=ZONES,
    ),
    "how": Field("text", "What to do, in a sentence or two.", max_length=600),
    "breathing": Field("pattern", "This step's own breathing pattern (default: the routine's)."),
    "mirror": Field(
        "flag",
        'true with foot = "left" or "right": the step runs again on the other foot.',
    ),
    "halfway": Field(
        "text", "Said (and rung) at half the step's time, e.g. Change direction.", max_length=40
    ),
    "point": Field(
        "choice",
        "One point to press (calmfeet points): the foot map marks it and the session says "
        "how to find it.",
        options=POINT_IDS,
    ),
}
