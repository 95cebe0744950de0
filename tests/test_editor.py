"""The routine editor, driven with keys as a person would: a routine from scratch that runs after
a restart, a copy of a built-in with its steps changed, the validator's words while typing, and
nothing lost by a stray escape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from calmfeet.core.clock import FakeClock
from calmfeet.core.customise import MARKER, ROUTINE_MARKER
from calmfeet.core.library import load_library
from calmfeet.core.paths import Paths
from calmfeet.core.schema import SCHEMA_DIRECTIVE
from calmfeet.ui.screens.complete import CompleteScreen
from calmfeet.ui.screens.confirm import ConfirmScreen
from calmfeet.ui.screens.editor import ChoiceField, EditorScreen, EditorStepList
from calmfeet.ui.screens.keys import KeysScreen
from calmfeet.ui.screens.new_id import NewIdScreen
from calmfeet.ui.screens.picker import PickerScreen
from calmfeet.ui.screens.session import SessionScreen

MakeApp = Callable[..., Any]
ScreenText = Callable[[App[Any]], str]
SnapCompare = Callable[..., bool]
SIZE = (100, 30)
FIELDS_IN_TAB_ORDER = [
    "name",
    "summary",
    "focus",
    "breathing",
    "caution",
    "needs",
    "steps",
    "step-title",
    "step-length",
    "step-foot",
    "step-zone",
    "step-point",
    "step-halfway",
    "step-how",
    "step-breathing",
]


def keys_for(text: str) -> list[str]:
    """The key presses that type `text`."""
    names = {" ": "space", ",": "comma", "-": "minus", ".": "full_stop", "'": "apostrophe"}
    return [names.get(char, char) for char in text]


async def type_into(pilot: Pilot[Any], field: str, text: str) -> None:
    """Tab to `field` (from wherever the focus is), clear it and type `text`."""
    await tab_to(pilot, field)
    await pilot.press("end", "ctrl+u", *keys_for(text))
    await pilot.pause()


async def tab_to(pilot: Pilot[Any], field: str) -> None:
    for _ in range(len(FIELDS_IN_TAB_ORDER) + 1):
        focused = pilot.app.focused
        if focused is not None and focused.id == field:
            return
        await pilot.press("tab")
    raise AssertionError(f"tab never reached #{field}")


def editor(app: Any) -> EditorScreen:
    assert isinstance(app.screen, EditorScreen), app.screen
    return app.screen


def toasts(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


def one_line(text: str) -> str:
    return " ".join(text.split())


def highlighted_id(app: Any) -> str | None:
    assert isinstance(app.screen, PickerScreen)
    routine = app.screen.highlighted
    return None if routine is None else routine.id


async def go_to(pilot: Pilot[Any], routine_id: str) -> None:
    """Down the list until the routine is highlighted, as a person would."""
    for _ in range(50):
        if highlighted_id(pilot.app) == routine_id:
            return
        await pilot.press("down")
    raise AssertionError(f"{routine_id} is not in the list")


def step_titles(app: Any) -> list[str]:
    return [step.title for step in editor(app).draft.steps]


# --- from scratch to a session -----------------------------------------------------------------


async def test_a_routine_from_scratch_is_saved_shown_and_runs_after_a_restart(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths, interludes=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert editor(app).heading == "New routine"
        await type_into(pilot, "name", "Evening feet")
        await tab_to(pilot, "focus")
        await pilot.press("down", "down", "down", "down", "down", "enter")  # sleep
        await type_into(pilot, "step-title", "Rub the soles")
        await type_into(pilot, "step-length", "30")
        await pilot.press("ctrl+n")  # a second step, on the same foot and zone
        await pilot.pause()
        assert app.focused.id == "step-title"
        await pilot.press(*keys_for("Press the spring"))
        await type_into(pilot, "step-length", "20")
        await tab_to(pilot, "step-foot")
        await pilot.press("left")  # both feet -> right foot
        await tab_to(pilot, "step-point")
        await pilot.press("k")  # KI1, on the sole: the zone follows it
        await pilot.pause()
        assert "< KI1 sole >" in screen_text(app)
        assert "< ball >" in screen_text(app)
        assert "No problems" in screen_text(app)

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NewIdScreen)
        assert app.screen.query_one(Input).value == "evening-feet"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()

        assert isinstance(app.screen, PickerScreen)
        assert highlighted_id(app) == "evening-feet", "the new routine is highlighted"
        assert "Evening feet" in screen_text(app)
        saved = paths.routines_dir / "evening-feet.toml"
        assert toasts(app)[-1] == f"Saved Evening feet in {saved}."
    assert saved.read_text(encoding="utf-8").splitlines()[:2] == [
        SCHEMA_DIRECTIVE,
        f"{ROUTINE_MARKER} 'Evening feet'.",
    ]

    clock = FakeClock()
    again = make_app(paths, clock=clock, interludes=False)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await go_to(pilot, "evening-feet")
        routine = again.library.get("evening-feet")
        assert routine is not None
        assert [(s.title, s.seconds, s.foot, s.zone) for s in routine.steps] == [
            ("Rub the soles", 30, "both", "whole"),
            ("Press the spring", 20, "right", "ball"),
        ]
        assert [s.point for s in routine.steps] == ["", "KI1"]
        assert routine.focus == ("sleep",)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(again.screen, SessionScreen)
        assert "Rub the soles" in screen_text(again)
        for _ in range(3):
            clock.advance(20)
            again.screen.tick()
            await pilot.pause()
        assert isinstance(again.screen, CompleteScreen)
        assert "2 of 2 steps done" in screen_text(again)


# --- a copy of a built-in, its steps changed ---------------------------------------------------


async def test_a_copy_of_a_built_in_with_steps_moved_removed_and_added(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await go_to(pilot, "quick-reset")
        builtin = app.library.get("quick-reset")
        assert builtin is not None
        titles = [step.title for step in builtin.steps]
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert editor(app).draft.name == "Quick Reset (copy)"
        assert step_titles(app) == titles

        await tab_to(pilot, "steps")
        await pilot.press("shift+down")  # the first step goes second
        await pilot.pause()
        assert step_titles(app)[:2] == [titles[1], titles[0]]
        assert app.screen.query_one(EditorStepList).highlighted == 1, "the cursor moved with it"
        await pilot.press("down", "delete")  # the third step goes
        await pilot.pause()
        assert step_titles(app) == [titles[1], titles[0], *titles[3:]]
        await pilot.press("ctrl+n")
        await pilot.press(*keys_for("Ankle rolls"))
        await type_into(pilot, "step-length", "1m30s")
        await pilot.pause()
        expected = [titles[1], titles[0], titles[3], "Ankle rolls", *titles[4:]]
        assert step_titles(app) == expected

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NewIdScreen)
        await pilot.press("enter")  # the id offered: quick-reset-copy
        await pilot.pause()
        await pilot.pause()
        assert highlighted_id(app) == "quick-reset-copy"
        preview_steps = app.screen.query_one("#steps", OptionList)
        assert preview_steps.option_count == len(expected)
        assert "4. Ankle rolls" in str(preview_steps.get_option_at_index(3).prompt)

    library = load_library(paths, env={})
    copy = library.get("quick-reset-copy")
    assert copy is not None
    assert [s.title for s in copy.steps] == expected
    assert copy.steps[3].seconds == 90
    kept = library.get("quick-reset")
    assert kept is not None and [s.title for s in kept.steps] == titles, "the built-in is kept"
    assert kept.builtin


async def test_editing_a_built_in_saves_a_version_and_a_routine_of_your_own_in_place(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await go_to(pilot, "quick-reset")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Quick Reset" in editor(app).heading
        await type_into(pilot, "name", "Quick Reset, mine")
        await pilot.press("ctrl+s")  # no id to choose: a version under the same id
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert highlighted_id(app) == "quick-reset"
        assert "Your version (original: quick-reset.toml)" in one_line(screen_text(app))
        version = paths.routines_dir / "quick-reset.toml"
        marker = version.read_text(encoding="utf-8").splitlines()[1]
        assert marker.startswith(f"{MARKER} 'Quick Reset, mine'")

        await pilot.press("ctrl+n")
        await type_into(pilot, "name", "Mine")
        await type_into(pilot, "step-title", "Rub")
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
        await pilot.pause()
        assert highlighted_id(app) == "mine"
        await pilot.press("ctrl+r")  # made in the editor: saved again in place, no question
        await type_into(pilot, "step-length", "45")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        routine = app.library.get("mine")
        assert routine is not None and routine.steps[0].seconds == 45
    assert sorted(p.name for p in paths.routines_dir.glob("*.toml")) == [
        "mine.toml",
        "quick-reset.toml",
    ]


# --- checked as typed --------------------------------------------------------------------------


async def test_a_bad_value_is_explained_as_it_is_typed_and_save_is_refused(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await type_into(pilot, "name", "Evening")
        await type_into(pilot, "step-title", "Rub")
        assert "No problems" in screen_text(app)

        await type_into(pilot, "step-length", "0")
        seconds = "must be a positive number of seconds, got 0"
        assert one_line(screen_text(app)).count(seconds) == 2, "by the field and along the bottom"
        assert f"steps[1].seconds: {seconds}" in one_line(screen_text(app))

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen), "not saved, still editing"
        assert toasts(app)[-1] == f"Not saved: steps[1].seconds: {seconds}"
        assert app.focused is not None and app.focused.id == "step-length"
        assert not paths.routines_dir.exists()

        await type_into(pilot, "breathing", "4-x")
        pattern = "unknown breathing pattern '4-x': use one of resonance"
        assert f"breathing: {pattern}" in one_line(screen_text(app))
        await type_into(pilot, "breathing", "4-7-8")
        await type_into(pilot, "step-length", "2m")
        assert "No problems" in screen_text(app)
        assert seconds not in one_line(screen_text(app))


# --- leaving -----------------------------------------------------------------------------------


async def test_escape_with_unsaved_changes_asks_first_and_keeps_them_on_no(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("escape")  # nothing typed: nothing to lose
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)

        await pilot.press("ctrl+n")
        await type_into(pilot, "name", "Half done")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Your changes to Half done will be lost" in app.screen.question
        await pilot.press("escape")  # no: keep editing
        await pilot.pause()
        assert editor(app).draft.name == "Half done"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
    assert not paths.routines_dir.exists()


# --- keyboard at 80x24 -------------------------------------------------------------------------


async def test_every_field_is_reached_with_tab_and_on_screen_at_80x24(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+y")
        await pilot.pause()
        screen = editor(app)
        reached: list[str] = []
        for _ in FIELDS_IN_TAB_ORDER:
            focused = app.focused
            assert focused is not None
            reached.append(focused.id or "")
            region = focused.region
            assert region.height >= 1 and screen.region.contains_region(region), focused.id
            await pilot.press("tab")
            await pilot.pause()
        assert reached == FIELDS_IN_TAB_ORDER
        await tab_to(pilot, "step-zone")
        zone = screen.query_one("#step-zone", ChoiceField)
        before = zone.value
        await pilot.press("right")
        assert zone.value != before
        assert screen.draft.steps[0].zone == zone.value


@pytest.mark.parametrize("ascii", [False, True], ids=["unicode", "ascii"])
@pytest.mark.parametrize("size", [(80, 24), SIZE], ids=["80x24", "100x30"])
async def test_the_pickers_footer_offers_new_and_copy_and_still_fits(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText, ascii: bool, size: tuple[int, int]
) -> None:
    app = make_app(paths, ascii=ascii)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "^n New" in footer and "^y Copy" in footer
        assert footer.endswith("? Keys"), "the last key is still on screen"


async def test_question_mark_lists_the_editors_keys(make_app: MakeApp, paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await tab_to(pilot, "steps")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        titles = [title for title, _ in app.screen.groups]
        assert titles[:2] == ["Routine editor", "Routine editor, in the steps"]
        rows = dict(app.screen.groups[0][1])
        assert rows["^s"] == "Save" and rows["^n"] == "Add step"
        picker_rows = dict(dict(app.screen.groups)["Picker"])
        assert "Write a new routine from scratch" in picker_rows.values()


async def test_the_palette_opens_the_editor_for_a_new_routine_or_a_copy(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await go_to(pilot, "quick-reset")
        for words, heading in (
            ("New routine", "New routine"),
            ("Copy Quick Reset", "New routine, from a copy of Quick Reset"),
            ("Edit Quick Reset", "Editing Quick Reset"),
        ):
            await pilot.press("ctrl+p", *keys_for(words))
            await app.workers.wait_for_complete()  # the palette gathers its hits in a worker
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert editor(app).heading == heading
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)


async def test_text_from_a_file_is_shown_as_written_in_the_editor(
    make_app: MakeApp, paths: Paths, tmp_path: Path, screen_text: ScreenText
) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "odd.toml").write_text(
        'name = "[b]Bold[/b] [@click=app.quit]x[/]"\n'
        '[[steps]]\ntitle = "[red]t[/red]"\nseconds = 30\nfoot = "both"\nzone = "whole"\n',
        encoding="utf-8",
    )
    app = make_app(paths, extra_dirs=[folder])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await go_to(pilot, "odd")
        await pilot.press("ctrl+r")
        await pilot.pause()
        text = screen_text(app)
        assert "Editing [b]Bold[/b] [@click=app.quit]x[/]" in text
        assert "[red]t[/red]" in text


# --- snapshots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["dusk", "linen"])
def test_snapshot_editing_a_copy(
    snap_compare: SnapCompare, make_app: MakeApp, paths: Paths, theme: str
) -> None:
    app = make_app(paths, theme=theme, reduced_motion=True)

    async def open_a_copy_with_a_problem(pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+y")
        await type_into(pilot, "step-length", "0")

    assert snap_compare(app, terminal_size=SIZE, run_before=open_a_copy_with_a_problem)
