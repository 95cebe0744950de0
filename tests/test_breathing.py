"""Breathing patterns: what the pacer shows at each moment, and every way a pattern is wrong."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calmfeet.core.breathing import (
    BUILTIN_PATTERNS,
    DEFAULT_PATTERN,
    BreathingPattern,
    PatternError,
    Phase,
    parse_pattern,
)

EPS = 1e-6
IN, HO, EX = Phase.INHALE, Phase.HOLD, Phase.EXHALE

# name -> [(phase, seconds, level at start, level at end)], the schedule a person follows.
EXPECTED: dict[str, list[tuple[Phase, float, float, float]]] = {
    "resonance": [(IN, 5.5, 0, 1), (EX, 5.5, 1, 0)],
    "calm": [(IN, 4, 0, 1), (EX, 6, 1, 0)],
    "box": [(IN, 4, 0, 1), (HO, 4, 1, 1), (EX, 4, 1, 0), (HO, 4, 0, 0)],
    "4-7-8": [(IN, 4, 0, 1), (HO, 7, 1, 1), (EX, 8, 1, 0)],
    "sigh": [(IN, 2, 0, 0.75), (IN, 1, 0.75, 1), (EX, 6, 1, 0)],
}


def approx(value: float) -> object:
    return pytest.approx(value, abs=1e-5)


def test_builtin_names_and_default() -> None:
    assert list(BUILTIN_PATTERNS) == ["resonance", "calm", "box", "4-7-8", "sigh"]
    assert DEFAULT_PATTERN == "resonance"
    assert parse_pattern(DEFAULT_PATTERN).cycle_seconds == 11


@pytest.mark.parametrize("name", list(EXPECTED))
def test_builtin_phases(name: str) -> None:
    pattern = parse_pattern(name)
    assert pattern.name == name
    assert [(p.phase, p.seconds, p.start_level, p.end_level) for p in pattern.phases] == [
        (phase, float(s), float(a), float(b)) for phase, s, a, b in EXPECTED[name]
    ]
    assert pattern.cycle_seconds == sum(s for _, s, _, _ in EXPECTED[name])


def _boundary_cases() -> list[tuple[str, int, int]]:
    """(pattern, cycle, phase index) for every phase start in the first three cycles."""
    return [
        (name, cycle, index)
        for name, phases in EXPECTED.items()
        for cycle in (0, 1, 2)
        for index in range(len(phases))
    ]


@pytest.mark.parametrize(("name", "cycle", "index"), _boundary_cases())
def test_state_around_each_phase_start(name: str, cycle: int, index: int) -> None:
    """Just before, at, and just after each phase starts, the pacer shows the right thing."""
    pattern = parse_pattern(name)
    phases = EXPECTED[name]
    cycle_len = pattern.cycle_seconds
    start_in_cycle = sum(s for _, s, _, _ in phases[:index])
    boundary = cycle * cycle_len + start_in_cycle
    phase, seconds, start_level, end_level = phases[index]

    at = pattern.state_at(boundary)
    after = pattern.state_at(boundary + EPS)
    for state, offset in ((at, 0.0), (after, EPS)):
        assert state.phase is phase
        assert state.index == index
        assert state.cycle == cycle
        assert state.progress == approx(offset / seconds)
        assert state.seconds_left == approx(seconds - offset)
        assert state.level == approx(start_level + (end_level - start_level) * offset / seconds)
        assert state.phase_start == approx(boundary)
        assert state.phase_end == approx(boundary + seconds)

    if boundary == 0:
        # Before the start counts as the start.
        assert pattern.state_at(-EPS) == pattern.state_at(0.0)
        return
    before = pattern.state_at(boundary - EPS)
    prev_index = (index - 1) % len(phases)
    prev_phase, prev_seconds, _, prev_end_level = phases[prev_index]
    assert before.phase is prev_phase
    assert before.index == prev_index
    assert before.cycle == (cycle if index > 0 else cycle - 1)
    assert before.progress == approx(1.0)
    assert before.seconds_left == approx(0.0)
    assert before.level == approx(prev_end_level)
    assert before.phase_end == approx(boundary)


def test_sigh_has_two_inhales_then_a_long_exhale() -> None:
    sigh = parse_pattern("sigh")
    assert [sigh.state_at(t).phase.word for t in (0.5, 2.5, 3.5)] == ["Inhale", "Inhale", "Exhale"]
    assert sigh.state_at(2.0).level == approx(0.75)


def test_boundaries_schedule() -> None:
    assert parse_pattern("4-7-8").boundaries(40) == [0, 4, 11, 19, 23, 30, 38]
    assert parse_pattern("calm").boundaries(20) == [0, 4, 10, 14, 20]


@pytest.mark.parametrize(
    ("name", "described", "label"),
    [
        ("resonance", "in 5.5 s, out 5.5 s", "resonance · in 5.5 s, out 5.5 s"),
        ("calm", "in 4 s, out 6 s", "calm · in 4 s, out 6 s"),
        ("box", "in 4 s, hold 4 s, out 4 s, hold 4 s", "box · in 4 s, hold 4 s, out 4 s, hold 4 s"),
        ("4-7-8", "in 4 s, hold 7 s, out 8 s", "in 4 s, hold 7 s, out 8 s"),
        ("sigh", "in 2 s + 1 s, out 6 s", "sigh · in 2 s + 1 s, out 6 s"),
        ("4-6", "in 4 s, out 6 s", "in 4 s, out 6 s"),
    ],
)
def test_describe_and_label(name: str, described: str, label: str) -> None:
    pattern = parse_pattern(name)
    assert pattern.describe() == described
    assert pattern.label == label


@pytest.mark.parametrize(
    ("text", "name", "phases"),
    [
        ("4-6", "4-6", [(IN, 4), (EX, 6)]),
        ("4-2-6", "4-2-6", [(IN, 4), (HO, 2), (EX, 6)]),
        ("4-4-4-4", "4-4-4-4", [(IN, 4), (HO, 4), (EX, 4), (HO, 4)]),
        ("5.5-5.5", "5.5-5.5", [(IN, 5.5), (EX, 5.5)]),
        (" 4 - 6 ", "4-6", [(IN, 4), (EX, 6)]),
        ("4-0-6", "4-0-6", [(IN, 4), (EX, 6)]),
        ("4-0-6-2", "4-0-6-2", [(IN, 4), (EX, 6), (HO, 2)]),
        (".5-1.5", "0.5-1.5", [(IN, 0.5), (EX, 1.5)]),
        ("1-1", "1-1", [(IN, 1), (EX, 1)]),
        ("30-30", "30-30", [(IN, 30), (EX, 30)]),
        ("BOX", "box", [(IN, 4), (HO, 4), (EX, 4), (HO, 4)]),
        (" Calm ", "calm", [(IN, 4), (EX, 6)]),
    ],
)
def test_custom_strings(text: str, name: str, phases: list[tuple[Phase, float]]) -> None:
    pattern = parse_pattern(text)
    assert pattern.name == name
    assert [(p.phase, p.seconds) for p in pattern.phases] == phases


@pytest.mark.parametrize(
    ("table", "name", "phases"),
    [
        ({"inhale": 4, "exhale": 6}, "4-6", [(IN, 4), (EX, 6)]),
        ({"inhale": 4, "hold": 7, "exhale": 8}, "4-7-8", [(IN, 4), (HO, 7), (EX, 8)]),
        (
            {"inhale": 4, "hold": 4, "exhale": 4, "hold_after": 4},
            "4-4-4-4",
            [(IN, 4), (HO, 4), (EX, 4), (HO, 4)],
        ),
        ({"inhale": 5.5, "exhale": 5.5}, "5.5-5.5", [(IN, 5.5), (EX, 5.5)]),
        ({"inhale": 4, "hold": 0, "exhale": 6}, "4-6", [(IN, 4), (EX, 6)]),
        ({"inhale": 4, "exhale": 6, "hold_after": 2}, "4-0-6-2", [(IN, 4), (EX, 6), (HO, 2)]),
    ],
)
def test_inline_tables(
    table: dict[str, float], name: str, phases: list[tuple[Phase, float]]
) -> None:
    pattern = parse_pattern(table)
    assert pattern.name == name
    assert [(p.phase, p.seconds) for p in pattern.phases] == phases
    # The name (shown by `list --json`) means the same pattern when typed back in.
    assert parse_pattern(pattern.name).phases == pattern.phases


PATTERN_HINT = (
    'must be a pattern name (resonance, calm, box, 4-7-8, sigh), a string of seconds like "4-2-6",'
    " or a table like { inhale = 4, exhale = 6 }, got "
)
UNKNOWN_HINT = (
    ': use one of resonance, calm, box, 4-7-8, sigh or seconds like "4-6", "4-2-6" or "4-4-4-4"'
)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0-6", "inhale must be more than 0 seconds, got 0"),
        ("4-0", "exhale must be more than 0 seconds, got 0"),
        ({"inhale": 0, "exhale": 6}, "inhale must be more than 0 seconds, got 0"),
        ({"inhale": 4, "exhale": -6}, "exhale must be more than 0 seconds, got -6"),
        ({"inhale": 4, "hold": -1, "exhale": 6}, "hold must be 0 seconds or more, got -1"),
        (
            {"inhale": 4, "exhale": 6, "hold_after": -0.5},
            "hold_after must be 0 seconds or more, got -0.5",
        ),
        (
            {"inhale": math.nan, "exhale": 6},
            "inhale must be more than 0 seconds, got nan",
        ),
        (
            {"inhale": 4, "exhale": math.inf},
            "exhale must be more than 0 seconds, got inf",
        ),
        ("0.5-0.5", "a breathing cycle must last between 2 and 60 seconds, got 1"),
        ("1-0.5", "a breathing cycle must last between 2 and 60 seconds, got 1.5"),
        ("40-40", "a breathing cycle must last between 2 and 60 seconds, got 80"),
        ("30-0.5-30", "a breathing cycle must last between 2 and 60 seconds, got 60.5"),
        ("square", "unknown breathing pattern 'square'" + UNKNOWN_HINT),
        ("", "unknown breathing pattern ''" + UNKNOWN_HINT),
        ("4-6-8-2-1", "unknown breathing pattern '4-6-8-2-1'" + UNKNOWN_HINT),
        ("4--1-6", "unknown breathing pattern '4--1-6'" + UNKNOWN_HINT),
        ("4", "unknown breathing pattern '4'" + UNKNOWN_HINT),
        (
            {"inhale": 4, "exale": 6},
            "unknown key 'exale' in breathing table; the keys are inhale, hold, exhale, hold_after",
        ),
        ({"inhale": 4}, "a breathing table needs both inhale and exhale"),
        ({}, "a breathing table needs both inhale and exhale"),
        ({"inhale": "4", "exhale": 6}, "inhale must be a number of seconds, got text ('4')"),
        ({"inhale": 4, "exhale": True}, "exhale must be a number of seconds, got a boolean (true)"),
        ({"inhale": 4, "exhale": [6]}, "exhale must be a number of seconds, got a list"),
        (3, PATTERN_HINT + "a number (3)"),
        (2.5, PATTERN_HINT + "a number (2.5)"),
        (True, PATTERN_HINT + "a boolean (true)"),
        ([4, 6], PATTERN_HINT + "a list"),
        (None, PATTERN_HINT + "NoneType"),
        (10**400, PATTERN_HINT + "a number (1" + "0" * 38 + "…)"),  # clipped, not 401 digits
        ({"inhale": 10**400, "exhale": 4}, "inhale must be more than 0 seconds, got inf"),
        ("1" * 400 + "-1", "inhale must be more than 0 seconds, got inf"),
    ],
)
def test_errors(value: object, message: str) -> None:
    with pytest.raises(PatternError) as caught:
        parse_pattern(value)
    assert str(caught.value) == message


def test_pattern_error_is_a_value_error() -> None:
    """Callers that only know ValueError (argparse types, for one) still catch it."""
    assert issubclass(PatternError, ValueError)


_numbers = st.one_of(
    st.integers(),
    st.integers(min_value=10**300, max_value=10**600),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=5),
)
_values = st.recursive(
    st.one_of(st.none(), _numbers, st.text()),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(["inhale", "hold", "exhale", "hold_after"]), st.text()),
            children,
            max_size=5,
        ),
    ),
    max_leaves=10,
)
_tables = st.dictionaries(
    st.sampled_from(["inhale", "hold", "exhale", "hold_after"]), _numbers, max_size=4
)
_pattern_text = st.lists(
    st.one_of(st.from_regex(r"\d{1,4}(\.\d{1,3})?", fullmatch=True), st.text(max_size=3)),
    min_size=1,
    max_size=5,
).map("-".join)


@given(st.one_of(st.text(), _pattern_text, _values, _tables))
def test_parse_pattern_only_raises_pattern_error(value: object) -> None:
    try:
        pattern = parse_pattern(value)
    except PatternError as error:
        assert str(error)
        return
    assert 2 <= pattern.cycle_seconds <= 60
    assert all(p.seconds > 0 for p in pattern.phases)


_patterns = st.one_of(
    st.sampled_from(list(BUILTIN_PATTERNS)).map(parse_pattern),
    st.lists(st.floats(min_value=0.1, max_value=20, allow_nan=False), min_size=2, max_size=4)
    .filter(lambda xs: 2 <= sum(xs) <= 60)
    .map(lambda xs: parse_pattern("-".join(f"{x:.3f}" for x in xs))),
)
_times = st.floats(min_value=-10, max_value=1e7, allow_nan=False)


@given(_patterns, _times, _times)
def test_state_at_invariants(pattern: BreathingPattern, t1: float, t2: float) -> None:
    early, late = sorted((t1, t2))
    a, b = pattern.state_at(early), pattern.state_at(late)
    for state in (a, b):
        assert 0.0 <= state.progress <= 1.0
        assert state.seconds_left >= 0.0
        assert 0.0 <= state.level <= 1.0
        assert 0 <= state.index < len(pattern.phases)
        assert state.cycle >= 0
        assert state.phase is pattern.phases[state.index].phase
    assert a.cycle <= b.cycle
    if a.cycle == b.cycle:
        assert a.index <= b.index
