"""From a plan to the mixer: each cue's buffer, made once, scheduled at its frame.

The live player and `calmfeet audio` both go through `SoundBank.schedule`, so a cue lands on the
same frame either way. `prepare` makes every buffer (and voice clip) a plan needs ahead of its
moment: in a worker when a session starts, never in the audio callback or the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence

from calmfeet.core.cues import BREATH_KINDS, Cue, CueKind, CueSettings, Layer
from calmfeet.sound import SAMPLE_RATE
from calmfeet.sound.mixer import Buffer, Mixer
from calmfeet.sound.synth import cue_sound
from calmfeet.sound.voice import Voice, VoiceFailed

CacheKey = tuple[object, ...]
RING_ON = (Layer.STEPS,)
"""Layers whose sounds, once struck, ring out when the session changes course."""
STRUCK = (Layer.STEPS, Layer.VOICE)
"""Layers of sounds with a beginning that matters (a chime's strike, a first word): one due
before what the device was already given starts whole, a moment late, never cut into."""


def cache_key(cue: Cue) -> CacheKey:
    """Cues that sound the same share one buffer: breath tones by length and levels, counts by
    number, words by their text."""
    if cue.kind in BREATH_KINDS:
        return (cue.kind, cue.seconds, cue.start_level, cue.end_level)
    if cue.kind in (CueKind.COUNT, CueKind.SPEAK):
        return (cue.kind, cue.text)
    return (cue.kind,)


class SoundBank:
    """The buffers for cues at one sample rate, with an optional voice for SPEAK cues."""

    def __init__(self, sample_rate: int = SAMPLE_RATE, voice: Voice | None = None) -> None:
        self.sample_rate = sample_rate
        self._voice = voice
        self._cache: dict[CacheKey, Buffer | None] = {}
        self._lock = threading.Lock()
        self.notices: list[str] = []
        """One line for each thing the person should know (a voice engine that failed)."""

    @property
    def voice(self) -> Voice | None:
        return self._voice

    def use_voice(self, voice: Voice | None) -> None:
        """Speak with `voice` from now on (None: no words); clips made before are kept, and
        words asked for while there was no voice are made afresh when next needed."""
        with self._lock:
            self._voice = voice
            self._cache = {key: made for key, made in self._cache.items() if made is not None}

    def buffer(self, cue: Cue) -> Buffer | None:
        """The sound for `cue`, made now if it was not prepared; None for words without a
        voice."""
        key = cache_key(cue)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        made = self._make(cue)
        with self._lock:
            return self._cache.setdefault(key, made)

    def prepare(self, cues: Iterable[Cue]) -> None:
        """Make every buffer these cues need, so scheduling them later costs nothing."""
        for cue in cues:
            self.buffer(cue)

    def _make(self, cue: Cue) -> Buffer | None:
        if cue.kind is CueKind.SPEAK:
            voice = self._voice
            if voice is None:
                return None
            try:
                return voice.render(cue.text)
            except VoiceFailed as error:
                self._voice = None  # one notice, not one per clip (nor a timeout each)
                self.notices.append(f"{error}; going on without voice")
                return None
        return cue_sound(
            cue.kind,
            seconds=cue.seconds,
            start_level=cue.start_level,
            end_level=cue.end_level,
            text=cue.text,
            sample_rate=self.sample_rate,
        )

    def sounds(self, cues: Sequence[Cue], origin_frame: int) -> list[tuple[int, Buffer, Layer]]:
        """(frame, buffer, layer) for each cue that makes a sound, `at` counted from
        `origin_frame` (the frame that stands for the moment the plan was made)."""
        placed: list[tuple[int, Buffer, Layer]] = []
        for cue in cues:
            buffer = self.buffer(cue)
            if buffer is not None and len(buffer):
                placed.append((origin_frame + round(cue.at * self.sample_rate), buffer, cue.layer))
        return placed

    def schedule(self, mixer: Mixer, cues: Sequence[Cue], origin_frame: int) -> None:
        """Replace whatever the mixer had from `origin_frame` on with this plan. A chime already
        struck rings out; a breath tone or words under way fade (the plan brings back the tone
        it goes on with, joined where it was)."""
        mixer.replace_from(
            origin_frame, self.sounds(cues, origin_frame), ring_on=RING_ON, whole=STRUCK
        )


def apply_volumes(mixer: Mixer, settings: CueSettings, *, live: bool = True) -> None:
    """The person's layer volumes, and live only, the overall volume and mute: a file made
    while muted would be silence, and a phone or speaker has a volume of its own, so a file
    keeps the balance of the layers at their full level."""
    for layer in Layer:
        mixer.set_volume(layer, settings.layer_volume(layer))
    mixer.master = settings.volume if live else 1.0
    mixer.muted = settings.muted and live
