"""Problems with a person's file, worded one way everywhere: `FILE:LINE: key.path: message`.

Routines, breathing patterns, themes and preferences all describe a wrong value, suggest a
close word and find the line a key sits on through here, so a person learns one way of
reading calmfeet's complaints.
"""

from __future__ import annotations

import datetime
import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from calmfeet.core.safe_text import displayable

KeyPath = tuple[str | int, ...]
"""Where a value sits: ("steps", 0, "foot") is the first step's foot (shown `steps[1].foot`)."""

CLIP = 40
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, printed as `FILE:LINE: key.path: message` on one line."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.key}: {self.message}"
        # A file name, key or value can hold a newline or an ESC: escaped, each problem
        # stays one line and never drives the terminal.
        return displayable(text, one_line=True)


def key_text(path: KeyPath) -> str:
    """A key path as a person would write it: `steps[1].foot`, `variables."odd key"`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part + 1}]"
            continue
        shown = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
        text += f".{shown}" if text else shown
    return text


def _clip(text: str) -> str:
    return text if len(text) <= CLIP else text[: CLIP - 1] + "…"


def describe_value(value: object) -> str:
    """A wrong value in words, its type first: `a number (3)`, `text ('yes')`, `a list`."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"a number ({_clip(str(value))})"  # `:g` would overflow on a huge int
    if isinstance(value, float):
        return f"a number ({value:g})"
    if isinstance(value, str):
        return f"text ({_clip(value)!r})"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date too
        return f"a date/time ({value.isoformat()})"
    return type(value).__name__


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`; did you mean 'name'?` for a close choice, or "" when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


# --- which line a key is on ------------------------------------------------------------------

_SEGMENT = r'(?:"[^"\n]*"|\'[^\'\n]*\'|[A-Za-z0-9_-]+)'
_DOTTED = rf"{_SEGMENT}(?:\s*\.\s*{_SEGMENT})*"
_ARRAY_HEADER = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]")
_TABLE_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_ANY_HEADER = re.compile(r"^\s*\[")
_KEY_LINE = re.compile(rf"^\s*({_DOTTED})\s*=")
_SEGMENT_RE = re.compile(_SEGMENT)


def _unquote(segment: str) -> str:
    if segment.startswith('"'):
        try:
            # TOML basic strings escape like JSON ones, near enough to find a key's line.
            return str(json.loads(segment))
        except ValueError:
            pass
    return segment.strip("\"'")


def _split_dotted(dotted: str) -> tuple[str, ...]:
    return tuple(_unquote(part) for part in _SEGMENT_RE.findall(dotted))


class KeyLines:
    """The first line of every key path in a TOML text, so a problem points where to edit.

    A line scan, not a parser: it only has to be right for text tomli already accepted.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[KeyPath, int] = {}
        self._arrays: dict[KeyPath, int] = {}  # [[name]] path -> how many tables so far
        table: KeyPath | None = ()
        # TOML ends lines only at "\n"; str.splitlines() would also split at U+2028 or U+0085
        # inside a string and push every later line number off by one.
        for number, line in enumerate(text.split("\n"), start=1):
            header = _ARRAY_HEADER.match(line)
            if header:
                names = _split_dotted(header.group(1))
                array = (*self._resolve(names[:-1]), names[-1])
                index = self._arrays.get(array, 0)
                self._arrays[array] = index + 1
                table = (*array, index)
                self._record(table, number)
                continue
            header = _TABLE_HEADER.match(line)
            if header:
                table = self._resolve(_split_dotted(header.group(1)))
                self._record(table, number)
                continue
            if _ANY_HEADER.match(line):
                table = None  # a header this scan cannot read: place nothing under it
                continue
            key = _KEY_LINE.match(line)
            if key and table is not None:
                self._record((*table, *_split_dotted(key.group(1))), number)

    def _resolve(self, names: tuple[str, ...]) -> KeyPath:
        """`[steps.breathing]` after `[[steps]]` belongs to the latest of those tables."""
        path: KeyPath = ()
        for name in names:
            path = (*path, name)
            if path in self._arrays:
                path = (*path, self._arrays[path] - 1)
        return path

    def _record(self, path: KeyPath, number: int) -> None:
        for end in range(1, len(path) + 1):
            self._lines.setdefault(path[:end], number)

    def find(self, path: KeyPath) -> int | None:
        """The key's line, else its nearest parent's (an inline table's keys), else None."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None

    def line_of(self, path: KeyPath) -> int:
        """The line to point a problem at: the key's, its parent's, or the first."""
        return self.find(path) or 1


class Problems:
    """Every problem found in one file, handed back in line order."""

    def __init__(self, file: str, text: str = "") -> None:
        self.file = file
        self._text = text
        self._lines: KeyLines | None = None
        self._found: list[Problem] = []

    def __bool__(self) -> bool:
        return bool(self._found)

    @property
    def lines(self) -> KeyLines:
        """Found only when there is a problem to place: a valid file never needs it."""
        if self._lines is None:
            self._lines = KeyLines(self._text)
        return self._lines

    def add(
        self,
        key: str | KeyPath,
        message: str,
        *,
        at: KeyPath | None = None,
        line: int | None = None,
    ) -> None:
        """A problem with `key`, on the line of `at` (the key itself unless given)."""
        path = (key,) if isinstance(key, str) else key
        if line is None:
            line = self.lines.line_of(path if at is None else at)
        self._found.append(Problem(self.file, line, key_text(path), message))

    @property
    def items(self) -> list[Problem]:
        return sorted(self._found, key=lambda problem: problem.line)
