"""The file toolkit: reads that never hang, writes never half done, set-aside copies never lost.

A read that blocked on a named pipe would hang its test until pytest-timeout failed it, so the
FIFO tests below need no clock of their own.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from calmfeet.cli import main
from calmfeet.core.files import (
    FileTrouble,
    NotUtf8Text,
    decode_utf8,
    move_aside,
    read_capped,
    write_atomically,
)
from calmfeet.core.history import History, SessionRecord
from calmfeet.core.library import load_library
from calmfeet.core.paths import Paths, builtin_routines_dir
from calmfeet.core.preferences import Preferences, PreferencesStore
from calmfeet.ui.themes import discover_themes

BUILTIN_IDS = sorted(p.stem for p in builtin_routines_dir().glob("*.toml"))
# 2023-11-14 22:13:20 UTC, written the way the set-aside copies name it.
WALL = 1_700_000_000.0
STAMP = "20231114T221320Z"


def make_fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def listing(folder: Path) -> set[str]:
    return {entry.name for entry in folder.iterdir()}


# --- read_capped ----------------------------------------------------------------------------


def test_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = make_fifo(tmp_path / "pipe.toml")
    with pytest.raises(FileTrouble) as caught:
        read_capped(fifo, 1024)
    assert caught.value.kind == "not-a-file"
    assert caught.value.reason == "is a named pipe, not a file"


def test_named_pipe_swapped_in_after_the_check_is_still_not_waited_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open itself never blocks, even if the stat before it saw a regular file."""
    fifo = make_fifo(tmp_path / "pipe.toml")
    real_stat = os.stat
    plain = tmp_path / "plain.toml"
    plain.write_bytes(b"x")

    def stat_says_regular(path: object, *args: object, **kwargs: object) -> object:
        return real_stat(plain) if Path(str(path)) == fifo else real_stat(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", stat_says_regular)
    with pytest.raises(FileTrouble) as caught:
        read_capped(fifo, 1024)
    assert caught.value.reason == "is a named pipe, not a file"


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileTrouble) as caught:
        read_capped(tmp_path, 1024)
    assert (caught.value.kind, caught.value.reason) == ("not-a-file", "is a folder, not a file")


def test_device_is_refused() -> None:
    with pytest.raises(FileTrouble) as caught:
        read_capped(Path("/dev/null"), 1024)
    assert caught.value.reason == "is a device, not a file"


def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        with pytest.raises(FileTrouble) as caught:
            read_capped(path, 1024)
    finally:
        server.close()
    assert caught.value.reason == "is a socket, not a file"


def test_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileTrouble) as caught:
        read_capped(tmp_path / "gone.toml", 1024)
    assert caught.value.kind == "missing"


def test_file_exactly_at_the_cap_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_bytes(b"x" * 100)
    assert read_capped(path, 100) == b"x" * 100
    path.write_bytes(b"x" * 101)
    with pytest.raises(FileTrouble) as caught:
        read_capped(path, 100)
    assert (caught.value.kind, caught.value.size) == ("too-big", 101)


def test_file_that_grows_after_its_size_was_checked_is_still_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.toml"
    path.write_bytes(b"x" * 500)
    real_fstat = os.fstat

    def fstat_from_before_it_grew(fd: int) -> object:
        info = real_fstat(fd)
        return SimpleNamespace(st_mode=info.st_mode, st_size=10)

    monkeypatch.setattr(os, "fstat", fstat_from_before_it_grew)
    with pytest.raises(FileTrouble) as caught:
        read_capped(path, 100)
    assert (caught.value.kind, caught.value.size) == ("too-big", None)


def test_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "real.toml").write_bytes(b"hello")
    (tmp_path / "link.toml").symlink_to("real.toml")
    assert read_capped(tmp_path / "link.toml", 100) == b"hello"


def test_utf8_with_a_byte_order_mark_and_a_bad_byte() -> None:
    assert decode_utf8(b"\xef\xbb\xbfname") == "name"
    with pytest.raises(NotUtf8Text) as caught:
        decode_utf8(b"a\nb\xe9")
    assert (caught.value.line, caught.value.offset) == (2, 3)
    assert str(caught.value) == "is not UTF-8 text (byte 0xe9 at offset 3); save it as UTF-8"


# --- write_atomically -----------------------------------------------------------------------


@pytest.fixture
def old_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "own" / "mine.toml"
    path.parent.mkdir()
    path.write_bytes(b"old contents\n")
    yield path


def test_atomic_write_replaces_the_file_and_leaves_nothing_else(old_file: Path) -> None:
    write_atomically(old_file, b"new contents\n")
    assert old_file.read_bytes() == b"new contents\n"
    assert listing(old_file.parent) == {"mine.toml"}


def test_write_that_fails_half_way_leaves_the_old_file_and_no_temp_file(
    old_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write

    def write_half_then_fill_the_disk(fd: int, data: bytes | memoryview) -> int:
        if len(data) > 4:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", write_half_then_fill_the_disk)
    with pytest.raises(OSError):
        write_atomically(old_file, b"new contents that never fully arrive\n")
    assert old_file.read_bytes() == b"old contents\n"
    assert listing(old_file.parent) == {"mine.toml"}


def test_failed_replace_leaves_the_old_file_and_no_temp_file(
    old_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_replace(src: object, dst: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        write_atomically(old_file, b"new\n")
    assert old_file.read_bytes() == b"old contents\n"
    assert listing(old_file.parent) == {"mine.toml"}


def test_check_sees_the_written_bytes_and_can_stop_the_replace(old_file: Path) -> None:
    seen: list[bytes] = []

    def refuse(temp: Path) -> None:
        seen.append(temp.read_bytes())
        raise ValueError("not good enough")

    with pytest.raises(ValueError):
        write_atomically(old_file, b"new\n", check=refuse)
    assert seen == [b"new\n"]
    assert old_file.read_bytes() == b"old contents\n"
    assert listing(old_file.parent) == {"mine.toml"}


# --- move_aside -----------------------------------------------------------------------------


def test_move_aside_keeps_the_bytes_under_a_stamped_name(old_file: Path) -> None:
    aside = move_aside(old_file, WALL)
    assert aside.name == f"mine.toml.corrupt-{STAMP}"
    assert aside.read_bytes() == b"old contents\n"
    assert not old_file.exists()


@pytest.mark.parametrize("hard_links", [True, False], ids=["links", "no-links"])
def test_move_aside_never_overwrites_an_earlier_copy(
    old_file: Path, monkeypatch: pytest.MonkeyPatch, hard_links: bool
) -> None:
    if not hard_links:

        def no_links(src: object, dst: object) -> None:
            raise OSError(errno.EPERM, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_links)
    first = move_aside(old_file, WALL)
    old_file.write_bytes(b"second\n")
    second = move_aside(old_file, WALL)
    assert second.name == f"mine.toml.corrupt-{STAMP}-2"
    assert first.read_bytes() == b"old contents\n"
    assert second.read_bytes() == b"second\n"


def test_move_aside_takes_companion_files_along(tmp_path: Path) -> None:
    db = tmp_path / "data" / "history.sqlite3"
    db.parent.mkdir()
    db.write_bytes(b"db")
    (db.parent / "history.sqlite3-wal").write_bytes(b"wal")
    aside = move_aside(db, WALL, companions=("-wal", "-shm"))
    assert listing(db.parent) == {aside.name, f"{aside.name}-wal"}
    assert (db.parent / f"{aside.name}-wal").read_bytes() == b"wal"


def test_move_aside_in_a_folder_that_refuses_raises_and_leaves_the_file(
    old_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(src: object, dst: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "link", read_only)
    with pytest.raises(OSError):
        move_aside(old_file, WALL)
    assert old_file.read_bytes() == b"old contents\n"


# --- every caller, given a named pipe -------------------------------------------------------


def test_named_pipe_in_a_routines_folder_is_named_and_the_rest_still_load(
    paths: Paths, plain_routine_dir: Path
) -> None:
    fifo = make_fifo(plain_routine_dir / "pipe.toml")
    library = load_library(paths, [plain_routine_dir], env={})
    assert "plain" in library.ids
    assert set(BUILTIN_IDS) <= set(library.ids)
    assert library.problem_lines == [f"{fifo}:1: file: is a named pipe, not a routine file"]


def test_named_pipe_given_to_validate_is_reported(
    tmp_path: Path, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = make_fifo(tmp_path / "pipe.toml")
    assert main(["validate", str(fifo)], paths=paths) == 3, "not read, so not invalid"
    captured = capsys.readouterr()
    assert captured.out == f"{fifo}:1: file: is a named pipe, not a routine file\n"
    assert "Traceback" not in captured.err


def test_named_pipe_as_a_theme_file_is_named_and_built_in_themes_still_load(
    paths: Paths,
) -> None:
    fifo = make_fifo(paths.themes_dir / "pipe.toml")
    catalog = discover_themes(paths.themes_dir)
    assert "dusk" in catalog.names()
    assert catalog.failures == [f"{fifo}:1: file: is a named pipe, not a theme file"]


def test_named_pipe_as_preferences_gives_defaults_a_notice_and_is_never_replaced(
    paths: Paths,
) -> None:
    fifo = make_fifo(paths.preferences_file)
    store = PreferencesStore(paths)
    assert store.load() == Preferences()
    [notice] = store.notices
    assert notice == (
        "preferences.toml could not be read (it is a named pipe); using defaults; "
        "changes won't be saved"
    )
    assert store.set_theme("night").theme == "night"  # kept in memory for this run
    assert fifo.is_fifo(), "the person's pipe is still there, not moved or written over"
    assert listing(paths.config_dir) <= {"preferences.toml", "preferences.toml.lock"}


def test_named_pipe_as_the_history_file_keeps_the_session_for_later_and_leaves_the_pipe(
    paths: Paths,
) -> None:
    fifo = make_fifo(paths.history_db)
    started = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    with History(fifo) as history:
        kept = history.record(SessionRecord("plain", "Plain", started, 30.0, 1, True))
        assert [record.routine for record in history.all()] == ["plain"]
    assert kept.state == "pending"
    assert kept.reason == f"{fifo} is a named pipe, not a history file"
    assert history.notices == [f"{fifo} is a named pipe, not a history file"]
    assert fifo.is_fifo()
