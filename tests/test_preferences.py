"""Preferences survive restarts, bad files, full disks and two calmfeet at once."""

from __future__ import annotations

import errno
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import filelock
import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmfeet.cli import main
from calmfeet.core import preferences as prefs_module
from calmfeet.core.clock import FakeClock
from calmfeet.core.paths import Paths
from calmfeet.core.preferences import Preferences, PreferencesStore, caution_key, to_toml

# 2023-11-14T22:13:20Z
CLOCK_WALL = 1_700_000_000.0
ASIDE = "preferences.toml.corrupt-20231114T221320Z"


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(config_dir=tmp_path / "config", data_dir=tmp_path / "data")


def make_store(paths: Paths) -> PreferencesStore:
    return PreferencesStore(paths, clock=FakeClock(wall_start=CLOCK_WALL))


@pytest.fixture
def store(paths: Paths) -> PreferencesStore:
    return make_store(paths)


def write_file(paths: Paths, data: bytes | str) -> Path:
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    paths.preferences_file.write_bytes(raw)
    return paths.preferences_file


def folder_listing(paths: Paths) -> set[str]:
    return {p.name for p in paths.config_dir.iterdir() if p.name != "preferences.toml.lock"}


def reloaded(paths: Paths) -> Preferences:
    fresh = make_store(paths)
    prefs = fresh.load()
    assert fresh.notices == []
    return prefs


EVERYTHING = Preferences(
    theme="dusk",
    order=("sleep", "tour", "quick-reset"),
    favourites=("sleep",),
    hidden=("tour",),
    last_routine="sleep",
    breathing="4-7-8",
    bell=False,
    reduced_motion=True,
    confirmed_cautions=("circulation",),
    extra={"window": {"width": 120}, "future_flag": True},
)


# --- first run and round trips --------------------------------------------------------


def test_first_run_gives_defaults_and_creates_no_folder(
    store: PreferencesStore, paths: Paths
) -> None:
    prefs = store.load()
    assert prefs == Preferences()
    assert prefs.breathing == "resonance"
    assert prefs.bell is True
    assert prefs.reduced_motion is False
    assert store.notices == []
    assert store.save_error is None
    assert not paths.config_dir.exists()


def test_first_change_creates_the_folder_and_the_file(
    store: PreferencesStore, paths: Paths
) -> None:
    store.load()
    store.set_theme("dusk")
    assert paths.preferences_file.is_file()
    assert tomli.loads(paths.preferences_file.read_text())["schema_version"] == 1


def test_empty_file_is_valid_and_means_defaults(store: PreferencesStore, paths: Paths) -> None:
    write_file(paths, b"")
    assert store.load() == Preferences()
    assert store.notices == []
    assert folder_listing(paths) == {"preferences.toml"}


def test_every_key_round_trips(store: PreferencesStore, paths: Paths) -> None:
    store.load()
    saved = store.update(lambda _: EVERYTHING)
    assert saved == EVERYTHING
    assert store.save_error is None
    assert reloaded(paths) == EVERYTHING


def test_every_convenience_method_is_saved(store: PreferencesStore, paths: Paths) -> None:
    store.load()
    store.set_theme("dusk")
    store.set_order(["b", "a", "b"])
    store.set_favourite("a", True)
    store.set_hidden("c", True)
    store.set_last_routine("a")
    store.set_bell(False)
    store.set_reduced_motion(True)
    store.confirm_caution("a", "Go gently.")
    store.confirm_caution("a", "Go gently.")
    expected = Preferences(
        theme="dusk",
        order=("b", "a"),
        favourites=("a",),
        hidden=("c",),
        last_routine="a",
        bell=False,
        reduced_motion=True,
        confirmed_cautions=(caution_key("a", "Go gently."),),
    )
    assert store.current == expected
    assert reloaded(paths) == expected


def test_on_then_off_removes_and_reset_order_clears(store: PreferencesStore, paths: Paths) -> None:
    store.load()
    store.set_order(["b", "a"])
    store.set_favourite("a", True)
    store.set_favourite("a", False)
    store.set_hidden("a", True)
    store.set_hidden("a", False)
    store.set_theme(None)
    store.set_last_routine(None)
    store.reset_order()
    assert reloaded(paths) == Preferences()


def test_unknown_keys_are_kept_when_writing_back(store: PreferencesStore, paths: Paths) -> None:
    write_file(
        paths,
        'schema_version = 1\ntheme = "dusk"\nfuture_key = "keep me"\n'
        "[window]\nwidth = 120\nheight = 40\n",
    )
    assert store.load().extra == {"future_key": "keep me", "window": {"width": 120, "height": 40}}
    store.set_bell(False)
    on_disk = tomli.loads(paths.preferences_file.read_text())
    assert on_disk["future_key"] == "keep me"
    assert on_disk["window"] == {"width": 120, "height": 40}
    assert on_disk["theme"] == "dusk"
    assert on_disk["bell"] is False


def test_file_without_schema_version_is_read_as_version_1(
    store: PreferencesStore, paths: Paths
) -> None:
    write_file(paths, 'theme = "dusk"\n')
    assert store.load().theme == "dusk"
    assert store.notices == []


def test_hand_edited_duplicate_ids_are_read_once(store: PreferencesStore, paths: Paths) -> None:
    write_file(paths, 'favourites = ["a", "b", "a"]\n')
    assert store.load().favourites == ("a", "b")


def test_a_byte_order_mark_from_a_windows_editor_is_accepted(
    store: PreferencesStore, paths: Paths
) -> None:
    write_file(paths, '\ufefftheme = "dusk"\n')
    assert store.load().theme == "dusk"


# --- atomic writes ----------------------------------------------------------------------


def test_save_leaves_no_temp_file_and_reads_back_as_written(
    store: PreferencesStore, paths: Paths
) -> None:
    store.load()
    for name in ("a", "b", "c"):
        store.set_favourite(name, True)
    assert folder_listing(paths) == {"preferences.toml"}
    expected = replace(Preferences(), favourites=("a", "b", "c"))
    assert paths.preferences_file.read_text(encoding="utf-8") == to_toml(expected)


def test_save_replaces_the_file_from_a_temp_file_in_the_same_folder(
    store: PreferencesStore, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    replaced: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def recording_replace(src: str, dst: str) -> None:
        replaced.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", recording_replace)
    store.load()
    store.set_theme("dusk")
    [(src, dst)] = replaced
    assert src.parent == dst.parent == paths.config_dir
    assert dst == paths.preferences_file


def test_failed_save_leaves_the_old_file_intact(
    store: PreferencesStore, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.load()
    store.set_theme("dusk")
    before = paths.preferences_file.read_bytes()

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", failing_replace)
    assert store.set_theme("night").theme == "night"
    assert paths.preferences_file.read_bytes() == before
    assert folder_listing(paths) == {"preferences.toml"}
    assert store.save_error is not None


def test_temp_files_left_by_a_crashed_calmfeet_are_cleaned_up(
    store: PreferencesStore, paths: Paths
) -> None:
    orphan = paths.config_dir / ".preferences.toml.abc123.tmp"
    write_file(paths, 'theme = "dusk"\n')
    orphan.write_text("half a fi")
    store.load()
    store.set_bell(False)
    assert folder_listing(paths) == {"preferences.toml"}


# --- unusable files -----------------------------------------------------------------------

CORRUPT_FILES: dict[str, bytes] = {
    "bad TOML": b'theme = "dusk"\nbell = true\norder = [\n',
    "wrong type": b'theme = "dusk"\n\nbell = "yes"\n',
    "wrong list item": b"favourites = [1, 2]\n",
    "not UTF-8": b'theme = "d\xe9sk"\n',
    "too big": b"# " + b"x" * (1024 * 1024) + b"\n",
    "bad schema_version": b'schema_version = "one"\n',
}


@pytest.mark.parametrize("content", CORRUPT_FILES.values(), ids=CORRUPT_FILES.keys())
def test_unusable_file_is_kept_aside_byte_for_byte(
    store: PreferencesStore, paths: Paths, content: bytes
) -> None:
    write_file(paths, content)
    partly_good = content == CORRUPT_FILES["wrong type"]
    expected = replace(Preferences(), theme="dusk") if partly_good else Preferences()
    assert store.load() == expected, "every setting that could be read is kept"
    assert (paths.config_dir / ASIDE).read_bytes() == content
    assert paths.preferences_file.exists() == partly_good, "the good settings, saved at once"
    [notice] = store.notices
    assert notice.startswith("preferences.toml could not be read (")
    assert ASIDE in notice
    assert notice.endswith("defaults for the rest" if partly_good else "using defaults")


def test_notice_says_which_line_is_wrong(store: PreferencesStore, paths: Paths) -> None:
    write_file(paths, CORRUPT_FILES["wrong type"])
    store.load()
    assert "line 3: bell must be true or false" in store.notices[0]


def test_kept_aside_copy_survives_the_next_save(store: PreferencesStore, paths: Paths) -> None:
    write_file(paths, CORRUPT_FILES["bad TOML"])
    store.load()
    store.set_theme("night")
    assert reloaded(paths).theme == "night"
    assert (paths.config_dir / ASIDE).read_bytes() == CORRUPT_FILES["bad TOML"]


def test_second_unusable_file_never_overwrites_the_first_copy(
    store: PreferencesStore, paths: Paths
) -> None:
    write_file(paths, b"first = [")
    store.load()
    write_file(paths, b"second = [")
    store.load()
    assert (paths.config_dir / ASIDE).read_bytes() == b"first = ["
    assert (paths.config_dir / f"{ASIDE}-2").read_bytes() == b"second = ["
    assert f"{ASIDE}-2" in store.notices[0]


def test_file_broken_by_hand_while_running_is_kept_aside_before_saving(
    store: PreferencesStore, paths: Paths
) -> None:
    store.load()
    store.set_theme("dusk")
    write_file(paths, b"theme = ")
    prefs = store.set_favourite("a", True)
    assert prefs.favourites == ("a",)
    assert (paths.config_dir / ASIDE).read_bytes() == b"theme = "
    assert any(ASIDE in notice for notice in store.notices)
    assert reloaded(paths).favourites == ("a",)


def test_unusable_file_in_a_folder_that_cannot_be_written_is_left_alone(
    store: PreferencesStore, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_file(paths, b"theme = ")

    def no_links(src: object, dst: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "link", no_links)
    assert store.load() == Preferences()
    assert "left it untouched" in store.notices[0]
    assert store.set_theme("dusk").theme == "dusk"
    assert paths.preferences_file.read_bytes() == b"theme = "
    assert store.save_error is not None


def test_file_from_a_newer_calmfeet_is_read_but_never_written(
    store: PreferencesStore, paths: Paths
) -> None:
    content = b'schema_version = 2\ntheme = "dusk"\nbell = "sometimes"\n[new_table]\nx = 1\n'
    write_file(paths, content)
    prefs = store.load()
    assert prefs.theme == "dusk"
    assert prefs.bell is True  # unreadable for us: the default, but the file is left as is
    assert store.notices == [
        "preferences.toml was written by a newer calmfeet; changes won't be saved"
    ]
    assert store.set_theme("night").theme == "night"
    assert store.set_favourite("a", True) == replace(prefs, theme="night", favourites=("a",))
    assert paths.preferences_file.read_bytes() == content
    assert folder_listing(paths) == {"preferences.toml"}
    assert len(store.notices) == 1


def test_a_folder_where_the_file_should_be_gives_defaults_and_is_not_touched(
    store: PreferencesStore, paths: Paths
) -> None:
    paths.preferences_file.mkdir(parents=True)
    assert store.load() == Preferences()
    assert "could not be read" in store.notices[0]
    assert store.set_theme("dusk").theme == "dusk"
    assert paths.preferences_file.is_dir()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_at_all_load_without_raising(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = Paths(config_dir=Path(folder) / "config", data_dir=Path(folder) / "data")
        write_file(paths, content)
        store = make_store(paths)
        prefs = store.load()
        assert isinstance(prefs, Preferences)
        kept = [p.read_bytes() for p in paths.config_dir.glob("preferences.toml*")]
        assert content in kept  # the person's bytes are never lost


TOML_LINES = st.sampled_from(
    [
        "schema_version = 1",
        "schema_version = 7",
        "schema_version = -1",
        'theme = "dusk"',
        "theme = 3",
        "bell = false",
        'bell = "no"',
        "order = []",
        'order = ["a", "b"]',
        "order = [1]",
        'favourites = ["a"]',
        "hidden = {}",
        "reduced_motion = true",
        'breathing = "box"',
        "last_routine = 1979-05-27",
        "future = nan",
        "[table]",
        "x = 1",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(TOML_LINES, max_size=8))
def test_plausible_files_load_and_save_without_raising(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = Paths(config_dir=Path(folder) / "config", data_dir=Path(folder) / "data")
        write_file(paths, "\n".join(lines) + "\n")
        store = make_store(paths)
        assert isinstance(store.load(), Preferences)
        assert "zz" in store.set_favourite("zz", True).favourites


ids = st.lists(st.text(min_size=1, max_size=12), max_size=5, unique=True).map(tuple)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefs=st.builds(
        Preferences,
        theme=st.none() | st.text(max_size=12),
        order=ids,
        favourites=ids,
        hidden=ids,
        last_routine=st.none() | st.text(max_size=12),
        breathing=st.text(max_size=12),
        bell=st.booleans(),
        reduced_motion=st.booleans(),
        confirmed_cautions=ids,
        sound=st.sampled_from(["tones", "chimes", "off"]),
        sound_volume=st.integers(0, 100),
        sound_muted=st.booleans(),
        sound_breath_volume=st.integers(0, 100),
        voice=st.booleans(),
        voice_how=st.booleans(),
        extra=st.dictionaries(st.sampled_from(["x", "y", "new key"]), st.integers()),
    )
)
def test_any_preferences_round_trip(prefs: Preferences) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = Paths(config_dir=Path(folder) / "config", data_dir=Path(folder) / "data")
        store = make_store(paths)
        store.load()
        store.update(lambda _: prefs)
        assert store.save_error is None
        assert reloaded(paths) == prefs


# --- saving failures ----------------------------------------------------------------------


def raising(error: OSError) -> Callable[..., object]:
    def fail(*args: object, **kwargs: object) -> object:
        raise error

    return fail


READ_ONLY = PermissionError(errno.EACCES, "Permission denied")


@pytest.mark.parametrize("where", ["tempfile.mkstemp", "os.replace"])
def test_read_only_folder_keeps_changes_in_memory_with_one_notice(
    store: PreferencesStore, paths: Paths, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    write_file(paths, 'theme = "dusk"\n')
    store.load()
    module, name = where.split(".")
    monkeypatch.setattr(tempfile if module == "tempfile" else os, name, raising(READ_ONLY))
    assert store.set_theme("night").theme == "night"
    prefs = store.set_favourite("a", True)
    assert prefs.theme == "night"
    assert prefs.favourites == ("a",)
    assert store.save_error == f"Preferences cannot be saved: {paths.config_dir} is read-only"
    assert store.notices == [store.save_error]
    assert paths.preferences_file.read_text() == 'theme = "dusk"\n'
    assert folder_listing(paths) == {"preferences.toml"}


def test_lock_that_cannot_be_created_is_a_read_only_folder(
    store: PreferencesStore, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.load()
    monkeypatch.setattr(filelock.FileLock, "acquire", raising(READ_ONLY))
    assert store.set_bell(False).bell is False
    assert store.save_error is not None
    assert "read-only" in store.save_error


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_really_read_only_folder(store: PreferencesStore, paths: Paths) -> None:
    write_file(paths, 'theme = "dusk"\n')
    store.load()
    paths.config_dir.chmod(0o500)
    try:
        assert store.set_theme("night").theme == "night"
        assert store.save_error is not None
        assert "read-only" in store.save_error
        assert paths.preferences_file.read_text() == 'theme = "dusk"\n'
    finally:
        paths.config_dir.chmod(0o700)


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_full_disk_keeps_the_old_file_and_no_temp_file(
    store: PreferencesStore, paths: Paths, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    write_file(paths, 'theme = "dusk"\n')
    store.load()
    monkeypatch.setattr(os, where, raising(OSError(errno.ENOSPC, "No space left on device")))
    assert store.set_theme("night").theme == "night"
    store.set_bell(False)
    assert store.save_error == (
        f"Preferences cannot be saved: the disk is full ({paths.preferences_file})"
    )
    assert store.notices == [store.save_error]
    assert paths.preferences_file.read_text() == 'theme = "dusk"\n'
    assert folder_listing(paths) == {"preferences.toml"}


def test_changes_kept_in_memory_are_saved_once_the_disk_has_room(
    store: PreferencesStore, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.load()
    with monkeypatch.context() as patched:
        patched.setattr(os, "fsync", raising(OSError(errno.ENOSPC, "No space left")))
        store.set_theme("night")
        store.set_favourite("a", True)
    store.set_bell(False)
    assert store.save_error is None
    assert reloaded(paths) == Preferences(theme="night", favourites=("a",), bell=False)


def test_a_calmfeet_stuck_holding_the_lock_does_not_freeze_this_one(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prefs_module, "LOCK_TIMEOUT", 0.05)
    store = make_store(paths)
    store.load()
    paths.config_dir.mkdir(parents=True)
    with filelock.FileLock(str(paths.preferences_lock)):
        assert store.set_theme("night").theme == "night"
    assert store.save_error is not None
    assert "locked" in store.save_error
    assert not paths.preferences_file.exists()


# --- two calmfeet at once -------------------------------------------------------------------


def test_two_apps_changing_different_things_keep_both(paths: Paths) -> None:
    first, second = make_store(paths), make_store(paths)
    first.load()
    second.load()
    first.set_theme("night")
    result = second.set_favourite("sleep", True)
    assert result.theme == "night"  # second re-read the file before changing it
    assert reloaded(paths) == Preferences(theme="night", favourites=("sleep",))


def test_toggles_apply_to_the_file_not_to_a_stale_copy(paths: Paths) -> None:
    first, second = make_store(paths), make_store(paths)
    first.load()
    second.load()
    first.set_favourite("a", True)
    second.set_favourite("b", True)
    first.set_favourite("a", False)
    assert reloaded(paths).favourites == ("b",)


# --- one bad value: the good settings are saved again at once ----------------------------------


def test_one_bad_value_keeps_every_other_setting_for_the_next_run(
    store: PreferencesStore, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    content = (
        'theme = "dusk"\norder = ["whole-foot-tour", "quick-reset"]\nfavourites = ["quick-reset"]\n'
        'hidden = ["ankle-mobility"]\nbell = "yes"\n'
    )
    write_file(paths, content)
    store.load()
    assert (paths.config_dir / ASIDE).read_text() == content, "the person's file, kept aside"
    # The next run, even `calmfeet list`, has the order, favourites, hidden and theme.
    assert reloaded(paths) == Preferences(
        theme="dusk",
        order=("whole-foot-tour", "quick-reset"),
        favourites=("quick-reset",),
        hidden=("ankle-mobility",),
    )
    [notice] = store.notices
    assert "saved every setting that could be read to a new preferences.toml" in notice
    capsys.readouterr()
    assert main(["list"], paths=paths) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert [line.split()[0] for line in captured.out.splitlines()[:2]] == [
        "whole-foot-tour",
        "quick-reset",
    ]


def test_good_settings_that_cannot_be_saved_yet_are_saved_with_the_next_change(
    store: PreferencesStore, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_file(paths, 'theme = "dusk"\nbell = "yes"\n')
    with monkeypatch.context() as patched:
        patched.setattr(os, "fsync", raising(OSError(errno.ENOSPC, "No space left")))
        assert store.load().theme == "dusk"
    assert (paths.config_dir / ASIDE).exists()
    assert store.notices[-1] == (
        f"Preferences cannot be saved: the disk is full ({paths.preferences_file})"
    )
    store.set_reduced_motion(True)
    assert store.save_error is None
    assert reloaded(paths) == Preferences(theme="dusk", reduced_motion=True)


# --- what calmfeet writes, it can read back ----------------------------------------------------

SHORT_IDS = [f"{a}{b}{c}" for a in "abcdefghij" for b in "klmnopqrst" for c in "uvwxyz0123456"]


def compact_file(lists: dict[str, list[str]]) -> str:
    """Lists of ids the way a person (or another tool) writes them: all on one line."""
    return "".join(
        f"{key} = [{', '.join(f'{chr(34)}{i}{chr(34)}' for i in ids)}]\n"
        for key, ids in lists.items()
    )


def test_a_large_file_written_back_after_a_change_still_reads_back(
    store: PreferencesStore, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scaled down 20 times: 2,600 short ids, 40 KB as written by hand, would be 58 KB one id
    a line (as tomli-w wrote them), over a cap of 50 KB. Full size, 720 KB became 1.1 MB."""
    lists = {key: [f"{key[0]}{i}" for i in SHORT_IDS] for key in ("order", "favourites")}
    text = compact_file(lists)
    cap = len(text) * 5 // 4
    one_a_line = sum(len(f'    "{i}",\n') for ids in lists.values() for i in ids)
    assert one_a_line > cap
    monkeypatch.setattr(prefs_module, "MAX_BYTES", cap)
    write_file(paths, text)
    store.load()
    store.set_bell(False)
    assert store.save_error is None
    assert reloaded(paths) == Preferences(
        order=tuple(lists["order"]), favourites=tuple(lists["favourites"]), bell=False
    )


def test_preferences_too_large_to_read_back_keep_the_old_file_with_one_notice(
    store: PreferencesStore, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prefs_module, "MAX_BYTES", 20_000)
    store.load()
    store.set_theme("dusk")
    before = paths.preferences_file.read_bytes()
    many = tuple(f"routine-{n}" for n in range(2_000))
    assert store.update(lambda p: replace(p, favourites=many)).favourites == many
    store.set_bell(False)
    assert paths.preferences_file.read_bytes() == before, "the old file is kept"
    assert store.notices == [store.save_error]
    assert store.save_error is not None
    assert "larger than the 1 MiB calmfeet reads back" in store.save_error
    assert reloaded(paths).theme == "dusk"
    assert folder_listing(paths) == {"preferences.toml"}


def test_a_write_that_reads_back_differently_never_replaces_the_file(
    store: PreferencesStore, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.load()
    store.set_theme("dusk")
    before = paths.preferences_file.read_bytes()
    real_write = os.write

    def garbling_write(fd: int, data: bytes | memoryview) -> int:
        real_write(fd, bytes(data).replace(b"night", b"nigh\xff"))
        return len(data)

    monkeypatch.setattr(os, "write", garbling_write)
    assert store.set_theme("night").theme == "night"
    assert paths.preferences_file.read_bytes() == before
    assert store.save_error == (
        f"Preferences cannot be saved: {paths.preferences_file} did not read back; "
        "kept it as it was"
    )
    assert folder_listing(paths) == {"preferences.toml"}


def test_ids_with_quotes_backslashes_and_control_characters_round_trip(
    store: PreferencesStore, paths: Paths
) -> None:
    odd = ('say "hi"', "back\\slash", "tab\there", "new\nline", "del\x7f", "é ✓")
    store.load()
    store.update(lambda p: replace(p, order=odd, hidden=odd[:2]))
    assert store.save_error is None
    assert reloaded(paths) == Preferences(order=odd, hidden=odd[:2])


# --- loading stays linear ------------------------------------------------------------------


def load_seconds(paths: Paths, count: int) -> float:
    """The best of three loads of a file with `count` ids in its order."""
    write_file(paths, compact_file({"order": [f"routine-{n:05d}" for n in range(count)]}))
    best = float("inf")
    for _ in range(3):
        store = make_store(paths)
        started = time.perf_counter()
        prefs = store.load()
        best = min(best, time.perf_counter() - started)
        assert len(prefs.order) == count
    return best


def test_loading_four_times_the_ids_takes_about_four_times_as_long(paths: Paths) -> None:
    """Checking each id against a list made 70,000 ids take 47 s; quadratic would be 16x."""
    small, large = load_seconds(paths, 10_000), load_seconds(paths, 40_000)
    assert large / small < 8, f"{small:.3f} s for 10,000 ids, {large:.3f} s for 40,000"


# --- cautions -----------------------------------------------------------------------------


def test_a_caution_is_confirmed_for_its_text_not_just_its_id(
    store: PreferencesStore, paths: Paths
) -> None:
    write_file(paths, 'confirmed_cautions = ["stress-release"]\n')  # an older calmfeet's file
    prefs = store.load()
    assert not prefs.caution_confirmed("stress-release", "Not on broken skin.")
    prefs = store.confirm_caution("stress-release", "Not on broken skin.")
    assert prefs.caution_confirmed("stress-release", "Not on broken skin.")
    assert not prefs.caution_confirmed("stress-release", "Not when pregnant."), "edited"
    assert not prefs.caution_confirmed("quick-reset", "Not on broken skin."), "another routine"
    assert reloaded(paths).caution_confirmed("stress-release", "Not on broken skin.")


# --- sound ---------------------------------------------------------------------------------


def test_first_run_sound_is_soft_and_the_voice_is_off(store: PreferencesStore) -> None:
    """Many people find a voice distracting: it is asked for; the tones play, softly."""
    prefs = store.load()
    assert (prefs.sound, prefs.sound_muted, prefs.voice) == ("tones", False, False)
    assert 0 < prefs.sound_volume < 100


def test_every_sound_setting_is_saved_and_read_back(store: PreferencesStore, paths: Paths) -> None:
    store.load()
    store.set_sound("chimes")
    store.set_sound_muted(True)
    store.set_sound_setting("voice", True)
    store.set_sound_setting("voice_how", True)
    store.set_sound_setting("voice_phase_words", True)
    store.set_sound_setting("sound_ticks", True)
    store.set_sound_setting("sound_breath", False)
    store.set_sound_setting("sound_steps_volume", 140)  # clamped
    store.set_sound_setting("voice_volume", -5)
    store.set_sound_setting("sound_volume", 35)
    expected = Preferences(
        sound="chimes",
        sound_muted=True,
        voice=True,
        voice_how=True,
        voice_phase_words=True,
        sound_ticks=True,
        sound_breath=False,
        sound_steps_volume=100,
        voice_volume=0,
        sound_volume=35,
    )
    assert store.current == expected
    assert reloaded(paths) == expected
    text = paths.preferences_file.read_text()
    assert 'sound = "chimes"\n' in text and "sound_muted = true\n" in text
    with pytest.raises(ValueError, match="not a sound setting"):
        store.set_sound_setting(cast(Any, "bell"), True)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("sound_volume = 150", "line 2: sound_volume must be from 0 to 100, not 150"),
        (
            "voice_volume = 0.5",
            "line 2: voice_volume must be a whole number from 0 to 100, not a number (0.5)",
        ),
        ('sound = "loud"', 'line 2: sound must be "tones" or "chimes" or "off", not text'),
        ("sound_muted = 1", "line 2: sound_muted must be true or false, not a number (1)"),
    ],
)
def test_a_bad_sound_setting_is_named_by_line_and_key_and_the_rest_are_kept(
    store: PreferencesStore, paths: Paths, line: str, problem: str
) -> None:
    write_file(paths, f'theme = "dusk"\n{line}\nvoice = true\n')
    prefs = store.load()
    [notice] = store.notices
    assert problem in notice
    assert (prefs.theme, prefs.voice) == ("dusk", True)
