"""What goes wrong around calmfeet: odd terminal sizes, long sessions, broken files, full disk."""

from __future__ import annotations

import errno
import gc
import os
import random
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from calmfeet.cli import main
from calmfeet.core.clock import FakeClock
from calmfeet.core.paths import Paths
from calmfeet.ui.screens.picker import PickerScreen
from calmfeet.ui.screens.session import SessionScreen

MakeApp = Callable[..., Any]
ScreenText = Callable[[Any], str]
SIZE = (100, 30)

ROUTINE = """\
name = "{name}"
summary = "For the fault tests."
focus = ["energy"]
breathing = "resonance"
{steps}"""
STEP = """
[[steps]]
title = "Part {number}"
seconds = {seconds}
foot = "{foot}"
zone = "{zone}"
"""


def write_routine(folder: Path, routine_id: str, seconds: float, count: int) -> Path:
    """A routine with no caution, so starting it goes straight to the session."""
    feet = ("both", "left", "right")
    zones = ("toes", "heel", "arch", "ball", "top")
    steps = "".join(
        STEP.format(number=n + 1, seconds=seconds, foot=feet[n % 3], zone=zones[n % 5])
        for n in range(count)
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{routine_id}.toml").write_text(
        ROUTINE.format(name=f"Test {routine_id}", steps=steps), encoding="utf-8"
    )
    return folder


def flat(text: str) -> str:
    """Screen text as one line of words, without the toast's left edge."""
    return " ".join(text.replace("▌", " ").split())


def random_sizes(seed: int, count: int = 40) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    sizes = [(1, 1), (250, 80), (2, 1), (1, 40), (250, 1)]
    sizes += [(rng.randint(1, 250), rng.randint(1, 80)) for _ in range(count - len(sizes))]
    rng.shuffle(sizes)
    return sizes


def shown(app: Any) -> list[str]:
    routines = app.screen.query_one("#routines", OptionList)
    return [routines.get_option_at_index(i).id for i in range(routines.option_count)]


# --- a storm of terminal sizes ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
async def test_the_picker_survives_a_storm_of_terminal_sizes(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText, seed: int
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE) as pilot:
        for number, (width, height) in enumerate(random_sizes(seed)):
            await pilot.resize_terminal(width, height)
            if number % 3 == 0:
                await pilot.press("down")
            await pilot.pause()
            assert app.is_running
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        before = shown(app)
        await pilot.press("shift+down")
        assert shown(app) != before, "the picker still answers keys"
        assert "Whole-Foot Tour" in screen_text(app)
    assert app.return_code in (None, 0)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 4])
async def test_a_session_survives_a_storm_of_terminal_sizes(
    make_app: MakeApp, paths: Paths, tmp_path: Path, screen_text: ScreenText, seed: int
) -> None:
    folder = write_routine(tmp_path / "mine", "storm", seconds=30, count=3)
    clock = FakeClock()
    app = make_app(paths, clock=clock, run_routine="storm", extra_dirs=(folder,))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        for width, height in random_sizes(seed):
            await pilot.resize_terminal(width, height)
            clock.advance(1.0)
            screen.tick()
            await pilot.pause()
            assert app.is_running
        await pilot.resize_terminal(*SIZE)
        clock.advance(5.0)  # 45 s in: the middle of step 2
        screen.tick()
        await pilot.pause()
        assert app.screen is screen
        assert screen.session.index == 1
        text = screen_text(app)
        assert "Step 2 of 3" in text
        assert "Part 2" in text


# --- a long session in simulated time ---------------------------------------------------------


async def run_for(
    pilot: Pilot[Any], screen: SessionScreen, clock: FakeClock, seconds: float
) -> None:
    """Advance the session a second per tick, letting the app repaint every few seconds."""
    for tick in range(int(seconds)):
        clock.advance(1.0)
        screen.tick()
        if tick % 5 == 0:
            await pilot.pause()


@pytest.mark.slow
@pytest.mark.timeout(600)
async def test_a_30_minute_session_uses_no_more_memory_at_the_end(
    make_app: MakeApp, paths: Paths, tmp_path: Path
) -> None:
    folder = write_routine(tmp_path / "mine", "half-hour", seconds=180, count=10)
    clock = FakeClock()
    app = make_app(paths, clock=clock, run_routine="half-hour", extra_dirs=(folder,))
    tracemalloc.start()
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, SessionScreen)
            await run_for(pilot, screen, clock, 60)
            gc.collect()
            after_first_minute = tracemalloc.get_traced_memory()[0]
            await run_for(pilot, screen, clock, 30 * 60 - 60 - 10)
            gc.collect()
            at_the_end = tracemalloc.get_traced_memory()[0]
            assert screen.session.index == 9, "still in the last step: the session ran through"
            assert app.screen is screen
    finally:
        tracemalloc.stop()
    growth = at_the_end - after_first_minute
    assert growth < 2 * 1024 * 1024, f"memory grew by {growth / 1024:.0f} KiB over 29 minutes"


# --- broken files beside calmfeet -------------------------------------------------------------

GOOD_THEME = """\
name = "meadow"
dark = false
primary = "#466a90"
background = "#f3eee4"
foreground = "#37362f"
"""


async def test_a_broken_theme_file_is_reported_and_the_app_starts(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    paths.themes_dir.mkdir(parents=True)
    (paths.themes_dir / "broken-theme.toml").write_text(
        'name = "broken"\nprimary = "not a colour"\n[[[', encoding="utf-8"
    )
    (paths.themes_dir / "meadow.toml").write_text(GOOD_THEME, encoding="utf-8")
    app = make_app(paths)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert app.theme == "dusk"
        messages = [n.message for n in app._notifications if "theme" in n.message.lower()]
        assert len(messages) == 1
        assert "broken-theme.toml" in messages[0]
        assert "theme files could not be loaded" in flat(screen_text(app))
        assert "meadow" in app.available_themes, "the good user theme still loads"
        assert "broken" not in app.available_themes


async def test_a_broken_history_file_never_stops_the_app_and_is_kept_aside(
    make_app: MakeApp,
    paths: Paths,
    tmp_path: Path,
    screen_text: ScreenText,
    capsys: pytest.CaptureFixture[str],
) -> None:
    garbage = b"SQLite format 3\x00" + bytes(range(256)) * 8
    paths.data_dir.mkdir(parents=True)
    paths.history_db.write_bytes(garbage)
    folder = write_routine(tmp_path / "mine", "short", seconds=10, count=2)
    clock = FakeClock()
    app = make_app(paths, clock=clock, run_routine="short", extra_dirs=(folder,))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        clock.advance(21)
        screen.tick()
        await pilot.pause()
        assert "Routine complete" in screen_text(app)
        messages = [n.message for n in app._notifications]
        assert any("history.sqlite3 could not be opened" in m for m in messages), messages
    kept = list(paths.data_dir.glob("history.sqlite3.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == garbage, "the damaged file is kept byte for byte"

    capsys.readouterr()
    assert main(["history", "--json"], paths=paths) == 0
    assert '"completed": true' in capsys.readouterr().out


def test_calmfeet_history_says_what_happened_to_a_broken_file(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.history_db.write_bytes(b"this is not a database at all\n" * 100)
    assert main(["history"], paths=paths) == 0
    captured = capsys.readouterr()
    assert "No sessions yet" in captured.out
    assert "could not be opened" in captured.err
    assert "moved it to" in captured.err
    assert "starting a new history" in captured.err


async def test_a_full_disk_while_saving_preferences_leaves_the_session_running(
    make_app: MakeApp,
    paths: Paths,
    tmp_path: Path,
    screen_text: ScreenText,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_replace = os.replace

    def full_disk(source: Any, target: Any, **kwargs: Any) -> None:
        if Path(os.fsdecode(target)).name == "preferences.toml":
            raise OSError(errno.ENOSPC, "No space left on device", os.fsdecode(target))
        real_replace(source, target, **kwargs)

    monkeypatch.setattr(os, "replace", full_disk)
    folder = write_routine(tmp_path / "mine", "disk", seconds=20, count=3)
    clock = FakeClock()
    app = make_app(paths, clock=clock, extra_dirs=(folder,))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        routines = app.screen.query_one("#routines", OptionList)
        while shown(app)[routines.highlighted or 0] != "disk":
            await pilot.press("down")
        await pilot.press("enter")  # saving "last routine" fails here
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionScreen)
        messages = [n.message for n in app._notifications]
        assert len([m for m in messages if "the disk is full" in m]) == 1, messages
        assert "Preferences cannot be saved: the disk is full" in flat(screen_text(app))
        clock.advance(25)
        screen.tick()
        await pilot.pause()
        assert screen.session.index == 1
        assert "Step 2 of 3" in screen_text(app)
        await pilot.press("b")  # another change: still in memory, no second message
        await pilot.pause()
        assert len([n for n in app._notifications if "the disk is full" in n.message]) == 1
        assert app.prefs.last_routine == "disk", "the change is kept in memory"
    assert not paths.preferences_file.exists()
    assert not list(paths.config_dir.glob(".preferences.toml.*.tmp")), "no temp files left"
