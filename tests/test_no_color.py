"""NO_COLOR: calmfeet still says everything, in words and shapes, with colour switched off."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from every_screen import SCREENS, every_screen, segments
from textual.app import App

from calmfeet.core import bigtype
from calmfeet.core.paths import Paths
from calmfeet.ui.app import CalmFeetApp

MakeApp = Callable[..., CalmFeetApp]
ScreenText = Callable[[App[Any]], str]


def coloured_text(app: App[Any]) -> set[tuple[int, int, int]]:
    """Foreground colours of visible text that are not a shade of grey."""
    found: set[tuple[int, int, int]] = set()
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            style = segment.style
            if style is None or style.color is None or not segment.text.strip():
                continue
            red, green, blue = style.color.get_truecolor()
            if max(red, green, blue) - min(red, green, blue) > 8:
                found.add((red, green, blue))
    return found


async def test_no_color_session_still_shows_phase_foot_and_zone_in_words(
    make_app: MakeApp,
    paths: Paths,
    plain_routine_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    screen_text: ScreenText,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(paths, extra_dirs=[plain_routine_dir], run_routine="plain", interludes=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.no_color
        text = screen_text(app)
        assert in_big_type(text, "Inhale"), "the phase is a word, not just a colour"
        assert in_big_type(text, "Left · arch")
        assert "arch · left foot" in text, "the foot map's legend names the zone"
        assert not coloured_text(app), "colour on screen despite NO_COLOR"


def colours_on_screen(app: CalmFeetApp) -> set[str]:
    """Every colour the terminal would be sent for the screen, foreground or background."""
    found: set[str] = set()
    for segment in segments(app):
        style = segment.style
        if style is None:
            continue
        for colour in (style.color, style.bgcolor):
            if colour is not None and not colour.is_default:
                found.add(colour.name)
    return found


@pytest.mark.parametrize("size", [(100, 30), (160, 50)])
async def test_no_color_leaves_no_colour_on_any_screen(
    make_app: MakeApp, paths: Paths, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(paths)
    seen: list[str] = []
    async with app.run_test(size=size) as pilot:
        async for name in every_screen(app, pilot):
            seen.append(name)
            assert colours_on_screen(app) == set(), name
    assert seen == SCREENS


async def test_with_no_color_the_chosen_routine_still_stands_out(
    make_app: MakeApp, paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(paths)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        marked = "".join(
            segment.text for segment in segments(app) if segment.style and segment.style.underline
        )
        assert "Ankle & Toe Mobility" in marked, "the selected row is underlined"
        assert "Circulation Boost" not in marked
        await pilot.press("down")
        marked = "".join(
            segment.text for segment in segments(app) if segment.style and segment.style.underline
        )
        assert "Circulation Boost" in marked and "Ankle & Toe Mobility" not in marked


def in_big_type(text: str, word: str, *, ascii: bool = False) -> bool:
    """True when every row of `word` in big type, at some scale, is on screen."""
    return any(
        all(row.rstrip() in text for row in bigtype.render(word, ascii=ascii, scale=scale))
        for scale in range(1, 5)
    )
