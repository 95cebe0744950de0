"""A one-line progress bar with a segment per step: done, current (filling) and to come."""

from __future__ import annotations

import math
from typing import ClassVar, Literal

from rich.segment import Segment
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from calmfeet.core.glyphs import Glyphs, glyphs_for

CellKind = Literal["done", "fill", "rest", "todo", "gap"]


def cell_glyphs(glyphs: Glyphs) -> dict[CellKind, str]:
    """Shapes differ as well as colours, so the bar reads without colour: heavy for done (and
    the filled part of the current step), dashed for what is left of it, thin for later."""
    return {
        "done": glyphs.progress_done,
        "fill": glyphs.progress_done,
        "rest": glyphs.progress_rest,
        "todo": glyphs.progress_todo,
        "gap": " ",
    }


CELL_GLYPHS = {in_ascii: cell_glyphs(glyphs_for(in_ascii)) for in_ascii in (False, True)}
"""The marks for each cell kind, by whether the bar is drawn in ASCII."""


def progress_cells(width: int, total: int, current: int, fraction: float) -> tuple[CellKind, ...]:
    """What each cell shows: one segment per step, with a gap between them when there is room.

    `current` may equal `total` (the routine is over: every segment done). When there are
    more steps than cells, each cell stands for a run of steps.
    """
    width = max(0, width)
    if total <= 0:
        gap_cell: CellKind = "gap"
        return (gap_cell,) * width
    current = max(0, min(current, total))
    fraction = min(1.0, max(0.0, fraction)) if math.isfinite(fraction) else 0.0
    if width < total:
        cells: list[CellKind] = []
        for x in range(width):
            first, end = x * total // width, max(x * total // width + 1, (x + 1) * total // width)
            if end <= current:
                cells.append("done")
            elif first <= current < end:
                cells.append("fill" if fraction >= 0.5 else "rest")
            else:
                cells.append("todo")
        return tuple(cells)
    gap = 1 if width >= 3 * total - 1 else 0
    base, extra = divmod(width - gap * (total - 1), total)
    cells = []
    for index in range(total):
        length = base + (1 if index < extra else 0)
        if index < current:
            cells.extend(["done"] * length)
        elif index > current:
            cells.extend(["todo"] * length)
        else:
            filled = math.floor(fraction * length)
            fill: list[CellKind] = ["fill"] * filled
            rest: list[CellKind] = ["rest"] * (length - filled)
            cells.extend(fill + rest)
        if gap and index < total - 1:
            cells.append("gap")
    return tuple(cells)


class StepProgress(Widget):
    """The routine at a glance; the session screen drives it with `show()` from its timer.

    It repaints only when a cell changes, which for a step of a minute or more is at most a
    few times a second.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "step-progress--done",
        "step-progress--current",
        "step-progress--rest",
        "step-progress--todo",
    }

    DEFAULT_CSS = """
    StepProgress {
        width: 1fr;
        height: 1;
        & > .step-progress--done { color: $primary; }
        & > .step-progress--current { color: $accent; text-style: bold; }
        & > .step-progress--rest { color: $accent; }
        & > .step-progress--todo { color: $text-muted; }
    }
    """

    ascii: reactive[bool] = reactive(False)
    """Draw with = . - for terminals without box-drawing characters."""

    def __init__(
        self,
        *,
        ascii: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.set_reactive(StepProgress.ascii, ascii)
        self._total = 0
        self._current = 0
        self._fraction = 0.0
        self._cells: tuple[CellKind, ...] = ()
        self._strip: tuple[tuple[object, ...], Strip] | None = None

    @property
    def cells(self) -> tuple[CellKind, ...]:
        """What is drawn now, cell by cell."""
        return self._cells

    @property
    def text(self) -> str:
        glyphs = CELL_GLYPHS[self.ascii]
        return "".join(glyphs[kind] for kind in self._cells)

    def show(self, current: int, total: int, fraction: float) -> None:
        """Step `current` (0-based) of `total` is `fraction` done; cheap to call often."""
        self._current, self._total, self._fraction = current, total, fraction
        self._update_cells()

    def _update_cells(self) -> None:
        cells = progress_cells(self.size.width, self._total, self._current, self._fraction)
        if cells != self._cells:
            self._cells = cells
            self.refresh()

    def on_resize(self) -> None:
        self._update_cells()

    def watch_ascii(self) -> None:
        self._strip = None
        self.refresh()

    def notify_style_update(self) -> None:
        self._strip = None
        super().notify_style_update()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y != 0 or not self._cells:
            return Strip.blank(width, self.rich_style)
        key = (self._cells, self.ascii, width)
        if self._strip is not None and self._strip[0] == key:
            return self._strip[1]
        strip = self._build_strip(width)
        self._strip = (key, strip)
        return strip

    def _build_strip(self, width: int) -> Strip:
        glyphs = CELL_GLYPHS[self.ascii]
        base = self.rich_style
        styles = {
            "done": self.get_component_rich_style("step-progress--done"),
            "fill": self.get_component_rich_style("step-progress--current"),
            "rest": self.get_component_rich_style("step-progress--rest"),
            "todo": self.get_component_rich_style("step-progress--todo"),
            "gap": base,
        }
        segments: list[Segment] = []
        run_kind: CellKind | None = None
        run_length = 0
        for kind in (*self._cells, None):
            if kind == run_kind:
                run_length += 1
                continue
            if run_kind is not None:
                segments.append(Segment(glyphs[run_kind] * run_length, styles[run_kind]))
            run_kind, run_length = kind, 1
        return Strip(segments).crop(0, width).extend_cell_length(width, base)
