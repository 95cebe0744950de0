"""Points in the app: the pregnancy question, the preview's points, the session's way to find a
point, the breathing caution, and `calmfeet new`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from calmfeet.cli import main
from calmfeet.core import starter
from calmfeet.core.breathing import parse_pattern
from calmfeet.core.clock import FakeClock
from calmfeet.core.paths import Paths
from calmfeet.core.preferences import PreferencesStore
from calmfeet.core.routines import load_routine
from calmfeet.core.safety import DIZZINESS
from calmfeet.core.starter import StarterRefused, write_starter
from calmfeet.ui.screens.caution import CautionScreen
from calmfeet.ui.screens.keys import KeysScreen
from calmfeet.ui.screens.picker import PickerScreen
from calmfeet.ui.screens.pregnancy import PregnancyScreen
from calmfeet.ui.screens.session import SessionScreen
from calmfeet.ui.widgets.big_text import BigText
from calmfeet.ui.widgets.footmap import FootMap

MakeApp = Any
SIZE = (100, 30)
SLEEP = "sleep-acupressure"
"""The built-in that presses SP6, a point traditionally avoided in pregnancy."""


def shown(app: Any) -> list[str]:
    routines = app.screen.query_one("#routines", OptionList)
    return [routines.get_option_at_index(i).id for i in range(routines.option_count)]


async def go_to(pilot: Pilot[Any], routine_id: str) -> None:
    """Type the routine's id into the filter, as a person would, so it is highlighted."""
    await pilot.press(*routine_id)
    await pilot.pause()
    assert shown(pilot.app)[0] == routine_id


def static_text(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


# --- pregnancy -------------------------------------------------------------------------------


async def test_asked_once_then_steps_on_avoided_points_are_skipped(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths, interludes=False)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, SLEEP)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PregnancyScreen)
        words = static_text(app, "#question")
        assert "presses SP6, a point traditionally avoided in pregnancy" in words
        assert "ctrl+p" in words
        await pilot.press("enter")  # "Skip those steps" has the focus
        await pilot.pause()
        assert app.prefs.pregnancy_points == "skip"
        assert isinstance(app.screen, CautionScreen)
        assert "SP6" in app.screen.caution
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert len(screen.routine.steps) == 8
        assert "SP6" not in [step.point for step in screen.routine.steps]
        notices = [n.message for n in app._notifications]
        assert any("Skipping 2 steps on points traditionally avoided" in n for n in notices)
        await pilot.press("escape")  # leave, and start it again: nothing is asked this time
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert len(app.screen.routine.steps) == 8
    assert PreferencesStore(paths).load().pregnancy_points == "skip", "saved"


async def test_again_after_a_session_that_skipped_steps_skips_them_again_without_asking(
    make_app: MakeApp, paths: Paths
) -> None:
    clock = FakeClock()
    store = PreferencesStore(paths)
    store.set_pregnancy_points("skip")
    app = make_app(paths, clock=clock, interludes=False)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, SLEEP)
        await pilot.press("enter")  # the caution, the only question now
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        clock.advance(screen.routine.total_seconds + 1)
        screen.tick()
        await pilot.pause()
        await pilot.press("a")  # again
        await pilot.pause()
        again = app.screen
        assert isinstance(again, SessionScreen), again
        assert len(again.routine.steps) == 8 and again.routine.id == SLEEP


async def test_keeping_them_runs_every_step_and_warns_at_the_point(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths, interludes=False)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, SLEEP)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#include")
        await pilot.pause()
        await pilot.press("enter")  # the caution
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert len(screen.routine.steps) == 10
        await pilot.press("n", "n", "n")  # the fourth step: SP6 on the left foot
        await pilot.pause()
        assert screen.session.step.point == "SP6"
        assert static_text(app, "#how").endswith("Traditionally avoided in pregnancy.")
    assert PreferencesStore(paths).load().pregnancy_points == "include"


async def test_not_now_starts_nothing_and_asks_again_next_time(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, SLEEP)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert app.prefs.pregnancy_points == "ask"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PregnancyScreen)


async def test_a_routine_without_such_points_never_asks(make_app: MakeApp, paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "stress-release")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CautionScreen)
    assert PreferencesStore(paths).load().pregnancy_points == "ask"


async def test_the_palette_changes_the_choice(make_app: MakeApp, paths: Paths) -> None:
    PreferencesStore(paths).set_pregnancy_points("skip")
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"pregnancy")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PregnancyScreen)
        assert "Some routines press BL60, SP6 and BL67" in static_text(app, "#question")
        await pilot.click("#include")
        await pilot.pause()
        assert app.prefs.pregnancy_points == "include"
    assert PreferencesStore(paths).load().pregnancy_points == "include"


async def test_calmfeet_run_ends_when_the_question_is_put_off(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths, run_routine=SLEEP)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PregnancyScreen)
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_routine_with_nothing_left_to_skip_to_says_so(
    make_app: MakeApp, paths: Paths
) -> None:
    paths.routines_dir.mkdir(parents=True)
    (paths.routines_dir / "legs.toml").write_text(
        'name = "Legs"\n[[steps]]\ntitle = "Inner leg"\nseconds = 30\npoint = "SP6"\n',
        encoding="utf-8",
    )
    PreferencesStore(paths).set_pregnancy_points("skip")
    app = make_app(paths, run_routine="legs")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert app.return_code == 0
    assert app.exit_notes == [
        "calmfeet: Every step of Legs is on a point traditionally avoided in pregnancy, so "
        "there is nothing to start. (ctrl+p, Pregnancy, changes this.)"
    ]


# --- the preview and the session -------------------------------------------------------------


async def test_the_preview_lists_the_routine_s_points_and_the_chart_as_tradition(
    make_app: MakeApp, paths: Paths
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, SLEEP)
        await pilot.pause()
        about = static_text(app, "#preview-text")
        assert (
            "Points: KI3 Taixi (inner ankle); SP6 Sanyinjiao (inner lower leg, avoided in "
            "pregnancy); LR3 Taichong (top of foot); KI1 Yongquan (sole)"
        ) in " ".join(about.split())
        assert "no good evidence" in about
        steps = app.screen.query_one("#steps", OptionList)
        assert "ankle · KI3" in str(steps.get_option_at_index(1).prompt)
        await pilot.press("tab", "down", "down", "down")  # the steps; the fourth is SP6
        await pilot.pause()
        assert app.screen.query_one("#preview-map", FootMap).point == "SP6"
        await pilot.press("escape", "escape")
        await pilot.press(*"whole")
        await pilot.pause()
        about = " ".join(static_text(app, "#preview-text").split())
        assert "Reflexology's chart (a tradition) links the toes to the head" in about
        assert "Points:" not in about


async def test_the_preview_names_what_a_routine_needs(make_app: MakeApp, paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "tired-feet-relief")
        await pilot.pause()
        assert "You will need: tennis ball" in static_text(app, "#preview-text")


async def test_the_session_says_how_to_find_the_point_in_both_views(
    make_app: MakeApp, paths: Paths
) -> None:
    clock = FakeClock()
    stress = load_routine(Path(__file__).parent.parent / "calmfeet/routines/stress-release.toml")
    index = next(i for i, step in enumerate(stress.steps) if step.point == "KI1")
    app = make_app(paths, clock=clock, run_routine="stress-release", interludes=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the caution
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        assert "Find" not in static_text(app, "#how"), "no point, nothing to find"
        for _ in range(index):
            await pilot.press("n")
        await pilot.pause()
        how, find = static_text(app, "#how").split("\n")
        assert how == "Press in with your thumb as you breathe out; ease off as you breathe in."
        assert find.startswith("Find KI1 Yongquan: On the sole: curl your toes")
        assert screen.query_one("#how").region.height <= 4, "no more rows than any step"
        assert screen.query_one("#now", BigText).text == "Left · KI1"
        assert screen.query_one(FootMap).point == "KI1"
        await pilot.press("v")  # the detail view
        await pilot.pause()
        assert static_text(app, "#where") == "Left foot · ball · KI1"
        assert "Find KI1" in static_text(app, "#how")
        await pilot.resize_terminal(200, 60)  # the large big view: what to do in big type
        await pilot.press("v")
        await pilot.pause()
        assert not screen.query_one("#how").display
        assert screen.query_one("#find").display
        assert static_text(app, "#find").startswith("Find KI1 Yongquan")


async def test_the_keys_screen_says_the_evidence_plainly(make_app: MakeApp, paths: Paths) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        text = " ".join(static_text(app, "#keys-text").split())
        assert "no good evidence that pressing a zone or point treats the organ" in text


# --- calmfeet breathe ------------------------------------------------------------------------


async def test_breathe_with_a_hold_shows_its_caution_once(make_app: MakeApp, paths: Paths) -> None:
    for first in (True, False):
        app = make_app(paths, breathe=parse_pattern("box"), breathe_minutes=1)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            if first:
                assert isinstance(app.screen, CautionScreen)
                assert app.screen.caution == DIZZINESS
                await pilot.press("enter")
                await pilot.pause()
            assert isinstance(app.screen, SessionScreen), "confirmed once, never again"


async def test_breathe_without_a_hold_shows_no_caution(make_app: MakeApp, paths: Paths) -> None:
    app = make_app(paths, breathe=parse_pattern("calm"), breathe_minutes=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)


# --- calmfeet new ----------------------------------------------------------------------------


def test_new_writes_a_commented_starter_and_prints_its_path(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "evening-unwind"], paths=paths) == 0
    out = capsys.readouterr().out
    path = paths.routines_dir / "evening-unwind.toml"
    assert out == f"{path}\n"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#:schema ./calmfeet-routine.schema.json\n# A calmfeet routine.")
    assert (paths.routines_dir / "calmfeet-routine.schema.json").is_file()
    assert 'name = "Evening Unwind"' in text
    routine = load_routine(path)
    assert routine.name == "Evening Unwind"
    assert {step.point for step in routine.steps} >= {"KI1"}
    assert routine.steps[0].foot == "both" and routine.steps[0].zone == "whole", "the defaults"
    assert main(["validate", str(path)], paths=paths) == 0
    assert main(["list"], paths=paths) == 0
    assert "evening-unwind" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("routine_id", "why"),
    [
        ("stress-release", "stress-release is already a routine's id; choose another."),
        ("breathe", "breathe is kept for `calmfeet breathe`; choose another id."),
        ("a/b", 'An id cannot hold / \\ : * ? " < > | or control characters.'),
        (".hidden", ".hidden.toml would be a hidden file; an id cannot start with a dot."),
    ],
)
def test_new_refuses_an_id_in_use_or_not_a_file_name(
    paths: Paths, capsys: pytest.CaptureFixture[str], routine_id: str, why: str
) -> None:
    assert main(["new", routine_id], paths=paths) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"calmfeet: new: {why}\n")
    assert not paths.routines_dir.exists() or not any(paths.routines_dir.iterdir())


def test_new_never_overwrites_a_file_of_yours(
    paths: Paths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths.routines_dir.mkdir(parents=True)
    mine = paths.routines_dir / "mine.toml"
    mine.write_text("not even TOML", encoding="utf-8")
    assert main(["new", "mine"], paths=paths) == 2
    assert capsys.readouterr().err == (
        "calmfeet: new: mine.toml is already in your routines folder; choose another id.\n"
    )
    # Even when the file turns up after the id was checked, it is not replaced.
    monkeypatch.setattr(starter, "id_problem", lambda *_: None)
    with pytest.raises(StarterRefused):
        write_starter(paths, "mine", ())
    assert mine.read_text(encoding="utf-8") == "not even TOML"
    assert [p.name for p in paths.routines_dir.glob("*.toml*")] == ["mine.toml"], "no temp left"


def test_new_in_a_folder_that_cannot_be_written_exits_3(
    paths: Paths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path, data: bytes, **_: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(starter, "write_atomically", refuse)
    assert main(["new", "evening"], paths=paths) == 3
    target = paths.routines_dir / "evening.toml"
    assert capsys.readouterr().err == (
        f"calmfeet: {target}: cannot be written (Permission denied)\n"
    )


def test_new_with_an_empty_id_is_a_usage_error(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", ""], paths=paths) == 2
    assert capsys.readouterr().err == "calmfeet: new: an empty id was given\n"
