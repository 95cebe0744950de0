"""Every practised session, kept in a small SQLite file in the user's data folder."""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from calmfeet.core.clock import Clock, SystemClock
from calmfeet.core.files import (
    FileTrouble,
    decode_utf8,
    move_aside,
    not_a_regular_file,
    read_capped,
    write_atomically,
)
from calmfeet.core.glyphs import plural
from calmfeet.core.paths import PENDING_NAME

BUSY_TIMEOUT_SECONDS = 10.0
"""The most any history call waits for another program's lock (a direct `record` by default)."""
WRITE_WAIT_SECONDS = 1.0
"""How long a write waits on a locked history before the session is kept to save later."""
EXIT_WAIT_SECONDS = 0.25
"""The same while calmfeet is stopping: quitting must not hang on someone else's lock."""
READ_WAIT_SECONDS = 2.0
"""How long `calmfeet history` waits to read a history another program is writing."""
PENDING_LIMIT = 4 * 1024 * 1024
MAX_SESSION_SECONDS = 7 * 24 * 3600.0
"""A row claiming more than a week of practice is damage, not a session."""
_FULL_DISK_BYTES = 64 * 1024

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


class _Newer(Exception):
    """A history from a newer calmfeet: never migrated and never moved aside. When it still
    has every column this one uses (`usable`) it is read and written as it is."""

    def __init__(self, version: int, usable: bool) -> None:
        super().__init__(
            f"it is from a newer calmfeet (schema version {version}; this one knows"
            f" {SCHEMA_VERSION})"
        )
        self.usable = usable


def _set_wait(conn: sqlite3.Connection, seconds: float) -> None:
    conn.execute(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")


def _connect(target: str, wait: float = BUSY_TIMEOUT_SECONDS) -> sqlite3.Connection:
    """The one place a connection is made (tests replace it to simulate a read-only disk).

    `wait` is how long a statement may wait for another program's lock."""
    conn = sqlite3.connect(
        target,
        timeout=wait,
        isolation_level=None,
        check_same_thread=False,
        uri=target.startswith("file:"),
    )
    _set_wait(conn, wait)
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
        if conn.in_transaction:  # SQLite ends it itself after some errors (a full disk)
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
        columns = {row[1] for row in conn.execute("PRAGMA table_info(sessions)")}
        raise _Newer(version, usable=_EXPECTED_COLUMNS[SCHEMA_VERSION] <= columns)
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
    with _writing(conn):
        version = _check_schema(conn)
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


@contextlib.contextmanager
def _writing(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, the lock taken at once: committed whole, or rolled back whole
    (SQLite may already have ended it after some errors, such as a full disk)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def _use_wal(conn: sqlite3.Connection) -> None:
    """WAL lets a reader and a writer work at once; a read-only file keeps what it has."""
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA journal_mode = WAL")


def _row_to_record(row: Sequence[Any]) -> SessionRecord:
    """One stored row as a record; ValueError for a value no session could have had."""
    routine, name, started, seconds, steps_done, completed, offset = row
    try:
        record = SessionRecord(
            routine=str(routine),
            name=str(name),
            started=parse_utc(str(started)),
            seconds=float(seconds),
            steps_done=int(steps_done),
            completed=bool(completed),
            utc_offset_minutes=int(offset),
        )
        record.local_date  # noqa: B018 - an offset or a year out of range fails here, not later
    except (TypeError, OverflowError) as error:
        raise ValueError(str(error)) from None
    if not (math.isfinite(record.seconds) and 0 <= record.seconds <= MAX_SESSION_SECONDS):
        raise ValueError(f"a session of {record.seconds} seconds")
    if record.steps_done < 0:
        raise ValueError(f"{record.steps_done} steps done")
    return record


def _rows_to_records(rows: Iterable[Sequence[Any]]) -> tuple[list[SessionRecord], int]:
    """The rows that make sense as sessions, and how many did not."""
    records: list[SessionRecord] = []
    skipped = 0
    for row in rows:
        try:
            records.append(_row_to_record(row))
        except ValueError:
            skipped += 1
    return records, skipped


def _newest_first(records: Iterable[SessionRecord]) -> list[SessionRecord]:
    return sorted(records, key=lambda rec: rec.started, reverse=True)


def _same_session(rec: SessionRecord) -> tuple[object, ...]:
    """What tells one session from another, to never write a kept session twice."""
    return (rec.routine, format_utc(rec.started), rec.seconds, rec.steps_done, rec.completed)


def describe_error(error: sqlite3.Error | OSError, folder: Path) -> str:
    """An SQLite or disk error in a person's words: a full disk is named as a full disk."""
    name = getattr(error, "sqlite_errorname", "")
    if name == "SQLITE_FULL" or (isinstance(error, OSError) and error.errno == 28):
        return "the disk is full"
    if name.startswith("SQLITE_IOERR") or name == "SQLITE_CANTOPEN":
        with contextlib.suppress(OSError):
            if shutil.disk_usage(_existing(folder)).free < _FULL_DISK_BYTES:
                return "the disk is full"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "another program is using the history (database is locked)"
    if isinstance(error, OSError):
        return str(error.strerror or error)
    return str(error)


def _existing(folder: Path) -> Path:
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


# --- sessions kept to save later -------------------------------------------------------------


def _record_json(rec: SessionRecord) -> dict[str, object]:
    return {
        "routine": rec.routine,
        "name": rec.name,
        "started": format_utc(rec.started),
        "seconds": rec.seconds,
        "steps_done": rec.steps_done,
        "completed": rec.completed,
        "utc_offset_minutes": rec.utc_offset_minutes,
    }


def _pending_lines(text: str) -> tuple[list[SessionRecord], int]:
    rows: list[tuple[object, ...]] = []
    bad = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            rows.append(
                tuple(
                    item[key]
                    for key in (
                        "routine",
                        "name",
                        "started",
                        "seconds",
                        "steps_done",
                        "completed",
                        "utc_offset_minutes",
                    )
                )
            )
        except (ValueError, TypeError, KeyError):
            bad += 1
    records, skipped = _rows_to_records(rows)
    return records, bad + skipped


class PendingSessions:
    """Sessions the history could not take yet, in small files written with core/files.

    The first place is beside the history; the others (the config folder) are for when the
    data folder itself cannot be written.
    """

    def __init__(self, places: Sequence[Path]) -> None:
        self.places = tuple(dict.fromkeys(places))

    def exists(self) -> bool:
        return any(place.exists() for place in self.places)

    def read(self, place: Path) -> tuple[list[SessionRecord], int]:
        """The sessions kept in one place, and how many lines were unreadable."""
        try:
            return _pending_lines(decode_utf8(read_capped(place, PENDING_LIMIT)))
        except FileTrouble as trouble:
            if trouble.kind == "missing":
                return [], 0
            raise OSError(trouble.reason) from None
        except ValueError:
            return [], 1

    def load(self) -> tuple[list[SessionRecord], list[str]]:
        """Every kept session, and a notice for any that could not be read."""
        records: list[SessionRecord] = []
        notices: list[str] = []
        for place in self.places:
            try:
                found, bad = self.read(place)
            except OSError as error:
                notices.append(f"could not read {place} ({error})")
                continue
            records.extend(found)
            if bad:
                notices.append(f"skipped {plural(bad, 'unreadable session')} in {place}")
        return records, notices

    def add(self, rec: SessionRecord) -> tuple[Path | None, str]:
        """Keep one session: where it went, or None and why nowhere would take it."""
        why = "nowhere to keep it"
        for place in self.places:
            try:
                place.parent.mkdir(parents=True, exist_ok=True)
                existing = read_capped(place, PENDING_LIMIT) if place.exists() else b""
                line = json.dumps(_record_json(rec), ensure_ascii=False) + "\n"
                if existing and not existing.endswith(b"\n"):
                    existing += b"\n"
                write_atomically(place, existing + line.encode("utf-8"))
                return place, ""
            except (OSError, FileTrouble) as error:
                why = (
                    error.reason
                    if isinstance(error, FileTrouble)
                    else describe_error(error, place.parent)
                )
        return None, why

    def forget(self, written: set[tuple[object, ...]]) -> None:
        """Take out the sessions now in the history, keeping any added meanwhile."""
        for place in self.places:
            try:
                records, bad = self.read(place)
            except OSError:
                continue
            left = [rec for rec in records if _same_session(rec) not in written]
            if len(left) == len(records):
                continue
            with contextlib.suppress(OSError):
                if left:
                    text = "".join(json.dumps(_record_json(r)) + "\n" for r in left)
                    write_atomically(place, text.encode("utf-8"))
                elif place.exists():
                    place.unlink()


KeptState = Literal["written", "pending", "lost"]


@dataclass(frozen=True)
class Kept:
    """What became of one session: written, kept to save later, or kept nowhere."""

    state: KeptState
    reason: str = ""
    where: Path | None = None

    @property
    def message(self) -> str:
        """The truth in one line for the person; empty when the session is in the history."""
        if self.state == "written":
            return ""
        if self.state == "pending":
            return (
                f"This session could not be written to your history ({self.reason}); it is"
                f" kept in {self.where} and will be saved the next time calmfeet can."
            )
        return f"This session could not be saved: {self.reason}."


class HistoryUnreadable(Exception):
    """The history exists but cannot be read at all; the message says why in one line."""


class _Unavailable(Exception):
    """The history file cannot be used for writing right now; the message says why."""


class History:
    """The session log. It never raises: a session it cannot write is kept to save later
    (`PendingSessions`), and other trouble becomes a line in `notices`."""

    def __init__(
        self, path: Path, *, clock: Clock | None = None, spare_dir: Path | None = None
    ) -> None:
        self.path = path
        self.notices: list[str] = []
        self.pending = PendingSessions(
            [path.with_name(PENDING_NAME)] + ([spare_dir / PENDING_NAME] if spare_dir else [])
        )
        self._clock: Clock = clock or SystemClock()
        self._conn: sqlite3.Connection | None = None
        self._opened = False
        self._unsaved: list[SessionRecord] = []
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

    @property
    def in_memory(self) -> bool:
        """Some sessions of this run are kept nowhere but here."""
        return bool(self._unsaved)

    def open(self) -> History:
        """Open an existing file now; a missing one is made on the first `record`."""
        with self._lock:
            if self._opened:
                return self
            self._opened = True
            if self.path.exists():
                try:
                    self._conn = self._open_file(READ_WAIT_SECONDS)  # stats must not hang
                except _Unavailable as why:
                    self.notices.append(str(why))
            return self

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self._opened = False

    def take_notices(self) -> list[str]:
        """The notices so far, once each (a worker thread may be adding to them)."""
        with self._lock:
            taken, self.notices = self.notices, []
            return taken

    def record(self, rec: SessionRecord, *, wait: float = BUSY_TIMEOUT_SECONDS) -> Kept:
        """Store one session, waiting at most `wait` seconds for another program's lock.

        Sessions kept earlier go in first. What cannot be written is kept to save later.
        """
        with self._lock:
            try:
                conn = self._writable(wait)
                _set_wait(conn, wait)
                self._write(conn, self._kept_before(), rec)
                return Kept("written")
            except _Unavailable as why:
                reason = str(why)
            except sqlite3.Error as error:
                reason = describe_error(error, self.path.parent)
            where, why_not = self.pending.add(rec)
            if where is not None:
                return Kept("pending", reason, where)
            self._unsaved.append(rec)
            return Kept("lost", f"{reason}; nor kept to save later ({why_not})")

    def write_pending(self, *, wait: float = WRITE_WAIT_SECONDS) -> int:
        """Write the sessions kept to save later (at start-up); how many went in."""
        with self._lock:
            kept = self._kept_before()
            if not kept:
                return 0
            try:
                conn = self._writable(wait)
                _set_wait(conn, wait)
                self._write(conn, kept)
            except _Unavailable:
                return 0
            except sqlite3.Error:
                return 0
            return len(kept)

    def recent(self, limit: int | None = None) -> list[SessionRecord]:
        """Sessions newest first (all of them when `limit` is None), kept ones included."""
        with self._lock:
            self.open()
            records: list[SessionRecord] = []
            if self._conn is not None:
                try:
                    rows = self._conn.execute(_SELECT).fetchall()
                except sqlite3.Error as error:
                    self.notices.append(f"could not read {self.path.name} ({error})")
                    rows = []
                records, skipped = _rows_to_records(rows)
                if skipped:
                    self.notices.append(
                        f"skipped {plural(skipped, 'unreadable session')} in {self.path.name}"
                    )
            kept, notices = self.pending.load()
            self.notices.extend(notices)
            merged = _newest_first([*records, *_not_in(kept, records), *self._unsaved])
            return merged if limit is None else merged[: max(0, limit)]

    def all(self) -> list[SessionRecord]:
        """Every session, newest first."""
        return self.recent(None)

    # -- internals ------------------------------------------------------------------------

    def _kept_before(self) -> list[SessionRecord]:
        kept, _ = self.pending.load()
        return kept

    def _write(
        self,
        conn: sqlite3.Connection,
        kept: list[SessionRecord],
        new: SessionRecord | None = None,
    ) -> None:
        """One transaction: the kept sessions not already there, then the new one; then the
        kept ones are forgotten (a kept session is never written twice)."""
        with _writing(conn):
            for rec in kept:
                rows = conn.execute(
                    "SELECT routine, name, started, seconds, steps_done, completed,"
                    " utc_offset_minutes FROM sessions WHERE started = ?",
                    (format_utc(rec.started),),
                ).fetchall()
                if _same_session(rec) not in {_same_session(r) for r in _rows_to_records(rows)[0]}:
                    self._insert(conn, rec)
            if new is not None:
                self._insert(conn, new)
        if kept:
            self.pending.forget({_same_session(rec) for rec in kept})

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

    def _writable(self, wait: float) -> sqlite3.Connection:
        self.open()
        if self._conn is None:
            self._conn = self._open_file(wait)
        return self._conn

    def _open_file(self, wait: float) -> sqlite3.Connection:
        """Open (or create) the file, moving a damaged or foreign one aside first."""
        if self.path.exists():
            what = not_a_regular_file(self.path)
            if what is not None:  # SQLite would wait forever on a pipe; leave it be
                raise _Unavailable(f"{self.path} is {what}, not a history file")
            reason = self._probe(wait)
            if reason is not None:
                return self._move_aside_and_restart(reason, wait)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = _connect(str(self.path), wait)
        except (OSError, sqlite3.Error) as error:
            raise _Unavailable(
                f"could not create {self.path} ({describe_error(error, self.path.parent)})"
            ) from None
        try:
            _migrate(conn)
        except _Newer as newer:
            if not newer.usable:
                conn.close()
                raise _Unavailable(f"{self.path.name} cannot be written: {newer}") from None
        except _NotOurs as reason:
            conn.close()
            return self._move_aside_and_restart(str(reason), wait)
        except sqlite3.Error as error:
            conn.close()
            if _is_corruption(error):
                return self._move_aside_and_restart(str(error), wait)
            raise _Unavailable(
                f"could not open {self.path} ({describe_error(error, self.path.parent)})"
            ) from None
        _use_wal(conn)
        return conn

    def _probe(self, wait: float) -> str | None:
        """Why the file is unusable, or None; read-only so SQLite leaves a -wal file alone."""
        try:
            conn = _connect(_read_only_uri(self.path), wait)
        except sqlite3.Error:
            return None  # the read-write open below reports whatever this was
        try:
            _check_schema(conn)
        except _Newer:
            return None
        except _NotOurs as reason:
            return str(reason)
        except sqlite3.Error as error:
            return str(error) if _is_corruption(error) else None
        finally:
            conn.close()
        return None

    def _move_aside_and_restart(self, reason: str, wait: float) -> sqlite3.Connection:
        try:
            target = move_aside(self.path, self._clock.wall(), companions=("-wal", "-shm"))
        except OSError as error:
            raise _Unavailable(
                f"{self.path.name} could not be opened ({reason}) and could not be moved aside"
                f" ({describe_error(error, self.path.parent)})"
            ) from None
        self.notices.append(
            f"{self.path.name} could not be opened ({reason}); moved it to {target};"
            " starting a new history"
        )
        try:
            conn = _connect(str(self.path), wait)
            _migrate(conn)
        except (sqlite3.Error, _NotOurs) as error:
            raise _Unavailable(f"could not create {self.path} ({error})") from None
        _use_wal(conn)
        return conn


_SELECT = (
    "SELECT routine, name, started, seconds, steps_done, completed,"
    " utc_offset_minutes FROM sessions ORDER BY started DESC, id DESC"
)


def _not_in(kept: list[SessionRecord], stored: list[SessionRecord]) -> list[SessionRecord]:
    """Kept sessions not yet in the history (one may be written and not yet forgotten)."""
    there = {_same_session(rec) for rec in stored}
    return [rec for rec in kept if _same_session(rec) not in there]


def _read_only_uri(path: Path) -> str:
    return f"{path.absolute().as_uri()}?mode=ro"


def read_history(
    path: Path, *, spare_dir: Path | None = None, wait: float | None = None
) -> tuple[list[SessionRecord], list[str]]:
    """Every session newest first, for a command that only reads: never migrates, moves or
    creates anything. HistoryUnreadable when the file is there and cannot be read."""
    pending = PendingSessions(
        [path.with_name(PENDING_NAME)] + ([spare_dir / PENDING_NAME] if spare_dir else [])
    )
    kept, notices = pending.load()
    if kept:
        notices.append(
            f"{plural(len(kept), 'session')} not yet written to {path.name}"
            " (calmfeet will write them the next time it can)"
        )
    records: list[SessionRecord] = []
    if path.exists() or path.is_symlink():
        records, skipped, more = _read_file(path, READ_WAIT_SECONDS if wait is None else wait)
        notices.extend(more)
        if skipped:
            notices.append(f"skipped {plural(skipped, 'unreadable session')} in {path.name}")
    return _newest_first([*records, *_not_in(kept, records)]), notices


def _read_file(path: Path, wait: float) -> tuple[list[SessionRecord], int, list[str]]:
    what = not_a_regular_file(path)
    if what is not None:
        raise HistoryUnreadable(f"{path} is {what}, not a history file")
    notices: list[str] = []
    try:
        rows = _read_rows(_read_only_uri(path), wait)
    except sqlite3.Error as error:
        if _is_corruption(error) or getattr(error, "sqlite_errorname", "").startswith(
            ("SQLITE_BUSY", "SQLITE_LOCKED")
        ):
            raise HistoryUnreadable(_unreadable(path, error)) from None
        # No room or no right to make SQLite's -shm file (a full disk, a read-only folder):
        # read the file as it stands, which misses only what is still in a -wal file.
        try:
            rows = _read_rows(f"{path.absolute().as_uri()}?immutable=1", wait)
        except sqlite3.Error:
            raise HistoryUnreadable(_unreadable(path, error)) from None
        wal = path.with_name(path.name + "-wal")
        with contextlib.suppress(OSError):
            if wal.exists() and wal.stat().st_size > 0:
                notices.append(
                    f"{path.name} could only be read in part"
                    f" ({describe_error(error, path.parent)}); the latest sessions may be missing"
                )
    except _NotOurs as reason:
        raise HistoryUnreadable(f"{path} cannot be read: {reason}") from None
    records, skipped = _rows_to_records(rows)
    return records, skipped, notices


def _unreadable(path: Path, error: sqlite3.Error) -> str:
    return f"{path} cannot be read: {describe_error(error, path.parent)}"


def _read_rows(uri: str, wait: float) -> list[Any]:
    conn = _connect(uri, wait)
    try:
        conn.execute("BEGIN")
        try:
            version = _read_schema(conn)
        except _Newer as newer:
            if not newer.usable:
                raise _NotOurs(str(newer)) from None
            version = SCHEMA_VERSION + 1
        if version == 0:
            return []
        if version == 1:
            return [
                (*row, 0)
                for row in conn.execute(
                    "SELECT routine, name, started, seconds, steps_done, completed FROM"
                    " sessions ORDER BY started DESC, id DESC"
                ).fetchall()
            ]
        return list(conn.execute(_SELECT).fetchall())
    finally:
        conn.close()
