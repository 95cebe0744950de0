"""The mixer: sums pre-rendered buffers at the frames they were scheduled for.

One mixer serves a live session (the live player renders a few tenths of a second at a time) and
an audio file (`calmfeet audio` pulls larger blocks): the same code, so a file has the app's
timing. `render` only adds slices of buffers that already exist, under a lock held briefly; all
synthesis happens before a sound is scheduled.

Nothing ever starts or stops abruptly: a sound scheduled to start before the current position
joins part-way with a short fade-in, a sound cleared while it plays fades out, and a volume
or mute change glides over one block. A sound cleared and scheduled again from the same frame
(`replace_from`, after the player re-plans) crossfades with itself, which is inaudible.

A live player renders ahead of the device: `rewind` takes back what the device has not played
(every sound and gain as they were there), and `shift_pending` moves what is still to come
when the device's timing moves.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from calmfeet.core.cues import Layer
from calmfeet.sound import SAMPLE_RATE

Buffer = npt.NDArray[np.float32]
LAYERS = tuple(Layer)
FADE_SECONDS = 0.05
"""How long a cleared sound takes to fade out, and a sound joined part-way to fade in."""
LIMIT_KNEE = 0.8
"""Above this the output is bent softly towards 1.0 instead of clipping."""


@dataclass
class _Sound:
    start: int
    """The frame buffer[0] belongs at (it may be before anything of it is heard)."""
    buffer: Buffer
    layer: Layer
    end: int
    """The frame after the last one heard."""
    fade_in_at: int | None = None
    """Joined part-way: silent before this frame, fading in from it."""
    fade_out_at: int | None = None
    """Cleared: fading out from this frame to `end`."""

    @property
    def heard_from(self) -> int:
        return self.start if self.fade_in_at is None else max(self.start, self.fade_in_at)


@dataclass
class _Block:
    """One rendered block's gains: what each layer (and the master) glided from and to."""

    start: int
    frames: int
    applied: dict[Layer, float]
    targets: dict[Layer, float]
    master_applied: float
    master_target: float


class Mixer:
    """Scheduled buffers in, float32 mono blocks out; thread-safe."""

    def __init__(
        self,
        sample_rate: int = SAMPLE_RATE,
        *,
        fade_seconds: float = FADE_SECONDS,
        rewind_seconds: float = 0.0,
    ):
        """`rewind_seconds`: how far back `rewind` may go (a live player renders ahead of the
        device and takes back what it has not played yet when the plan changes)."""
        self.sample_rate = sample_rate
        self._fade = max(1, round(fade_seconds * sample_rate))
        self._lock = threading.Lock()
        self._pending: list[tuple[int, int, _Sound]] = []  # heap by first frame heard
        self._order = itertools.count()
        self._active: list[_Sound] = []
        self._keep = round(rewind_seconds * sample_rate)
        self._finished: list[_Sound] = []  # ended within the last `_keep` frames
        self._rendered: list[_Block] = []  # the gains of each block within `_keep` frames
        self._position = 0
        self._volumes = dict.fromkeys(LAYERS, 1.0)
        self._applied = dict.fromkeys(LAYERS, 1.0)
        self._master = 1.0
        self._muted = False
        self._applied_master = 1.0

    # ---- what to play --------------------------------------------------------------------

    def schedule(self, at_frame: int, buffer: Buffer, layer: Layer) -> None:
        """Play `buffer` from `at_frame`; a start already rendered joins part-way, faded in."""
        with self._lock:
            self._add(at_frame, buffer, layer, self._position)

    def clear_from(self, frame: int, *, ring_on: Collection[Layer] = ()) -> None:
        """Drop every sound that starts at or after `frame`; fade out (never cut) the rest that
        would still be playing then, except on the `ring_on` layers, where a sound already
        struck rings out."""
        with self._lock:
            self._clear(frame, ring_on)

    def replace_from(
        self,
        frame: int,
        sounds: Iterable[tuple[int, Buffer, Layer]],
        *,
        ring_on: Collection[Layer] = (),
        whole: Collection[Layer] = (),
    ) -> None:
        """`clear_from(frame, ring_on=...)` and schedule `sounds` (at_frame, buffer, layer) in
        one step: what a player does after re-planning. A new sound that starts before `frame`
        (or before what was already rendered) joins there, so a tone planned the same as
        before crossfades with itself; one on a `whole` layer (a chime, words) starts there
        whole instead, a moment late rather than without its beginning."""
        with self._lock:
            self._clear(frame, ring_on)
            joins = max(frame, self._position)
            for at_frame, buffer, layer in sounds:
                if layer in whole and at_frame < joins:
                    at_frame = joins
                self._add(at_frame, buffer, layer, joins)

    def shift_pending(self, frames: int, *, whole: Collection[Layer] = ()) -> None:
        """Move every sound not yet begun by `frames` (earlier when negative), leaving the ones
        under way alone: the device's timing moved (it ran dry, or its clock drifted), so
        what is still to come must move with it. One now due before what was already rendered
        joins there part-way, or starts there whole on a `whole` layer."""
        if not frames:
            return
        with self._lock:
            pending, self._pending = [item[2] for item in self._pending], []
            for sound in pending:
                sound.start += frames
                sound.end += frames
                if sound.fade_in_at is not None:
                    sound.fade_in_at += frames
                if sound.fade_out_at is not None:
                    sound.fade_out_at += frames
                if sound.layer in whole and sound.heard_from < self._position:
                    late = self._position - sound.heard_from
                    sound.start += late
                    sound.end += late
                    if sound.fade_out_at is not None:
                        sound.fade_out_at += late
                    if sound.fade_in_at is not None:
                        sound.fade_in_at += late
                elif sound.heard_from < self._position:
                    sound.fade_in_at = self._position
                if sound.end > self._position:
                    heapq.heappush(self._pending, (sound.heard_from, next(self._order), sound))

    def _add(self, at_frame: int, buffer: Buffer, layer: Layer, not_before: int) -> None:
        end = at_frame + len(buffer)
        if end <= not_before or not len(buffer):
            return
        sound = _Sound(at_frame, buffer, layer, end)
        if at_frame < not_before:
            sound.fade_in_at = not_before
        heapq.heappush(self._pending, (sound.heard_from, next(self._order), sound))

    def _clear(self, frame: int, ring_on: Collection[Layer]) -> None:
        # What was rendered cannot be taken back: a sound already under way at the current
        # position is faded from there (or rings on), never dropped mid-way, even when
        # `frame` is earlier (a live player re-plans from the frame heard now, which the
        # device's buffer has already been given).
        fade_from = max(frame, self._position)
        self._pending = [item for item in self._pending if item[2].heard_from < fade_from]
        heapq.heapify(self._pending)
        self._active = [sound for sound in self._active if sound.heard_from < fade_from]
        for sound in [item[2] for item in self._pending] + self._active:
            if sound.end > fade_from and sound.layer not in ring_on:
                if sound.fade_out_at is None or sound.fade_out_at > fade_from:
                    sound.fade_out_at = fade_from
                sound.end = min(sound.end, fade_from + self._fade)

    # ---- volume --------------------------------------------------------------------------

    def set_volume(self, layer: Layer, volume: float) -> None:
        """A layer's loudness, 0 (off) to 1 (as synthesized); changes glide over a block."""
        with self._lock:
            self._volumes[layer] = max(0.0, float(volume))

    def volume(self, layer: Layer) -> float:
        return self._volumes[layer]

    @property
    def master(self) -> float:
        return self._master

    @master.setter
    def master(self, volume: float) -> None:
        with self._lock:
            self._master = max(0.0, float(volume))

    @property
    def muted(self) -> bool:
        return self._muted

    @muted.setter
    def muted(self, muted: bool) -> None:
        with self._lock:
            self._muted = bool(muted)

    # ---- reading -------------------------------------------------------------------------

    @property
    def position(self) -> int:
        """Frames rendered so far: the frame the next `render` starts at."""
        return self._position

    @property
    def busy_until(self) -> int:
        """The frame after the last one any scheduled sound plays (the position if none)."""
        with self._lock:
            ends = [s.end for s in self._active] + [item[2].end for item in self._pending]
            return max([self._position, *ends])

    def render(self, frames: int) -> Buffer:
        """The next `frames` frames, float32 mono within (-1, 1), and move on past them.

        Kept to a few numpy calls a block: a live device calls this 20-35 times a second from
        a thread that slept in between, where every call costs far more than it would warm."""
        with self._lock:
            start = self._position
            stop = start + frames
            while self._pending and self._pending[0][0] < stop:
                self._active.append(heapq.heappop(self._pending)[2])
            target = 0.0 if self._muted else self._master
            if self._keep:
                self._note_block(start, frames, target)
            master = self._glide(self._applied_master, target, frames)
            self._applied_master = target
            gains: dict[Layer, float | npt.NDArray[np.float32]] = {}
            for layer in LAYERS:
                volume = self._volumes[layer]
                gains[layer] = self._glide(self._applied[layer], volume, frames) * master
                self._applied[layer] = volume
            out = np.zeros(frames, np.float32)
            for sound in self._active:
                a = max(sound.heard_from, start)
                b = min(sound.end, stop)
                if a >= b:
                    continue
                piece = sound.buffer[a - sound.start : b - sound.start]
                piece = self._faded(sound, piece, a, b)
                gain = gains[sound.layer]
                if isinstance(gain, np.ndarray):
                    out[a - start : b - start] += piece * gain[a - start : b - start]
                elif gain == 1.0:
                    out[a - start : b - start] += piece
                elif gain:
                    out[a - start : b - start] += piece * np.float32(gain)
            if self._keep:
                kept = stop - self._keep
                self._finished = [sound for sound in self._finished if sound.end > kept]
                self._finished += [sound for sound in self._active if sound.end <= stop]
            self._active = [sound for sound in self._active if sound.end > stop]
            self._position = stop
        return soft_limit(out)

    def _note_block(self, start: int, frames: int, master_target: float) -> None:
        """Remember the gains a block glides between, so a rewind into it resumes them."""
        kept = start - self._keep
        self._rendered = [block for block in self._rendered if block.start + block.frames > kept]
        self._rendered.append(
            _Block(
                start,
                frames,
                dict(self._applied),
                dict(self._volumes),
                self._applied_master,
                master_target,
            )
        )

    def rewind(self, frame: int) -> None:
        """Take back what was rendered from `frame` on, as if it never was: the next `render`
        starts at `frame`, with every sound and gain as they were there (only as far back
        as `rewind_seconds`). What was taken back must never have been played."""
        with self._lock:
            if frame >= self._position:
                return
            if frame < self._position - self._keep:
                raise ValueError(f"cannot rewind {self._position - frame} frames")
            for block in self._rendered:
                if block.start <= frame < block.start + block.frames:
                    done = (frame - block.start) / block.frames
                    for layer in LAYERS:
                        before, after = block.applied[layer], block.targets[layer]
                        self._applied[layer] = before + (after - before) * done
                    before, after = block.master_applied, block.master_target
                    self._applied_master = before + (after - before) * done
                    break
            self._rendered = [block for block in self._rendered if block.start < frame]
            sounds, self._active, self._finished = self._active + self._finished, [], []
            for sound in sounds:
                if sound.heard_from >= frame:
                    heapq.heappush(self._pending, (sound.heard_from, next(self._order), sound))
                elif sound.end > frame:
                    self._active.append(sound)
                else:
                    self._finished.append(sound)
            self._position = frame

    def _faded(self, sound: _Sound, piece: Buffer, a: int, b: int) -> Buffer:
        if sound.fade_in_at is not None and a < sound.fade_in_at + self._fade:
            frames = np.arange(a, b, dtype=np.float64)
            ramp = np.clip((frames - sound.fade_in_at + 1) / self._fade, 0.0, 1.0)
            piece = (piece * ramp).astype(np.float32)
        if sound.fade_out_at is not None and b > sound.fade_out_at:
            frames = np.arange(a, b, dtype=np.float64)
            ramp = np.clip(1.0 - (frames - sound.fade_out_at + 1) / self._fade, 0.0, 1.0)
            piece = (piece * ramp).astype(np.float32)
        return piece

    @staticmethod
    def _glide(before: float, after: float, frames: int) -> float | npt.NDArray[np.float32]:
        if before == after:
            return after
        return np.linspace(before, after, frames, endpoint=False, dtype=np.float32) + np.float32(
            (after - before) / frames
        )


def soft_limit(samples: Buffer) -> Buffer:
    """Leave everything below LIMIT_KNEE alone and bend what is above towards 1.0, so even
    sounds piled on each other never clip."""
    if not len(samples) or max(float(samples.max()), -float(samples.min())) <= LIMIT_KNEE:
        return samples
    magnitude = np.abs(samples)
    over = magnitude > LIMIT_KNEE
    room = 1.0 - LIMIT_KNEE
    bent = LIMIT_KNEE + room * np.tanh((magnitude[over] - LIMIT_KNEE) / room)
    limited = samples.copy()
    limited[over] = (np.sign(samples[over]) * bent * 0.999).astype(np.float32)
    return limited
