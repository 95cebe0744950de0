"""Breathing patterns: built-ins, custom strings and tables, and where a breath is at time t."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from calmfeet.core.problems import describe_value

_COUNT_EPSILON = 1e-6
MIN_CYCLE_SECONDS = 2.0
MAX_CYCLE_SECONDS = 60.0


class PatternError(ValueError):
    """A breathing pattern that cannot be used; the message is meant for a person."""


class Phase(enum.Enum):
    INHALE = "inhale"
    HOLD = "hold"
    EXHALE = "exhale"

    @property
    def word(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class PhaseSpec:
    """One phase of a cycle; the lung level moves from start_level to end_level across it."""

    phase: Phase
    seconds: float
    start_level: float
    end_level: float
    word: str = ""
    """What the pacer says for it when not the phase's own word (`Inhale more`)."""

    @property
    def said(self) -> str:
        return self.word or self.phase.word


@dataclass(frozen=True)
class PhaseState:
    """Where a breath is at some moment: what to do, how far along, how long is left."""

    phase: Phase
    index: int
    progress: float
    seconds_left: float
    cycle: int
    level: float
    phase_start: float
    phase_end: float
    word: str = ""
    """This phase's own word (`Inhale more`), or empty for the phase's (`said` has both)."""

    @property
    def said(self) -> str:
        """What the pacer says: `Inhale`, `Hold`, `Exhale`, or the phase's own word."""
        return self.word or self.phase.word

    @property
    def count(self) -> int:
        """The whole seconds the pacer counts down: the time left rounded up, but never more
        than the phase's length rounded down, so a 5.5 s phase starts at 5 (not a flash of
        6 for half a second) and counts 5, 4, 3, 2, 1; never below 1 while it runs."""
        length = self.phase_end - self.phase_start
        left = math.ceil(self.seconds_left - _COUNT_EPSILON)
        return max(1, min(left, math.floor(length + _COUNT_EPSILON)))


@dataclass(frozen=True)
class BreathingPattern:
    name: str
    phases: tuple[PhaseSpec, ...]
    source: str = ""

    @property
    def cycle_seconds(self) -> float:
        return sum(p.seconds for p in self.phases)

    def describe(self) -> str:
        """Each phase with its unit, e.g. `in 4 s, hold 7 s, out 8 s`: numbers alone ("4 · 7 ·
        8") said nothing about what they count. In and out, not the pacer's phase words."""
        parts: list[str] = []
        previous: Phase | None = None
        for spec in self.phases:
            if spec.phase is previous:  # the sigh's second inhale: `in 2 s + 1 s`
                parts[-1] += f" + {_fmt(spec.seconds)} s"
            else:
                parts.append(f"{_SHORT[spec.phase]} {_fmt(spec.seconds)} s")
            previous = spec.phase
        return ", ".join(parts)

    @property
    def label(self) -> str:
        """`resonance · in 5.5 s, out 5.5 s`; a pattern named by its numbers is just described."""
        described = self.describe()
        if _NUMBERS_ONLY.match(self.name):
            return described
        return f"{self.name} · {described}"

    def state_at(self, elapsed: float) -> PhaseState:
        """The phase at `elapsed` seconds since the pattern started (negative counts as 0)."""
        elapsed = max(0.0, elapsed)
        cycle_len = self.cycle_seconds
        cycle = int(elapsed // cycle_len)
        into = elapsed - cycle * cycle_len
        if into >= cycle_len:  # floating point can land exactly on the end
            cycle += 1
            into = 0.0
        start = 0.0
        for index, spec in enumerate(self.phases):
            end = start + spec.seconds
            if into < end or index == len(self.phases) - 1:
                progress = 0.0 if spec.seconds == 0 else min(1.0, (into - start) / spec.seconds)
                level = spec.start_level + (spec.end_level - spec.start_level) * progress
                base = cycle * cycle_len
                return PhaseState(
                    phase=spec.phase,
                    index=index,
                    progress=progress,
                    seconds_left=max(0.0, end - into),
                    cycle=cycle,
                    level=level,
                    phase_start=base + start,
                    phase_end=base + end,
                    word=spec.word,
                )
            start = end
        raise AssertionError("unreachable: a pattern always has phases")

    def boundaries(self, until: float) -> list[float]:
        """Every phase start in [0, until]: the schedule the benchmark checks the screen against."""
        times: list[float] = []
        cycle_start = 0.0
        while cycle_start <= until:
            offset = 0.0
            for spec in self.phases:
                t = cycle_start + offset
                if t > until:
                    break
                times.append(t)
                offset += spec.seconds
            cycle_start += self.cycle_seconds
        return times


_SHORT = {Phase.INHALE: "in", Phase.HOLD: "hold", Phase.EXHALE: "out"}
_NUMBERS_ONLY = re.compile(r"^[\d.\-]+$")


def _fmt(seconds: float) -> str:
    return f"{seconds:g}"


def _build(
    name: str, inhale: float, hold: float, exhale: float, hold_after: float, source: str = ""
) -> BreathingPattern:
    specs: list[PhaseSpec] = [PhaseSpec(Phase.INHALE, inhale, 0.0, 1.0)]
    if hold > 0:
        specs.append(PhaseSpec(Phase.HOLD, hold, 1.0, 1.0))
    specs.append(PhaseSpec(Phase.EXHALE, exhale, 1.0, 0.0))
    if hold_after > 0:
        specs.append(PhaseSpec(Phase.HOLD, hold_after, 0.0, 0.0))
    return _checked(BreathingPattern(name, tuple(specs), source))


def _checked(pattern: BreathingPattern) -> BreathingPattern:
    total = pattern.cycle_seconds
    if not MIN_CYCLE_SECONDS <= total <= MAX_CYCLE_SECONDS:
        raise PatternError(
            f"a breathing cycle must last between {MIN_CYCLE_SECONDS:g} and "
            f"{MAX_CYCLE_SECONDS:g} seconds, got {total:g}"
        )
    return pattern


def resonance() -> BreathingPattern:
    """Resonance-frequency breathing: inhale 5.5 s, exhale 5.5 s, about 5.5 breaths a minute.

    Source: Lehrer P. & Gevirtz R. (2014), "Heart rate variability biofeedback: how and why
    does it work?", Frontiers in Psychology 5:756.
    """
    return _build("resonance", 5.5, 0, 5.5, 0, "Lehrer & Gevirtz 2014")


def calm() -> BreathingPattern:
    """Inhale 4, exhale 6: an exhale longer than the inhale slows the heart (vagal brake)."""
    return _build("calm", 4, 0, 6, 0, "longer exhale")


def box() -> BreathingPattern:
    """Box breathing, 4-4-4-4: used in military and first-responder stress training."""
    return _build("box", 4, 4, 4, 4, "box breathing")


def four_seven_eight() -> BreathingPattern:
    """Inhale 4, hold 7, exhale 8: Andrew Weil's "relaxing breath"."""
    return _build("4-7-8", 4, 7, 8, 0, "Weil's relaxing breath")


def sigh() -> BreathingPattern:
    """Cyclic sighing: inhale 2, a second short inhale 1 to top up, a long exhale 6.

    Source: Balban M. Y. et al. (2023), "Brief structured respiration practices enhance mood
    and reduce physiological arousal", Cell Reports Medicine 4(1):100895.
    """
    specs = (
        PhaseSpec(Phase.INHALE, 2.0, 0.0, 0.75),
        PhaseSpec(Phase.INHALE, 1.0, 0.75, 1.0, word="Inhale more"),
        PhaseSpec(Phase.EXHALE, 6.0, 1.0, 0.0),
    )
    return _checked(BreathingPattern("sigh", specs, "Balban et al. 2023"))


BUILTIN_PATTERNS = {
    "resonance": resonance,
    "calm": calm,
    "box": box,
    "4-7-8": four_seven_eight,
    "sigh": sigh,
}
DEFAULT_PATTERN = "resonance"
TABLE_KEYS = ("inhale", "hold", "exhale", "hold_after")

_NUMBER = r"(?:\d+(?:\.\d+)?|\.\d+)"
CUSTOM_PATTERN_REGEX = rf"^\s*{_NUMBER}(?:\s*-\s*{_NUMBER}){{1,3}}\s*$"
"""Seconds like "4-2-6"; the routine schema (core/schema.py) uses the same expression."""
_CUSTOM = re.compile(CUSTOM_PATTERN_REGEX)


def parse_pattern(value: object) -> BreathingPattern:
    """A pattern from a routine file or the command line; PatternError says what is wrong."""
    if isinstance(value, str):
        return _parse_string(value)
    if isinstance(value, Mapping):
        return _parse_table(value)
    raise PatternError(
        "must be a pattern name "
        f'({", ".join(BUILTIN_PATTERNS)}), a string of seconds like "4-2-6", or a table '
        f"like {{ inhale = 4, exhale = 6 }}, got {describe_value(value)}"
    )


def _parse_string(text: str) -> BreathingPattern:
    key = text.strip().lower()
    if key in BUILTIN_PATTERNS:
        return BUILTIN_PATTERNS[key]()
    if not _CUSTOM.match(text):
        raise PatternError(
            f"unknown breathing pattern {text!r}: use one of {', '.join(BUILTIN_PATTERNS)} "
            'or seconds like "4-6", "4-2-6" or "4-4-4-4"'
        )
    numbers = [float(part) for part in text.split("-")]
    name = "-".join(_fmt(n) for n in numbers)
    if len(numbers) == 2:
        inhale, exhale = numbers
        hold = hold_after = 0.0
    elif len(numbers) == 3:
        inhale, hold, exhale = numbers
        hold_after = 0.0
    else:
        inhale, hold, exhale, hold_after = numbers
    return _from_numbers(name, inhale, hold, exhale, hold_after)


def _parse_table(table: Mapping[object, object]) -> BreathingPattern:
    unknown = [k for k in table if k not in TABLE_KEYS]
    if unknown:
        raise PatternError(
            f"unknown key {unknown[0]!r} in breathing table; the keys are {', '.join(TABLE_KEYS)}"
        )
    numbers: dict[str, float] = {}
    for key in TABLE_KEYS:
        raw = table.get(key, 0)
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise PatternError(f"{key} must be a number of seconds, got {describe_value(raw)}")
        try:
            numbers[key] = float(raw)
        except OverflowError:  # an int beyond float range: refused below as not finite
            numbers[key] = math.inf
    if "inhale" not in table or "exhale" not in table:
        raise PatternError("a breathing table needs both inhale and exhale")
    # Named like the string form, so `list --json` output typed back in means the same pattern:
    # { inhale = 4, exhale = 6, hold_after = 2 } is "4-0-6-2", never "4-6-2" (= hold 6, exhale 2).
    shown: tuple[str, ...]
    if numbers["hold_after"] > 0:
        shown = TABLE_KEYS
    elif numbers["hold"] > 0:
        shown = ("inhale", "hold", "exhale")
    else:
        shown = ("inhale", "exhale")
    name = "-".join(_fmt(numbers[k]) for k in shown)
    return _from_numbers(
        name, numbers["inhale"], numbers["hold"], numbers["exhale"], numbers["hold_after"]
    )


def _from_numbers(
    name: str, inhale: float, hold: float, exhale: float, hold_after: float
) -> BreathingPattern:
    for label, seconds in (("inhale", inhale), ("exhale", exhale)):
        if not math.isfinite(seconds) or seconds <= 0:
            raise PatternError(f"{label} must be more than 0 seconds, got {seconds:g}")
    for label, seconds in (("hold", hold), ("hold_after", hold_after)):
        if not math.isfinite(seconds) or seconds < 0:
            raise PatternError(f"{label} must be 0 seconds or more, got {seconds:g}")
    return _build(name, inhale, hold, exhale, hold_after)
