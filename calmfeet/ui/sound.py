"""The app's side of sound: a live player for the session on screen, the person's settings, and
each notice said once per run.

The app forwards to a `SoundDesk` and nothing more: when a session starts, when the person
changes its course, when preferences change, when it ends. The desk turns preferences (and
`--sound/--voice`) into cue settings and keeps one `LivePlayer` per session; a player whose
session has ended rings out and closes by itself. Sound is loaded here only when a session with
something to hear starts: `calmfeet.sound.live` is light, and numpy and miniaudio load in the
player's own thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from calmfeet.core.clock import Clock
from calmfeet.core.preferences import Preferences, PreferencesStore, SoundSetting, SoundStyle

if TYPE_CHECKING:
    from calmfeet.core.cues import CueSettings
    from calmfeet.core.session import Session
    from calmfeet.sound.live import FindVoice, LivePlayer, OpenOutput, SoundNews

Tell = Callable[[int, "SoundNews"], None]
"""tell(player number, news): called from a player's thread; the app posts it to itself."""


@dataclass(frozen=True)
class Heard:
    """What the app does with a player's news: toasts to show."""

    notices: tuple[str, ...] = ()


class SoundDesk:
    """One live player per session, at most one of them for the session on screen."""

    def __init__(
        self,
        clock: Clock,
        tell: Tell,
        *,
        sound: bool | None = None,
        voice: bool | None = None,
        open_output: OpenOutput | None = None,
        find_voice: FindVoice | None = None,
    ) -> None:
        self.clock = clock
        self._tell = tell
        self.sound = sound
        """`--sound` (True) or `--no-sound` (False) for this run; None: as saved."""
        self.voice = voice
        self._open_output = open_output
        self._find_voice = find_voice
        self.player: LivePlayer | None = None
        self.session: Session | None = None
        self._number = 0
        self._ringing: list[LivePlayer] = []
        self._said: set[str] = set()
        self._playing = False
        self._silent = False  # the session's player found no device (or failed)
        self.preparing = False
        """A player is opening the device and making the session's sounds: the session
        screen waits (briefly) to start its clock, so the first chime starts with it."""

    def settings(self, prefs: Preferences) -> CueSettings:
        # Imported once a session starts (the cue schedule needs the session engine), never
        # before the picker's first frame.
        from calmfeet.core.cues import settings_from_preferences

        return settings_from_preferences(prefs, sound=self.sound, voice=self.voice)

    def wanted(self, prefs: Preferences) -> bool:
        """Whether the session on screen makes any sound (muted or not): the footer offers
        `m`. False with no session (without loading the cue schedule) or no device."""
        if self.session is None or self._silent:
            return False
        return self.settings(prefs).anything_to_hear

    # ---- a session's life --------------------------------------------------------------------

    def start(self, session: Session, prefs: Preferences) -> None:
        """A session was made: its player opens the output and prepares every sound now."""
        if self.session is not None:
            self.end(self.session)
        self.session = session
        settings = self.settings(prefs)
        if settings.anything_to_hear:
            self._start_player(session, settings)

    def _start_player(self, session: Session, settings: CueSettings) -> None:
        from calmfeet.sound.live import LivePlayer

        self._number += 1
        number = self._number

        def tell(news: SoundNews) -> None:
            self._tell(number, news)

        self._playing = False
        self._silent = False
        self.preparing = True
        self.player = LivePlayer(
            settings,
            self.clock,
            tell=tell,
            open_output=self._open_output,
            find_voice=self._find_voice,
        )
        self.player.start(session)

    def follow(self, session: Session) -> None:
        """The session's course changed (or it started counting): plan again from now."""
        if self.player is not None and session is self.session:
            self.player.follow(session)

    def end(self, session: Session) -> None:
        """The session finished or was left: its last chime rings out, then it closes."""
        if session is not self.session:
            return
        player, self.player, self.session = self.player, None, None
        self._playing = False
        self.preparing = False
        if player is not None:
            player.end(session)
            self._ringing = [p for p in self._ringing if not p.done.is_set()] + [player]

    def prefs_changed(self, prefs: Preferences) -> None:
        """New settings reach the session playing now; sound switched on mid-session starts."""
        session = self.session
        if session is None:
            return
        settings = self.settings(prefs)
        if self.player is not None:
            self.player.change(settings, session)
        elif settings.anything_to_hear and not session.is_finished:
            self._start_player(session, settings)
            self.follow(session)  # it is already counting: play from where it is

    def close(self) -> None:
        """calmfeet is stopping: every device is released now, ringing or not."""
        for player in [*self._ringing, *([self.player] if self.player else [])]:
            player.close()
        self._ringing = []
        self.player = None
        self.session = None
        self._playing = False
        self.preparing = False

    # ---- news from the players -----------------------------------------------------------------

    def heard(self, number: int, news: SoundNews) -> Heard:
        """A player's news: each notice once per run, and whether the current one plays."""
        current = number == self._number and self.player is not None
        if current and news.playing is not None:
            self._playing = news.playing
            self._silent = not news.playing
            self.preparing = False
        notices: tuple[str, ...] = ()
        if news.notice and news.notice not in self._said:
            self._said.add(news.notice)
            notices = (news.notice,)
        return Heard(notices)

    def chiming(self, prefs: Preferences) -> bool:
        """Step changes are heard as chimes now: the terminal bell would only double them."""
        if not self._playing or self.player is None or self.session is None:
            return False
        settings = self.settings(prefs)
        return (
            settings.step_sounds
            and not settings.muted
            and settings.volume > 0
            and settings.steps_volume > 0
        )


# ---- the command palette's sound entries -------------------------------------------------------

VOLUME_CHOICES = (20, 40, 60, 80, 100)
"""What a palette volume entry cycles through."""
STYLE_WORDS = {"tones": "breath tones and chimes", "chimes": "chimes only", "off": "off"}
SWITCHES: tuple[tuple[SoundSetting, str, str], ...] = (
    (
        "sound_breath",
        "Breath tone",
        "A soft tone rising as you breathe in, falling as you breathe out",
    ),
    ("sound_steps", "Step chimes", "A chime at each step, switch of feet, halfway cue and the end"),
    ("sound_ticks", "Ticks", "A soft tick on each of a step's last 3 seconds"),
    ("voice", "Voice", "Speak each step (needs espeak-ng, or say on macOS)"),
    ("voice_how", "Voice reads how", "After the step's title, the voice reads how to do it"),
    ("voice_phase_words", "Voice says in and out", "A spoken word at each phase of the breath"),
)
"""(key, palette title, what it does) for each sound switch."""
VOLUMES: tuple[tuple[SoundSetting, str], ...] = (
    ("sound_volume", "Sound volume"),
    ("sound_breath_volume", "Breath tone volume"),
    ("sound_steps_volume", "Step chimes volume"),
    ("voice_volume", "Voice volume"),
)


def next_volume(current: int) -> int:
    later = [choice for choice in VOLUME_CHOICES if choice > current]
    return later[0] if later else VOLUME_CHOICES[0]


@dataclass(frozen=True)
class SoundCommand:
    """One palette entry: its title and help, the change it saves and the toast after it."""

    title: str
    help: str
    change: Callable[[PreferencesStore], Preferences]
    announce: str


def sound_commands(prefs: Preferences) -> list[SoundCommand]:
    """The palette's sound entries, each titled with its value now."""
    styles: tuple[SoundStyle, ...] = ("tones", "chimes", "off")
    style = styles[(styles.index(prefs.sound) + 1) % len(styles)]
    muted = not prefs.sound_muted
    commands = [
        SoundCommand(
            f"Sound: {STYLE_WORDS[prefs.sound]}",
            f"Choose again for {STYLE_WORDS[style]} (the voice is its own setting)",
            lambda store: store.set_sound(style),
            f"Sound: {STYLE_WORDS[style]}",
        ),
        SoundCommand(
            "Unmute sound" if prefs.sound_muted else "Mute sound",
            "Also m in a session; remembered",
            lambda store: store.set_sound_muted(muted),
            "Sound muted" if muted else "Sound on",
        ),
    ]
    for key, title, words in SWITCHES:
        on = not bool(getattr(prefs, key))
        commands.append(
            SoundCommand(
                f"{title}: {'off' if on else 'on'}",
                words,
                partial(_set, key, on),
                f"{title} {'on' if on else 'off'}",
            )
        )
    for key, title in VOLUMES:
        volume = next_volume(int(getattr(prefs, key)))
        commands.append(
            SoundCommand(
                f"{title}: {getattr(prefs, key)}",
                f"Choose again for {volume} (of 100)",
                partial(_set, key, volume),
                f"{title} {volume}",
            )
        )
    return commands


def _set(key: SoundSetting, value: bool | int, store: PreferencesStore) -> Preferences:
    return store.set_sound_setting(key, value)
