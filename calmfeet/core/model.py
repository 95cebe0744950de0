"""The routine as the rest of calmfeet sees it, after validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from calmfeet.core.breathing import BreathingPattern
from calmfeet.core.glyphs import whole_seconds

Foot = Literal["left", "right", "both"]
Zone = Literal["toes", "ball", "arch", "heel", "inner-edge", "outer-edge", "top", "ankle", "whole"]
# The Literals are the one list; these tuples, for checking and listing, are read off them.
FEET: tuple[Foot, ...] = get_args(Foot)
ZONES: tuple[Zone, ...] = get_args(Zone)
FOCUS_TAGS = ("stress", "circulation", "pain", "flexibility", "wellbeing", "sleep", "energy")


BREATHING_ONLY_ID = "breathe"
"""The routine id `calmfeet breathe` practises under: counted as practice, never as a routine."""


@dataclass(frozen=True)
class Step:
    """One timed step. A mirrored step in a file becomes two of these, one for each foot."""

    title: str
    seconds: float
    foot: Foot
    zone: Zone
    how: str
    breathing: BreathingPattern
    mirror_of: int | None = None  # index in the file's steps this one repeats on the other foot
    halfway: str = ""
    """Said (and rung) at half the step's time, e.g. `Change direction`; empty for none."""
    point: str = ""
    """One point of calmfeet's catalogue (`KI1`, see calmfeet.core.points); empty for none."""


@dataclass(frozen=True)
class Routine:
    id: str
    name: str
    summary: str
    focus: tuple[str, ...]
    breathing: BreathingPattern
    caution: str
    steps: tuple[Step, ...]
    source: Path
    builtin: bool = False
    shadows: tuple[Path, ...] = field(default=())
    needs: tuple[str, ...] = ()
    """Props to have at hand (`tennis ball`), named while the person gets ready."""

    @property
    def total_seconds(self) -> float:
        return sum(step.seconds for step in self.steps)


def format_clock(seconds: float) -> str:
    """M:SS (or H:MM:SS), rounding up so a timer shows 0:00 only when time is really up."""
    whole = whole_seconds(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_minutes(seconds: float) -> str:
    """A routine's length for lists, e.g. `12 min` (never `0 min` for a short one)."""
    minutes = max(1, round(seconds / 60))
    return f"{minutes} min"
