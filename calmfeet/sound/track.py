"""A routine's whole guidance as a WAV file, for a phone or a speaker away from the computer.

The track is made the way the app plays: a session on a clock that only moves when told, and
a `Guide` (the live player's too) that plans its cues, schedules their buffers into its mixer
and gives blocks from `Mixer.render`, streamed to disk (a 15-minute track needs a few
megabytes of memory, not the whole file).
"""

from __future__ import annotations

import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import numpy as np

from calmfeet.core.clock import FakeClock
from calmfeet.core.cues import Cue, CueSettings, plan_cues
from calmfeet.core.files import atomic_output
from calmfeet.core.model import Routine
from calmfeet.core.session import Session
from calmfeet.sound import SAMPLE_RATE
from calmfeet.sound.guide import Guide
from calmfeet.sound.mixer import Buffer
from calmfeet.sound.voice import Voice

BLOCK_FRAMES = 8192
"""Frames pulled from the mixer at a time for a file (the live player pulls 30-50 ms)."""
TAIL_SECONDS = 0.5
"""Silence after the last sound, so a player does not cut the closing chime's end."""
DEFAULT_LEAD_IN_SECONDS = 5.0
DEFAULT_SWITCH_SECONDS = 3.0

Progress = Callable[[int, int], None]
"""progress(frames done, frames in all), called after each block."""


@dataclass(frozen=True)
class Track:
    """What was written: the plan it follows (times from the track's start) and its length."""

    cues: list[Cue]
    frames: int
    sample_rate: int
    notices: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate


def plan_track(
    routine: Routine,
    settings: CueSettings,
    *,
    lead_in_seconds: float = DEFAULT_LEAD_IN_SECONDS,
    switch_seconds: float = DEFAULT_SWITCH_SECONDS,
) -> list[Cue]:
    """Every cue of the routine from its start, as the app would plan a new session."""
    session = Session(
        routine, FakeClock(), lead_in_seconds=lead_in_seconds, switch_seconds=switch_seconds
    )
    session.update()
    return plan_cues(session, settings)


def pcm16(samples: Buffer) -> bytes:
    """Little-endian 16-bit samples; the mixer keeps within (-1, 1), so nothing clips."""
    return np.asarray(np.round(samples * 32767.0), dtype="<i2").tobytes()


def render_track(
    routine: Routine,
    out: BinaryIO,
    settings: CueSettings | None = None,
    *,
    sample_rate: int = SAMPLE_RATE,
    voice: Voice | None = None,
    lead_in_seconds: float = DEFAULT_LEAD_IN_SECONDS,
    switch_seconds: float = DEFAULT_SWITCH_SECONDS,
    progress: Progress | None = None,
    block_frames: int = BLOCK_FRAMES,
) -> Track:
    """Write the routine's guidance to `out` (seekable) as a 16-bit PCM mono WAV."""
    guide = Guide(settings or CueSettings(), sample_rate=sample_rate, voice=voice, live=False)
    session = Session(
        routine, FakeClock(), lead_in_seconds=lead_in_seconds, switch_seconds=switch_seconds
    )
    session.update()
    guide.prepare(session)
    cues = guide.replan(session, 0)
    mixer = guide.mixer
    total = mixer.busy_until + round(TAIL_SECONDS * sample_rate)
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(sample_rate)
        while mixer.position < total:
            block = mixer.render(min(block_frames, total - mixer.position))
            writer.writeframes(pcm16(block))
            if progress is not None:
                progress(mixer.position, total)
    return Track(cues, total, sample_rate, guide.notices)


def write_track(
    path: Path,
    routine: Routine,
    settings: CueSettings | None = None,
    *,
    sample_rate: int = SAMPLE_RATE,
    voice: Voice | None = None,
    lead_in_seconds: float = DEFAULT_LEAD_IN_SECONDS,
    switch_seconds: float = DEFAULT_SWITCH_SECONDS,
    progress: Progress | None = None,
    block_frames: int = BLOCK_FRAMES,
) -> Track:
    """`render_track` into `path`, all or nothing (core.files.atomic_output): no half file is
    ever left, even after ctrl+c. Raises OSError when the place cannot be written."""
    with atomic_output(path, shared=True) as out:
        return render_track(
            routine,
            out,
            settings,
            sample_rate=sample_rate,
            voice=voice,
            lead_in_seconds=lead_in_seconds,
            switch_seconds=switch_seconds,
            progress=progress,
            block_frames=block_frames,
        )


def timed_routine(minutes: float, base: Routine) -> Routine:
    """`base`'s steps over and over, the last one cut, to last exactly `minutes`."""
    target = minutes * 60.0
    steps = []
    total = 0.0
    while total < target:
        for step in base.steps:
            seconds = min(step.seconds, target - total)
            if seconds <= 0:
                break
            steps.append(replace(step, seconds=seconds))
            total += seconds
    return replace(base, id=f"{base.id}-{minutes:g}min", steps=tuple(steps))


def render_seconds(routine_minutes: float = 15.0, *, with_voice: bool = True) -> float:
    """The benchmark's row: wall seconds to write a `routine_minutes` track of the whole-foot
    tour (voice included when an engine is installed) to a temporary file. Target: under 10 s
    for 15 minutes."""
    from calmfeet.core.paths import builtin_routines_dir
    from calmfeet.core.routines import load_routine
    from calmfeet.sound.voice import find_voice

    base = load_routine(builtin_routines_dir() / "whole-foot-tour.toml", "whole-foot-tour")
    routine = timed_routine(routine_minutes, base)
    voice = find_voice() if with_voice else None
    with tempfile.TemporaryDirectory(prefix="calmfeet-bench-") as folder:
        began = time.perf_counter()
        write_track(Path(folder) / "track.wav", routine, CueSettings(), voice=voice)
        return time.perf_counter() - began
