"""A person's own version of a routine is written whole, checked first, and never half-saved."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from calmfeet.core.customise import (
    MARKER,
    CustomiseError,
    IdInUse,
    NothingToRestore,
    RestoreRefused,
    id_problem,
    is_own_copy,
    restore_original,
    save_own_copy,
    suggest_id,
)
from calmfeet.core.library import ENV_VAR, Library, load_library
from calmfeet.core.model import Routine, Step
from calmfeet.core.paths import Paths
from calmfeet.core.schema import SCHEMA_DIRECTIVE, SCHEMA_FILE_NAME


def test_own_copy_is_saved_whole_and_shadows_the_built_in(paths: Paths) -> None:
    original = load_library(paths, env={}).routines[0]
    saved = save_own_copy(paths, original, original.steps[:1])
    target = paths.routines_dir / f"{original.id}.toml"
    assert saved.source == target
    assert is_own_copy(target)
    names = sorted(entry.name for entry in paths.routines_dir.iterdir())
    assert names == sorted([target.name, SCHEMA_FILE_NAME])  # the schema its first line names
    assert target.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_DIRECTIVE
    reloaded = load_library(paths, env={}).get(original.id)
    assert reloaded is not None
    assert len(reloaded.steps) == 1
    assert reloaded.shadows == (original.source,)


def test_version_that_would_not_load_is_refused_and_nothing_is_left_behind(
    paths: Paths,
) -> None:
    original = load_library(paths, env={}).routines[0]
    too_long = replace(original.steps[0], title="x" * 200)  # more than a routine file allows
    with pytest.raises(CustomiseError, match="Could not save your version"):
        save_own_copy(paths, original, [too_long])
    assert list(paths.routines_dir.iterdir()) == []


def test_named_pipe_where_an_own_copy_would_be_is_not_taken_for_one(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    assert is_own_copy(fifo) is False


# --- calmfeet writes and removes only the versions it saved, in the person's folder -----------

HAND_WRITTEN = """\
name = "{name}"
breathing = "4-6"

[[steps]]
title = "Press the arch"
seconds = 30
foot = "left"
zone = "arch"
"""


def write(path: Path, name: str, *, marker: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"{MARKER} {name!r}.\n" if marker else ""
    path.write_text(header + HAND_WRITTEN.format(name=name), encoding="utf-8")
    return path


def loaded(library: Library, routine_id: str) -> Routine:
    routine = library.get(routine_id)
    assert routine is not None, library.problem_lines
    return routine


def longer(routine: Routine) -> list[Step]:
    """The routine's steps with the first 15 s longer: an edit a person makes with +."""
    first = routine.steps[0]
    return [replace(first, seconds=first.seconds + 15), *routine.steps[1:]]


@pytest.mark.parametrize("how", ["--routines", ENV_VAR])
def test_editing_a_shared_routine_never_overwrites_the_persons_file_with_its_id(
    paths: Paths, tmp_path: Path, how: str
) -> None:
    mine = write(paths.routines_dir / "x.toml", "Mine")
    before = mine.read_bytes()
    shared = write(tmp_path / "shared" / "x.toml", "Shared")
    extra = [shared.parent] if how == "--routines" else []
    env = {ENV_VAR: str(shared.parent)} if how == ENV_VAR else {}
    routine = loaded(load_library(paths, extra, env=env), "x")
    assert routine.source == shared

    with pytest.raises(IdInUse, match="x.toml") as taken:
        save_own_copy(paths, routine, longer(routine))
    assert taken.value.path == mine
    assert mine.read_bytes() == before
    assert sorted(p.name for p in paths.routines_dir.iterdir()) == ["x.toml"]


@pytest.mark.parametrize("how", ["--routines", ENV_VAR])
def test_a_version_of_a_shared_routine_that_would_be_hidden_next_time_needs_a_new_id(
    paths: Paths, tmp_path: Path, how: str
) -> None:
    """Shared folders are read after yours, so a same-id version in yours would vanish."""
    shared = write(tmp_path / "shared" / "y.toml", "Shared")
    extra = [shared.parent] if how == "--routines" else []
    env = {ENV_VAR: str(shared.parent)} if how == ENV_VAR else {}
    routine = loaded(load_library(paths, extra, env=env), "y")

    with pytest.raises(IdInUse, match="hidden next time") as taken:
        save_own_copy(paths, routine, longer(routine))
    assert taken.value.path == shared
    assert not paths.routines_dir.exists() or list(paths.routines_dir.iterdir()) == []

    saved = save_own_copy(paths, routine, longer(routine), new_id="y-2")
    again = loaded(load_library(paths, extra, env=env), "y-2")
    assert again.steps == saved.steps, "the version is there after a restart"


def test_a_version_under_a_new_id_is_a_routine_of_its_own(paths: Paths, tmp_path: Path) -> None:
    mine = write(paths.routines_dir / "x.toml", "Mine")
    before = mine.read_bytes()
    shared = write(tmp_path / "shared" / "x.toml", "Shared")
    library = load_library(paths, [shared.parent], env={})
    routine = loaded(library, "x")
    new_id = suggest_id(paths, "x", library.ids)
    assert new_id == "x-2"

    saved = save_own_copy(paths, routine, longer(routine), new_id=new_id)
    assert saved.id == "x-2"
    assert saved.source == paths.routines_dir / "x-2.toml"
    assert saved.shadows == (), "it shadows nothing: x is still the shared routine"
    assert is_own_copy(saved.source)
    assert mine.read_bytes() == before
    again = load_library(paths, [shared.parent], env={})
    assert loaded(again, "x").source == shared
    assert loaded(again, "x-2").steps[0].seconds == routine.steps[0].seconds + 15
    assert suggest_id(paths, "x", again.ids) == "x-3", "x-2 is taken now"


@pytest.mark.parametrize(
    ("new_id", "why"),
    [
        ("", "Type an id"),
        ("breathe", "calmfeet breathe"),
        ("x", "x.toml is already in your routines folder"),
        ("quick-reset", "quick-reset is already a routine's id"),
        (".hidden", "hidden file"),
        ("a/b", "cannot hold"),
        ("a\\b", "cannot hold"),
        (" x-2", "space"),
        ("é" * 200, "at most"),
    ],
)
def test_an_id_that_would_not_make_a_routine_of_its_own_is_refused(
    paths: Paths, new_id: str, why: str
) -> None:
    write(paths.routines_dir / "x.toml", "Mine")
    problem = id_problem(paths, new_id, ["x", "quick-reset"])
    assert problem is not None
    assert why in problem
    assert id_problem(paths, "x-2", ["x", "quick-reset"]) is None
    if new_id != "quick-reset":  # which ids are loaded only the picker knows; it asks first
        original = loaded(load_library(paths, env={}), "x")
        with pytest.raises(CustomiseError):
            save_own_copy(paths, original, original.steps, new_id=new_id or "x")
    assert sorted(p.name for p in paths.routines_dir.iterdir()) == ["x.toml"]


def test_o_removes_a_version_only_while_its_original_loads(paths: Paths) -> None:
    """A version of a routine from a folder no longer given is the only copy left: it stays."""
    orphan = write(paths.routines_dir / "gone.toml", "Gone", marker=True)
    routine = loaded(load_library(paths, env={}), "gone")
    with pytest.raises(RestoreRefused, match="is loaded under the id gone") as refused:
        restore_original(paths, routine)
    assert str(orphan) in str(refused.value)
    assert orphan.exists()

    builtin = load_library(paths, env={}).routines[0]
    save_own_copy(paths, builtin, builtin.steps[:1])
    version = loaded(load_library(paths, env={}), builtin.id)
    original = restore_original(paths, version)
    assert original.steps == builtin.steps
    assert not version.source.exists()
    with pytest.raises(NothingToRestore, match=f"{builtin.source.name} is already the original"):
        restore_original(paths, original)


def test_o_leaves_a_marked_file_outside_the_routines_folder_alone(
    paths: Paths, tmp_path: Path
) -> None:
    elsewhere = write(tmp_path / "shared" / "quick-reset.toml", "Marked", marker=True)
    routine = loaded(load_library(paths, [elsewhere.parent], env={}), "quick-reset")
    assert routine.shadows, "it shadows the built-in, which would load"
    with pytest.raises(RestoreRefused, match="not in your routines folder"):
        restore_original(paths, routine)
    assert elsewhere.exists()


def test_a_version_that_is_a_link_is_written_through_it_and_o_removes_only_the_link(
    paths: Paths, tmp_path: Path
) -> None:
    builtin = load_library(paths, env={}).get("quick-reset")
    assert builtin is not None
    saved = save_own_copy(paths, builtin, builtin.steps[:1])
    kept = tmp_path / "dotfiles" / "quick-reset.toml"
    kept.parent.mkdir()
    saved.source.rename(kept)
    link = paths.routines_dir / "quick-reset.toml"
    link.symlink_to(kept)

    version = loaded(load_library(paths, env={}), "quick-reset")
    save_own_copy(paths, version, longer(version))
    assert link.is_symlink() and link.resolve() == kept.resolve()
    assert loaded(load_library(paths, env={}), "quick-reset").steps[0].seconds == (
        builtin.steps[0].seconds + 15
    )
    assert [p.name for p in kept.parent.iterdir()] == ["quick-reset.toml"], "no temp file left"

    restore_original(paths, loaded(load_library(paths, env={}), "quick-reset"))
    assert not link.is_symlink() and not link.exists()
    assert is_own_copy(kept), "the file the link pointed to stays where the person put it"


def test_a_link_to_a_hand_written_file_is_never_replaced_by_a_copy(
    paths: Paths, tmp_path: Path
) -> None:
    kept = write(tmp_path / "dotfiles" / "x.toml", "Mine")
    before = kept.read_bytes()
    paths.routines_dir.mkdir(parents=True)
    link = paths.routines_dir / "x.toml"
    link.symlink_to(kept)
    routine = loaded(load_library(paths, env={}), "x")
    with pytest.raises(IdInUse):
        save_own_copy(paths, routine, longer(routine))
    assert link.is_symlink() and link.resolve() == kept.resolve()
    assert kept.read_bytes() == before
