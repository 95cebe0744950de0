"""A labelled bar chart of minutes practised on each of the last days."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

BLOCKS = " ▁▂▃▄▅▆▇█"
ASCII_BLOCKS = " ____===#"
"""--ascii: a low part-row is `_`, a high one `=`, a full row `#`."""
BAR_ROWS = 6
LABEL_ROWS = 4  # axis, minutes, weekday, day of month
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def minutes_label(minutes: float, *, ascii: bool = False) -> str:
    """Whole minutes, `<1` for a short one and `·` for none, so no day reads as missing data."""
    if minutes <= 0:
        return "." if ascii else "·"
    if minutes < 0.5:
        return "<1"
    return str(round(minutes))


def bar_eighths(days: tuple[tuple[date, float], ...], rows: int = BAR_ROWS) -> list[int]:
    """Each bar's height in eighths of a row; any practice shows at least a sliver."""
    peak = max((minutes for _, minutes in days), default=0.0)
    if peak <= 0:
        return [0 for _ in days]
    return [max(1, round(minutes / peak * rows * 8)) if minutes > 0 else 0 for _, minutes in days]


class DayChart(Widget):
    """One column per day, minutes and the date written under each bar."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "day-chart--bar",
        "day-chart--today",
        "day-chart--label",
        "day-chart--today-label",
    }

    DEFAULT_CSS = """
    DayChart {
        height: auto;
        width: 1fr;
    }
    DayChart > .day-chart--bar {
        color: $primary;
    }
    DayChart > .day-chart--today {
        color: $accent;
    }
    DayChart > .day-chart--label {
        color: $text-muted;
    }
    DayChart > .day-chart--today-label {
        color: $text;
        text-style: bold;
    }
    """

    days: reactive[tuple[tuple[date, float], ...]] = reactive(tuple, layout=True)

    def __init__(
        self,
        days: tuple[tuple[date, float], ...],
        today: date,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        ascii: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.today = today
        self.ascii = ascii
        self.set_reactive(DayChart.days, days)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return BAR_ROWS + LABEL_ROWS

    def _column_width(self) -> int:
        count = max(1, len(self.days))
        return max(3, min(6, self.size.width // count))

    def render(self) -> Text:
        days = self.days
        column = self._column_width()
        bar_width = column - 2 if column >= 4 else column - 1
        left = max(0, (self.size.width - column * len(days)) // 2)
        bar = self.get_component_rich_style("day-chart--bar")
        today_bar = self.get_component_rich_style("day-chart--today")
        label = self.get_component_rich_style("day-chart--label")
        today_label = self.get_component_rich_style("day-chart--today-label")
        eighths = bar_eighths(days)
        lines: list[Text] = []

        for row in range(BAR_ROWS):
            level = BAR_ROWS - 1 - row  # rows counted from the bottom
            line = Text(" " * left)
            for (day, _), height in zip(days, eighths, strict=True):
                fill = min(8, max(0, height - level * 8))
                cell = (ASCII_BLOCKS if self.ascii else BLOCKS)[fill] * bar_width
                line.append(cell.center(column), today_bar if day == self.today else bar)
            lines.append(line)

        axis = "-" if self.ascii else "─"
        lines.append(Text(" " * left + axis * (column * len(days)), label))

        def label_row(texts: list[str]) -> Text:
            line = Text(" " * left)
            for (day, _), text in zip(days, texts, strict=True):
                style: Style = today_label if day == self.today else label
                line.append(text[:column].center(column), style)
            return line

        lines.append(label_row([minutes_label(minutes, ascii=self.ascii) for _, minutes in days]))
        lines.append(label_row([WEEKDAYS[day.weekday()] for day, _ in days]))
        lines.append(
            label_row(
                ["today" if day == self.today and column >= 6 else str(day.day) for day, _ in days]
            )
        )
        return Text("\n").join(lines)
