"""Every practised session, kept in a small SQLite file in the user's data folder."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from calmfeet.core.clock import Clock, SystemClock
from calmfeet.core.files import move_aside, not_a_regular_file
from calmfeet.core.glyphs import plural

BUSY_TIMEOUT_SECONDS = 10.0

# MIGRATIONS[n] takes a database from schema version n to n + 1 (version 0 is an empty file).
# Append new ones; never edit one that has shipped.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            routine TEXT NOT NULL,
            name TEXT NOT NULL,
            started TEXT NOT NULL,
            seconds REAL NOT NULL,
            steps_done INTEGER NOT NULL,
            completed INTEGER NOT NULL
        )
        """,
        "CREATE INDEX sessions_started ON sessions (started)",
    ),
    ("ALTER TABLE sessions ADD COLUMN utc_offset_minutes INTEGER NOT NULL DEFAULT 0",),
)
SCHEMA_VERSION = len(MIGRATIONS)

# The columns each schema version must have, to tell our file from someone else's.
_COLUMNS_V1 = frozenset({"id", "routine", "name", "started", "seconds", "steps_done", "completed"})
_EXPECTED_COLUMNS: dict[int, frozenset[str]] = {
    1: _COLUMNS_V1,
    2: _COLUMNS_V1 | {"utc_offset_minutes"},
}

_IN_MEMORY_NOTE = "history is kept in memory and will be lost when calmfeet closes"


@dataclass(frozen=True)
class SessionRecord:
    """One session as it happened; `utc_offset_minutes` keeps the person's local day."""

    routine: str
    name: str
    started: datetime
    seconds: float
    steps_done: int
    completed: bool
    utc_offset_minutes: int = 0

    def __post_init__(self) -> None:
        if self.started.tzinfo is None or self.started.utcoffset() is None:
            raise ValueError("SessionRecord.started must be timezone-aware")
        object.__setattr__(self, "started", self.started.astimezone(timezone.utc))

    @property
    def local_started(self) -> datetime:
        """The start as the clock on the wall showed it then."""
        return self.started.astimezone(timezone(timedelta(minutes=self.utc_offset_minutes)))

    @property
    def local_date(self) -> date:
        return self.local_started.date()


def local_utc_offset_minutes(moment: datetime) -> int:
    """The local UTC offset at `moment`, to store beside a session's start."""
    offset = moment.astimezone().utcoffset()
    return round(offset.total_seconds() / 60) if offset is not None else 0


def format_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second (sorts as text in time order)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


class _NotOurs(Exception):
    """The file opens as SQLite but is not a calmfeet history this version can use."""


def _connect(target: str) -> sqlite3.Connection:
    """The one place a connection is made (tests replace it to simulate a read-only disk)."""
    conn = sqlite3.connect(
        target, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    return conn


def _is_corruption(error: sqlite3.Error) -> bool:
    """Damage (move the file aside) as opposed to trouble reaching it (locked, read-only)."""
    name = getattr(error, "sqlite_errorname", "")
    if name:
        return name in {"SQLITE_NOTADB", "SQLITE_CORRUPT", "SQLITE_FORMAT"}
    return isinstance(error, sqlite3.DatabaseError) and not isinstance(
        error, sqlite3.OperationalError
    )


def _check_schema(conn: sqlite3.Connection) -> int:
    """The file's schema version, or _NotOurs when it is not a history we can use."""
    if conn.in_transaction:
        return _read_schema(conn)
    # One read transaction, so another calmfeet's migration is seen whole or not at all.
    conn.execute("BEGIN")
    try:
        return _read_schema(conn)
    finally:
        conn.execute("COMMIT")


def _read_schema(conn: sqlite3.Connection) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    tables = {
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if version > SCHEMA_VERSION:
        raise _NotOurs(
            f"schema version {version} is newer than this calmfeet knows ({SCHEMA_VERSION})"
        )
    if version == 0:
        if tables:
            raise _NotOurs("not a calmfeet history: it holds other tables")
        return 0
    if "sessions" not in tables:
        raise _NotOurs("not a calmfeet history: no sessions table")
    columns = {row[1] for row in conn.execute("PRAGMA table_info(sessions)")}
    missing = _EXPECTED_COLUMNS[version] - columns
    if missing:
        raise _NotOurs(f"not a calmfeet history: sessions lacks {', '.join(sorted(missing))}")
    return version


def _migrate(conn: sqlite3.Connection) -> None:
    if _check_schema(conn) == SCHEMA_VERSION:
        return
    # Take the write lock, then look again: another calmfeet may have migrated meanwhile.
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _check_schema(conn)
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _use_wal(conn: sqlite3.Connection) -> None:
    """WAL lets a reader and a writer work at once; a read-only file keeps what it has."""
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA journal_mode = WAL")


def _row_to_record(row: Sequence[Any]) -> SessionRecord:
    routine, name, started, seconds, steps_done, completed, offset = row
    return SessionRecord(
        routine=str(routine),
        name=str(name),
        started=parse_utc(str(started)),
        seconds=float(seconds),
        steps_done=int(steps_done),
        completed=bool(completed),
        utc_offset_minutes=int(offset),
    )


class History:
    """The session log. It never raises: trouble becomes a line in `notices`."""

    def __init__(self, path: Path, *, clock: Clock | None = None) -> None:
        self.path = path
        self.notices: list[str] = []
        self.in_memory = False
        self._clock: Clock = clock or SystemClock()
        self._conn: sqlite3.Connection | None = None
        self._opened = False
        self._lock = threading.RLock()

    def __enter__(self) -> History:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> History:
        """Open an existing file now; a missing one is made on the first `record`."""
        with self._lock:
            if self._opened:
                return self
            self._opened = True
            if self.path.exists():
                self._conn = self._open_file()
            return self

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self._opened = False

    def record(self, rec: SessionRecord) -> int:
        """Store one session; returns its row id."""
        with self._lock:
            conn = self._writable()
            try:
                return self._insert(conn, rec)
            except sqlite3.Error as error:
                if self.in_memory:
                    raise  # an in-memory database refusing a row is a bug, not the disk
                conn = self._fall_back_to_memory(f"could not write to {self.path} ({error})")
                return self._insert(conn, rec)

    def recent(self, limit: int | None = None) -> list[SessionRecord]:
        """Sessions newest first (all of them when `limit` is None)."""
        with self._lock:
            self.open()
            if self._conn is None:
                return []
            sql = (
                "SELECT routine, name, started, seconds, steps_done, completed,"
                " utc_offset_minutes FROM sessions ORDER BY started DESC, id DESC"
            )
            params: tuple[int, ...] = ()
            if limit is not None:
                sql += " LIMIT ?"
                params = (max(0, limit),)
            try:
                rows = self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as error:
                self.notices.append(f"could not read {self.path.name} ({error})")
                return []
            records: list[SessionRecord] = []
            skipped = 0
            for row in rows:
                try:
                    records.append(_row_to_record(row))
                except (ValueError, TypeError):
                    skipped += 1
            if skipped:
                self.notices.append(
                    f"skipped {plural(skipped, 'unreadable session')} in {self.path.name}"
                )
            return records

    def all(self) -> list[SessionRecord]:
        """Every session, newest first."""
        return self.recent(None)

    # -- internals ------------------------------------------------------------------------

    def _insert(self, conn: sqlite3.Connection, rec: SessionRecord) -> int:
        cursor = conn.execute(
            "INSERT INTO sessions (routine, name, started, seconds, steps_done, completed,"
            " utc_offset_minutes) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                rec.routine,
                rec.name,
                format_utc(rec.started),
                float(rec.seconds),
                int(rec.steps_done),
                int(rec.completed),
                int(rec.utc_offset_minutes),
            ),
        )
        return int(cursor.lastrowid or 0)

    def _writable(self) -> sqlite3.Connection:
        self.open()
        if self._conn is None:
            self._conn = self._open_file()
        return self._conn

    def _open_file(self) -> sqlite3.Connection:
        """Open (or create) the file, moving a damaged or foreign one aside first."""
        if self.path.exists():
            what = not_a_regular_file(self.path)
            if what is not None:  # SQLite would wait forever on a pipe; leave it be
                return self._fall_back_to_memory(f"{self.path} is {what}, not a history file")
            reason = self._probe()
            if reason is not None:
                return self._move_aside_and_restart(reason)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = _connect(str(self.path))
        except (OSError, sqlite3.Error) as error:
            return self._fall_back_to_memory(f"could not create {self.path} ({error})")
        try:
            _migrate(conn)
        except _NotOurs as reason:
            conn.close()
            return self._move_aside_and_restart(str(reason))
        except sqlite3.Error as error:
            conn.close()
            if _is_corruption(error):
                return self._move_aside_and_restart(str(error))
            return self._fall_back_to_memory(f"could not open {self.path} ({error})")
        _use_wal(conn)
        return conn

    def _probe(self) -> str | None:
        """Why the file is unusable, or None; read-only so SQLite leaves a -wal file alone."""
        try:
            conn = sqlite3.connect(
                f"{self.path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS
            )
        except sqlite3.Error:
            return None  # the read-write open below reports whatever this was
        try:
            _check_schema(conn)
        except _NotOurs as reason:
            return str(reason)
        except sqlite3.Error as error:
            return str(error) if _is_corruption(error) else None
        finally:
            conn.close()
        return None

    def _move_aside_and_restart(self, reason: str) -> sqlite3.Connection:
        try:
            target = move_aside(self.path, self._clock.wall(), companions=("-wal", "-shm"))
        except OSError as error:
            return self._fall_back_to_memory(
                f"{self.path.name} could not be opened ({reason}) and could not be moved aside"
                f" ({error})"
            )
        self.notices.append(
            f"{self.path.name} could not be opened ({reason}); moved it to {target};"
            " starting a new history"
        )
        try:
            conn = _connect(str(self.path))
            _migrate(conn)
        except (sqlite3.Error, _NotOurs) as error:
            return self._fall_back_to_memory(f"could not create {self.path} ({error})")
        _use_wal(conn)
        return conn

    def _fall_back_to_memory(self, why: str) -> sqlite3.Connection:
        """Keep the app working when the disk will not; carry over what we could read."""
        previous = self._conn
        memory = _connect(":memory:")
        _migrate(memory)
        if previous is not None:
            try:
                rows = previous.execute(
                    "SELECT routine, name, started, seconds, steps_done, completed,"
                    " utc_offset_minutes FROM sessions ORDER BY id"
                ).fetchall()
                memory.executemany(
                    "INSERT INTO sessions (routine, name, started, seconds, steps_done,"
                    " completed, utc_offset_minutes) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
            except sqlite3.Error:
                pass
            previous.close()
        self._conn = memory
        self.in_memory = True
        self.notices.append(f"{why}; {_IN_MEMORY_NOTE}")
        return memory
