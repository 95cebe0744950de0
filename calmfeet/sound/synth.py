"""The sounds themselves: a soft breath tone that glides with the lungs, and short cues.

Every buffer is float32 mono, starts and ends at exactly zero (fades, so nothing clicks where it
starts, stops or is joined to the next) and stays well below full scale. Synthesis is cheap and
happens once per distinct sound (`SoundBank` caches), never inside the mixer's render.

The breath tone sits in 180-330 Hz; the chimes' partials start at 440 Hz and reach well above
1 kHz, so an analysis (or an ear) can tell them apart from the breath.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from calmfeet.core.cues import CueKind
from calmfeet.sound import SAMPLE_RATE

Buffer = npt.NDArray[np.float32]

LOW_HZ = 180.0
"""The breath tone's pitch with empty lungs (level 0)..."""
HIGH_HZ = 330.0
"""...and with full lungs (level 1); in between it glides in proportion (evenly in pitch)."""
BREATH_PEAK = 0.14
HOLD_SHARE = 0.35
"""A hold is a steady tone at this share of the breath's loudness: there, but restful."""
BREATH_FADE_SECONDS = 0.4
"""Each breath tone fades in and out over this (at most a third of a short tone)."""
BREATH_HARMONICS = ((1.0, 1.0), (2.0, 0.22), (3.0, 0.06))
"""(multiple, amplitude): a sine with a gentle second and third harmonic, a calm hum."""

CHIME_PEAK = 0.2
ATTACK_SECONDS = 0.004
"""Struck sounds rise over this: quick enough to mark the moment, too slow to click."""
TAIL_FADE_SECONDS = 0.3
BOWL_PARTIALS = ((1.0, 1.0, 2.4), (1.004, 0.45, 2.4), (2.71, 0.4, 1.3), (5.15, 0.16, 0.6))
"""(frequency ratio, amplitude, decay seconds): the inharmonic partials of a singing bowl; the
second, a hair off the first, gives the slow beating a real bowl has."""
MARIMBA_PARTIALS = ((1.0, 1.0, 0.5), (3.93, 0.25, 0.12), (9.2, 0.05, 0.04))
"""A wooden bar: quick decay, for the switch cue so it is never mistaken for the bowl."""
STEP_HZ = 528.0
SWITCH_NOTES = ((0.0, 440.0), (0.22, 660.0))
"""(delay seconds, Hz): two notes going up, over to the other foot."""
HALFWAY_NOTES = ((0.0, 792.0, 1.0), (0.3, 792.0, 0.55))
"""(delay seconds, Hz, loudness): a higher bowl struck twice, the second softer."""
END_NOTES = ((0.0, 523.25), (0.28, 659.25), (0.56, 783.99), (0.84, 1046.5))
"""C major, rising: the closing chime."""
TICK_HZ = 1800.0
TICK_PEAK = 0.06
COUNT_HZ = {"3": 660.0, "2": 660.0, "1": 880.0}
"""The lead-in's blips: the last one higher, then the step's bowl."""
COUNT_PEAK = 0.12


def pitch(level: float | npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The breath tone's frequency for a lung level (0 empty, 1 full)."""
    return np.asarray(LOW_HZ * (HIGH_HZ / LOW_HZ) ** np.asarray(level, dtype=np.float64))


def frames_for(seconds: float, sample_rate: int) -> int:
    return max(0, round(seconds * sample_rate))


def fade_edges(buffer: npt.NDArray[np.float64], fade_in: int, fade_out: int) -> None:
    """Raised-cosine fades in place, so the first and last samples are exactly zero."""
    n = len(buffer)
    fade_in = min(fade_in, n // 2)
    fade_out = min(fade_out, n - fade_in)
    if fade_in > 0:
        buffer[:fade_in] *= np.sin(0.5 * np.pi * np.arange(fade_in) / fade_in) ** 2
    if fade_out > 0:
        buffer[n - fade_out :] *= np.sin(0.5 * np.pi * np.arange(fade_out, 0, -1) / fade_out) ** 2
        buffer[-1] = 0.0


def breath_tone(
    seconds: float,
    start_level: float,
    end_level: float,
    *,
    loudness: float = 1.0,
    sample_rate: int = SAMPLE_RATE,
) -> Buffer:
    """A hum whose pitch follows the lungs from `start_level` to `end_level`: rising through an
    inhale, falling through an exhale, steady on a hold."""
    n = frames_for(seconds, sample_rate)
    if n < 2:
        return np.zeros(n, dtype=np.float32)
    levels = np.linspace(start_level, end_level, n)
    frequency = pitch(levels)
    phase = 2 * np.pi * np.concatenate(([0.0], np.cumsum(frequency[:-1]))) / sample_rate
    tone = np.zeros(n)
    for multiple, amplitude in BREATH_HARMONICS:
        tone += amplitude * np.sin(multiple * phase)
    tone *= BREATH_PEAK * loudness / sum(a for _, a in BREATH_HARMONICS)
    fade = frames_for(min(BREATH_FADE_SECONDS, seconds / 3), sample_rate)
    fade_edges(tone, fade, fade)
    return tone.astype(np.float32)


def struck(
    hz: float,
    seconds: float,
    partials: Sequence[tuple[float, float, float]],
    *,
    peak: float = CHIME_PEAK,
    sample_rate: int = SAMPLE_RATE,
) -> npt.NDArray[np.float64]:
    """One strike: decaying partials, a short rise and a faded tail."""
    n = frames_for(seconds, sample_rate)
    t = np.arange(n) / sample_rate
    sound = np.zeros(n)
    nyquist = sample_rate / 2
    for ratio, amplitude, decay in partials:
        if hz * ratio < nyquist * 0.9:
            sound += amplitude * np.exp(-t / decay) * np.sin(2 * np.pi * hz * ratio * t)
    sound *= peak / sum(a for _, a, _ in partials)
    fade_edges(
        sound, frames_for(ATTACK_SECONDS, sample_rate), frames_for(TAIL_FADE_SECONDS, sample_rate)
    )
    return sound


def _sequence(
    notes: Sequence[tuple[float, npt.NDArray[np.float64]]], sample_rate: int
) -> npt.NDArray[np.float64]:
    """Strikes laid one after another at their delays, summed."""
    length = max(frames_for(delay, sample_rate) + len(sound) for delay, sound in notes)
    out = np.zeros(length)
    for delay, sound in notes:
        start = frames_for(delay, sample_rate)
        out[start : start + len(sound)] += sound
    return out


def bowl(sample_rate: int = SAMPLE_RATE) -> Buffer:
    """A new step: one bowl strike."""
    return struck(STEP_HZ, 4.5, BOWL_PARTIALS, sample_rate=sample_rate).astype(np.float32)


def switch_feet(sample_rate: int = SAMPLE_RATE) -> Buffer:
    """Change feet: two wooden notes going up."""
    notes = [
        (delay, struck(hz, 1.0, MARIMBA_PARTIALS, peak=CHIME_PEAK * 0.9, sample_rate=sample_rate))
        for delay, hz in SWITCH_NOTES
    ]
    return _sequence(notes, sample_rate).astype(np.float32)


def halfway(sample_rate: int = SAMPLE_RATE) -> Buffer:
    """Half the step's time: a higher bowl, struck twice."""
    notes = [
        (
            delay,
            struck(hz, 2.5, BOWL_PARTIALS, peak=CHIME_PEAK * 0.8 * loud, sample_rate=sample_rate),
        )
        for delay, hz, loud in HALFWAY_NOTES
    ]
    return _sequence(notes, sample_rate).astype(np.float32)


def closing(sample_rate: int = SAMPLE_RATE) -> Buffer:
    """The end: a rising C major arpeggio of bowls, left to ring."""
    notes = [
        (delay, struck(hz, 5.0, BOWL_PARTIALS, peak=CHIME_PEAK * 0.6, sample_rate=sample_rate))
        for delay, hz in END_NOTES
    ]
    return _sequence(notes, sample_rate).astype(np.float32)


def tick(sample_rate: int = SAMPLE_RATE) -> Buffer:
    """A soft wooden tick for the last seconds of a step."""
    partials = ((1.0, 1.0, 0.012), (2.3, 0.3, 0.006))
    return struck(TICK_HZ, 0.06, partials, peak=TICK_PEAK, sample_rate=sample_rate).astype(
        np.float32
    )


def count_blip(number: str, sample_rate: int = SAMPLE_RATE) -> Buffer:
    """3, 2, 1 in the lead-in: a short pure blip, the last one higher."""
    hz = COUNT_HZ.get(number, COUNT_HZ["3"])
    partials = ((1.0, 1.0, 0.08), (2.0, 0.15, 0.04))
    return struck(hz, 0.25, partials, peak=COUNT_PEAK, sample_rate=sample_rate).astype(np.float32)


def cue_sound(
    kind: CueKind,
    *,
    seconds: float = 0.0,
    start_level: float = 0.0,
    end_level: float = 0.0,
    text: str = "",
    sample_rate: int = SAMPLE_RATE,
) -> Buffer | None:
    """The buffer for a cue of this kind, or None for a kind that is not synthesized (SPEAK)."""
    if kind in (CueKind.INHALE, CueKind.INHALE_MORE, CueKind.EXHALE):
        return breath_tone(seconds, start_level, end_level, sample_rate=sample_rate)
    if kind is CueKind.HOLD:
        return breath_tone(
            seconds, start_level, end_level, loudness=HOLD_SHARE, sample_rate=sample_rate
        )
    makers = {
        CueKind.STEP: bowl,
        CueKind.SWITCH: switch_feet,
        CueKind.HALFWAY: halfway,
        CueKind.END: closing,
        CueKind.TICK: tick,
    }
    if kind in makers:
        return makers[kind](sample_rate)
    if kind is CueKind.COUNT:
        return count_blip(text, sample_rate)
    return None
