"""The routine's caution, shown before its first session so the person can choose not to start."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from calmfeet.core.model import Routine
from calmfeet.core.safe_text import displayable
from calmfeet.core.safety import routine_caution

MAX_CAUTION_ROWS = 12
COMPACT_BELOW = 24
# Rows the dialog needs besides the caution text: border, padding, heading, name, buttons.
ROOMY_ROWS = 11
COMPACT_ROWS = 7


class CautionScreen(ModalScreen[bool]):
    """Dismisses True when the person starts, False when they back out."""

    DEFAULT_CSS = """
    CautionScreen {
        align: center middle;
        background: $background 60%;
    }
    CautionScreen #dialog {
        width: 70;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $warning;
        background: $panel;
        padding: 1 2;
    }
    CautionScreen #heading {
        text-style: bold;
        color: $text;
    }
    CautionScreen #name {
        color: $text-muted;
        margin-bottom: 1;
    }
    CautionScreen #caution-scroll {
        height: auto;
        max-height: 12;
        margin-bottom: 1;
    }
    CautionScreen #buttons {
        height: auto;
        align-horizontal: center;
    }
    CautionScreen Button {
        margin: 0 1;
    }
    CautionScreen.-compact #dialog { padding: 0 1; }
    CautionScreen.-compact #name { margin-bottom: 0; }
    CautionScreen.-compact #caution-scroll { margin-bottom: 0; }
    """

    BINDINGS = [
        Binding("enter", "answer(True)", "Start", id="caution.start"),
        Binding("escape", "answer(False)", "Not now", id="caution.cancel"),
    ]

    AUTO_FOCUS = "#start"

    def __init__(self, routine: Routine, caution: str | None = None) -> None:
        """`caution` is what the person confirms: the routine's with the safety text's lines
        that apply to it, unless given."""
        super().__init__()
        self.routine = routine
        self.caution = routine_caution(routine) if caution is None else caution

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Before you start", id="heading")
            yield Static(displayable(self.routine.name), id="name", markup=False)
            with VerticalScroll(id="caution-scroll"):
                yield Static(displayable(self.caution), id="caution", markup=False)
            with Horizontal(id="buttons"):
                yield Button("I understand, start", id="start", variant="primary")
                yield Button("Not now", id="cancel")

    def on_resize(self, event: events.Resize) -> None:
        """Shrink the caution text, not the buttons, so starting is always possible."""
        compact = event.size.height < COMPACT_BELOW
        self.set_class(compact, "-compact")
        around = COMPACT_ROWS if compact else ROOMY_ROWS
        rows = max(1, min(MAX_CAUTION_ROWS, event.size.height - around))
        self.query_one("#caution-scroll").styles.max_height = rows

    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    def action_answer(self, start: bool) -> None:
        self.dismiss(start)
