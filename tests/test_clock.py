"""The session clock looks exactly as Textual's Digits would: same glyphs, weight, colour
and alignment, at every value it shows."""

from __future__ import annotations

import pytest
from harness import Harness
from textual.css.types import TextAlign
from textual.strip import Strip
from textual.widgets import Digits

from calmfeet.ui.widgets.clock import Clock


def drawn(strips: list[Strip]) -> list[list[tuple[str, object, object, bool]]]:
    """Each cell's character, colour, background and weight (not Rich's mouse metadata)."""
    return [
        [
            (char, seg.style.color, seg.style.bgcolor, bool(seg.style.bold))
            for seg in strip
            if seg.style
            for char in seg.text
        ]
        for strip in strips
    ]


@pytest.mark.parametrize("align", ["left", "center", "right"])
@pytest.mark.parametrize("bold", [False, True])
async def test_the_clock_draws_what_digits_would(align: TextAlign, bold: bool) -> None:
    clock, digits = Clock("12:34", id="clock"), Digits("12:34", id="digits")
    app = Harness(clock, digits)
    async with app.run_test(size=(40, 10)) as pilot:
        for widget in (clock, digits):
            widget.styles.width = 20
            widget.styles.color = "#ffaa00"
            widget.styles.text_align = align
            widget.styles.text_style = "bold" if bold else "none"
        for value in ("12:34", "0:05", "10:00", "-1:00"):
            clock.update(value)
            digits.update(value)
            await pilot.pause()
            expected = drawn(digits.render_lines(digits.size.region))
            assert drawn(clock.render_lines(clock.size.region)) == expected, value
            assert clock.value == value
