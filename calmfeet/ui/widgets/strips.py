"""A row of text placed in a widget's width: the big type, the pacer's words and the clock
all draw their rows this way."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip


def placed_row(text: str, width: int, base: Style, ink: Style, align: str = "center") -> Strip:
    """`text`, cut to `width`, in `ink`, aligned left, center or right between spaces in
    `base`: exactly `width` cells."""
    text = text[:width]
    space = width - len(text)
    lead = space // 2 if align == "center" else space if align == "right" else 0
    segments = [
        Segment(" " * lead, base),
        Segment(text, ink),
        Segment(" " * (space - lead), base),
    ]
    return Strip([s for s in segments if s.text], width)
