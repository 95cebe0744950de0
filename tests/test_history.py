"""The session log: recording, migrating, surviving damaged files and busy writers."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from calmfeet.core import history as history_module
from calmfeet.core.clock import FakeClock
from calmfeet.core.history import (
    PENDING_NAME,
    SCHEMA_VERSION,
    History,
    PendingSessions,
    SessionRecord,
    local_utc_offset_minutes,
)
from calmfeet.core.paths import Paths
from calmfeet.reports import format_history_text, history_rows_json

T0 = datetime(2024, 3, 10, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(config_dir=tmp_path / "config", data_dir=tmp_path / "data")


def make_record(
    minutes_after: float = 0,
    *,
    routine: str = "evening-unwind",
    name: str = "Evening unwind",
    seconds: float = 600,
    steps_done: int = 8,
    completed: bool = True,
    offset: int = 60,
) -> SessionRecord:
    return SessionRecord(
        routine=routine,
        name=name,
        started=T0 + timedelta(minutes=minutes_after),
        seconds=seconds,
        steps_done=steps_done,
        completed=completed,
        utc_offset_minutes=offset,
    )


def write_v1_database(path: Path) -> None:
    """A history as the first calmfeet release wrote it, made without calmfeet's code."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            routine TEXT NOT NULL,
            name TEXT NOT NULL,
            started TEXT NOT NULL,
            seconds REAL NOT NULL,
            steps_done INTEGER NOT NULL,
            completed INTEGER NOT NULL
        );
        CREATE INDEX sessions_started ON sessions (started);
        INSERT INTO sessions (routine, name, started, seconds, steps_done, completed)
            VALUES ('morning-wake', 'Morning wake', '2024-03-01T07:00:00Z', 300.0, 5, 1);
        INSERT INTO sessions (routine, name, started, seconds, steps_done, completed)
            VALUES ('evening-unwind', 'Evening unwind', '2024-03-02T21:00:00Z', 120.5, 2, 0);
        PRAGMA user_version = 1;
        """
    )
    conn.commit()
    conn.close()


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_records_read_back_newest_first(paths: Paths) -> None:
    with History(paths.history_db) as history:
        history.record(make_record(0, name="First"))
        history.record(make_record(30, name="Third", completed=False, steps_done=3))
        history.record(make_record(10, name="Second"))
        names = [rec.name for rec in history.recent(None)]
        assert names == ["Third", "Second", "First"]
        assert [rec.name for rec in history.recent(2)] == ["Third", "Second"]
    assert history.notices == []

    with History(paths.history_db) as again:
        newest = again.all()[0]
    assert newest == make_record(30, name="Third", completed=False, steps_done=3)
    assert newest.started.tzinfo is not None
    assert newest.utc_offset_minutes == 60


def test_started_is_stored_as_utc_iso_with_z(paths: Paths) -> None:
    local = datetime(2024, 3, 10, 9, 15, tzinfo=timezone(timedelta(hours=1)))
    with History(paths.history_db) as history:
        history.record(make_record(0).__class__(**{**make_record(0).__dict__, "started": local}))
    conn = sqlite3.connect(paths.history_db)
    (started,) = conn.execute("SELECT started FROM sessions").fetchone()
    conn.close()
    assert started == "2024-03-10T08:15:00Z"


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SessionRecord("r", "R", datetime(2024, 1, 1), 1.0, 1, True, 0)


def test_nothing_is_created_until_first_write(paths: Paths) -> None:
    with History(paths.history_db) as history:
        assert history.recent(10) == []
        assert not paths.data_dir.exists()
        history.record(make_record())
    assert paths.history_db.is_file()
    assert user_version(paths.history_db) == SCHEMA_VERSION


def test_database_uses_wal(paths: Paths) -> None:
    with History(paths.history_db) as history:
        history.record(make_record())
        conn = sqlite3.connect(paths.history_db)
        (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
        conn.close()
    assert mode == "wal"


def test_v1_database_is_migrated_and_keeps_its_sessions(paths: Paths) -> None:
    write_v1_database(paths.history_db)
    with History(paths.history_db) as history:
        records = history.all()
        history.record(make_record(0))
        assert len(history.all()) == 3
    assert history.notices == []
    assert user_version(paths.history_db) == SCHEMA_VERSION == 2
    assert [rec.name for rec in records] == ["Evening unwind", "Morning wake"]
    assert records[0].seconds == 120.5
    assert records[0].completed is False
    assert records[1].utc_offset_minutes == 0  # v2's new column defaults for old rows
    assert records[1].started == datetime(2024, 3, 1, 7, 0, tzinfo=timezone.utc)


def test_garbage_file_is_moved_aside_with_notice(paths: Paths) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.history_db.write_bytes(b"this is not sqlite at all\x00\xff" * 200)
    paths.history_db.with_name("history.sqlite3-wal").write_bytes(b"junk wal")
    clock = FakeClock(wall_start=datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc).timestamp())

    with History(paths.history_db, clock=clock) as history:
        assert history.all() == []
        history.record(make_record())
        assert len(history.all()) == 1
        assert not history.in_memory

    moved = paths.data_dir / "history.sqlite3.corrupt-20240506T070809Z"
    assert moved.read_bytes().startswith(b"this is not sqlite")
    assert (paths.data_dir / "history.sqlite3.corrupt-20240506T070809Z-wal").read_bytes() == (
        b"junk wal"
    )
    assert history.notices == [
        f"history.sqlite3 could not be opened (file is not a database); moved it to {moved};"
        " starting a new history"
    ]


def write_newer_database(path: Path, *, usable: bool) -> None:
    """A history from a later calmfeet (schema 99): with every column of ours, or without."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    if usable:
        conn.execute(
            "CREATE TABLE sessions (id INTEGER PRIMARY KEY, routine TEXT NOT NULL, name TEXT"
            " NOT NULL, started TEXT NOT NULL, seconds REAL NOT NULL, steps_done INTEGER NOT"
            " NULL, completed INTEGER NOT NULL, utc_offset_minutes INTEGER NOT NULL DEFAULT 0,"
            " mood TEXT)"
        )
        conn.execute(
            "INSERT INTO sessions (routine, name, started, seconds, steps_done, completed,"
            " mood) VALUES ('later', 'From later', '2024-03-01T07:00:00Z', 60, 1, 1, 'calm')"
        )
    else:
        conn.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, future TEXT)")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()


def test_a_newer_calmfeets_history_is_used_in_place_never_moved(paths: Paths) -> None:
    write_newer_database(paths.history_db, usable=True)
    with History(paths.history_db) as history:
        assert history.record(make_record(name="Today")).state == "written"
        assert [rec.name for rec in history.all()] == ["Today", "From later"]
    assert not list(paths.data_dir.glob("*.corrupt-*"))
    assert user_version(paths.history_db) == 99, "never migrated down or over"
    assert history.notices == []


def test_a_newer_history_this_calmfeet_cannot_use_is_left_alone_and_the_session_kept(
    paths: Paths,
) -> None:
    write_newer_database(paths.history_db, usable=False)
    with History(paths.history_db) as history:
        kept = history.record(make_record(name="Today"))
        assert kept.state == "pending"
        assert "newer calmfeet" in kept.reason
        assert [rec.name for rec in history.all()] == ["Today"]
    assert not list(paths.data_dir.glob("*.corrupt-*"))
    assert user_version(paths.history_db) == 99
    assert (paths.data_dir / PENDING_NAME).exists()


def test_someone_elses_database_is_moved_aside(paths: Paths) -> None:
    paths.data_dir.mkdir(parents=True)
    conn = sqlite3.connect(paths.history_db)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT)")
    conn.commit()
    conn.close()

    with History(paths.history_db) as history:
        history.record(make_record())
    (moved,) = paths.data_dir.glob("history.sqlite3.corrupt-*")
    assert "not a calmfeet history" in history.notices[0]
    conn = sqlite3.connect(moved)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("recipes",)]
    conn.close()


def test_two_writers_at_once_both_succeed(paths: Paths) -> None:
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    notices: list[str] = []

    def writer(tag: str) -> None:
        try:
            with History(paths.history_db) as history:
                barrier.wait()
                for i in range(50):
                    history.record(make_record(i, routine=tag, name=tag))
                notices.extend(history.notices)
                assert not history.in_memory
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(tag,)) for tag in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert notices == []
    with History(paths.history_db) as history:
        records = history.all()
    assert len(records) == 100
    assert sum(1 for rec in records if rec.routine == "left") == 50


def refuse_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite cannot open any file (a read-only folder, even for root)."""
    real_connect = history_module._connect

    def refuse(
        target: str, wait: float = history_module.BUSY_TIMEOUT_SECONDS
    ) -> sqlite3.Connection:
        if target != ":memory:":
            raise sqlite3.OperationalError("unable to open database file")
        return real_connect(target, wait)

    monkeypatch.setattr(history_module, "_connect", refuse)


def test_a_history_that_cannot_be_written_keeps_the_session_to_save_later(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_files(monkeypatch)
    with History(paths.history_db) as history:
        kept = history.record(make_record(0, name="Kept for later"))
        assert kept.state == "pending"
        assert kept.where == paths.data_dir / PENDING_NAME
        assert "could not create" in kept.reason
        assert "kept in" in kept.message and "saved" not in kept.message.split("kept")[0]
        assert [rec.name for rec in history.all()] == ["Kept for later"]
    assert not paths.history_db.exists()

    monkeypatch.undo()  # the folder can be written again: the next record writes both
    with History(paths.history_db) as history:
        assert history.record(make_record(5, name="Next")).state == "written"
    conn = sqlite3.connect(paths.history_db)
    names = [row[0] for row in conn.execute("SELECT name FROM sessions ORDER BY id")]
    conn.close()
    assert names == ["Kept for later", "Next"]
    assert not (paths.data_dir / PENDING_NAME).exists()


def test_an_unwritable_data_folder_keeps_the_session_in_the_config_folder(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_mkdir = Path.mkdir

    def no_data_folder(self: Path, *args: Any, **kwargs: Any) -> None:
        if self == paths.data_dir:
            raise PermissionError(13, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", no_data_folder)
    with History(paths.history_db, spare_dir=paths.config_dir) as history:
        kept = history.record(make_record())
    assert kept.state == "pending"
    assert "Permission denied" in kept.reason
    assert kept.where == paths.config_dir / PENDING_NAME
    monkeypatch.undo()
    with History(paths.history_db, spare_dir=paths.config_dir) as history:
        assert history.write_pending() == 1
        assert len(history.all()) == 1
    assert not (paths.config_dir / PENDING_NAME).exists()


def test_a_session_kept_nowhere_says_so_and_stays_for_this_run(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_mkdir(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", no_mkdir)
    with History(paths.history_db, spare_dir=paths.config_dir) as history:
        kept = history.record(make_record())
        assert kept.state == "lost"
        assert "could not be saved" in kept.message
        assert "Permission denied" in kept.message
        assert len(history.all()) == 1, "the stats of this run still count it"


def test_a_disk_that_stops_taking_writes_keeps_the_session(paths: Paths) -> None:
    with History(paths.history_db) as history:
        history.record(make_record(0, name="On disk"))
        conn = history._conn
        assert conn is not None
        conn.execute("PRAGMA query_only = ON")  # the disk stops taking writes
        assert history.record(make_record(5, name="Later")).state == "pending"
        assert [rec.name for rec in history.all()] == ["Later", "On disk"]


def test_a_kept_session_is_written_once_even_if_forgetting_it_failed(paths: Paths) -> None:
    rec = make_record(0, name="Once")
    with History(paths.history_db) as history:
        history.record(rec)
    PendingSessions([paths.data_dir / PENDING_NAME]).add(rec)  # as if not yet forgotten
    with History(paths.history_db) as history:
        assert [r.name for r in history.all()] == ["Once"]
        history.write_pending()
        history.record(make_record(9, name="Then"))
        assert [r.name for r in history.all()] == ["Then", "Once"]


def test_rows_json_round_and_use_z() -> None:
    rows = history_rows_json(
        [make_record(0, seconds=600.0), make_record(1, seconds=61.26, completed=False)]
    )
    assert rows[0] == {
        "routine": "evening-unwind",
        "name": "Evening unwind",
        "started": "2024-03-10T08:00:00Z",
        "seconds": 600,
        "steps_done": 8,
        "completed": True,
    }
    assert rows[1]["seconds"] == 61.3
    assert rows[1]["completed"] is False
    assert isinstance(rows[0]["seconds"], int)
    json.dumps(rows)  # printable as JSON as it stands


def test_history_text_shows_local_time_and_outcome() -> None:
    text = format_history_text(
        [
            make_record(0, seconds=754, offset=60),
            make_record(-600, name="Morning wake", seconds=65, steps_done=2, completed=False),
        ]
    )
    lines = text.splitlines()
    assert lines[0].split() == ["Date", "Time", "Routine", "Length", "Steps", "Result"]
    assert "Sun 2024-03-10" in lines[1] and "09:00" in lines[1]  # 08:00 UTC at UTC+1
    assert "Evening unwind" in lines[1] and "12:34" in lines[1] and "✓ completed" in lines[1]
    assert "Morning wake" in lines[2] and "1:05" in lines[2] and "stopped early" in lines[2]
    assert lines[-1] == "2 sessions, 14 minutes in all"


def test_history_text_when_empty() -> None:
    assert format_history_text([]) == "No sessions yet"


def test_local_offset_is_whole_minutes() -> None:
    offset = local_utc_offset_minutes(T0)
    assert isinstance(offset, int)
    assert -14 * 60 <= offset <= 14 * 60
