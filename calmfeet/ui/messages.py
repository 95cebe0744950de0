"""What screens tell the app: past-tense messages the app handles with `@on`.

Screens never call into the app; they say what happened and the app decides. The app sends
data back down through the reactives the screens bind to (`CalmFeetApp.prefs`, `.library`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from calmfeet.core.model import Routine
from calmfeet.core.preferences import Preferences, PreferencesStore

if TYPE_CHECKING:
    from calmfeet.core.history import Kept
    from calmfeet.core.session import Session
    from calmfeet.sound.live import SoundNews

PreferenceUpdate = Callable[[PreferencesStore], Preferences]
"""One change to the saved preferences, applied under the store's lock."""


@dataclass
class RoutineChosen(Message):
    """The person asked to start this routine (the caution comes first, if it has one)."""

    routine: Routine
    breathing_only: bool = False
    """A `calmfeet breathe` session again: the pacer alone, no caution."""


@dataclass
class StatsRequested(Message):
    """The person asked to see their practice."""


@dataclass
class PreferenceChanged(Message):
    """The person changed something calmfeet remembers; the app saves it."""

    update: PreferenceUpdate
    announce: str = ""
    """A short toast once it is saved (e.g. "Bell off"), or nothing."""


@dataclass
class BellToggled(Message):
    """The bell was switched on or off from a screen."""


@dataclass
class RoutineReplaced(Message):
    """The person's own version of a routine was saved or restored: the library changes."""

    routine: Routine


@dataclass
class SessionEnded(Message):
    """A session finished or was left: the app records it (once) in the history."""

    session: Session


@dataclass
class SessionCourseChanged(Message):
    """The session started counting, the person changed its course (pause, resume, next,
    back, restart, added time, skipped a pause) or it paused itself (sleep, ctrl+z): the
    sound plans again from this moment. Posted right after the screen read the session."""

    session: Session


@dataclass
class SoundReport(Message):
    """News from a live player's thread (a notice, the output open, a timing to correct)."""

    player: int
    news: SoundNews


@dataclass
class HistoryWritten(Message):
    """A history write finished off the UI thread: what became of each session (written,
    kept to save later, or kept nowhere) and anything the history had to say."""

    outcomes: tuple[Kept, ...]
    notices: tuple[str, ...]
