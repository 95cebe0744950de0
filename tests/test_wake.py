"""The session screen's wake-up: one at a time, cancellable, and its errors reach the person."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.app import App

from calmfeet.ui.wake import Wake


class FakeHandle:
    def __init__(self, delay: float, callback: Callable[[], object]) -> None:
        self.delay = delay
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeLoop:
    """Records what was scheduled; a test fires a wake by hand instead of waiting for it."""

    def __init__(self) -> None:
        self.handles: list[FakeHandle] = []

    def call_later(self, delay: float, callback: Callable[[], object]) -> FakeHandle:
        handle = FakeHandle(delay, callback)
        self.handles.append(handle)
        return handle


def test_a_wake_calls_back_once_at_the_delay_asked_for() -> None:
    loop, calls = FakeLoop(), []
    wake = Wake(App(), lambda: calls.append("woke"), loop)
    wake.schedule(0.25)
    assert wake.pending
    assert [h.delay for h in loop.handles] == [0.25]
    loop.handles[0].callback()
    assert calls == ["woke"]
    assert not wake.pending


def test_scheduling_again_replaces_the_earlier_wake() -> None:
    loop = FakeLoop()
    wake = Wake(App(), lambda: None, loop)
    wake.schedule(1.0)
    wake.schedule(0.08)
    assert [h.cancelled for h in loop.handles] == [True, False]


def test_cancel_drops_the_wake_and_is_harmless_twice() -> None:
    loop = FakeLoop()
    wake = Wake(App(), lambda: None, loop)
    wake.schedule(1.0)
    wake.cancel()
    wake.cancel()
    assert loop.handles[0].cancelled
    assert not wake.pending


class Broken(Exception):
    pass


async def test_an_error_in_the_callback_ends_the_app_with_that_error() -> None:
    """Not swallowed: Textual shows the traceback and exits, as for any handler's error."""

    def fail() -> None:
        raise Broken("the screen could not update")

    app: App[None] = App()
    with pytest.raises(Broken, match="could not update"):
        async with app.run_test() as pilot:
            Wake(app, fail).schedule(0.0)
            await pilot.pause()  # the loop runs the wake
            await pilot.pause()  # the app runs what the wake handed it
    assert app.return_code == 1
