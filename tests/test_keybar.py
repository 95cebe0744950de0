"""The footer of keys: there from the first screen, focused or not, and rebuilt only on change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from calmfeet.core.paths import Paths
from calmfeet.ui.app import CalmFeetApp
from calmfeet.ui.screens.picker import PickerScreen
from calmfeet.ui.widgets.keybar import KeyBar

MakeApp = Callable[..., Any]
ScreenText = Callable[[Any], str]


async def test_a_picker_opened_without_focus_shows_its_keys_and_takes_keys_once_focused(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    """As in a `calmfeet serve` tab not yet tapped: Textual reports the app unfocused before
    the first screen opens. Textual's own Footer then stays empty, and nothing is focused."""
    app = make_app(paths)
    app.set_reactive(CalmFeetApp.app_focus, False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert not app.app_focus
        footer = screen_text(app).splitlines()[-1]
        assert "Quit" in footer and "Stats" in footer, footer
        app.app_focus = True  # what a tap on the page does
        await pilot.pause()
        first = app.screen.highlighted
        await pilot.press("down")
        await pilot.pause()
        assert app.screen.highlighted != first, "Down did nothing after the tap"


async def test_the_footer_is_not_rebuilt_when_its_keys_are_unchanged(
    make_app: MakeApp, paths: Paths, screen_text: ScreenText
) -> None:
    app = make_app(paths)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        keys = list(bar.children)
        assert keys
        for _ in range(3):
            app.screen.refresh_bindings()
        await pilot.pause()
        assert list(bar.children) == keys, "the same keys were built again"
        await pilot.press("ctrl+f")  # favourite: the label turns to Unfavourite
        await pilot.pause()
        assert "Unfavourite" in screen_text(app).splitlines()[-1]
        assert list(bar.children) != keys
