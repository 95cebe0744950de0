"""What the command line prints for scripts and people: routines and history, as JSON and text."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from calmfeet.core.glyphs import plural
from calmfeet.core.model import Routine, format_clock
from calmfeet.core.points import EVIDENCE, POINTS, Point
from calmfeet.core.safe_text import displayable
from calmfeet.core.safety import routine_caution

if TYPE_CHECKING:
    from calmfeet.core.history import SessionRecord


def routine_json(routine: Routine) -> dict[str, object]:
    return {
        "id": routine.id,
        "name": routine.name,
        "summary": routine.summary,
        "focus": list(routine.focus),
        "seconds": _number(routine.total_seconds),
        "breathing": routine.breathing.name,
        "caution": routine_caution(routine),
        "needs": list(routine.needs),
        "source": str(routine.source),
        "builtin": routine.builtin,
        "shadows": [str(p) for p in routine.shadows],
        "steps": [
            {
                "title": step.title,
                "seconds": _number(step.seconds),
                "foot": step.foot,
                "zone": step.zone,
                "breathing": step.breathing.name,
                "halfway": step.halfway,
                "point": step.point,
            }
            for step in routine.steps
        ],
    }


def point_json(point: Point) -> dict[str, object]:
    """One point for `calmfeet points --json`: every field of the catalogue."""
    return {
        "id": point.id,
        "name": point.name,
        "place": point.place,
        "where": point.where,
        "how": point.how,
        "zone": point.zone,
        "traditional_use": point.traditional_use,
        "source": point.source,
        "avoided_in_pregnancy": point.avoided_in_pregnancy,
    }


def points_json() -> list[dict[str, object]]:
    return [point_json(point) for point in POINTS]


POINTS_WIDTH = 80
"""`calmfeet points` fits a standard terminal: every line at most this wide."""


def format_points_text(width: int = POINTS_WIDTH) -> str:
    """The catalogue for people: each point's id and name on one line, then where to find it
    and its traditional use, wrapped under a common indent; the evidence line last."""
    id_width = max(len(point.id) for point in POINTS)
    indent = " " * (id_width + 2)
    label_width = len("Tradition: ")
    blocks: list[str] = []
    for point in POINTS:
        lines = [f"{point.id.ljust(id_width)}  {point.name}, {point.place}"]
        tradition = point.traditional_use
        if point.avoided_in_pregnancy:
            tradition += " Avoided in pregnancy."
        for label, text in (("Where:", point.where), ("Tradition:", tradition)):
            lines += textwrap.wrap(
                text,
                width,
                initial_indent=indent + label.ljust(label_width),
                subsequent_indent=indent + " " * label_width,
            )
        blocks.append("\n".join(lines))
    footer = textwrap.fill(EVIDENCE, width)
    hint = 'Name one in a routine step with point = "KI1"; --json gives how to press and sources.'
    return "\n\n".join([*blocks, footer, textwrap.fill(hint, width)])


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def _round_seconds(seconds: float) -> int | float:
    rounded = round(seconds, 1)
    return int(rounded) if rounded == int(rounded) else rounded


def history_rows_json(records: Iterable[SessionRecord]) -> list[dict[str, object]]:
    """What `calmfeet history --json` prints: plain values, UTC times with a Z."""
    from calmfeet.core.history import format_utc  # only history needs SQLite's module

    return [
        {
            "routine": rec.routine,
            "name": rec.name,
            "started": format_utc(rec.started),
            "seconds": _round_seconds(rec.seconds),
            "steps_done": rec.steps_done,
            "completed": rec.completed,
        }
        for rec in records
    ]


NAME_WIDTH = 32


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_history_text(records: Sequence[SessionRecord]) -> str:
    """A table for `calmfeet history`, in the local time each session happened."""
    if not records:
        return "No sessions yet"
    header = ("Date", "Time", "Routine", "Length", "Steps", "Result")
    rows = [
        (
            rec.local_started.strftime("%a %Y-%m-%d"),
            rec.local_started.strftime("%H:%M"),
            _clip(displayable(rec.name, one_line=True), NAME_WIDTH),
            format_clock(rec.seconds),
            str(rec.steps_done),
            "✓ completed" if rec.completed else "stopped early",
        )
        for rec in records
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = {3, 4}  # numbers line up on the right

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    total_minutes = round(sum(rec.seconds for rec in records) / 60)
    count = len(records)
    footer = f"{plural(count, 'session')}, {plural(total_minutes, 'minute')} in all"
    return "\n".join([line(header), *(line(row) for row in rows), "", footer])
