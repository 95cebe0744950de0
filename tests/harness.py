"""One app for widget and screen tests: calmfeet's theme variables and nothing else."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widget import Widget

from calmfeet.ui.theme_vars import THEME_VARIABLE_DEFAULTS


class Harness(App[None]):
    """Holds `children`, or opens `screen` and keeps what it dismisses with in `answers`.

    Tests of the whole app use the factory (`make_app` fixture) instead.
    """

    def __init__(
        self,
        *children: Widget,
        screen: Screen[Any] | None = None,
        reduced_motion: bool = False,
    ) -> None:
        super().__init__()
        self.children_to_mount = children
        self.first_screen = screen
        self.answers: list[Any] = []
        if reduced_motion:
            self.animation_level = "none"

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(THEME_VARIABLE_DEFAULTS)

    def compose(self) -> ComposeResult:
        yield from self.children_to_mount

    def on_mount(self) -> None:
        if self.first_screen is not None:
            self.push_screen(self.first_screen, self.answers.append)
