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
from calmfeet.core.points import find_words, get_point
from calmfeet.core.session import Interlude, InterludeKind, Session, SessionState, feet_switch

PAUSED_NOTICE = "Paused. Press space to go on."
PAUSED_CUE = "Paused"
BREATHING_ONLY_HEADING = "Breathing"
LAST_STEP = "Last step"
ENDING_SECONDS = 3
HALFWAY_SHOW_SECONDS = 5.0
"""A step's halfway cue stays in the headline this long after half its time."""
GET_READY = "Get ready"
NEEDS_PREFIX = "You will need: "
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
    right foot 2`), shown largest; while a step runs, its halfway cue (`Change direction`)
    for HALFWAY_SHOW_SECONDS from half its time, else empty."""
    find: str = ""
    """How to find the step's point (`Find KI1 Yongquan: On the sole: ...`); empty without."""


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
    seconds_of_frames_only: float | None = None
    """How long only the pacer's shape will change: until then the screen can draw its
    frames from the breath alone, without reading the whole session again."""
    interlude: Interlude | None = None
    """The lead-in or switch pause running before the step, if any."""
    point: str = ""
    """The step's point (KI1), for the foot map; empty for none."""


def where_words(step: Step, *, ascii: bool = False) -> str:
    """The foot and zone as a person says them, e.g. `Left foot · arch`, and the point when
    the step has one: `Left foot · ball · KI1`."""
    foot = FOOT_WORDS.get(step.foot, step.foot)
    zone = ZONE_WORDS.get(step.zone, step.zone)
    dot = glyphs_for(ascii).dot
    words = f"{foot[:1].upper()}{foot[1:]} {dot} {zone}"
    return f"{words} {dot} {step.point}" if step.point else words


def point_texts(step: Step) -> tuple[str, str]:
    """How to find the step's point and what to do there: the step's own `how`, else the
    point's way of pressing it. ("", step.how) for a step without a point."""
    point = get_point(step.point)
    if point is None:
        return "", step.how
    return f"Find {find_words(point)}", step.how or point.how


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
    interlude = session.interlude
    if interlude is not None:
        ending = False
    if options.breathing_only:
        step_of = BREATHING_ONLY_HEADING
    else:
        step_of = f"Step {session.index + 1} of {session.step_count}"
    elapsed = session.step_elapsed
    half = step.seconds / 2
    halfway_shown = (
        interlude is None
        and not finished
        and bool(step.halfway)
        and half <= elapsed < half + HALFWAY_SHOW_SECONDS
    )
    find, how = point_texts(step)
    if interlude is not None and interlude.kind is InterludeKind.LEAD_IN and session.routine.needs:
        how = NEEDS_PREFIX + ", ".join(session.routine.needs)
    changes = (
        None
        if paused or finished
        else _next_changes(
            step.breathing,
            breath,
            remaining,
            routine_remaining,
            options,
            interlude,
            _halfway_changes(step.halfway, half, elapsed),
        )
    )
    texts = SessionTexts(
        step_of=step_of,
        title=step.title,
        where=where_words(step, ascii=options.ascii),
        how=how,
        next=next_words(step, following, ascii=options.ascii),
        routine_left=f"{format_clock(routine_remaining)} left",
        clock=format_clock(interlude.seconds_left if interlude else remaining),
        cue=_cue(paused, ending, step_seconds, following is not None, glyphs),
        notice=(session.paused_reason or PAUSED_NOTICE) if paused else "",
        headline=interlude_words(interlude)
        if interlude
        else (step.halfway if halfway_shown else ""),
        find=find,
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
        seconds_to_next_change=None if changes is None else min(changes),
        seconds_of_frames_only=None if changes is None else changes[1],
        interlude=interlude,
        point=step.point,
    )


def interlude_words(interlude: Interlude) -> str:
    """`Get ready 3` or `Switch to the right foot 2`: what to do, and for how long."""
    seconds = max(1, whole_seconds(interlude.seconds_left))
    if interlude.kind is InterludeKind.LEAD_IN:
        return f"{GET_READY} {seconds}"
    return f"Switch to the {FOOT_WORDS.get(interlude.foot, interlude.foot)} {seconds}"


def next_words(step: Step, following: Step | None, *, ascii: bool = False) -> str:
    """`Next: Heel circles`; when the hands change feet (left to right or back) the foot is
    named (`Next: Toes · right foot`), and for the mirror half of this step, just the foot
    (`Next: right foot`), never the step already being done."""
    if following is None:
        return LAST_STEP
    if not feet_switch(step, following):
        return f"Next: {following.title}"
    foot = FOOT_WORDS.get(following.foot, following.foot)
    if following.title == step.title:
        return f"Next: {foot}"
    return f"Next: {following.title} {glyphs_for(ascii).dot} {foot}"


def _halfway_changes(cue: str, half: float, elapsed: float) -> float | None:
    """How long until the halfway cue appears or goes; None when it will do neither."""
    if not cue:
        return None
    for moment in (half, half + HALFWAY_SHOW_SECONDS):
        if elapsed < moment:
            return moment - elapsed
    return None


def _cue(paused: bool, ending: bool, seconds: int, more: bool, glyphs: Glyphs) -> str:
    if paused:
        return PAUSED_CUE
    if not ending:
        return ""
    what = "Next" if more else "Done"
    return f"{what} in {max(1, seconds)}{glyphs.ellipsis}"


def _next_changes(
    pattern: BreathingPattern,
    breath: PhaseState,
    step_remaining: float,
    routine_remaining: float,
    options: DisplayOptions,
    interlude: Interlude | None = None,
    halfway: float | None = None,
) -> tuple[float, float]:
    """How long until the pacer's next frame, and until anything else changes: the phase or
    the next whole second of the breath's count and of either clock, and the step's end;
    during an interlude its next whole second and its end instead of the step's; the
    halfway cue's coming or going."""
    others = [
        max(0.0, breath.seconds_left),
        seconds_to_next_whole(breath.seconds_left),
    ]
    if interlude is not None:
        others += [seconds_to_next_whole(interlude.seconds_left), interlude.seconds_left]
    else:
        others += [
            seconds_to_next_whole(step_remaining),
            seconds_to_next_whole(routine_remaining),
            step_remaining,
            halfway,
        ]
    frame = seconds_to_next_frame(pattern, breath, options.reduced_motion)
    return frame, min(c for c in others if c is not None)
