"""What the session screen shows at one moment, worked out without Textual.

The screen reads a `SessionView` on every wake and pushes only the fields that differ from
the last one, so every text, number and flag a person sees is decided (and tested) here.
"""

from __future__ import annotations

from dataclasses import dataclass

from calmfeet.core.breathing import BreathingPattern, PhaseState
from calmfeet.core.footmap import FOOT_WORDS, ZONE_WORDS
from calmfeet.core.glyphs import Glyphs, glyphs_for, seconds_to_next_whole, whole_seconds
from calmfeet.core.model import Step, format_clock
from calmfeet.core.pacer_frames import seconds_to_next_frame
from calmfeet.core.session import Session, SessionState

PAUSED_NOTICE = "Paused. Press space to go on."
PAUSED_CUE = "Paused"
BREATHING_ONLY_HEADING = "Breathing"
LAST_STEP = "Last step"
ENDING_SECONDS = 3
"""The step clock turns to a warning and the cue counts down for this many seconds."""


@dataclass(frozen=True)
class DisplayOptions:
    """How the person asked to see the session; reduced motion may change while it runs."""

    ascii: bool = False
    breathing_only: bool = False
    reduced_motion: bool = False


@dataclass(frozen=True)
class SessionTexts:
    """Every word and number on the session screen outside the pacer; they change at most
    once a second, so the screen compares them as one before looking at each."""

    step_of: str
    """`Step 2 of 5`, or `Breathing` for a breathing-only session."""
    title: str
    where: str
    """`Left foot · arch`."""
    how: str
    next: str
    """`Next: Heel circles`, or `Last step`."""
    routine_left: str
    """`3:05 left`: the whole routine."""
    clock: str
    """The step's time left, `1:00`."""
    cue: str
    """`Next in 3…`, `Done in 2…`, `Paused`, or empty."""
    notice: str
    """The sentence shown while paused (why, when the session paused itself); else empty."""
    headline: str = ""
    """The one thing to do right now when it is not a step (`Get ready 3`, `Switch to the
    right foot`), shown largest; empty while a step runs."""


BLANK_TEXTS = SessionTexts("", "", "", "", "", "", "", "", "")
"""What a label shows before anything was put in it."""


@dataclass(frozen=True)
class SessionView:
    """Everything the session screen draws at one moment, as plain values."""

    texts: SessionTexts
    paused: bool
    ending: bool
    """The step's last ENDING_SECONDS are running."""
    finished: bool
    step_seconds_left: int
    routine_seconds_left: int
    progress_done: int
    """Steps behind the current one (all of them once the routine is over)."""
    progress_count: int
    progress_fraction: float
    """How much of the current step has passed, 0 to 1."""
    foot: str
    zone: str
    breathing: BreathingPattern
    breath: PhaseState
    reduced_motion: bool
    seconds_to_next_change: float | None
    """How long until anything above changes (a pacer frame or phase, a whole second of
    either countdown, the step's end); None while paused or finished: nothing will."""


def where_words(step: Step, *, ascii: bool = False) -> str:
    """The foot and zone as a person says them, e.g. `Left foot · arch`."""
    foot = FOOT_WORDS.get(step.foot, step.foot)
    zone = ZONE_WORDS.get(step.zone, step.zone)
    return f"{foot[:1].upper()}{foot[1:]} {glyphs_for(ascii).dot} {zone}"


def session_view(session: Session, options: DisplayOptions) -> SessionView:
    """Read the session once (without moving it on) and say what the screen shows."""
    glyphs = glyphs_for(options.ascii)
    paused = session.state is SessionState.PAUSED
    finished = session.is_finished
    step = session.step
    remaining = session.step_remaining
    routine_remaining = session.routine_remaining
    step_seconds = whole_seconds(remaining)
    breath = session.breath_state()
    following = session.next_step_preview
    ending = not paused and not finished and 0 < remaining <= ENDING_SECONDS
    duration = session.step_duration
    if options.breathing_only:
        step_of = BREATHING_ONLY_HEADING
    else:
        step_of = f"Step {session.index + 1} of {session.step_count}"
    texts = SessionTexts(
        step_of=step_of,
        title=step.title,
        where=where_words(step, ascii=options.ascii),
        how=step.how,
        next=f"Next: {following.title}" if following else LAST_STEP,
        routine_left=f"{format_clock(routine_remaining)} left",
        clock=format_clock(remaining),
        cue=_cue(paused, ending, step_seconds, following is not None, glyphs),
        notice=(session.paused_reason or PAUSED_NOTICE) if paused else "",
    )
    return SessionView(
        texts=texts,
        paused=paused,
        ending=ending,
        finished=finished,
        step_seconds_left=step_seconds,
        routine_seconds_left=whole_seconds(routine_remaining),
        progress_done=session.step_count if finished else session.index,
        progress_count=session.step_count,
        progress_fraction=session.step_elapsed / duration if duration > 0 else 1.0,
        foot=step.foot,
        zone=step.zone,
        breathing=step.breathing,
        breath=breath,
        reduced_motion=options.reduced_motion,
        seconds_to_next_change=None
        if paused or finished
        else _next_change(step.breathing, breath, remaining, routine_remaining, options),
    )


def _cue(paused: bool, ending: bool, seconds: int, more: bool, glyphs: Glyphs) -> str:
    if paused:
        return PAUSED_CUE
    if not ending:
        return ""
    what = "Next" if more else "Done"
    return f"{what} in {max(1, seconds)}{glyphs.ellipsis}"


def _next_change(
    pattern: BreathingPattern,
    breath: PhaseState,
    step_remaining: float,
    routine_remaining: float,
    options: DisplayOptions,
) -> float:
    """The soonest of: the pacer's next frame or phase, the next whole second of the breath's
    count and of either clock, and the step's end."""
    candidates = [
        seconds_to_next_frame(pattern, breath, options.reduced_motion),
        seconds_to_next_whole(breath.seconds_left),
        seconds_to_next_whole(step_remaining),
        seconds_to_next_whole(routine_remaining),
        step_remaining,
    ]
    return min(c for c in candidates if c is not None)
