"""Every character calmfeet draws that has an ASCII stand-in, and the words around numbers."""

from __future__ import annotations

import locale
import math
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

COUNTDOWN_EPSILON = 1e-9
"""A float a hair above a whole second (2.0000000001 from summing steps) still shows as 2."""


@dataclass(frozen=True)
class FootGlyphs:
    """The foot map's marks: the lit zone differs by shape as well as colour, so the map reads
    on a monochrome terminal."""

    sole: str
    sole_on: str
    toe: str
    toe_on: str
    top: str
    top_on: str
    ankle: str
    ankle_on: str
    dot: str
    point: str
    """A step's point (KI1): one cell, unlike any other mark, lit or not."""


@dataclass(frozen=True)
class Glyphs:
    """One set of marks: `--ascii` (or a locale without UTF-8) picks ASCII, else Unicode."""

    ascii: bool
    dot: str
    """Between words: `Left foot · arch`."""
    ellipsis: str
    star: str
    warning: str
    up: str
    down: str
    minus: str
    progress_done: str
    progress_rest: str
    progress_todo: str
    foot: FootGlyphs

    def plain(self, text: str) -> str:
        """The same text with every Unicode mark replaced one character for one (so styled
        spans stay where they were); unchanged in Unicode mode."""
        return text.translate(_TO_ASCII) if self.ascii else text


UNICODE = Glyphs(
    ascii=False,
    dot="·",
    ellipsis="…",
    star="★",
    warning="⚠",
    up="↑",
    down="↓",
    minus="−",
    progress_done="━",
    progress_rest="╌",
    progress_todo="─",
    foot=FootGlyphs("░", "█", "○", "●", "△", "▲", "◇", "◆", "·", "◉"),
)
ASCII = Glyphs(
    ascii=True,
    dot="-",
    ellipsis="...",
    star="*",
    warning="!",
    up="^",
    down="v",
    minus="-",
    progress_done="=",
    progress_rest=".",
    progress_todo="-",
    # Each lit mark differs from its own unlit mark and from every other lit one, as in Unicode.
    foot=FootGlyphs(".", "#", "o", "@", "^", "A", "*", "X", "-", "+"),
)
_TO_ASCII = str.maketrans(
    {
        "★": "*",
        "·": "-",
        "⚠": "!",
        "↑": "^",
        "↓": "v",
        "−": "-",
        "–": "-",
        "—": "-",
        "…": ".",
        "✓": "+",
    }
)


def glyphs_for(ascii: bool) -> Glyphs:
    return ASCII if ascii else UNICODE


def unicode_supported(env: Mapping[str, str] | None = None) -> bool:
    """Whether the locale promises UTF-8; the first of LC_ALL, LC_CTYPE, LANG that is set wins.

    An unset locale counts as UTF-8 because that is what nearly every modern terminal speaks,
    and a C/POSIX locale is the usual sign of a bare console that cannot show block characters.
    """
    source = os.environ if env is None else env
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = source.get(name, "")
        if value:
            lowered = value.lower()
            return "utf-8" in lowered or "utf8" in lowered
    return True


def wants_ascii(flag: bool, env: Mapping[str, str] | None = None) -> bool:
    """ASCII when asked for, or when the terminal's encoding cannot show Unicode."""
    if flag or not unicode_supported(env):
        return True
    return "utf" not in (locale.getpreferredencoding(False) or "utf-8").lower()


def whole_seconds(seconds: float) -> int:
    """A countdown as a person reads it: rounded up, so 0 shows only when time is really up."""
    return max(0, math.ceil(seconds - COUNTDOWN_EPSILON))


def seconds_to_next_whole(seconds: float) -> float | None:
    """How long until `whole_seconds(seconds)` shows its next number; None when it is at 0."""
    if seconds <= COUNTDOWN_EPSILON:
        return None
    return seconds - (whole_seconds(seconds) - 1)


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 step`, `3 steps`; `many` for words that do not just add an s."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def display_width(text: str) -> int:
    """Terminal cells `text` takes: wide (East Asian) characters take two, combining marks
    and zero-width characters none. Enough to line up columns in `calmfeet list` without a
    dependency; the app itself leaves this to Rich."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    """`text` padded with spaces on the right to `width` terminal cells."""
    return text + " " * max(0, width - display_width(text))


def fit_encoding(text: str, encoding: str | None) -> str:
    """`text` as a stream with this encoding can print it: calmfeet's own marks become ASCII
    and anything else that cannot be encoded becomes `?`, instead of a UnicodeEncodeError."""
    codec = encoding or "utf-8"
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        plain = ASCII.plain(text)
        return plain.encode(codec, errors="replace").decode(codec)
    except LookupError:  # an encoding Python does not know: ASCII is always safe
        return ASCII.plain(text).encode("ascii", errors="replace").decode("ascii")
    return text
