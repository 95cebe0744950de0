"""Each of calmfeet's screens in turn, in the real app, for checks that must hold on all of them
(ASCII only, no colour with NO_COLOR, readable contrast)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

from rich.segment import Segment
from textual.pilot import Pilot

from calmfeet.core.authoring import draft_from_routine, replace_step
from calmfeet.core.history import SessionRecord
from calmfeet.core.stats import local_today
from calmfeet.ui.app import CalmFeetApp
from calmfeet.ui.screens.caution import CautionScreen
from calmfeet.ui.screens.complete import CompleteScreen
from calmfeet.ui.screens.confirm import ConfirmScreen
from calmfeet.ui.screens.editor import EditorScreen
from calmfeet.ui.screens.new_id import NewIdScreen
from calmfeet.ui.screens.pregnancy import PregnancyScreen
from calmfeet.ui.screens.session import SessionScreen
from calmfeet.ui.screens.stats import StatsScreen

SCREENS = [
    "picker",
    "keys",
    "palette",
    "theme-palette",
    "caution",
    "pregnancy",
    "session",
    "confirm",
    "complete",
    "stats",
    "new-id",
    "editor",
]
CAUTIONED = "ankle-mobility"
"""A built-in routine with a caution, so the caution dialog has words to show."""


def segments(app: CalmFeetApp) -> list[Segment]:
    """What the terminal is sent for the screen right now, after the app's line filters
    (NO_COLOR's among them), one segment at a time."""
    strips = app.screen._compositor.render_strips()
    background = app.screen.styles.background
    found: list[Segment] = []
    for strip in strips:
        line = list(strip)
        for line_filter in app.get_line_filters():
            line = line_filter.apply(line, background)
        found.extend(line)
    return found


async def every_screen(app: CalmFeetApp, pilot: Pilot[Any]) -> AsyncIterator[str]:
    """Open each screen over the picker and yield its name while it is on top."""
    await pilot.pause()
    yield "picker"
    app.action_show_keys()
    await pilot.pause()
    yield "keys"
    app.pop_screen()
    await pilot.pause()
    app.action_command_palette()
    await pilot.pause()
    yield "palette"
    await pilot.press("escape")
    await pilot.pause()
    app.search_themes()
    await pilot.pause()
    yield "theme-palette"
    await pilot.press("escape")
    await pilot.pause()
    routine = app.library.get(CAUTIONED)
    assert routine is not None and routine.caution
    for name, screen in (
        ("caution", CautionScreen(routine)),
        ("pregnancy", PregnancyScreen(routine.name, ["SP6"])),
        ("confirm", ConfirmScreen("Leave this session?")),
        ("complete", CompleteScreen(routine, 300, 3, 3)),
        (
            "stats",
            StatsScreen(
                _practice(app),
                today=local_today(app.config.clock.wall()),
                ascii=app.config.ascii,
            ),
        ),
        ("new-id", NewIdScreen("A routine with this id is yours already.", "calm-2", _any_id)),
    ):
        if name == "confirm":
            # Not a built-in and no caution of its own: no caution, straight to the session.
            app.start_routine(dataclasses.replace(routine, caution="", builtin=False))
            await pilot.pause()
            assert isinstance(app.screen, SessionScreen), app.screen
            yield "session"
        await app.push_screen(screen)
        await pilot.pause()
        yield name
        app.pop_screen()
        await pilot.pause()
    # The editor with a problem in a step, so its warnings are drawn too.
    await app.push_screen(
        EditorScreen(
            replace_step(draft_from_routine(routine), 0, length="0"),
            paths=app.config.paths,
            loaded_ids=app.library.ids,
            heading=f"Editing {routine.name}",
            editing=routine,
            ascii=app.config.ascii,
        )
    )
    await pilot.pause()
    yield "editor"
    app.pop_screen()
    await pilot.pause()


def _practice(app: CalmFeetApp) -> list[SessionRecord]:
    """Three days of sessions, so the stats screen shows its tiles and its chart."""
    now = datetime.fromtimestamp(app.config.clock.wall(), tz=timezone.utc)
    return [
        SessionRecord(CAUTIONED, "Ankle & Toe Mobility", now - timedelta(days=days), 600, 10, True)
        for days in (0, 1, 3)
    ]


def _any_id(_: str) -> str | None:
    return None
