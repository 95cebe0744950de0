"""Theme files: load calm TOML themes into Textual `Theme`s, strictly and without crashing."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import tomli
from textual.color import Color, ColorParseError
from textual.css.stylesheet import Stylesheet, StylesheetError
from textual.css.tokenize import IDENTIFIER
from textual.css.tokenizer import TokenError
from textual.design import ColorSystem
from textual.theme import BUILTIN_THEMES, Theme

from calmfeet.core.files import FileTrouble, NotUtf8Text, decode_utf8, read_capped
from calmfeet.core.paths import builtin_themes_dir
from calmfeet.core.problems import KeyLines, Problem, Problems, describe_value, did_you_mean
from calmfeet.core.safe_text import unsafe_character
from calmfeet.ui.theme_vars import THEME_VARIABLE_DEFAULTS, theme_variable_defaults

DEFAULT_THEME = "dusk"
MAX_THEME_BYTES = 64 * 1024

Origin = Literal["built-in", "user", "textual"]
"""calmfeet's own files, the person's files, or one of Textual's themes (after ours)."""

# Base colours a theme file may set at the top level; they map onto `Theme` fields.
COLOUR_KEYS: tuple[str, ...] = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
FRACTION_KEYS: tuple[str, ...] = ("luminosity_spread", "text_alpha")
TOP_LEVEL_KEYS: tuple[str, ...] = ("name", "dark", *COLOUR_KEYS, *FRACTION_KEYS, "variables")

_IDENTIFIER = re.compile(IDENTIFIER)
# A value spliced into CSS must stay one value: these would end or open a rule.
_CSS_BREAKERS = re.compile(r"[;{}$\\\n\r\x00]")


class ThemeFileError(Exception):
    """A theme file that cannot be used; `problems` holds one `FILE:LINE: key: message` each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class LoadedTheme:
    """A usable theme and where it came from, so `calmfeet themes` can tell the user."""

    theme: Theme
    origin: Origin
    path: Path | None

    @property
    def name(self) -> str:
        return self.theme.name


@dataclass
class ThemeCatalog:
    """Every theme that loaded, plus one line per problem with the ones that did not."""

    themes: list[LoadedTheme] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        return [loaded.name for loaded in self.themes]

    def own_names(self) -> list[str]:
        """calmfeet's themes and the person's, without Textual's."""
        return [loaded.name for loaded in self.themes if loaded.origin != "textual"]

    def get(self, name: str) -> LoadedTheme | None:
        return next((loaded for loaded in self.themes if loaded.name == name), None)


def _textual_variable_names() -> frozenset[str]:
    """Every variable Textual's colour system defines; a theme may override any of them."""
    return frozenset(ColorSystem(primary="#7fa7c9").generate())


KNOWN_VARIABLES: frozenset[str] = _textual_variable_names() | frozenset(THEME_VARIABLE_DEFAULTS)


def _quote(value: str) -> str:
    """A value as the user would write it in TOML."""
    return json.dumps(value, ensure_ascii=False)


def _problem(label: object, line: int, key: str, message: str) -> str:
    """One line per problem, whatever odd characters the file name, key or value hold."""
    return str(Problem(str(label), line, key, message))


# --- value checks -----------------------------------------------------------------------------


def _colour_problem(value: str) -> str | None:
    try:
        Color.parse(value)
    except ColorParseError as error:
        if error.suggested_color:
            return f"{_quote(value)} is not a colour; did you mean {_quote(error.suggested_color)}?"
        return (
            f'{_quote(value)} is not a colour (use "#rrggbb", "rgb(r, g, b)", '
            '"hsl(h, s%, l%)" or a colour name)'
        )
    return None


def _css_property_for(variable: str) -> str:
    """The CSS property Textual feeds this variable into, so we check it the same way."""
    if variable.endswith("-style"):
        return "text-style"
    if "background" in variable:
        return "background"
    return "color"


def _css_value_problem(variable: str, value: str) -> str | None:
    """Textual only parses theme variables when the theme is applied; check them now instead."""
    prop = _css_property_for(variable)
    if prop == "text-style":
        problem = f'{_quote(value)} is not a text style (try "bold", "b reverse" or "none")'
    else:
        also = ' or "auto 87%"' if prop == "color" else ""
        problem = f'{_quote(value)} is not a colour (try "#7fa7c9", "#7fa7c9 50%"{also})'
    if not value.strip() or _CSS_BREAKERS.search(value):
        return problem
    sheet = Stylesheet(variables={"theme-value": value})
    sheet.add_source(f"Widget {{ {prop}: $theme-value; }}", read_from=("theme", variable))
    try:
        sheet.parse()
    except (StylesheetError, TokenError):
        return problem
    return None


def _check_variables(raw: object, problems: Problems) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.add(
            "variables", f'must be a table of name = "value" pairs, not {describe_value(raw)}'
        )
        return {}
    variables: dict[str, str] = {}
    for name, value in raw.items():
        key = ("variables", name)
        if name not in KNOWN_VARIABLES:
            problems.add(
                key, f"unknown theme variable{did_you_mean(name, sorted(KNOWN_VARIABLES))}"
            )
            continue
        if not isinstance(value, str):
            problems.add(key, f"must be a string, not {describe_value(value)}")
            continue
        # calmfeet's own variables are read by widget code too, so they must be plain colours.
        message = unsafe_character(value)
        if message is None and name in THEME_VARIABLE_DEFAULTS:
            message = _colour_problem(value)
        elif message is None:
            message = _css_value_problem(name, value)
        if message:
            problems.add(key, message)
        else:
            variables[name] = value
    return variables


def _check_name(data: dict[str, object], stem: str, problems: Problems) -> str:
    raw = data.get("name", stem)
    from_file_name = "name" not in data
    if not isinstance(raw, str):
        problems.add("name", f"must be a string, not {describe_value(raw)}")
        return stem
    unsafe = unsafe_character(raw)
    if unsafe and not from_file_name:
        problems.add("name", unsafe)
        return stem
    if not _IDENTIFIER.fullmatch(raw):
        source = " (taken from the file name)" if from_file_name else ""
        problems.add(
            "name",
            f"{_quote(raw)}{source} is not a usable theme name; use letters, digits, "
            '"-" and "_", not starting with a digit',
        )
    return raw


def _build_theme(data: dict[str, object], stem: str, problems: Problems) -> Theme | None:
    for key in data:
        if key in TOP_LEVEL_KEYS:
            continue
        if key in KNOWN_VARIABLES:
            problems.add(key, "unknown key; theme variables go under [variables]")
        else:
            problems.add(key, f"unknown key{did_you_mean(key, sorted(TOP_LEVEL_KEYS))}")

    name = _check_name(data, stem, problems)

    colours: dict[str, str] = {}
    for key in COLOUR_KEYS:
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, str):
            problems.add(
                key, f'must be a colour string such as "#7fa7c9", not {describe_value(value)}'
            )
            continue
        message = unsafe_character(value) or _colour_problem(value)
        if message:
            problems.add(key, message)
        else:
            colours[key] = value
    if "primary" not in data:
        problems.add("primary", "missing; every theme needs a primary colour", line=1)

    fractions: dict[str, float] = {}
    for key in FRACTION_KEYS:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.add(key, f"must be a number from 0 to 1, not {describe_value(value)}")
        elif not 0.0 <= value <= 1.0:
            problems.add(key, f"must be from 0 to 1, not {value}")
        else:
            fractions[key] = float(value)

    dark_value = data.get("dark")
    if dark_value is None:
        # Unset: follow the background, so a light theme that forgets `dark = false` still reads.
        background = colours.get("background")
        dark = background is None or Color.parse(background).brightness < 0.5
    elif isinstance(dark_value, bool):
        dark = dark_value
    else:
        problems.add("dark", f"must be true or false, not {describe_value(dark_value)}")
        dark = True

    variables = _check_variables(data.get("variables", {}), problems)

    if problems:
        return None
    return Theme(
        name=name,
        primary=colours["primary"],
        secondary=colours.get("secondary"),
        accent=colours.get("accent"),
        warning=colours.get("warning"),
        error=colours.get("error"),
        success=colours.get("success"),
        foreground=colours.get("foreground"),
        background=colours.get("background"),
        surface=colours.get("surface"),
        panel=colours.get("panel"),
        boost=colours.get("boost"),
        dark=dark,
        luminosity_spread=fractions.get("luminosity_spread", 0.15),
        text_alpha=fractions.get("text_alpha", 0.95),
        variables={**THEME_VARIABLE_DEFAULTS, **variables},
    )


def _read_text(path: Path, problems: Problems) -> str | None:
    try:
        data = read_capped(path, MAX_THEME_BYTES)
    except FileTrouble as trouble:
        if trouble.kind == "missing":
            message = "cannot be read: no such file"
        elif trouble.kind == "not-a-file":
            message = f"is {trouble.what}, not a theme file"
        elif trouble.kind == "too-big":
            message = _too_big(MAX_THEME_BYTES + 1 if trouble.size is None else trouble.size)
        else:
            message = trouble.reason
        problems.add("file", message, line=1)
        return None
    try:
        return decode_utf8(data)
    except NotUtf8Text as error:
        problems.add("file", str(error), line=error.line)
        return None


def _too_big(size: int) -> str:
    return f"is {size} bytes; theme files are limited to {MAX_THEME_BYTES} bytes (64 KiB)"


def load_theme_file(path: Path) -> Theme:
    """Load one theme file; every problem is collected so the user can fix them in one go."""
    problems = Problems(str(path))
    text = _read_text(path, problems)
    if text is None:
        raise ThemeFileError([str(p) for p in problems.items])
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        problems.add("syntax", f"{error.msg} (column {error.colno})", line=error.lineno)
        raise ThemeFileError([str(p) for p in problems.items]) from None
    except RecursionError:  # tomli refuses absurd nesting this way, without a position
        problems.add("syntax", "arrays or inline tables are nested too deeply", line=1)
        raise ThemeFileError([str(p) for p in problems.items]) from None
    except ValueError as error:  # e.g. Python's cap on digits in an integer; no position given
        problems.add("syntax", f"cannot be read as TOML: {error}", line=1)
        raise ThemeFileError([str(p) for p in problems.items]) from None
    problems = Problems(str(path), text)
    theme = _build_theme(data, path.stem, problems)
    if theme is None:
        raise ThemeFileError([str(p) for p in problems.items])
    return theme


def _theme_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.glob("*.toml") if not path.name.startswith("."))


def _load_folder(folder: Path, origin: Origin, catalog: ThemeCatalog) -> list[LoadedTheme]:
    try:
        if not folder.exists():
            return []
        if not folder.is_dir():
            catalog.failures.append(
                _problem(folder, 1, "file", "is not a folder, so no themes were read")
            )
            return []
        paths = _theme_files(folder)
    except OSError as error:
        catalog.failures.append(
            _problem(folder, 1, "file", f"cannot be listed: {error.strerror or error}")
        )
        return []
    loaded: dict[str, LoadedTheme] = {}
    for path in paths:
        try:
            theme = load_theme_file(path)
        except ThemeFileError as error:
            catalog.failures.extend(error.problems)
            continue
        except Exception as error:  # a bug here must not stop the app starting
            catalog.failures.append(_problem(path, 1, "file", f"could not be loaded ({error!r})"))
            continue
        if theme.name in loaded:
            first = loaded[theme.name].path
            line = KeyLines(_quiet_read(path)).line_of(("name",))
            message = (
                f"theme {_quote(theme.name)} is already defined by {first}; this file is ignored"
            )
            catalog.failures.append(_problem(path, line, "name", message))
            continue
        loaded[theme.name] = LoadedTheme(theme, origin, path if origin == "user" else None)
    return sorted(loaded.values(), key=lambda item: item.name)


def _quiet_read(path: Path) -> str:
    """The text of a file already loaded once, only to point at a line; "" if it went away."""
    try:
        return decode_utf8(read_capped(path, MAX_THEME_BYTES))
    except (FileTrouble, NotUtf8Text):
        return ""


def textual_themes(taken: set[str]) -> list[LoadedTheme]:
    """Textual's own themes, which the command palette offers too, with calmfeet's variables
    filled in (light ones get the light defaults); a name already taken stays calmfeet's."""
    return [
        LoadedTheme(
            dataclasses.replace(
                theme, variables={**theme_variable_defaults(theme.dark), **theme.variables}
            ),
            "textual",
            None,
        )
        for name, theme in BUILTIN_THEMES.items()
        if name not in taken
    ]


def discover_themes(user_themes_dir: Path, builtin_dir: Path | None = None) -> ThemeCatalog:
    """Built-in themes, then the user's (a user theme with a built-in's name takes its place),
    then Textual's: every theme the app can show, in the order the palette offers them."""
    catalog = ThemeCatalog()
    builtins = _load_folder(builtin_dir or builtin_themes_dir(), "built-in", catalog)
    users = _load_folder(user_themes_dir, "user", catalog)
    by_name = {loaded.name: loaded for loaded in users}
    catalog.themes = [by_name.pop(loaded.name, loaded) for loaded in builtins]
    catalog.themes.extend(by_name.values())
    catalog.themes.extend(textual_themes(set(catalog.names())))
    return catalog


def _where(loaded: LoadedTheme) -> str:
    if loaded.path is not None:
        return str(loaded.path)
    return "built-in (Textual)" if loaded.origin == "textual" else "built-in"


def format_theme_list(catalog: ThemeCatalog) -> str:
    """One line per theme for `calmfeet themes`: its name, then "built-in" or the file it is in."""
    if not catalog.themes:
        return ""
    width = max(len(loaded.name) for loaded in catalog.themes)
    lines = [f"{loaded.name:<{width}}  {_where(loaded)}" for loaded in catalog.themes]
    return "\n".join(lines)
