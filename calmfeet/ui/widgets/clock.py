"""The session's clock: Textual's `Digits`, drawn straight into rows.

It changes every second of a session. `Digits` draws through Rich (an `Align` around its
renderable, rendered by a console), which cost about half a millisecond each time; the same
glyphs joined into rows cost a small fraction of that, and look the same.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.renderables.digits import Digits as DigitRows
from textual.strip import Strip
from textual.widgets import Digits

from calmfeet.ui.widgets.strips import placed_row


class Clock(Digits):
    """`Digits` with its rows built once per value, style and width, without Rich's console."""

    def __init__(
        self,
        value: str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(value, name=name, id=id, classes=classes)
        self._rows_key: tuple[str, Style, int, str] | None = None
        self._rows: list[Strip] = []

    def render_line(self, y: int) -> Strip:
        style = self.rich_style
        width = self.size.width
        align = str(self.styles.text_align)
        key = (self.value, style, width, align)
        if key != self._rows_key:
            self._rows = self._build_rows(style, width, align)
            self._rows_key = key
        if 0 <= y < len(self._rows):
            return self._rows[y]
        return Strip.blank(width, style)

    def _build_rows(self, style: Style, width: int, align: str) -> list[Strip]:
        texts = [
            piece.text
            for piece in DigitRows(self.value, style).render(style)
            if isinstance(piece, Segment) and piece.text != "\n"
        ]
        return [placed_row(text, width, style, style, align) for text in texts]
