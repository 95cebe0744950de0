"""Lines kept for a state that comes back (the pacer's frames, the big breath word) must
look exactly as Textual would draw them now: after a theme, a pause or a background change
too, and the second breath must cost no restyling."""

from __future__ import annotations

import pytest
from harness import Harness
from rich.color import Color as RichColor
from textual.geometry import Region
from textual.strip import Strip
from textual.theme import Theme
from textual.widget import Widget

from calmfeet.core.breathing import BUILTIN_PATTERNS
from calmfeet.ui.widgets.big_text import BigText, BreathWord
from calmfeet.ui.widgets.kept_lines import KeptLines
from calmfeet.ui.widgets.pacer import FULL, Pacer

DAWN = Theme(name="dawn", primary="#888888", dark=True, variables={"pacer-inhale": "#ff0000"})


def shown(widget: Widget) -> list[Strip]:
    """What the compositor gets for the whole widget."""
    return widget.render_lines(widget.size.region)


def shape_colours(strips: list[Strip]) -> set[RichColor | None]:
    return {seg.style.color for strip in strips for seg in strip if seg.style and FULL in seg.text}


def backgrounds(strips: list[Strip]) -> set[RichColor | None]:
    return {seg.style.bgcolor for strip in strips for seg in strip if seg.style}


def count_restyling(monkeypatch: pytest.MonkeyPatch, widget: Widget) -> list[Region]:
    """From now on, each crop of `widget` that Textual styles afresh (not handed back)."""
    restyled: list[Region] = []
    real = Widget.render_lines

    def spy(drawn: Widget, crop: Region) -> list[Strip]:
        if drawn is widget:  # the screen beneath it is drawn from Textual's own cache
            restyled.append(crop)
        return real(drawn, crop)

    monkeypatch.setattr(Widget, "render_lines", spy)
    return restyled


def test_kept_lines_are_handed_back_and_forgotten() -> None:
    renders: list[Region] = []

    def render(crop: Region) -> list[Strip]:
        renders.append(crop)
        return [Strip.blank(crop.width)] * crop.height

    kept = KeptLines(limit=2)
    crop = Region(0, 0, 4, 2)
    first = kept.lines("a", crop, render)
    assert kept.lines("a", crop, render) is first and len(renders) == 1
    kept.lines("a", Region(0, 1, 4, 1), render)  # another crop is another render
    assert len(renders) == 2
    kept.lines("b", crop, render)  # past the limit: start again
    assert len(kept) == 1
    kept.forget()
    kept.lines("a", crop, render)
    assert len(renders) == 4


async def test_the_second_breath_is_drawn_as_the_first_without_restyling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pattern = BUILTIN_PATTERNS["resonance"]()
    app = Harness(Pacer())
    async with app.run_test(size=(70, 20)):
        pacer = app.query_one(Pacer)
        first = []
        for tick in range(round(pattern.cycle_seconds * 20)):
            pacer.show(pattern, pattern.state_at(tick / 20))
            first.append(shown(pacer))
        restyled = count_restyling(monkeypatch, pacer)
        for tick in range(round(pattern.cycle_seconds * 20)):
            pacer.show(pattern, pattern.state_at(pattern.cycle_seconds + tick / 20))
            assert shown(pacer) == first[tick], f"frame at {tick / 20} s differs"
        assert restyled == []


@pytest.mark.parametrize("change", ["theme", "background"])
async def test_a_frame_seen_before_is_drawn_in_the_new_styles(change: str) -> None:
    pattern = BUILTIN_PATTERNS["calm"]()
    app = Harness(Pacer())
    async with app.run_test(size=(60, 16)) as pilot:
        pacer = app.query_one(Pacer)
        pacer.show(pattern, pattern.state_at(1.0))
        before = shown(pacer)
        if change == "theme":
            app.register_theme(DAWN)
            app.theme = "dawn"
        else:
            app.screen.styles.background = "#123456"
        await pilot.pause()
        pacer.show(pattern, pattern.state_at(1.0))
        after = shown(pacer)
        if change == "theme":
            assert shape_colours(after) == {RichColor.parse("#ff0000")} != shape_colours(before)
        else:
            assert backgrounds(after) == {RichColor.parse("#123456")} != backgrounds(before)


async def test_the_big_word_comes_back_in_the_current_theme() -> None:
    app = Harness(BigText("Inhale 4", id="phase"))
    async with app.run_test(size=(80, 12)) as pilot:
        big = app.query_one(BigText)
        first = shown(big)
        big.text = "Inhale 3"
        await pilot.pause()
        assert shown(big) != first
        big.text = "Inhale 4"
        await pilot.pause()
        assert shown(big) == first
        big.styles.color = "#00ff00"
        await pilot.pause()
        inks = {
            seg.style.color
            for strip in shown(big)
            for seg in strip
            if seg.style and seg.text.strip()
        }
        assert inks == {RichColor.parse("#00ff00")}


async def test_the_breath_word_s_second_breath_needs_no_restyling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    breath = [("inhale", f"Inhale {n}") for n in range(4, 0, -1)]
    breath += [("exhale", f"Exhale {n}") for n in range(6, 0, -1)]
    app = Harness(BreathWord(id="phase"))
    async with app.run_test(size=(80, 12)) as pilot:
        word = app.query_one(BreathWord)
        word.sample = "Exhale 6"
        first = []
        for phase, text in breath:
            word.phase, word.text = phase, text
            await pilot.pause()
            first.append(shown(word))
        restyled = count_restyling(monkeypatch, word)
        for (phase, text), lines in zip(breath, first, strict=True):
            word.phase, word.text = phase, text
            await pilot.pause()
            assert shown(word) == lines, text
        assert restyled == []
