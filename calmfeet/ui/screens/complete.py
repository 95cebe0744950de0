"""The end of a session: what was practised, and one key back to the routines."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from calmfeet.core.glyphs import plural
from calmfeet.core.model import format_clock
from calmfeet.core.safe_text import displayable


class CompleteScreen(Screen[None]):
    """Replaces the session screen; enter pops back to the picker, or quits in run mode."""

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
    CompleteScreen #hint {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS = [
        Binding("enter", "done", "Done", id="complete.done"),
        Binding("escape,q", "done", "Done", id="complete.leave", show=False),
    ]

    def __init__(
        self,
        routine_name: str,
        seconds: float,
        steps_done: int,
        step_count: int,
        *,
        run_mode: bool = False,
        breathing_only: bool = False,
    ) -> None:
        super().__init__()
        self.routine_name = routine_name
        self.seconds = seconds
        self.steps_done = steps_done
        self.step_count = step_count
        self.run_mode = run_mode
        self.breathing_only = breathing_only

    @property
    def heading(self) -> str:
        return "Breathing session complete" if self.breathing_only else "Routine complete"

    def compose(self) -> ComposeResult:
        with Vertical(id="summary"):
            yield Static(self.heading, id="heading")
            yield Static(displayable(self.routine_name), id="routine-name", markup=False)
            yield Static(f"Practised for {format_clock(self.seconds)}", id="practised")
            if not self.breathing_only:
                yield Static(
                    f"{self.steps_done} of {plural(self.step_count, 'step')} done",
                    id="steps-done",
                )
            where = "close calmfeet" if self.run_mode else "go back to your routines"
            yield Static(f"Press enter to {where}.", id="hint")
        yield Footer()

    def action_done(self) -> None:
        if self.run_mode:
            self.app.exit(0)
        else:
            self.app.pop_screen()
