"""Every theme of calmfeet's own reads at arm's length: WCAG AA (4.5:1) for all text, the
selected row and its dimmer detail line included, and 3:1 for the foot drawing."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from contrast import TextContrast, text_contrasts, variable_ratio
from every_screen import SCREENS, every_screen, segments
from rich.color import Color as RichColor

from calmfeet.core.paths import Paths
from calmfeet.ui.app import CalmFeetApp
from calmfeet.ui.themes import ThemeCatalog, discover_themes

MakeApp = Callable[..., CalmFeetApp]
OURS = ["contrast", "dusk", "linen", "moss"]
AA_TEXT = 4.5
AA_GRAPHICS = 3.0

TEXT_ROLES = ["text", "text-muted", "accent", "primary", "warning", "error", "success"]
BACKGROUNDS = ["background", "surface", "panel", "boost"]
TEXT_PAIRS = [
    *itertools.product(TEXT_ROLES, BACKGROUNDS),
    ("footer-key-foreground", "footer-background"),
    ("footer-description-foreground", "footer-background"),
    ("block-cursor-foreground", "block-cursor-background"),
    ("block-cursor-blurred-foreground", "block-cursor-blurred-background"),
]


@pytest.fixture(scope="module")
def catalogue() -> ThemeCatalog:
    return discover_themes(Path("/nonexistent/calmfeet-user-themes"))


def variables(catalogue: ThemeCatalog, name: str) -> dict[str, str]:
    loaded = catalogue.get(name)
    assert loaded is not None
    return {**loaded.theme.to_color_system().generate(), **loaded.theme.variables}


@pytest.mark.parametrize("theme", OURS)
def test_each_text_role_on_each_background_meets_aa(catalogue: ThemeCatalog, theme: str) -> None:
    computed = variables(catalogue, theme)
    low = {
        (text, background): round(variable_ratio(computed, text, background), 2)
        for text, background in TEXT_PAIRS
        if variable_ratio(computed, text, background) < AA_TEXT
    }
    assert low == {}


@pytest.mark.parametrize("theme", OURS)
def test_the_foot_drawing_stands_out_from_the_background(
    catalogue: ThemeCatalog, theme: str
) -> None:
    computed = variables(catalogue, theme)
    for graphic, background in itertools.product(
        ["foreground-muted", "foot-highlight", "pacer-inhale", "pacer-hold", "pacer-exhale"],
        ["background", "surface"],
    ):
        assert variable_ratio(computed, graphic, background) >= AA_GRAPHICS, (graphic, background)


def unreadable(app: CalmFeetApp) -> set[TextContrast]:
    """Text on screen (anything with a letter or digit) below AA, as it is actually drawn."""
    theme = app.current_theme
    shown = text_contrasts(
        segments(app),
        RichColor.parse(theme.foreground or "#ffffff"),
        RichColor.parse(theme.background or "#000000"),
    )
    return {
        drawn
        for drawn in shown
        if drawn.ratio < AA_TEXT and any(char.isalnum() for char in drawn.text)
    }


@pytest.mark.parametrize("theme", OURS)
async def test_all_text_on_every_screen_meets_aa_as_drawn(
    make_app: MakeApp, paths: Paths, theme: str
) -> None:
    app = make_app(paths, theme=theme)
    seen: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        async for name in every_screen(app, pilot):
            seen.append(name)
            assert unreadable(app) == set(), name
            if name == "picker":
                await pilot.press("tab")  # the step list focused: the routine row unfocused
                await pilot.pause()
                assert unreadable(app) == set(), "picker, steps focused"
                await pilot.press("shift+tab")
                await pilot.pause()
    assert seen == SCREENS
