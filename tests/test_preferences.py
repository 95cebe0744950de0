"""Preferences survive restarts, bad files, full disks and two calmfeet at once."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import filelock
import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmfeet.core import preferences as prefs_module
from calmfeet.core.clock import FakeClock
from calmfeet.core.paths import Paths
from calmfeet.core.preferences import Preferences, PreferencesStore, to_toml

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
    store.toggle_favourite("a")
    store.toggle_hidden("c")
    store.set_last_routine("a")
    store.set_bell(False)
    store.set_reduced_motion(True)
    store.confirm_caution("a")
    store.confirm_caution("a")
    expected = Preferences(
        theme="dusk",
        order=("b", "a"),
        favourites=("a",),
        hidden=("c",),
        last_routine="a",
        bell=False,
        reduced_motion=True,
        confirmed_cautions=("a",),
    )
    assert store.current == expected
    assert reloaded(paths) == expected


def test_toggling_twice_removes_and_reset_order_clears(
    store: PreferencesStore, paths: Paths
) -> None:
    store.load()
    store.set_order(["b", "a"])
    store.toggle_favourite("a")
    store.toggle_favourite("a")
    store.toggle_hidden("a")
    store.toggle_hidden("a")
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
        store.toggle_favourite(name)
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
    assert not paths.preferences_file.exists()
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
    prefs = store.toggle_favourite("a")
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
    assert store.toggle_favourite("a") == replace(prefs, theme="night", favourites=("a",))
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
        assert "zz" in store.toggle_favourite("zz").favourites


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
    prefs = store.toggle_favourite("a")
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
    assert store.save_error == f"Preferences cannot be saved: disk full ({paths.config_dir})"
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
        store.toggle_favourite("a")
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
    result = second.toggle_favourite("sleep")
    assert result.theme == "night"  # second re-read the file before changing it
    assert reloaded(paths) == Preferences(theme="night", favourites=("sleep",))


def test_toggles_apply_to_the_file_not_to_a_stale_copy(paths: Paths) -> None:
    first, second = make_store(paths), make_store(paths)
    first.load()
    second.load()
    first.toggle_favourite("a")
    second.toggle_favourite("b")
    first.toggle_favourite("a")
    assert reloaded(paths).favourites == ("b",)
