"""A sound device for tests: the fake clock is its timing, and a test pulls its blocks.

`FakeOutputs` stands in for `calmfeet.sound.output.open_output`: each call records the pull it
was given and returns a `FakeOutput` (or a `Silence`, when told there is no device). The frame
heard at a moment is simply the seconds since the output opened, on the fake clock, minus its
latency: what a steady real device does, with no jitter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from calmfeet.core.clock import FakeClock

RATE = 44100
LATENCY_SECONDS = 0.03
Samples = npt.NDArray[np.float32]


@dataclass
class FakeSilence:
    """No device: what open_output gives then (calmfeet.sound.output.Silence, duck-typed)."""

    reason: str

    def close(self) -> None:
        pass


@dataclass
class FakeOutput:
    """An open stream on the fake clock; nothing plays until a test calls `play`."""

    pull: Callable[[int], Any]
    clock: FakeClock
    opened_at: float
    sample_rate: int = RATE
    latency_seconds: float = LATENCY_SECONDS
    closed: bool = False
    frames_pulled: int = 0
    failure: str | None = None
    shift_seconds: float = 0.0
    """How far the device has slipped behind its first timing (a drifting clock, a stall)."""
    blocks: list[Samples] = field(default_factory=list)

    def frame_at(self, when: float) -> int:
        heard = when - self.opened_at - self.latency_seconds - self.shift_seconds
        return round(heard * self.sample_rate)

    def take_failure(self) -> str | None:
        failure, self.failure = self.failure, None
        return failure

    def close(self) -> None:
        self.closed = True

    def play(self, seconds: float, block_frames: int = 1323) -> Samples:
        """Pull `seconds` of sound as the device would (30 ms blocks), without moving the clock."""
        out = []
        for _ in range(round(seconds * self.sample_rate / block_frames)):
            pulled = self.pull(block_frames)
            if isinstance(pulled, bytes):  # 16-bit samples, as the live player gives them
                block = np.frombuffer(pulled, dtype="<i2").astype(np.float32) / 32767.0
            else:
                block = np.asarray(pulled, dtype=np.float32)
            self.frames_pulled += block_frames
            out.append(block)
        played = np.concatenate(out) if out else np.zeros(0, np.float32)
        self.blocks.append(played)
        return played


@dataclass
class FakeOutputs:
    """`open_output` for tests: every stream opened, in order; `device=False` means none."""

    clock: FakeClock
    device: bool = True
    reason: str = "No sound device, so calmfeet is silent."
    opened: list[FakeOutput] = field(default_factory=list)
    calls: int = 0

    def __call__(self, pull: Callable[[int], Any], **options: Any) -> FakeOutput | FakeSilence:
        self.calls += 1
        if not self.device:
            return FakeSilence(self.reason)
        output = FakeOutput(pull, self.clock, self.clock.monotonic())
        self.opened.append(output)
        return output

    @property
    def last(self) -> FakeOutput:
        assert self.opened, "no output was opened"
        return self.opened[-1]
