"""The practice summary: totals, streaks, the last two weeks and the favourite routine."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from calmfeet.core.glyphs import glyphs_for, plural
from calmfeet.core.history import History, SessionRecord
from calmfeet.core.safe_text import displayable
from calmfeet.core.stats import CHART_DAYS, Stats, compute_stats
from calmfeet.ui.widgets.day_chart import DayChart
from calmfeet.ui.widgets.keybar import KeyBar

EMPTY_MESSAGE = "No sessions yet. Finish a routine and it will show here."


class StatTile(Vertical):
    """A big number with what it counts underneath."""

    DEFAULT_CSS = """
    StatTile {
        width: 1fr;
        height: auto;
        border: round $border;
        padding: 0 1;
        margin: 0 1;
    }
    StatTile > .stat-tile--value {
        width: 1fr;
        text-align: center;
        text-style: bold;
        color: $text-accent;
    }
    StatTile > .stat-tile--label {
        width: 1fr;
        text-align: center;
        color: $text-muted;
    }
    """

    def __init__(self, value: str, label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._value = value
        self._label = label

    def compose(self) -> ComposeResult:
        yield Static(self._value, classes="stat-tile--value", markup=False)
        yield Static(self._label, classes="stat-tile--label", markup=False)


class StatsScreen(Screen[None]):
    """Read-only: it summarises what the history already holds."""

    DEFAULT_CSS = """
    StatsScreen {
        background: $background;
    }
    StatsScreen #stats-body {
        padding: 1 2;
    }
    StatsScreen #stats-title {
        text-style: bold;
        color: $text;
        margin-bottom: 1;
    }
    StatsScreen #stats-tiles {
        height: auto;
    }
    StatsScreen #chart-title {
        color: $text-muted;
        margin: 1 1 0 1;
    }
    StatsScreen DayChart {
        margin: 1 1 0 1;
    }
    StatsScreen #most-used {
        margin: 1 1 0 1;
        color: $text;
    }
    StatsScreen #stats-empty {
        width: 1fr;
        height: 1fr;
        content-align: center middle;
        text-align: center;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="stats.close"),
        Binding("q", "close", "Back", show=False, id="stats.close_q"),
    ]

    def __init__(
        self,
        source: History | Sequence[SessionRecord],
        today: date,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        ascii: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.glyphs = glyphs_for(ascii)
        records = source.all() if isinstance(source, History) else list(source)
        self.today = today
        self.stats: Stats = compute_stats(records, today)

    def compose(self) -> ComposeResult:
        stats = self.stats
        with VerticalScroll(id="stats-body"):
            yield Static("Your practice", id="stats-title")
            if stats.empty:
                yield Static(EMPTY_MESSAGE, id="stats-empty", markup=False)
            else:
                with Horizontal(id="stats-tiles"):
                    minutes = round(stats.minutes)
                    yield StatTile(
                        str(stats.sessions),
                        "session" if stats.sessions == 1 else "sessions",
                        id="tile-sessions",
                    )
                    yield StatTile(
                        str(minutes), "minute" if minutes == 1 else "minutes", id="tile-minutes"
                    )
                    yield StatTile(
                        plural(stats.current_streak, "day"),
                        "current streak",
                        id="tile-current-streak",
                    )
                    yield StatTile(
                        plural(stats.longest_streak, "day"),
                        "longest streak",
                        id="tile-longest-streak",
                    )
                first = stats.last_days[0][0]
                yield Static(
                    self.glyphs.plain(
                        f"Last {CHART_DAYS} days ({first.day} {first:%b} – today)"
                        " · minutes practised each day"
                    ),
                    id="chart-title",
                    markup=False,
                )
                yield DayChart(stats.last_days, self.today, id="day-chart", ascii=self.glyphs.ascii)
                yield Static(self._most_used_text(), id="most-used", markup=False)
        yield KeyBar()

    def _most_used_text(self) -> str:
        used = self.stats.most_used
        if used is None:
            return ""
        return (
            f"Most used: {displayable(used.name, one_line=True)} {self.glyphs.dot} "
            f"{plural(used.count, 'session')}"
        )

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.exit()
