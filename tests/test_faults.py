"""What goes wrong around calmfeet: odd terminal sizes, long sessions, broken files, full disk."""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import random
import sqlite3
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from calmfeet.cli import main
from calmfeet.core import history as history_module
from calmfeet.core.clock import FakeClock
from calmfeet.core.history import PENDING_NAME, History, SessionRecord
from calmfeet.core.paths import Paths
from calmfeet.exit_codes import EXIT_OK, EXIT_UNREADABLE
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
    app = make_app(paths, clock=clock, run_routine="short", extra_dirs=(folder,), interludes=False)
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


def test_calmfeet_history_says_it_cannot_read_a_broken_file_and_leaves_it(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = b"this is not a database at all\n" * 100
    paths.data_dir.mkdir(parents=True)
    paths.history_db.write_bytes(damaged)
    assert main(["history"], paths=paths) == EXIT_UNREADABLE
    captured = capsys.readouterr()
    assert "No sessions yet" not in captured.out
    assert captured.err == f"calmfeet: {paths.history_db} cannot be read: file is not a database\n"
    assert paths.history_db.read_bytes() == damaged, "a command that reads changes nothing"
    assert sorted(p.name for p in paths.data_dir.iterdir()) == ["history.sqlite3"]


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


# --- a history that cannot be written (issue "Trust", items 6, 7 and 13) ---------------------

LOCKER = """\
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""


class LockedHistory:
    """Another program holding the history's write lock until `release` (a real process)."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", LOCKER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("\n")
            self.process.stdin.close()
            self.process.wait()


@pytest.fixture
def locked(paths: Paths) -> Iterator[LockedHistory]:
    """A history with one session, then locked by another process for the whole test."""
    with History(paths.history_db) as history:
        history.record(OLD_SESSION)
    holder = LockedHistory(paths.history_db)
    yield holder
    holder.release()


OLD_SESSION = SessionRecord(
    "quick-reset", "Quick reset", datetime(2024, 3, 1, 7, tzinfo=timezone.utc), 120.0, 2, True
)


@pytest.fixture
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The waits for a lock, shortened so a test on a locked history is quick."""
    monkeypatch.setattr(history_module, "WRITE_WAIT_SECONDS", 0.05)
    monkeypatch.setattr(history_module, "EXIT_WAIT_SECONDS", 0.05)


def stored(paths: Paths) -> list[str]:
    """The routine ids in the history file itself, oldest first."""
    conn = sqlite3.connect(paths.history_db)
    try:
        return [row[0] for row in conn.execute("SELECT routine FROM sessions ORDER BY id")]
    finally:
        conn.close()


async def leave_after(pilot: Pilot[Any], clock: FakeClock, seconds: float) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, SessionScreen)
    clock.advance(seconds)
    screen.tick()
    await pilot.press("escape")
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.usefixtures("short_waits")
async def test_leaving_a_session_on_a_locked_history_neither_blocks_nor_loses_it(
    make_app: MakeApp,
    paths: Paths,
    tmp_path: Path,
    locked: LockedHistory,
    screen_text: ScreenText,
) -> None:
    folder = write_routine(tmp_path / "mine", "short", seconds=30, count=2)
    clock = FakeClock()
    app = make_app(paths, clock=clock, extra_dirs=(folder,), interludes=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        routines = app.screen.query_one("#routines", OptionList)
        while shown(app)[routines.highlighted or 0] != "short":
            await pilot.press("down")
        await pilot.press("enter")
        await leave_after(pilot, clock, 12)
        assert isinstance(app.screen, PickerScreen), "back at the picker while still locked"
        before = routines.highlighted
        await pilot.press("down")
        assert routines.highlighted != before, "the picker answers keys while it is locked"
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "could not be written to your history" in flat(screen_text(app))
        (message,) = [n.message for n in app._notifications]
        assert "another program is using the history (database is locked)" in message
        assert f"kept in {paths.data_dir / PENDING_NAME}" in message
        assert "saved" not in message.split("kept in")[0], "never claims it was saved"
    assert stored(paths) == ["quick-reset"], "the lock held: nothing written yet"
    locked.release()

    again = make_app(paths, clock=FakeClock())
    async with again.run_test(size=SIZE) as pilot:
        await again.workers.wait_for_complete()
    assert stored(paths) == ["quick-reset", "short"], "written at the next start, once"
    assert not (paths.data_dir / PENDING_NAME).exists()


@pytest.mark.usefixtures("short_waits")
async def test_quitting_mid_session_on_a_locked_history_keeps_the_session_and_says_so(
    make_app: MakeApp, paths: Paths, tmp_path: Path, locked: LockedHistory
) -> None:
    folder = write_routine(tmp_path / "mine", "short", seconds=30, count=2)
    clock = FakeClock()
    app = make_app(paths, clock=clock, run_routine="short", extra_dirs=(folder,), interludes=False)
    async with app.run_test(size=SIZE) as pilot:
        clock.advance(20)
        app.screen.refresh()
        await pilot.press("ctrl+q")
    app.close_practice()
    assert len(app.exit_notes) == 1
    assert "kept in" in app.exit_notes[0] and "database is locked" in app.exit_notes[0]
    assert stored(paths) == ["quick-reset"]
    locked.release()
    with History(paths.history_db, spare_dir=paths.config_dir) as history:
        assert history.write_pending() == 1
    assert stored(paths) == ["quick-reset", "short"]


def test_calmfeet_history_reads_a_locked_history(
    paths: Paths, locked: LockedHistory, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "--json"], paths=paths) == EXIT_OK
    out = capsys.readouterr().out
    assert '"routine": "quick-reset"' in out


def test_calmfeet_history_that_cannot_read_a_locked_history_says_so_and_fails(
    paths: Paths, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with History(paths.history_db) as history:
        history.record(OLD_SESSION)
    conn = sqlite3.connect(paths.history_db)
    conn.execute("PRAGMA journal_mode = DELETE")  # no WAL: a writer's lock stops readers too
    conn.close()
    monkeypatch.setattr(history_module, "READ_WAIT_SECONDS", 0.05)
    holder = LockedHistory(paths.history_db)
    try:
        assert main(["history"], paths=paths) == EXIT_UNREADABLE
    finally:
        holder.release()
    captured = capsys.readouterr()
    assert "No sessions yet" not in captured.out
    assert captured.err == (
        f"calmfeet: {paths.history_db} cannot be read: another program is using the history"
        " (database is locked)\n"
    )


def test_calmfeet_history_on_a_read_only_folder_reads_without_writing(
    paths: Paths, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with History(paths.history_db) as history:
        history.record(OLD_SESSION)
    real_connect = history_module._connect

    def read_only(target: str, wait: float = 1.0) -> sqlite3.Connection:
        if "mode=ro" not in target and "immutable=1" not in target:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real_connect(target, wait)

    monkeypatch.setattr(history_module, "_connect", read_only)
    assert main(["history"], paths=paths) == EXIT_OK
    captured = capsys.readouterr()
    assert "Quick reset" in captured.out
    assert "No sessions yet" not in captured.out
    assert captured.err == ""


def fill(folder: Path) -> None:
    """Write to `folder` until its disk is full."""
    with (folder / "filler").open("wb") as handle:
        with contextlib.suppress(OSError):
            while True:
                handle.write(b"x" * 1024)
                handle.flush()
        with contextlib.suppress(OSError):
            handle.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB disk (tmpfs); skipped where mounting is not allowed."""
    where = tmp_path / "small-disk"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)


def test_a_full_disk_is_named_and_the_history_still_prints(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = Paths(config_dir=small_disk / "config", data_dir=small_disk / "data")
    with History(paths.history_db) as history:
        history.record(OLD_SESSION)
    fill(small_disk)
    with History(paths.history_db) as history:
        kept = history.record(
            SessionRecord("short", "Short", datetime(2024, 3, 2, tzinfo=timezone.utc), 9, 1, True)
        )
    assert kept.state == "lost"
    assert "the disk is full" in kept.message
    assert "no transaction" not in kept.message

    assert main(["history"], paths=paths) == EXIT_OK
    captured = capsys.readouterr()
    assert "Quick reset" in captured.out


BAD_ROWS = [
    ("'2024-03-03T07:00:00Z'", "60", "100000"),  # a UTC offset beyond a day
    ("'9999-12-31T23:59:59Z'", "60", "600"),  # a year that overflows in local time
    ("'2024-03-04T07:00:00Z'", "9e999", "0"),  # an infinite length
    ("'2024-03-05T07:00:00Z'", "-5", "0"),  # a negative length
]


@pytest.fixture
def bad_rows(paths: Paths) -> None:
    """One good session and four rows no session could have written."""
    with History(paths.history_db) as history:
        history.record(OLD_SESSION)
    conn = sqlite3.connect(paths.history_db)
    for started, seconds, offset in BAD_ROWS:
        conn.execute(
            "INSERT INTO sessions (routine, name, started, seconds, steps_done, completed,"
            f" utc_offset_minutes) VALUES ('bad', 'Bad', {started}, {seconds}, 1, 1, {offset})"
        )
    conn.commit()
    conn.close()


@pytest.mark.usefixtures("bad_rows")
def test_calmfeet_history_skips_bad_rows_and_shows_the_rest(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history"], paths=paths) == EXIT_OK
    captured = capsys.readouterr()
    assert "Quick reset" in captured.out and "Bad" not in captured.out
    assert "skipped 4 unreadable sessions in history.sqlite3" in captured.err
    assert main(["history", "--json"], paths=paths) == EXIT_OK
    assert '"quick-reset"' in capsys.readouterr().out


@pytest.mark.usefixtures("bad_rows")
async def test_the_stats_screen_skips_bad_rows_with_a_notice(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.show_stats()
        await pilot.pause()
        words = flat(screen_text(app))
        assert "Your practice" in words
        assert "Most used: Quick reset" in words
        assert "skipped 4 unreadable sessions" in words
