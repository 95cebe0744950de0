"""The routine JSON Schema: generated from the validator's own declaration, and never stricter.

Every built-in routine passes it; on the whole bad-input corpus, and on documents Hypothesis
makes up, every file the schema refuses `calmfeet validate` refuses too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import tomli
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from calmfeet.cli import main
from calmfeet.core.customise import is_own_copy, save_own_copy
from calmfeet.core.library import load_library
from calmfeet.core.paths import Paths, builtin_routines_dir
from calmfeet.core.points import POINT_IDS
from calmfeet.core.routine_format import ROUTINE_FIELDS, STEP_FIELDS
from calmfeet.core.routines import RoutineFileError, parse_routine, read_routine_text
from calmfeet.core.schema import SCHEMA_DIRECTIVE, SCHEMA_FILE_NAME, routine_schema, schema_text

CORPUS = Path(__file__).parent / "corpus"
SHIPPED = Path(__file__).resolve().parent.parent / "calmfeet" / "routine.schema.json"
VALIDATOR = Draft7Validator(routine_schema())
TAPLO = shutil.which("taplo")


def schema_accepts(document: object) -> bool:
    return VALIDATOR.is_valid(document)


def validator_accepts(text: str) -> bool:
    try:
        parse_routine(text, "case", "case.toml", Path("case.toml"))
    except RoutineFileError:
        return False
    return True


def test_the_schema_is_a_valid_draft_7_schema() -> None:
    Draft7Validator.check_schema(routine_schema())


def test_the_shipped_file_is_the_generated_schema() -> None:
    """Regenerate with `python3 -m calmfeet schema > calmfeet/routine.schema.json`."""
    assert SHIPPED.read_text(encoding="utf-8") == schema_text()


def test_calmfeet_schema_prints_it(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"], paths=paths) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == routine_schema()
    assert printed == schema_text()


def test_the_schema_knows_every_declared_key() -> None:
    schema: dict[str, Any] = routine_schema()
    assert list(schema["properties"]) == list(ROUTINE_FIELDS)
    step = schema["definitions"]["step"]
    assert list(step["properties"]) == list(STEP_FIELDS)
    assert schema["required"] == ["name", "steps"]
    assert step["required"] == ["title"]  # foot and zone have defaults
    assert step["properties"]["point"]["enum"] == list(POINT_IDS)


@pytest.mark.parametrize(
    "path", sorted(builtin_routines_dir().glob("*.toml")), ids=lambda p: p.stem
)
def test_every_builtin_routine_passes_the_schema(path: Path) -> None:
    document = tomli.loads(path.read_text(encoding="utf-8"))
    errors = [error.message for error in VALIDATOR.iter_errors(document)]
    assert errors == []


def corpus_documents() -> list[Path]:
    return sorted(CORPUS.glob("*.toml"))


def toml_documents() -> list[Path]:
    """The corpus files that are TOML at all: an editor's schema never sees the others."""
    kept = []
    for path in corpus_documents():
        try:
            tomli.loads(read_routine_text(path))
        except (RoutineFileError, tomli.TOMLDecodeError, RecursionError, ValueError):
            continue
        kept.append(path)
    return kept


@pytest.mark.parametrize("path", toml_documents(), ids=lambda p: p.stem)
def test_what_the_schema_refuses_validate_refuses_too(
    path: Path, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    document = tomli.loads(read_routine_text(path))
    exit_code = main(["validate", str(path)], paths=paths)
    capsys.readouterr()
    if not schema_accepts(document):
        assert exit_code != 0, f"the schema refuses {path.name} but validate accepts it"
    if exit_code == 0:
        assert schema_accepts(document), f"validate accepts {path.name}, the schema does not"


def test_the_corpus_has_files_the_schema_refuses() -> None:
    """Not a vacuous agreement: most broken files are caught by the schema too."""
    refused = 0
    for path in corpus_documents():
        try:
            document = tomli.loads(read_routine_text(path))
        except (RoutineFileError, tomli.TOMLDecodeError, RecursionError, ValueError):
            continue
        refused += not schema_accepts(document)
    assert refused >= 20


TEXTS = st.one_of(
    st.sampled_from(["", "  ", "Thumb walk", "x" * 40, " " + "x" * 80 + " ", "x" * 81]),
    st.text(max_size=50),
)
SCALARS = st.one_of(
    TEXTS,
    st.integers(min_value=-5, max_value=5000),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-10, max_value=5000),
    st.booleans(),
    st.sampled_from(["both", "left", "right", "arch", "whole", "stress", "box", "BOX", "4-6"]),
    st.sampled_from(["4-2-6", " 4 - 6 ", "1m30s", "90 S", "2m", "0s", "61m", "1x", "4-7-8"]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=9),
    st.fixed_dictionaries(
        {},
        optional={
            "inhale": st.one_of(st.integers(-1, 40), st.booleans()),
            "exhale": st.integers(-1, 40),
            "hold": st.integers(-1, 40),
            "hold_after": st.integers(-1, 40),
            "pause": st.just(1),
        },
    ),
)


def keyed(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from([*fields, "extra"]), VALUES, max_size=len(fields) + 1)


STEPS = st.lists(keyed(list(STEP_FIELDS)), max_size=3)
DOCUMENTS = st.builds(
    lambda top, steps: {**top, "steps": steps} if steps is not None else top,
    keyed([k for k in ROUTINE_FIELDS if k != "steps"]),
    st.one_of(st.none(), STEPS),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_for_made_up_documents_the_schema_is_never_stricter(document: dict[str, Any]) -> None:
    text = tomli_w.dumps(document)
    if not schema_accepts(tomli.loads(text)):
        assert not validator_accepts(text), text


@pytest.mark.skipif(TAPLO is None, reason="taplo is not installed (the test extra has it)")
def test_taplo_reads_the_schema_line_of_a_saved_version(paths: Paths) -> None:
    """What an editor with Even Better TOML does: taplo follows the file's #:schema line to the
    schema beside it, passes the version calmfeet wrote, and points at a mistake's line."""
    assert TAPLO is not None
    original = load_library(paths, env={}).routines[0]
    saved = save_own_copy(paths, original, original.steps)
    text = saved.source.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_DIRECTIVE
    assert is_own_copy(saved.source)
    assert (paths.routines_dir / SCHEMA_FILE_NAME).read_text(encoding="utf-8") == schema_text()
    good = subprocess.run(
        [TAPLO, "check", str(saved.source)], capture_output=True, text=True, check=False
    )
    assert good.returncode == 0, good.stderr
    broken = saved.source.with_name("broken.toml")
    broken.write_text(text.replace('foot = "', 'foot = "bath', 1), encoding="utf-8")
    bad = subprocess.run([TAPLO, "check", str(broken)], capture_output=True, text=True, check=False)
    assert bad.returncode != 0
    assert "is not one of" in bad.stderr and "bath" in bad.stderr
