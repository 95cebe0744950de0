"""Where routines come from, which one wins when two share an id, and the order they are listed."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest

from calmfeet.cli import main
from calmfeet.core import library as library_module
from calmfeet.core.library import (
    ENV_VAR,
    Library,
    count_own_files,
    load_library,
    routine_sources,
    shadowed_routine,
)
from calmfeet.core.model import Routine
from calmfeet.core.paths import Paths, builtin_routines_dir
from calmfeet.core.routines import load_routine

BUILTIN_IDS = [p.stem for p in sorted(builtin_routines_dir().glob("*.toml"), key=lambda p: p.name)]


def write_routine(folder: Path, routine_id: str, name: str, *, mirror: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{routine_id}.toml"
    path.write_text(
        f'name = "{name}"\n'
        'focus = ["sleep"]\n'
        "\n[[steps]]\n"
        'title = "Hold the heel"\n'
        "seconds = 30\n"
        'foot = "left"\n'
        'zone = "heel"\n'
        f"mirror = {'true' if mirror else 'false'}\n"
        "\n[[steps]]\n"
        'title = "Rest"\n'
        "seconds = 15\n"
        'foot = "both"\n'
        'zone = "whole"\n',
        encoding="utf-8",
    )
    return path


def list_text(paths: Paths, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert main(["list", *args], paths=paths) == 0
    return capsys.readouterr().out.splitlines()


def test_builtins_alone_in_file_name_order(paths: Paths) -> None:
    library = load_library(paths, env={})
    assert library.ids == BUILTIN_IDS
    assert len(library.ids) == 9
    assert library.failures == []
    assert all(r.builtin and not r.shadows for r in library.routines)


def test_user_routines_follow_builtins_sorted_by_name(paths: Paths) -> None:
    """Sorted by the name a person reads (ignoring case), not by file name."""
    write_routine(paths.routines_dir, "a-last", "Zen Toes")
    write_routine(paths.routines_dir, "z-first", "arch Angels")
    write_routine(paths.routines_dir, "m-middle", "Morning Feet")
    library = load_library(paths, env={})
    assert library.ids == [*BUILTIN_IDS, "z-first", "m-middle", "a-last"]
    assert not any(r.builtin for r in library.routines[len(BUILTIN_IDS) :])


def test_sources_in_precedence_order(paths: Paths, tmp_path: Path) -> None:
    env = {ENV_VAR: os.pathsep.join([str(tmp_path / "e1"), "", str(tmp_path / "e2")])}
    sources = routine_sources(paths, [tmp_path / "cli"], env)
    assert [(s.kind, s.folder) for s in sources] == [
        ("built-in", builtin_routines_dir()),
        ("user", paths.routines_dir),
        (ENV_VAR, tmp_path / "e1"),
        (ENV_VAR, tmp_path / "e2"),
        ("--routines", tmp_path / "cli"),
    ]


def test_user_folder_shadows_builtin_in_place(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    """Your own copy of a built-in replaces it where it stood, and `list` says what it hides."""
    target = BUILTIN_IDS[2]
    write_routine(paths.routines_dir, target, "My Own Version")
    library = load_library(paths, env={})
    assert library.ids == BUILTIN_IDS
    mine = library.routines[2]
    assert mine.name == "My Own Version"
    assert not mine.builtin
    assert mine.source == paths.routines_dir / f"{target}.toml"
    assert mine.shadows == (builtin_routines_dir() / f"{target}.toml",)

    lines = list_text(paths, capsys)
    assert lines[2].startswith(target)
    assert "My Own Version" in lines[2]
    assert f"shadows {builtin_routines_dir() / f'{target}.toml'}" in lines[2]
    assert sum("shadows" in line for line in lines) == 1


def test_routines_option_shadows_user_folder(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = write_routine(paths.routines_dir, "evening", "Evening (user)")
    extra = write_routine(tmp_path / "extra", "evening", "Evening (extra)")
    library = load_library(paths, [tmp_path / "extra"], env={})
    evening = library.get("evening")
    assert evening is not None
    assert evening.name == "Evening (extra)"
    assert evening.source == extra
    assert evening.shadows == (user,)
    assert library.ids.count("evening") == 1

    [line] = [
        x for x in list_text(paths, capsys, "--routines", str(tmp_path / "extra")) if "Evening" in x
    ]
    assert "Evening (extra)" in line
    assert f"shadows {user}" in line


def test_shadows_chain_builtin_user_env_option(paths: Paths, tmp_path: Path) -> None:
    """Every layer that was hidden is remembered, lowest first."""
    target = BUILTIN_IDS[0]
    user = write_routine(paths.routines_dir, target, "User")
    env_file = write_routine(tmp_path / "env", target, "Env")
    cli_file = write_routine(tmp_path / "cli", target, "Option")
    library = load_library(paths, [tmp_path / "cli"], env={ENV_VAR: str(tmp_path / "env")})
    winner = library.routines[0]
    assert winner.name == "Option"
    assert winner.source == cli_file
    assert winner.shadows == (builtin_routines_dir() / f"{target}.toml", user, env_file)


def test_env_path_list(
    paths: Paths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """CALMFEET_ROUTINES holds several folders, separated like PATH."""
    write_routine(tmp_path / "one", "from-one", "From One")
    write_routine(tmp_path / "two", "from-two", "From Two")
    value = os.pathsep.join([str(tmp_path / "one"), str(tmp_path / "two")])
    library = load_library(paths, env={ENV_VAR: value})
    assert library.ids == [*BUILTIN_IDS, "from-one", "from-two"]

    monkeypatch.setenv(ENV_VAR, value)
    lines = list_text(paths, capsys)
    assert [line.split()[0] for line in lines[len(BUILTIN_IDS) :]] == ["from-one", "from-two"]


def test_env_later_folder_shadows_earlier(paths: Paths, tmp_path: Path) -> None:
    first = write_routine(tmp_path / "one", "same", "First")
    write_routine(tmp_path / "two", "same", "Second")
    value = os.pathsep.join([str(tmp_path / "one"), str(tmp_path / "two")])
    same = load_library(paths, env={ENV_VAR: value}).get("same")
    assert same is not None
    assert same.name == "Second"
    assert same.shadows == (first,)


def test_missing_routines_folder_reported(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere"
    library = load_library(paths, [missing], env={})
    assert library.ids == BUILTIN_IDS
    assert library.problem_lines == [f"{missing}:1: folder: not found (from --routines)"]

    assert main(["list", "--routines", str(missing)], paths=paths) == 0
    captured = capsys.readouterr()
    assert captured.err == f"{missing}:1: folder: not found (from --routines)\n"
    assert len(captured.out.splitlines()) == len(BUILTIN_IDS)


def test_missing_env_folder_reported(paths: Paths, tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    library = load_library(paths, env={ENV_VAR: str(missing)})
    assert library.problem_lines == [f"{missing}:1: folder: not found (from {ENV_VAR})"]


def test_missing_user_folder_is_normal(paths: Paths) -> None:
    """A person who never made their own routines sees no complaint about it."""
    assert not paths.routines_dir.exists()
    assert load_library(paths, env={}).failures == []


def test_single_file_given_as_routines(paths: Paths, tmp_path: Path) -> None:
    single = write_routine(tmp_path / "loose", "loose", "Loose File")
    library = load_library(paths, [single], env={})
    assert library.ids[-1] == "loose"
    assert library.failures == []


def test_one_bad_file_never_hides_good_ones(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    write_routine(paths.routines_dir, "good-a", "Good A")
    (paths.routines_dir / "broken.toml").write_text('name = "Broken"\nsteps = 3\n')
    write_routine(paths.routines_dir, "good-b", "Good B")
    (paths.routines_dir / "notes.txt").write_text("not a routine, not looked at")
    library = load_library(paths, env={})
    assert library.ids == [*BUILTIN_IDS, "good-a", "good-b"]
    broken = paths.routines_dir / "broken.toml"
    assert library.problem_lines == [
        f"{broken}:2: steps: must be [[steps]] tables, each with a title and a length "
        "(seconds, duration or breaths)"
    ]

    assert main(["list"], paths=paths) == 0
    captured = capsys.readouterr()
    listed = [line.split()[0] for line in captured.out.splitlines()]
    assert listed[len(BUILTIN_IDS) :] == ["good-a", "good-b"]
    assert f"{broken}:2: steps:" in captured.err


def test_broken_copy_of_builtin_leaves_builtin_in_place(paths: Paths) -> None:
    """A broken file with a built-in's id is reported, and the built-in is still there."""
    target = BUILTIN_IDS[1]
    (paths.routines_dir).mkdir(parents=True)
    (paths.routines_dir / f"{target}.toml").write_text("name = ")
    library = load_library(paths, env={})
    assert library.ids == BUILTIN_IDS
    assert library.routines[1].builtin
    assert [f.path.name for f in library.failures] == [f"{target}.toml"]


def test_mirrored_steps_count_as_two(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    """A mirrored step is done on each foot, so it counts twice in Step N of M and in the time."""
    write_routine(paths.routines_dir, "mirrored", "Mirrored", mirror=True)
    write_routine(paths.routines_dir, "plain", "Plain", mirror=False)
    library = load_library(paths, env={})
    mirrored, plain = library.get("mirrored"), library.get("plain")
    assert mirrored is not None and plain is not None
    assert len(mirrored.steps) == 3
    assert len(plain.steps) == 2
    assert [(s.foot, s.mirror_of) for s in mirrored.steps] == [
        ("left", None),
        ("right", 0),
        ("both", None),
    ]
    assert mirrored.total_seconds == 75
    assert plain.total_seconds == 45

    assert main(["list", "--json"], paths=paths) == 0
    listed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    steps = listed["mirrored"]["steps"]
    assert [(s["title"], s["foot"]) for s in steps] == [
        ("Hold the heel", "left"),
        ("Hold the heel", "right"),
        ("Rest", "both"),
    ]
    assert listed["mirrored"]["seconds"] == 75

    lines = list_text(paths, capsys)
    [line] = [x for x in lines if x.startswith("mirrored ")]
    assert " 3 steps" in line


def test_mirror_starting_on_right_goes_right_then_left(paths: Paths) -> None:
    path = write_routine(paths.routines_dir, "right-first", "Right First", mirror=True)
    path.write_text(path.read_text().replace('foot = "left"', 'foot = "right"'))
    routine = load_library(paths, env={}).get("right-first")
    assert routine is not None
    assert [s.foot for s in routine.steps] == ["right", "left", "both"]


def test_builtin_mirrored_steps_in_json(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    """Every built-in mirrored step appears as left then right, back to back, in `list --json`."""
    assert main(["list", "--json"], paths=paths) == 0
    routines = json.loads(capsys.readouterr().out)
    library = load_library(paths, env={})
    mirrored_pairs = 0
    for entry in routines:
        routine = library.get(entry["id"])
        assert routine is not None
        assert len(entry["steps"]) == len(routine.steps)
        for index, step in enumerate(routine.steps):
            if step.mirror_of is not None:
                before = entry["steps"][index - 1]
                assert (before["foot"], entry["steps"][index]["foot"]) == ("left", "right")
                assert before["title"] == entry["steps"][index]["title"]
                mirrored_pairs += 1
    assert mirrored_pairs > 0


# --- changing one routine without reading every file again ------------------------------------


def test_replace_leaves_the_others_in_place(paths: Paths) -> None:
    library = load_library(paths, env={})
    target = library.routines[3]
    renamed = dataclasses.replace(target, name="Renamed")
    changed = library.replace(renamed)
    assert changed.ids == library.ids
    assert changed.routines[3].name == "Renamed"
    assert library.routines[3].name == target.name, "the old library is left as it was"
    added = library.replace(dataclasses.replace(target, id="brand-new"))
    assert added.ids == [*library.ids, "brand-new"], "a new id comes last"
    assert library.get(target.id) is target


def test_restoring_a_builtin_reads_only_the_builtin_file(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The person's version goes; the built-in comes back with its steps, read from one file."""
    target = BUILTIN_IDS[1]
    write_routine(paths.routines_dir, target, "My Own Version")
    library = load_library(paths, env={})
    mine = library.routines[1]
    assert mine.name == "My Own Version"

    read: list[Path] = []

    def counting_load_routine(path: Path, *args: Any, **kwargs: Any) -> Routine:
        read.append(path)
        return load_routine(path, *args, **kwargs)

    def no_full_reload(*args: object, **kwargs: object) -> Library:
        raise AssertionError("restoring one routine must not reload the library")

    monkeypatch.setattr(library_module, "load_library", no_full_reload)
    monkeypatch.setattr(library_module, "load_routine", counting_load_routine)
    original = shadowed_routine(mine)

    builtin_file = builtin_routines_dir() / f"{target}.toml"
    assert read == [builtin_file]
    assert original is not None
    assert original.builtin
    assert original.source == builtin_file
    assert original.shadows == ()
    assert original == load_routine(builtin_file, builtin_file.name, builtin=True)
    assert library.replace(original).ids == library.ids, "it comes back where it stood"


def test_restoring_one_layer_keeps_the_layers_below_it(paths: Paths, tmp_path: Path) -> None:
    """A routine shadowing two files: the nearer one shows again, still shadowing the built-in."""
    target = BUILTIN_IDS[0]
    user = write_routine(paths.routines_dir, target, "User")
    write_routine(tmp_path / "cli", target, "Option")
    library = load_library(paths, [tmp_path / "cli"], env={})
    restored = shadowed_routine(library.routines[0])
    assert restored is not None
    assert restored.name == "User"
    assert restored.source == user
    assert not restored.builtin
    assert restored.shadows == (builtin_routines_dir() / f"{target}.toml",)
    assert restored == load_library(paths, env={}).routines[0], "as a fresh load would give"


def test_restoring_skips_a_shadowed_file_that_no_longer_loads(paths: Paths, tmp_path: Path) -> None:
    target = BUILTIN_IDS[0]
    user = write_routine(paths.routines_dir, target, "User")
    write_routine(tmp_path / "cli", target, "Option")
    library = load_library(paths, [tmp_path / "cli"], env={})
    user.write_text("this is not TOML [", encoding="utf-8")
    restored = shadowed_routine(library.routines[0])
    assert restored is not None
    assert restored.builtin
    assert restored.shadows == ()


def test_a_routine_that_shadows_nothing_has_no_original(paths: Paths, tmp_path: Path) -> None:
    write_routine(tmp_path / "cli", "only-mine", "Only Mine")
    mine = load_library(paths, [tmp_path / "cli"], env={}).get("only-mine")
    assert mine is not None
    assert shadowed_routine(mine) is None


# --- what counts as a routine file ---------------------------------------------------------

ONE_STEP = (
    'name = "{name}"\nbreathing = "calm"\n'
    '[[steps]]\ntitle = "Rub"\nseconds = 30\nfoot = "left"\nzone = "arch"\n'
)


def test_dotfiles_are_not_routines(paths: Paths, tmp_path: Path) -> None:
    """An editor's hidden swap or backup copy is not a second routine (or a broken one)."""
    folder = tmp_path / "dots"
    folder.mkdir()
    good = ONE_STEP.format(name="Real")
    (folder / "real.toml").write_text(good, encoding="utf-8")
    (folder / ".real.toml").write_text("not = [toml", encoding="utf-8")
    library = load_library(paths, [folder], env={})
    assert "real" in library.ids
    assert library.failures == []
    assert count_own_files(paths, [folder], env={}) == 1


def test_a_folder_given_twice_does_not_shadow_itself(paths: Paths, tmp_path: Path) -> None:
    folder = tmp_path / "twice"
    folder.mkdir()
    good = ONE_STEP.format(name="Mine")
    (folder / "mine.toml").write_text(good, encoding="utf-8")
    library = load_library(
        paths, [folder, tmp_path / "twice" / ".." / "twice"], env={ENV_VAR: str(folder)}
    )
    mine = library.get("mine")
    assert mine is not None
    assert mine.shadows == ()


def test_a_routine_file_named_breathe_is_refused_with_a_reason(
    paths: Paths, tmp_path: Path
) -> None:
    """`breathe` is the id breathing-only sessions are kept under in the history."""
    folder = tmp_path / "clash"
    folder.mkdir()
    good = ONE_STEP.format(name="Breathe")
    (folder / "breathe.toml").write_text(good, encoding="utf-8")
    library = load_library(paths, [folder], env={})
    assert "breathe" not in library.ids
    assert [line.split(": ", 1)[1] for line in library.problem_lines] == [
        "file: the name breathe.toml is kept for `calmfeet breathe`; rename the file"
    ]
