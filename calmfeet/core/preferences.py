"""The person's preferences: read forgivingly, merged under a lock, written atomically."""

from __future__ import annotations

import errno
import re
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import tomli

from calmfeet.core import order as routine_order
from calmfeet.core.breathing import DEFAULT_PATTERN
from calmfeet.core.clock import Clock, SystemClock
from calmfeet.core.files import (
    FileTrouble,
    NotUtf8Text,
    decode_utf8,
    move_aside,
    read_capped,
    remove_leftover_temp_files,
    write_atomically,
)
from calmfeet.core.paths import Paths
from calmfeet.core.problems import KeyLines, describe_value

if TYPE_CHECKING:
    from filelock import FileLock

SCHEMA_VERSION = 1
SessionViewChoice = Literal["big", "detail"]
"""The session screen's two looks (`Preferences.session_view`)."""
PregnancyChoice = Literal["ask", "skip", "include"]
"""What to do with steps on points traditionally avoided in pregnancy: ask the first time a
routine has one, skip them, or include them (`Preferences.pregnancy_points`)."""
SoundStyle = Literal["tones", "chimes", "off"]
"""`tones`: breath tones and step chimes; `chimes`: step chimes only; `off`: no synthesized
sound (the voice is its own setting)."""
MAX_VOLUME = 100
MAX_BYTES = 1024 * 1024
LOCK_TIMEOUT = 5.0
MAX_PAUSE_SECONDS = 60.0
"""The longest lead-in or switch-feet pause a file may ask for."""
HEADER = (
    "# calmfeet preferences, rewritten by calmfeet whenever they change.\n"
    "# Keys calmfeet does not know are kept; comments are not.\n"
)


@dataclass(frozen=True)
class Preferences:
    """What calmfeet remembers between runs; `Preferences()` is a first run.

    This declaration is the file's schema: each field but `extra` is one key, its type hint
    says what the key may hold, and the file lists the keys in this order.
    `str | None` means "left out of the file when None" (TOML has no null);
    `tuple[str, ...]` is a list of routine ids, kept in order without repeats.
    """

    theme: str | None = None
    breathing: str = DEFAULT_PATTERN
    bell: bool = True
    reduced_motion: bool = False
    session_view: SessionViewChoice = "big"
    """The session screen's look: the now in big type, or every detail in ordinary text."""
    last_routine: str | None = None
    order: tuple[str, ...] = ()
    favourites: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    confirmed_cautions: tuple[str, ...] = ()
    lead_in_seconds: float = 5.0
    """The get-ready countdown before a session's first step; 0 turns it off."""
    switch_seconds: float = 3.0
    """The pause to change feet between a left-foot and a right-foot step; 0 turns it off."""
    pregnancy_points: PregnancyChoice = "ask"
    """Steps on points traditionally avoided in pregnancy: asked once, then skipped or kept."""
    sound: SoundStyle = "tones"
    sound_volume: int = 60
    """The whole guidance's loudness in the app, 0-100 (a soft level by default)."""
    sound_muted: bool = False
    """`m` in a session: nothing is heard until it is pressed again."""
    sound_breath: bool = True
    """The breath tone (with `sound = "tones"`)."""
    sound_breath_volume: int = 100
    sound_steps: bool = True
    """Chimes at step changes, switching feet, halfway and the end; the lead-in's 3-2-1."""
    sound_steps_volume: int = 100
    sound_ticks: bool = False
    """A soft tick on each of a step's last 3 seconds."""
    voice: bool = False
    """Spoken steps, where a voice engine is installed: off by default, since many people
    find a voice distracting."""
    voice_volume: int = 100
    voice_how: bool = False
    """The voice also reads the step's `how`."""
    voice_phase_words: bool = False
    """The voice says "in", "out", "hold" at each phase."""
    extra: dict[str, object] = field(default_factory=dict, hash=False)
    """Keys this calmfeet does not know (a newer one wrote them, or a person did): kept."""

    def caution_confirmed(self, routine_id: str, caution: str) -> bool:
        """True once this very caution was confirmed: another routine with the same id, or
        the same routine with its caution edited, shows its caution again."""
        return caution_key(routine_id, caution) in self.confirmed_cautions


def caution_key(routine_id: str, caution: str) -> str:
    """What `confirmed_cautions` holds: the id and a short hash of the caution's text.

    An older file's plain ids match no key, so each caution is shown once more.
    """
    import hashlib  # only when a caution is confirmed: not at start-up

    digest = hashlib.sha256(caution.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{routine_id}#{digest}"


Change = Callable[[Preferences], Preferences]


def _setting_types() -> dict[str, object]:
    """Each key of the file and the type its value must have, read off `Preferences`."""
    hints = typing.get_type_hints(Preferences)
    return {f.name: hints[f.name] for f in fields(Preferences) if f.name != "extra"}


_SETTINGS = _setting_types()
KNOWN_KEYS = frozenset({"schema_version", *_SETTINGS})
SoundSetting = Literal[
    "sound_volume",
    "sound_breath",
    "sound_breath_volume",
    "sound_steps",
    "sound_steps_volume",
    "sound_ticks",
    "voice",
    "voice_volume",
    "voice_how",
    "voice_phase_words",
]
"""The sound switches (true/false) and volumes (0-100) `set_sound_setting` changes."""
SOUND_SETTINGS: tuple[SoundSetting, ...] = typing.get_args(SoundSetting)


# --- reading and checking ---------------------------------------------------------------


class _Unusable(Exception):
    """The bytes on disk cannot become preferences; the message says why, for a person."""


def _check(key: str, expected: object, value: object) -> tuple[object, str | None]:
    """The value as Preferences holds it, or an error in a person's words."""
    if expected is bool:
        if isinstance(value, bool):
            return value, None
        return None, f"{key} must be true or false, not {describe_value(value)}"
    if expected is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return (
                None,
                f"{key} must be a whole number from 0 to {MAX_VOLUME}, not {describe_value(value)}",
            )
        if not 0 <= value <= MAX_VOLUME:
            return None, f"{key} must be from 0 to {MAX_VOLUME}, not {value!r}"
        return value, None
    if expected is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, f"{key} must be a number of seconds, not {describe_value(value)}"
        seconds = float(value)
        if not 0 <= seconds <= MAX_PAUSE_SECONDS:
            return None, f"{key} must be from 0 to {MAX_PAUSE_SECONDS:g} seconds, not {value!r}"
        return seconds, None
    if typing.get_origin(expected) is tuple:
        return _check_ids(key, value)
    if typing.get_origin(expected) is Literal:
        allowed = typing.get_args(expected)
        if value in allowed:
            return value, None
        words = " or ".join(f'"{choice}"' for choice in allowed)
        return None, f"{key} must be {words}, not {describe_value(value)}"
    if expected is str or expected == (str | None):
        if isinstance(value, str):
            return value, None
        return None, f"{key} must be a quoted string, not {describe_value(value)}"
    raise TypeError(f"Preferences.{key}: no reading for {expected!r}")  # a new field's bug


def _check_ids(key: str, value: object) -> tuple[object, str | None]:
    if not isinstance(value, list):
        return None, f"{key} must be a list of routine ids, not {describe_value(value)}"
    for item in value:
        if not isinstance(item, str):
            return None, f"{key} must hold only quoted routine ids, not {describe_value(item)}"
    # A dict, not `in list`: 70,000 ids must take milliseconds, not a minute.
    return tuple(dict.fromkeys(value)), None


def _decode(data: bytes) -> tuple[str, dict[str, object]]:
    try:
        text = decode_utf8(data)
    except NotUtf8Text as error:
        raise _Unusable(f"not UTF-8 text at byte {error.offset}") from None
    try:
        return text, tomli.loads(text)
    except tomli.TOMLDecodeError as error:
        where = f"line {error.lineno}: " if error.lineno else ""
        raise _Unusable(f"{where}{error.msg}") from None
    except (RecursionError, ValueError) as error:
        raise _Unusable(f"not TOML ({error})") from None


def _schema_version(table: dict[str, object]) -> int:
    version = table.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _Unusable(
            f"schema_version must be a whole number from 1, not {describe_value(version)}"
        )
    return version


def _from_table(text: str, table: dict[str, object], strict: bool) -> Preferences:
    """Known keys checked, unknown ones kept; `strict=False` skips bad keys instead."""
    values: dict[str, Any] = {}  # each value already checked against its field's type
    for key, expected in _SETTINGS.items():
        if key not in table:
            continue
        value, error = _check(key, expected, table[key])
        if error is None:
            values[key] = value
        elif strict:
            line = KeyLines(text).find((key,))
            raise _Unusable(f"line {line}: {error}" if line else error)
    extra = {key: value for key, value in table.items() if key not in KNOWN_KEYS}
    return replace(Preferences(extra=extra), **values)


_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x08\x0a-\x1f\x7f]')
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
LINE_WIDTH = 96


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = _NEEDS_ESCAPE.sub(
        lambda match: _ESCAPES.get(match.group(), f"\\u{ord(match.group()):04x}"), text
    )
    return f'"{escaped}"'


def _id_list(key: str, ids: Sequence[str]) -> str:
    """Many ids a line: tomli-w's one id a line made 400 KB of ids 1.4 MB, over the cap."""
    if not ids:
        return f"{key} = []\n"
    lines: list[str] = []
    line: list[str] = []
    width = 0
    for routine_id in ids:
        item = _toml_string(routine_id) + ","
        if line and width + 1 + len(item) > LINE_WIDTH:
            lines.append(" ".join(line))
            line, width = [], 0
        width += len(item) + (1 if line else 0)
        line.append(item)
    lines.append(" ".join(line))
    body = "".join(f"    {text}\n" for text in lines)
    return f"{key} = [\n{body}]\n"


def to_toml(prefs: Preferences) -> str:
    """The file's text, keys in the order `Preferences` declares them, unknown keys last."""
    import tomli_w  # only when writing: not at start-up

    parts = [HEADER, tomli_w.dumps({"schema_version": SCHEMA_VERSION})]
    for key in _SETTINGS:
        value = getattr(prefs, key)
        if value is None:
            continue
        if isinstance(value, tuple):
            parts.append(_id_list(key, value))
        else:
            parts.append(tomli_w.dumps({key: value}))
    extra = {key: value for key, value in prefs.extra.items() if key not in KNOWN_KEYS}
    if extra:
        # Tables come after every plain key in TOML, and tomli-w writes extra's that way.
        rest = tomli_w.dumps(extra)
        parts.append(("\n" if rest.startswith("[") else "") + rest)
    return "".join(parts)


@dataclass(frozen=True)
class _Disk:
    """One look at the file: what it held and whether calmfeet may write over it."""

    state: Literal["missing", "ok", "corrupt", "newer", "unreadable"]
    prefs: Preferences
    reason: str = ""


def _read_file(path: Path) -> _Disk:
    try:
        data = read_capped(path, MAX_BYTES)
    except FileTrouble as trouble:
        if trouble.kind == "missing":
            return _Disk("missing", Preferences())
        if trouble.kind == "too-big":
            return _Disk("corrupt", Preferences(), "it is larger than 1 MiB")
        # A pipe, a device or a folder in its place is the person's: never moved or replaced.
        reason = f"it is {trouble.what}" if trouble.kind == "not-a-file" else trouble.reason
        return _Disk("unreadable", Preferences(), reason)
    try:
        text, table = _decode(data)
        if _schema_version(table) > SCHEMA_VERSION:
            return _Disk("newer", _from_table(text, table, strict=False))
    except _Unusable as error:
        return _Disk("corrupt", Preferences(), str(error))
    try:
        return _Disk("ok", _from_table(text, table, strict=True))
    except _Unusable as error:
        # One bad value: the file is still set aside, but every good setting is kept.
        return _Disk("corrupt", _from_table(text, table, strict=False), str(error))


# --- writing ----------------------------------------------------------------------------


class _NotSaved(Exception):
    """Saving failed for a reason the person should be told, in these words."""


def _os_error_message(error: OSError, file: Path) -> str:
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"Preferences cannot be saved: {file.parent} is read-only"
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"Preferences cannot be saved: the disk is full ({file})"
    return f"Preferences cannot be saved: {error.strerror or error}"


def _known(prefs: Preferences) -> tuple[object, ...]:
    return tuple(getattr(prefs, key) for key in _SETTINGS)


def _check_written(file: Path, data: bytes, prefs: Preferences, written: Path) -> None:
    """What calmfeet writes it can always read back: the same bytes, under the cap, and the
    same settings. Raises _NotSaved before the old file is replaced."""
    try:
        read_back = read_capped(written, MAX_BYTES)
        text, table = _decode(read_back)
        same = read_back == data and _known(_from_table(text, table, strict=True)) == _known(prefs)
    except (FileTrouble, _Unusable):
        same = False
    if not same:
        raise _NotSaved(f"Preferences cannot be saved: {file} did not read back; kept it as it was")


def _apply(prefs: Preferences, changes: Iterable[Change]) -> Preferences:
    for change in changes:
        prefs = change(prefs)
    return prefs


def _with(ids: Sequence[str], routine_id: str, on: bool) -> tuple[str, ...]:
    """`ids` with `routine_id` in (at the end) or out: a value, so applying it twice is once."""
    if on:
        return tuple(ids) if routine_id in ids else (*ids, routine_id)
    return tuple(i for i in ids if i != routine_id)


class PreferencesStore:
    """Load once, then change through `update()`, which merges with whatever is on disk.

    Each change is an operation (favourite on, move this routine above that one) applied
    under the lock to the file as it is now, so two calmfeet running at once never undo each
    other's changes. Nothing here raises for a problem with the file or the disk: the person
    gets a one-line notice and the app goes on with preferences in memory.
    """

    def __init__(self, paths: Paths, clock: Clock | None = None) -> None:
        self.paths = paths
        self.notices: list[str] = []
        """One-liners to show the person once; `take_notices()` hands them over."""
        self.save_error: str | None = None
        """Why the latest change is only in memory, or None when it reached the disk."""
        self.current = Preferences()
        self._clock = clock or SystemClock()
        self._disk = Preferences()
        self._unsaved: list[Change] = []
        self._file_lock: FileLock | None = None

    @property
    def _lock(self) -> FileLock:
        """The lock other calmfeets honour; made (and filelock imported, about 11 ms) at the
        first write, not at start-up."""
        if self._file_lock is None:
            import filelock

            self._file_lock = filelock.FileLock(
                str(self.paths.preferences_lock), timeout=LOCK_TIMEOUT
            )
        return self._file_lock

    @property
    def file(self) -> Path:
        return self.paths.preferences_file

    def take_notices(self) -> list[str]:
        notices, self.notices = self.notices, []
        return notices

    # --- loading ---

    def load(self) -> Preferences:
        """Whatever can be used from the file; defaults (with a notice) when it can't."""
        self.notices = []
        self.save_error = None
        self._unsaved = []
        try:
            disk = _read_file(self.file)
            if disk.state == "corrupt":
                disk = self._set_aside_with_lock(disk)
            self._refuse_writes_if_needed(disk)
            prefs = disk.prefs
        except Exception as error:  # a last guard: preferences must never stop calmfeet
            self._note(f"{self.file.name} could not be read ({error}); using defaults")
            prefs = Preferences()
        self._disk = Preferences() if self._unsaved else prefs
        self.current = prefs
        return prefs

    def _set_aside_with_lock(self, disk: _Disk) -> _Disk:
        try:
            with self._lock:
                fresh = _read_file(self.file)
                if fresh.state != "corrupt":
                    return fresh
                aside = move_aside(self.file, self._clock.wall())
        except OSError:  # the lock's Timeout is a TimeoutError, an OSError
            self._note(
                f"{self.file.name} could not be read ({disk.reason}); left it untouched; "
                "using defaults"
            )
            return _Disk("ok", Preferences())
        kept = fresh.prefs
        if kept == Preferences():
            self._note_aside(fresh, aside, "using defaults")
            return _Disk("ok", kept)
        # The good settings go into a fresh file at once: the next run, even `calmfeet list`,
        # must not fall back to defaults for order, favourites, hidden routines and theme.
        self._note_aside(
            fresh,
            aside,
            "saved every setting that could be read to a new "
            f"{self.file.name}, defaults for the rest",
        )
        self._unsaved = [lambda p: kept if p == Preferences() else p]
        self._save_now()
        return _Disk("ok", kept)

    def _note_aside(self, disk: _Disk, aside: Path, kept: str) -> None:
        self._note(
            f"{self.file.name} could not be read ({disk.reason}); kept it as {aside.name} "
            f"in {self.file.parent}; {kept}"
        )

    def _set_aside(self, disk: _Disk) -> _Disk:
        """Move the unusable file out of the way, byte for byte, under a name never reused.

        Called with the lock held, just before the readable settings are saved again. Raises
        OSError when the folder will not allow it, so the caller does not write over it either.
        """
        aside = move_aside(self.file, self._clock.wall())
        kept = (
            "using defaults"
            if disk.prefs == Preferences()
            else "kept every setting that could be read, defaults for the rest"
        )
        self._note_aside(disk, aside, kept)
        return _Disk("missing", disk.prefs)

    def _refuse_writes_if_needed(self, disk: _Disk) -> None:
        if disk.state == "newer":
            self._fail(f"{self.file.name} was written by a newer calmfeet; changes won't be saved")
        elif disk.state == "unreadable":
            self._fail(
                f"{self.file.name} could not be read ({disk.reason}); using defaults; "
                "changes won't be saved"
            )

    # --- changing ---

    def update(self, change: Change) -> Preferences:
        """Apply `change` to the file as it is now and save; on failure keep it in memory.

        Changes that could not be saved are replayed on the next update, so the person's
        earlier choices survive once the disk lets calmfeet write again.
        """
        changes = [*self._unsaved, change]
        self.current = _apply(self._disk, changes)  # a buggy change raises here, unsaved
        self._unsaved = changes
        self._save_now()
        return self.current

    def _save_now(self) -> None:
        """Save the unsaved changes; any failure becomes one notice, never an exception."""
        try:
            self._save()
        except _NotSaved as error:
            self._fail(str(error))
        except OSError as error:
            if _is_lock_timeout(error):
                self._fail(
                    f"Preferences cannot be saved: another calmfeet kept them locked "
                    f"for {LOCK_TIMEOUT:g} s"
                )
            else:
                self._fail(_os_error_message(error, self.file))
        except Exception as error:  # a last guard: preferences must never stop calmfeet
            self._fail(f"Preferences cannot be saved: {error}")

    def _save(self) -> None:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            disk = _read_file(self.file)
            if disk.state == "corrupt":
                disk = self._set_aside(disk)
            self._disk = disk.prefs
            self.current = _apply(disk.prefs, self._unsaved)
            if disk.state in ("newer", "unreadable"):
                self._refuse_writes_if_needed(disk)
                return
            self._write(self.current)
        self._disk = self.current
        self._unsaved = []
        self.save_error = None

    def _write(self, prefs: Preferences) -> None:
        """Replace the file with `prefs`, only once what was written is known to read back."""
        remove_leftover_temp_files(self.file)
        data = to_toml(prefs).encode("utf-8")
        if len(data) > MAX_BYTES:
            raise _NotSaved(
                "Preferences cannot be saved: they would be larger than the 1 MiB calmfeet "
                f"reads back; kept {self.file} as it was"
            )
        write_atomically(self.file, data, check=partial(_check_written, self.file, data, prefs))

    def _fail(self, message: str) -> None:
        if message != self.save_error:
            self._note(message)
        self.save_error = message

    def _note(self, message: str) -> None:
        if message not in self.notices:
            self.notices.append(message)

    # --- the changes the app makes: each a value or a move, never a toggle ---

    def set_theme(self, name: str | None) -> Preferences:
        return self.update(lambda p: replace(p, theme=name))

    def set_order(self, ids: Sequence[str]) -> Preferences:
        order = tuple(dict.fromkeys(ids))
        return self.update(lambda p: replace(p, order=order))

    def reset_order(self) -> Preferences:
        return self.update(lambda p: replace(p, order=()))

    def move_routine(
        self,
        routine_id: str,
        *,
        before: str | None = None,
        after: str | None = None,
        listed: Sequence[str] = (),
        shown: Sequence[str] | None = None,
    ) -> Preferences:
        """Move one routine just above `before` or just below `after`, in the saved order.

        `listed` is every routine id in the order the person sees (hidden ones included),
        for routines the saved order does not name yet; `shown` the ids on screen (all of
        `listed` when None): those filtered out keep their neighbours, as `merge_order` does.
        """
        on_screen = frozenset(listed if shown is None else shown)
        listed_ids = tuple(listed)

        def move(p: Preferences) -> Preferences:
            moved = routine_order.move_next_to(
                p.order, listed_ids, on_screen, routine_id, before=before, after=after
            )
            return p if moved is None else replace(p, order=tuple(moved))

        return self.update(move)

    def set_favourite(self, routine_id: str, on: bool) -> Preferences:
        return self.update(lambda p: replace(p, favourites=_with(p.favourites, routine_id, on)))

    def set_hidden(self, routine_id: str, on: bool) -> Preferences:
        return self.update(lambda p: replace(p, hidden=_with(p.hidden, routine_id, on)))

    def set_last_routine(self, routine_id: str | None) -> Preferences:
        return self.update(lambda p: replace(p, last_routine=routine_id))

    def set_bell(self, on: bool) -> Preferences:
        return self.update(lambda p: replace(p, bell=on))

    def set_session_view(self, view: SessionViewChoice) -> Preferences:
        return self.update(lambda p: replace(p, session_view=view))

    def set_reduced_motion(self, on: bool) -> Preferences:
        return self.update(lambda p: replace(p, reduced_motion=on))

    def set_lead_in_seconds(self, seconds: float) -> Preferences:
        """The get-ready countdown before the first step; 0 turns it off."""
        value = min(MAX_PAUSE_SECONDS, max(0.0, float(seconds)))
        return self.update(lambda p: replace(p, lead_in_seconds=value))

    def set_switch_seconds(self, seconds: float) -> Preferences:
        """The pause to change feet between steps; 0 turns it off."""
        value = min(MAX_PAUSE_SECONDS, max(0.0, float(seconds)))
        return self.update(lambda p: replace(p, switch_seconds=value))

    def set_pregnancy_points(self, choice: PregnancyChoice) -> Preferences:
        """Skip (or include) steps on points traditionally avoided in pregnancy; "ask" asks
        again the next time a routine has one."""
        return self.update(lambda p: replace(p, pregnancy_points=choice))

    def set_sound(self, style: SoundStyle) -> Preferences:
        return self.update(lambda p: replace(p, sound=style))

    def set_sound_muted(self, muted: bool) -> Preferences:
        return self.update(lambda p: replace(p, sound_muted=muted))

    def set_sound_setting(self, key: SoundSetting, value: bool | int) -> Preferences:
        """One of the sound or voice switches (a bool) or volumes (0-100, clamped)."""
        if key not in SOUND_SETTINGS:
            raise ValueError(f"not a sound setting: {key!r}")
        value = min(MAX_VOLUME, max(0, int(value))) if _SETTINGS[key] is int else bool(value)
        changes: dict[str, Any] = {key: value}
        return self.update(lambda p: replace(p, **changes))

    def confirm_caution(self, routine_id: str, caution: str) -> Preferences:
        """Remember that this routine's caution, as worded now, was read and confirmed."""
        key = caution_key(routine_id, caution)
        return self.update(
            lambda p: replace(p, confirmed_cautions=_with(p.confirmed_cautions, key, True))
        )


def _is_lock_timeout(error: BaseException) -> bool:
    """Whether the error is the lock's Timeout (filelock is loaded by then: the lock ran)."""
    import filelock

    return isinstance(error, filelock.Timeout)
