"""Clocks the session reads time from: the real one, and a fake one tests move by hand."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Monotonic seconds for measuring, wall seconds for noticing a sleeping laptop."""

    def monotonic(self) -> float: ...

    def wall(self) -> float: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()


class FakeClock:
    """A clock that only moves when told to, so tests never sleep."""

    def __init__(self, start: float = 1000.0, wall_start: float = 1_700_000_000.0) -> None:
        self._mono = start
        self._wall = wall_start

    def monotonic(self) -> float:
        return self._mono

    def wall(self) -> float:
        return self._wall

    def advance(self, seconds: float) -> None:
        """Move both clocks together, as in real life."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        self._mono += seconds
        self._wall += seconds

    def jump_wall(self, seconds: float) -> None:
        """Move the wall clock alone, as when a laptop sleeps or the clock is set."""
        self._wall += seconds
