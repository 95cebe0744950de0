"""The session engine: where a routine is, how long is left, and what happened, from a clock."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from pathlib import Path

from calmfeet.core.breathing import BreathingPattern, PhaseState
from calmfeet.core.clock import Clock
from calmfeet.core.model import BREATHING_ONLY_ID, Routine, Step

SLEEP_GAP_SECONDS = 5.0
"""How far the wall clock may run ahead of (or behind) the monotonic one before we call it sleep."""

SLEEP_REASON = "The computer slept, so the session paused. Press space to go on."
STOPPED_REASON = "calmfeet was stopped, so the session paused. Press space to go on."
DEFAULT_ADDED_SECONDS = 30.0


class SessionState(enum.Enum):
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"


class InterludeKind(enum.Enum):
    LEAD_IN = "lead-in"
    """Get ready: before the first step, once."""
    SWITCH = "switch"
    """Change feet: before a step on the other foot than the one before it."""


@dataclass(frozen=True)
class StepStarted:
    index: int
    step: Step


@dataclass(frozen=True)
class StepFinished:
    """`completed` is False when the person moved on (next, previous, restart) before zero."""

    index: int
    step: Step
    completed: bool


@dataclass(frozen=True)
class HalfwayReached:
    """The step at `index` reached half its own length and has a `halfway` cue to give."""

    index: int
    step: Step


@dataclass(frozen=True)
class InterludeFinished:
    """A lead-in or switch pause ended (ran out or skipped): the step at `index` starts now."""

    index: int
    kind: InterludeKind


@dataclass(frozen=True)
class RoutineFinished:
    seconds_practised: float
    steps_done: int


@dataclass(frozen=True)
class SessionPaused:
    """`reason` is None when the person paused; a sentence for them when the session did."""

    reason: str | None


@dataclass(frozen=True)
class SessionResumed:
    pass


SessionEvent = (
    StepStarted
    | StepFinished
    | HalfwayReached
    | InterludeFinished
    | RoutineFinished
    | SessionPaused
    | SessionResumed
)


@dataclass(frozen=True)
class Interlude:
    """A short wait before a step that is not practice: where it is and how long is left."""

    kind: InterludeKind
    seconds: float
    seconds_left: float
    foot: str
    """The foot of the step that follows it."""


COMPLETE_FRACTION = 0.8
"""A routine is complete when at least this much of its scheduled time was practised."""


def feet_switch(before: Step, after: Step) -> bool:
    """True when the hands move from one foot to the other (left to right or back)."""
    return {before.foot, after.foot} == {"left", "right"}


class Session:
    """One run through a routine, timed only from accumulated running time, never from ticks.

    The session starts running at construction and queues `StepStarted(0, ...)`. Operations
    (pause, next_step, ...) queue their events; `update()` performs any auto-advances that are
    due, notices a sleeping computer, and hands back everything queued since the last call.

    Readings (`step_remaining`, `breath_state()`, ...) are live from the clock but never run past
    the end of the current step: only `update()` (or an operation) moves on to the next one.
    A sleep is cut from the last moment the session saw the clock awake (an update, operation
    or reading), so nothing shown ever runs backwards.

    Every `StepStarted` is closed by exactly one `StepFinished` (a restart closes and reopens
    the same step), and `RoutineFinished` comes once, last.

    Decisions:
    - `steps_done` counts distinct steps that ran to zero; skipped steps are not done, and a step
      done twice counts once, so it never exceeds `step_count`.
    - `restart_step()` and `previous_step()` drop any added time and start the step afresh;
      `restart_step()` (and `previous_step()` on the first step) also restarts the breath at the
      start of an inhale. Any other move keeps the breath going if the new step's pattern is
      equal to the old one, and starts it afresh if not.
    - `routine_elapsed` is running time actually spent (the same as `practised_seconds`), so it
      never goes backwards, even when the person steps back or restarts a step.
    - `next_step()` on the last step finishes the routine (that step is not counted as done).
    - Interludes (a get-ready lead-in before the first step, a switch-feet pause between a
      left and a right step) come before their step: the step's clock, `practised_seconds`
      and `routine_remaining` stand still through them, the breath runs on. Pause, sleep and
      stop freeze them like a step; `skip_interlude()` ends one at once. Only forward moves
      (a step's end, `next_step()`) start a switch pause; back and restart never do, and
      neither starts the lead-in again. The breath starts afresh when the lead-in ends, so
      the first step begins on an inhale.
    - `HalfwayReached` comes once per visit to a step with a `halfway` cue, at half the
      step's own length (added time does not move it); a restart or a return is a new visit.
    """

    def __init__(
        self,
        routine: Routine,
        clock: Clock,
        *,
        lead_in_seconds: float = 0.0,
        switch_seconds: float = 0.0,
    ) -> None:
        if not routine.steps:
            raise ValueError(f"routine {routine.id!r} has no steps")
        for name, value in (("lead_in_seconds", lead_in_seconds), ("switch", switch_seconds)):
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be 0 or more seconds, got {value!r}")
        self._switch_seconds = switch_seconds
        self._routine = routine
        self._clock = clock
        now = clock.monotonic()
        self._last_mono = now
        self._last_wall = clock.wall()
        self._started_wall = self._last_wall
        self._state = SessionState.RUNNING
        self._paused_reason: str | None = None
        self._index = 0
        self._added = 0.0  # seconds added to the current step
        self._step_acc = 0.0  # closed running segments of the current step
        self._breath_acc = 0.0  # closed running segments of the current breath
        self._segment_start: float | None = now  # None while paused or finished
        self._practised_closed = 0.0  # running time of steps already left behind
        self._done: set[int] = set()
        self._interlude: tuple[InterludeKind, float] | None = None  # kind, length
        self._interlude_acc = 0.0  # closed running segments of the current interlude
        self._halfway_given = False
        if lead_in_seconds > 0:
            self._interlude = (InterludeKind.LEAD_IN, lead_in_seconds)
        self._events: list[SessionEvent] = [StepStarted(0, routine.steps[0])]

    # ---- operations -------------------------------------------------------------------------

    def update(self) -> list[SessionEvent]:
        """Catch up with the clock and return the events since the last call."""
        self._sync()
        events, self._events = self._events, []
        return events

    def pause(self) -> None:
        now = self._sync()
        if self._state is SessionState.RUNNING:
            self._pause_at(now, None)

    def resume(self) -> None:
        now = self._sync()
        if self._state is SessionState.PAUSED:
            self._state = SessionState.RUNNING
            self._paused_reason = None
            self._segment_start = now
            self._events.append(SessionResumed())

    def stopped(self) -> None:
        """calmfeet was stopped (ctrl+z, SIGTSTP) and has come back: as after a sleep, the time
        since the session was last seen awake is not practice, and it comes back paused.

        The process clock runs on while stopped, so only the caller (told by the terminal
        driver) can know; steps due before the last reading still end as they would have.
        """
        if self._state is not SessionState.RUNNING:
            return
        last_seen = self._last_mono
        self._advance_to(last_seen)
        if self._state is SessionState.RUNNING:
            self._pause_at(last_seen, STOPPED_REASON)
        self._last_mono = max(self._clock.monotonic(), last_seen)
        self._last_wall = self._clock.wall()

    def toggle_pause(self) -> None:
        """Intent comes from what the person saw: a press on a running timer always pauses.

        If the computer slept just before the press, the session has already paused itself,
        and the press leaves it paused rather than resuming behind their back.
        """
        was_running = self._state is SessionState.RUNNING
        if was_running:
            self.pause()
        else:
            self.resume()

    def toggle_pause_or_skip(self) -> None:
        """Space: a running interlude is skipped (the person is ready); otherwise pause or go on."""
        self._sync()
        if self._interlude is not None and self._state is SessionState.RUNNING:
            self.skip_interlude()
        else:
            self.toggle_pause()

    def skip_interlude(self) -> None:
        """End the lead-in or switch pause now and start its step."""
        now = self._sync()
        if self._interlude is not None and self._state is not SessionState.FINISHED:
            self._end_interlude(now)

    def next_step(self) -> None:
        """Skip to the next step (finishing the routine from the last one)."""
        now = self._sync()
        if self._state is SessionState.FINISHED:
            return
        self._leave_step(now, completed=False)
        if self._index + 1 >= len(self._routine.steps):
            self._finish()
        else:
            self._enter_step(self._index + 1, now, restart_breath=False, forward=True)

    def previous_step(self) -> None:
        """Go back one step; on the first step, start it again."""
        now = self._sync()
        if self._state is SessionState.FINISHED:
            return
        self._leave_step(now, completed=False)
        self._enter_step(max(0, self._index - 1), now, restart_breath=self._index == 0)

    def begin_now(self) -> None:
        """Start counting from this moment, for a screen that first shows the session later
        than it was made: the person gets the whole first step. No-op once time has counted."""
        if (
            self._state is not SessionState.RUNNING
            or self._index != 0
            or self._step_acc
            or self._interlude_acc
        ):
            return
        now = self._clock.monotonic()
        self._segment_start = now
        self._last_mono = now
        self._last_wall = self._clock.wall()
        self._started_wall = self._last_wall

    def restart_step(self) -> None:
        now = self._sync()
        if self._state is SessionState.FINISHED:
            return
        self._leave_step(now, completed=False)
        self._enter_step(self._index, now, restart_breath=True)

    def add_time(self, seconds: float = DEFAULT_ADDED_SECONDS) -> None:
        """Lengthen the current step; its end moves later, nothing else changes."""
        if not math.isfinite(seconds) or seconds <= 0:
            raise ValueError(f"can only add a positive number of seconds, got {seconds!r}")
        self._sync()
        if self._state is not SessionState.FINISHED:
            self._added += seconds

    # ---- readings ---------------------------------------------------------------------------

    @property
    def routine(self) -> Routine:
        return self._routine

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def is_finished(self) -> bool:
        return self._state is SessionState.FINISHED

    @property
    def paused_reason(self) -> str | None:
        return self._paused_reason

    @property
    def index(self) -> int:
        return self._index

    @property
    def step(self) -> Step:
        return self._routine.steps[self._index]

    @property
    def next_step_preview(self) -> Step | None:
        following = self._index + 1
        if self.is_finished or following >= len(self._routine.steps):
            return None
        return self._routine.steps[following]

    @property
    def step_count(self) -> int:
        return len(self._routine.steps)

    @property
    def step_duration(self) -> float:
        """The step's length including any time added to it."""
        return self.step.seconds + self._added

    @property
    def switch_seconds(self) -> float:
        """The switch-feet pause this session puts between a left and a right step (0: none),
        so a planner can tell when future pauses will come."""
        return self._switch_seconds

    @property
    def interlude(self) -> Interlude | None:
        """The lead-in or switch pause running before the current step, or None."""
        if self._interlude is None or self.is_finished:
            return None
        kind, length = self._interlude
        left = length - self._interlude_acc - self._span(self._read_now())
        if left <= 0:
            return None  # over; the next `update()` starts the step
        return Interlude(kind, length, left, self.step.foot)

    @property
    def step_elapsed(self) -> float:
        if self.is_finished:
            return self.step_duration
        return min(self.step_duration, self._step_acc + self._step_span(self._read_now()))

    @property
    def step_remaining(self) -> float:
        if self.is_finished:
            return 0.0
        return max(0.0, self.step_duration - self._step_acc - self._step_span(self._read_now()))

    @property
    def scheduled_seconds(self) -> float:
        """The routine's own length: what `COMPLETE_FRACTION` of counts as complete."""
        return self._routine.total_seconds

    @property
    def completed(self) -> bool:
        """Finished having practised at least COMPLETE_FRACTION of the scheduled time:
        skipping through the steps ends a routine, it does not complete it."""
        return self.is_finished and self.practised_seconds >= (
            COMPLETE_FRACTION * self.scheduled_seconds - 1e-9
        )

    @property
    def seconds_until_step_end(self) -> float:
        """Same as `step_remaining`; reads better where a pause is irrelevant."""
        return self.step_remaining

    @property
    def routine_remaining(self) -> float:
        if self.is_finished:
            return 0.0
        later = sum(step.seconds for step in self._routine.steps[self._index + 1 :])
        return self.step_remaining + later

    @property
    def routine_elapsed(self) -> float:
        """Running time spent so far; never goes backwards."""
        return self.practised_seconds

    @property
    def started_wall(self) -> float:
        """Wall-clock seconds (the injected clock's) when the session began counting."""
        return self._started_wall

    @property
    def practised_seconds(self) -> float:
        if self.is_finished:
            return self._practised_closed
        return self._practised_closed + self.step_elapsed

    @property
    def steps_done(self) -> int:
        return len(self._done)

    @property
    def breath_elapsed(self) -> float:
        return self._breath_acc + self._span(self._read_now())

    def breath_state(self) -> PhaseState:
        return self.step.breathing.state_at(self.breath_elapsed)

    # ---- internals --------------------------------------------------------------------------

    def _slept(self, mono: float, wall: float) -> bool:
        drift = (wall - self._last_wall) - (mono - self._last_mono)
        return abs(drift) > SLEEP_GAP_SECONDS

    def _read_now(self) -> float:
        """The time readings use, frozen at the last moment seen awake if a sleep is pending.

        A reading that sees no sleep moves that moment on, so a sleep noticed later is cut from
        the last time anything was shown, and no reading ever goes backwards.
        """
        mono = self._clock.monotonic()
        wall = self._clock.wall()
        if not self._slept(mono, wall) and mono >= self._last_mono:
            self._last_mono = mono
            self._last_wall = wall
        return self._last_mono

    def _span(self, now: float) -> float:
        if self._segment_start is None:
            return 0.0
        return max(0.0, now - self._segment_start)

    def _step_span(self, now: float) -> float:
        """The running segment's time that belongs to the step: during an interlude, only
        what runs past its end (a reading between its end and the next `update()`)."""
        span = self._span(now)
        if self._interlude is None:
            return span
        return max(0.0, span - (self._interlude[1] - self._interlude_acc))

    def _sync(self) -> float:
        """Notice sleep, then perform every step end that is due, each at its exact time."""
        mono = self._clock.monotonic()
        wall = self._clock.wall()
        if self._slept(mono, wall) and self._state is SessionState.RUNNING:
            # Stop at the last moment seen awake: steps due by then still end, the sleep is cut.
            self._advance_to(self._last_mono)
            if self._state is SessionState.RUNNING:
                self._pause_at(self._last_mono, SLEEP_REASON)
        now = max(mono, self._last_mono)
        self._last_mono = now
        self._last_wall = wall
        self._advance_to(now)
        return now

    def _advance_to(self, now: float) -> None:
        while self._state is SessionState.RUNNING and self._segment_start is not None:
            if self._interlude is not None:
                interlude_end = self._segment_start + (self._interlude[1] - self._interlude_acc)
                if interlude_end > now:
                    return
                self._end_interlude(interlude_end)
                continue
            end = self._segment_start + (self.step_duration - self._step_acc)
            half = self.step.seconds / 2
            if self.step.halfway and not self._halfway_given and self._step_acc <= half:
                half_at = self._segment_start + (half - self._step_acc)
                if half_at <= min(now, end):
                    self._halfway_given = True
                    self._events.append(HalfwayReached(self._index, self.step))
            if end > now:
                return
            # The step ran to zero at `end`; the overshoot belongs to the next step.
            self._done.add(self._index)
            self._leave_step(end, completed=True)
            if self._index + 1 >= len(self._routine.steps):
                self._finish()
            else:
                self._enter_step(self._index + 1, end, restart_breath=False, forward=True)

    def _end_interlude(self, when: float) -> None:
        """The interlude is over at `when`: its step starts counting from there."""
        assert self._interlude is not None
        kind = self._interlude[0]
        span = self._span(when)
        self._breath_acc += span
        if kind is InterludeKind.LEAD_IN:
            self._breath_acc = 0.0
        self._interlude = None
        self._interlude_acc = 0.0
        if self._segment_start is not None:
            self._segment_start = when
        self._events.append(InterludeFinished(self._index, kind))

    def _pause_at(self, when: float, reason: str | None) -> None:
        span = self._span(when)
        if self._interlude is not None:
            self._interlude_acc += span
        else:
            self._step_acc += span
        self._breath_acc += span
        self._segment_start = None
        self._state = SessionState.PAUSED
        self._paused_reason = reason
        self._events.append(SessionPaused(reason))

    def _leave_step(self, when: float, completed: bool) -> None:
        """Close the current step at `when`, banking its running time."""
        span = self._span(when)
        step_span = 0.0 if self._interlude is not None else span
        elapsed = (
            self.step_duration if completed else min(self.step_duration, self._step_acc + step_span)
        )
        self._interlude = None
        self._interlude_acc = 0.0
        self._practised_closed += elapsed
        self._breath_acc += span
        if self._segment_start is not None:
            self._segment_start = when
        self._events.append(StepFinished(self._index, self.step, completed))

    def _enter_step(
        self, index: int, when: float, restart_breath: bool, *, forward: bool = False
    ) -> None:
        left_behind = self.step
        before: BreathingPattern = left_behind.breathing
        self._index = index
        self._added = 0.0
        self._step_acc = 0.0
        self._halfway_given = False
        if forward and self._switch_seconds > 0 and feet_switch(left_behind, self.step):
            self._interlude = (InterludeKind.SWITCH, self._switch_seconds)
            self._interlude_acc = 0.0
        if restart_breath or self.step.breathing != before:
            self._breath_acc = 0.0
        if self._segment_start is not None:
            self._segment_start = when
        self._events.append(StepStarted(index, self.step))

    def _finish(self) -> None:
        self._interlude = None
        self._state = SessionState.FINISHED
        self._segment_start = None
        self._paused_reason = None
        self._events.append(RoutineFinished(self._practised_closed, len(self._done)))


def breathing_only_routine(pattern: BreathingPattern, minutes: float) -> Routine:
    """A one-step routine so `calmfeet breathe` can reuse the session and its pacer."""
    if not math.isfinite(minutes) or minutes <= 0:
        raise ValueError(f"minutes must be more than 0, got {minutes!r}")
    step = Step(
        title="Breathe",
        seconds=minutes * 60.0,
        foot="both",
        zone="whole",
        how="Rest your feet and follow the pacer.",
        breathing=pattern,
    )
    return Routine(
        id=BREATHING_ONLY_ID,
        name=f"Breathe {pattern.label}",
        summary="Just the breathing pacer.",
        focus=(),
        breathing=pattern,
        caution="",
        steps=(step,),
        source=Path("<breathe>"),
        builtin=True,
    )
