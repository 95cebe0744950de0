"""Totals, streaks and the last two weeks, counted in the person's own local days."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from calmfeet.core.history import SessionRecord
from calmfeet.core.model import BREATHING_ONLY_ID

CHART_DAYS = 14


@dataclass(frozen=True)
class RoutineUse:
    routine: str
    name: str
    count: int


@dataclass(frozen=True)
class Stats:
    sessions: int
    completed: int
    minutes: float
    current_streak: int
    longest_streak: int
    last_days: tuple[tuple[date, float], ...]  # (local date, minutes), oldest first
    most_used: RoutineUse | None

    @property
    def empty(self) -> bool:
        return self.sessions == 0


def local_today(wall: float) -> date:
    """Today's date on this machine for a wall-clock reading (e.g. `clock.wall()`)."""
    return datetime.fromtimestamp(wall).astimezone().date()


STREAK_DAY_SECONDS = 60.0
"""A day keeps a streak going when at least this much was practised on it, in all."""


def _practised(rec: SessionRecord) -> bool:
    """A session opened and closed at once is not practice and is not charted."""
    return rec.seconds > 0


def streak_days(records: Iterable[SessionRecord]) -> set[date]:
    """The local days with at least a minute practised (sessions added up)."""
    per_day: dict[date, float] = {}
    for rec in records:
        if _practised(rec):
            per_day[rec.local_date] = per_day.get(rec.local_date, 0.0) + rec.seconds
    return {day for day, seconds in per_day.items() if seconds >= STREAK_DAY_SECONDS - 1e-9}


def current_streak(records: Iterable[SessionRecord], today: date) -> int:
    """Days in a row, up to today (or yesterday, when today has nothing yet), each with at
    least a minute practised: what the end of a session shows."""
    return _current_run(streak_days(records), today)


def _longest_run(days: set[date]) -> int:
    longest = 0
    for day in days:
        if day - timedelta(days=1) in days:
            continue  # not the start of a run
        length = 1
        while day + timedelta(days=length) in days:
            length += 1
        longest = max(longest, length)
    return longest


def _current_run(days: set[date], today: date) -> int:
    """Counts back from today, or from yesterday when today has nothing yet."""
    day = today if today in days else today - timedelta(days=1)
    length = 0
    while day in days:
        length += 1
        day -= timedelta(days=1)
    return length


def _most_used(records: list[SessionRecord]) -> RoutineUse | None:
    counts: dict[str, int] = {}
    latest: dict[str, SessionRecord] = {}
    for rec in records:
        if rec.routine == BREATHING_ONLY_ID:
            continue  # `calmfeet breathe` counts as practice, but it is not a routine
        counts[rec.routine] = counts.get(rec.routine, 0) + 1
        seen = latest.get(rec.routine)
        if seen is None or rec.started >= seen.started:
            latest[rec.routine] = rec
    if not counts:
        return None
    best = max(counts, key=lambda routine: (counts[routine], latest[routine].started))
    return RoutineUse(routine=best, name=latest[best].name, count=counts[best])


def compute_stats(records: Iterable[SessionRecord], today: date) -> Stats:
    """`today` is the person's local date now; each record's day comes from its own offset."""
    records = list(records)
    practised = [rec for rec in records if _practised(rec)]
    days = streak_days(practised)
    per_day: dict[date, float] = {}
    for rec in practised:
        per_day[rec.local_date] = per_day.get(rec.local_date, 0.0) + rec.seconds / 60
    chart = tuple(
        (day, per_day.get(day, 0.0))
        for day in (today - timedelta(days=back) for back in range(CHART_DAYS - 1, -1, -1))
    )
    return Stats(
        sessions=len(records),
        completed=sum(1 for rec in records if rec.completed),
        minutes=sum(rec.seconds for rec in records) / 60,
        current_streak=_current_run(days, today),
        longest_streak=_longest_run(days),
        last_days=chart,
        most_used=_most_used(records),
    )
