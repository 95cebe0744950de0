"""A drawing of both soles split into massage zones, as a grid of cells, Unicode or ASCII."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal, NamedTuple

from calmfeet.core.glyphs import FootGlyphs, glyphs_for
from calmfeet.core.model import FEET, ZONES

DrawingSize = Literal["small", "large", "huge"]
SIZES: tuple[DrawingSize, ...] = ("huge", "large", "small")
"""Largest first: a window picks the first that fits."""

ZONE_WORDS: dict[str, str] = {
    "toes": "toes",
    "ball": "ball",
    "arch": "arch",
    "heel": "heel",
    "inner-edge": "inner edge",
    "outer-edge": "outer edge",
    "top": "top of foot",
    "ankle": "ankle",
    "whole": "whole sole",
}
FOOT_WORDS: dict[str, str] = {"left": "left foot", "right": "right foot", "both": "both feet"}

MARKER_ZONES = ("top", "ankle")
SOLE_ZONES = ("toes", "ball", "arch", "heel", "inner-edge", "outer-edge")

# The LEFT sole, as seen when looking down at your own feet: toes up, heel down, and the
# inner side (big toe, arch) on the right, facing the other foot. The right sole is its mirror.
# t = small toe, T = big toe, b = ball, a = arch, i = inner edge, o = outer edge, h = heel.
_TEMPLATES: dict[DrawingSize, tuple[str, ...]] = {
    "large": (
        "     t t TT ",
        "  t t   TTT ",
        " bbbbbbbbbbb",
        "bbbbbbbbbbbb",
        " bbbbbbbbbbb",
        "  oaaaaaai  ",
        "  oaaaai    ",
        "  oaaaaai   ",
        "  hhhhhhhh  ",
        "  hhhhhhhh  ",
        "   hhhhhh   ",
    ),
    "small": (
        " tttt TT",
        "bbbbbbbb",
        "bbbbbbbb",
        " oaaai  ",
        " oaai   ",
        " hhhhh  ",
        "  hhh   ",
    ),
}


def _doubled(template: tuple[str, ...], toe_rows: int) -> tuple[str, ...]:
    """The same sole twice as wide and tall, for a large window. Toes stay one row each and
    a small toe stays one cell (with a gap), so five toes do not turn into ten."""
    rows: list[str] = []
    for y, line in enumerate(template):
        wide = "".join(letter + " " if letter == "t" else letter * 2 for letter in line)
        rows.extend([wide] if y < toe_rows else [wide, wide])
    return tuple(rows)


_TEMPLATES["huge"] = _doubled(_TEMPLATES["large"], toe_rows=2)

_LETTER_ZONES = {
    "t": "toes",
    "T": "toes",
    "b": "ball",
    "a": "arch",
    "i": "inner-edge",
    "o": "outer-edge",
    "h": "heel",
}
# Rows (in the template) beside which the top-of-foot and ankle markers sit, on the outer side.
_MARKER_ROWS: dict[DrawingSize, dict[str, int]] = {
    "large": {"top": 5, "ankle": 8},
    "huge": {"top": 8, "ankle": 14},
    "small": {"top": 3, "ankle": 5},
}
_GAP: dict[DrawingSize, int] = {"huge": 6, "large": 4, "small": 3}


class Cell(NamedTuple):
    char: str
    zone: str | None
    highlighted: bool
    foot: str | None = None


BLANK = Cell(" ", None, False, None)


@dataclass(frozen=True)
class FootDrawing:
    """The two feet as rows of cells, plus legend lines saying in words what is highlighted."""

    rows: tuple[tuple[Cell, ...], ...]
    legend: tuple[tuple[Cell, ...], ...]
    foot: str
    zone: str
    size: DrawingSize

    @property
    def width(self) -> int:
        """Width of the feet; a legend line may be wider and is cropped if space runs out."""
        return len(self.rows[0]) if self.rows else 0

    @property
    def height(self) -> int:
        return len(self.rows) + len(self.legend)

    @property
    def legend_text(self) -> tuple[str, ...]:
        return tuple("".join(cell.char for cell in line) for line in self.legend)

    def lines(self) -> list[str]:
        """The drawing as plain text, feet then legend (for tests and for a text-only log)."""
        feet = ["".join(cell.char for cell in row).rstrip() for row in self.rows]
        return feet + list(self.legend_text)

    def text(self) -> str:
        return "\n".join(self.lines())


def describe(foot: str, zone: str) -> str:
    """The highlighted place in words, e.g. `arch · right foot`."""
    _check(foot, zone)
    return f"{ZONE_WORDS[zone]} · {FOOT_WORDS[foot]}"


def _check(foot: str, zone: str) -> None:
    if foot not in FEET:
        raise ValueError(f"unknown foot {foot!r}; expected one of {', '.join(FEET)}")
    if zone not in ZONES:
        raise ValueError(f"unknown zone {zone!r}; expected one of {', '.join(ZONES)}")


def _highlight_glyph(zone: str, glyphs: FootGlyphs) -> str:
    if zone == "top":
        return glyphs.top_on
    if zone == "ankle":
        return glyphs.ankle_on
    if zone == "toes":
        return glyphs.toe_on
    return glyphs.sole_on


def _foot_cells(
    side: str, size: DrawingSize, lit_zone: str | None, glyphs: FootGlyphs
) -> list[list[Cell]]:
    """One foot with its markers on the outer side; `lit_zone` None means not this foot."""
    template = _TEMPLATES[size]
    marker_rows = {row: name for name, row in _MARKER_ROWS[size].items()}
    rows: list[list[Cell]] = []
    for y, line in enumerate(template):
        sole: list[Cell] = []
        for letter in line:
            zone = _LETTER_ZONES.get(letter)
            if zone is None:
                sole.append(BLANK)
                continue
            lit = lit_zone == zone or (lit_zone == "whole")
            if zone == "toes" and letter == "t":
                char = glyphs.toe_on if lit else glyphs.toe
            else:
                char = glyphs.sole_on if lit else glyphs.sole
            sole.append(Cell(char, zone, lit, side))
        row = [BLANK, BLANK, *sole]
        name = marker_rows.get(y)
        if name is not None:
            lit = lit_zone == name
            if name == "top":
                char = glyphs.top_on if lit else glyphs.top
            else:
                char = glyphs.ankle_on if lit else glyphs.ankle
            # One blank away from the outline, so the marker reads as beside the foot.
            outline = len(line) - len(line.lstrip())
            row[outline] = Cell(char, name, lit, side)
        rows.append(row if side == "left" else row[::-1])
    return rows


def _words(text: str) -> list[Cell]:
    return [Cell(char, None, False) for char in text]


def draw_feet(
    foot: str, zone: str, *, ascii: bool = False, size: DrawingSize = "large"
) -> FootDrawing:
    """Both soles side by side with `zone` highlighted on `foot` ("both" lights both feet).

    The view is as seen when looking down at your own feet: left foot on the left, toes at the
    top, big toes on the inner sides facing each other. `whole` lights every sole cell;
    `top` and `ankle` light a marker beside the foot, on its outer side.
    """
    _check(foot, zone)
    if size not in _TEMPLATES:
        raise ValueError(f"unknown size {size!r}; expected one of {', '.join(SIZES)}")
    glyphs = glyphs_for(ascii).foot
    left = _foot_cells("left", size, zone if foot in ("left", "both") else None, glyphs)
    right = _foot_cells("right", size, zone if foot in ("right", "both") else None, glyphs)
    gap = [BLANK] * _GAP[size]
    rows = tuple(tuple([*lrow, *gap, *rrow]) for lrow, rrow in zip(left, right, strict=True))
    lit_foot = None if foot == "both" else foot
    legend = (
        (
            Cell(_highlight_glyph(zone, glyphs), zone, True, lit_foot),
            *_words(f" {ZONE_WORDS[zone]} {glyphs.dot} {FOOT_WORDS[foot]}"),
        ),
        (
            Cell(glyphs.top, "top", False),
            *_words(" top of foot  "),
            Cell(glyphs.ankle, "ankle", False),
            *_words(" ankle"),
        ),
    )
    return FootDrawing(rows=rows, legend=legend, foot=foot, zone=zone, size=size)


@functools.cache
def drawing_extent(size: DrawingSize, *, legend_lines: int = 1) -> tuple[int, int]:
    """Width and height the feet of this size need, plus that many legend lines below them."""
    rows = draw_feet("left", "whole", size=size).rows
    return len(rows[0]), len(rows) + legend_lines


def choose_size(width: int, height: int) -> DrawingSize | None:
    """The largest drawing that fits (feet plus the legend line that says what is lit), or None."""
    for size in SIZES:
        need_width, need_height = drawing_extent(size)
        if width >= need_width and height >= need_height:
            return size
    return None
