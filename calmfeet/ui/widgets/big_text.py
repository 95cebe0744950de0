"""Big type on screen: a word or two drawn several rows tall, to be read from a metre away."""

from __future__ import annotations

import textwrap
from functools import lru_cache
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip

from calmfeet.core import bigtype
from calmfeet.ui.widgets.kept_lines import KeptLines, RestyledWidget
from calmfeet.ui.widgets.strips import placed_row

UNLIMITED_ROWS = 10_000
MAX_KEPT_TEXTS = 256
"""Every word and count of a breath, at a size or two."""


def drawable(text: str) -> bool:
    """True when every character has a big-type glyph: a word with a letter left out would
    read as another word, so such text is shown plainly instead."""
    return all(char == " " or char.upper() in bigtype.FONT for char in text)


def fitting_scale(text: str, width: int, rows: int, *, ascii: bool = False) -> int:
    """The largest scale at which `text` fits `width` x `rows` cells; 0 when it does not fit
    even at scale 1 or cannot be drawn in big type at all."""
    if not text.strip() or not drawable(text):
        return 0
    return bigtype.largest_scale(text, width, rows, ascii=ascii)


@lru_cache(maxsize=64)
def big_lines(text: str, scale: int, ascii: bool) -> tuple[str, ...]:
    """The rows of `text` at `scale`, shared by every widget and every repaint."""
    return tuple(bigtype.render(text, ascii=ascii, scale=scale))


class BigText(RestyledWidget):
    """A short text in the largest big type that fits, centred; plain text when even the
    smallest big type does not fit.

    `max_rows` caps how tall it grows (the layout sets it from the window's size); `sample`,
    when set, is the text the scale is measured with, so a count that changes width each
    second ("Hold 7", "Exhale 8") keeps one size. Height `auto` gives the rows the scale
    needs at the current width. Lines are built once per (text, size, scale, ascii) and the
    widget repaints only when the text or its size changes.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"big-text--ink"}

    DEFAULT_CSS = """
    BigText {
        width: 1fr;
        height: auto;
        & > .big-text--ink { text-style: bold; }
    }
    """

    text: reactive[str] = reactive("", layout=False, repaint=False)
    sample: reactive[str] = reactive("", layout=False, repaint=False)
    max_rows: reactive[int] = reactive(UNLIMITED_ROWS, layout=False, repaint=False)

    def __init__(
        self,
        text: str = "",
        *,
        ascii: bool = False,
        wrap: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.ascii = ascii
        self.wrap = wrap
        """A sentence in big type over several lines (scale 1), instead of one line."""
        self.set_reactive(BigText.text, text)
        self._lines_key: tuple[object, ...] | None = None
        self._lines: list[Strip] = []
        self._finished = KeptLines(MAX_KEPT_TEXTS)
        """Textual's finished lines by text, size and crop: the breath's words come round
        every few seconds, and restyling the rows of big type is most of what they cost."""

    # ---- sizing -----------------------------------------------------------------------------

    def scale_for(self, width: int, rows: int) -> int:
        """The scale drawn in `width` x `rows` cells (0: plain text)."""
        measured = self.sample or self.text
        if not drawable(self.text):
            return 0
        return fitting_scale(measured, width, min(rows, self.max_rows), ascii=self.ascii)

    @property
    def scale(self) -> int:
        """The scale on screen now (0: plain text, or nothing)."""
        width, height = self.size
        return self.scale_for(width, height)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max(1, len(self.text))

    def wrapped(self, width: int) -> list[str] | None:
        """A wrapping BigText's lines of words, or None when they are shown plainly: a
        character without a glyph, a word too wide, or more rows than `max_rows`."""
        if not self.wrap:
            return None
        lines = bigtype.wrap_words(self.text, width, ascii=self.ascii)
        if lines is None or self._wrapped_rows(len(lines)) > self.max_rows:
            return None
        return lines

    def _wrapped_rows(self, line_count: int) -> int:
        """Each line's rows, with one blank row between lines."""
        return line_count * (bigtype.rows_tall(ascii=self.ascii) + 1) - 1

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.wrap:
            lines = self.wrapped(width)
            if lines is not None:
                return self._wrapped_rows(len(lines))
            return max(1, len(textwrap.wrap(self.text, max(1, width))))
        scale = self.scale_for(width, UNLIMITED_ROWS)
        return bigtype.rows_tall(ascii=self.ascii, scale=scale) if scale else 1

    def _relayout(self) -> None:
        """A new text may need another height (auto) or only new lines (a fixed height)."""
        self.refresh(layout=self.styles.height is None or self.styles.height.is_auto)

    def watch_text(self, old: str, new: str) -> None:
        if old == new:
            return
        if self.sample and drawable(old) == drawable(new):
            # Measured by the sample, so the same size: new lines, no new layout. This is the
            # breath's count, once a second; a layout pass costs ten times a repaint. The
            # whole widget as a region: a refresh without one means the styles changed.
            self.refresh(self.size.region)
        else:
            self._relayout()

    def watch_sample(self, old: str, new: str) -> None:
        if old != new:
            self._relayout()

    def watch_max_rows(self, old: int, new: int) -> None:
        if old != new:
            self._relayout()

    def restyled(self) -> None:
        self._lines_key = None  # a theme change alters the colours baked into the lines
        self._finished.forget()

    # ---- drawing ----------------------------------------------------------------------------

    def ink_class(self) -> str:
        """The component class whose colour the letters take."""
        return "big-text--ink"

    def _state(self) -> tuple[object, ...]:
        """All that the lines drawn depend on, besides the styles."""
        width, height = self.size
        return (
            self.text,
            self.sample,
            self.max_rows,
            width,
            height,
            self.ascii,
            self.wrap,
            self.ink_class(),
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        return self._finished.lines(self._state(), crop, super().render_lines)

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = self._state()
        if key != self._lines_key:
            self._lines = self._build_lines(width, height)
            self._lines_key = key
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(width, self.rich_style)

    def _build_lines(self, width: int, height: int) -> list[Strip]:
        if width <= 0 or height <= 0:
            return []
        base = self.rich_style
        ink = self.get_component_rich_style(self.ink_class())
        if self.wrap:
            return self._wrapped_lines(width, height, base, ink)
        scale = self.scale_for(width, height)
        rows = list(big_lines(self.text, scale, self.ascii)) if scale else [self.text[:width]]
        top = max(0, (height - len(rows)) // 2)
        blank = Strip.blank(width, base)
        strips = [blank] * top
        strips.extend(placed_row(row, width, base, ink) for row in rows[: height - top])
        strips.extend([blank] * (height - len(strips)))
        return strips

    def _wrapped_lines(self, width: int, height: int, base: Style, ink: Style) -> list[Strip]:
        """Left-aligned lines of big type, or the plain sentence wrapped when it cannot be."""
        lines = self.wrapped(width)
        blank = Strip.blank(width, base)
        if lines is None:
            plain = textwrap.wrap(self.text, max(1, width)) or [""]
            rows = [Strip([Segment(line.ljust(width), ink)], width) for line in plain]
        else:
            rows = []
            for index, line in enumerate(lines):
                if index:
                    rows.append(blank)
                rows.extend(
                    Strip([Segment(row.ljust(width)[:width], ink)], width)
                    for row in big_lines(line, 1, self.ascii)
                )
        rows = rows[:height]
        return rows + [blank] * (height - len(rows))


class BreathWord(BigText):
    """The breath's word and count ("Inhale 4") in big type, in its phase's colour.

    The colour is a component class picked by `phase`, not a CSS class on the widget: a
    class change restyles the widget and forgets the lines it kept, and the phase changes
    every few seconds, so each breath would draw its words afresh.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "big-text--ink",
        "breath-word--inhale",
        "breath-word--hold",
        "breath-word--exhale",
    }

    DEFAULT_CSS = """
    BreathWord > .breath-word--inhale,
    BreathWord > .breath-word--hold,
    BreathWord > .breath-word--exhale { text-style: bold; }
    """

    phase: reactive[str] = reactive("", layout=False, repaint=False)
    """`inhale`, `hold` or `exhale`; empty for the plain ink."""

    def watch_phase(self) -> None:
        self.refresh(self.size.region)

    def ink_class(self) -> str:
        return f"breath-word--{self.phase}" if self.phase else "big-text--ink"
