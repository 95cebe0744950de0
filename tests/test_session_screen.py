"""The practice screen: what a person sees and what each key does, timed by a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from harness import Harness
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Digits, Static

from calmfeet.core import bigtype
from calmfeet.core.breathing import BUILTIN_PATTERNS, BreathingPattern
from calmfeet.core.clock import FakeClock
from calmfeet.core.history import History, SessionRecord
from calmfeet.core.library import Library
from calmfeet.core.model import Routine, Step
from calmfeet.core.paths import Paths
from calmfeet.core.preferences import PreferencesStore
from calmfeet.core.session import SLEEP_REASON, Session, breathing_only_routine
from calmfeet.core.session_view import DisplayOptions, SessionView, session_view
from calmfeet.ui.app import CalmFeetApp
from calmfeet.ui.screens import session as session_module
from calmfeet.ui.screens.caution import CautionScreen
from calmfeet.ui.screens.complete import CompleteScreen
from calmfeet.ui.screens.confirm import ConfirmScreen
from calmfeet.ui.screens.picker import PickerScreen
from calmfeet.ui.screens.session import (
    LEAVE_QUESTION,
    TOO_SMALL,
    SessionScreen,
)
from calmfeet.ui.widgets.big_text import BigText
from calmfeet.ui.widgets.footmap import FootMap
from calmfeet.ui.widgets.pacer import Pacer
from calmfeet.ui.widgets.step_progress import StepProgress, progress_cells

SnapCompare = Callable[..., bool]
MakeApp = Callable[..., Any]


def calm() -> BreathingPattern:
    return BUILTIN_PATTERNS["calm"]()


def make_routine(caution: str = "") -> Routine:
    """Three steps, 3:15 in all, on different feet and zones."""
    pattern = calm()
    steps = (
        Step("Warm the soles", 60, "both", "whole", "Rub both soles with your palms.", pattern),
        Step(
            "Thumb-walk the arch",
            90,
            "left",
            "arch",
            "Walk both thumbs slowly from heel to ball along the arch.",
            pattern,
        ),
        Step("Heel circles", 45, "right", "heel", "Circle the heel with your fingertips.", pattern),
    )
    return Routine(
        id="test-routine",
        name="Test routine",
        summary="A short routine for tests.",
        focus=("stress",),
        breathing=pattern,
        caution=caution,
        steps=steps,
        source=Path("test-routine.toml"),
    )


SessionAppFactory = Callable[..., Any]
"""`session_app(routine, clock, run_mode=False, breathing_only=False)` -> the real app."""


@pytest.fixture
def session_app(make_app: MakeApp, paths: Paths) -> SessionAppFactory:
    """The real app from the factory, holding just `routine`: in run mode it opens on the
    session (as `calmfeet run` does), otherwise on the picker with `routine` highlighted.

    The get-ready countdown and switch-feet pause are saved as off unless a test asks for
    them, so a step's time is the clock's time."""

    def build(
        routine: Routine,
        clock: FakeClock,
        *,
        run_mode: bool = False,
        breathing_only: bool = False,
        lead_in: float = 0.0,
        switch: float = 0.0,
    ) -> CalmFeetApp:
        store = PreferencesStore(paths)
        store.load()
        store.set_lead_in_seconds(lead_in)
        store.set_switch_seconds(switch)
        if breathing_only:
            return make_app(
                paths,
                clock=clock,
                breathe=routine.breathing,
                breathe_minutes=routine.total_seconds / 60,
            )
        return make_app(
            paths,
            clock=clock,
            library=Library(routines=[routine]),
            run_routine=routine.id if run_mode else None,
        )

    return build


@asynccontextmanager
async def running(app: CalmFeetApp, size: tuple[int, int] = (100, 30)) -> AsyncIterator[Pilot[int]]:
    """Run the app; from the picker, start the highlighted routine as a person would."""
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if isinstance(app.screen, PickerScreen):
            await pilot.press("enter")
            await pilot.pause()
        yield pilot


async def start_from_picker(pilot: Pilot[Any]) -> None:
    """For snapshots: the session screen as a person reaches it, from the picker."""
    await pilot.pause()
    if isinstance(pilot.app.screen, PickerScreen):
        await pilot.press("enter")
        await pilot.pause()


def records(app: CalmFeetApp) -> list[SessionRecord]:
    """The sessions the app has written to its history, oldest first."""
    return list(reversed(app.history.recent(None)))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def session_screen(app: App[Any]) -> SessionScreen:
    screen = app.screen
    assert isinstance(screen, SessionScreen), screen
    return screen


def text(screen: Screen[Any], selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def shown_time(screen: Screen[Any]) -> str:
    return screen.query_one("#clock", Digits).value


def screen_text(app: App[Any]) -> str:
    """Every character on the terminal, as a person would read it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def advance(pilot: Pilot[Any], clock: FakeClock, seconds: float) -> None:
    """Move time on and let the screen catch up, as its timer would."""
    clock.advance(seconds)
    screen = pilot.app.screen
    if isinstance(screen, SessionScreen):
        screen.tick()
    await pilot.pause()


# ---- what is shown ------------------------------------------------------------------------


async def test_shows_the_step_at_a_glance(session_app: SessionAppFactory, clock: FakeClock) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        await pilot.pause()
        screen = session_screen(app)
        assert text(screen, "#step-of") == "Step 1 of 3"
        assert text(screen, "#title") == "Warm the soles"
        assert text(screen, "#where") == "Both feet · whole sole"
        assert text(screen, "#how") == "Rub both soles with your palms."
        assert text(screen, "#next") == "Next: Thumb-walk the arch"
        assert text(screen, "#routine-left") == "3:15 left"
        assert shown_time(screen) == "1:00"
        await advance(pilot, clock, 12.3)
        assert shown_time(screen) == "0:48"
        assert text(screen, "#routine-left") == "3:03 left"
        on_screen = screen_text(app)
        assert "Step 1 of 3" in on_screen
        assert "Test routine" in on_screen


async def test_last_step_says_so_and_foot_map_follows_the_step(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        await pilot.press("n", "n")
        screen = session_screen(app)
        assert text(screen, "#step-of") == "Step 3 of 3"
        assert text(screen, "#next") == "Last step"
        assert text(screen, "#where") == "Right foot · heel"
        foot_map = screen.query_one(FootMap)
        assert (foot_map.foot, foot_map.zone) == ("right", "heel")


async def test_last_three_seconds_count_down_in_words_and_colour(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        screen = session_screen(app)
        digits = screen.query_one("#clock", Digits)
        await advance(pilot, clock, 56.5)
        assert text(screen, "#cue") == ""
        assert not digits.has_class("-ending")
        await advance(pilot, clock, 0.6)  # 2.9 s left
        assert text(screen, "#cue") == "Next in 3…"
        assert digits.has_class("-ending")
        await advance(pilot, clock, 1.0)
        assert text(screen, "#cue") == "Next in 2…"
        await advance(pilot, clock, 2.0)  # on to step 2: the cue goes
        assert text(screen, "#step-of") == "Step 2 of 3"
        assert text(screen, "#cue") == ""
        assert not digits.has_class("-ending")
        await pilot.press("n")
        await advance(pilot, clock, 43.0)
        assert text(screen, "#cue") == "Done in 2…"


async def test_progress_bar_marks_done_current_and_later_steps(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        screen = session_screen(app)
        bar = screen.query_one(StepProgress)
        await advance(pilot, clock, 75)  # 15 s into step 2 of 3
        cells = bar.cells
        assert cells[0] == "done"
        assert cells[-1] == "todo"
        assert "fill" in cells and "rest" in cells
        assert "━" in bar.text and "╌" in bar.text and "─" in bar.text


# ---- keys ---------------------------------------------------------------------------------


async def test_space_pauses_and_freezes_everything(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        screen = session_screen(app)
        await advance(pilot, clock, 10)
        await pilot.press("space")
        assert screen.has_class("-paused")
        assert text(screen, "#cue") == "Paused"
        assert screen.query_one(Pacer).has_class("-paused")
        frame = screen.query_one(Pacer).frame_key
        await advance(pilot, clock, 30)
        assert shown_time(screen) == "0:50"
        assert screen.query_one(Pacer).frame_key == frame
        assert "Paused" in screen_text(app)
        await pilot.press("space")
        assert not screen.has_class("-paused")
        await advance(pilot, clock, 5)
        assert shown_time(screen) == "0:45"


async def test_a_sleeping_computer_pauses_and_says_why(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        screen = session_screen(app)
        await advance(pilot, clock, 10)
        clock.jump_wall(3600)
        screen.tick()
        await pilot.pause()
        assert screen.has_class("-paused")
        assert text(screen, "#notice") == SLEEP_REASON
        assert shown_time(screen) == "0:50"
        await pilot.press("space")
        assert not screen.has_class("-paused")


async def test_next_previous_restart_and_add_time(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        screen = session_screen(app)
        await pilot.press("n")
        assert text(screen, "#step-of") == "Step 2 of 3"
        await pilot.press("right")
        assert text(screen, "#step-of") == "Step 3 of 3"
        await pilot.press("p")
        assert text(screen, "#step-of") == "Step 2 of 3"
        await pilot.press("left")
        assert text(screen, "#step-of") == "Step 1 of 3"
        await advance(pilot, clock, 20)
        assert shown_time(screen) == "0:40"
        await pilot.press("r")
        assert shown_time(screen) == "1:00"
        await pilot.press("plus")
        assert shown_time(screen) == "1:30"
        await pilot.press("equals_sign")
        assert shown_time(screen) == "2:00"
        assert text(screen, "#routine-left") == "4:15 left"


async def test_bell_rings_on_step_change_and_b_turns_it_off(
    session_app: SessionAppFactory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = session_app(make_routine(), clock)
    rung: list[None] = []
    monkeypatch.setattr(app, "bell", lambda: rung.append(None))
    async with running(app, size=(100, 30)) as pilot:
        await pilot.pause()
        assert len(rung) == 0  # not for the first step
        await advance(pilot, clock, 60)
        assert len(rung) == 1
        await pilot.press("r")
        assert len(rung) == 1  # starting the same step again is not a change
        await pilot.press("b")
        assert app.prefs.bell is False
        await pilot.press("n")
        assert len(rung) == 1
        await pilot.press("b")
        assert app.prefs.bell is True


async def test_question_mark_still_shows_the_keys(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        shown = screen_text(app)
        assert "Session" in shown and "Next" in shown, "calmfeet's own keys, by screen"
        assert "Scroll Left" not in shown


async def test_escape_asks_and_staying_carries_on(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        screen = session_screen(app)
        await advance(pilot, clock, 10)
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        assert LEAVE_QUESTION in screen_text(app)
        await advance(pilot, clock, 20)  # the session waits while the question is up
        await pilot.press("escape")
        assert app.screen is screen
        assert not screen.has_class("-paused")
        assert shown_time(screen) == "0:50"
        assert records(app) == []


async def test_leaving_early_records_once_and_goes_back(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        await advance(pilot, clock, 70)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert len(records(app)) == 1
        record = records(app)[0]
        assert record.completed is False
        assert record.steps_done == 1
        assert record.seconds == pytest.approx(70)
        assert record.started.tzinfo is not None


async def test_leaving_in_run_mode_exits(session_app: SessionAppFactory, clock: FakeClock) -> None:
    app = session_app(make_routine(), clock, run_mode=True)
    async with running(app, size=(100, 30)) as pilot:
        await advance(pilot, clock, 15)
        await pilot.press("escape")
        await pilot.press("y")
        await pilot.pause()
    assert app.return_value == 0
    assert [r.completed for r in records(app)] == [False]


async def test_closing_the_app_mid_session_still_records(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        await advance(pilot, clock, 30)
        app.exit(0)
        await pilot.pause()
    assert len(records(app)) == 1
    assert records(app)[0].seconds == pytest.approx(30)
    assert records(app)[0].completed is False


# ---- the end ------------------------------------------------------------------------------


async def test_finishing_shows_routine_complete_and_records_once(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        for _ in range(4):
            await advance(pilot, clock, 60)
        assert isinstance(app.screen, CompleteScreen)
        on_screen = screen_text(app)
        assert "Routine complete" in on_screen
        assert "3 of 3 steps done" in on_screen
        assert "Practised for 3:15" in on_screen
        assert len(records(app)) == 1
        assert records(app)[0].completed is True
        assert records(app)[0].steps_done == 3
        assert records(app)[0].seconds == pytest.approx(195)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
    assert len(records(app)) == 1


async def test_enter_on_complete_in_run_mode_exits(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock, run_mode=True)
    async with running(app, size=(100, 30)) as pilot:
        await advance(pilot, clock, 200)
        assert isinstance(app.screen, CompleteScreen)
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_value == 0


async def test_skipping_steps_counts_only_steps_done(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        await advance(pilot, clock, 60)
        await pilot.press("n", "n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # next on the last step asks first
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CompleteScreen)
        on_screen = screen_text(app)
        # 60 of 195 seconds practised: the routine ended, it was not completed.
        assert "Ended early · 1 of 3 steps" in on_screen
        assert "Routine complete" not in on_screen
    assert [r.completed for r in records(app)] == [False]


async def test_breathing_session_says_breathing_complete(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    routine = breathing_only_routine(calm(), 1)
    app = session_app(routine, clock, run_mode=True, breathing_only=True)
    async with running(app, size=(100, 30)) as pilot:
        screen = session_screen(app)
        assert not screen.query_one(FootMap).display or not screen.query_one(FootMap).region
        await advance(pilot, clock, 61)
        on_screen = screen_text(app)
        assert "Breathing session complete" in on_screen
        assert "Routine complete" not in on_screen
        assert "Practised for 1:00" in on_screen
        assert "steps done" not in on_screen


# ---- motion and size ----------------------------------------------------------------------


async def test_pacer_follows_reduced_motion(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        screen = session_screen(app)
        assert screen.query_one(Pacer).reduced_motion is False
        app.animation_level = "none"
        await advance(pilot, clock, 0.1)
        assert screen.query_one(Pacer).reduced_motion is True


async def test_ticks_within_a_second_change_no_text(
    session_app: SessionAppFactory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redrawing text 20 times a second would cost a noticeable share of a core."""
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        screen = session_screen(app)
        await advance(pilot, clock, 10.01)
        updates: list[str] = []
        original_static = Static.update
        original_digits = Digits.update

        def counting_static(self: Static, *args: Any, **kwargs: Any) -> None:
            updates.append(f"{self.id}")
            original_static(self, *args, **kwargs)

        def counting_digits(self: Digits, value: str) -> None:
            updates.append("clock")
            original_digits(self, value)

        monkeypatch.setattr(Static, "update", counting_static)
        monkeypatch.setattr(Digits, "update", counting_digits)
        for _ in range(19):
            clock.advance(0.05)
            screen.tick()
        assert updates == []
        clock.advance(0.05)
        screen.tick()
        assert sorted(updates) == ["clock", "routine-left"]


@pytest.mark.parametrize("size", [(1, 1), (20, 5), (39, 11)])
async def test_too_small_asks_for_a_larger_window(
    session_app: SessionAppFactory, clock: FakeClock, size: tuple[int, int]
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=size) as pilot:
        await advance(pilot, clock, 5)
        screen = session_screen(app)
        assert screen.has_class("-too-small")
        assert screen.query_one("#too-small").display
        assert not screen.query_one("#body").display
        if size == (39, 11):
            assert "Make the window larger" in screen_text(app)
            assert "Step 1 of 3" not in screen_text(app)
        assert text(screen, "#too-small") == TOO_SMALL


@pytest.mark.parametrize("size", [(40, 12), (100, 30), (250, 80)])
async def test_usable_sizes_show_the_step(
    session_app: SessionAppFactory, clock: FakeClock, size: tuple[int, int]
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=size) as pilot:
        await advance(pilot, clock, 5)
        on_screen = screen_text(app)
        assert "Step 1 of 3" in on_screen
        assert "Warm the soles" in on_screen or shows_big(on_screen, "Warm the soles")
        assert "Make the window larger" not in on_screen
        pacer = session_screen(app).query_one(Pacer)
        assert pacer.size.height >= 2
        foot_map = session_screen(app).query_one(FootMap)
        assert foot_map.display == (size != (40, 12))


@pytest.mark.parametrize(
    ("size", "foot_map_shown"),
    [((59, 30), False), ((100, 19), False), ((60, 20), True), ((89, 40), True)],
)
async def test_either_side_too_short_for_the_foot_map_hides_it(
    session_app: SessionAppFactory, clock: FakeClock, size: tuple[int, int], foot_map_shown: bool
) -> None:
    """A narrow but tall window is as cramped as a wide but short one."""
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        await pilot.resize_terminal(*size)
        await advance(pilot, clock, 1)
        assert session_screen(app).query_one(FootMap).display == foot_map_shown
        assert "Step 1 of 3" in screen_text(app)


async def test_resize_storm_does_not_crash(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    sizes = [(1, 1), (250, 80), (40, 12), (39, 11), (2, 30), (120, 3), (80, 24), (41, 13)]
    async with running(app, size=(100, 30)) as pilot:
        for _ in range(3):
            for width, height in sizes:
                await pilot.resize_terminal(width, height)
                clock.advance(0.7)
                session_screen(app).tick()
            await pilot.pause()
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert "Step 1 of 3" in screen_text(app)
        assert not session_screen(app).has_class("-too-small")


# ---- the step progress bar ----------------------------------------------------------------


def test_progress_cells_one_segment_per_step() -> None:
    cells = progress_cells(20, 3, 1, 0.5)
    assert len(cells) == 20
    assert cells.count("gap") == 2
    assert cells[:6] == ("done",) * 6
    assert cells[-6:] == ("todo",) * 6
    middle = cells[7:13]
    assert middle == ("fill",) * 3 + ("rest",) * 3


def test_progress_cells_fit_any_width() -> None:
    for width in range(0, 30):
        for total in (1, 3, 40):
            for current in (0, total // 2, total):
                cells = progress_cells(width, total, current, 0.3)
                assert len(cells) == width
    assert progress_cells(5, 40, 40, 0.0) == ("done",) * 5
    assert progress_cells(10, 3, 3, 0.0).count("todo") == 0


# ---- dialogs ------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "answer"), [("enter", True), ("escape", False)])
async def test_caution_screen(key: str, answer: bool) -> None:
    routine = make_routine(caution="Skip this if your feet are injured or numb.")
    app = Harness(screen=CautionScreen(routine))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        on_screen = screen_text(app)
        assert "Test routine" in on_screen
        assert "Skip this if your feet are injured or numb." in on_screen
        assert "I understand, start" in on_screen
        await pilot.press(key)
        await pilot.pause()
    assert app.answers == [answer]


async def test_caution_screen_fits_a_tiny_terminal() -> None:
    routine = make_routine(caution="Long caution. " * 80)
    app = Harness(screen=CautionScreen(routine))
    async with app.run_test(size=(1, 1)) as pilot:
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert "I understand, start" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.answers == [True]


# ---- snapshots ----------------------------------------------------------------------------


def _after(seconds: float, clock: FakeClock) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await start_from_picker(pilot)
        await advance(pilot, clock, seconds)

    return run_before


def test_snapshot_session(
    session_app: SessionAppFactory, snap_compare: SnapCompare, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    assert snap_compare(app, terminal_size=(100, 30), run_before=_after(72.4, clock))


def test_snapshot_session_small(
    session_app: SessionAppFactory, snap_compare: SnapCompare, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    assert snap_compare(app, terminal_size=(40, 12), run_before=_after(72.4, clock))


def test_snapshot_complete(
    session_app: SessionAppFactory, snap_compare: SnapCompare, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_after(200, clock))


@pytest.mark.parametrize("size", [(1, 1), (40, 12)])
async def test_complete_screen_at_small_sizes(
    session_app: SessionAppFactory, clock: FakeClock, size: tuple[int, int]
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=size) as pilot:
        await advance(pilot, clock, 200)
        assert isinstance(app.screen, CompleteScreen)
        if size == (40, 12):
            assert "Routine complete" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)


# ---- inside the real app ------------------------------------------------------------------


def _history_rows(paths: Paths) -> list[SessionRecord]:
    with History(paths.history_db) as history:
        return history.all()


async def test_real_app_caution_then_session_then_history(
    make_app: MakeApp, paths: Paths, clock: FakeClock
) -> None:
    routine = make_routine(caution="Skip this if your feet are injured or numb.")
    app = make_app(paths, library=Library(routines=[routine]), run_routine=routine.id, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CautionScreen)
        await pilot.press("enter")
        await pilot.pause()
        screen = session_screen(app)
        assert text(screen, "#step-of") == "Step 1 of 3"
        # The default lead-in comes first (the headline is drawn by the big layout).
        assert session_view(screen.session, DisplayOptions()).texts.headline == "Get ready 5"
        await pilot.press("b")
        assert app.prefs.bell is False
        await advance(pilot, clock, 5 + 195 + 3)  # lead-in, steps, left-to-right switch
        assert isinstance(app.screen, CompleteScreen)
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_value == 0
    rows = _history_rows(paths)
    assert [(r.routine, r.steps_done, r.completed) for r in rows] == [(routine.id, 3, True)]
    assert rows[0].seconds == pytest.approx(195)


async def test_real_app_leaving_early_saves_an_incomplete_session(
    make_app: MakeApp, paths: Paths, clock: FakeClock
) -> None:
    routine = make_routine()
    app = make_app(paths, library=Library(routines=[routine]), run_routine=routine.id, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await advance(pilot, clock, 42)
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await pilot.pause()
    rows = _history_rows(paths)
    assert [(r.steps_done, r.completed) for r in rows] == [(0, False)]
    assert rows[0].seconds == pytest.approx(42 - 5)  # the 5 s lead-in is not practice


async def test_coming_back_from_ctrl_z_shows_the_session_paused_with_the_time_kept(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app) as pilot:
        screen = session_screen(app)
        await advance(pilot, clock, 20)
        assert shown_time(screen) == "0:40"
        clock.advance(900)  # the process was stopped for a quarter of an hour
        app.app_resume_signal.publish(app)  # what Textual's driver does on SIGCONT
        await pilot.pause()
        assert screen.has_class("-paused")
        assert shown_time(screen) == "0:40"
        assert "calmfeet was stopped, so the session paused" in screen_text(app)
        await pilot.press("space")
        await advance(pilot, clock, 5)
        assert shown_time(screen) == "0:35"


# ---- a flow that leaves room for hands, honest counts ---------------------------------------


def headline(app: App[Any]) -> str:
    """The one thing to do now, as the session's view says it (the big layout draws it)."""
    return session_view(session_screen(app).session, DisplayOptions()).texts.headline


async def test_the_lead_in_counts_down_then_step_one_starts_and_space_skips_it(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock, lead_in=5)
    async with running(app, size=(100, 30)) as pilot:
        screen = session_screen(app)
        assert headline(app) == "Get ready 5"
        assert "space Start now" in screen_text(app).splitlines()[-1]
        await advance(pilot, clock, 2.5)
        assert headline(app) == "Get ready 3"
        assert screen.query_one("#clock", Digits).value == "0:03"
        await pilot.press("space")  # ready: skip the rest
        await pilot.pause()
        assert headline(app) == ""
        assert screen.query_one("#clock", Digits).value == "1:00"
        assert not screen.has_class("-paused")
        assert "space Pause" in screen_text(app).splitlines()[-1]
        await pilot.press("space")  # now space pauses, as ever
        assert screen.has_class("-paused")


async def test_the_halfway_cue_rings_the_bell(
    session_app: SessionAppFactory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = make_routine()
    circles = replace(base.steps[0], halfway="Change direction")
    app = session_app(replace(base, steps=(circles, *base.steps[1:])), clock)
    rung: list[None] = []
    monkeypatch.setattr(app, "bell", lambda: rung.append(None))
    async with running(app, size=(100, 30)) as pilot:
        await advance(pilot, clock, 29)
        assert rung == []
        await advance(pilot, clock, 1.5)
        assert len(rung) == 1
        assert headline(app) == "Change direction"


async def test_breathe_offers_no_next_or_back_and_one_key_cannot_end_it(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    routine = breathing_only_routine(calm(), 5)
    app = session_app(routine, clock, run_mode=True, breathing_only=True)
    async with running(app, size=(100, 30)) as pilot:
        await advance(pilot, clock, 30)
        footer = screen_text(app).splitlines()[-1]
        assert "Next" not in footer and "Back" not in footer
        await pilot.press("n", "right", "p", "left")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert not session_screen(app).session.is_finished


async def test_next_on_the_last_step_asks_and_go_on_keeps_the_session(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        await pilot.press("n", "n", "n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        screen = session_screen(app)
        assert not screen.session.is_finished
        assert screen.session.index == 2


async def test_the_complete_screen_shows_the_streak_and_a_starts_the_routine_again(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        await advance(pilot, clock, 200)
        assert isinstance(app.screen, CompleteScreen)
        await pilot.pause()
        assert "Streak: 1 day in a row" in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        screen = session_screen(app)
        assert screen.routine.id == "test-routine"
        assert text(screen, "#step-of") == "Step 1 of 3"
        await advance(pilot, clock, 20)
        await pilot.press("escape", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
    assert [r.completed for r in records(app)] == [True, False]


# ---- the now, in big type -----------------------------------------------------------------


def big_rows(words: str, scale: int = 1) -> list[str]:
    """The rows `words` take in big type, as a person would see them on the terminal."""
    return [row.strip() for row in bigtype.render(words, scale=scale)]


def shows_big(on_screen: str, words: str) -> bool:
    """True when `words` appear in big type at some scale: every row of it, in order."""
    lines = on_screen.splitlines()
    for scale in range(1, 6):
        rows = big_rows(words, scale)
        for start in range(len(lines) - len(rows) + 1):
            if all(row in lines[start + i] for i, row in enumerate(rows)):
                return True
    return False


def big_word_inks(app: App[Any]) -> set[str]:
    """The colours the big breath word is drawn in, as the compositor gets them."""
    word = session_screen(app).query_one("#phase", BigText)
    strips = word.render_lines(word.size.region)
    return {
        seg.style.color.get_truecolor().hex
        for strip in strips
        for seg in strip
        if seg.style and seg.style.color and seg.text.strip()
    }


async def test_the_big_breath_word_takes_its_phase_colour_and_is_muted_when_paused(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock, run_mode=True)
    async with running(app, size=(100, 30)) as pilot:
        variables = app.theme_variables
        await advance(pilot, clock, 72.4)  # breathing in
        inhale = big_word_inks(app)
        assert inhale == {variables["pacer-inhale"].lower()}
        await advance(pilot, clock, 2.0)  # breathing out
        exhale = big_word_inks(app)
        assert exhale == {variables["pacer-exhale"].lower()}
        await pilot.press("space")
        await pilot.pause()
        muted = big_word_inks(app)  # "auto 60%" of the text: a grey worked out per theme
        assert len(muted) == 1 and muted.isdisjoint(inhale | exhale)
        await pilot.press("space")
        await advance(pilot, clock, 6.0)  # breathing in again, as before the pause
        assert big_word_inks(app) == inhale


@pytest.mark.parametrize("size", [(100, 30), (200, 60)])
async def test_the_breath_and_the_foot_read_from_a_metre(
    session_app: SessionAppFactory, clock: FakeClock, size: tuple[int, int]
) -> None:
    app = session_app(make_routine(), clock, run_mode=True)
    async with running(app, size=size) as pilot:
        await advance(pilot, clock, 72.4)  # step 2: left arch, breathing in, 2 s to go
        await pilot.pause()
        on_screen = screen_text(app)
        assert shows_big(on_screen, "Inhale 2")
        assert shows_big(on_screen, "Left · arch")
        assert "Inhale 2" not in on_screen  # the pacer leaves the word to the big type
        await advance(pilot, clock, 2.0)
        assert shows_big(screen_text(app), "Exhale 6")


async def test_a_large_window_grows_the_breath_and_the_title(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock, run_mode=True)
    async with running(app, size=(200, 60)) as pilot:
        await advance(pilot, clock, 72.4)
        screen = session_screen(app)
        phase = screen.query_one("#phase", BigText)
        assert phase.size.height >= 8  # scale 3 or more: 8 rows tall
        assert screen.query_one(Pacer).size.height > 14
        assert shows_big(screen_text(app), "Thumb-walk the arch")


async def test_a_tiny_window_keeps_one_row_words(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    app = session_app(make_routine(), clock, run_mode=True)
    async with running(app, size=(40, 12)) as pilot:
        await advance(pilot, clock, 72.4)
        on_screen = screen_text(app)
        assert "Left · arch" in on_screen
        assert "Inhale 2" in on_screen  # the pacer's own word line
        assert not session_screen(app).query_one("#phase", BigText).display


async def test_v_switches_to_the_detail_view_and_it_is_kept(
    make_app: MakeApp, paths: Paths, clock: FakeClock
) -> None:
    routine = make_routine()
    app = make_app(
        paths,
        clock=clock,
        library=Library(routines=[routine]),
        run_routine=routine.id,
        interludes=False,
    )
    async with running(app, size=(100, 30)) as pilot:
        await advance(pilot, clock, 72.4)
        assert "v Detail" in screen_text(app)
        await pilot.press("v")
        await pilot.pause()
        on_screen = screen_text(app)
        assert "Left foot · arch" in on_screen
        assert not shows_big(on_screen, "Left · arch")
        assert not shows_big(on_screen, "Inhale 2")
        assert "Inhale 2" in on_screen
        assert "v Big" in on_screen
    again = make_app(
        paths,
        clock=FakeClock(),
        library=Library(routines=[routine]),
        run_routine=routine.id,
        interludes=False,
    )
    async with running(again, size=(100, 30)) as pilot:
        await pilot.pause()
        assert session_screen(again).has_class("-detail")
        await pilot.press("v")
        await pilot.pause()
        assert shows_big(screen_text(again), "Both feet · whole sole")


async def test_a_headline_takes_the_place_of_the_foot_and_zone(
    session_app: SessionAppFactory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view model says `Switch to the right foot` (as a switch-feet pause will)."""
    headline = ""

    def with_headline(session: Session, options: DisplayOptions) -> SessionView:
        view = session_view(session, options)
        return replace(view, texts=replace(view.texts, headline=headline))

    monkeypatch.setattr(session_module, "session_view", with_headline)
    app = session_app(make_routine(), clock, run_mode=True)
    async with running(app, size=(100, 30)) as pilot:
        await advance(pilot, clock, 72.4)
        assert shows_big(screen_text(app), "Left · arch")
        headline = "Switch to the right foot"
        await advance(pilot, clock, 1.0)
        on_screen = screen_text(app)
        assert shows_big(on_screen, "Switch to the right foot")
        assert not shows_big(on_screen, "Left · arch")
        await pilot.press("v")  # the detail view shows it largest too
        await pilot.pause()
        assert shows_big(screen_text(app), "Switch to the right foot")


async def test_the_display_is_kept_awake_only_while_the_session_runs(
    session_app: SessionAppFactory, clock: FakeClock, awake_log: list[tuple[str, tuple[str, ...]]]
) -> None:
    app = session_app(make_routine(), clock, run_mode=True)
    async with running(app, size=(100, 30)) as pilot:
        await advance(pilot, clock, 1)
        assert [what for what, _ in awake_log] == ["start"]
        assert awake_log[0][1][0] == "systemd-inhibit"
        await pilot.press("space")
        assert [what for what, _ in awake_log] == ["start", "stop"]
        await pilot.press("space")
        assert [what for what, _ in awake_log] == ["start", "stop", "start"]
    assert [what for what, _ in awake_log] == ["start", "stop", "start", "stop"]


@pytest.mark.parametrize("theme", ["dusk", "linen", "moss", "contrast"])
@pytest.mark.parametrize(
    "size", [(100, 30), (200, 60), (40, 12)], ids=["100x30", "200x60", "40x12"]
)
def test_snapshot_big_session(
    make_app: MakeApp,
    paths: Paths,
    snap_compare: SnapCompare,
    clock: FakeClock,
    theme: str,
    size: tuple[int, int],
) -> None:
    """The big view in each theme, at the three sizes a person is likely to have."""
    routine = make_routine()
    app = make_app(
        paths,
        clock=clock,
        theme=theme,
        library=Library(routines=[routine]),
        run_routine=routine.id,
        interludes=False,
    )
    assert snap_compare(app, terminal_size=size, run_before=_after(72.4, clock))


@pytest.mark.parametrize(("size", "drawing"), [((100, 30), "large"), ((200, 60), "huge")])
async def test_the_foot_map_grows_with_a_large_window(
    session_app: SessionAppFactory, clock: FakeClock, size: tuple[int, int], drawing: str
) -> None:
    """At 200x60 the feet are drawn twice as large, to be read from a metre away."""
    app = session_app(make_routine(), clock)
    async with running(app, size=size) as pilot:
        await advance(pilot, clock, 5)
        shown = session_screen(app).query_one(FootMap).drawing
        assert shown is not None and shown.size == drawing


@pytest.mark.parametrize(("size", "big"), [((100, 30), False), ((200, 60), True)])
async def test_what_to_do_is_in_big_type_in_a_large_window(
    session_app: SessionAppFactory, clock: FakeClock, size: tuple[int, int], big: bool
) -> None:
    app = session_app(make_routine(), clock)
    async with running(app, size=size) as pilot:
        await advance(pilot, clock, 5)
        how_big = session_screen(app).query_one("#how-big", BigText)
        assert how_big.display == big
        if big:
            assert how_big.wrapped(how_big.size.width) is not None, "the words fell back to plain"
            assert how_big.size.height >= 3


async def test_between_whole_seconds_a_wake_draws_only_the_pacer(
    session_app: SessionAppFactory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timer's 12.5 frames a second draw the breath alone: reading and comparing the whole
    session for each would cost as much as drawing the frame."""
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        screen = session_screen(app)
        pacer = screen.query_one(Pacer)
        await advance(pilot, clock, 10.01)
        views: list[SessionView] = []
        original_view = session_module.session_view

        def counting_view(session: Session, options: DisplayOptions) -> SessionView:
            view = original_view(session, options)
            views.append(view)
            return view

        monkeypatch.setattr(session_module, "session_view", counting_view)
        frames = {pacer.frame_key}
        for _ in range(11):
            clock.advance(0.08)
            screen.wake()
            frames.add(pacer.frame_key)
        assert views == []
        assert len(frames) == 12  # the shape moved on with every wake
        shown = shown_time(screen)
        clock.advance(0.2)  # past the whole second: the clock must move on
        screen.wake()
        await pilot.pause()
        assert len(views) == 1
        assert shown_time(screen) != shown


async def test_a_key_between_whole_seconds_shows_at_once(
    session_app: SessionAppFactory, clock: FakeClock
) -> None:
    """A frame-only wake must not hide what a key changed until the next whole second."""
    app = session_app(make_routine(), clock)
    async with running(app, size=(100, 30)) as pilot:
        screen = session_screen(app)
        await advance(pilot, clock, 10.01)
        clock.advance(0.08)
        screen.wake()
        before = shown_time(screen)
        await pilot.press("plus")
        assert shown_time(screen) != before
        clock.advance(0.08)
        screen.wake()
        await pilot.pause()
        assert shown_time(screen) != before
