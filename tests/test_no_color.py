"""NO_COLOR: calmfeet still says everything, in words and shapes, with colour switched off."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
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


def in_big_type(text: str, word: str, *, ascii: bool = False) -> bool:
    """True when every row of `word` in big type, at some scale, is on screen."""
    return any(
        all(row.rstrip() in text for row in bigtype.render(word, ascii=ascii, scale=scale))
        for scale in range(1, 5)
    )
