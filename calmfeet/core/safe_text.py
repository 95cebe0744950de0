"""Text from files is data: the one place that makes it safe to print or show.

Routine names, file names, history rows and theme values are written by anyone. An ESC or C1
character in them would let a shared file set the window title, clear the screen or leave the
alternate screen; a bidi override would make text read differently from what it is. Every
output edge (the command line's streams, the app's toasts and labels) passes text through
`displayable`, and validation refuses such characters in files with `unsafe_character`.
"""

from __future__ import annotations

import json
import re
import unicodedata

_BIDI = "\u202a-\u202e\u2066-\u2069"
# fmt: off
_C0_NAMES = (
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
    "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB",
    "ESC", "FS", "GS", "RS", "US",
)
_C1_NAMES = (
    "PAD", "HOP", "BPH", "NBH", "IND", "NEL", "SSA", "ESA", "HTS", "HTJ", "VTS", "PLD", "PLU",
    "RI", "SS2", "SS3", "DCS", "PU1", "PU2", "STS", "CCH", "MW", "SPA", "EPA", "SOS", "SGCI",
    "SCI", "CSI", "ST", "OSC", "PM", "APC",
)
# fmt: on

# Unsafe anywhere: C0 but tab and newline, DEL, C1, bidi controls, and lone surrogates (an
# undecodable byte in a file name) that no terminal encoding can carry.
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
# Where one line is needed (a problem line, a list row): line breaks and tabs go too.
_UNSAFE_IN_A_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff]")
# In files: what `_UNSAFE` refuses, except that surrogates cannot be in decoded UTF-8.
_REFUSED = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
# What json.dumps(ensure_ascii=False) leaves raw but a terminal would act on.
_RAW_IN_JSON = re.compile(f"[\x7f-\x9f\u2028\u2029{_BIDI}\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the undecodable byte itself
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def displayable(text: str, *, one_line: bool = False) -> str:
    """`text` with every terminal control shown as an escape (`\\x1b`, `\\u202e`), never sent.

    Tab and newline are kept unless `one_line`, where they are escaped as well so one item
    stays one line.
    """
    pattern = _UNSAFE_IN_A_LINE if one_line else _UNSAFE
    return pattern.sub(_escape, text)


def json_text(value: object) -> str:
    """JSON for scripts that is also safe on a terminal: json escapes C0 itself, this the rest.

    Outside strings JSON is plain ASCII, so each escape lands inside a string, where `\\uXXXX`
    means the same character to any JSON reader.
    """
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def character_name(char: str) -> str:
    """`U+001B ESC`, `U+202E RIGHT-TO-LEFT OVERRIDE`: what a person can search for."""
    code = ord(char)
    if code < 0x20:
        name = _C0_NAMES[code]
    elif code == 0x7F:
        name = "DEL"
    elif 0x80 <= code <= 0x9F:
        name = _C1_NAMES[code - 0x80]
    else:
        name = unicodedata.name(char, "")
    return f"U+{code:04X} {name}".rstrip()


def unsafe_character(text: str) -> str | None:
    """The problem with text read from a file, or None: tab and newline are fine, other
    control characters and bidi overrides are refused, naming the first one found."""
    found = _REFUSED.search(text)
    if found is None:
        return None
    return f"contains a control character ({character_name(found.group())}); remove it"


def speakable(text: str) -> str:
    """Text for a voice engine: control characters and bidi controls dropped (a voice would
    read an escape aloud), and every run of spaces, tabs and line breaks made one space."""
    return " ".join(_UNSAFE_IN_A_LINE.sub(" ", text).split())
