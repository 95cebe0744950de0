"""The calmfeet Textual app: one factory the command line and the tests both use."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import sys
import threading
from collections.abc import AsyncGenerator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, SearchIcon
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.theme import ThemeProvider
from textual.worker import Worker, WorkerState

from calmfeet.core.breathing import BreathingPattern
from calmfeet.core.clock import Clock, SystemClock
from calmfeet.core.glyphs import glyphs_for, plural
from calmfeet.core.library import Library
from calmfeet.core.model import Routine
from calmfeet.core.paths import Paths
from calmfeet.core.practice import PracticeLog
from calmfeet.core.preferences import Preferences, PreferencesStore, PregnancyChoice
from calmfeet.core.safe_text import displayable
from calmfeet.core.safety import avoided_points, routine_caution, without_avoided_points
from calmfeet.exit_codes import EXIT_OK, signal_exit_code
from calmfeet.ui.messages import (
    BellToggled,
    HistoryWritten,
    PreferenceChanged,
    PreferenceUpdate,
    RoutineChosen,
    RoutineReplaced,
    SessionCourseChanged,
    SessionEnded,
    SoundReport,
    StatsRequested,
)
from calmfeet.ui.screens.picker import PickerScreen
from calmfeet.ui.sound import SoundCommand, SoundDesk, sound_commands
from calmfeet.ui.theme_vars import THEME_VARIABLE_DEFAULTS
from calmfeet.ui.themes import DEFAULT_THEME, ThemeCatalog

if TYPE_CHECKING:
    from textual.message import Message
    from textual.pilot import Pilot

    from calmfeet.core.history import History, Kept, SessionRecord
    from calmfeet.sound.live import FindVoice, OpenOutput, SoundNews


SIGNAL_EXIT_GRACE_SECONDS = 1.5
LEAD_IN_CHOICES = (0.0, 3.0, 5.0, 10.0)
"""What the palette's "Get-ready countdown" cycles through, in seconds."""
SWITCH_CHOICES = (0.0, 3.0, 5.0)
"""What the palette's "Switch-feet pause" cycles through, in seconds."""
PREGNANCY_WORDS: dict[PregnancyChoice, str] = {
    "ask": "Asked the first time a routine has one",
    "skip": "Steps on points avoided in pregnancy are skipped",
    "include": "Steps on points avoided in pregnancy are kept",
}
"""The pregnancy preference in words, for the palette and the notice after a change."""


def next_choice(current: float, choices: tuple[float, ...]) -> float:
    """The choice after `current` (the first one after the largest, or for a value not listed)."""
    later = [choice for choice in choices if choice > current]
    return later[0] if later else choices[0]


def palette_text(text: str) -> str:
    """A routine's words for the command palette, which reads its titles as markup: every
    `[` escaped, so `[/]` is shown, not parsed (a crash), and `[@click=...]` is not a link."""
    return displayable(text, one_line=True).replace("[", "\\[")


class AsciiScrollBarRender(ScrollBarRender):
    """Scrollbars for `--ascii`: the thumb is a block of reversed spaces, no eighth-blocks."""

    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8


class CatalogueThemeProvider(ThemeProvider):
    """The palette's themes are exactly the ones `--theme` accepts, calmfeet's first."""

    @property
    def commands(self) -> list[tuple[str, Callable[[], None]]]:
        app = self.app
        names = app.theme_names() if isinstance(app, CalmFeetApp) else list(app.available_themes)

        def set_app_theme(name: str) -> None:
            app.theme = name

        return [(name, partial(set_app_theme, name)) for name in names]


class Palette(CommandPalette):
    """The command palette; under --ascii its search icon is a plain `>`."""

    def __init__(self, *args: Any, ascii: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ascii = ascii

    def on_mount(self) -> None:
        if self._ascii:
            self.query_one(SearchIcon).icon = ">"


@dataclass
class AppConfig:
    """Everything the app is started with; `calmfeet.launch.make_app` fills it."""

    paths: Paths
    library: Library
    themes: ThemeCatalog
    prefs: PreferencesStore
    clock: Clock = field(default_factory=SystemClock)
    theme: str | None = None
    reduced_motion: bool = False
    ascii: bool = False
    run_routine: str | None = None
    breathe: BreathingPattern | None = None
    breathe_minutes: float = 5.0
    extra_dirs: tuple[Path, ...] = ()
    history: History | None = None
    """An open History; None opens one at `paths.history_db` when first needed."""
    full_library: Callable[[], Library] | None = None
    """When set, the library holds only the built-ins and this reads the rest in a thread."""
    sound: bool | None = None
    """`--sound` (True) or `--no-sound` (False) for this run; None: the saved settings."""
    voice: bool | None = None
    """`--voice` or `--no-voice` for this run; None: the saved setting."""
    open_output: OpenOutput | None = None
    """Opens the sound device (calmfeet.sound.output.open_output unless a test gives one)."""
    find_voice: FindVoice | None = None
    """Finds a voice engine (calmfeet.sound.voice.find_voice unless a test gives one)."""


class CalmFeetApp(App[int]):
    """Shows core state and forwards keys; the domain lives in calmfeet.core.

    Screens post messages (calmfeet.ui.messages) and bind to `prefs` and `library`.
    """

    TITLE = "calmfeet"
    CSS_PATH = "calmfeet.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True, show=False),
        Binding("question_mark", "show_keys", "Keys", id="keys"),
    ]

    prefs: var[Preferences] = var(Preferences)
    """What calmfeet remembers, as last saved; screens bind to it."""
    library: var[Library] = var(Library)
    """The routines in the person's order; screens bind to it."""
    sound_on: var[bool] = var(False)
    """Sessions make sound (muted or not): the session screen offers `m`."""
    chiming: var[bool] = var(False)
    """Step changes are heard as chimes now, so the session screen rings no terminal bell."""
    sound_preparing: var[bool] = var(False)
    """The session's sounds are being made: its screen waits a moment to start the clock."""

    def __init__(self, config: AppConfig) -> None:
        # NO_COLOR: with ANSI colour on, Textual strips every colour (its NoColor filter) and
        # leaves the terminal's own, instead of painting the theme in greys.
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)
        self.config = config
        self.set_class(self.no_color, "-no-color")
        self.set_class(config.ascii, "-ascii")
        if config.ascii:
            # Textual's public hook for scrollbar glyphs is this class attribute; put it back
            # when the app stops (on_unmount), so nothing else in the process is affected.
            ScrollBar.renderer = AsciiScrollBarRender
        self.set_reactive(CalmFeetApp.prefs, config.prefs.current)
        self.set_reactive(CalmFeetApp.library, config.library)
        self.sound = SoundDesk(
            config.clock,
            self._tell_sound,
            sound=config.sound,
            voice=config.voice,
            open_output=config.open_output,
            find_voice=config.find_voice,
        )
        self.practice = PracticeLog()
        self._history: History | None = config.history
        self.exit_notes: list[str] = []
        """What the person must hear after the app has stopped (a session not saved)."""
        self._to_write: list[SessionRecord] = []
        """Sessions ended and handed to a writer thread that has not taken them yet."""
        self._to_write_lock = threading.Lock()
        self._writing = threading.Lock()
        """Held while sessions are written, so stopping waits for a write under way."""
        self._first_screen_open = asyncio.Event()
        self._theme_ready = False
        if config.reduced_motion or self.prefs.reduced_motion:
            self.animation_level = "none"
        self._choose_theme()

    # ---- set-up -----------------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(THEME_VARIABLE_DEFAULTS)

    @property
    def reduced_motion(self) -> bool:
        return self.animation_level == "none"

    def get_key_display(self, binding: Binding) -> str:
        """Keys as Textual shows them (`⏎` for enter), or by name with `--ascii`."""
        shown = super().get_key_display(binding)
        if self.config.ascii and not shown.isascii():
            return binding.key.replace("ctrl+", "^")
        return shown

    def theme_names(self) -> list[str]:
        """The themes on offer, in the catalogue's order: calmfeet's, the person's, Textual's."""
        return [name for name in self.config.themes.names() if name in self.available_themes]

    def search_themes(self) -> None:
        """The palette's theme list, from the same catalogue the command line checks."""
        self.push_screen(
            Palette(
                providers=[CatalogueThemeProvider],
                placeholder=f"Search for themes{glyphs_for(self.config.ascii).ellipsis}",
                ascii=self.config.ascii,
            )
        )

    def action_command_palette(self) -> None:
        """Textual's palette, with calmfeet's words and, under --ascii, no emoji or ellipsis."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(
                Palette(
                    placeholder=f"Search for commands{glyphs_for(self.config.ascii).ellipsis}",
                    ascii=self.config.ascii,
                    id="--command-palette",
                )
            )

    def _choose_theme(self) -> None:
        """Before the first CSS pass: choosing a theme later would parse the CSS twice."""
        for loaded in self.config.themes.themes:
            self.register_theme(loaded.theme)
        wanted = self.config.theme or self.prefs.theme or DEFAULT_THEME
        if wanted not in self.available_themes:
            wanted = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        self.theme = wanted

    def on_mount(self) -> None:
        self._theme_ready = True
        if self.config.theme and self.config.theme != self.prefs.theme:
            self._save(lambda store: store.set_theme(self.config.theme))
        self._install_signal_handlers()
        self._write_kept_sessions()
        if self.config.full_library is not None:
            self.run_worker(
                self.config.full_library, thread=True, name="library", exit_on_error=False
            )

    def on_ready(self) -> None:
        """Textual knows the terminal now: open the first screen.

        Why not at mount: Textual drops the frames drawn while it mounts the app, so a screen
        opened then is laid out and drawn once unseen, and shows some 40 ms later.
        """
        self._open_first_screen()
        self._announce_notices(library=self.config.full_library is None)
        self._first_screen_open.set()
        self.call_after_refresh(self._collect_garbage_again)

    def _collect_garbage_again(self) -> None:
        """The first screen is painted: collect garbage again (the command line paused it for
        start-up), leaving what start-up built out of every later collection."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    @asynccontextmanager
    async def run_test(
        self,
        *,
        headless: bool = True,
        size: tuple[int, int] | None = (80, 24),
        tooltips: bool = False,
        notifications: bool = False,
        message_hook: Callable[[Message], None] | None = None,
    ) -> AsyncGenerator[Pilot[int], None]:
        """Textual's test harness, handing over once the first screen is open (at Ready), as a
        person first sees the app."""
        async with super().run_test(
            headless=headless,
            size=size,
            tooltips=tooltips,
            notifications=notifications,
            message_hook=message_hook,
        ) as pilot:
            await self._first_screen_open.wait()
            await pilot.pause()
            yield pilot

    @on(Worker.StateChanged)
    def _library_loaded(self, event: Worker.StateChanged) -> None:
        """The whole library is in: show it, and say what could not be loaded."""
        if event.worker.name != "library" or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
        ):
            return
        library = event.worker.result
        if not isinstance(library, Library):
            self.notify("Your routines could not be read; showing the built-ins.")
            return
        self.library = library
        self._announce_notices(library=True, others=False)

    def _open_first_screen(self) -> None:
        if self.config.breathe is not None:
            self.start_breathing(self.config.breathe, self.config.breathe_minutes)
            return
        if self.config.run_routine is not None:
            routine = self.library.get(self.config.run_routine)
            if routine is not None:
                self.start_routine(routine)
                return
        self.push_screen(
            PickerScreen(paths=self.config.paths, ascii=self.config.ascii).data_bind(
                CalmFeetApp.prefs, CalmFeetApp.library
            )
        )

    def _announce_notices(self, *, library: bool = True, others: bool = True) -> None:
        notices: list[str] = []
        if others:
            notices.extend(self.config.prefs.take_notices())
        failures = self.library.failures if library else []
        if failures:
            names = ", ".join(Path(f.path).name for f in failures[:6])
            more = f" and {len(failures) - 6} more" if len(failures) > 6 else ""
            notices.append(
                f"{plural(len(failures), 'routine file')} could not be "
                f"loaded: {names}{more}. Run `calmfeet validate` on them for details."
            )
        if others and self.config.themes.failures:
            notices.append(
                "Some theme files could not be loaded: "
                + "; ".join(self.config.themes.failures[:3])
            )
        for notice in notices:
            self.notify(notice, severity="warning", timeout=12)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, the screens' too, shows its words as written: a file name, a routine
        name or a preference value is never markup and never a terminal control."""
        super().notify(
            displayable(message),
            title=displayable(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def _install_signal_handlers(self) -> None:
        """Textual's driver has no SIGTERM/SIGHUP/SIGINT handler: exit cleanly, keeping the
        session (ctrl+c inside the app is a key, so SIGINT comes only from outside)."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                loop.add_signal_handler(sig, self._on_signal, sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not on the main thread (tests) or not supported here

    def _on_signal(self, signum: int) -> None:
        """Leave like a well-behaved command: session kept, terminal restored, 128 + signal.

        The history row is written first, while everything still works. After SIGHUP the
        terminal is usually gone, and Textual's shutdown can then block for ever on its writer
        thread (its queue full, nothing left to drain it); a watchdog ends the process if the
        clean exit has not happened within a second and a half. Nothing is half-written by
        then: preferences are saved atomically and each history row is its own transaction.
        """
        code = signal_exit_code(signum)
        self.record_open_sessions()
        self.exit(return_code=code)
        watchdog = threading.Timer(SIGNAL_EXIT_GRACE_SECONDS, os._exit, args=(code,))
        watchdog.daemon = True
        watchdog.start()

    def _print_error_renderables(self) -> None:
        """A crash never shows a traceback: it goes to a log file, and one line says where."""
        if "debug" in self.features or not self._exit_renderables:
            super()._print_error_renderables()
            return
        from rich.console import Console

        log = self.config.paths.data_dir / "crash.log"
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as handle:
                console = Console(file=handle, width=120, color_system=None)
                for renderable in self._exit_renderables:
                    console.print(renderable)
            where = f"details are in {log}"
        except OSError:
            where = "and the details could not be saved"
        self._exit_renderables.clear()
        print(f"calmfeet: something went wrong and calmfeet had to stop; {where}", file=sys.stderr)

    # ---- preferences ------------------------------------------------------------------------

    def _save(self, change: PreferenceUpdate) -> None:
        """Apply a change through the store; any notice it has (e.g. cannot save) shows once."""
        self.prefs = change(self.config.prefs)
        for notice in self.config.prefs.take_notices():
            self.notify(notice, severity="warning", timeout=10)
        self.sound.prefs_changed(self.prefs)
        self._show_sound_state()

    @on(PreferenceChanged)
    def _preference_changed(self, event: PreferenceChanged) -> None:
        self._save(event.update)
        if event.announce:
            self.notify(event.announce, timeout=3)

    def watch_theme(self, theme: str) -> None:
        if self._theme_ready and theme != self.prefs.theme:
            self._save(lambda store: store.set_theme(theme))

    @on(BellToggled)
    def toggle_bell(self) -> None:
        on = not self.prefs.bell
        self._save(lambda store: store.set_bell(on))
        self.notify("Bell on" if on else "Bell off", timeout=2)

    def toggle_reduced_motion(self) -> None:
        on = not self.reduced_motion
        self.animation_level = "none" if on else "full"
        self._save(lambda store: store.set_reduced_motion(on))
        self.notify("Reduced motion on" if on else "Reduced motion off", timeout=2)

    def cycle_lead_in(self) -> None:
        seconds = next_choice(self.prefs.lead_in_seconds, LEAD_IN_CHOICES)
        self._save(lambda store: store.set_lead_in_seconds(seconds))
        self.notify(f"Get-ready countdown {seconds:g} s" if seconds else "No get-ready countdown")

    def change_sound(self, command: SoundCommand) -> None:
        """A sound setting from the palette: saved, heard at once in a session, and said."""
        self._save(command.change)
        self.notify(command.announce, timeout=2)

    def cycle_switch_pause(self) -> None:
        seconds = next_choice(self.prefs.switch_seconds, SWITCH_CHOICES)
        self._save(lambda store: store.set_switch_seconds(seconds))
        self.notify(f"Switch-feet pause {seconds:g} s" if seconds else "No switch-feet pause")

    # ---- the library --------------------------------------------------------------------------

    @on(RoutineReplaced)
    def _routine_replaced(self, event: RoutineReplaced) -> None:
        self.library = self.library.replace(event.routine)

    # ---- starting things --------------------------------------------------------------------

    @on(RoutineChosen)
    def _routine_chosen(self, event: RoutineChosen) -> None:
        routine = event.routine
        original = self.library.get(routine.id)
        if (
            original is not None
            and original != routine
            and without_avoided_points(original) == routine
        ):
            routine = original  # "again" after a session that skipped steps: the whole routine
        self.start_routine(routine, breathing_only=event.breathing_only)

    def start_routine(self, routine: Routine, *, breathing_only: bool = False) -> None:
        """Ask about pregnancy points (once ever), show the caution (once per routine and
        caution text), then the session; steps on points avoided in pregnancy are left out
        when the person asked for that."""
        if not breathing_only:
            self._save(lambda store: store.set_last_routine(routine.id))
        avoided = avoided_points(routine)
        if not avoided or self.prefs.pregnancy_points != "ask":
            self._start_after_pregnancy(routine, breathing_only)
            return

        def answered(choice: PregnancyChoice | None) -> None:
            if choice is None:
                self._not_started()
                return
            self._save(lambda store: store.set_pregnancy_points(choice))
            self._start_after_pregnancy(routine, breathing_only)

        from calmfeet.ui.screens.pregnancy import PregnancyScreen

        self.push_screen(PregnancyScreen(routine.name, [p.id for p in avoided]), answered)

    def _start_after_pregnancy(self, routine: Routine, breathing_only: bool) -> None:
        session_routine, skipped = self._for_pregnancy(routine)
        if not session_routine.steps:
            nothing = (
                f"Every step of {routine.name} is on a point traditionally avoided in "
                "pregnancy, so there is nothing to start. (ctrl+p, Pregnancy, changes this.)"
            )
            self.notify(nothing, severity="warning", timeout=10)
            if self._not_started():
                self.exit_notes.append(f"calmfeet: {displayable(nothing, one_line=True)}")
            return
        caution = routine_caution(routine)
        if caution and not self.prefs.caution_confirmed(routine.id, caution):

            def confirmed(ok: bool | None) -> None:
                if ok:
                    self._save(lambda store: store.confirm_caution(routine.id, caution))
                    self._push_session(session_routine, breathing_only=breathing_only)
                    self._say_skipped(skipped)
                else:
                    self._not_started()

            from calmfeet.ui.screens.caution import CautionScreen

            self.push_screen(CautionScreen(routine, caution), confirmed)
            return
        self._push_session(session_routine, breathing_only=breathing_only)
        self._say_skipped(skipped)

    def _for_pregnancy(self, routine: Routine) -> tuple[Routine, int]:
        """The routine as this person practises it, and how many steps were left out."""
        if self.prefs.pregnancy_points != "skip":
            return routine, 0
        kept = without_avoided_points(routine)
        return kept, len(routine.steps) - len(kept.steps)

    def _say_skipped(self, skipped: int) -> None:
        if skipped:
            self.notify(
                f"Skipping {plural(skipped, 'step')} on points traditionally avoided in "
                "pregnancy, as you asked (ctrl+p, Pregnancy, changes this).",
                timeout=8,
            )

    def _not_started(self) -> bool:
        """Nothing was started: `calmfeet run` or `breathe` has nothing left to show, and
        ends (True); from the picker, the picker stays."""
        started_from_command = (
            self.config.run_routine is not None or self.config.breathe is not None
        )
        if started_from_command and len(self.screen_stack) <= 1:
            self.exit(EXIT_OK)
            return True
        return False

    def choose_pregnancy_points(self) -> None:
        """The palette's Pregnancy: skip or keep steps on points avoided in pregnancy."""
        from calmfeet.ui.screens.pregnancy import PregnancyScreen

        def chosen(choice: PregnancyChoice | None) -> None:
            if choice is None:
                return
            self._save(lambda store: store.set_pregnancy_points(choice))
            self.notify(PREGNANCY_WORDS[choice], timeout=4)

        self.push_screen(PregnancyScreen(), chosen)

    def start_breathing(self, pattern: BreathingPattern, minutes: float) -> None:
        from calmfeet.core.session import breathing_only_routine

        self.start_routine(breathing_only_routine(pattern, minutes), breathing_only=True)

    def _push_session(self, routine: Routine, *, breathing_only: bool = False) -> None:
        # Imported when a session starts, not before the picker's first frame.
        from calmfeet.core.session import Session
        from calmfeet.ui.screens.session import SessionScreen

        session = Session(
            routine,
            self.config.clock,
            lead_in_seconds=self.prefs.lead_in_seconds,
            switch_seconds=self.prefs.switch_seconds,
        )
        self.practice.open(session)
        self.sound.start(session, self.prefs)
        self._show_sound_state()
        screen = SessionScreen(
            session,
            ascii=self.config.ascii,
            run_mode=breathing_only or self.config.run_routine is not None,
            breathing_only=breathing_only,
        )
        self.push_screen(
            screen.data_bind(
                CalmFeetApp.prefs,
                CalmFeetApp.sound_on,
                CalmFeetApp.chiming,
                CalmFeetApp.sound_preparing,
            )
        )

    # ---- sound --------------------------------------------------------------------------------

    @on(SessionCourseChanged)
    def _session_course_changed(self, event: SessionCourseChanged) -> None:
        self.sound.follow(event.session)

    def _tell_sound(self, player: int, news: SoundNews) -> None:
        """From a player's thread: handled in the app's own thread, in order."""
        self.post_message(SoundReport(player, news))

    @on(SoundReport)
    def _sound_report(self, event: SoundReport) -> None:
        heard = self.sound.heard(event.player, event.news)
        for notice in heard.notices:
            self.notify(notice, severity="warning", timeout=8)
        self._show_sound_state()

    def _show_sound_state(self) -> None:
        self.sound_on = self.sound.wanted(self.prefs)
        self.chiming = self.sound.chiming(self.prefs)
        self.sound_preparing = self.sound.preparing

    # ---- practice and history ---------------------------------------------------------------

    @on(SessionEnded)
    def _session_ended(self, event: SessionEnded) -> None:
        self.sound.end(event.session)
        self._show_sound_state()
        record = self.practice.close(event.session)
        if event.session.is_finished:
            self._show_streak(record)
        if record is not None:
            with self._to_write_lock:
                self._to_write.append(record)
            self._write_in_background()

    def _show_streak(self, record: SessionRecord | None) -> None:
        """Tell the end-of-session screen the streak, this session counted (read before it is
        queued, so it is counted once). Never on the picker's path: SQLite loads here."""
        from calmfeet.core.stats import current_streak, local_today
        from calmfeet.ui.screens.complete import CompleteScreen

        screens = [screen for screen in self.screen_stack if isinstance(screen, CompleteScreen)]
        if not screens:
            return
        try:
            records = [*self.history.all(), *([record] if record is not None else [])]
        except Exception:  # the streak is a nicety: a history that cannot be read shows none
            return
        streak = current_streak(records, local_today(self.config.clock.wall()))
        for screen in screens:
            screen.streak = streak

    def _take_to_write(self) -> list[SessionRecord]:
        with self._to_write_lock:
            taken, self._to_write = self._to_write, []
            return taken

    @work(thread=True, exit_on_error=False, group="history")
    def _write_in_background(self) -> None:
        """Off the UI thread, waiting only briefly for a lock: the interface never waits.

        If calmfeet stops before this thread starts, `record_open_sessions` takes the session
        instead; whichever takes it first writes it, so it is written once."""
        from calmfeet.core.history import WRITE_WAIT_SECONDS

        with self._writing:
            records = self._take_to_write()
            if not records:
                return
            outcomes = tuple(self.history.record(r, wait=WRITE_WAIT_SECONDS) for r in records)
        if not self.post_message(HistoryWritten(outcomes, tuple(self.history.take_notices()))):
            self.exit_notes.extend(_exit_lines(outcomes))  # the app had already stopped

    def _write_kept_sessions(self) -> None:
        """At start-up, write the sessions an earlier calmfeet could only keep for later."""
        # Only a look for the files: SQLite (history's import) is not needed to show the picker.
        if any(place.exists() for place in self.config.paths.pending_sessions):
            self._write_pending_in_background()

    @work(thread=True, exit_on_error=False, group="history")
    def _write_pending_in_background(self) -> None:
        self.history.write_pending()
        self.post_message(HistoryWritten((), tuple(self.history.take_notices())))

    @on(HistoryWritten)
    def _history_written(self, event: HistoryWritten) -> None:
        """Say the truth once the write is done: nothing when saved, else where it went."""
        for kept in event.outcomes:
            if kept.state == "lost":
                self.notify(kept.message, severity="error", timeout=20)
            elif kept.message:
                self.notify(kept.message, severity="warning", timeout=15)
        for notice in event.notices:
            self.notify(notice, severity="warning", timeout=10)

    def on_unmount(self) -> None:
        """The app is stopping (quit, ctrl+q, the last screen left): keep what was practised."""
        if ScrollBar.renderer is AsciiScrollBarRender:
            ScrollBar.renderer = ScrollBarRender
        self.sound.close()
        self.record_open_sessions()

    def record_open_sessions(self) -> None:
        """Keep what was practised in every session still open (calmfeet is stopping), waiting
        only a moment for a locked history: a session not written is kept for next time."""
        idle = not self._to_write and not self._writing.locked()  # in this order: a worker
        # locks before it takes what is queued, so nothing can be in flight unseen.
        if not self.practice.open_sessions and idle and self._history is None:
            return  # nothing was practised or written this run: quitting needs no SQLite
        from calmfeet.core.history import EXIT_WAIT_SECONDS, WRITE_WAIT_SECONDS

        # A write under way finishes first (it waits at most WRITE_WAIT_SECONDS for a lock).
        waited = self._writing.acquire(timeout=WRITE_WAIT_SECONDS + 2)
        try:
            records = [*self._take_to_write(), *self.practice.close_all()]
            if not records:
                return
            outcomes: list[Kept] = []
            with contextlib.suppress(Exception):  # exiting must never show a traceback
                outcomes = [self.history.record(r, wait=EXIT_WAIT_SECONDS) for r in records]
            if len(outcomes) < len(records):
                self.exit_notes.append(
                    f"calmfeet: {plural(len(records), 'session')} could not be saved"
                )
            self.exit_notes.extend(_exit_lines(outcomes))
        finally:
            if waited:
                self._writing.release()

    def close_practice(self) -> None:
        """After the app has stopped: record what is still open, then close the history."""
        self.record_open_sessions()
        if self._history is not None:
            self._history.close()

    @property
    def history(self) -> History:
        """Opened on first use: SQLite is not needed to show the picker."""
        if self._history is None:
            from calmfeet.core.history import History

            self._history = History(
                self.config.paths.history_db,
                clock=self.config.clock,
                spare_dir=self.config.paths.config_dir,
            )
        return self._history

    def _show_history_notices(self) -> None:
        if self.is_running:
            for notice in self.history.take_notices():
                self.notify(notice, severity="warning", timeout=10)

    # ---- keys and commands ------------------------------------------------------------------

    def action_show_keys(self) -> None:
        """calmfeet's own keys, grouped by screen (not Textual's generic help panel)."""
        from calmfeet.ui.screens.keys import KeysScreen, key_groups

        if isinstance(self.screen, KeysScreen):
            self.screen.dismiss(None)
            return
        plain = glyphs_for(self.config.ascii).plain
        groups = [
            (plain(title), [(plain(keys), plain(words)) for keys, words in rows])
            for title, rows in key_groups(self.BINDINGS, self.get_key_display, self.screen)
        ]
        self.push_screen(KeysScreen(groups))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Toggle the bell", "Ring the terminal bell on each step change", self.toggle_bell
        )
        yield SystemCommand(
            "Reduced motion",
            "The pacer changes only at phase boundaries",
            self.toggle_reduced_motion,
        )
        yield SystemCommand(
            f"Get-ready countdown: {self.prefs.lead_in_seconds:g} s",
            "Before the first step; choose again for "
            f"{next_choice(self.prefs.lead_in_seconds, LEAD_IN_CHOICES):g} s (0 is off)",
            self.cycle_lead_in,
        )
        yield SystemCommand(
            f"Switch-feet pause: {self.prefs.switch_seconds:g} s",
            "Between a left-foot and a right-foot step; choose again for "
            f"{next_choice(self.prefs.switch_seconds, SWITCH_CHOICES):g} s (0 is off)",
            self.cycle_switch_pause,
        )
        for command in sound_commands(self.prefs):
            yield SystemCommand(command.title, command.help, partial(self.change_sound, command))
        yield SystemCommand(
            "Pregnancy: points traditionally avoided",
            f"Now: {PREGNANCY_WORDS[self.prefs.pregnancy_points]}. Choose to skip or keep them",
            self.choose_pregnancy_points,
        )
        if isinstance(screen, PickerScreen):
            yield SystemCommand(
                "Reset routine order", "Back to the original order", screen.reset_order
            )
            yield SystemCommand(
                "Stats", "Your practice: sessions, minutes, streaks", self.show_stats
            )
            yield SystemCommand(
                "New routine", "Write a routine of your own from scratch", screen.action_new_routine
            )
            highlighted = screen.highlighted
            if highlighted is not None:
                name = palette_text(highlighted.name)
                yield SystemCommand(
                    f"Copy {name} into a new routine",
                    "Write a routine of your own, starting from this one",
                    screen.action_copy_routine,
                )
                yield SystemCommand(
                    f"Edit {name}",
                    "Change its name, steps and the rest; a built-in one is kept",
                    screen.action_edit_routine,
                )
            for routine in self.library.routines:
                yield SystemCommand(
                    f"Start {palette_text(routine.name)}",
                    palette_text(routine.summary) or plural(len(routine.steps), "step"),
                    partial(self.post_message, RoutineChosen(routine)),
                )

    @on(StatsRequested)
    def show_stats(self) -> None:
        from calmfeet.core.stats import local_today
        from calmfeet.ui.screens.stats import StatsScreen

        history = self.history
        records = history.all()
        self._show_history_notices()
        today = local_today(self.config.clock.wall())
        self.push_screen(StatsScreen(records, today=today, ascii=self.config.ascii))


def _exit_lines(outcomes: Iterable[Kept]) -> list[str]:
    """One line each for stderr, for sessions not in the history when calmfeet stops."""
    return [f"calmfeet: {kept.message}" for kept in outcomes if kept.message]
