"""A person's own version of a routine is written whole, checked first, and never half-saved."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from calmfeet.core.customise import CustomiseError, is_own_copy, save_own_copy
from calmfeet.core.library import load_library
from calmfeet.core.paths import Paths


def test_own_copy_is_saved_whole_and_shadows_the_built_in(paths: Paths) -> None:
    original = load_library(paths, env={}).routines[0]
    saved = save_own_copy(paths, original, original.steps[:1])
    target = paths.routines_dir / f"{original.id}.toml"
    assert saved.source == target
    assert is_own_copy(target)
    assert [entry.name for entry in paths.routines_dir.iterdir()] == [target.name]
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
