"""The stats screen shows the practice numbers, the two-week chart, and closes on Escape or q."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from harness import Harness
from textual.app import App
from textual.binding import Binding
from textual.widgets import Static

from calmfeet.core.history import History, SessionRecord
from calmfeet.core.paths import Paths
from calmfeet.ui.screens.stats import EMPTY_MESSAGE, StatsScreen
from calmfeet.ui.widgets.day_chart import DayChart, bar_eighths, minutes_label

SnapCompare = Callable[..., bool]
TODAY = date(2024, 3, 20)  # a Wednesday
CET = 60


def session(
    days_ago: int,
    minutes: float,
    *,
    hour: int = 20,
    routine: str = "evening-unwind",
    name: str = "Evening unwind",
) -> SessionRecord:
    day = TODAY - timedelta(days=days_ago)
    local = datetime(day.year, day.month, day.day, hour, tzinfo=timezone(timedelta(minutes=CET)))
    return SessionRecord(
        routine=routine,
        name=name,
        started=local,
        seconds=minutes * 60,
        steps_done=6,
        completed=True,
        utc_offset_minutes=CET,
    )


SEEDED = [
    session(0, 12),
    session(1, 10),
    session(2, 8, routine="heel-ease", name="Heel ease"),
    session(2, 4, hour=7),
    session(5, 20),
    session(6, 5, routine="heel-ease", name="Heel ease"),
    session(7, 6),
    session(8, 7),
    session(9, 9),
    session(20, 30),  # too old for the chart, still in the totals
]  # 111 minutes, 10 sessions; streak 3 now, longest 5 (days 5-9)


def StatsApp(source: History | Sequence[SessionRecord], today: date = TODAY) -> Harness:  # noqa: N802 - reads as the app it builds
    """The harness whose first screen is the stats screen."""
    return Harness(screen=StatsScreen(source, today), reduced_motion=True)


def screen_text(app: App[None]) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def tile_text(app: App[None], tile_id: str) -> str:
    return " ".join(
        str(static.content) for static in app.screen.query(f"#{tile_id} Static").results(Static)
    )


@pytest.fixture
def seeded_history(tmp_path: Path) -> Path:
    paths = Paths(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    with History(paths.history_db) as history:
        for rec in SEEDED:
            history.record(rec)
    return paths.history_db


async def test_numbers_from_the_database_appear(seeded_history: Path) -> None:
    with History(seeded_history) as history:
        app = StatsApp(history)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, StatsScreen)
            assert tile_text(app, "tile-sessions") == "10 sessions"
            assert tile_text(app, "tile-minutes") == "111 minutes"
            assert tile_text(app, "tile-current-streak") == "3 days current streak"
            assert tile_text(app, "tile-longest-streak") == "5 days longest streak"
            text = screen_text(app)
            assert "Most used: Evening unwind · 8 sessions" in text
            assert "Last 14 days" in text


async def test_chart_labels_each_day_with_minutes_and_date(seeded_history: Path) -> None:
    with History(seeded_history) as history:
        app = StatsApp(history)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            chart = app.screen.query_one(DayChart)
            rows = [chart.render_line(y).text for y in range(chart.size.height)]
    minutes_row, weekday_row, date_row = rows[-3].split(), rows[-2].split(), rows[-1].split()
    assert minutes_row == ["·", "·", "·", "·", "9", "7", "6", "5", "20", "·", "·", "12", "10", "12"]
    assert weekday_row[-1] == "We" and weekday_row[0] == "Th"
    assert date_row[0] == "7" and date_row[-1] == "today"
    # The tallest bar (20 min, six days ago) reaches the top row; empty days stay blank.
    top = rows[0]
    assert "█" in top and top.count("█") == 4


async def test_empty_history_says_so(tmp_path: Path) -> None:
    with History(tmp_path / "data" / "history.sqlite3") as history:
        app = StatsApp(history)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert EMPTY_MESSAGE in screen_text(app)
            assert not app.screen.query(DayChart)
            assert not app.screen.query("#tile-sessions")


@pytest.mark.parametrize("key", ["escape", "q"])
async def test_escape_or_q_closes_the_screen(key: str) -> None:
    app = StatsApp(SEEDED)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)


async def test_bindings_are_described_in_the_footer() -> None:
    app = StatsApp(SEEDED)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Back" in screen_text(app).splitlines()[-1]
        bindings = [b for b in StatsScreen.BINDINGS if isinstance(b, Binding)]
        assert bindings and all(binding.description and binding.id for binding in bindings)


def test_minutes_labels() -> None:
    assert [minutes_label(m) for m in (0, 0.2, 0.6, 12.4, 12.6)] == ["·", "<1", "1", "12", "13"]


def test_any_practice_shows_a_bar() -> None:
    days = ((TODAY, 0.1), (TODAY, 0.0), (TODAY, 60.0))
    assert bar_eighths(days) == [1, 0, 48]
    assert bar_eighths(((TODAY, 0.0),)) == [0]


def test_stats_screen_snapshot(snap_compare: SnapCompare) -> None:
    assert snap_compare(StatsApp(SEEDED), terminal_size=(100, 30))


async def test_routine_names_are_shown_as_written() -> None:
    app = StatsApp([session(0, 5, name="Toes [slow] & heels")])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Most used: Toes [slow] & heels · 1 session" in screen_text(app)
