"""Big type: words drawn several rows tall, to be read from a metre away.

Each character is a small bitmap five pixels tall. In Unicode two pixel rows share one
terminal row through the half blocks ▀ ▄ █, so a line of big type is three rows tall at
scale 1; in ASCII each pixel row is a terminal row of `#`, five rows tall. A larger scale
repeats every pixel across and down, so the same words fill a large window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PIXEL_ROWS = 5
LETTER_GAP = 1
WORD_GAP = 2

# Each glyph is five strings of equal width: "#" is ink, "." is paper. Letters are drawn as
# capitals (big type reads best that way); anything not here is drawn as a blank.
_FONT_ROWS: dict[str, tuple[str, str, str, str, str]] = {
    "A": (".#.", "#.#", "###", "#.#", "#.#"),
    "B": ("##.", "#.#", "##.", "#.#", "##."),
    "C": (".##", "#..", "#..", "#..", ".##"),
    "D": ("##.", "#.#", "#.#", "#.#", "##."),
    "E": ("###", "#..", "##.", "#..", "###"),
    "F": ("###", "#..", "##.", "#..", "#.."),
    "G": (".##.", "#...", "#.##", "#..#", ".##."),
    "H": ("#.#", "#.#", "###", "#.#", "#.#"),
    "I": ("###", ".#.", ".#.", ".#.", "###"),
    "J": ("..#", "..#", "..#", "#.#", ".#."),
    "K": ("#.#", "#.#", "##.", "#.#", "#.#"),
    "L": ("#..", "#..", "#..", "#..", "###"),
    "M": ("#...#", "##.##", "#.#.#", "#...#", "#...#"),
    "N": ("#..#", "##.#", "#.##", "#..#", "#..#"),
    "O": (".#.", "#.#", "#.#", "#.#", ".#."),
    "P": ("##.", "#.#", "##.", "#..", "#.."),
    "Q": (".#.", "#.#", "#.#", "##.", ".##"),
    "R": ("##.", "#.#", "##.", "#.#", "#.#"),
    "S": (".##", "#..", ".#.", "..#", "##."),
    "T": ("###", ".#.", ".#.", ".#.", ".#."),
    "U": ("#.#", "#.#", "#.#", "#.#", "###"),
    "V": ("#.#", "#.#", "#.#", "#.#", ".#."),
    "W": ("#...#", "#...#", "#.#.#", "##.##", "#...#"),
    "X": ("#.#", "#.#", ".#.", "#.#", "#.#"),
    "Y": ("#.#", "#.#", ".#.", ".#.", ".#."),
    "Z": ("###", "..#", ".#.", "#..", "###"),
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#", "##", ".#", ".#", ".#"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", ".##", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    ":": (".", "#", ".", "#", "."),
    ".": (".", ".", ".", ".", "#"),
    ",": ("..", "..", "..", ".#", "#."),
    "!": ("#", "#", "#", ".", "#"),
    "?": ("###", "..#", ".#.", "...", ".#."),
    "-": ("...", "...", "###", "...", "..."),
    "'": ("#", "#", ".", ".", "."),
    "·": (".", ".", "#", ".", "."),
    "&": (".#..", "#.#.", ".#.#", "#.#.", ".#.#"),
}


@dataclass(frozen=True)
class Glyph:
    """One character's pixels, top row first."""

    rows: tuple[tuple[bool, ...], ...]

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


def _glyph(rows: Sequence[str]) -> Glyph:
    return Glyph(tuple(tuple(cell == "#" for cell in row) for row in rows))


FONT: dict[str, Glyph] = {char: _glyph(rows) for char, rows in _FONT_ROWS.items()}


def pixels(text: str) -> list[list[bool]]:
    """The text as PIXEL_ROWS rows of pixels at scale 1, letters one pixel apart."""
    rows: list[list[bool]] = [[] for _ in range(PIXEL_ROWS)]
    first = True
    for char in text.upper():
        if char == " ":
            for row in rows:
                row.extend([False] * WORD_GAP)
            first = True
            continue
        glyph = FONT.get(char)
        if glyph is None:
            continue  # nothing to draw it with: leave it out rather than guess
        for index, row in enumerate(rows):
            if not first:
                row.extend([False] * LETTER_GAP)
            row.extend(glyph.rows[index])
        first = False
    return rows


def measure(text: str, *, ascii: bool = False, scale: int = 1) -> tuple[int, int]:
    """(width, height) in terminal cells that `render` will take."""
    width = len(pixels(text)[0]) * scale
    return width, rows_tall(ascii=ascii, scale=scale)


def rows_tall(*, ascii: bool = False, scale: int = 1) -> int:
    pixel_rows = PIXEL_ROWS * scale
    return pixel_rows if ascii else (pixel_rows + 1) // 2


def render(text: str, *, ascii: bool = False, scale: int = 1) -> list[str]:
    """The text in big type: one string per terminal row, all the same width."""
    if scale < 1:
        raise ValueError(f"scale must be 1 or more, got {scale}")
    grid = [
        [pixel for pixel in row for _ in range(scale)] for row in pixels(text) for _ in range(scale)
    ]
    if ascii:
        return ["".join("#" if on else " " for on in row) for row in grid]
    if len(grid) % 2:
        grid.append([False] * (len(grid[0]) if grid else 0))
    lines = []
    for top, bottom in zip(grid[0::2], grid[1::2], strict=True):
        lines.append("".join(_half_block(up, down) for up, down in zip(top, bottom, strict=True)))
    return lines


def _half_block(top: bool, bottom: bool) -> str:
    if top and bottom:
        return "█"
    if top:
        return "▀"
    if bottom:
        return "▄"
    return " "


def largest_scale(text: str, width: int, height: int, *, ascii: bool = False) -> int:
    """The largest scale at which `text` fits in width x height cells; 0 if not even 1."""
    scale = 0
    while True:
        w, h = measure(text, ascii=ascii, scale=scale + 1)
        if w > width or h > height:
            return scale
        scale += 1


def wrap_words(text: str, width: int, *, ascii: bool = False, scale: int = 1) -> list[str] | None:
    """`text` broken at spaces into lines that each fit `width` cells in big type, or None
    when one word alone is too wide or a character has no glyph."""
    words = text.split()
    if not words or any(char.upper() not in FONT for word in words for char in word):
        return None
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if measure(candidate, ascii=ascii, scale=scale)[0] <= width:
            line = candidate
            continue
        if not line:
            return None  # a single word wider than the window
        lines.append(line)
        line = word
        if measure(line, ascii=ascii, scale=scale)[0] > width:
            return None
    lines.append(line)
    return lines
