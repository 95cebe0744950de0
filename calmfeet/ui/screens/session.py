"""The practice screen: lays out the step, its time, the pacer and the foot map, and pushes
what `session_view` says down to them at each moment something shown is due to change."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Digits, Static

from calmfeet.core.breathing import BreathingPattern
from calmfeet.core.footmap import ZONE_WORDS
from calmfeet.core.glyphs import whole_seconds
from calmfeet.core.pacer_frames import seconds_to_next_frame
from calmfeet.core.preferences import Preferences, SessionViewChoice
from calmfeet.core.safe_text import displayable
from calmfeet.core.session import (
    HalfwayReached,
    InterludeFinished,
    RoutineFinished,
    Session,
    SessionEvent,
    SessionPaused,
    SessionState,
    StepStarted,
)
from calmfeet.core.session_view import (
    BLANK_TEXTS,
    DisplayOptions,
    SessionTexts,
    SessionView,
    session_view,
)
from calmfeet.ui.awake import Awake
from calmfeet.ui.messages import (
    BellToggled,
    PreferenceChanged,
    SessionCourseChanged,
    SessionEnded,
)
from calmfeet.ui.screens.complete import CompleteScreen
from calmfeet.ui.screens.confirm import ConfirmScreen
from calmfeet.ui.wake import Wake
from calmfeet.ui.widgets.big_text import BigText, BreathWord
from calmfeet.ui.widgets.clock import Clock
from calmfeet.ui.widgets.footmap import FootMap
from calmfeet.ui.widgets.keybar import KeyBar
from calmfeet.ui.widgets.pacer import PAUSED_WORD, Pacer
from calmfeet.ui.widgets.step_progress import StepProgress

MIN_SLEEP_SECONDS = 0.004
"""Never wake sooner than this, so a change due now cannot spin the loop."""
MAX_SLEEP_SECONDS = 1.0
"""Look at the clock at least once a second, whatever the view says."""
WAKE_MARGIN = 0.001
"""Wake a hair after a change is due, so the reading taken then is already past it."""

MIN_WIDTH, MIN_HEIGHT = 40, 12
SMALL_WIDTH, SMALL_HEIGHT = 60, 20
WIDE_WIDTH, TALL_HEIGHT = 150, 45
TOO_SMALL = f"Make the window larger ({MIN_WIDTH}×{MIN_HEIGHT} or more)"
LEAVE_QUESTION = "Leave this routine? Your practice is kept in history."
"""True whatever the disk does: a session the history cannot take is kept to save later, and
when even that fails the app says so plainly (calmfeet.ui.app)."""
END_QUESTION = "This is the last step. End the routine now?"
ADDED_SECONDS = 30.0
SOUND_WAIT_SECONDS = 1.5
"""The longest the clock waits at the start for the session's sounds to be made (usually a
few tenths of a second), so the first chime and breath tone start with the first step."""


BIG_FEET = {"left": "Left", "right": "Right", "both": "Both feet"}
"""The foot as the big line says it: short, since every letter is several cells wide."""
TINY_ROWS = 1
TITLE_ROWS = 3
"""The title in big type (large windows only): one scale, below the foot and the breath."""
"""Big type in a tiny window: none (plain one-row text), the pacer needs every row."""


def big_where(foot: str, zone: str, *, ascii: bool = False, point: str = "") -> str:
    """Which foot and where, short enough for big type: `Left · arch`, or `Left · KI1` for a
    step on a point (the line below says how to find it)."""
    dot = "-" if ascii else "·"
    return f"{BIG_FEET.get(foot, foot)} {dot} {point or ZONE_WORDS.get(zone, zone)}"


def how_and_find(how: str, find: str) -> Text:
    """What to do, then how to find the step's point (muted) on the line below: one label,
    so a step on a point takes no more rows from the pacer than any other step."""
    text = Text(displayable(how))
    if find:
        text.append("\n" if how else "")
        text.append(displayable(find), style="dim")
    return text


def widest_phase_text(view: SessionView) -> str:
    """The widest word-and-count this breathing pattern shows, to size the big word by, so
    it keeps one size through the breath."""
    texts = [f"{spec.said} {whole_seconds(spec.seconds)}" for spec in view.breathing.phases]
    return max([*texts, PAUSED_WORD], key=len)


def now_rows(width: int, height: int) -> int:
    """How tall the foot-and-zone (or headline) line may be at this window size."""
    if width < SMALL_WIDTH or height < SMALL_HEIGHT:
        return TINY_ROWS
    return max(3, height // 8)


def phase_rows(width: int, height: int) -> int:
    """How tall the breath's word may be: the largest thing on screen, after the pacer."""
    if width < SMALL_WIDTH or height < SMALL_HEIGHT:
        return TINY_ROWS
    return max(3, height // 6)


class BlankColumn(Vertical):
    """A plain container the compositor fills with blank lines instead of rendering them: the
    pacer repaints 13 times a second, and every container around it is redrawn each time."""

    BLANK = True


class BlankRow(Horizontal):
    """A plain row, drawn as blank lines for the same reason as BlankColumn."""

    BLANK = True


class SessionScreen(Screen[None]):
    """Runs one `Session`: one wake-up, scheduled for the next moment something on screen is
    due to change (a pacer frame, a phase, a whole second, a step's end), reads the session's
    view then and pushes what differs from the last one down to the widgets. While paused
    nothing is scheduled at all.
    """

    BLANK = True  # no content of its own: the compositor fills it with blank lines, cheaply

    CSS_PATH = "session.tcss"

    # Each axis sets one class; a class named on both axes is set when either side is in its
    # band, so "-too-small" means narrower than 40 or shorter than 12. "-roomy" (this side has
    # room to spare) has no rule: it only ends the bands below it.
    HORIZONTAL_BREAKPOINTS = [
        (0, "-too-small"),
        (MIN_WIDTH, "-tiny"),
        (SMALL_WIDTH, "-small"),
        (90, "-roomy"),
        (WIDE_WIDTH, "-wide"),
    ]
    VERTICAL_BREAKPOINTS = [
        (0, "-too-small"),
        (MIN_HEIGHT, "-tiny"),
        (SMALL_HEIGHT, "-small"),
        (26, "-roomy"),
        (TALL_HEIGHT, "-tall"),
    ]

    BINDINGS = [
        Binding("space", "toggle_pause", "Pause", id="session.pause"),
        Binding("space", "resume", "Resume", id="session.resume"),
        Binding("space", "skip_interlude", "Start now", id="session.skip"),
        Binding("n,right", "next_step", "Next", id="session.next"),
        Binding("p,left", "previous_step", "Back", id="session.previous"),
        Binding("r", "restart_step", "Restart", id="session.restart"),
        Binding("plus,equals_sign", "add_time", "Add 30 s", id="session.add_time"),
        Binding("b", "toggle_bell", "Bell", id="session.bell", show=False),
        Binding("m", "set_muted(True)", "Mute", id="session.mute", tooltip="Mute the sound"),
        Binding("m", "set_muted(False)", "Unmute", id="session.unmute", tooltip="Unmute it"),
        Binding("v", "show_view('detail')", "Detail", id="session.view.detail"),
        Binding("v", "show_view('big')", "Big", id="session.view.big"),
        Binding("escape,q", "leave", "Leave", id="session.leave"),
    ]

    prefs: var[Preferences] = var(Preferences)
    """Bound to the app's preferences (the bell, big or detailed view, mute)."""
    sound_on: var[bool] = var(False)
    """Bound to the app's: this session makes sound, so `m` is offered."""
    chiming: var[bool] = var(False)
    """Bound to the app's: step changes are heard as chimes, so the terminal bell is quiet."""
    sound_preparing: var[bool] = var(False)
    """Bound to the app's: the session's sounds are still being made, so the clock waits."""

    def __init__(
        self,
        session: Session,
        *,
        ascii: bool = False,
        run_mode: bool = False,
        breathing_only: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.routine = session.routine
        self.ascii = ascii
        self.run_mode = run_mode
        self.breathing_only = breathing_only
        self._wake = Wake(self, self._on_wake)
        self._view: SessionView | None = None
        self._frames_until: float | None = None
        """The breath's elapsed time up to which only the pacer's frames change."""
        self._shown_index: int | None = None
        self._complete_pending = False
        self._complete_shown = False
        self._awake = Awake()
        self._phase_text = ""
        self._waiting_for_sound = False
        if breathing_only:
            self.add_class("-breathing-only")

    # ---- building ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Textual redraws every widget whose parent overlaps a changed region, so the pacer's
        # 13 frames a second would redraw all its neighbours: each neighbour sits in a blank
        # box of its own, which costs nothing to redraw and keeps it out of the pacer's way.
        with BlankColumn(id="body"):
            with BlankColumn(id="upper"):
                yield from self._compose_upper()
            with BlankRow(id="visual"):
                with BlankColumn(id="breath"):
                    with BlankColumn(id="phase-box"):
                        yield BreathWord(id="phase", ascii=self.ascii)
                    yield Pacer(ascii=self.ascii)
                step = self.session.step
                with BlankColumn(id="map-box"):
                    yield FootMap(step.foot, step.zone, point=step.point, ascii=self.ascii)
        yield Static(TOO_SMALL, id="too-small", markup=False)
        with BlankRow(id="footer-box"):
            yield KeyBar()

    def _compose_upper(self) -> ComposeResult:
        """Which step, the progress bar, and the words: everything above the pacer."""
        with Horizontal(id="top"):
            yield Static(id="step-of", markup=False)
            yield Static(displayable(self.routine.name), id="routine-name", markup=False)
        yield StepProgress(ascii=self.ascii)
        with Vertical(id="info"):
            yield BigText(id="now", ascii=self.ascii)
            yield BigText(id="title-big", ascii=self.ascii)
            yield Static(id="title", markup=False)
            yield Static(id="where", markup=False)
            with Horizontal(id="clock-row"):
                # Digits draws with box characters; --ascii gets plain bold text instead.
                yield Static(id="clock", markup=False) if self.ascii else Clock(id="clock")
                with Vertical(id="side"):
                    yield Static(id="routine-left", markup=False)
                    yield Static(id="cue", markup=False)
                    yield Static(id="next", markup=False)
            yield Static(id="notice", markup=False)
            yield Static(id="how", markup=False)
            yield BigText(id="how-big", ascii=self.ascii, wrap=True)
            yield Static(id="find", markup=False)

    def on_mount(self) -> None:
        self._pacer = self.query_one(Pacer)
        self._foot_map = self.query_one(FootMap)
        self._progress = self.query_one(StepProgress)
        clock = self.query_one("#clock")
        assert isinstance(clock, (Digits, Static))
        self._digits: Digits | Static = clock
        self._now = self.query_one("#now", BigText)
        self._phase = self.query_one("#phase", BreathWord)
        self._apply_view_choice()
        self.app.app_resume_signal.subscribe(self, self._back_from_stop)
        self.tick()
        # Textual signals after each layout, the first of which draws this screen.
        self.screen_layout_refresh_signal.subscribe(self, self._first_drawn)

    def on_resize(self) -> None:
        """Big type grows with the window; in a tiny one it gives its rows to the pacer."""
        width, height = self.size
        self._now.max_rows = now_rows(width, height)
        self.query_one("#how-big", BigText).max_rows = height // 5
        self._phase.max_rows = phase_rows(width, height)
        self.query_one("#title-big", BigText).max_rows = TITLE_ROWS
        self._show_pacer_word()

    def _show_pacer_word(self) -> None:
        """The pacer draws the word itself unless the big word above it is on screen."""
        width, height = self.size
        tiny = width < SMALL_WIDTH or height < SMALL_HEIGHT
        self._pacer.show_word = self.view_choice == "detail" or tiny

    # ---- big or detail ----------------------------------------------------------------------

    @property
    def view_choice(self) -> SessionViewChoice:
        return self.prefs.session_view

    def watch_prefs(self, old: Preferences, new: Preferences) -> None:
        if old.session_view != new.session_view and self.is_mounted:
            self._apply_view_choice()
        if old.sound_muted != new.sound_muted and self.is_mounted:
            self.refresh_bindings()  # m: Mute or Unmute

    def watch_sound_on(self) -> None:
        if self.is_mounted:
            self.refresh_bindings()

    def _apply_view_choice(self) -> None:
        big = self.view_choice == "big"
        self.set_class(big, "-big")
        self.set_class(not big, "-detail")
        self._show_pacer_word()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`v` offers the view that is not on screen ("Detail" in the big view, and back);
        space offers Pause, Resume while paused, or Start now during a lead-in or switch
        pause. A breathing-only session has one step: next and back are not offered there."""
        if action == "show_view":
            return parameters != (self.view_choice,)
        if action == "set_muted":
            return self.sound_on and parameters != (self.prefs.sound_muted,)
        if action in ("toggle_pause", "resume", "skip_interlude"):
            paused = self.session.state is SessionState.PAUSED
            waiting = not paused and self.session.interlude is not None
            return {"resume": paused, "skip_interlude": waiting}.get(
                action, not (paused or waiting)
            )
        return not (self.breathing_only and action in ("next_step", "previous_step"))

    def action_show_view(self, choice: SessionViewChoice) -> None:
        """Switch between the now in big type and every detail; remembered for next time."""
        self.post_message(PreferenceChanged(lambda store: store.set_session_view(choice)))

    def _back_from_stop(self, _app: object) -> None:
        """Textual says the process was stopped (ctrl+z, SIGTSTP) and is back: that time was
        not practice, so the session waits, paused, for the person."""
        self.session.stopped()
        self.tick()  # the pause it reports is a change of course: the sound hears of it

    def _first_drawn(self, _screen: Screen[None]) -> None:
        """The first step is on screen now: start (not after the footer and the rest of the
        screen's first refresh, which would let the clock start some 50 ms late)."""
        self.screen_layout_refresh_signal.unsubscribe(self)
        self.call_next(self._begin)

    def _begin(self) -> None:
        """The clock starts when the first step is on screen, not when the screen was made,
        and once its sounds are ready (a moment, at most SOUND_WAIT_SECONDS)."""
        if self.sound_preparing:
            self._waiting_for_sound = True
            self.set_timer(SOUND_WAIT_SECONDS, self._sound_ready)
            return
        self._begin_counting()

    def watch_sound_preparing(self, preparing: bool) -> None:
        if not preparing:
            self._sound_ready()

    def _sound_ready(self) -> None:
        if self._waiting_for_sound:
            self._waiting_for_sound = False
            self._begin_counting()

    def _begin_counting(self) -> None:
        self.session.begin_now()
        self._changed_course()

    def _changed_course(self) -> None:
        """Show the session after the person changed its course, and tell the app (the
        sound plans again from this moment). A finished session tells it by ending."""
        self.tick()
        if not self.session.is_finished:
            self.post_message(SessionCourseChanged(self.session))

    # ---- the one timer ----------------------------------------------------------------------

    def tick(self, events: list[SessionEvent] | None = None) -> None:
        """Catch the session up with its clock, react to what happened, and show the result."""
        session = self.session
        ring = False
        finished = False
        paused_itself = False
        self._frames_until = None
        if events is None:
            events = session.update()
        for event in events:
            if isinstance(event, StepStarted):
                if self._shown_index is not None and event.index != self._shown_index:
                    ring = True
                self._shown_index = event.index
            elif isinstance(event, (HalfwayReached, InterludeFinished)):
                ring = True
            elif isinstance(event, RoutineFinished):
                finished = True
            elif isinstance(event, SessionPaused) and event.reason is not None:
                paused_itself = True  # the computer slept, or calmfeet was stopped
        if ring and self.bell_on and not self.chiming:
            self.app.bell()
        if paused_itself:
            self.post_message(SessionCourseChanged(session))
        breath_elapsed = session.breath_elapsed
        view = session_view(session, self._display_options())
        if view.seconds_of_frames_only is not None:
            self._frames_until = breath_elapsed + view.seconds_of_frames_only
        self._show(view)
        if finished or session.is_finished:
            self._finish()

    def _draw_frame(self, pattern: BreathingPattern, elapsed: float, until: float) -> None:
        """Draw the pacer's frame at the breath's `elapsed` and sleep till the next one, or
        till `until`, when more than the shape may change."""
        breath = pattern.state_at(elapsed)
        self._pacer.show(pattern, breath)
        frame = seconds_to_next_frame(pattern, breath, self.reduced_motion)
        self._schedule_wake(min(frame, until - elapsed))

    def _display_options(self) -> DisplayOptions:
        """Read afresh each time: reduced motion can be switched on mid-session."""
        return DisplayOptions(
            ascii=self.ascii,
            breathing_only=self.breathing_only,
            reduced_motion=self.reduced_motion,
        )

    def _show(self, view: SessionView) -> None:
        """Push what differs from the last view to the widgets, then sleep till it changes."""
        before = self._view
        self._view = view
        pacer = self._pacer
        pacer.reduced_motion = view.reduced_motion
        pacer.show(view.breathing, view.breath, paused=view.paused)
        self._show_phase(view, before)
        self._awake.hold(self.session.state is SessionState.RUNNING and not view.finished)
        if before is None or view.paused != before.paused:
            self.set_class(view.paused, "-paused")
            self.refresh_bindings()
        elif (view.interlude is None) != (before.interlude is None):
            self.refresh_bindings()  # space: Start now during an interlude, else Pause
        if before is None or view.ending != before.ending:
            self._digits.set_class(view.ending, "-ending")
        # Everything but the pacer changes at most once a second: skip it between seconds.
        if before is None or view.texts != before.texts:
            self._show_texts(view.texts, before.texts if before else BLANK_TEXTS)
            # The bar moves on with the clock, as it always has: once a second at most.
            self._progress.show(view.progress_done, view.progress_count, view.progress_fraction)
            self._foot_map.foot = view.foot  # reactives: unchanged values are skipped
            self._foot_map.zone = view.zone
            self._foot_map.point = view.point
            self.set_class(bool(view.texts.find), "-point")
            self._show_now(view)
        self._schedule_wake(view.seconds_to_next_change)

    def _show_phase(self, view: SessionView, before: SessionView | None) -> None:
        """The breath's word in big type: a new text only when the phase, its whole second
        or the pause changes, so the pacer's 12.5 frames a second cost nothing here."""
        if before is None or view.breathing is not before.breathing:
            self._phase.sample = widest_phase_text(view)
        state = view.breath
        # A 5.5 s phase counts from 5, never 6; the sigh's top-up says "Inhale more".
        text = PAUSED_WORD if view.paused else f"{state.said} {state.count}"
        if text != self._phase_text:
            self._phase_text = text
            self._phase.text = text
        self._phase.phase = state.phase.value

    def _show_now(self, view: SessionView) -> None:
        """The largest words: the headline when there is one, else which foot and where."""
        texts = view.texts
        self.set_class(bool(texts.headline), "-headline")
        if texts.headline:
            self._now.text = displayable(texts.headline)
        elif self.breathing_only:
            self._now.text = ""
        else:
            self._now.text = big_where(view.foot, view.zone, ascii=self.ascii, point=view.point)
        self.query_one("#title-big", BigText).text = displayable(texts.title)

    def _show_texts(self, texts: SessionTexts, before: SessionTexts) -> None:
        """Update only the labels whose text changed: each update costs a repaint."""
        labels = (
            ("#step-of", texts.step_of, before.step_of),
            ("#title", texts.title, before.title),
            ("#where", texts.where, before.where),
            ("#find", texts.find, before.find),
            ("#next", texts.next, before.next),
            ("#notice", texts.notice, before.notice),
        )
        for selector, text, shown in labels:
            if text != shown:
                self.query_one(selector, Static).update(displayable(text))
        if (texts.how, texts.find) != (before.how, before.find):
            self.query_one("#how", Static).update(how_and_find(texts.how, texts.find))
        if texts.how != before.how:  # in a large window, what to do is in big type too
            self.query_one("#how-big", BigText).text = displayable(texts.how)
        # Fixed-size labels: a new text needs no new layout.
        if texts.routine_left != before.routine_left:
            self.query_one("#routine-left", Static).update(texts.routine_left, layout=False)
        if texts.cue != before.cue:
            self.query_one("#cue", Static).update(texts.cue, layout=False)
        if texts.clock != before.clock:
            self._digits.update(texts.clock)

    def _schedule_wake(self, delay: float | None) -> None:
        """Wake exactly when something on screen is due to change, and never while paused."""
        if delay is None or not self.is_attached:
            self._wake.cancel()
            return
        delay = max(MIN_SLEEP_SECONDS, min(MAX_SLEEP_SECONDS, delay))
        self._wake.schedule(delay + WAKE_MARGIN)

    def _on_wake(self) -> None:
        if self.is_attached:
            self.wake()

    def wake(self) -> None:
        """What the screen's timer calls. Between whole seconds only the pacer's shape moves:
        its next frame is drawn from the breath alone. Otherwise (anything happened, the
        window is over, reduced motion was switched) the whole session is shown (`tick`)."""
        view, until, events = self._view, self._frames_until, None
        if view is not None and until is not None and view.reduced_motion == self.reduced_motion:
            session = self.session
            events = session.update()
            elapsed = session.breath_elapsed
            if not events and elapsed < until and session.state is SessionState.RUNNING:
                self._draw_frame(view.breathing, elapsed, until)
                return
        self.tick(events)

    # ---- the bell ---------------------------------------------------------------------------

    @property
    def bell_on(self) -> bool:
        return self.prefs.bell

    @property
    def reduced_motion(self) -> bool:
        return self.app.animation_level == "none"

    # ---- keys -------------------------------------------------------------------------------

    def action_toggle_pause(self) -> None:
        """Space skips a running lead-in or switch pause, else pauses or goes on."""
        self.session.toggle_pause_or_skip()
        self._changed_course()

    def action_resume(self) -> None:
        self.action_toggle_pause()

    def action_skip_interlude(self) -> None:
        self.action_toggle_pause()

    def action_next_step(self) -> None:
        """No single key ends a session: next on the last step asks first."""
        session = self.session
        if not session.is_finished and session.index + 1 >= session.step_count:
            self._ask(END_QUESTION, "End", "Go on", self._end_now)
            return
        session.next_step()
        self._changed_course()

    def _end_now(self) -> None:
        self.session.next_step()
        self._changed_course()

    def action_previous_step(self) -> None:
        self.session.previous_step()
        self._changed_course()

    def action_restart_step(self) -> None:
        self.session.restart_step()
        self._changed_course()

    def action_add_time(self) -> None:
        self.session.add_time(ADDED_SECONDS)
        self._changed_course()

    def action_toggle_bell(self) -> None:
        self.post_message(BellToggled())

    def action_set_muted(self, muted: bool) -> None:
        """`m`: mute or unmute the sound, remembered for next time."""
        self.post_message(
            PreferenceChanged(
                lambda store: store.set_sound_muted(muted),
                announce="Sound muted" if muted else "Sound on",
            )
        )

    def action_leave(self) -> None:
        """Ask first unless the routine is over; the session waits, paused, for the answer."""
        if self.session.is_finished:
            self._go_back()
            return

        def leave() -> None:
            self._ended()
            self._go_back()

        self._ask(LEAVE_QUESTION, "Leave", "Stay", leave)

    def _ask(self, question: str, yes: str, no: str, then: Callable[[], None]) -> None:
        """Pause, ask, and on yes do `then`; on no go on as before."""
        session = self.session
        was_running = session.state is SessionState.RUNNING
        if was_running:
            session.pause()
            self._changed_course()

        def answered(agreed: bool | None) -> None:
            if agreed:
                then()
            elif was_running and self.session.state is SessionState.PAUSED:
                self.session.resume()
                self._changed_course()

        self.app.push_screen(ConfirmScreen(question, yes=yes, no=no), answered)

    # ---- the end ----------------------------------------------------------------------------

    def _ended(self) -> None:
        """Tell the app, which records the session in the history (once, however often told).

        Posted to the app itself: this screen is about to leave the stack."""
        self.app.post_message(SessionEnded(self.session))

    def _finish(self) -> None:
        if self._complete_shown:
            return
        self._wake.cancel()
        self._awake.release()
        self._ended()
        if not self.is_current:
            self._complete_pending = True  # e.g. the command palette is open: wait for it
            return
        self._complete_shown = True
        self._complete_pending = False
        self.app.switch_screen(
            CompleteScreen(
                self.routine,
                self.session.practised_seconds,
                self.session.steps_done,
                self.session.step_count,
                completed=self.session.completed,
                run_mode=self.run_mode,
                breathing_only=self.breathing_only,
            )
        )

    def on_screen_resume(self) -> None:
        if self._complete_pending:
            self.call_later(self._finish)

    def _go_back(self) -> None:
        self._wake.cancel()
        self._awake.release()
        if self.run_mode:
            self.app.exit(0)
        elif self.is_current:
            self.app.pop_screen()

    def on_unmount(self) -> None:
        """The app may be closing (ctrl+q, SIGTERM); it records what is open as it stops."""
        self._wake.cancel()
        self._awake.release()
