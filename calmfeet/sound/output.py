"""The live sound output: one miniaudio stream per session, pulling samples from the mixer.

`open_output(pull)` starts a playback stream whose audio thread calls `pull(frames)` for the next
block of float32 mono samples whenever the device wants more (every buffer, 30-50 ms). It returns
an `Output`, or a `Silence` that says in one line why there is no sound: a missing device never
raises. Two things a terminal app must not suffer are handled here: the C libraries' error
chatter on fd 2 (it would land over the UI), and an exception in `pull` (it would print a
traceback from the audio thread and stop the sound for good).

Never imported at start-up: numpy and miniaudio load when a session first wants sound.

    output = open_output(mixer.render)  # an Output, or Silence(reason) to tell the person once
    # Inside mixer.render(frames) the block starts at frame output.frames_pulled, heard at
    # output.frame_time(output.frames_pulled); a cue due at monotonic time T goes at frame
    # output.frame_at(T).
    output.take_failure()  # now and then: a one-line error to show once, or None
    output.close()
"""

from __future__ import annotations

import ctypes
import math
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

ENV_BACKEND = "CALMFEET_AUDIO_BACKEND"
"""Forces one sound system by miniaudio's name for it: `null` (plays into nothing, for CI),
`pulseaudio`, `alsa`, `jack`, `coreaudio`, `wasapi`..."""

NO_DEVICE = "No sound device, so calmfeet is silent."

Samples = npt.NDArray[np.float32]
Pull = Callable[[int], "Samples | bytes"]
"""`pull(frames)` -> that many float32 mono samples in -1..1: the mixer's next block; or that
many little-endian 16-bit samples as bytes, already converted (passed on as they are)."""

LINUX_BACKENDS = ("PULSEAUDIO", "ALSA")
"""Where miniaudio looks on Linux. PipeWire answers as PulseAudio. JACK is left out: with no JACK
server running, libjack prints its failure to fd 2, and JACK users have a PulseAudio bridge."""

_ALIASES = {"PULSE": "PULSEAUDIO", "PIPEWIRE": "PULSEAUDIO"}


@dataclass(frozen=True)
class Silence:
    """No sound this session, and why, in one line a person can read."""

    reason: str

    def close(self) -> None:
        """Nothing to stop: here so a session can close whatever `open_output` gave it."""


class PullTimeline:
    """Maps the frames a device pulls to the monotonic time each is heard.

    The device asks for frame F when its buffer has room, so in steady play the pull of F
    happens a fixed time before F is heard, plus scheduling delay that is never negative.
    The earliest pull relative to its frames over the last second is the best anchor; a
    pull much later than that means the device ran dry or started late (a PulseAudio null
    sink sleeps up to 2 s before its first stream), and the timeline starts again from it.
    Pure arithmetic on the times it is given, so it is tested with made-up times.
    """

    def __init__(
        self, sample_rate: int, latency_seconds: float, period_seconds: float, start: float
    ) -> None:
        self.sample_rate = sample_rate
        self.latency_seconds = latency_seconds
        self._restart_after = 1.5 * period_seconds
        self._offsets: deque[float] = deque(maxlen=max(4, math.ceil(1.0 / period_seconds)))
        self._start = start
        self._lock = threading.Lock()

    def note_pull(self, when: float, first_frame: int) -> None:
        """The device asked for frames from `first_frame` on at monotonic time `when`."""
        offset = when - first_frame / self.sample_rate
        with self._lock:
            if self._offsets and offset > min(self._offsets) + self._restart_after:
                self._offsets.clear()
            self._offsets.append(offset)

    def _anchor(self) -> float:
        """Monotonic time, minus the latency, at which frame 0 is heard."""
        with self._lock:
            return min(self._offsets) if self._offsets else self._start

    def frame_time(self, frame: int) -> float:
        """When `frame` reaches the speaker, in time.monotonic() seconds (an estimate)."""
        return self._anchor() + frame / self.sample_rate + self.latency_seconds

    def frame_at(self, when: float) -> int:
        """The frame the speaker plays at monotonic time `when`: where to put a cue for then."""
        return round((when - self.latency_seconds - self._anchor()) * self.sample_rate)


def pcm16(block: Any, frames: int) -> bytes:
    """Exactly `frames` mono 16-bit samples from the mixer's float block: clipped, NaN as
    silence, padded with silence or cut when the block has the wrong length. A block already
    in 16-bit bytes is passed on (fitted to length): the live player converts its own, since
    in the audio thread, which sleeps between blocks, every numpy call costs far more."""
    if isinstance(block, bytes):
        size = 2 * frames
        return block if len(block) == size else (block + bytes(size))[:size]
    samples = np.asarray(block, dtype=np.float32).reshape(-1)
    if samples.shape[0] != frames:
        fitted = np.zeros(frames, dtype=np.float32)
        kept = min(frames, samples.shape[0])
        fitted[:kept] = samples[:kept]
        samples = fitted
    scaled = np.clip(samples, -1.0, 1.0) * np.float32(32767.0)  # infinities clip to full scale
    np.nan_to_num(scaled, copy=False, nan=0.0)
    return scaled.astype("<i2").tobytes()


def _one_line(error: BaseException) -> str:
    detail = " ".join(str(error).split())
    name = type(error).__name__
    return f"{name}: {detail}" if detail else name


class Output:
    """A running playback stream. Its audio thread calls `pull`; `close()` stops it."""

    def __init__(
        self, device: Any, pull: Pull, sample_rate: int, buffer_ms: int, started: float
    ) -> None:
        self._device = device
        self._pull = pull
        self.sample_rate = sample_rate
        self.buffer_ms = buffer_ms
        self.backend: str = str(getattr(device, "backend", ""))
        """miniaudio's name for the sound system playing: "PulseAudio", "ALSA", "Null"..."""
        self.latency_seconds = buffer_ms / 1000
        """How long after a steady pull its first frame is heard: one buffer. Measured on a
        PulseAudio null sink's monitor: 21, 31 and 30 ms for 30, 40 and 50 ms buffers; a real
        speaker adds its hardware's own delay. (A stream's very first block plays at once.)"""
        self.timeline = PullTimeline(sample_rate, self.latency_seconds, buffer_ms / 1000, started)
        self.frames_pulled = 0
        """Frames handed to the device so far; inside `pull`, the first frame of its block."""
        self.last_pull_at: float | None = None
        """time.monotonic() of the latest pull: a stream whose server went away stops pulling
        (miniaudio does not say so), so a long silence here means no sound."""
        self.pull_errors = 0
        self._failure: str | None = None
        self._failure_taken = False
        self._closed = False
        self._close_lock = threading.Lock()

    def start(self) -> None:
        feeder = self._feed()
        next(feeder)
        self._device.start(feeder)

    def _feed(self) -> Generator[bytes, int, None]:
        """The generator miniaudio's audio thread sends frame counts to."""
        frames = yield b""
        while True:
            frames = yield self._next_block(frames)

    def _next_block(self, frames: int) -> bytes:
        first = self.frames_pulled
        now = time.monotonic()
        self.timeline.note_pull(now, first)
        self.last_pull_at = now
        try:
            return pcm16(self._pull(frames), frames)
        except Exception as error:  # the audio thread must go on, and print nothing
            self.pull_errors += 1
            if self._failure is None:
                self._failure = f"Sound failed, so this block is silent: {_one_line(error)}"
            return bytes(2 * frames)
        finally:
            self.frames_pulled = first + frames

    def frame_time(self, frame: int) -> float:
        """When `frame` reaches the speaker, in time.monotonic() seconds (an estimate; freshest
        when asked from inside `pull`)."""
        return self.timeline.frame_time(frame)

    def frame_at(self, when: float) -> int:
        """The frame heard at monotonic time `when`."""
        return self.timeline.frame_at(when)

    @property
    def failure(self) -> str | None:
        """The first error `pull` raised, as one line, or None."""
        return self._failure

    def take_failure(self) -> str | None:
        """The first error `pull` raised, once: None afterwards, so the app reports it once."""
        if self._failure is None or self._failure_taken:
            return None
        self._failure_taken = True
        return self._failure

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stop pulling and release the device; safe to call twice."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self._device.close()


_quieted: list[Any] = []
"""The C callbacks given to libasound and libjack: kept alive for as long as the process."""


def quiet_native_chatter(backends: list[str] | None) -> None:
    """Stop ALSA (and JACK, when it may be tried) printing to fd 2, over the UI.

    libasound prints ~30 `ALSA lib ...` lines when there is no sound card; a no-op error
    handler, installed before miniaudio opens anything, keeps them off the screen. Both
    libraries are loaded by soname, the same copy miniaudio loads later.
    """
    if not sys.platform.startswith("linux") or _quieted:
        return
    wanted = set(backends) if backends is not None else {"ALSA", "JACK"}
    if "ALSA" in wanted:
        try:
            asound = ctypes.CDLL("libasound.so.2")
        except OSError:
            pass
        else:
            alsa_handler = ctypes.CFUNCTYPE(
                None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
            )
            quiet_alsa = alsa_handler(lambda *_: None)
            asound.snd_lib_error_set_handler(quiet_alsa)
            _quieted.append(quiet_alsa)
    if "JACK" in wanted:
        try:
            jack = ctypes.CDLL("libjack.so.0")
        except OSError:
            pass
        else:
            quiet_jack = ctypes.CFUNCTYPE(None, ctypes.c_char_p)(lambda _: None)
            jack.jack_set_error_function(quiet_jack)
            jack.jack_set_info_function(quiet_jack)
            _quieted.append(quiet_jack)


def _backend_names(
    backend: str | None, known: Collection[str]
) -> tuple[list[str] | None, str | None]:
    """miniaudio Backend names to try (None: miniaudio's own order), or a reason to be silent."""
    chosen = backend if backend is not None else os.environ.get(ENV_BACKEND, "").strip()
    if chosen:
        name = chosen.strip().upper()
        name = _ALIASES.get(name, name)
        if name not in known:
            source = "" if backend is not None else f" in {ENV_BACKEND}"
            return None, f"Unknown sound system {chosen.strip()!r}{source}, so calmfeet is silent."
        return [name], None
    if sys.platform.startswith("linux"):
        return list(LINUX_BACKENDS), None
    return None, None


def open_output(
    pull: Pull,
    sample_rate: int = 44100,
    buffer_ms: int = 40,
    backend: str | None = None,
) -> Output | Silence:
    """Start playing what `pull` gives, or say why not. Never raises for want of a device.

    `backend` (or the CALMFEET_AUDIO_BACKEND variable) forces one sound system; "null" plays
    into nothing at the real pace, for tests.
    """
    if not 10 <= buffer_ms <= 200:
        raise ValueError(f"buffer_ms must be 10-200, not {buffer_ms}")
    try:
        import miniaudio
    except ImportError:
        return Silence("The sound library (miniaudio) is missing, so calmfeet is silent.")
    names, problem = _backend_names(backend, miniaudio.Backend.__members__)
    if problem is not None:
        return Silence(problem)
    quiet_native_chatter(names)
    backends = [miniaudio.Backend[name] for name in names] if names is not None else None
    try:
        device = miniaudio.PlaybackDevice(
            output_format=miniaudio.SampleFormat.SIGNED16,
            nchannels=1,
            sample_rate=sample_rate,
            buffersize_msec=buffer_ms,
            backends=backends,
            app_name="calmfeet",
        )
    except Exception:  # miniaudio says only "failed to init device": there is no sound here
        if names is not None and len(names) == 1:
            return Silence(f"No sound device ({names[0].lower()}), so calmfeet is silent.")
        return Silence(NO_DEVICE)
    if device.backend == "Null" and names != ["NULL"]:
        device.close()  # miniaudio's last resort plays into nothing: that is silence
        return Silence(NO_DEVICE)
    output = Output(device, pull, sample_rate, buffer_ms, time.monotonic())
    try:
        output.start()
    except Exception:
        output.close()
        return Silence(NO_DEVICE)
    return output
