"""Reading, writing and setting aside the files a person owns, the same careful way everywhere.

Routines, themes, preferences, history and customised routines all go through here, so none of
them can hang on a named pipe, swallow a huge file, leave half a file behind or overwrite a
copy of something the person may want back.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, Literal

TroubleKind = Literal["missing", "not-a-file", "too-big", "unreadable"]

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
# Errors that mean "this place cannot take the set-aside copy": trying another name won't help.
_FOLDER_REFUSES = (errno.EACCES, errno.EROFS, errno.ENOSPC, errno.ENOENT)


class FileTrouble(Exception):
    """A file that could not be read; `reason` says why in a person's words.

    `kind` lets a caller phrase it its own way: a missing preferences file is a first run, a
    missing routine file is an error. For "too-big", `size` is what stat reported, or None
    when the file grew past the cap while it was being read.
    """

    def __init__(
        self,
        kind: TroubleKind,
        reason: str,
        *,
        what: str = "",
        size: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.kind: TroubleKind = kind
        self.reason = reason
        self.what = what
        """For "not-a-file": what it is instead, e.g. "a named pipe"."""
        self.size = size


def describe_file_type(mode: int) -> str | None:
    """What a non-regular file is, in words ("a named pipe"); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def not_a_regular_file(path: Path) -> str | None:
    """What `path` is if not a regular file ("a named pipe"), found without opening it.

    None for a regular file, or one that cannot be looked at: the open after will say why.
    """
    try:
        return describe_file_type(os.stat(path).st_mode)
    except OSError:
        return None


def _not_a_file(what: str) -> FileTrouble:
    return FileTrouble("not-a-file", f"is {what}, not a file", what=what)


def _os_trouble(error: OSError) -> FileTrouble:
    if isinstance(error, FileNotFoundError):
        return FileTrouble("missing", f"cannot be read: {error.strerror or error}")
    if isinstance(error, IsADirectoryError):
        return _not_a_file("a folder")
    return FileTrouble("unreadable", f"cannot be read: {error.strerror or error}")


def read_capped(path: Path, limit: int) -> bytes:
    """The file's bytes, at most `limit` of them; FileTrouble for anything else.

    Never blocks: only a regular file is read (a symlink to one is fine), a named pipe or a
    device is refused from its stat before it is opened, and the open is non-blocking in case
    the file was swapped for one in between. Reading `limit + 1` bytes catches a file that
    grew after it was checked.
    """
    try:
        what = describe_file_type(os.stat(path).st_mode)
        if what is not None:
            raise _not_a_file(what)
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if error.errno == errno.ENXIO:  # a socket (or a pipe nobody writes to) refuses opens
            raise _not_a_file("a socket") from None
        raise _os_trouble(error) from None
    try:
        info = os.fstat(fd)
        what = describe_file_type(info.st_mode)
        if what is not None:
            raise _not_a_file(what)
        if info.st_size > limit:
            raise FileTrouble(
                "too-big", f"is {info.st_size} bytes, more than {limit}", size=info.st_size
            )
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as error:
        raise _os_trouble(error) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise FileTrouble("too-big", f"is larger than {limit} bytes", size=None)
    return data


class NotUtf8Text(ValueError):
    """Bytes that are not UTF-8: where the first bad byte is, and the words that say so."""

    def __init__(self, data: bytes, error: UnicodeDecodeError) -> None:
        self.offset = error.start
        self.byte = data[error.start]
        self.line = data[: error.start].count(b"\n") + 1
        super().__init__(
            f"is not UTF-8 text (byte 0x{self.byte:02x} at offset {self.offset}); save it as UTF-8"
        )


def decode_utf8(data: bytes) -> str:
    """The text of a UTF-8 file, without a byte-order mark a Windows editor may have added."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotUtf8Text(data, error) from None


# --- writing ------------------------------------------------------------------------------


def temp_prefix(path: Path) -> str:
    """Temp files for `path` start with this, so leftovers from a crash can be found."""
    return f".{path.name}."


TEMP_SUFFIX = ".tmp"


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every platform lets a folder be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(
    path: Path,
    data: bytes,
    *,
    check: Callable[[Path], None] | None = None,
    overwrite: bool = True,
) -> None:
    """Readers see the old file or the new one, never half of either, even after a crash.

    The temp file sits in the same folder (a rename across disks is not atomic) and is removed
    on any failure. `check` may read the written temp file and raise to stop the replace.
    With `overwrite=False` the file must not exist yet: FileExistsError, and nothing written,
    if it does (or appears while this writes).
    """
    with atomic_output(path, check=check, overwrite=overwrite) as out:
        _write_all(out.fileno(), data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


@contextlib.contextmanager
def atomic_output(
    path: Path,
    *,
    check: Callable[[Path], None] | None = None,
    overwrite: bool = True,
    shared: bool = False,
) -> Iterator[BinaryIO]:
    """`write_atomically` for what is written a piece at a time (a long sound track): the
    file to write (it can seek), renamed over `path` when the block ends without an error,
    removed when it ends with one (ctrl+c included).

    The temp file is private to its owner, as mkstemp makes it; `shared=True` gives it a new
    file's usual permissions (the umask's), for a file made to be copied elsewhere.
    """
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path), suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "w+b") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        if shared:
            os.chmod(temp_name, 0o666 & ~_umask())
        if check is not None:
            check(Path(temp_name))
        if overwrite:
            os.replace(temp_name, path)
        elif not _move_without_overwriting(Path(temp_name), path):
            raise FileExistsError(errno.EEXIST, "already exists", str(path))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_folder(path.parent)


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is put straight back; to the
    common 022 meanwhile, so a file another thread makes then is never left open to all)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_leftover_temp_files(path: Path) -> None:
    """Temp files a calmfeet left when it died mid-save; call only while no one else saves."""
    for orphan in path.parent.glob(f"{temp_prefix(path)}*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            orphan.unlink()


# --- setting a broken file aside ----------------------------------------------------------


def _move_without_overwriting(source: Path, target: Path) -> bool:
    """Move `source` to `target` unless `target` exists; False when it does."""
    try:
        os.link(source, target)  # fails rather than overwrite an earlier copy
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno in _FOLDER_REFUSES:
            raise
        if target.exists() or target.is_symlink():  # no hard links here (FAT, network shares)
            return False
        os.rename(source, target)
        return True
    os.unlink(source)
    return True


def move_aside(path: Path, wall_time: float | None = None, companions: Sequence[str] = ()) -> Path:
    """Rename an unusable file to `NAME.corrupt-STAMP` (then `-2`, `-3`...) and return it.

    Byte for byte, and never over an earlier set-aside copy. `companions` are suffixes of files
    that belong with it (SQLite's "-wal"), moved along to the same new name. Raises OSError
    when the folder will not allow it, so the caller leaves the file alone as well.
    """
    moment = time.time() if wall_time is None else wall_time
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(moment))
    base = f"{path.name}.corrupt-{stamp}"
    for attempt in range(1, 1000):
        aside = path.with_name(base if attempt == 1 else f"{base}-{attempt}")
        taken = any((aside.with_name(aside.name + suffix)).exists() for suffix in companions)
        if taken or not _move_without_overwriting(path, aside):
            continue
        for suffix in companions:
            extra = path.with_name(path.name + suffix)
            if extra.exists():
                os.replace(extra, aside.with_name(aside.name + suffix))
        return aside
    raise OSError(errno.EEXIST, "too many set-aside copies", str(path))
