"""When the pacer's drawing changes: the level it shows and how long until the next frame.

Pure arithmetic shared by the pacer widget (what to draw) and the session view (when to wake).
"""

from __future__ import annotations

import math

from calmfeet.core.breathing import BreathingPattern, Phase, PhaseState

MAX_FRAMES_PER_SECOND = 12.5
"""Comfortably above the 12 a second that reads as smooth, well below a 20 Hz caller."""


def shown_level(pattern: BreathingPattern, state: PhaseState, reduced_motion: bool) -> float:
    """The level to draw: it moves at most MAX_FRAMES_PER_SECOND times a second.

    Each frame costs Textual about a millisecond whatever changed, so capping the rate
    keeps the whole app under 3% of a core while the motion still looks continuous.
    With reduced motion the shape jumps once per phase, to where that phase is heading.
    """
    spec = pattern.phases[state.index]
    if reduced_motion:
        return spec.start_level if spec.phase is Phase.HOLD else spec.end_level
    if spec.seconds <= 0 or spec.start_level == spec.end_level:
        return state.level
    quanta = max(1, math.ceil(MAX_FRAMES_PER_SECOND * spec.seconds))
    progress = math.floor(min(1.0, max(0.0, state.progress)) * quanta) / quanta
    return spec.start_level + (spec.end_level - spec.start_level) * progress


def seconds_to_next_frame(
    pattern: BreathingPattern, state: PhaseState, reduced_motion: bool
) -> float:
    """How long until `shown_level` or the phase changes, so the screen can sleep till then."""
    spec = pattern.phases[state.index]
    until_phase_end = max(0.0, state.seconds_left)
    if reduced_motion or spec.seconds <= 0 or spec.start_level == spec.end_level:
        return until_phase_end
    quanta = max(1, math.ceil(MAX_FRAMES_PER_SECOND * spec.seconds))
    done = math.floor(min(1.0, max(0.0, state.progress)) * quanta) + 1
    next_frame = done / quanta * spec.seconds - (spec.seconds - state.seconds_left)
    return max(0.0, min(until_phase_end, next_frame))
