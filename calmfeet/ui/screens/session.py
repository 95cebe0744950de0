"""The practice screen: the step, its time, the pacer and the foot map, read at a glance."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime, timezone

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Digits, Footer, Static

from calmfeet.core.clock import Clock, SystemClock
from calmfeet.core.footmap import FOOT_WORDS, ZONE_WORDS
from calmfeet.core.model import Routine, Step, format_clock
from calmfeet.core.pacer_frames import seconds_to_next_frame
from calmfeet.core.session import (
    RoutineFinished,
    Session,
    SessionState,
    StepStarted,
)
from calmfeet.ui.screens.complete import CompleteScreen
from calmfeet.ui.screens.confirm import ConfirmScreen
from calmfeet.ui.widgets.footmap import FootMap
from calmfeet.ui.widgets.pacer import Pacer
from calmfeet.ui.widgets.step_progress import StepProgress

MIN_SLEEP_SECONDS = 0.004
MAX_SLEEP_SECONDS = 1.0
WAKE_MARGIN = 0.001
"""Wake a hair after a change is due, so the reading taken then is already past it."""


def _to_next_whole(seconds: float) -> float:
    """Time until a countdown shown rounded up (4, 3, 2 ...) shows its next number."""
    if seconds <= 0:
        return MAX_SLEEP_SECONDS
    return seconds - (math.ceil(seconds - 1e-9) - 1)


MIN_WIDTH, MIN_HEIGHT = 40, 12
TOO_SMALL = f"Make the window larger ({MIN_WIDTH}×{MIN_HEIGHT} or more)"
LEAVE_QUESTION = "Leave this routine? Your practice so far is saved."
PAUSED_NOTICE = "Paused. Press space to go on."
ENDING_SECONDS = 3
ADDED_SECONDS = 30.0


def where_words(step: Step, *, ascii: bool = False) -> str:
    """The foot and zone as a person says them, e.g. `Left foot · arch`."""
    foot = FOOT_WORDS.get(step.foot, step.foot)
    zone = ZONE_WORDS.get(step.zone, step.zone)
    dot = "-" if ascii else "·"
    return f"{foot[:1].upper()}{foot[1:]} {dot} {zone}"


def size_classes(size: Size) -> set[str]:
    """Layout classes for a terminal size; each is a CSS rule on SessionScreen."""
    width, height = size
    classes: set[str] = set()
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        classes.add("-too-small")
    if width < 60 or height < 20:
        classes.add("-tiny")
    if width < 90 or height < 26:
        classes.add("-small")
    return classes


class BlankColumn(Vertical):
    """A plain container the compositor fills with blank lines instead of rendering them: the
    pacer repaints 13 times a second, and every container around it is redrawn each time."""

    BLANK = True


class BlankRow(Horizontal):
    """A plain row, drawn as blank lines for the same reason as BlankColumn."""

    BLANK = True


class SessionScreen(Screen[None]):
    """Runs one `Session`: one wake-up, scheduled for the next moment something on screen is
    due to change (a pacer frame, a phase, a whole second, a step's end), reads it and pushes
    changes down to the widgets. Nothing is updated unless what it shows has changed, and
    while paused nothing is scheduled at all.
    """

    BLANK = True  # no content of its own: the compositor fills it with blank lines, cheaply

    DEFAULT_CSS = """
    SessionScreen {
        layout: vertical;
        align-horizontal: center;
    }
    SessionScreen #body {
        width: 1fr;
        max-width: 120;
        height: 1fr;
    }
    SessionScreen #top {
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    SessionScreen #step-of {
        width: auto;
        text-style: bold;
        color: $text;
        margin-right: 2;
    }
    SessionScreen #routine-name {
        width: 1fr;
        text-align: right;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    SessionScreen StepProgress {
        margin: 0 1;
    }
    SessionScreen #info {
        height: auto;
        padding: 1 2 0 2;
    }
    SessionScreen #title {
        text-style: bold;
        color: $text;
    }
    SessionScreen #where {
        color: $accent;
    }
    SessionScreen #clock-row {
        height: 3;
        margin-top: 1;
    }
    SessionScreen #clock {
        width: auto;
        color: $primary;
    }
    SessionScreen #clock.-ending {
        color: $warning;
        text-style: bold;
    }
    SessionScreen #side {
        width: 1fr;
        padding-left: 3;
    }
    SessionScreen #side > Static {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    SessionScreen #routine-left {
        color: $text-muted;
    }
    SessionScreen #cue {
        text-style: bold;
        color: $warning;
    }
    SessionScreen #next {
        color: $text-muted;
    }
    SessionScreen #notice {
        display: none;
        color: $warning;
        text-style: bold;
    }
    SessionScreen #how {
        margin-top: 1;
        height: auto;
        max-height: 4;
    }
    SessionScreen #visual {
        height: 1fr;
        align: center middle;
        min-height: 2;
        margin-top: 1;
    }
    SessionScreen Pacer {
        width: 1fr;
        max-width: 56;
        height: 1fr;
        max-height: 14;
    }
    SessionScreen FootMap {
        width: 34;
        height: 1fr;
        max-height: 14;
    }
    SessionScreen #too-small {
        display: none;
        width: 1fr;
        height: 1fr;
        content-align: center middle;
        text-align: center;
        color: $text-muted;
    }

    SessionScreen.-paused #notice { display: block; }
    SessionScreen.-paused #clock { color: $text-muted; }
    SessionScreen.-paused #cue { color: $text; }

    SessionScreen.-breathing-only #where { display: none; }
    SessionScreen.-breathing-only FootMap { display: none; }
    SessionScreen.-breathing-only #next { display: none; }

    SessionScreen.-small #info { padding: 0 1; }
    SessionScreen.-small #clock-row { margin-top: 0; }
    SessionScreen.-small #how { margin-top: 0; max-height: 2; }
    SessionScreen.-small #visual { margin-top: 0; }

    SessionScreen.-tiny FootMap { display: none; }
    SessionScreen.-tiny #how {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    SessionScreen.-tiny #side { padding-left: 1; }
    SessionScreen.-tiny.-paused #how { display: none; }

    SessionScreen.-too-small #body { display: none; }
    SessionScreen.-too-small Footer { display: none; }
    SessionScreen.-too-small #too-small { display: block; }
    """

    BINDINGS = [
        Binding("space", "toggle_pause", "Pause", id="session.pause"),
        Binding("n,right", "next_step", "Next", id="session.next"),
        Binding("p,left", "previous_step", "Back", id="session.previous"),
        Binding("r", "restart_step", "Restart", id="session.restart"),
        Binding("plus,equals_sign", "add_time", "Add 30 s", id="session.add_time"),
        Binding("b", "toggle_bell", "Bell", id="session.bell", show=False),
        Binding("escape,q", "leave", "Leave", id="session.leave"),
    ]

    def __init__(
        self,
        routine: Routine,
        *,
        clock: Clock | None = None,
        bell: bool = True,
        ascii: bool = False,
        run_mode: bool = False,
        breathing_only: bool = False,
    ) -> None:
        super().__init__()
        self.routine = routine
        self.session = Session(routine, clock or SystemClock())
        self.ascii = ascii
        self.run_mode = run_mode
        self.breathing_only = breathing_only
        self.started = datetime.now(timezone.utc)
        self.recorded = False
        self._bell = bell
        self._wake: asyncio.TimerHandle | None = None
        self._timer_paused = False
        self._shown: dict[str, str] = {}
        self._text_key: tuple[object, ...] | None = None
        self._shown_index: int | None = None
        self._ending = False
        self._paused_shown = False
        self._complete_pending = False
        self._complete_shown = False
        if breathing_only:
            self.add_class("-breathing-only")

    # ---- building ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with BlankColumn(id="body"):
            with Horizontal(id="top"):
                yield Static(id="step-of", markup=False)
                yield Static(self.routine.name, id="routine-name", markup=False)
            yield StepProgress(ascii=self.ascii)
            with Vertical(id="info"):
                yield Static(id="title", markup=False)
                yield Static(id="where", markup=False)
                with Horizontal(id="clock-row"):
                    # Digits draws with box characters; --ascii gets plain bold text instead.
                    yield Static(id="clock", markup=False) if self.ascii else Digits(id="clock")
                    with Vertical(id="side"):
                        yield Static(id="routine-left", markup=False)
                        yield Static(id="cue", markup=False)
                        yield Static(id="next", markup=False)
                yield Static(id="notice", markup=False)
                yield Static(id="how", markup=False)
            with BlankRow(id="visual"):
                yield Pacer(ascii=self.ascii)
                step = self.session.step
                yield FootMap(step.foot, step.zone, ascii=self.ascii)
        yield Static(TOO_SMALL, id="too-small", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.started = datetime.now(timezone.utc)
        self._pacer = self.query_one(Pacer)
        self._foot_map = self.query_one(FootMap)
        self._progress = self.query_one(StepProgress)
        clock = self.query_one("#clock")
        assert isinstance(clock, (Digits, Static))
        self._digits: Digits | Static = clock
        self._apply_size(self.app.size)
        self.tick()
        self.call_after_refresh(self._begin)

    def _begin(self) -> None:
        """The clock starts when the first step is on screen, not when the screen was made."""
        self.session.begin_now()
        self.tick()

    def on_resize(self, event: events.Resize) -> None:
        self._apply_size(event.size)

    def _apply_size(self, size: Size) -> None:
        wanted = size_classes(size)
        for name in ("-too-small", "-tiny", "-small"):
            self.set_class(name in wanted, name)

    # ---- the one timer ----------------------------------------------------------------------

    def tick(self) -> None:
        """Catch the session up with its clock, react to what happened, and show the result."""
        session = self.session
        ring = False
        finished = False
        for event in session.update():
            if isinstance(event, StepStarted):
                if self._shown_index is not None and event.index != self._shown_index:
                    ring = True
                self._shown_index = event.index
            elif isinstance(event, RoutineFinished):
                finished = True
        if ring and self.bell_on:
            self.app.bell()
        self._show()
        if finished or session.is_finished:
            self._finish()

    def _show(self) -> None:
        session = self.session
        paused = session.state is SessionState.PAUSED
        pacer = self._pacer
        pacer.show(session.step.breathing, session.breath_state(), paused=paused)
        # Everything but the pacer changes at most once a second: skip it between seconds.
        remaining = session.step_remaining
        text_key = (
            session.index,
            math.ceil(remaining - 1e-9),
            math.ceil(session.routine_remaining - 1e-9),
            paused,
            session.is_finished,
            session.paused_reason,
            bool(getattr(self.app, "reduced_motion", False)),
        )
        if text_key != self._text_key:
            self._text_key = text_key
            self._show_text(paused, remaining)
        self._set_timer_paused(paused or session.is_finished)

    def _show_text(self, paused: bool, remaining: float) -> None:
        session = self.session
        if paused != self._paused_shown:
            self._paused_shown = paused
            self.set_class(paused, "-paused")
        step = session.step
        if self.breathing_only:
            self._put("#step-of", "Breathing")
        else:
            self._put("#step-of", f"Step {session.index + 1} of {session.step_count}")
        self._put("#title", step.title)
        self._put("#where", where_words(step, ascii=self.ascii))
        self._put("#how", step.how)
        following = session.next_step_preview
        self._put("#next", f"Next: {following.title}" if following else "Last step")
        self._put("#routine-left", f"{format_clock(session.routine_remaining)} left", False)
        clock_text = format_clock(remaining)
        if self._shown.get("#clock") != clock_text:
            self._shown["#clock"] = clock_text
            self._digits.update(clock_text)
        ending = not paused and not session.is_finished and 0 < remaining <= ENDING_SECONDS
        if ending != self._ending:
            self._ending = ending
            self._digits.set_class(ending, "-ending")
        self._put("#cue", self._cue(paused, ending, remaining), False)
        self._put("#notice", (session.paused_reason or PAUSED_NOTICE) if paused else "")
        duration = session.step_duration
        fraction = session.step_elapsed / duration if duration > 0 else 1.0
        done_index = session.step_count if session.is_finished else session.index
        self._progress.show(done_index, session.step_count, fraction)
        pacer = self._pacer
        reduced = bool(getattr(self.app, "reduced_motion", False))
        if pacer.reduced_motion != reduced:
            pacer.reduced_motion = reduced
            pacer.show(step.breathing, session.breath_state(), paused=paused)
        foot_map = self._foot_map
        if foot_map.foot != step.foot:
            foot_map.foot = step.foot
        if foot_map.zone != step.zone:
            foot_map.zone = step.zone

    def _cue(self, paused: bool, ending: bool, remaining: float) -> str:
        if paused:
            return "Paused"
        if not ending:
            return ""
        seconds = max(1, math.ceil(remaining - 1e-9))
        dots = "..." if self.ascii else "…"
        what = "Next" if self.session.next_step_preview is not None else "Done"
        return f"{what} in {seconds}{dots}"

    def _put(self, selector: str, text: str, layout: bool = True) -> None:
        """Update a label only when its text changes (`layout=False` for fixed-size labels)."""
        if self._shown.get(selector) == text:
            return
        self._shown[selector] = text
        self.query_one(selector, Static).update(text, layout=layout)

    def _set_timer_paused(self, paused: bool) -> None:
        """Wake exactly when something on screen is due to change, and never while paused.

        A plain event-loop timer rather than Textual's `set_timer`: the latter builds a Timer,
        a task and a partial (whose signature is inspected) on every call, which at 13 wakes
        a second costs more than the work the wake does.
        """
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None
        self._timer_paused = paused
        if paused or not self.is_attached:
            return
        delay = self._seconds_to_next_change() + WAKE_MARGIN
        self._wake = asyncio.get_running_loop().call_later(delay, self._on_wake)

    def _on_wake(self) -> None:
        self._wake = None
        if not self.is_attached:
            return
        try:
            self.tick()
        except Exception as error:  # noqa: BLE001 - hand it to Textual, as its timers would
            self.app._handle_exception(error)

    def _seconds_to_next_change(self) -> float:
        """The soonest of: the pacer's next frame or phase, the next whole second of either
        clock, and the step's end. Waking at exactly these moments keeps the screen on time
        (phase words within a few milliseconds) while doing no work in between."""
        session = self.session
        pacer = self._pacer
        step = session.step
        state = session.breath_state()
        candidates = [
            seconds_to_next_frame(step.breathing, state, pacer.motion_reduced),
            _to_next_whole(state.seconds_left),
            _to_next_whole(session.step_remaining),
            _to_next_whole(session.routine_remaining),
            session.step_remaining,
            MAX_SLEEP_SECONDS,
        ]
        return max(MIN_SLEEP_SECONDS, min(candidates))

    # ---- the bell ---------------------------------------------------------------------------

    @property
    def bell_on(self) -> bool:
        """The app's preference when there is one, so a change anywhere applies here."""
        prefs = getattr(self.app, "prefs", None)
        return bool(getattr(prefs, "bell", self._bell))

    # ---- keys -------------------------------------------------------------------------------

    def action_toggle_pause(self) -> None:
        self.session.toggle_pause()
        self.tick()

    def action_next_step(self) -> None:
        self.session.next_step()
        self.tick()

    def action_previous_step(self) -> None:
        self.session.previous_step()
        self.tick()

    def action_restart_step(self) -> None:
        self.session.restart_step()
        self.tick()

    def action_add_time(self) -> None:
        self.session.add_time(ADDED_SECONDS)
        self.tick()

    def action_toggle_bell(self) -> None:
        toggle = getattr(self.app, "toggle_bell", None)
        self._bell = not self.bell_on
        if callable(toggle):
            toggle()
        else:
            self.notify("Bell on" if self._bell else "Bell off", timeout=2)

    def action_leave(self) -> None:
        """Ask first unless the routine is over; the session waits, paused, for the answer."""
        session = self.session
        if session.is_finished:
            self._go_back()
            return
        was_running = session.state is SessionState.RUNNING
        if was_running:
            session.pause()
            self.tick()

        def answered(leave: bool | None) -> None:
            if leave:
                self.record(completed=False)
                self._go_back()
            elif was_running and self.session.state is SessionState.PAUSED:
                self.session.resume()
                self.tick()

        self.app.push_screen(ConfirmScreen(LEAVE_QUESTION, yes="Leave", no="Stay"), answered)

    # ---- the end ----------------------------------------------------------------------------

    def record(self, *, completed: bool) -> None:
        """Save this session to history once, whatever ends it; never raises."""
        if self.recorded:
            return
        self.recorded = True
        try:
            record_session = getattr(self.app, "record_session", None)
            if callable(record_session):
                record_session(
                    self.routine,
                    self.started,
                    self.session.practised_seconds,
                    self.session.steps_done,
                    completed,
                )
        except Exception as error:  # noqa: BLE001 - a failed save must not end the session badly
            self.log.error(f"could not record the session: {error!r}")

    def _finish(self) -> None:
        if self._complete_shown:
            return
        self._set_timer_paused(True)
        self.record(completed=True)
        if not self.is_current:
            self._complete_pending = True  # e.g. the command palette is open: wait for it
            return
        self._complete_shown = True
        self._complete_pending = False
        self.app.switch_screen(
            CompleteScreen(
                self.routine.name,
                self.session.practised_seconds,
                self.session.steps_done,
                self.session.step_count,
                run_mode=self.run_mode,
                breathing_only=self.breathing_only,
            )
        )

    def on_screen_resume(self) -> None:
        if self._complete_pending:
            self.call_later(self._finish)

    def _go_back(self) -> None:
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None
        if self.run_mode:
            self.app.exit(0)
        elif self.is_current:
            self.app.pop_screen()

    def on_unmount(self) -> None:
        """The app may be closing (ctrl+q, SIGTERM): keep what was practised."""
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None
        self.record(completed=self.session.is_finished)
