"""Sound while a session runs: one output per session, each cue on the frame heard at its moment.

The UI thread owns the session. Whenever the person changes its course it plans there (plan_cues
is plain Python and takes a millisecond) and hands the plan, with the clock's reading at that
moment, to the player's own thread. That thread loads numpy and miniaudio, opens the output,
makes every buffer before it is needed, and puts each plan on the mixer from
`output.frame_at(moment + SCREEN_LAG_SECONDS)`: the frame the speaker plays as the screen shows
that moment. A cue `at` seconds into the plan is then heard `at` seconds after that, so a
step's chime sounds as its step appears. Steps that end by themselves need no new plan: the
last one holds them. A cue due at once (a key press, the start) cannot be heard before what
the device already holds: it starts whole right after, a buffer (about 30 ms) late.

The same thread renders the mixer a second ahead of the device (`Ahead`), so the device's
pull only copies bytes; when the plan changes, what the device has not taken is taken back.

The device's clock and the session's drift apart slowly (a sound card's crystal is not the
computer's), and a device that ran dry (a busy computer) plays on later than planned: the
thread notices when the frame heard at the plan's moment has moved, and moves every sound still
to come by as much, leaving the ones under way alone.

This module imports nothing heavy itself; the thread imports calmfeet.sound.guide (numpy) and
the output (miniaudio). Nothing here ever writes to the terminal: what the person should know
comes back as one line in `SoundNews`, through the `tell` callback, from the player's thread.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from calmfeet.core.clock import Clock
from calmfeet.core.cues import Cue, CueSettings, plan_cues
from calmfeet.core.session import Session
from calmfeet.sound import SAMPLE_RATE

if TYPE_CHECKING:
    from calmfeet.sound.guide import Guide
    from calmfeet.sound.mixer import Mixer
    from calmfeet.sound.voice import Voice

BUFFER_MS = 40
"""The device's buffer, in the 30-50 ms range: each buffer wakes a Python callback (30 ms
cost about a quarter more CPU), and at 50 ms the device's own timing drifts further from its
estimate (about 20 ms, measured through PulseAudio); short enough that a cue a key press
asks for is heard soon after the screen changes (the speaker is always this far behind what
the mixer has made)."""
SCREEN_LAG_SECONDS = 0.020
"""A change reaches the eye about this long after its moment: Textual draws it, the terminal
paints it (measured through tmux: 13-22 ms for a phase word, 5-10 ms more for a new step, which
redraws more). Sounds are placed that much later, so each is heard with what is seen rather
than before it (a sound a little late goes unnoticed; one early is heard as early)."""
AHEAD_SECONDS = 2.0
"""The player's thread renders this far ahead of the device, as 16-bit samples: the device's
pull (25 times a second) only copies bytes. A thread that sleeps between calls pays for
each numpy call many times over (cold caches), so rendering in a few large pieces, topped up
every CHECK_SECONDS, costs a fraction of rendering each block as it is pulled. When the plan
changes, what the device has not taken is taken back and rendered again: a new chime is as
prompt either way."""
CHECK_SECONDS = 1.0
"""How often the player's thread wakes when there is no job: to render ahead, keep to the
device's timing, pass on a failure, and close the output once the last sound has rung out.
Each wake costs a little whatever it renders: once a second, with two seconds ahead, the
thread took 0.05 points of a core where twice a second, with one, took 0.15-0.2 (per-thread
CPU from /proc while pacing through a PulseAudio null sink)."""
DRIFT_SECONDS = 0.004
"""A planned moment now heard this much earlier or later moves what is still to come..."""
SETTLE_SECONDS = 0.2
"""...once the new timing has held this long: a sound server that stalls for a moment and then
catches up (a busy computer) makes the device's timing jump and come back, and following the
jump would put sounds early."""
MAX_RING_SECONDS = 8.0
"""The longest the output stays open after the session, for its last chime to ring out."""


@runtime_checkable
class OutputStream(Protocol):
    """A playing stream (calmfeet.sound.output.Output), as far as the player uses it."""

    latency_seconds: float

    def frame_at(self, when: float) -> int:
        """The frame the speaker plays at monotonic time `when` (the session's clock)."""
        ...

    def take_failure(self) -> str | None:
        """The first error the audio thread met, as one line, once."""
        ...

    def close(self) -> None: ...


Pull = Callable[[int], Any]
OpenOutput = Callable[..., object]
"""`open_output(pull, sample_rate=..., buffer_ms=...)`: an `OutputStream`, or a silence with a
`reason` (calmfeet.sound.output.Silence) when there is no device."""
FindVoice = Callable[[], "Voice | None"]


@dataclass(frozen=True)
class SoundNews:
    """What the player's thread has to tell the app."""

    playing: bool | None = None
    """True once the output is open and the session's sounds are made; False when the
    session is silent after all (no device, or sound failed)."""
    notice: str = ""
    """One line for the person (no device, no voice engine, a failure), or nothing."""


# ---- the jobs the UI thread hands the player's thread ---------------------------------------


@dataclass(frozen=True)
class _Follow:
    moment: float
    cues: Sequence[Cue]


@dataclass(frozen=True)
class _Ended:
    moment: float


@dataclass(frozen=True)
class _Settings:
    settings: CueSettings


@dataclass(frozen=True)
class _Close:
    pass


@dataclass(frozen=True)
class _Mark:
    reached: threading.Event


_Job = _Follow | _Ended | _Settings | _Close | _Mark

VOLUME_ONLY = frozenset({"breath_volume", "steps_volume", "voice_volume", "volume", "muted"})
"""Settings the mixer applies at once; every other one changes what is planned."""


def plan_changes(before: CueSettings, after: CueSettings) -> bool:
    """Whether going from `before` to `after` changes which sounds are planned."""
    return replace(before, **{name: getattr(after, name) for name in VOLUME_ONLY}) != after


@dataclass
class Placed:
    """A plan as it went onto the mixer: its cues, the moment its time 0 is heard (the
    session's moment plus the screen's lag) and the frame heard then."""

    frame: int
    cues: Sequence[Cue]
    moment: float


class LivePlayer:
    """One session's sound, live. Every method is called from the UI thread and returns at
    once; `tell` is called from the player's thread."""

    def __init__(
        self,
        settings: CueSettings,
        clock: Clock,
        *,
        tell: Callable[[SoundNews], None],
        open_output: OpenOutput | None = None,
        find_voice: FindVoice | None = None,
        buffer_ms: int = BUFFER_MS,
        check_seconds: float = CHECK_SECONDS,
        real_time: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._tell = tell
        self._open_output = open_output
        self._find_voice = find_voice
        self._buffer_ms = buffer_ms
        self._check_seconds = check_seconds
        self._real_time = real_time
        """The time a new device timing must hold for is real time, whatever the clock."""
        self._moving: tuple[int, float] | None = None
        """A new device timing seen: by how many frames, and since when (real time)."""
        self._jobs: queue.Queue[_Job] = queue.Queue()
        self._lock = threading.Lock()
        self._output: OutputStream | None = None
        self._closed = False
        self._silent = False
        self._thread: threading.Thread | None = None
        self.guide: Guide | None = None
        """The guide once the player's thread has made it (tests read its mixer)."""
        self.placed: list[Placed] = []
        """Every plan put on the mixer, in order (what tests check)."""
        self.shifts: list[int] = []
        """Each time the device's timing moved, by how many frames what was to come moved."""
        self.done = threading.Event()
        """Set when the player's thread has finished: closed, silent, or failed."""

    # ---- from the UI thread ------------------------------------------------------------------

    def start(self, session: Session) -> None:
        """Open the output and make every sound the session will need, in the player's
        thread; nothing is heard until the first `follow` (when the session starts counting)."""
        cues = plan_cues(session, self.settings)
        self._thread = threading.Thread(
            target=self._run, args=(cues,), name="calmfeet-sound", daemon=True
        )
        self._thread.start()

    def follow(self, session: Session) -> None:
        """The person changed the session's course (or it paused itself): plan again from now.
        Call right after the session was read for the screen."""
        if self._silent or self._closed:
            return
        moment = self.clock.monotonic()
        if session.is_finished:
            self._jobs.put(_Ended(moment))
        else:
            self._jobs.put(_Follow(moment, plan_cues(session, self.settings)))

    def change(self, settings: CueSettings, session: Session) -> None:
        """New settings mid-session: volumes and mute at once, anything else from now on."""
        before, self.settings = self.settings, settings
        if self._silent or self._closed or before == settings:
            return
        self._jobs.put(_Settings(settings))
        if plan_changes(before, settings) and not session.is_finished:
            self.follow(session)

    def end(self, session: Session) -> None:
        """The session is over or was left: a closing chime if it ended early, then the output
        closes once the last sound has rung out."""
        if self._silent or self._closed:
            return
        self._jobs.put(_Ended(self.clock.monotonic()))

    def close(self) -> None:
        """Stop now (calmfeet is stopping): the device is released from this thread at once."""
        with self._lock:
            self._closed = True
            output, self._output = self._output, None
        self._jobs.put(_Close())
        if output is not None:
            with contextlib.suppress(Exception):
                output.close()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every job handed over so far has been done, or dropped by a player that
        has stopped (for tests and measuring); False only after `timeout`."""
        reached = threading.Event()
        self._jobs.put(_Mark(reached))
        deadline = time.monotonic() + timeout
        while not reached.wait(0.005):
            if self.done.is_set():
                return True
            if time.monotonic() > deadline:
                return False
        return True

    @property
    def output(self) -> OutputStream | None:
        """The open stream, or None (not yet open, silent, or closed)."""
        return self._output

    @property
    def playing(self) -> bool:
        """An output is open (it may be muted)."""
        return self._output is not None and not self._closed

    # ---- the player's thread -----------------------------------------------------------------

    def _run(self, first_plan: Sequence[Cue]) -> None:
        try:
            self._play(first_plan)
        except Exception as error:  # the player must never take the app down, nor print
            self._silent = True
            self._tell(SoundNews(playing=False, notice=f"Sound stopped: {_one_line(error)}"))
        finally:
            with self._lock:
                output, self._output = self._output, None
            if output is not None:
                with contextlib.suppress(Exception):
                    output.close()
            self.done.set()

    def _play(self, first_plan: Sequence[Cue]) -> None:
        from calmfeet.sound.guide import Guide

        settings = self.settings
        voice = self._voice(settings)
        guide = Guide(
            settings, sample_rate=SAMPLE_RATE, voice=voice, rewind_seconds=2 * AHEAD_SECONDS
        )
        ahead = Ahead(guide.mixer)
        output = self._open(ahead.pull)
        if output is None:
            return
        self.guide = guide
        guide.prepare_plan(first_plan)
        for notice in guide.notices:
            self._tell(SoundNews(notice=notice))
        self._tell(SoundNews(playing=True))
        self._serve(guide, output, ahead)

    def _voice(self, settings: CueSettings) -> Voice | None:
        if not settings.voice:
            return None
        from calmfeet.sound.voice import NO_VOICE_NOTICE, find_voice

        voice = (self._find_voice or find_voice)()
        if voice is None:
            self._tell(SoundNews(notice=NO_VOICE_NOTICE))
        return voice

    def _open(self, pull: Pull) -> OutputStream | None:
        opener = self._open_output
        if opener is None:
            from calmfeet.sound.output import open_output

            opener = open_output
        opened = opener(pull, sample_rate=SAMPLE_RATE, buffer_ms=self._buffer_ms)
        if not isinstance(opened, OutputStream):
            self._silent = True
            reason = str(getattr(opened, "reason", "") or "No sound device, so calmfeet is silent.")
            self._tell(SoundNews(playing=False, notice=reason))
            with contextlib.suppress(Exception):
                getattr(opened, "close", lambda: None)()
            return None
        with self._lock:
            if self._closed:
                opened.close()
                return None
            self._output = opened
        return opened

    def _serve(self, guide: Guide, output: OutputStream, ahead: Ahead) -> None:
        """Do each job as it comes; at every wake render ahead and keep the plan on the
        device's timing; after the end, close once the last sound has been heard."""
        rate = guide.sample_rate
        ringing: tuple[int, float] | None = None  # after the end: the last frame, a time limit
        while True:
            try:
                job: _Job | None = self._jobs.get(timeout=self._check_seconds)
            except queue.Empty:
                job = None
            if self._closed or isinstance(job, _Close):
                return
            if isinstance(job, _Settings):
                voice = guide.bank.voice
                if job.settings.voice and voice is None:
                    voice = self._voice(job.settings)
                with ahead.changing():  # mute and volumes from what the device plays next
                    guide.use_settings(self.settings, voice)
            elif isinstance(job, _Follow):
                guide.bank.prepare(job.cues)  # any new sound made before the device waits
                with ahead.changing():
                    heard_at = job.moment + SCREEN_LAG_SECONDS
                    frame = output.frame_at(heard_at)
                    guide.follow(job.cues, frame)
                    self.placed.append(Placed(frame, job.cues, heard_at))
                self._moving = None
                ringing = None
            elif isinstance(job, _Ended):
                with ahead.changing():
                    guide.ended(output.frame_at(job.moment + SCREEN_LAG_SECONDS))
                last_frame = guide.mixer.busy_until + round(output.latency_seconds * rate)
                ringing = (last_frame, job.moment + MAX_RING_SECONDS)
            failure = output.take_failure()
            if failure:
                self._tell(SoundNews(notice=failure))
            if ringing is None:
                self._keep_time(guide, output, ahead)
            else:
                now = self.clock.monotonic()
                if output.frame_at(now) >= ringing[0] or now >= ringing[1]:
                    return  # the last sound has been heard: the output closes
            ahead.top_up(round(AHEAD_SECONDS * rate))
            if isinstance(job, _Mark):
                job.reached.set()

    def _keep_time(self, guide: Guide, output: OutputStream, ahead: Ahead) -> None:
        """Move what is still to come when the device's timing has moved, and held."""
        placed = self.placed[-1] if self.placed else None
        if placed is None:
            return
        drift_frames = round(DRIFT_SECONDS * guide.sample_rate)
        moved = output.frame_at(placed.moment) - placed.frame
        moving = self._moving
        if abs(moved) <= drift_frames:
            self._moving = None
        elif moving is None or abs(moved - moving[0]) > drift_frames:
            self._moving = (moved, self._real_time())
        elif self._real_time() - moving[1] >= SETTLE_SECONDS:
            with ahead.changing():
                guide.shift(moved)
            placed.frame += moved
            self.shifts.append(moved)
            self._moving = None


class Ahead:
    """The mixer's sound rendered ahead of the device, as 16-bit bytes (see AHEAD_SECONDS).

    The device's thread takes bytes with `pull`; the player's thread renders with `top_up`,
    and changes the mixer only inside `changing()`, which takes back whatever the device has
    not taken yet. The mixer's position is always what was taken plus what waits here."""

    def __init__(self, mixer: Mixer) -> None:
        self.mixer = mixer
        self.taken = 0
        """Frames the device has taken."""
        self._waiting = bytearray()
        self._lock = threading.Lock()
        self._full_scale = 32767.0

    def pull(self, frames: int) -> bytes:
        """The device's next `frames` (its own thread): rendered here only if the player's
        thread fell behind."""
        size = 2 * frames
        with self._lock:
            if len(self._waiting) < size:
                self._render(frames - len(self._waiting) // 2)
            block = bytes(self._waiting[:size])
            del self._waiting[:size]
            self.taken += frames
        return block

    def top_up(self, frames: int) -> None:
        """Render until `frames` wait for the device."""
        with self._lock:
            missing = frames - len(self._waiting) // 2
            if missing > 0:
                self._render(missing)

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """Change the mixer (a new plan, mute, a shift) from what the device takes next: what
        waits is taken back, the change made, and a little rendered at once."""
        with self._lock:
            self._waiting.clear()
            self.mixer.rewind(self.taken)
            yield
            self._render(round(0.1 * self.mixer.sample_rate))

    def _render(self, frames: int) -> None:
        block = self.mixer.render(frames) * self._full_scale  # within -1..1: no clipping
        self._waiting += block.astype("<i2").tobytes()


def _one_line(error: BaseException) -> str:
    detail = " ".join(str(error).split())
    name = type(error).__name__
    return f"{name}: {detail}" if detail else name
