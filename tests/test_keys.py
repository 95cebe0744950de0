"""The keys a person reads: ? lists calmfeet's own keys, and labels follow the state."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from calmfeet.core.paths import Paths
from calmfeet.ui.screens.keys import KeysScreen
from calmfeet.ui.screens.session import SessionScreen

MakeApp = Callable[..., Any]
ScreenText = Callable[[Any], str]


async def test_space_reads_pause_then_resume_in_the_session_footer(
    make_app: MakeApp, paths: Paths, plain_routine_dir: Path, screen_text: ScreenText
) -> None:
    app = make_app(paths, extra_dirs=[plain_routine_dir], run_routine="plain", interludes=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        footer = screen_text(app).splitlines()[-1]
        assert "Pause" in footer and "Resume" not in footer
        await pilot.press("space")
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "Resume" in footer and "Pause" not in footer
        await pilot.press("space")
        await pilot.pause()
        assert "Pause" in screen_text(app).splitlines()[-1]


async def test_the_keys_screen_starts_with_the_screen_it_was_opened_on(
    make_app: MakeApp, paths: Paths, plain_routine_dir: Path, screen_text: ScreenText
) -> None:
    app = make_app(paths, extra_dirs=[plain_routine_dir], run_routine="plain")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        text = screen_text(app)
        assert text.index("Session") < text.index("Picker")
        assert "Pause / Resume" in text
        assert "Scroll Left" not in text and "Page Right" not in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
