"""The picker as a person uses it: order, favourites, hiding, filters and their own versions."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from calmfeet.cli import main
from calmfeet.core import library as library_module
from calmfeet.core.clock import FakeClock
from calmfeet.core.history import History
from calmfeet.core.paths import Paths, builtin_routines_dir
from calmfeet.core.preferences import PreferencesStore
from calmfeet.core.routines import load_routine
from calmfeet.core.safety import routine_caution
from calmfeet.ui.screens.caution import CautionScreen
from calmfeet.ui.screens.new_id import NewIdScreen
from calmfeet.ui.screens.picker import PickerScreen, StepList
from calmfeet.ui.screens.session import SessionScreen

SnapCompare = Callable[..., bool]
MakeApp = Callable[..., Any]
ScreenText = Callable[[Any], str]
SIZE = (100, 30)
BUILTIN_IDS = sorted(p.stem for p in builtin_routines_dir().glob("*.toml"))

EXTRA_ROUTINE = """\
name = "{name}"
summary = "A routine the person wrote."
focus = ["energy"]
breathing = "resonance"

[[steps]]
title = "Rub the soles"
seconds = 30
foot = "both"
zone = "whole"
"""


def shown(app: Any) -> list[str]:
    """The routine ids in the list, top to bottom, as the person sees them."""
    routines = app.screen.query_one("#routines", OptionList)
    return [routines.get_option_at_index(i).id for i in range(routines.option_count)]


def label(app: Any, routine_id: str) -> str:
    routines = app.screen.query_one("#routines", OptionList)
    return str(routines.get_option(routine_id).prompt)


def highlighted(app: Any) -> str:
    routines = app.screen.query_one("#routines", OptionList)
    assert routines.highlighted is not None
    return shown(app)[routines.highlighted]


def write_routine(folder: Path, routine_id: str, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{routine_id}.toml"
    path.write_text(EXTRA_ROUTINE.format(name=name), encoding="utf-8")
    return path


async def go_to(pilot: Pilot[Any], routine_id: str) -> None:
    """Move the highlight with the arrow keys, as a person would."""
    app = pilot.app
    target = shown(app).index(routine_id)
    while shown(app).index(highlighted(app)) != target:
        key = "down" if shown(app).index(highlighted(app)) < target else "up"
        await pilot.press(key)


def listed_ids(paths: Paths, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert main(["list"], paths=paths) == 0
    return [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()]


# --- order ------------------------------------------------------------------------------------


async def test_shift_down_moves_the_routine_and_the_order_survives_a_restart(
    make_app: MakeApp, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        first, second = shown(app)[:2]
        assert highlighted(app) == first
        await pilot.press("shift+down")
        assert shown(app)[:2] == [second, first]
        assert highlighted(app) == first, "the moved routine stays highlighted"
        await pilot.press("shift+down")
        moved = shown(app)
        assert moved[2] == first
        await pilot.press("ctrl+q")

    again = make_app(paths)
    async with again.run_test(size=SIZE):
        assert shown(again) == moved
    assert listed_ids(paths, capsys) == moved


async def test_shift_up_at_the_top_changes_nothing(make_app: MakeApp, paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        before = shown(app)
        await pilot.press("shift+up")
        assert shown(app) == before
    assert not paths.preferences_file.exists(), "nothing changed, so nothing was written"


async def test_a_routine_dropped_in_later_appears_at_the_end(
    make_app: MakeApp, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, BUILTIN_IDS[-1])
        for _ in BUILTIN_IDS:
            await pilot.press("shift+up")
        saved = shown(app)
        assert saved[0] == BUILTIN_IDS[-1]

    write_routine(paths.routines_dir, "aaa-first-by-name", "Aaa First By Name")
    again = make_app(paths)
    async with again.run_test(size=SIZE):
        assert shown(again) == [*saved, "aaa-first-by-name"]
    assert listed_ids(paths, capsys) == [*saved, "aaa-first-by-name"]


async def test_a_removed_routine_does_not_break_the_saved_order(
    make_app: MakeApp, paths: Paths
) -> None:
    mine = write_routine(paths.routines_dir, "mine", "My Routine")
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "mine")
        for _ in range(3):
            await pilot.press("shift+up")
        saved = shown(app)
        assert saved.index("mine") == len(saved) - 4

    mine.unlink()
    again = make_app(paths)
    async with again.run_test(size=SIZE) as pilot:
        assert shown(again) == [i for i in saved if i != "mine"]
        await pilot.press("shift+down")  # the order can still be changed
        assert shown(again)[:2] == [saved[1], saved[0]]


# --- favourites and hiding --------------------------------------------------------------------


async def test_favourite_shows_a_star_and_survives_a_restart(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "quick-reset")
        assert "★" not in label(app, "quick-reset")
        await pilot.press("ctrl+f")
        assert label(app, "quick-reset").startswith("★ Quick Reset")
        assert not any("★" in label(app, i) for i in shown(app) if i != "quick-reset")

    again = make_app(paths)
    async with again.run_test(size=SIZE) as pilot:
        assert "★" in label(again, "quick-reset")
        await go_to(pilot, "quick-reset")
        await pilot.press("ctrl+f")  # pressing f again takes the star away
        assert "★" not in label(again, "quick-reset")
    assert PreferencesStore(paths).load().favourites == ()


async def test_hide_removes_it_from_the_list_and_a_shows_it_again(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "sleep-wind-down")
        await pilot.press("ctrl+d")
        assert "sleep-wind-down" not in shown(app)
        assert len(shown(app)) == len(BUILTIN_IDS) - 1

    again = make_app(paths)
    async with again.run_test(size=SIZE) as pilot:
        assert "sleep-wind-down" not in shown(again)
        await pilot.press("ctrl+a")
        assert "sleep-wind-down" in shown(again)
        assert "(hidden)" in label(again, "sleep-wind-down")
        assert "(hidden)" not in label(again, "quick-reset")
        await go_to(pilot, "sleep-wind-down")
        await pilot.press("ctrl+d")  # unhide
        await pilot.press("ctrl+a")
        assert "sleep-wind-down" in shown(again)
    assert PreferencesStore(paths).load().hidden == ()


async def test_another_calmfeet_changes_stay_when_this_one_moves_and_favourites(
    make_app: MakeApp, paths: Paths
) -> None:
    """Two calmfeet open at once: this one's view is stale, its changes still land right."""
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        first, second, *rest, last = shown(app)
        assert highlighted(app) == first
        other = PreferencesStore(paths)  # the other calmfeet moves the last routine to the top
        other.load()
        other.update(lambda p: replace(p, order=(last, first, second, *rest), favourites=(first,)))
        assert "★" not in label(app, first), "this calmfeet has not seen the other's changes"
        await pilot.press("ctrl+f")  # the person sees no star and wants one
        assert label(app, first).startswith("★")
        await pilot.press("shift+down")
        expected = [last, second, first, *rest]
        assert shown(app) == expected, "the screen shows what was saved"
        assert highlighted(app) == first
    saved = PreferencesStore(paths).load()
    assert saved.favourites == (first,)
    assert list(saved.order) == expected


# --- filters ----------------------------------------------------------------------------------


async def test_typing_a_name_filters_the_list_and_escape_clears_it(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "i", "n", "d")
        assert app.screen.query_one("#filter", Input).value == "wind"
        assert shown(app) == ["sleep-wind-down"]
        await pilot.press("backspace", "backspace", "backspace", "backspace", "r", "e", "l", "e")
        assert shown(app) == ["stress-release"]
        await pilot.press("f")  # every letter goes to the filter
        assert shown(app) == []
        assert app.screen.query_one("#filter", Input).value == "relef"
        assert PreferencesStore(paths).load().favourites == ()
        await pilot.press("escape")
        assert len(shown(app)) == len(BUILTIN_IDS)


async def test_slash_focuses_the_filter_and_arrows_still_move_the_list(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", "s", "t")
        assert isinstance(app.focused, Input)
        assert shown(app) == ["circulation-boost", "stress-release"]
        await pilot.press("down")
        assert highlighted(app) == shown(app)[1]
        await pilot.press("escape")
        assert app.focused is app.screen.query_one("#routines")


async def test_t_cycles_the_focus_filter_back_to_everything(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")  # the first focus tag: stress
        assert sorted(shown(app)) == [
            "quick-reset",
            "reflexology-walk",
            "sleep-acupressure",
            "sleep-wind-down",
            "stress-release",
        ]
        await pilot.press("ctrl+t")  # circulation
        assert "circulation-boost" in shown(app)
        assert "stress-release" not in shown(app)
        for _ in range(6):
            await pilot.press("ctrl+t")
        assert len(shown(app)) == len(BUILTIN_IDS)


async def test_star_shows_only_favourites_and_the_favourites_survive_a_restart(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        for routine_id in ("whole-foot-tour", "circulation-boost"):
            await go_to(pilot, routine_id)
            await pilot.press("ctrl+f")
        await pilot.press("asterisk")
        assert shown(app) == ["circulation-boost", "whole-foot-tour"]

    again = make_app(paths)
    async with again.run_test(size=SIZE) as pilot:
        assert len(shown(again)) == len(BUILTIN_IDS), "the filter itself is not remembered"
        await pilot.press("asterisk")
        assert shown(again) == ["circulation-boost", "whole-foot-tour"]
        await pilot.press("asterisk")
        assert len(shown(again)) == len(BUILTIN_IDS)


async def test_nothing_matching_says_how_to_widen_the_filter(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("asterisk")  # no favourites yet
        await pilot.pause()
        assert shown(app) == []
        assert "No routine matches" in screen_text(app)


# --- launching --------------------------------------------------------------------------------


async def test_the_last_routine_used_is_highlighted_on_launch(
    make_app: MakeApp, paths: Paths
) -> None:
    PreferencesStore(paths).set_last_routine("tired-feet-relief")
    app = make_app(paths)
    async with app.run_test(size=SIZE):
        assert highlighted(app) == "tired-feet-relief"


async def test_a_last_routine_that_is_gone_highlights_the_first(
    make_app: MakeApp, paths: Paths
) -> None:
    PreferencesStore(paths).set_last_routine("deleted-long-ago")
    app = make_app(paths)
    async with app.run_test(size=SIZE):
        assert highlighted(app) == shown(app)[0]


async def test_q_quits_with_exit_code_0(make_app: MakeApp, paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_broken_routine_files_are_reported_once_and_the_good_ones_listed(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    write_routine(paths.routines_dir, "mine", "My Routine")
    (paths.routines_dir / "broken.toml").write_text('name = "x"\nsteps = 3\n', encoding="utf-8")
    (paths.routines_dir / "garbage.toml").write_bytes(b"\xff\xfe\x00junk")
    app = make_app(paths)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert sorted(shown(app)) == sorted([*BUILTIN_IDS, "mine"])
        messages = [n.message for n in app._notifications]
        about_files = [m for m in messages if "broken.toml" in m]
        assert len(about_files) == 1
        assert "garbage.toml" in about_files[0]
        assert "calmfeet validate" in about_files[0]
        text = " ".join(screen_text(app).split())
        assert "broken.toml" in text


async def test_the_theme_chosen_in_the_app_is_remembered(make_app: MakeApp, paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "dusk"
        app.theme = "linen"
        await pilot.pause()
    assert PreferencesStore(paths).load().theme == "linen"

    again = make_app(paths)
    async with again.run_test(size=SIZE):
        assert again.theme == "linen"


async def test_corrupt_preferences_are_kept_aside_and_the_app_still_starts(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    garbage = b'order = ["quick-reset"\nfavourites = \x00\xff nonsense'
    paths.config_dir.mkdir(parents=True)
    paths.preferences_file.write_bytes(garbage)
    app = make_app(paths)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert len(shown(app)) == len(BUILTIN_IDS)
        notices = [n.message for n in app._notifications if "preferences.toml" in n.message]
        assert len(notices) == 1
        assert "could not be read" in notices[0]
        assert "preferences.toml" in " ".join(screen_text(app).split())
        first = shown(app)[0]
        await pilot.press("ctrl+f")  # the person's next change is saved to a fresh file
    kept = list(paths.config_dir.glob("preferences.toml.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == garbage
    assert PreferencesStore(paths).load().favourites == (first,)


# --- the person's own version of a routine ----------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_editing_steps_saves_a_valid_own_version_and_o_restores_the_original(
    make_app: MakeApp, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    builtin_file = builtin_routines_dir() / "quick-reset.toml"
    before = digest(builtin_file)
    original = load_routine(builtin_file, builtin_file.name, builtin=True)
    own = paths.routines_dir / "quick-reset.toml"

    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "quick-reset")
        await pilot.press("tab")
        assert isinstance(app.focused, StepList)
        await pilot.press("shift+down")  # step 1 becomes step 2
        assert own.exists()
        await pilot.press("plus")  # that step gets 15 s longer
        await pilot.press("up", "delete")  # the (new) first step goes
        await pilot.pause()
        assert highlighted(app) == "quick-reset"

    saved = load_routine(own, str(own))
    steps = original.steps
    assert [s.title for s in saved.steps] == [s.title for s in steps[:1] + steps[2:]]
    assert saved.steps[0].seconds == steps[0].seconds + 15
    first, second = own.read_text(encoding="utf-8").splitlines()[:2]
    assert first == "#:schema ./calmfeet-routine.schema.json"  # for editors that read schemas
    assert second.startswith("# calmfeet: your own version of")
    assert digest(builtin_file) == before, "the built-in file is never touched"

    capsys.readouterr()
    assert main(["validate", str(own)], paths=paths) == 0
    assert capsys.readouterr().out.startswith("OK ")
    assert main(["list"], paths=paths) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("quick-reset "))
    assert "(shadows" in line

    again = make_app(paths)
    async with again.run_test(size=SIZE) as pilot:
        await go_to(pilot, "quick-reset")
        steps_list = again.screen.query_one(StepList)
        assert steps_list.option_count == len(steps) - 1, "the own version is what shows"
        await pilot.press("tab", "ctrl+o")
        await pilot.pause()
        assert not own.exists()
        assert steps_list.option_count == len(steps)
        await pilot.press("ctrl+o")  # already the original: nothing to remove, nothing breaks
    assert digest(builtin_file) == before


async def test_the_last_step_cannot_be_removed(make_app: MakeApp, paths: Paths) -> None:
    mine = write_routine(paths.routines_dir / "elsewhere", "one-step", "One Step")
    app = make_app(paths, extra_dirs=(mine.parent,))
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "one-step")
        await pilot.press("tab", "delete")
        assert app.screen.query_one(StepList).option_count == 1
    assert not (paths.routines_dir / "one-step.toml").exists()


async def test_o_reads_back_only_the_file_it_shadowed(
    make_app: MakeApp, paths: Paths, monkeypatch: pytest.MonkeyPatch, screen_text: ScreenText
) -> None:
    """Restoring one routine is instant with many routine files: only the original is read."""
    builtin_file = builtin_routines_dir() / "quick-reset.toml"
    original = load_routine(builtin_file, builtin_file.name, builtin=True)
    own = paths.routines_dir / "quick-reset.toml"
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "quick-reset")
        await pilot.press("tab", "delete")
        assert own.exists()
        assert "Your version" in screen_text(app)

        read: list[Path] = []

        def counting_load_routine(path: Path, *args: Any, **kwargs: Any) -> Any:
            read.append(path)
            return load_routine(path, *args, **kwargs)

        def no_full_reload(*args: object, **kwargs: object) -> Any:
            raise AssertionError("restoring one routine must not reload every routine file")

        monkeypatch.setattr(library_module, "load_library", no_full_reload)
        monkeypatch.setattr(library_module, "load_routine", counting_load_routine)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert read == [builtin_file]
        assert not own.exists()
        assert highlighted(app) == "quick-reset"
        steps_list = app.screen.query_one(StepList)
        assert steps_list.option_count == len(original.steps)
        assert steps_list.highlighted == 0
        assert "Your version" not in screen_text(app)


def toasts(app: Any) -> list[str]:
    """The toasts on screen (long ones wrap, so they are read whole from the app)."""
    return [n.message for n in app._notifications]


async def test_editing_a_shared_routine_asks_for_a_new_id_and_keeps_the_persons_file(
    make_app: MakeApp, paths: Paths, tmp_path: Path, screen_text: ScreenText
) -> None:
    """x.toml in the routines folder is the person's; the shared x is saved as x-2 instead."""
    mine = write_routine(paths.routines_dir, "x", "Mine")
    before = mine.read_bytes()
    shared = write_routine(tmp_path / "shared", "x", "Shared")
    app = make_app(paths, extra_dirs=(shared.parent,))
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "x")
        await pilot.press("tab", "plus")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NewIdScreen)
        assert "x.toml in your routines folder is your own file" in screen_text(app)
        field = dialog.query_one(Input)
        assert field.value == "x-2"

        field.value = "breathe"
        await pilot.press("enter")
        assert app.screen is dialog, "a refused id keeps the dialog open"
        assert "kept for `calmfeet breathe`" in screen_text(app)
        field.value = "x-2"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert "x-2" in shown(app)
        assert highlighted(app) == "x-2", "the person goes on editing their version"
        assert "Your version is saved as x-2.toml." in toasts(app)
        assert app.screen.query_one(StepList).highlighted == 0

    assert mine.read_bytes() == before
    saved = load_routine(paths.routines_dir / "x-2.toml")
    assert saved.steps[0].seconds == 45
    assert sorted(p.name for p in paths.routines_dir.glob("*.toml")) == ["x-2.toml", "x.toml"]


async def test_escape_in_the_new_id_dialog_saves_nothing(
    make_app: MakeApp, paths: Paths, tmp_path: Path
) -> None:
    mine = write_routine(paths.routines_dir, "x", "Mine")
    before = mine.read_bytes()
    shared = write_routine(tmp_path / "shared", "x", "Shared")
    app = make_app(paths, extra_dirs=(shared.parent,))
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "x")
        await pilot.press("tab", "plus")
        await pilot.pause()
        assert isinstance(app.screen, NewIdScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert "Nothing was saved; x.toml stays as it is." in toasts(app)
        assert "x-2" not in shown(app)
        assert app.screen.query_one(StepList).option_count == 1
    assert mine.read_bytes() == before
    assert sorted(p.name for p in paths.routines_dir.iterdir()) == ["x.toml"]


async def test_o_keeps_a_version_whose_original_is_not_loaded(
    make_app: MakeApp, paths: Paths
) -> None:
    """The folder the original came from was not given this time: the version is all there is."""
    orphan = paths.routines_dir / "gone.toml"
    orphan.parent.mkdir(parents=True)
    orphan.write_text(
        "# calmfeet: your own version of 'Gone' (from /somewhere/gone.toml).\n"
        + EXTRA_ROUTINE.format(name="Gone"),
        encoding="utf-8",
    )
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "gone")
        await pilot.press("tab", "ctrl+o")
        await pilot.pause()
        assert toasts(app) == [
            f"No original of Gone is loaded under the id gone, so your version {orphan} stays."
        ]
        assert "gone" in shown(app)
    assert orphan.exists()


async def test_o_leaves_a_marked_file_from_another_folder_alone(
    make_app: MakeApp, paths: Paths, tmp_path: Path, screen_text: ScreenText
) -> None:
    elsewhere = tmp_path / "shared" / "quick-reset.toml"
    elsewhere.parent.mkdir()
    text = "# calmfeet: your own version of 'Quick Reset'.\n" + EXTRA_ROUTINE.format(name="Shared")
    elsewhere.write_text(text, encoding="utf-8")
    app = make_app(paths, extra_dirs=(elsewhere.parent,))
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "quick-reset")
        assert "Your version" not in screen_text(app), "calmfeet did not save this file"
        await pilot.press("tab", "ctrl+o")
        await pilot.pause()
        assert toasts(app) == [
            f"{elsewhere} is not in your routines folder, so calmfeet leaves it alone."
        ]
        assert app.screen.query_one(StepList).option_count == 1, "still the shared file's steps"
    assert elsewhere.read_text(encoding="utf-8") == text


# --- snapshots --------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["dusk", "linen"])
@pytest.mark.parametrize("size", [(100, 30), (40, 12)], ids=["100x30", "40x12"])
def test_snapshot(
    snap_compare: SnapCompare,
    make_app: MakeApp,
    paths: Paths,
    theme: str,
    size: tuple[int, int],
) -> None:
    app = make_app(paths, theme=theme, reduced_motion=True)
    assert snap_compare(app, terminal_size=size)


# --- from the picker into a session and back ---------------------------------------------------


async def test_a_routine_started_from_the_picker_is_remembered_with_its_caution(
    make_app: MakeApp, paths: Paths
) -> None:
    clock = FakeClock()
    app = make_app(paths, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "stress-release")
        await pilot.press("enter")
        assert isinstance(app.screen, CautionScreen), "a caution comes first"
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        clock.advance(30)
        screen.tick()
        await pilot.press("escape")  # leave: calmfeet asks first
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert highlighted(app) == "stress-release"
        await pilot.press("ctrl+q")
    assert app.return_code == 0

    again = make_app(paths, clock=FakeClock())
    async with again.run_test(size=SIZE) as pilot:
        assert highlighted(again) == "stress-release"
        await pilot.press("enter")
        assert isinstance(again.screen, SessionScreen), "the caution was confirmed once"
    with History(paths.history_db) as history:
        rows = history.all()
    assert [(r.routine, r.completed) for r in rows][0] == ("stress-release", False)


async def test_a_routine_run_to_the_end_comes_back_to_the_picker(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    clock = FakeClock()
    quick = load_routine(builtin_routines_dir() / "quick-reset.toml", builtin=True)
    PreferencesStore(paths).confirm_caution(quick.id, routine_caution(quick))
    app = make_app(paths, clock=clock, interludes=False)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "quick-reset")
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        clock.advance(screen.routine.total_seconds + 1)
        screen.tick()
        await pilot.pause()
        assert "Routine complete" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert highlighted(app) == "quick-reset"
    with History(paths.history_db) as history:
        rows = history.all()
    assert [(r.routine, r.completed) for r in rows] == [("quick-reset", True)]


FRIENDS_STRESS_RELEASE = """\
name = "Stress Release (a friend's)"
summary = "A friend's take on it."
focus = ["stress"]
breathing = "resonance"
caution = "Not with a sprained ankle."

[[steps]]
title = "Rub the soles"
seconds = 30
foot = "both"
zone = "whole"
"""


async def test_a_caution_confirmed_for_one_routine_still_shows_for_another_with_its_id(
    make_app: MakeApp, paths: Paths, tmp_path: Path
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "stress-release")
        await pilot.press("enter")
        assert isinstance(app.screen, CautionScreen)
        await pilot.press("enter")  # the built-in's caution, confirmed
        assert isinstance(app.screen, SessionScreen)

    friends = tmp_path / "friends"
    friends.mkdir()
    (friends / "stress-release.toml").write_text(FRIENDS_STRESS_RELEASE, encoding="utf-8")
    again = make_app(paths, extra_dirs=(friends,))
    async with again.run_test(size=SIZE) as pilot:
        await go_to(pilot, "stress-release")
        await pilot.press("enter")
        assert isinstance(again.screen, CautionScreen), "a different caution is shown once"
        assert again.screen.routine.caution == "Not with a sprained ankle."


async def test_a_caution_confirmed_by_an_older_calmfeet_is_shown_once_more(
    make_app: MakeApp, paths: Paths
) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.preferences_file.write_text('confirmed_cautions = ["quick-reset"]\n')
    for expected in (CautionScreen, SessionScreen):
        app = make_app(paths)
        async with app.run_test(size=SIZE) as pilot:
            await go_to(pilot, "quick-reset")
            await pilot.press("enter")
            assert isinstance(app.screen, expected)
            await pilot.press("enter")


# --- a picker you can type into ----------------------------------------------------------------

BUILTIN_NAMES = {
    "ankle-mobility": "Ankle & Toe Mobility",
    "circulation-boost": "Circulation Boost",
    "quick-reset": "Quick Reset",
    "sleep-wind-down": "Sleep Wind-Down",
    "stress-release": "Stress Release",
    "tired-feet-relief": "Tired Feet Relief",
    "whole-foot-tour": "Whole-Foot Tour",
}


def footer_text(app: Any, screen_text: ScreenText) -> str:
    return screen_text(app).splitlines()[-1]


@pytest.mark.parametrize("routine_id", sorted(BUILTIN_NAMES))
async def test_typing_a_routine_name_only_filters_and_runs_no_command(
    make_app: MakeApp, paths: Paths, routine_id: str
) -> None:
    """quick, sleep, tired and heel once quit, opened Stats, filtered and hid: now they filter."""
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*BUILTIN_NAMES[routine_id].lower())
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, PickerScreen)
        assert shown(app) == [routine_id]
        assert app.screen.routine_filter.focus is None
    saved = PreferencesStore(paths).load()
    assert saved.favourites == () and saved.hidden == ()


async def test_heel_typed_in_the_list_hides_nothing_and_edits_no_step(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h", "e", "e", "l")
        assert app.focused is app.screen.query_one("#routines")
        assert app.screen.query_one("#filter", Input).value == "heel"
        await pilot.press("escape")
        await pilot.press("tab", "h", "e", "e", "l")  # in the steps: letters filter, too
        assert app.focused is app.screen.query_one("#routines")
        assert app.screen.query_one("#filter", Input).value == "heel"
    assert PreferencesStore(paths).load().hidden == ()
    assert not paths.routines_dir.exists() or not any(paths.routines_dir.iterdir())


async def test_the_new_command_keys_do_their_jobs(make_app: MakeApp, paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        first = highlighted(app)
        await pilot.press("ctrl+f")
        assert PreferencesStore(paths).load().favourites == (first,)
        await pilot.press("ctrl+t")
        assert app.screen.routine_filter.focus == "stress"
        await pilot.press("ctrl+t", "ctrl+t", "ctrl+t", "ctrl+t", "ctrl+t", "ctrl+t", "ctrl+t")
        assert app.screen.routine_filter.focus is None
        await pilot.press("ctrl+e")
        assert isinstance(app.focused, StepList)
        await pilot.press("escape")
        await go_to(pilot, first)
        await pilot.press("ctrl+d")
        assert first not in shown(app)
        await pilot.press("ctrl+a")
        assert first in shown(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "StatsScreen"
        await pilot.press("escape")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_labels_follow_the_highlighted_routine(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = footer_text(app, screen_text)
        assert "Favourite" in footer and "Unfavourite" not in footer and "Hide" in footer
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert "Unfavourite" in footer_text(app, screen_text)
        await pilot.press("ctrl+a", "ctrl+d")
        await pilot.pause()
        assert "Show" in footer_text(app, screen_text).replace("Show hidden", "")
        await pilot.press("ctrl+d", "ctrl+f")
        await pilot.pause()
        footer = footer_text(app, screen_text)
        assert "Favourite" in footer and "Unfavourite" not in footer and "Hide" in footer


@pytest.mark.parametrize("keys", [(), ("tab",)], ids=["list", "steps"])
async def test_the_footer_fits_80_columns(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText, keys: tuple[str, ...]
) -> None:
    app = make_app(paths)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+f", *keys)  # the longest label, Unfavourite, where it shows
        await pilot.pause()
        footer = footer_text(app, screen_text)
        assert footer.rstrip().endswith("? Keys"), footer
        assert "Quit" in footer


async def test_escape_in_the_filter_keeps_the_highlighted_routine(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r", "e", "s", "down")
        chosen = highlighted(app)
        assert chosen == shown(app)[1]
        await pilot.press("escape")
        assert len(shown(app)) == len(BUILTIN_IDS)
        assert highlighted(app) == chosen
        await pilot.press("z", "z", "z")  # a name that matches nothing
        assert shown(app) == []
        await pilot.press("escape")
        assert highlighted(app) == chosen, "not back to the top"


async def test_enter_in_the_step_list_starts_the_routine(make_app: MakeApp, paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "quick-reset")
        await pilot.press("tab", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, (SessionScreen, CautionScreen))


async def test_the_preview_scrolls_home_for_the_next_routine(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=(100, 24)) as pilot:
        about = app.screen.query_one("#preview-about")
        about.scroll_end(animate=False)
        await pilot.pause()
        assert about.scroll_y > 0, "the first routine's words are longer than the space"
        await pilot.press("down")
        await pilot.pause()
        await pilot.pause()
        assert about.scroll_y == 0


async def test_the_preview_shows_each_step_zone_and_the_foot_map_at_100x30(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "0:45 · left foot · ankle" in text, "the step's second line, with its zone"
        footmap = app.screen.query_one("#preview-map")
        assert footmap.display and footmap.region.height >= 8
        assert footmap.region.bottom <= 30 - 2


async def test_nothing_matching_draws_no_foot_map(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("z", "z", "z")
        await pilot.pause()
        assert shown(app) == []
        text = screen_text(app)
        assert "No routine matches" in text
        assert "░" not in text and "foot" not in text.split("No routine matches")[1]


async def test_one_scrollbar_at_a_time_in_the_preview(make_app: MakeApp, paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        about = app.screen.query_one("#preview-about")
        steps = app.screen.query_one(StepList)
        assert about.region.bottom <= steps.region.y, "the words sit above the steps, not beside"


async def test_question_mark_lists_calmfeets_keys_by_screen(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for words in ("Picker", "Session", "Stats", "Favourite / Unfavourite", "Pause", "Quit"):
            assert words in text
        assert "Scroll Left" not in text and "Copy selected text" not in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)


async def test_moving_between_a_favourite_and_another_routine_changes_the_label(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    """The footer is rebuilt only when a label would change: it must still change then."""
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert "Unfavourite" in footer_text(app, screen_text)
        await pilot.press("down")
        await pilot.pause()
        footer = footer_text(app, screen_text)
        assert "Favourite" in footer and "Unfavourite" not in footer
        await pilot.press("down")  # another plain routine: the same labels
        await pilot.pause()
        assert "Unfavourite" not in footer_text(app, screen_text)
        await pilot.press("up", "up")
        await pilot.pause()
        assert "Unfavourite" in footer_text(app, screen_text)


async def test_moving_between_routines_of_one_shape_shows_each_ones_own_preview(
    make_app: MakeApp, paths: Paths
) -> None:
    """Two routines with as many steps and as long a preview: the preview reuses its rows
    (no new layout), and every row must still say the routine now highlighted."""
    for routine_id, name, step in (("mine-a", "Mine A", "Rub"), ("mine-b", "Mine B", "Knead")):
        text = EXTRA_ROUTINE.format(name=name).replace("Rub the soles", f"{step} the soles")
        (paths.routines_dir / f"{routine_id}.toml").parent.mkdir(parents=True, exist_ok=True)
        (paths.routines_dir / f"{routine_id}.toml").write_text(text, encoding="utf-8")
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        for routine_id, name, step, other in (
            ("mine-a", "Mine A", "Rub", "Knead"),
            ("mine-b", "Mine B", "Knead", "Rub"),
            ("mine-a", "Mine A", "Rub", "Knead"),
        ):
            await go_to(pilot, routine_id)
            await pilot.pause()
            preview = str(app.screen.query_one("#preview-text").render())
            steps = app.screen.query_one(StepList)
            rows = [str(steps.get_option_at_index(i).prompt) for i in range(steps.option_count)]
            assert preview.startswith(name)
            assert len(rows) == 1 and f"{step} the soles" in rows[0]
            assert all(other not in row for row in rows)
