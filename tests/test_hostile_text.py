"""Text from files is data: never a terminal escape, never Textual markup, anywhere it shows.

A shared routine, theme, file name or history row full of escapes and markup must neither drive
the person's terminal (set its title, clear it, leave the alternate screen, reverse text) nor
crash calmfeet or turn into a live link: through `list`, `validate`, `themes`, `history`, the
start-up toasts, the picker, the command palette and the session.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import OptionList

from calmfeet.cli import main
from calmfeet.core.history import History, SessionRecord
from calmfeet.core.library import Library
from calmfeet.core.model import Routine
from calmfeet.core.paths import Paths, builtin_routines_dir
from calmfeet.core.routines import RoutineFileError, load_routine, parse_routine
from calmfeet.core.safe_text import displayable, json_text, unsafe_character
from calmfeet.ui.screens.caution import CautionScreen
from calmfeet.ui.screens.picker import PickerScreen
from calmfeet.ui.screens.session import SessionScreen
from calmfeet.ui.screens.stats import StatsScreen
from calmfeet.ui.themes import ThemeFileError, load_theme_file

BUILTIN_IDS = sorted(p.stem for p in builtin_routines_dir().glob("*.toml"))
MakeApp = Callable[..., Any]
ScreenText = Callable[[Any], str]
SIZE = (110, 34)

CONTROLS = {
    "osc-title": "\x1b]0;pwned\x07",
    "csi-clear": "\x1b[2J",
    "leave-alt-screen": "\x1b[?1049l",
    "c1-csi": "\x9b2J",
    "bidi-override": "\u202etxt.exe",
}
MARKUP = {
    "close-tag": "[/]",
    "click-action": "[@click=app.quit]x[/]",
    "bold-tag": "[b]bold",
}
NASTY = {**CONTROLS, **MARKUP}


def toml_string(text: str) -> str:
    """`text` as a TOML basic string, every control written as a \\u escape."""
    return json.dumps(text, ensure_ascii=True)


def unsafe_in(text: str) -> list[str]:
    """The characters in `text` that a terminal would act on: ESC, C1, bidi controls."""
    return [
        f"U+{ord(c):04X}"
        for c in text
        if c == "\x1b"
        or 0x80 <= ord(c) <= 0x9F
        or 0x202A <= ord(c) <= 0x202E
        or 0x2066 <= ord(c) <= 0x2069
    ]


ROUTINE = """\
name = {name}
summary = {summary}
focus = ["stress"]
caution = {caution}
[[steps]]
title = {title}
seconds = 30
foot = "left"
zone = "arch"
how = {how}
"""
FIELD_LINES = {"name": 1, "summary": 2, "caution": 4, "steps[1].title": 6, "steps[1].how": 10}


def routine_text(**fields: str) -> str:
    values = {"name": "Plain", "summary": "Calm.", "caution": "Go gently.", "title": "Rub"}
    values["how"] = "Slowly."
    values.update(fields)
    return ROUTINE.format(**{key: toml_string(value) for key, value in values.items()})


# --- validation: each control class in each field is one problem on its line -----------------

CONTROL_CLASSES = {
    "c0-esc": ("a\x1bb", "U+001B ESC"),
    "c0-bell": ("a\x07b", "U+0007 BEL"),
    "carriage-return": ("a\rb", "U+000D CR"),
    "del": ("a\x7fb", "U+007F DEL"),
    "c1-csi": ("a\x9bb", "U+009B CSI"),
    "c1-next-line": ("a\x85b", "U+0085 NEL"),
    "bidi-override": ("a\u202eb", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    "bidi-isolate": ("a\u2067b", "U+2067 RIGHT-TO-LEFT ISOLATE"),
}


@pytest.mark.parametrize("field", list(FIELD_LINES))
@pytest.mark.parametrize("kind", list(CONTROL_CLASSES))
def test_a_control_character_in_routine_text_is_one_problem_on_its_line(
    field: str, kind: str
) -> None:
    value, name = CONTROL_CLASSES[kind]
    with pytest.raises(RoutineFileError) as caught:
        parse_routine(routine_text(**{field.split(".")[-1]: value}), "r", "r.toml", Path("r.toml"))
    assert [str(p) for p in caught.value.problems] == [
        f"r.toml:{FIELD_LINES[field]}: {field}: contains a control character ({name}); remove it"
    ]


def test_tabs_and_new_lines_are_still_fine_in_routine_text() -> None:
    text = routine_text(how="First this.\n\tThen that.", summary="Two\tcolumns")
    routine = parse_routine(text, "r", "r.toml", Path("r.toml"))
    assert routine.steps[0].how == "First this.\n\tThen that."


def test_a_focus_tag_with_an_escape_stays_a_wrong_tag_on_one_safe_line() -> None:
    text = routine_text().replace('["stress"]', toml_string("\x1b[2J").join("[]"))
    with pytest.raises(RoutineFileError) as caught:
        parse_routine(text, "r", "r.toml", Path("r.toml"))
    (line,) = [str(p) for p in caught.value.problems]
    assert line.startswith("r.toml:3: focus[1]: must be one of stress")
    assert unsafe_in(line) == []


THEME_FIELDS = {
    "name": ('name = {value}\nprimary = "#88aabb"\n', 1, "name"),
    "colour": ("dark = true\nprimary = {value}\n", 2, "primary"),
    "variable": (
        'primary = "#88aabb"\n[variables]\npacer-hold = {value}\n',
        3,
        "variables.pacer-hold",
    ),
    "textual-variable": (
        'primary = "#88aabb"\n[variables]\nborder = {value}\n',
        3,
        "variables.border",
    ),
}


@pytest.mark.parametrize("field", list(THEME_FIELDS))
@pytest.mark.parametrize("kind", list(CONTROL_CLASSES))
def test_a_control_character_in_theme_text_is_one_problem_on_its_line(
    tmp_path: Path, field: str, kind: str
) -> None:
    template, line, key = THEME_FIELDS[field]
    value, name = CONTROL_CLASSES[kind]
    path = tmp_path / "calm.toml"
    path.write_text(template.format(value=toml_string(value)), encoding="utf-8")
    with pytest.raises(ThemeFileError) as caught:
        load_theme_file(path)
    assert caught.value.problems == [
        f"{path}:{line}: {key}: contains a control character ({name}); remove it"
    ]


# --- the one display function ------------------------------------------------------------------


def test_displayable_shows_every_control_as_an_escape_and_keeps_tabs_and_new_lines() -> None:
    assert displayable("a\x1b]0;t\x07b") == "a\\x1b]0;t\\x07b"
    assert displayable("\x9b2J \x7f \u202eabc \u2066x\u2069") == (
        "\\x9b2J \\x7f \\u202eabc \\u2066x\\u2069"
    )
    assert displayable("one\n\ttwo") == "one\n\ttwo"
    assert displayable("one\n\ttwo\u2028", one_line=True) == "one\\x0a\\x09two\\u2028"
    assert displayable("[/] [b]bold café") == "[/] [b]bold café"


def test_an_undecodable_byte_in_a_file_name_shows_as_that_byte() -> None:
    name = os.fsdecode(b"bad\xff.toml")
    assert displayable(name) == "bad\\xff.toml"


def test_json_text_is_the_same_json_without_raw_controls() -> None:
    value = {"name": "\x1b]0;x\x07 \x9b2J \u202eabc \x7f", "plain": "café [/]"}
    text = json_text(value)
    assert json.loads(text) == value
    assert unsafe_in(text) == []
    assert "\x7f" not in text
    assert "café [/]" in text


def test_unsafe_character_names_the_first_one() -> None:
    assert unsafe_character("fine\tand\nfine") is None
    assert unsafe_character("x\u202ey\x1b") == (
        "contains a control character (U+202E RIGHT-TO-LEFT OVERRIDE); remove it"
    )


# --- the command line ----------------------------------------------------------------------------

FILE_NAMES = {kind: text for kind, text in NASTY.items() if "/" not in text}
"""Every nasty string a file name can hold (no "/"), plus a byte that is not UTF-8."""
FILE_NAMES["not-utf8"] = os.fsdecode(b"bad\xff")


def assert_inert(*outputs: str) -> None:
    for output in outputs:
        assert unsafe_in(output) == []
        assert "\x7f" not in output
        assert "Traceback" not in output


def run(paths: Paths, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv), paths=paths)
    captured = capsys.readouterr()
    assert_inert(captured.out, captured.err)
    return code, captured.out, captured.err


def write_hostile_routines(folder: Path) -> tuple[list[Path], list[Path]]:
    """Good routines with nasty file names and markup names, broken ones with escapes in them."""
    folder.mkdir(parents=True, exist_ok=True)
    good: list[Path] = []
    for kind, text in FILE_NAMES.items():
        path = folder / f"good-{text}.toml"
        markup = list(MARKUP.values())[len(good) % len(MARKUP)]
        path.write_text(routine_text(name=f"{kind} {markup}", how=markup), encoding="utf-8")
        good.append(path)
    broken: list[Path] = []
    for kind, text in CONTROLS.items():
        path = folder / f"broken-{FILE_NAMES.get(kind, kind)}.toml"
        path.write_text(routine_text(name=text, title=text + "[/]"), encoding="utf-8")
        broken.append(path)
    return good, broken


def test_validate_prints_nothing_a_terminal_acts_on_and_one_line_per_problem(
    tmp_path: Path, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    good, broken = write_hostile_routines(tmp_path / "shared")
    code, out, err = run(paths, capsys, "validate", str(tmp_path / "shared"))
    assert code == 1
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == len(good) + 2 * len(broken)  # name and title of each broken file
    assert sum(line.startswith("OK ") for line in lines) == len(good)
    assert f"OK {tmp_path / 'shared'}/good-bad\\xff.toml: not-utf8 " in out
    assert "name: contains a control character (U+001B ESC); remove it" in out
    assert "broken-\\x1b[2J.toml:1: name:" in out


def test_list_and_its_json_carry_hostile_names_as_inert_text(
    tmp_path: Path, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    good, broken = write_hostile_routines(tmp_path / "shared")
    code, out, err = run(paths, capsys, "list", "--routines", str(tmp_path / "shared"))
    assert code == 0
    assert len(out.splitlines()) == len(BUILTIN_IDS) + len(good)  # one routine, one line
    assert "[@click=app.quit]x[/]" in out
    assert len(err.splitlines()) == 2 * len(broken)

    code, out, _ = run(paths, capsys, "list", "--json", "--routines", str(tmp_path / "shared"))
    listed = json.loads(out)
    ids = {routine["id"] for routine in listed}
    assert {path.stem for path in good} <= ids, "JSON keeps the data itself, escaped"


def test_themes_with_hostile_file_names_and_values_report_inert_lines(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    paths.themes_dir.mkdir(parents=True)
    (paths.themes_dir / "markup.toml").write_text('primary = "[/]"\n', encoding="utf-8")
    for kind, text in CONTROLS.items():
        body = f"primary = {toml_string(text)}\n"
        (paths.themes_dir / f"{FILE_NAMES.get(kind, kind)}.toml").write_text(body, "utf-8")
    code, out, err = run(paths, capsys, "themes")
    assert code == 0
    assert 'markup.toml:1: primary: "[/]" is not a colour' in err
    # Each of the others: its colour, and its name, which comes from the file name.
    assert len(err.splitlines()) == 1 + 2 * len(CONTROLS)


def test_history_and_its_json_show_a_hostile_name_as_inert_text(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    started = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)
    history = History(paths.history_db)
    for index, text in enumerate(NASTY.values()):
        history.record(SessionRecord(text, f"x{text}\ny", started, 60.0 + index, 1, True))
    history.close()
    code, out, _ = run(paths, capsys, "history")
    assert code == 0
    assert len(out.splitlines()) == 1 + len(NASTY) + 2  # header, one row each, blank, footer
    code, out, _ = run(paths, capsys, "history", "--json")
    assert sorted(row["name"] for row in json.loads(out)) == sorted(
        f"x{text}\ny" for text in NASTY.values()
    )


def test_a_hostile_path_in_a_usage_error_is_inert(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(paths, capsys, "validate", f"{NASTY['osc-title']}.toml")
    assert code == 2
    assert err == "calmfeet: \\x1b]0;pwned\\x07.toml: no such file or folder\n"


# --- the app -------------------------------------------------------------------------------------


def assert_screen_inert(app: Any, screen_text: ScreenText, screen: type) -> str:
    """The app is still up on `screen`, and nothing on the terminal is a control."""
    assert app.is_running
    assert isinstance(app.screen, screen), app.screen
    shown = screen_text(app)
    assert unsafe_in(shown) == []
    assert "\x7f" not in shown
    return " ".join(shown.split())


async def test_the_picker_shows_hostile_names_and_files_as_inert_text(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    good, broken = write_hostile_routines(paths.routines_dir)
    link = paths.routines_dir / "[@click=app.quit]x.toml"
    link.write_text("name = 3\n", encoding="utf-8")
    app = make_app(paths)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = assert_screen_inert(app, screen_text, PickerScreen)
        assert f"{len(broken) + 1} routine files could not be loaded" in shown
        assert "[@click=app.quit]x.toml" in shown, "a file name is never a link"
        for _ in range(len(BUILTIN_IDS) + len(good)):  # each preview in turn
            await pilot.press("down")
            await pilot.pause()
            assert_screen_inert(app, screen_text, PickerScreen)
        assert "[@click=app.quit]x[/]" in " ".join(screen_text(app).split())


async def test_typing_markup_in_the_filter_keeps_the_picker_up(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("left_square_bracket", "slash", "right_square_bracket")
        await pilot.pause()
        shown = assert_screen_inert(app, screen_text, PickerScreen)
        assert "'[/]'" in shown


async def test_a_theme_colour_of_markup_is_reported_not_fatal(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    paths.themes_dir.mkdir(parents=True)
    (paths.themes_dir / "broken.toml").write_text('primary = "[/]"\n', encoding="utf-8")
    app = make_app(paths)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = assert_screen_inert(app, screen_text, PickerScreen)
        assert "Some theme files could not be loaded" in shown
        assert any('"[/]" is not a colour' in n.message for n in app._notifications)


async def test_a_preference_value_of_markup_is_reported_not_fatal(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    paths.preferences_file.parent.mkdir(parents=True)
    paths.preferences_file.write_text('bell = "[/]"\n', encoding="utf-8")
    app = make_app(paths)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        shown = assert_screen_inert(app, screen_text, PickerScreen)
        assert "'[/]'" in shown


async def test_markup_names_in_the_command_palette_are_shown_not_parsed(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    for index, text in enumerate(MARKUP.values()):
        path = paths.routines_dir / f"markup-{index}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(routine_text(name=text, summary=text), encoding="utf-8")
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"Start", "left_square_bracket")
        await app.workers.wait_for_complete()  # the palette gathers its hits in a worker
        await pilot.pause()
        shown = assert_screen_inert(app, screen_text, CommandPalette)
        assert "Start [/]" in shown
        assert "Start [@click=app.quit]x[/]" in shown
        assert "Start [b]bold" in shown


async def test_the_hide_and_restore_toasts_show_a_markup_name(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "odd.toml").write_text(routine_text(name="[/]"), encoding="utf-8")
    app = make_app(paths, extra_dirs=[shared])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        routines = app.screen.query_one("#routines", OptionList)
        routines.highlighted = routines.option_count - 1
        await pilot.press("tab", "plus")  # an own version of "[/]": it asks for a new id
        await pilot.pause()
        await pilot.press("enter")  # the suggested odd-2
        await pilot.pause()
        assert (paths.routines_dir / "odd-2.toml").exists()
        await pilot.press("ctrl+o")  # odd-2 has no original: the refusal names "[/]"
        await pilot.pause()
        shown = assert_screen_inert(app, screen_text, PickerScreen)
        assert "No original of [/] is loaded" in " ".join(shown.split())
        await pilot.press("shift+tab", "ctrl+d")
        await pilot.pause()
        assert "Hid [/]." in assert_screen_inert(app, screen_text, PickerScreen)


def unvalidated(text: str) -> Routine:
    """A routine with `text` everywhere, as if it had got past validation somehow."""
    base = load_routine(builtin_routines_dir() / "quick-reset.toml", "quick-reset.toml")
    steps = tuple(replace(step, title=f"T{text}", how=f"H{text}") for step in base.steps)
    return replace(base, name=f"N{text}", caution=f"C{text}", steps=steps)


@pytest.mark.parametrize("kind", list(CONTROLS))
async def test_the_caution_and_session_screens_never_send_a_control(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText, kind: str
) -> None:
    routine = unvalidated(CONTROLS[kind])
    app = make_app(paths, library=Library(routines=[routine]), run_routine=routine.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = assert_screen_inert(app, screen_text, CautionScreen)
        assert displayable(f"C{CONTROLS[kind]}") in shown
        await pilot.press("enter")
        await pilot.pause()
        shown = assert_screen_inert(app, screen_text, SessionScreen)
        assert displayable(f"N{CONTROLS[kind]}") in shown


async def test_stats_show_a_hostile_history_name_as_inert_text(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    started = datetime.now(timezone.utc)
    history = History(paths.history_db)
    for _ in range(3):
        history.record(SessionRecord("x", "\x1b[2J\u202eName", started, 600.0, 3, True))
    history.close()
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        shown = assert_screen_inert(app, screen_text, StatsScreen)
        assert "Most used: \\x1b[2J\\u202eName" in shown
