"""The `calmfeet` command's scriptable side: list, validate, paths, version and help."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calmfeet.cli import main
from calmfeet.core.library import ENV_VAR
from calmfeet.core.model import FEET, FOCUS_TAGS, ZONES
from calmfeet.core.paths import Paths, builtin_routines_dir
from calmfeet.core.routines import (
    STEP_KEYS,
    TOP_KEYS,
    RoutineFileError,
    load_routine,
    parse_routine,
)

BUILTINS = sorted(builtin_routines_dir().glob("*.toml"), key=lambda p: p.name)
OK_LINE = re.compile(
    r"^OK (?P<file>.+): (?P<name>.+) \((?P<steps>\d+) steps?, (?P<clock>\d+:\d\d)\)$"
)
GOOD = """\
name = "Evening Feet"
summary = "Two quick steps."
focus = ["sleep"]

[[steps]]
title = "Warm the soles"
seconds = 45
foot = "both"
zone = "whole"

[[steps]]
title = "Press the arch"
duration = "1m30s"
foot = "left"
zone = "arch"
mirror = true
"""


def run(paths: Paths, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), paths=paths)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---- list


def test_list_text(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(paths, capsys, "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [p.stem for p in BUILTINS]
    for line in lines:
        assert re.search(r"\s\d+ min\s+\d+ steps\s", line), line
        assert "shadows" not in line
    # Columns line up, so the list reads as a table.
    assert len({line.index(" min") for line in lines}) == 1


def test_list_empty_text(
    paths: Paths,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr("calmfeet.core.library.builtin_routines_dir", lambda: tmp_path / "none")
    assert run(paths, capsys, "list") == (0, "No routines found.\n", "")
    assert run(paths, capsys, "list", "--json") == (0, "[]\n", "")


def test_list_json(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(paths, capsys, "list", "--json")
    assert (code, err) == (0, "")
    routines = json.loads(out)
    assert [r["id"] for r in routines] == [p.stem for p in BUILTINS]
    for routine in routines:
        assert {"id", "name", "summary", "focus", "seconds", "breathing", "source", "steps"} <= set(
            routine
        )
        assert isinstance(routine["name"], str) and routine["name"]
        assert isinstance(routine["summary"], str)
        assert set(routine["focus"]) <= set(FOCUS_TAGS)
        assert Path(routine["source"]) == builtin_routines_dir() / f"{routine['id']}.toml"
        assert routine["steps"]
        for step in routine["steps"]:
            assert {"title", "seconds", "foot", "zone"} <= set(step)
            assert step["foot"] in FEET
            assert step["zone"] in ZONES
            assert step["seconds"] > 0
        assert routine["seconds"] == pytest.approx(sum(s["seconds"] for s in routine["steps"]))


def test_list_json_of_own_routine(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "evening.toml").write_text(GOOD, encoding="utf-8")
    code, out, _ = run(paths, capsys, "list", "--json", "--routines", str(folder))
    assert code == 0
    evening = json.loads(out)[-1]
    assert evening["id"] == "evening"
    assert evening["name"] == "Evening Feet"
    assert evening["focus"] == ["sleep"]
    assert evening["breathing"] == "resonance"
    assert evening["seconds"] == 225
    assert evening["source"] == str(folder / "evening.toml")
    assert [(s["title"], s["seconds"], s["foot"], s["zone"]) for s in evening["steps"]] == [
        ("Warm the soles", 45, "both", "whole"),
        ("Press the arch", 90, "left", "arch"),
        ("Press the arch", 90, "right", "arch"),
    ]
    assert evening["needs"] == []
    assert [s["halfway"] for s in evening["steps"]] == ["", "", ""]


def test_list_json_carries_needs_and_halfway(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "props"
    folder.mkdir()
    (folder / "ball.toml").write_text(
        'name = "Ball"\nbreathing = "calm"\nneeds = ["tennis ball"]\n'
        '[[steps]]\ntitle = "Roll"\nseconds = 60\nfoot = "left"\nzone = "arch"\n'
        'halfway = "Change direction"\n',
        encoding="utf-8",
    )
    code, out, _ = run(paths, capsys, "list", "--json", "--routines", str(folder))
    assert code == 0
    ball = json.loads(out)[-1]
    assert ball["needs"] == ["tennis ball"]
    assert ball["steps"][0]["halfway"] == "Change direction"


def test_routines_option_before_command(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "evening.toml").write_text(GOOD, encoding="utf-8")
    code, out, _ = run(paths, capsys, "--routines", str(folder), "list")
    assert code == 0
    assert out.splitlines()[-1].startswith("evening ")


# ---- validate


@pytest.mark.parametrize("path", BUILTINS, ids=lambda p: p.stem)
def test_every_builtin_validates(
    path: Path, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(paths, capsys, "validate", str(path))
    assert (code, err) == (0, "")
    match = OK_LINE.match(out.rstrip("\n"))
    assert match, out
    routine = load_routine(path)
    assert match["file"] == str(path)
    assert match["name"] == routine.name
    assert int(match["steps"]) == len(routine.steps)


def test_validate_ok_line_format(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "evening.toml"
    good.write_text(GOOD, encoding="utf-8")
    assert run(paths, capsys, "validate", str(good)) == (
        0,
        f"OK {good}: Evening Feet (3 steps, 3:45)\n",
        "",
    )
    one = tmp_path / "one.toml"
    one.write_text(GOOD.split('\n\n[[steps]]\ntitle = "Press')[0] + "\n", encoding="utf-8")
    assert run(paths, capsys, "validate", str(one)) == (
        0,
        f"OK {one}: Evening Feet (1 step, 0:45)\n",
        "",
    )


def test_validate_folder(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(paths, capsys, "validate", str(builtin_routines_dir()))
    assert code == 0
    assert [OK_LINE.match(line) is not None for line in out.splitlines()] == [True] * len(BUILTINS)


def test_validate_mixed_exit_1_and_every_file_reported(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('zone = "arch"', 'zone = "heal"'), encoding="utf-8")
    code, out, err = run(paths, capsys, "validate", str(bad), str(good))
    assert code == 1
    assert err == ""
    assert out.splitlines() == [
        f"{bad}:15: steps[2].zone: must be one of {', '.join(ZONES)}, got 'heal'; "
        "did you mean 'heel'?",
        f"OK {good}: Evening Feet (3 steps, 3:45)",
    ]


def test_validate_missing_path_is_usage_error(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.toml"
    assert run(paths, capsys, "validate", str(missing)) == (
        2,
        "",
        f"calmfeet: {missing}: no such file or folder\n",
    )


def test_validate_empty_folder_is_usage_error(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(paths, capsys, "validate", str(empty)) == (
        2,
        "",
        f"calmfeet: {empty}: no .toml files in this folder\n",
    )


def test_validate_without_paths_is_usage_error(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate"], paths=paths) == 2
    assert "the following arguments are required: PATH" in capsys.readouterr().err


def test_unknown_command_is_usage_error(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"], paths=paths) == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


# ---- paths, version, help


def test_paths_four_lines(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(paths, capsys, "paths")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"routines:     {paths.routines_dir}",
        f"preferences:  {paths.preferences_file}",
        f"themes:       {paths.themes_dir}",
        f"history:      {paths.history_db}",
    ]


def test_paths_mentions_env_folders(
    paths: Paths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, "/srv/routines")
    _, out, _ = run(paths, capsys, "paths")
    assert out.splitlines()[4] == f"also from:    /srv/routines ({ENV_VAR})"


def test_paths_never_creates_anything(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    run(paths, capsys, "paths")
    run(paths, capsys, "list")
    assert not paths.routines_dir.exists()


def test_version(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    from calmfeet import __version__

    assert main(["--version"], paths=paths) == 0
    assert capsys.readouterr().out == f"calmfeet {__version__}\n"


def test_help_lists_every_command(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"], paths=paths) == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^    (\w+)\s", out, flags=re.MULTILINE)
    assert listed == [
        "list",
        "validate",
        "paths",
        "points",
        "new",
        "run",
        "breathe",
        "audio",
        "themes",
        "history",
        "schema",
        "serve",
        "completion",
    ]


@pytest.mark.parametrize(
    "command", ["list", "validate", "paths", "run", "breathe", "audio", "history"]
)
def test_each_command_has_help(
    command: str, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--help"], paths=paths) == 0
    assert capsys.readouterr().out.startswith(f"usage: calmfeet {command}")


# ---- fuzz: nothing but RoutineFileError ever comes out of the loader

_scalars = st.one_of(
    st.text(max_size=20),
    st.sampled_from([*FEET, *ZONES, *FOCUS_TAGS, "1m30s", "4-6", "calm", "box", ""]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.times(),
    st.datetimes(timezones=st.one_of(st.none(), st.just(dt.timezone.utc))),
)
_values = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=4),
    ),
    max_leaves=12,
)
_step = st.dictionaries(
    st.one_of(st.sampled_from(STEP_KEYS), st.text(min_size=1, max_size=8)), _values, max_size=10
)
_routine = st.dictionaries(
    st.one_of(st.sampled_from(TOP_KEYS), st.text(min_size=1, max_size=10)),
    _values,
    max_size=8,
).flatmap(
    lambda top: st.one_of(
        st.just(top),
        st.lists(_step, max_size=4).map(lambda steps: {**top, "steps": steps}),
    )
)


def _parses_or_explains(text: str) -> None:
    try:
        routine = parse_routine(text, "fuzz", "fuzz.toml", Path("fuzz.toml"))
    except RoutineFileError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file == "fuzz.toml"
            assert problem.line >= 1
            assert "\n" not in str(problem)
        return
    assert routine.name
    assert routine.steps
    assert all(0 < step.seconds <= 3600 for step in routine.steps)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(_routine)
def test_random_toml_only_raises_routine_file_error(data: dict[str, object]) -> None:
    _parses_or_explains(tomli_w.dumps(data))


@given(st.text())
def test_random_text_only_raises_routine_file_error(text: str) -> None:
    _parses_or_explains(text)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000))
def test_random_bytes_only_raise_routine_file_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    try:
        load_routine(path, "fuzz.toml")
    except RoutineFileError as error:
        assert [p.file for p in error.problems] == ["fuzz.toml"] * len(error.problems)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(st.binary(max_size=500))
def test_validate_random_bytes_never_tracebacks(
    tmp_path: Path, paths: Paths, capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    code = main(["validate", str(path)], paths=paths)
    captured = capsys.readouterr()
    assert code in (0, 1)
    assert captured.err == ""
    assert "Traceback" not in captured.out
    assert all(line.startswith((f"{path}:", f"OK {path}:")) for line in captured.out.splitlines())
