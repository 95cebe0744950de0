"""One wording for every complaint about a person's file, each on one line at the right line."""

from __future__ import annotations

import datetime

import pytest

from calmfeet.core.problems import KeyLines, Problem, Problems, describe_value, did_you_mean


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (True, "a boolean (true)"),
        (3, "a number (3)"),
        (2.5, "a number (2.5)"),
        ("yes", "text ('yes')"),
        ("x" * 100, "text ('" + "x" * 39 + "…')"),
        ([1], "a list"),
        ({"a": 1}, "a table"),
        (datetime.date(2024, 5, 6), "a date/time (2024-05-06)"),
    ],
)
def test_a_wrong_value_is_described_by_its_type_and_what_it_was(value: object, words: str) -> None:
    assert describe_value(value) == words


def test_did_you_mean_suggests_only_a_close_word() -> None:
    assert did_you_mean("sumary", ["name", "summary"]) == "; did you mean 'summary'?"
    assert did_you_mean("colour", ["name", "summary"]) == ""


def test_a_problem_stays_on_one_line_whatever_the_file_name_holds() -> None:
    problem = Problem("odd\nname.toml", 3, "steps[1].foot", "must be one of left, right, both")
    assert str(problem) == "odd\\x0aname.toml:3: steps[1].foot: must be one of left, right, both"


TEXT = """name = "R"
breathing.inhale = 4
[[steps]]
title = "One"
[[steps]]
title = "Two"
zone = "heel"
[steps.breathing]
inhale = 4
[variables]
"odd key" = 1
"""


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("name",), 1),
        (("breathing",), 2),
        (("steps",), 3),
        (("steps", 0, "title"), 4),
        (("steps", 0, "zone"), 3),  # missing from step 1: its [[steps]] header
        (("steps", 1, "zone"), 7),
        (("steps", 1, "breathing"), 8),
        (("variables", "odd key"), 11),
        (("nowhere",), 1),
    ],
)
def test_key_lines_point_where_a_person_must_edit(path: tuple[str | int, ...], line: int) -> None:
    assert KeyLines(TEXT).line_of(path) == line


def test_problems_come_back_in_line_order_with_key_paths_as_written() -> None:
    problems = Problems("r.toml", TEXT)
    problems.add(("steps", 1, "zone"), "must be one of toes, heel")
    problems.add(("variables", "odd key"), "unknown key")
    problems.add("name", "is required", line=1)
    assert [str(p) for p in problems.items] == [
        "r.toml:1: name: is required",
        "r.toml:7: steps[2].zone: must be one of toes, heel",
        'r.toml:11: variables."odd key": unknown key',
    ]
