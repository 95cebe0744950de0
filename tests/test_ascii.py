"""--ascii (or a non-UTF-8 locale): everything calmfeet draws itself is plain ASCII."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App

from calmfeet.core import bigtype
from calmfeet.core.paths import Paths
from calmfeet.ui.app import CalmFeetApp

MakeApp = Callable[..., CalmFeetApp]
ScreenText = Callable[[App[Any]], str]


def non_ascii_above_the_footer(text: str) -> set[str]:
    """Textual's own footer draws its separators; everything above it is calmfeet's."""
    body = "\n".join(text.splitlines()[:-1])
    return {char for char in body if ord(char) > 127}


async def test_the_picker_in_ascii(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths, ascii=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+f")  # a favourite, so the star is drawn too
        await pilot.pause()
        text = screen_text(app)
        assert "* Ankle & Toe Mobility" in text
        assert not non_ascii_above_the_footer(text)


async def test_the_session_in_ascii(
    make_app: MakeApp, paths: Paths, plain_routine_dir: Path, screen_text: ScreenText
) -> None:
    app = make_app(paths, ascii=True, extra_dirs=[plain_routine_dir], run_routine="plain")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert in_big_type(text, "Inhale", ascii=True) and "0:30" in text
        assert "#" in text, "the pacer and the foot map draw with #"
        assert not non_ascii_above_the_footer(text)


def in_big_type(text: str, word: str, *, ascii: bool = False) -> bool:
    """True when every row of `word` in big type, at some scale, is on screen."""
    return any(
        all(row.rstrip() in text for row in bigtype.render(word, ascii=ascii, scale=scale))
        for scale in range(1, 5)
    )
