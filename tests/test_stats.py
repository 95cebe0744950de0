"""Totals, streaks and the two-week chart, counted in the person's local days."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from calmfeet.core.history import SessionRecord
from calmfeet.core.stats import CHART_DAYS, RoutineUse, compute_stats

TODAY = date(2024, 3, 20)  # a Wednesday


def session(
    local: datetime,
    offset_minutes: int = 0,
    *,
    seconds: float = 600,
    routine: str = "evening-unwind",
    name: str = "Evening unwind",
    completed: bool = True,
) -> SessionRecord:
    """A session started at `local` wall-clock time in a zone `offset_minutes` east of UTC."""
    zone = timezone(timedelta(minutes=offset_minutes))
    return SessionRecord(
        routine=routine,
        name=name,
        started=local.replace(tzinfo=zone),
        seconds=seconds,
        steps_done=4,
        completed=completed,
        utc_offset_minutes=offset_minutes,
    )


def on(day: date, hour: int = 20, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def test_empty_history_is_zeros_and_none() -> None:
    stats = compute_stats([], TODAY)
    assert stats.empty
    assert (stats.sessions, stats.minutes) == (0, 0)
    assert (stats.current_streak, stats.longest_streak) == (0, 0)
    assert stats.most_used is None
    assert len(stats.last_days) == CHART_DAYS
    assert all(minutes == 0 for _, minutes in stats.last_days)


def test_totals_count_every_session() -> None:
    records = [
        session(on(TODAY), seconds=600),
        session(on(TODAY - timedelta(days=30)), seconds=330, completed=False),
    ]
    stats = compute_stats(records, TODAY)
    assert stats.sessions == 2
    assert stats.completed == 1
    assert stats.minutes == 15.5


def test_current_streak_counts_back_from_today() -> None:
    days = [TODAY - timedelta(days=n) for n in range(3)]
    stats = compute_stats([session(on(day)) for day in days], TODAY)
    assert stats.current_streak == 3
    assert stats.longest_streak == 3


def test_current_streak_survives_until_today_is_practised() -> None:
    days = [TODAY - timedelta(days=n) for n in (1, 2)]
    stats = compute_stats([session(on(day)) for day in days], TODAY)
    assert stats.current_streak == 2


def test_streak_broken_by_a_missed_day() -> None:
    days = [TODAY - timedelta(days=n) for n in (2, 3, 4, 5, 7)]
    stats = compute_stats([session(on(day)) for day in days], TODAY)
    assert stats.current_streak == 0
    assert stats.longest_streak == 4


def test_sessions_either_side_of_midnight_are_two_days() -> None:
    yesterday = TODAY - timedelta(days=1)
    records = [session(on(yesterday, 23, 50)), session(on(TODAY, 0, 10))]
    stats = compute_stats(records, TODAY)
    assert stats.current_streak == 2


def test_local_midnight_not_utc_midnight_decides_the_day() -> None:
    # 01:00 and 23:00 on one Tokyo (UTC+9) day fall on two UTC dates: one local day.
    tokyo = 9 * 60
    records = [session(on(TODAY, 1, 0), tokyo), session(on(TODAY, 23, 0), tokyo)]
    stats = compute_stats(records, TODAY)
    assert stats.current_streak == 1
    assert stats.last_days[-1] == (TODAY, 20.0)


def test_streak_across_a_change_of_utc_offset() -> None:
    # Clocks go back: 23:30 on the last day of summer time (UTC+2) and 00:30 the next
    # day in winter time (UTC+1) are 2 hours apart in UTC, on consecutive local days.
    summer, winter = 120, 60
    before = session(datetime(2024, 10, 26, 23, 30), summer)
    after = session(datetime(2024, 10, 27, 0, 30), winter)
    assert after.started - before.started == timedelta(hours=2)
    stats = compute_stats([before, after], date(2024, 10, 27))
    assert stats.current_streak == 2
    assert stats.last_days[-2:] == ((date(2024, 10, 26), 10.0), (date(2024, 10, 27), 10.0))


def test_spring_forward_keeps_days_apart() -> None:
    # Clocks go forward: 00:30 after the change is still a new local day.
    before = session(datetime(2024, 3, 30, 23, 45), 60)
    after = session(datetime(2024, 3, 31, 0, 15), 120)
    assert after.started < before.started  # earlier in UTC, yet the next local day
    stats = compute_stats([before, after], date(2024, 3, 31))
    assert stats.current_streak == 2


def test_a_session_with_no_time_does_not_keep_a_streak() -> None:
    records = [session(on(TODAY), seconds=0), session(on(TODAY - timedelta(days=1)))]
    stats = compute_stats(records, TODAY)
    assert stats.current_streak == 1
    assert stats.sessions == 2


def test_chart_holds_fourteen_days_oldest_first() -> None:
    records = [
        session(on(TODAY, 8), seconds=300),
        session(on(TODAY, 21), seconds=900),
        session(on(TODAY - timedelta(days=13)), seconds=120),
        session(on(TODAY - timedelta(days=14)), seconds=6000),  # too old for the chart
        session(on(TODAY - timedelta(days=5)), seconds=90),
    ]
    chart = compute_stats(records, TODAY).last_days
    assert [day for day, _ in chart] == [TODAY - timedelta(days=n) for n in range(13, -1, -1)]
    values = dict(chart)
    assert values[TODAY] == 20.0
    assert values[TODAY - timedelta(days=13)] == 2.0
    assert values[TODAY - timedelta(days=5)] == 1.5
    assert sum(values.values()) == 23.5


def test_most_used_routine_and_its_latest_name() -> None:
    records = [
        session(on(TODAY - timedelta(days=3)), routine="a", name="Arch relief"),
        session(on(TODAY - timedelta(days=2)), routine="a", name="Arch relief (v2)"),
        session(on(TODAY - timedelta(days=1)), routine="b", name="Heel ease"),
    ]
    assert compute_stats(records, TODAY).most_used == RoutineUse("a", "Arch relief (v2)", 2)


def test_most_used_tie_goes_to_the_most_recent() -> None:
    records = [
        session(on(TODAY - timedelta(days=4)), routine="a", name="Arch relief"),
        session(on(TODAY - timedelta(days=1)), routine="b", name="Heel ease"),
        session(on(TODAY - timedelta(days=3)), routine="b", name="Heel ease"),
        session(on(TODAY - timedelta(days=2)), routine="a", name="Arch relief"),
    ]
    assert compute_stats(records, TODAY).most_used == RoutineUse("b", "Heel ease", 2)


def test_breathing_only_sessions_count_as_practice_but_not_as_a_routine() -> None:
    records = [
        session(on(TODAY - timedelta(days=2)), routine="breathe", name="Breathe"),
        session(on(TODAY - timedelta(days=1)), routine="breathe", name="Breathe"),
        session(on(TODAY), routine="a", name="Arch relief"),
    ]
    stats = compute_stats(records, TODAY)
    assert stats.most_used == RoutineUse("a", "Arch relief", 1)
    assert stats.sessions == 3
    assert stats.current_streak == 3
