"""Theme files: the shipped themes, strict validation of user themes, and themes in a live app."""

from __future__ import annotations

import itertools
import math
import tempfile
from pathlib import Path

import pytest
import tomli_w
from harness import Harness
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.color import Color, rgb_to_lab
from textual.theme import BUILTIN_THEMES, Theme
from textual.widget import Widget

from calmfeet.core.paths import builtin_themes_dir
from calmfeet.ui.theme_vars import THEME_VARIABLE_DEFAULTS
from calmfeet.ui.themes import (
    DEFAULT_THEME,
    MAX_THEME_BYTES,
    ThemeCatalog,
    ThemeFileError,
    discover_themes,
    format_theme_list,
    load_theme_file,
)

SHIPPED = ["contrast", "dusk", "linen", "moss"]
PACER = ["pacer-inhale", "pacer-hold", "pacer-exhale"]


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio between two colours."""
    light, dark = sorted((_luminance(Color.parse(first)), _luminance(Color.parse(second))))[::-1]
    return (light + 0.05) / (dark + 0.05)


def colour_distance(first: str, second: str) -> float:
    """CIE76 delta E: about 2 is barely visible, 20 or more is plainly a different colour."""
    a, b = rgb_to_lab(Color.parse(first)), rgb_to_lab(Color.parse(second))
    return math.dist((a.L, a.a, a.b), (b.L, b.a, b.b))


@pytest.fixture
def shipped() -> ThemeCatalog:
    return discover_themes(Path("/nonexistent/calmfeet-user-themes"))


def shipped_theme(catalog: ThemeCatalog, name: str) -> Theme:
    loaded = catalog.get(name)
    assert loaded is not None
    return loaded.theme


def write(folder: Path, name: str, content: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ThemeFileError) as caught:
        load_theme_file(path)
    return caught.value.problems


# --- the shipped themes -----------------------------------------------------------------------


def test_every_shipped_theme_loads_with_calmfeets_variables(shipped: ThemeCatalog) -> None:
    assert shipped.failures == []
    assert shipped.own_names() == SHIPPED
    assert shipped.names()[: len(SHIPPED)] == SHIPPED, "calmfeet's own come first"
    assert DEFAULT_THEME in shipped.names()
    assert shipped.get(DEFAULT_THEME) is not None
    for loaded in shipped.themes:
        assert loaded.origin == ("built-in" if loaded.name in SHIPPED else "textual")
        assert loaded.path is None
        for variable in THEME_VARIABLE_DEFAULTS:
            Color.parse(loaded.theme.variables[variable])  # a plain colour, not just present


def test_every_file_in_the_themes_folder_loads_on_its_own() -> None:
    files = sorted(builtin_themes_dir().glob("*.toml"))
    assert [path.stem for path in files] == SHIPPED
    for path in files:
        assert load_theme_file(path).name == path.stem


def test_shipped_themes_are_dark_and_light_as_named(shipped: ThemeCatalog) -> None:
    darkness = {name: shipped_theme(shipped, name).dark for name in SHIPPED}
    assert darkness == {"contrast": True, "dusk": True, "linen": False, "moss": True}


@pytest.mark.parametrize("name", SHIPPED)
def test_text_and_pacer_colours_are_readable_on_the_background(
    shipped: ThemeCatalog, name: str
) -> None:
    theme = shipped.get(name)
    assert theme is not None
    background = theme.theme.background
    assert background is not None and theme.theme.foreground is not None
    assert contrast_ratio(theme.theme.foreground, background) >= 7
    for variable in [*PACER, "foot-highlight"]:
        # WCAG AA for text: the pacer may print its phase word in these colours.
        assert contrast_ratio(theme.theme.variables[variable], background) >= 4.5, variable


@pytest.mark.parametrize("name", SHIPPED)
def test_breathing_phases_have_clearly_different_colours(shipped: ThemeCatalog, name: str) -> None:
    theme = shipped.get(name)
    assert theme is not None
    colours = [theme.theme.variables[variable] for variable in PACER]
    for first, second in itertools.combinations(colours, 2):
        assert colour_distance(first, second) >= 30, (first, second)


def test_high_contrast_theme_meets_wcag_aaa(shipped: ThemeCatalog) -> None:
    loaded = shipped.get("contrast")
    assert loaded is not None
    theme = loaded.theme
    assert theme.background is not None and theme.foreground is not None
    assert contrast_ratio(theme.foreground, theme.background) >= 15
    colours = [
        theme.primary,
        theme.secondary,
        theme.accent,
        theme.warning,
        theme.error,
        theme.success,
        *(theme.variables[variable] for variable in THEME_VARIABLE_DEFAULTS),
    ]
    for colour in colours:
        assert colour is not None
        assert contrast_ratio(colour, theme.background) >= 7, colour


def test_calm_themes_are_soft_not_neon(shipped: ThemeCatalog) -> None:
    for name in ["dusk", "linen", "moss"]:
        loaded = shipped.get(name)
        assert loaded is not None
        for variable in THEME_VARIABLE_DEFAULTS:
            _, saturation, _ = Color.parse(loaded.theme.variables[variable]).hsl
            assert saturation <= 0.55, (name, variable)


# --- a good user theme ------------------------------------------------------------------------


def test_minimal_theme_gets_its_name_from_the_file_and_calmfeets_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "sea-glass.toml", 'primary = "#88aabb"\n')
    theme = load_theme_file(path)
    assert theme.name == "sea-glass"
    assert theme.primary == "#88aabb"
    assert theme.dark is True
    assert theme.variables == THEME_VARIABLE_DEFAULTS


def test_theme_fills_only_the_calmfeet_variables_it_leaves_out(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "x.toml",
        'name = "mist"\nprimary = "#88aabb"\n[variables]\npacer-hold = "#aabbcc"\n'
        'footer-key-foreground = "#88aabb"\ninput-selection-background = "#88aabb 35%"\n'
        'block-cursor-text-style = "b reverse"\ntext = "auto 87%"\n',
    )
    theme = load_theme_file(path)
    assert theme.name == "mist"
    assert theme.variables == {
        **THEME_VARIABLE_DEFAULTS,
        "pacer-hold": "#aabbcc",
        "footer-key-foreground": "#88aabb",
        "input-selection-background": "#88aabb 35%",
        "block-cursor-text-style": "b reverse",
        "text": "auto 87%",
    }


def test_light_background_without_dark_key_makes_a_light_theme(tmp_path: Path) -> None:
    path = write(tmp_path, "paper.toml", 'primary = "#446688"\nbackground = "#f8f4ec"\n')
    assert load_theme_file(path).dark is False


def test_inline_variables_table_and_bom_are_accepted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "x.toml",
        '\ufeffprimary = "#88aabb"\nvariables = { pacer-exhale = "#99cc99" }\n'
        "luminosity_spread = 0.2\ntext_alpha = 1\n",
    )
    theme = load_theme_file(path)
    assert theme.variables["pacer-exhale"] == "#99cc99"
    assert (theme.luminosity_spread, theme.text_alpha) == (0.2, 1.0)


# --- broken theme files: one exact line per problem -------------------------------------------

BROKEN: list[tuple[str, str, list[str]]] = [
    (
        "syntax",
        'primary = "#88aabb"\ndark = \n',
        ["{f}:2: syntax: Invalid value (column 8)"],
    ),
    (
        "unclosed-string",
        'primary = "#88aabb\n',
        ["{f}:1: syntax: Illegal character '\\n' (column 19)"],
    ),
    (
        "unknown-key",
        'primary = "#88aabb"\nbackgroud = "#000000"\n',
        ["{f}:2: backgroud: unknown key; did you mean 'background'?"],
    ),
    (
        "unknown-key-no-suggestion",
        'primary = "#88aabb"\nsparkle = true\n',
        ["{f}:2: sparkle: unknown key"],
    ),
    (
        "variable-at-top-level",
        'primary = "#88aabb"\npacer-inhale = "#88aabb"\n',
        ["{f}:2: pacer-inhale: unknown key; theme variables go under [variables]"],
    ),
    (
        "unknown-variable",
        'primary = "#88aabb"\n\n[variables]\npacer-exhail = "#88aabb"\n',
        ["{f}:4: variables.pacer-exhail: unknown theme variable; did you mean 'pacer-exhale'?"],
    ),
    (
        "bad-colour",
        'primary = "#88aabbc"\n',
        [
            '{f}:1: primary: "#88aabbc" is not a colour (use "#rrggbb", "rgb(r, g, b)", '
            '"hsl(h, s%, l%)" or a colour name)'
        ],
    ),
    (
        "misspelt-colour-name",
        'primary = "slategrey"\nsecondary = "lavendr"\n',
        ['{f}:2: secondary: "lavendr" is not a colour; did you mean "lavender"?'],
    ),
    (
        "colour-not-a-string",
        "primary = 0x88aabb\n",
        ['{f}:1: primary: must be a colour string such as "#7fa7c9", not a number (8956603)'],
    ),
    (
        "missing-primary",
        'dark = true\nbackground = "#101010"\n',
        ["{f}:1: primary: missing; every theme needs a primary colour"],
    ),
    (
        "dark-not-bool",
        'primary = "#88aabb"\ndark = "yes"\n',
        ["{f}:2: dark: must be true or false, not text ('yes')"],
    ),
    (
        "name-not-string",
        'name = 7\nprimary = "#88aabb"\n',
        ["{f}:1: name: must be a string, not a number (7)"],
    ),
    (
        "name-not-identifier",
        'name = "my theme"\nprimary = "#88aabb"\n',
        [
            '{f}:1: name: "my theme" is not a usable theme name; use letters, digits, '
            '"-" and "_", not starting with a digit'
        ],
    ),
    (
        "fraction-out-of-range",
        'primary = "#88aabb"\ntext_alpha = 1.5\nluminosity_spread = "a lot"\n',
        [
            "{f}:2: text_alpha: must be from 0 to 1, not 1.5",
            "{f}:3: luminosity_spread: must be a number from 0 to 1, not text ('a lot')",
        ],
    ),
    (
        "variables-not-a-table",
        'primary = "#88aabb"\nvariables = "#88aabb"\n',
        ["{f}:2: variables: must be a table of name = \"value\" pairs, not text ('#88aabb')"],
    ),
    (
        "calmfeet-variable-not-plain-colour",
        'primary = "#88aabb"\n[variables]\npacer-hold = "#88aabb 50%"\nfoot-highlight = 3\n',
        [
            '{f}:3: variables.pacer-hold: "#88aabb 50%" is not a colour (use "#rrggbb", '
            '"rgb(r, g, b)", "hsl(h, s%, l%)" or a colour name)',
            "{f}:4: variables.foot-highlight: must be a string, not a number (3)",
        ],
    ),
    (
        "textual-variable-bad-values",
        'primary = "#88aabb"\n[variables]\nfooter-key-foreground = "nope"\n'
        'block-cursor-background = "auto 50%"\nlink-style = "sparkly"\n'
        'border = "red; } Screen { display: none"\n',
        [
            '{f}:3: variables.footer-key-foreground: "nope" is not a colour '
            '(try "#7fa7c9", "#7fa7c9 50%" or "auto 87%")',
            '{f}:4: variables.block-cursor-background: "auto 50%" is not a colour '
            '(try "#7fa7c9", "#7fa7c9 50%")',
            '{f}:5: variables.link-style: "sparkly" is not a text style '
            '(try "bold", "b reverse" or "none")',
            '{f}:6: variables.border: "red; } Screen { display: none" is not a colour '
            '(try "#7fa7c9", "#7fa7c9 50%" or "auto 87%")',
        ],
    ),
    (
        "dotted-variable-key",
        'primary = "#88aabb"\nvariables.pacer-inhale = "#zzz"\n',
        [
            '{f}:2: variables.pacer-inhale: "#zzz" is not a colour (use "#rrggbb", '
            '"rgb(r, g, b)", "hsl(h, s%, l%)" or a colour name)'
        ],
    ),
    (
        "inline-table-points-at-its-line",
        'primary = "#88aabb"\nvariables = { pacer-inhale = "#88aabb", pacer-hold = true }\n',
        ["{f}:2: variables.pacer-hold: must be a string, not a boolean (true)"],
    ),
    (
        "odd-key-stays-on-one-line",
        'primary = "#88aabb"\n"two\\nlines" = 1\n',
        ['{f}:2: "two\\nlines": unknown key'],
    ),
    (
        "many-problems-in-line-order",
        'name = "calm"\nprimray = "#88aabb"\ndark = 1\n[variables]\npacer-hold = "ble"\n',
        [
            "{f}:1: primary: missing; every theme needs a primary colour",
            "{f}:2: primray: unknown key; did you mean 'primary'?",
            "{f}:3: dark: must be true or false, not a number (1)",
            '{f}:5: variables.pacer-hold: "ble" is not a colour; did you mean "blue"?',
        ],
    ),
]


@pytest.mark.parametrize(
    ("content", "expected"),
    [pytest.param(content, expected, id=case) for case, content, expected in BROKEN],
)
def test_broken_theme_gives_exact_lines(tmp_path: Path, content: str, expected: list[str]) -> None:
    path = write(tmp_path, "broken.toml", content)
    assert problems_of(path) == [line.replace("{f}", str(path)) for line in expected]


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.toml", b'primary = "#88aabb"\n' + b"#" * MAX_THEME_BYTES)
    assert problems_of(path) == [
        f"{path}:1: file: is {MAX_THEME_BYTES + 20} bytes; "
        "theme files are limited to 65536 bytes (64 KiB)"
    ]


def test_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    head = b'primary = "#88aabb"\n'
    path = write(tmp_path, "big.toml", head + b"#" * (MAX_THEME_BYTES - len(head)))
    assert load_theme_file(path).primary == "#88aabb"


def test_non_utf8_file_is_refused_with_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.toml", 'primary = "#88aabb"\n# caf\u00e9\n'.encode("latin-1"))
    assert problems_of(path) == [
        f"{path}:2: file: is not UTF-8 text (byte 0xe9 at offset 25); save it as UTF-8"
    ]


@pytest.mark.parametrize("opener", ["[", "{ a = "])
def test_absurdly_nested_values_are_a_syntax_problem(tmp_path: Path, opener: str) -> None:
    path = write(tmp_path, "deep.toml", 'primary = "#88aabb"\nx = ' + opener * 5000 + "\n")
    assert problems_of(path) == [f"{path}:1: syntax: arrays or inline tables are nested too deeply"]


def test_integer_too_long_for_python_is_a_syntax_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "long.toml", 'primary = "#88aabb"\nx = 1' + "0" * 5000 + "\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:1: syntax: cannot be read as TOML: Exceeds the limit")


def test_missing_file_and_folder_are_reported_not_raised(tmp_path: Path) -> None:
    missing = tmp_path / "gone.toml"
    assert problems_of(missing) == [f"{missing}:1: file: cannot be read: no such file"]
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    assert problems_of(folder) == [f"{folder}:1: file: is a folder, not a theme file"]


def test_theme_file_error_message_lists_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "x.toml", 'primary = 1\ndark = "no"\n')
    with pytest.raises(ThemeFileError) as caught:
        load_theme_file(path)
    assert str(caught.value).splitlines() == caught.value.problems
    assert len(caught.value.problems) == 2


# --- discovering the user's folder ------------------------------------------------------------


def test_bad_user_theme_is_reported_and_good_ones_still_load(tmp_path: Path) -> None:
    user = tmp_path / "config" / "themes"
    write(user, "sand.toml", 'primary = "#c8b28a"\n')
    bad = write(user, "broken.toml", 'primary = "#c8b28a"\ndark = maybe\n')
    write(user, "tide.toml", 'primary = "#7fa7c9"\n')
    write(user, "notes.txt", "not a theme")
    catalog = discover_themes(user)
    assert catalog.failures == [
        f"{bad}:2: syntax: Invalid value (column 8)",
    ]
    assert catalog.own_names() == [*SHIPPED, "sand", "tide"]
    sand = catalog.get("sand")
    assert sand is not None and sand.origin == "user" and sand.path == user / "sand.toml"


def test_user_theme_replaces_the_built_in_of_the_same_name(tmp_path: Path) -> None:
    user = tmp_path / "config" / "themes"
    mine = write(user, "my-dusk.toml", 'name = "dusk"\nprimary = "#aa8899"\n')
    catalog = discover_themes(user)
    assert catalog.failures == []
    assert catalog.own_names() == SHIPPED  # replaced in place, not listed twice
    dusk = catalog.get("dusk")
    assert dusk is not None
    assert (dusk.origin, dusk.path, dusk.theme.primary) == ("user", mine, "#aa8899")


def test_two_user_files_with_one_name_keep_the_first(tmp_path: Path) -> None:
    user = tmp_path / "themes"
    first = write(user, "a.toml", 'name = "calm"\nprimary = "#112233"\n')
    second = write(user, "b.toml", 'primary = "#445566"\nname = "calm"\n')
    catalog = discover_themes(user)
    assert catalog.failures == [
        f'{second}:2: name: theme "calm" is already defined by {first}; this file is ignored'
    ]
    calm = catalog.get("calm")
    assert calm is not None and calm.theme.primary == "#112233"


def test_missing_user_folder_is_fine_and_a_file_in_its_place_is_reported(tmp_path: Path) -> None:
    assert discover_themes(tmp_path / "no-such-folder").failures == []
    not_a_folder = write(tmp_path, "themes", "oops")
    catalog = discover_themes(not_a_folder)
    assert catalog.own_names() == SHIPPED
    assert catalog.failures == [f"{not_a_folder}:1: file: is not a folder, so no themes were read"]


def test_theme_list_shows_each_name_and_where_it_comes_from(tmp_path: Path) -> None:
    user = tmp_path / "themes"
    ocean = write(user, "ocean.toml", 'primary = "#5f87af"\n')
    linen = write(user, "linen.toml", 'primary = "#5f87af"\ndark = false\n')
    catalog = discover_themes(user)
    width = max(len(name) for name in catalog.names())
    assert format_theme_list(catalog).splitlines() == [
        f"{'contrast':<{width}}  built-in",
        f"{'dusk':<{width}}  built-in",
        f"{'linen':<{width}}  {linen}",
        f"{'moss':<{width}}  built-in",
        f"{'ocean':<{width}}  {ocean}",
        *(f"{name:<{width}}  built-in (Textual)" for name in BUILTIN_THEMES),
    ]


def test_textual_themes_are_in_the_catalogue_after_calmfeets_with_its_variables() -> None:
    catalog = discover_themes(Path("/nonexistent/calmfeet-user-themes"))
    assert catalog.names() == [*SHIPPED, *BUILTIN_THEMES]
    for name in ("dracula", "catppuccin-latte", "textual-light"):
        loaded = catalog.get(name)
        assert loaded is not None and loaded.origin == "textual"
        for variable in THEME_VARIABLE_DEFAULTS:
            colour = loaded.theme.variables[variable]
            background = loaded.theme.background or "#000000"
            # graphics (the pacer, the lit zone) stay visible on light themes too
            assert contrast_ratio(colour, background) >= 3, (name, variable)


def test_theme_list_of_nothing_is_empty() -> None:
    assert format_theme_list(ThemeCatalog()) == ""


# --- fuzz: nothing but ThemeFileError ever escapes --------------------------------------------

FRAGMENTS = [
    "\n",
    " = ",
    "=",
    "[variables]\n",
    "[[variables]]\n",
    "[name]\n",
    "variables.",
    "name",
    "dark",
    "primary",
    "background",
    "text_alpha",
    "luminosity_spread",
    "pacer-inhale",
    "footer-key-foreground",
    "block-cursor-text-style",
    '"#7fa7c9"',
    '"#fff 50%"',
    '"auto 87%"',
    '"rgb(1,2,3)"',
    '"hsl(400,200%,-5%)"',
    '"bold"',
    '""',
    '"}"',
    '"$primary"',
    "true",
    "1e400",
    "-0.0",
    "nan",
    "[1, 2]",
    "{ a = 1 }",
    "1979-05-27T07:32:00Z",
    '"""x\n"""',
    "'lit'",
    "# comment\n",
    "\ufeff",
    "\x00",
]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(content=st.binary(max_size=512))
def test_random_bytes_only_ever_raise_theme_file_error(tmp_path: Path, content: bytes) -> None:
    _assert_loads_or_reports(tmp_path, content)


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=300
)
@given(
    parts=st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)),
        max_size=40,
    )
)
def test_random_toml_ish_text_only_ever_raises_theme_file_error(
    tmp_path: Path, parts: list[str]
) -> None:
    _assert_loads_or_reports(tmp_path, "".join(parts).encode("utf-8", "surrogatepass"))


COLOURISH = st.one_of(
    st.sampled_from(
        [
            "#7fa7c9",
            "#fff",
            "#7fa7c980",
            "red",
            "auto 87%",
            "#7fa7c9 35%",
            "bold",
            "rgb(300,-1,2)",
            "hsl(10,50%,50%)",
            "ansi_red",
            "transparent",
            "initial",
        ]
    ),
    st.text(max_size=12),
)
VALUES = st.one_of(
    COLOURISH,
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.lists(COLOURISH, max_size=3),
)
KEYS = st.one_of(
    st.sampled_from(
        ["name", "dark", "primary", "background", "foreground", "text_alpha", "luminosity_spread"]
    ),
    st.text(min_size=1, max_size=10),
)
VARIABLE_KEYS = st.one_of(
    st.sampled_from(
        [*THEME_VARIABLE_DEFAULTS, "text", "border", "link-style", "footer-background"]
    ),
    st.text(min_size=1, max_size=10),
)


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=300
)
@given(
    top=st.dictionaries(KEYS, VALUES, max_size=8),
    variables=st.one_of(st.none(), VALUES, st.dictionaries(VARIABLE_KEYS, VALUES, max_size=6)),
)
def test_well_formed_toml_with_random_values_only_ever_raises_theme_file_error(
    tmp_path: Path, top: dict[str, object], variables: object
) -> None:
    document = dict(top)
    if variables is not None:
        document["variables"] = variables
    _assert_loads_or_reports(tmp_path, tomli_w.dumps(document).encode("utf-8", "surrogatepass"))


def _assert_loads_or_reports(folder: Path, content: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".toml", delete=False) as handle:
        handle.write(content)
    path = Path(handle.name)
    try:
        theme = load_theme_file(path)
    except ThemeFileError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.startswith(f"{path}:")
            assert len(problem.splitlines()) == 1
    else:
        theme.to_color_system().generate()  # Textual can apply what we accepted
        assert set(THEME_VARIABLE_DEFAULTS) <= set(theme.variables)
    finally:
        path.unlink()


# --- themes in a running app ------------------------------------------------------------------


class InhaleSwatch(Widget):
    """Stands in for the pacer: painted with the theme's inhale colour."""

    DEFAULT_CSS = """
    InhaleSwatch {
        width: 10;
        height: 3;
        background: $pacer-inhale;
        color: $foreground;
    }
    """


class ThemedApp(Harness):
    def __init__(self, catalog: ThemeCatalog) -> None:
        self.catalog = catalog
        super().__init__(InhaleSwatch())

    def on_mount(self) -> None:
        for loaded in self.catalog.themes:
            self.register_theme(loaded.theme)


async def test_every_discovered_theme_applies_in_a_running_app(tmp_path: Path) -> None:
    user = tmp_path / "config" / "themes"
    write(user, "ember.toml", 'primary = "#b08068"\n[variables]\npacer-inhale = "#6688aa"\n')
    write(user, "bare.toml", 'primary = "#b08068"\n')
    catalog = discover_themes(user)
    assert catalog.failures == []
    app = ThemedApp(catalog)
    async with app.run_test(size=(40, 10)) as pilot:
        swatch = app.query_one(InhaleSwatch)
        for loaded in catalog.themes:
            app.theme = loaded.name
            await pilot.pause()
            expected = Color.parse(loaded.theme.variables["pacer-inhale"])
            assert app.current_theme.name == loaded.name
            assert swatch.styles.background == expected
            screenshot = app.export_screenshot()
            assert expected.hex6.lower() in screenshot.lower()
        app.theme = "bare"  # sets no pacer colours, so calmfeet's defaults paint it
        await pilot.pause()
        assert swatch.styles.background == Color.parse(THEME_VARIABLE_DEFAULTS["pacer-inhale"])
