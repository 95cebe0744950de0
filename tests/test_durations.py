"""Step lengths written as text (`duration = "1m30s"`) mean what a person expects."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calmfeet.core.routines import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1m30s", 90),
        ("90s", 90),
        ("2m", 120),
        ("1h", 3600),
        ("45", 45),
        (" 1m 30s ", 90),
        ("1 m 30 s", 90),
        ("1h2m3s", 3723),
        ("1.5m", 90),
        ("2.5", 2.5),
        ("1M30S", 90),
        ("0s", 0),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1x",
        "m",
        "s",
        "h",
        "-5s",
        "-5",
        "1m30",
        "30s1m",
        "1e3",
        "inf",
        "nan",
        "1.",
        "5 min",
    ],
)
def test_not_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@given(st.text())
def test_random_text_only_raises_value_error(text: str) -> None:
    try:
        seconds = parse_duration(text)
    except ValueError:
        return
    assert seconds >= 0


@given(
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=0, max_value=9999),
    st.sampled_from(["", " "]),
)
def test_parts_add_up(hours: int, minutes: int, seconds: int, gap: str) -> None:
    text = f"{hours}h{gap}{minutes}m{gap}{seconds}s"
    assert parse_duration(text) == hours * 3600 + minutes * 60 + seconds
