"""Asking for a new id when a version would otherwise overwrite a person's own file."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

IdCheck = Callable[[str], str | None]
"""Why an id cannot be used, in one sentence; None when it can."""


class NewIdScreen(ModalScreen[str | None]):
    """Dismisses the id typed, once it passes `check`; escape dismisses None (save nothing).

    The input starts with a free suggestion selected, so enter accepts it and typing replaces
    it. A refused id is explained under the input and the dialog stays, so nothing typed is lost.
    """

    DEFAULT_CSS = """
    NewIdScreen {
        align: center middle;
        background: $background 60%;
    }
    NewIdScreen #dialog {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $panel;
        padding: 1 2;
    }
    NewIdScreen #question { width: 1fr; margin-bottom: 1; }
    NewIdScreen #new-id { width: 1fr; }
    NewIdScreen #why { width: 1fr; color: $warning; height: auto; }
    NewIdScreen #hint { width: 1fr; color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="new_id.cancel")]

    AUTO_FOCUS = "#new-id"

    def __init__(self, question: str, suggestion: str, check: IdCheck) -> None:
        super().__init__()
        self.question = question
        self.suggestion = suggestion
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question", markup=False)
            yield Input(self.suggestion, id="new-id", select_on_focus=True)
            yield Static("", id="why", markup=False)
            yield Static("enter saves under this id, escape saves nothing", id="hint")

    @on(Input.Submitted, "#new-id")
    def _submitted(self, event: Input.Submitted) -> None:
        problem = self.check(event.value)
        if problem is not None:
            self.query_one("#why", Static).update(problem)
            return
        self.dismiss(event.value)

    @on(Input.Changed, "#new-id")
    def _changed(self) -> None:
        self.query_one("#why", Static).update("")

    def action_cancel(self) -> None:
        self.dismiss(None)
