"""The sound of one session, whatever plays it: a plan, its buffers and the mixer they go to.

`calmfeet audio` and the live player both use a `Guide`, so the file's timing is the app's. The
live player hands `guide.mixer.render` to the audio device and tells the guide about the
session; a file pulls the blocks itself.

When to call what (live):
- `prepare(session)` once, in a worker, before the first `replan`: makes every buffer and voice
  clip of the whole plan, so nothing is synthesized later.
- `replan(session, frame)` right after `session.update()` whenever the person changed the course
  of the session (pause, resume, next, back, restart, add time, skip the pause) or the session
  paused itself (sleep, ctrl+z). `frame` is the mixer frame heard at the moment the session was
  read. Steps that end by themselves, halfway, the end of a lead-in or switch pause and the
  routine's end need no replan: the plan already holds them at their frames.
"""

from __future__ import annotations

from collections.abc import Sequence

from calmfeet.core.cues import Cue, CueKind, CueSettings, Layer, plan_cues
from calmfeet.core.session import Session
from calmfeet.sound import SAMPLE_RATE
from calmfeet.sound.bank import STRUCK, SoundBank, apply_volumes
from calmfeet.sound.mixer import Mixer
from calmfeet.sound.voice import Voice

ENDED_EARLY_CUE = Cue(0.0, CueKind.END, Layer.STEPS)
"""Played when the person ends the routine before its time: the end, heard as the end."""


class Guide:
    """A session's sound: `settings` decide what is heard, `voice` (or None) speaks."""

    def __init__(
        self,
        settings: CueSettings,
        *,
        sample_rate: int = SAMPLE_RATE,
        voice: Voice | None = None,
        live: bool = True,
        rewind_seconds: float = 0.0,
    ) -> None:
        self.settings = settings
        self.mixer = Mixer(sample_rate, rewind_seconds=rewind_seconds)
        self.bank = SoundBank(sample_rate, voice if settings.voice else None)
        self._end_frame: int | None = None  # where the planned closing chime is
        apply_volumes(self.mixer, settings, live=live)

    @property
    def sample_rate(self) -> int:
        return self.mixer.sample_rate

    @property
    def notices(self) -> list[str]:
        """Things the person should be told once (a voice engine that failed)."""
        return self.bank.notices

    def plan(self, session: Session) -> list[Cue]:
        return plan_cues(session, self.settings)

    def prepare(self, session: Session) -> list[Cue]:
        """Make every buffer the session's plan needs (slow: voice clips); returns the plan."""
        cues = self.plan(session)
        self.prepare_plan(cues)
        return cues

    def prepare_plan(self, cues: Sequence[Cue]) -> None:
        """`prepare` for a plan made elsewhere: the live player plans where the session lives
        (the UI thread) and makes the buffers in its own thread."""
        self.bank.prepare(cues)
        self.bank.prepare([ENDED_EARLY_CUE])

    def replan(self, session: Session, frame: int) -> list[Cue]:
        """Throw away what was planned from `frame` on and plan afresh from the session now.

        A finished session keeps its closing chime ringing if it ended on time, and gets one
        now if the person ended it early."""
        if session.is_finished:
            self.ended(frame)
            return []
        cues = self.plan(session)
        self.follow(cues, frame)
        return cues

    def follow(self, cues: Sequence[Cue], frame: int) -> None:
        """`replan` with a plan made elsewhere (its times from the moment `frame` is heard)."""
        self.bank.schedule(self.mixer, cues, frame)
        self._note_end(cues, frame)

    def ended(self, frame: int) -> None:
        """The session finished at `frame`: on time, its closing chime rings out as planned;
        ended early by the person, the closing chime now."""
        rate = self.sample_rate
        on_time = self._end_frame is not None and abs(self._end_frame - frame) <= rate // 4
        if not on_time:
            early = [ENDED_EARLY_CUE] if self.settings.step_sounds else []
            self.bank.schedule(self.mixer, early, frame)
            self._end_frame = frame

    def shift(self, frames: int) -> None:
        """The device's timing moved by `frames`: every sound still to come moves with it,
        and what plays goes on (nothing is cut or struck twice)."""
        self.mixer.shift_pending(frames, whole=STRUCK)
        if self._end_frame is not None:
            self._end_frame += frames

    def _note_end(self, cues: Sequence[Cue], frame: int) -> None:
        ends = [c for c in cues if c.kind is CueKind.END]
        self._end_frame = frame + round(ends[0].at * self.sample_rate) if ends else None

    def use_settings(self, settings: CueSettings, voice: Voice | None) -> None:
        """New settings mid-session: volumes and mute at once; what is planned changes with
        the next `follow` (the caller plans again with these settings)."""
        self.settings = settings
        self.bank.use_voice(voice if settings.voice else None)
        apply_volumes(self.mixer, settings, live=True)
