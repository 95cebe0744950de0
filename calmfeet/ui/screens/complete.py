"""The end of a session: what was practised, the streak, and one key back or again."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Static

from calmfeet.core.glyphs import plural
from calmfeet.core.model import Routine, format_clock
from calmfeet.core.safe_text import displayable
from calmfeet.ui.messages import RoutineChosen
from calmfeet.ui.widgets.keybar import KeyBar


class CompleteScreen(Screen[None]):
    """Replaces the session screen; enter pops back to the picker (or quits in run mode), a
    starts the same routine again. Says "complete" only for a routine practised for at least
    80% of its time (`Session.completed`); otherwise "Ended early"."""

    DEFAULT_CSS = """
    CompleteScreen {
        align: center middle;
    }
    CompleteScreen #summary {
        width: auto;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        padding: 1 3;
    }
    CompleteScreen #summary > Static {
        width: auto;
        max-width: 100%;
    }
    CompleteScreen #heading {
        text-style: bold;
        color: $primary;
    }
    CompleteScreen #routine-name {
        color: $text-muted;
        margin-bottom: 1;
    }
    CompleteScreen #streak {
        margin-top: 1;
    }
    CompleteScreen #hint {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS = [
        Binding("enter", "done", "Done", id="complete.done"),
        Binding("a", "again", "Again", id="complete.again"),
        Binding("escape,q", "done", "Done", id="complete.leave", show=False),
    ]

    streak: var[int | None] = var(None)
    """Days in a row with practice, set by the app once it has read the history."""

    def __init__(
        self,
        routine: Routine,
        seconds: float,
        steps_done: int,
        step_count: int,
        *,
        completed: bool = True,
        run_mode: bool = False,
        breathing_only: bool = False,
    ) -> None:
        super().__init__()
        self.routine = routine
        self.routine_name = routine.name
        self.completed = completed
        self.seconds = seconds
        self.steps_done = steps_done
        self.step_count = step_count
        self.run_mode = run_mode
        self.breathing_only = breathing_only

    @property
    def heading(self) -> str:
        if self.breathing_only:
            return "Breathing session complete" if self.completed else "Ended early"
        if self.completed:
            return "Routine complete"
        return f"Ended early · {self.steps_done} of {plural(self.step_count, 'step')}"

    def compose(self) -> ComposeResult:
        with Vertical(id="summary"):
            yield Static(self.heading, id="heading")
            yield Static(displayable(self.routine_name), id="routine-name", markup=False)
            yield Static(f"Practised for {format_clock(self.seconds)}", id="practised")
            if not self.breathing_only and self.completed:
                yield Static(
                    f"{self.steps_done} of {plural(self.step_count, 'step')} done",
                    id="steps-done",
                )
            streak = Static(self.streak_words, id="streak")
            streak.display = bool(self.streak)
            yield streak
            where = "close calmfeet" if self.run_mode else "go back to your routines"
            yield Static(f"Press enter to {where}, a to start again.", id="hint")
        yield KeyBar()

    @property
    def streak_words(self) -> str:
        return f"Streak: {plural(self.streak, 'day')} in a row" if self.streak else ""

    def watch_streak(self, streak: int | None) -> None:
        for label in self.query("#streak").results(Static):
            label.display = bool(streak)
            label.update(self.streak_words)

    def action_again(self) -> None:
        """The same routine (or breathing) from the start: the app starts it afresh."""
        self.app.post_message(RoutineChosen(self.routine, breathing_only=self.breathing_only))
        self.dismiss()

    def action_done(self) -> None:
        if self.run_mode:
            self.app.exit(0)
        else:
            self.app.pop_screen()
