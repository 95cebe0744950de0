"""What a session will sound like from now on: the cue schedule, worked out from the session.

The live player and `calmfeet audio` both turn a session into sound through `plan_cues`, so a
file has the app's timing. A plan assumes no more key presses: after pause, resume, next, back,
restart or added time the player throws the rest of the old plan away and plans again.

Pure Python and no Textual: the plan is tested on a fake clock against the session itself.

Decisions:
- The breath is heard wherever the pacer runs, except in the get-ready lead-in: there the pacer
  starts a breath that is thrown away when the first step begins, so the lead-in counts 3-2-1
  instead and the first tone starts with the first step's inhale.
- Through a switch-feet pause the breath goes on (as on screen), so the tones do too.
- A breath tone already part-way at "now" is planned with its start in the past (negative
  `at`), so the player can join it mid-way. A tone cut short (the breath restarts for a step
  with another pattern, or the routine ends) is planned only as long as it sounds, with the
  lung level where it is cut, so its glide and fades stay whole.
- A step that has just begun (within `FRESH_SECONDS`: a key press, a restart, the start) gets its
  chime and announcement now; so does a switch pause or lead-in that has just begun.
- Spoken words follow the chime they belong with by `VOICE_AFTER_CHIME` seconds, so the chime
  marks the moment and the words are heard clearly after it.
- A paused or finished session plans nothing: a player that wants a closing chime when the
  person ends early plays `CueKind.END` itself.
"""

from __future__ import annotations

import enum
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING

from calmfeet.core.breathing import BreathingPattern, Phase, PhaseSpec
from calmfeet.core.footmap import FOOT_WORDS
from calmfeet.core.preferences import MAX_VOLUME, Preferences, SoundStyle
from calmfeet.core.safe_text import speakable
from calmfeet.core.session import (
    BREATHING_ONLY_ID,
    InterludeKind,
    Session,
    SessionState,
    feet_switch,
)

if TYPE_CHECKING:
    from calmfeet.core.model import Step

FRESH_SECONDS = 0.25
"""A step (or pause) this new when planned is treated as starting now: its cues play at once."""
VOICE_AFTER_CHIME = 0.35
"""Words that go with a chime start this long after it."""
COUNT_FROM = 3
"""The lead-in counts down from this: one blip a second, as the screen shows 3, 2, 1."""
TICK_SECONDS = 3
"""The optional soft tick sounds on each of a step's last this many seconds."""
MIN_TONE_SECONDS = 0.1
"""A breath tone cut shorter than this is left out: it would be only its fades."""
SPEECH_SECONDS_PER_CHARACTER = 0.07
"""About how long a voice takes per character (espeak-ng's default 175 words a minute)."""
PHASE_WORD_SECONDS = 0.6
"""Room a phase word needs before an announcement starts; one that would run into it is left out."""
GET_READY_WORDS = "Get ready."
ROUTINE_END_WORDS = "Routine complete."
BREATHING_END_WORDS = "Breathing session complete."
PHASE_WORDS = {"inhale": "in", "inhale_more": "more", "exhale": "out", "hold": "hold"}

Style = SoundStyle
STYLES: tuple[Style, ...] = typing.get_args(SoundStyle)


class Layer(enum.Enum):
    """Each layer can be switched off and has its own volume."""

    BREATH = "breath"
    STEPS = "steps"
    VOICE = "voice"


class CueKind(enum.Enum):
    INHALE = "inhale"
    INHALE_MORE = "inhale more"
    """The cyclic sigh's second, short inhale: a short rise from near the top."""
    EXHALE = "exhale"
    HOLD = "hold"
    STEP = "step"
    """A bowl chime: a new step begins."""
    SWITCH = "switch"
    """Change feet: a switch-feet pause begins."""
    HALFWAY = "halfway"
    TICK = "tick"
    """One of the last seconds of a step (text: `3`, `2`, `1`)."""
    COUNT = "count"
    """The lead-in's countdown (text: `3`, `2`, `1`)."""
    END = "end"
    """The closing chime: the routine ran to its end."""
    SPEAK = "speak"
    """Words for the voice (text)."""


BREATH_KINDS = frozenset({CueKind.INHALE, CueKind.INHALE_MORE, CueKind.EXHALE, CueKind.HOLD})


@dataclass(frozen=True)
class Cue:
    """One sound, `at` seconds of session running time from the moment it was planned."""

    at: float
    kind: CueKind
    layer: Layer
    seconds: float = 0.0
    """How long it lasts, for breath tones (the phase, or the part of it that sounds)."""
    text: str = ""
    """The words for SPEAK; the number for COUNT and TICK."""
    start_level: float = 0.0
    """Breath tones: the lung level (0 empty, 1 full) at the start and end of the tone."""
    end_level: float = 0.0
    step: int = 0
    """The index of the step it belongs to (the step that follows, for a lead-in or switch)."""


@dataclass(frozen=True)
class CueSettings:
    """What the person chose to hear. The style decides the synthesized sounds: `tones` is
    breath tones and step cues, `chimes` step cues only, `off` none; the voice is its own
    layer. Volumes (0 to 1) and mute are applied by the mixer, not the plan."""

    style: Style = "tones"
    breath: bool = True
    steps: bool = True
    voice: bool = True
    """Announce steps (and the lead-in, switches, halfway and the end) where a voice exists."""
    ticks: bool = False
    voice_how: bool = False
    """Also speak the step's `how` after its title."""
    voice_phase_words: bool = False
    """Speak `in`, `out`, `hold` at each phase."""
    breath_volume: float = 1.0
    steps_volume: float = 1.0
    voice_volume: float = 1.0
    volume: float = 1.0
    muted: bool = False

    @property
    def breath_tones(self) -> bool:
        return self.style == "tones" and self.breath

    @property
    def step_sounds(self) -> bool:
        return self.style != "off" and self.steps

    @property
    def anything_to_hear(self) -> bool:
        """Whether a session makes any sound at all (muted or not): else no output opens."""
        return self.breath_tones or self.step_sounds or self.voice

    def layer_volume(self, layer: Layer) -> float:
        return {
            Layer.BREATH: self.breath_volume,
            Layer.STEPS: self.steps_volume,
            Layer.VOICE: self.voice_volume,
        }[layer]


def settings_from_preferences(
    prefs: Preferences | None, *, sound: bool | None = None, voice: bool | None = None
) -> CueSettings:
    """The person's sound settings (defaults for None): the app and `calmfeet audio` both
    come through this one place. `sound` and `voice` are the command line's `--sound/--no-sound`
    and `--voice/--no-voice` for this run: `--no-sound` silences everything, `--sound` plays
    (unmuted, tones if the style was off) whatever was saved."""
    if prefs is None:
        prefs = Preferences()
    style: Style = prefs.sound
    muted = prefs.sound_muted
    spoken = prefs.voice if voice is None else voice
    if sound is False:
        style, spoken = "off", False
    elif sound is True:
        muted = False
        if style == "off":
            style = "tones"
    return CueSettings(
        style=style,
        breath=prefs.sound_breath,
        steps=prefs.sound_steps,
        voice=spoken,
        ticks=prefs.sound_ticks,
        voice_how=prefs.voice_how,
        voice_phase_words=prefs.voice_phase_words,
        breath_volume=prefs.sound_breath_volume / MAX_VOLUME,
        steps_volume=prefs.sound_steps_volume / MAX_VOLUME,
        voice_volume=prefs.voice_volume / MAX_VOLUME,
        volume=prefs.sound_volume / MAX_VOLUME,
        muted=muted,
    )


def estimated_speech_seconds(text: str) -> float:
    """Roughly how long a voice takes to say `text`: enough to keep phase words off it."""
    return 0.3 + len(text) * SPEECH_SECONDS_PER_CHARACTER


def _sentence(text: str) -> str:
    text = speakable(text)
    if text and text[-1] not in ".!?":
        text += "."
    return text


def foot_words(foot: str) -> str:
    words = FOOT_WORDS.get(foot, foot)
    return words[:1].upper() + words[1:]


def step_words(session: Session, index: int, settings: CueSettings) -> str:
    """`Step 3 of 10. Thumb walk along the arch. Left foot.`, and its `how` if asked for."""
    step = session.routine.steps[index]
    parts = [f"Step {index + 1} of {session.step_count}.", _sentence(step.title)]
    parts.append(_sentence(foot_words(step.foot)))
    if settings.voice_how and step.how:
        parts.append(_sentence(step.how))
    return " ".join(part for part in parts if part)


def switch_words(step: Step) -> str:
    return f"Switch to the {FOOT_WORDS.get(step.foot, step.foot)}."


def get_ready_words(session: Session) -> str:
    needs = [speakable(need) for need in session.routine.needs]
    needs = [need for need in needs if need]
    if not needs:
        return GET_READY_WORDS
    return f"{GET_READY_WORDS} You will need: {', '.join(needs)}."


@dataclass
class _BreathRun:
    """A stretch of one unbroken breath: from `start` (relative seconds) to `end`, the breath
    `elapsed` seconds into `pattern` at `start`; `audible` is False through the lead-in."""

    pattern: BreathingPattern
    start: float
    elapsed: float
    audible: bool
    end: float = 0.0


class _Planner:
    def __init__(self, session: Session, settings: CueSettings, horizon: float | None) -> None:
        self.session = session
        self.settings = settings
        self.horizon = horizon
        self.cues: list[Cue] = []
        self.spoken: list[tuple[float, float]] = []  # announcements: start, estimated end
        self.runs: list[_BreathRun] = []
        self.step_starts: list[tuple[float, int]] = []  # when the screen moves to each step
        self.breathing_only = session.routine.id == BREATHING_ONLY_ID

    # ---- adding cues

    def sound(self, at: float, kind: CueKind, step: int, text: str = "") -> None:
        if self.settings.step_sounds and (kind is not CueKind.TICK or self.settings.ticks):
            self.cues.append(Cue(at, kind, Layer.STEPS, text=text, step=step))

    def say(self, at: float, text: str, step: int, *, after_chime: bool = True) -> None:
        if not self.settings.voice or not text:
            return
        if after_chime and self.settings.step_sounds:
            at += VOICE_AFTER_CHIME
        self.cues.append(Cue(at, CueKind.SPEAK, Layer.VOICE, text=text, step=step))
        self.spoken.append((at, at + estimated_speech_seconds(text)))

    def breathe(self, at: float, pattern: BreathingPattern, elapsed: float, audible: bool) -> None:
        """The breath starts (or goes on, from `elapsed`) at `at` with `pattern`."""
        if self.runs:
            self.runs[-1].end = at
        self.runs.append(_BreathRun(pattern, at, elapsed, audible))

    # ---- the walk through the steps

    def plan(self) -> list[Cue]:
        session = self.session
        if session.state is not SessionState.RUNNING:
            return []
        steps = session.routine.steps
        index = session.index
        interlude = session.interlude
        t = 0.0
        if interlude is not None:
            fresh = interlude.seconds - interlude.seconds_left < FRESH_SECONDS
            lead_in = interlude.kind is InterludeKind.LEAD_IN
            self.breathe(0.0, steps[index].breathing, session.breath_elapsed, not lead_in)
            if lead_in:
                if fresh:
                    self.say(0.0, get_ready_words(session), index, after_chime=False)
                for number in range(COUNT_FROM, 0, -1):
                    at = interlude.seconds_left - number
                    if at >= 0:
                        self.sound(at, CueKind.COUNT, index, str(number))
            elif fresh:
                self.sound(0.0, CueKind.SWITCH, index)
                self.say(0.0, switch_words(steps[index]), index)
            t = interlude.seconds_left
            if lead_in:
                self.breathe(t, steps[index].breathing, 0.0, True)
            self.step_begins(index, t)
            elapsed = 0.0
        else:
            self.breathe(0.0, steps[index].breathing, session.breath_elapsed, True)
            elapsed = session.step_elapsed
            if elapsed < FRESH_SECONDS:
                self.step_begins(index, 0.0)
        remaining = session.step_remaining
        switch_seconds = session.switch_seconds
        while True:
            step = steps[index]
            half = step.seconds / 2
            if step.halfway and elapsed <= half:
                at = t + half - elapsed
                self.sound(at, CueKind.HALFWAY, index)
                self.say(at, _sentence(step.halfway), index)
            for number in range(TICK_SECONDS, 0, -1):
                if remaining >= number:
                    self.sound(t + remaining - number, CueKind.TICK, index, str(number))
            end = t + remaining
            if index + 1 >= len(steps):
                self.sound(end, CueKind.END, index)
                words = BREATHING_END_WORDS if self.breathing_only else ROUTINE_END_WORDS
                self.say(end, words, index)
                self.runs[-1].end = end
                break
            following = steps[index + 1]
            if following.breathing != step.breathing:
                self.breathe(end, following.breathing, 0.0, True)
            t = end
            self.step_starts.append((end, index + 1))
            if switch_seconds > 0 and feet_switch(step, following):
                self.sound(end, CueKind.SWITCH, index + 1)
                self.say(end, switch_words(following), index + 1)
                t = end + switch_seconds
            index += 1
            self.step_begins(index, t)
            elapsed = 0.0
            remaining = following.seconds
            if self.horizon is not None and t >= self.horizon:
                self.runs[-1].end = t
                break
        for run in self.runs:
            if run.audible:
                self.breath_cues(run)
        cues = [c for c in self.cues if self.horizon is None or c.at < self.horizon]
        return sorted(cues, key=lambda c: (c.at, c.layer.value))

    def step_begins(self, index: int, at: float) -> None:
        self.sound(at, CueKind.STEP, index)
        if not self.breathing_only:
            self.say(at, step_words(self.session, index, self.settings), index)

    # ---- the breath

    def breath_cues(self, run: _BreathRun) -> None:
        pattern = run.pattern
        cycle = pattern.cycle_seconds
        origin = run.start - run.elapsed  # when this breath's elapsed time was 0
        state = pattern.state_at(run.elapsed)
        cycle_index, phase_index = state.cycle, state.index
        stop = run.end if self.horizon is None else min(run.end, self.horizon)
        while True:
            spec = pattern.phases[phase_index]
            offset = sum(p.seconds for p in pattern.phases[:phase_index])
            start = origin + cycle_index * cycle + offset
            if start >= stop:
                return
            end = min(start + spec.seconds, run.end)
            kind = breath_kind(pattern, phase_index)
            length = end - start
            step = self._step_at(start)
            if self.settings.breath_tones and length >= MIN_TONE_SECONDS:
                fraction = min(1.0, length / spec.seconds)
                level = spec.start_level + (spec.end_level - spec.start_level) * fraction
                self.cues.append(
                    Cue(
                        start,
                        kind,
                        Layer.BREATH,
                        seconds=length,
                        start_level=spec.start_level,
                        end_level=spec.end_level if fraction == 1.0 else level,
                        step=step,
                    )
                )
            if start >= run.start and start >= 0:
                self.phase_word(start, kind, step)
            phase_index += 1
            if phase_index == len(pattern.phases):
                phase_index = 0
                cycle_index += 1

    def phase_word(self, at: float, kind: CueKind, step: int) -> None:
        settings = self.settings
        if not (settings.voice and settings.voice_phase_words):
            return
        word = PHASE_WORDS[kind.name.lower()]
        if any(begin - PHASE_WORD_SECONDS <= at < finish for begin, finish in self.spoken):
            return  # an announcement is being spoken: no word over it
        self.cues.append(Cue(at, CueKind.SPEAK, Layer.VOICE, text=word, step=step))

    def _step_at(self, at: float) -> int:
        """The step on screen at `at` (the following one through a switch pause)."""
        index = self.session.index
        for begins, later in self.step_starts:
            if begins > at:
                break
            index = later
        return index


def breath_kind(pattern: BreathingPattern, index: int) -> CueKind:
    """The cue for phase `index`: an inhale right after an inhale is the sigh's top-up."""
    spec: PhaseSpec = pattern.phases[index]
    if spec.phase is Phase.INHALE:
        if index > 0 and pattern.phases[index - 1].phase is Phase.INHALE:
            return CueKind.INHALE_MORE
        return CueKind.INHALE
    return CueKind.EXHALE if spec.phase is Phase.EXHALE else CueKind.HOLD


def plan_cues(session: Session, settings: CueSettings, horizon: float | None = None) -> list[Cue]:
    """Every cue from now until the routine ends (or `horizon` seconds from now), in time
    order, assuming no more key presses. Plan right after `session.update()`, as the screen
    reads it: a session never moves on by itself between updates."""
    return _Planner(session, settings, horizon).plan()
