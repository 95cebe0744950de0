"""One pending wake-up on the event loop, for a screen that sleeps until its next change.

A plain event-loop timer rather than Textual's `set_timer`: the latter builds a Timer, a task
and a partial (whose signature is inspected) on every call, which at 13 wakes a second costs
more than the work the wake does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from textual.message_pump import MessagePump


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Scheduler(Protocol):
    """The part of an asyncio event loop a wake needs (a fake one in tests)."""

    def call_later(self, delay: float, callback: Callable[[], object]) -> Cancellable: ...


def _raise(error: Exception) -> None:
    raise error


class Wake:
    """Calls `callback` once, `delay` seconds after `schedule(delay)`, unless cancelled first.

    An error in the callback is handed to `owner` (the screen it wakes) to raise as the next
    thing it runs, through the public `call_next`: Textual then reports it as it would from
    any handler (the app exits and shows the traceback), with no private API involved.
    """

    def __init__(
        self,
        owner: MessagePump,
        callback: Callable[[], None],
        scheduler: Scheduler | None = None,
    ) -> None:
        self._owner = owner
        self._callback = callback
        self._scheduler = scheduler
        self._handle: Cancellable | None = None

    @property
    def pending(self) -> bool:
        """Whether a wake is scheduled and has not yet run."""
        return self._handle is not None

    def schedule(self, delay: float) -> None:
        """Wake once after `delay` seconds, replacing any wake already scheduled."""
        self.cancel()
        scheduler = self._scheduler or asyncio.get_running_loop()
        self._handle = scheduler.call_later(delay, self._fire)

    def cancel(self) -> None:
        """Drop the scheduled wake, if any; harmless when there is none."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self) -> None:
        self._handle = None
        try:
            self._callback()
        except Exception as error:  # noqa: BLE001 - re-raised where Textual handles errors
            self._owner.call_next(_raise, error)
