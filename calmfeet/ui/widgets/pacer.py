"""The breathing pacer: a pill that widens as you breathe in, drawn from a phase state."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.types import NoActiveAppError

from calmfeet.core.breathing import BreathingPattern, PhaseState
from calmfeet.core.glyphs import glyphs_for
from calmfeet.core.pacer_frames import shown_level
from calmfeet.ui.widgets.kept_lines import KeptLines, RestyledWidget
from calmfeet.ui.widgets.strips import placed_row

# Index k is the glyph that fills the left k eighths of a cell (index 0 is unused).
LEFT_EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
PAUSED_WORD = "Paused"
MAX_BAND_ROWS = 5
"""The pill's height in an ordinary window; a tall one lets it grow (`band_rows_cap`)."""
TALL_PACER_ROWS = 16
"""From this height on, the pill grows with the widget to fill the space it has."""
MAX_FINISHED_FRAMES = 1024
"""Finished frames kept: a built-in breath has at most 150 at 12.5 a second (4-7-8), so
several patterns or sizes fit."""
# A cell is about twice as tall as it is wide, so a round cap of n rows is 2n cells wide.
CELL_ASPECT = 2


@dataclass(frozen=True)
class BarRow:
    """One row of the shape, left to right: blanks, an edge, full cells, an edge, blanks.

    The left edge glyph must be drawn in reverse video: reversed, a left-filling eighth
    block becomes a right-filling one, which Unicode does not otherwise offer.
    """

    lead: int
    left_edge: str
    body: int
    right_edge: str
    trail: int

    @property
    def filled_eighths(self) -> int:
        left = 8 - LEFT_EIGHTHS.index(self.left_edge) if self.left_edge else 0
        right = LEFT_EIGHTHS.index(self.right_edge) if self.right_edge else 0
        return left + self.body * 8 + right

    @property
    def text(self) -> str:
        """The characters as a plain terminal would show them, reverse video aside."""
        return (
            " " * self.lead + self.left_edge + FULL * self.body + self.right_edge + " " * self.trail
        )


@dataclass(frozen=True)
class PacerGeometry:
    """Where everything goes at one widget size; rows are -1 when there is no room."""

    width: int
    height: int
    band_top: int
    band_rows: int
    word_row: int
    pattern_row: int
    min_half: int
    max_half: int
    insets: tuple[int, ...]

    @property
    def steps(self) -> int:
        """How many distinct shapes a breath passes through at this size."""
        return max(0, self.max_half - self.min_half)


@lru_cache(maxsize=32)
def pacer_geometry(width: int, height: int) -> PacerGeometry:
    """Lay out shape, word and numbers so the word survives longest as the widget shrinks."""
    width = max(0, width)
    height = max(0, height)
    band_top = band_rows = word_row = pattern_row = -1
    if width and height == 1:
        word_row = 0
    elif width and height in (2, 3, 4):
        band_top, band_rows = 0, 1
        word_row = 1 if height == 2 else 2
        pattern_row = 3 if height == 4 else -1
    elif width and height >= 5:
        band_rows = height - 3 if height <= 8 else max(5, height - 5)
        margin_x = _margin_x(width)
        band_rows = max(1, min(band_rows, (width - 2 * margin_x) // 5, band_rows_cap(height)))
        top = (height - (band_rows + 3)) // 2
        band_top, word_row, pattern_row = top, top + band_rows + 1, top + band_rows + 2
    margin_x = _margin_x(width)
    max_half = max(0, (width - 2 * margin_x) * 4)
    radius = max(0, band_rows) * CELL_ASPECT * 4
    min_half = min(radius, max_half * 2 // 5)
    insets = tuple(_cap_inset(row, band_rows, radius) for row in range(max(0, band_rows)))
    return PacerGeometry(
        width, height, band_top, band_rows, word_row, pattern_row, min_half, max_half, insets
    )


def band_rows_cap(height: int) -> int:
    """How tall the pill may be: MAX_BAND_ROWS, or two thirds of a tall widget, so at
    arm's length the breath is the largest thing on screen."""
    if height < TALL_PACER_ROWS:
        return MAX_BAND_ROWS
    return max(MAX_BAND_ROWS, (height - 3) * 2 // 3)


def _margin_x(width: int) -> int:
    return 0 if width < 10 else max(1, width // 20)


def _cap_inset(row: int, rows: int, radius: int) -> int:
    """How far (in eighths) a row of a round-ended pill stops short of its middle row."""
    if rows <= 1:
        return 0
    y = (row + 0.5 - rows / 2) / (rows / 2)
    return round(radius * (1 - math.sqrt(max(0.0, 1 - y * y))))


def level_step(geometry: PacerGeometry, level: float) -> int:
    """The lung level rounded to the finest step the shape can show at this size."""
    return round(min(1.0, max(0.0, level)) * geometry.steps)


def bar_row(width: int, half: int) -> BarRow:
    """A bar `2 * half` eighths wide, centred in `width` cells."""
    width = max(0, width)
    total = width * 8
    left = max(0, width * 4 - half)
    right = min(total, width * 4 + half)
    if right <= left:
        return BarRow(width, "", 0, "", 0)
    first, left_gap = divmod(left, 8)
    last, right_fill = divmod(right, 8)
    if first == last:  # both edges fall inside one cell
        return BarRow(first, "", 0, LEFT_EIGHTHS[right - left], width - first - 1)
    left_edge = LEFT_EIGHTHS[left_gap] if left_gap else ""
    body_start = first + (1 if left_gap else 0)
    right_edge = LEFT_EIGHTHS[right_fill] if right_fill else ""
    return BarRow(
        first, left_edge, last - body_start, right_edge, width - last - (1 if right_fill else 0)
    )


def shape_rows(geometry: PacerGeometry, step: int) -> tuple[BarRow, ...]:
    """The pill at one step: a circle when empty, stretched sideways as the lungs fill."""
    half = geometry.min_half + max(0, min(step, geometry.steps))
    return tuple(bar_row(geometry.width, half - inset) for inset in geometry.insets)


def _fit(width: int, *choices: str) -> str:
    for choice in choices:
        if len(choice) <= width:
            return choice
    return choices[-1][:width] if width > 0 else ""


FrameKey = tuple[str, int, int, int, bool, bool, int, int]


class Pacer(RestyledWidget):
    """Shows where a breath is; the session screen drives it with `show()` from its timer.

    It has no timer of its own and repaints only when what it draws changes, and then
    only the rows that changed: at most 13 times a second, a few rows each time.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "pacer--inhale",
        "pacer--hold",
        "pacer--exhale",
        "pacer--word",
        "pacer--pattern",
    }

    DEFAULT_CSS = """
    Pacer {
        width: 1fr;
        height: 1fr;
        min-height: 1;
        & > .pacer--inhale { color: $pacer-inhale; }
        & > .pacer--hold { color: $pacer-hold; }
        & > .pacer--exhale { color: $pacer-exhale; }
        & > .pacer--word { text-style: bold; }
        & > .pacer--pattern { color: $text-muted; }
        &.-paused > .pacer--inhale { color: $text-disabled; }
        &.-paused > .pacer--hold { color: $text-disabled; }
        &.-paused > .pacer--exhale { color: $text-disabled; }
        &.-paused > .pacer--word { color: $text-muted; }
    }
    """

    reduced_motion: reactive[bool] = reactive(False)
    """Move the shape only at phase boundaries (set from preferences or --reduced-motion)."""
    show_word: reactive[bool] = reactive(True)
    """Draw "Inhale 4" under the pill; off when the screen shows the word in big type."""

    def __init__(
        self,
        *,
        ascii: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.ascii = ascii
        """Whole-cell `#` shapes and `-` separators, for terminals without Unicode."""
        self._pattern: BreathingPattern | None = None
        self._pattern_texts: tuple[str, str] = ("", "")
        self._state: PhaseState | None = None
        self._paused = False
        self._key: FrameKey | None = None
        self._lines: tuple[tuple[FrameKey | None, Size], list[Strip]] | None = None
        self._styles: dict[str, Style] = {}
        self._finished = KeptLines(MAX_FINISHED_FRAMES)
        """Textual's finished lines (styled, filtered) by frame and crop: a breath repeats, so
        after the first one every frame has been finished once."""
        self._size = Size(0, 0)

    @property
    def frame_key(self) -> FrameKey | None:
        """What the current frame depends on; a new key means a repaint."""
        return self._key

    @property
    def motion_reduced(self) -> bool:
        """Reduced motion from the preference or from TEXTUAL_ANIMATIONS=none."""
        if self.reduced_motion:
            return True
        try:
            return self.app.animation_level == "none"
        except NoActiveAppError:
            return False

    def show(self, pattern: BreathingPattern, state: PhaseState, *, paused: bool = False) -> None:
        """Show a breath's state; cheap to call often, since it repaints only on a change.

        While paused the frame stays as it was when the pause began.
        """
        if not paused or self._state is None:
            if pattern is not self._pattern:
                self._pattern = pattern
                glyphs = glyphs_for(self.ascii)
                self._pattern_texts = (
                    glyphs.plain(pattern.label),
                    glyphs.plain(pattern.describe()),
                )
            self._state = state
        if paused != self._paused:
            self._paused = paused
            self.set_class(paused, "-paused")
        self._update_key()

    def _update_key(self) -> None:
        key = self._compute_key()
        if key != self._key:
            old, self._key = self._key, key
            self.refresh(*_changed_regions(old, key))

    def _compute_key(self) -> FrameKey | None:
        pattern, state = self._pattern, self._state
        if pattern is None or state is None:
            return None
        width, height = self._size
        reduced = self.motion_reduced
        step = level_step(pacer_geometry(width, height), shown_level(pattern, state, reduced))
        # The count is drawn only with the word: in big-type view it changing repaints nothing.
        seconds = state.count if self.show_word else -1
        label = self._pattern_texts[0]
        return (label, state.index, step, seconds, self._paused, reduced, width, height)

    def on_mount(self) -> None:
        self._size = self.size
        self._update_key()

    def on_resize(self) -> None:
        # Kept, not read from `size` per frame: Textual works that out from the region.
        self._size = self.size
        self._update_key()

    def watch_reduced_motion(self) -> None:
        self._update_key()

    def watch_show_word(self) -> None:
        self._update_key()
        self.refresh()

    def restyled(self) -> None:
        self._lines = None
        self._finished.forget()
        self._styles.clear()

    def _style(self, component: str = "") -> Style:
        """A component's Rich style (the widget's own for ""), looked up once per repaint."""
        style = self._styles.get(component)
        if style is None:
            style = self.get_component_rich_style(component) if component else self.rich_style
            self._styles[component] = style
        return style

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 9

    def render_lines(self, crop: Region) -> list[Strip]:
        """A frame's lines as Textual finishes them, kept per frame: once a breath has gone
        by, each frame is a lookup instead of five rows styled and filtered again (which
        cost more than the rest of a frame). Anything that changes how the lines are
        styled repaints the whole widget, which forgets what was kept (`restyled`)."""
        return self._finished.lines(self._key, crop, super().render_lines)

    def render_line(self, y: int) -> Strip:
        lines = self._render_frame()
        if 0 <= y < len(lines):
            return lines[y]
        return Strip.blank(self.size.width, self._style())

    def _render_frame(self) -> list[Strip]:
        """Every line of the current frame, built once per frame and reused on repaints."""
        size = self.size
        cache_key = (self._key, size)
        if self._lines is not None and self._lines[0] == cache_key:
            return self._lines[1]
        lines = self._build_lines(size.width, size.height)
        self._lines = (cache_key, lines)
        return lines

    def _build_lines(self, width: int, height: int) -> list[Strip]:
        base = self._style()
        blank = Strip.blank(width, base)
        lines = [blank] * max(0, height)
        pattern, state = self._pattern, self._state
        if pattern is None or state is None or width <= 0 or height <= 0:
            return lines
        geometry = pacer_geometry(width, height)
        phase_class = f"pacer--{state.phase.value}"
        shape_style = self._style(phase_class)
        reverse = shape_style + Style(reverse=True)  # Rich keeps the sums it has made
        step = level_step(geometry, shown_level(pattern, state, self.motion_reduced))
        for offset, row in enumerate(shape_rows(geometry, step)):
            if self.ascii:
                lines[geometry.band_top + offset] = _ascii_bar_strip(row, base, shape_style)
            else:
                lines[geometry.band_top + offset] = _bar_strip(row, base, shape_style, reverse)
        if not self.show_word:
            word = ""
        elif self._paused:
            word = _fit(width, PAUSED_WORD)
        else:
            seconds = state.count
            word = _fit(width, f"{state.said} {seconds}", state.said)
        word_style = self._style("pacer--word")
        lines[geometry.word_row] = placed_row(word, width, base, word_style)
        if geometry.pattern_row >= 0:
            # The pattern with its units (`box · in 4 s, hold 4 s, ...`): a legend in small
            # muted type; the one capitalised word, above, is what to do now.
            label, described = self._pattern_texts
            pattern_style = self._style("pacer--pattern")
            text = _fit(width, label, described, glyphs_for(self.ascii).plain(pattern.name))
            lines[geometry.pattern_row] = placed_row(text, width, base, pattern_style)
        return lines


def _changed_regions(old: FrameKey | None, new: FrameKey | None) -> list[Region]:
    """The rows that differ: when only the level or the seconds moved on, those rows; else
    the whole widget, as a region (none means the styles changed; see `RestyledWidget`).

    Most frames only move the ends of the pill, so the blank rows around it and the
    pattern's numbers need not be sent to the terminal again. Whole rows, because Textual
    writes a line from the widget's left edge to the end of a dirty span anyway.
    """
    if new is None:
        return []
    if old is None or old[:2] != new[:2] or old[4:] != new[4:]:
        return [Region(0, 0, new[6], new[7])]
    width, height = new[6], new[7]
    geometry = pacer_geometry(width, height)
    regions: list[Region] = []
    if old[2] != new[2] and geometry.band_rows > 0:
        regions.append(Region(0, geometry.band_top, width, geometry.band_rows))
    if old[3] != new[3] and geometry.word_row >= 0:
        regions.append(Region(0, geometry.word_row, width, 1))
    return regions


def _ascii_bar_strip(row: BarRow, base: Style, style: Style) -> Strip:
    """The same row in whole cells: an edge cell counts when at least half of it is filled."""
    left_filled = 8 - LEFT_EIGHTHS.index(row.left_edge) if row.left_edge else 0
    right_filled = LEFT_EIGHTHS.index(row.right_edge) if row.right_edge else 0
    left = "#" if left_filled >= 4 else " " * len(row.left_edge)
    right = "#" if right_filled >= 4 else " " * len(row.right_edge)
    segments = [
        Segment(" " * row.lead, base),
        Segment(left, style if left.strip() else base),
        Segment("#" * row.body, style),
        Segment(right, style if right.strip() else base),
        Segment(" " * row.trail, base),
    ]
    return Strip([s for s in segments if s.text], len(row.text))


def _bar_strip(row: BarRow, base: Style, style: Style, reverse: Style) -> Strip:
    segments = [
        Segment(" " * row.lead, base),
        Segment(row.left_edge, reverse),
        Segment(FULL * row.body, style),
        Segment(row.right_edge, style),
        Segment(" " * row.trail, base),
    ]
    return Strip([s for s in segments if s.text], len(row.text))
