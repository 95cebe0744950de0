"""A drawing of both soles split into massage zones, as a grid of cells, Unicode or ASCII."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal, NamedTuple

from calmfeet.core.glyphs import FootGlyphs, glyphs_for
from calmfeet.core.model import FEET, ZONES
from calmfeet.core.points import POINT_IDS, chart_line, get_point

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


_HUGE_TOE_ROWS = 2
_TEMPLATES["huge"] = _doubled(_TEMPLATES["large"], toe_rows=_HUGE_TOE_ROWS)


def _huge_row(large_row: int) -> int:
    """Where a row of the large drawing starts in the huge one (`_doubled`'s rule)."""
    if large_row < _HUGE_TOE_ROWS:
        return large_row
    return _HUGE_TOE_ROWS + (large_row - _HUGE_TOE_ROWS) * 2


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
    "small": {"top": 3, "ankle": 5},
}
_MARKER_ROWS["huge"] = {name: _huge_row(row) for name, row in _MARKER_ROWS["large"].items()}
_GAP: dict[DrawingSize, int] = {"huge": 6, "large": 4, "small": 3}

# Where each point is drawn. A point on the sole (or a toe) is a cell of the template, given
# for the large and small drawings (the huge one is the large one doubled). A point on the top
# of the foot or round the ankle stands beside the foot like the zone markers: on the outer
# side in the marker's own place, or on the inner side, facing the other foot.
_SOLE_SPOTS: dict[str, dict[DrawingSize, tuple[int, int]]] = {
    "KI1": {"large": (4, 6), "small": (2, 4)},  # below the ball, under the 2nd and 3rd toes
    "SP4": {"large": (5, 9), "small": (3, 5)},  # the inner edge, behind the ball
    "BL67": {"large": (1, 2), "small": (0, 1)},  # the little toe
}
SideSpot = tuple[str, str, int]
"""Beside the foot: which marker row (`top` or `ankle`), which side, and rows toward the toes."""
_SIDE_SPOTS: dict[str, SideSpot] = {
    "LR3": ("top", "outer", 0),
    "ST44": ("top", "outer", 0),
    "KI3": ("ankle", "inner", 0),
    "BL60": ("ankle", "outer", 0),
    "SP6": ("ankle", "inner", 1),  # up the leg from the inner ankle
}


class Cell(NamedTuple):
    char: str
    zone: str | None
    highlighted: bool
    foot: str | None = None
    point: str | None = None
    """The id of the point drawn in this cell (KI1), else None."""


BLANK = Cell(" ", None, False, None)


@dataclass(frozen=True)
class FootDrawing:
    """The two feet as rows of cells, plus legend lines saying in words what is highlighted."""

    rows: tuple[tuple[Cell, ...], ...]
    legend: tuple[tuple[Cell, ...], ...]
    foot: str
    zone: str
    size: DrawingSize
    point: str = ""
    notes: tuple[str, ...] = ()
    """Plain sentences to show below the legend where there is room (reflexology's chart for
    the lit zone), wrapped to the space by whoever draws them."""

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


def describe(foot: str, zone: str, point: str = "") -> str:
    """The highlighted place in words, e.g. `arch · right foot` or `KI1 sole · right foot`."""
    _check(foot, zone, point)
    found = get_point(point)
    where = f"{found.id} {found.place}" if found is not None else ZONE_WORDS[zone]
    return f"{where} · {FOOT_WORDS[foot]}"


def _check(foot: str, zone: str, point: str = "") -> None:
    if foot not in FEET:
        raise ValueError(f"unknown foot {foot!r}; expected one of {', '.join(FEET)}")
    if zone not in ZONES:
        raise ValueError(f"unknown zone {zone!r}; expected one of {', '.join(ZONES)}")
    if point and point not in POINT_IDS:
        raise ValueError(f"unknown point {point!r}; expected one of {', '.join(POINT_IDS)}")


def point_spot(point: str, size: DrawingSize) -> tuple[int, int]:
    """Where `point` is drawn on the left foot of this size: (row, cell), counting the cells
    of `_foot_cells`' rows (two blanks on the outer side, then the template)."""
    template = _TEMPLATES[size]
    if point in _SOLE_SPOTS:
        if size == "huge":
            row, col = _SOLE_SPOTS[point]["large"]
            row = _huge_row(row)
            col *= 2  # every template letter is two cells wide in the huge drawing
        else:
            row, col = _SOLE_SPOTS[point][size]
        return row, 2 + col
    marker, side, toward_toes = _SIDE_SPOTS[point]
    row = _MARKER_ROWS[size][marker] - toward_toes
    line = template[row]
    if side == "outer":
        return row, len(line) - len(line.lstrip())  # the zone marker's own cell
    return row, 2 + len(line.rstrip()) + 1  # one blank past the inner outline


def _highlight_glyph(zone: str, glyphs: FootGlyphs) -> str:
    if zone == "top":
        return glyphs.top_on
    if zone == "ankle":
        return glyphs.ankle_on
    if zone == "toes":
        return glyphs.toe_on
    return glyphs.sole_on


def _foot_cells(
    side: str, size: DrawingSize, lit_zone: str | None, glyphs: FootGlyphs, point: str = ""
) -> list[list[Cell]]:
    """One foot with its markers on the outer side; `lit_zone` None means not this foot.

    With a `point`, only the point is lit on this foot (not its whole zone): it is the
    place to press."""
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
        rows.append(row)
    found = get_point(point)
    if found is not None and lit_zone is not None:
        y, x = point_spot(found.id, size)
        rows[y][x] = Cell(glyphs.point, found.zone, True, side, found.id)
    return rows if side == "left" else [row[::-1] for row in rows]


def _words(text: str) -> list[Cell]:
    return [Cell(char, None, False) for char in text]


def draw_feet(
    foot: str, zone: str, *, ascii: bool = False, size: DrawingSize = "large", point: str = ""
) -> FootDrawing:
    """Both soles side by side with `zone` highlighted on `foot` ("both" lights both feet).

    The view is as seen when looking down at your own feet: left foot on the left, toes at the
    top, big toes on the inner sides facing each other. `whole` lights every sole cell;
    `top` and `ankle` light a marker beside the foot, on its outer side. A `point` (KI1) is
    lit alone, in its own mark: on the sole, or beside the foot for the top and the ankle.
    """
    _check(foot, zone, point)
    if size not in _TEMPLATES:
        raise ValueError(f"unknown size {size!r}; expected one of {', '.join(SIZES)}")
    glyphs = glyphs_for(ascii).foot
    shown_zone = "" if point else zone  # a point is lit on its own
    left = _foot_cells(
        "left", size, shown_zone if foot in ("left", "both") else None, glyphs, point
    )
    right = _foot_cells(
        "right", size, shown_zone if foot in ("right", "both") else None, glyphs, point
    )
    gap = [BLANK] * _GAP[size]
    rows = tuple(tuple([*lrow, *gap, *rrow]) for lrow, rrow in zip(left, right, strict=True))
    lit_foot = None if foot == "both" else foot
    found = get_point(point)
    if found is not None:
        first = (
            Cell(glyphs.point, found.zone, True, lit_foot, found.id),
            *_words(f" {found.id} {found.place} {glyphs.dot} {FOOT_WORDS[foot]}"),
        )
        notes: tuple[str, ...] = ()
    else:
        first = (
            Cell(_highlight_glyph(zone, glyphs), zone, True, lit_foot),
            *_words(f" {ZONE_WORDS[zone]} {glyphs.dot} {FOOT_WORDS[foot]}"),
        )
        notes = tuple(line for line in (chart_line(zone),) if line)
    legend = (
        first,
        (
            Cell(glyphs.top, "top", False),
            *_words(" top of foot  "),
            Cell(glyphs.ankle, "ankle", False),
            *_words(" ankle"),
        ),
    )
    return FootDrawing(
        rows=rows, legend=legend, foot=foot, zone=zone, size=size, point=point, notes=notes
    )


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
