"""The foot map: both soles with the zone to massage highlighted by colour and by shape."""

from __future__ import annotations

import textwrap

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from calmfeet.core.footmap import (
    Cell,
    FootDrawing,
    choose_size,
    describe,
    draw_feet,
    drawing_extent,
)
from calmfeet.core.model import FEET, ZONES
from calmfeet.core.points import POINT_IDS


class FootMap(Widget):
    """Draws the largest foot map that fits, or one line of words when even the small one won't.

    The feet are shown as seen when looking down at your own feet: left foot on the left, big
    toes on the inner sides facing each other. Set `ascii` from `--ascii` or
    `calmfeet.core.glyphs.wants_ascii()`.

    Lines are built once per (size, foot, zone, ascii, theme) and reused, so a step timer ticking
    beside the map costs nothing here.
    """

    COMPONENT_CLASSES = {
        "footmap--sole",
        "footmap--highlight",
        "footmap--point",
        "footmap--marker",
        "footmap--legend",
        "footmap--note",
    }

    DEFAULT_CSS = """
    FootMap {
        width: 1fr;
        height: 1fr;
    }
    FootMap > .footmap--sole {
        color: $foreground-muted;
    }
    FootMap > .footmap--highlight {
        color: $foot-highlight;
        text-style: bold;
    }
    FootMap > .footmap--marker {
        color: $foreground-muted;
    }
    FootMap > .footmap--point {
        color: $foot-highlight;
        text-style: bold reverse;
    }
    FootMap > .footmap--legend {
        color: $foreground;
    }
    FootMap > .footmap--note {
        color: $foreground-muted;
        text-style: italic;
    }
    """

    foot: reactive[str] = reactive("both")
    zone: reactive[str] = reactive("whole")
    point: reactive[str] = reactive("")
    """A point of the catalogue (KI1) to mark instead of the zone; empty for none."""
    ascii: reactive[bool] = reactive(False)

    def __init__(
        self,
        foot: str = "both",
        zone: str = "whole",
        *,
        point: str = "",
        ascii: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(FootMap.foot, self.validate_foot(foot))
        self.set_reactive(FootMap.zone, self.validate_zone(zone))
        self.set_reactive(FootMap.point, self.validate_point(point))
        self.set_reactive(FootMap.ascii, ascii)
        self._lines_key: tuple[object, ...] | None = None
        self._lines: list[Strip] = []

    def validate_foot(self, foot: str) -> str:
        """Refuse a bad foot where it is set, not later inside a paint."""
        if foot not in FEET:
            raise ValueError(f"unknown foot {foot!r}; expected one of {', '.join(FEET)}")
        return foot

    def validate_zone(self, zone: str) -> str:
        if zone not in ZONES:
            raise ValueError(f"unknown zone {zone!r}; expected one of {', '.join(ZONES)}")
        return zone

    def validate_point(self, point: str) -> str:
        if point and point not in POINT_IDS:
            raise ValueError(f"unknown point {point!r}; expected one of {', '.join(POINT_IDS)}")
        return point

    @property
    def drawing(self) -> FootDrawing | None:
        """What is on screen now (None when only the one-line description fits)."""
        size = choose_size(self.size.width, self.size.height)
        if size is None:
            return None
        return draw_feet(self.foot, self.zone, ascii=self.ascii, size=size, point=self.point)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return drawing_extent("large", legend_lines=2)[0]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return drawing_extent("large", legend_lines=2)[1]

    def notify_style_update(self) -> None:
        # A theme change alters the component colours baked into the cached lines.
        self._lines_key = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (width, height, self.foot, self.zone, self.point, self.ascii)
        if key != self._lines_key:
            self._lines = self._build_lines(width, height)
            self._lines_key = key
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(width, self.rich_style)

    def _style(self, component: str) -> Style:
        # The full (not partial) style, so translucent colours like $foreground-muted are
        # blended against the background instead of losing their alpha.
        return self.get_component_rich_style(component)

    def _build_lines(self, width: int, height: int) -> list[Strip]:
        if width <= 0 or height <= 0:
            return []
        base = self.rich_style
        drawing = self.drawing
        if drawing is None:
            summary = describe(self.foot, self.zone, self.point)
            if self.ascii:
                summary = summary.replace("·", "-")
            line = Strip([Segment(summary, self._style("footmap--legend"))])
            return [self._fit(line, width, base)]

        highlight = self._style("footmap--highlight")
        point = self._style("footmap--point")
        sole = self._style("footmap--sole")
        marker = self._style("footmap--marker")
        legend = self._style("footmap--legend")

        def cell_style(cell: Cell, words: Style) -> Style:
            if cell.point is not None:
                return point
            if cell.highlighted:
                return highlight
            if cell.zone in ("top", "ankle"):
                return marker
            return sole if cell.zone is not None else words

        room = max(0, height - len(drawing.rows))
        legend_lines = drawing.legend[:room]
        notes = self._notes(drawing, width, room - len(legend_lines))
        block_height = len(drawing.rows) + len(legend_lines) + len(notes)
        top = max(0, (height - block_height) // 2)
        strips = [Strip.blank(width, base)] * top
        for cells, words in [(row, base) for row in drawing.rows] + [
            (line, legend) for line in legend_lines
        ]:
            left = max(0, (width - len(cells)) // 2)
            segments = [Segment(" " * left, base)]
            segments.extend(Segment(cell.char, cell_style(cell, words)) for cell in cells)
            strips.append(self._fit(Strip(Segment.simplify(segments)), width, base))
        note_style = self._style("footmap--note")
        for note in notes:
            left = max(0, (width - len(note)) // 2)
            segments = [Segment(" " * left, base), Segment(note, note_style)]
            strips.append(self._fit(Strip(segments), width, base))
        return strips

    @staticmethod
    def _notes(drawing: FootDrawing, width: int, rows: int) -> list[str]:
        """The drawing's notes wrapped to the width, each shown whole or not at all."""
        shown: list[str] = []
        wrap_width = max(20, min(width, 2 * drawing.width))
        for note in drawing.notes:
            lines = textwrap.wrap(note, wrap_width)
            if len(shown) + len(lines) > rows or any(len(line) > width for line in lines):
                break
            shown.extend(lines)
        return shown

    @staticmethod
    def _fit(strip: Strip, width: int, style: Style) -> Strip:
        return strip.crop(0, width).extend_cell_length(width, style)
