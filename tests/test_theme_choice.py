"""One list of themes: the command palette offers exactly what `--theme` accepts, ours first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette

from calmfeet.cli import main
from calmfeet.core.paths import Paths
from calmfeet.ui.app import CalmFeetApp
from calmfeet.ui.themes import discover_themes

MakeApp = Callable[..., CalmFeetApp]
OURS = ["contrast", "dusk", "linen", "moss"]


async def palette_theme_names(app: CalmFeetApp) -> list[str]:
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.search_themes()
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await palette.workers.wait_for_complete()
        await pilot.pause()
        options = palette.query_one(CommandList)
        return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_the_palette_offers_the_catalogue_in_order_calmfeets_first(
    make_app: MakeApp, paths: Paths
) -> None:
    offered = await palette_theme_names(make_app(paths))
    assert offered[: len(OURS)] == OURS
    assert offered == discover_themes(paths.themes_dir).names()
    assert "dracula" in offered


def test_calmfeet_themes_lists_textuals_themes_after_its_own(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["themes"], paths=paths) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names[: len(OURS)] == OURS
    assert "dracula" in names and "textual-light" in names


@pytest.mark.parametrize("theme", ["dracula", "catppuccin-latte", "dusk"])
def test_every_theme_the_palette_sets_is_accepted_by_the_command_line(
    paths: Paths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    started: list[str] = []

    def run_without_a_terminal(self: CalmFeetApp, *args: Any, **kwargs: Any) -> None:
        started.append(self.theme)

    monkeypatch.setattr("calmfeet.launch.terminal_attached", lambda: True)
    monkeypatch.setattr(CalmFeetApp, "run", run_without_a_terminal)
    code = main(["--theme", theme], paths=paths)
    assert "unknown theme" not in capsys.readouterr().err
    assert code == 0 and started == [theme]


def test_an_unknown_theme_is_still_refused_with_the_list(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--theme", "nosuch"], paths=paths) != 0
    err = capsys.readouterr().err
    assert "unknown theme 'nosuch'" in err and "dusk" in err and "dracula" in err
