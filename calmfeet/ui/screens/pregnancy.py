"""Asked once: skip the steps on points traditionally avoided in pregnancy, or keep them."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from calmfeet.core.points import POINTS
from calmfeet.core.preferences import PregnancyChoice
from calmfeet.core.safe_text import displayable

HEADING = "Points avoided in pregnancy"
CHANGE_LATER = "You can change this any time: ctrl+p, then Pregnancy."
AVOIDED_IDS = [point.id for point in POINTS if point.avoided_in_pregnancy]


def _named(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"


def question(routine_name: str | None, ids: list[str]) -> str:
    """The words of the dialog: which points, what calmfeet can do, and how to change it."""
    if routine_name is None:
        start = (
            f"Some routines press {_named(AVOIDED_IDS)}, points traditionally avoided in pregnancy."
        )
    else:
        these = "a point" if len(ids) == 1 else "points"
        start = f"{routine_name} presses {_named(ids)}, {these} traditionally avoided in pregnancy."
    return (
        f"{start} If you are pregnant, or might be, calmfeet can skip the steps on these "
        f"points in every routine.\n{CHANGE_LATER}"
    )


class PregnancyScreen(ModalScreen[PregnancyChoice | None]):
    """Dismisses "skip" or "include"; escape dismisses None (nothing chosen, nothing started)."""

    DEFAULT_CSS = """
    PregnancyScreen {
        align: center middle;
        background: $background 60%;
    }
    PregnancyScreen #dialog {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $warning;
        background: $panel;
        padding: 1 2;
    }
    PregnancyScreen #heading { text-style: bold; color: $text; margin-bottom: 1; }
    PregnancyScreen #question-scroll { height: auto; max-height: 10; margin-bottom: 1; }
    PregnancyScreen #buttons { height: auto; align-horizontal: center; }
    PregnancyScreen Button { margin: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "answer(None)", "Not now", id="pregnancy.cancel"),
    ]

    AUTO_FOCUS = "#skip"

    def __init__(self, routine_name: str | None = None, ids: list[str] | None = None) -> None:
        """`routine_name` and its `ids` when starting a routine; neither from the palette."""
        super().__init__()
        self.words = question(routine_name, ids or AVOIDED_IDS)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(HEADING, id="heading", markup=False)
            with VerticalScroll(id="question-scroll"):
                yield Static(displayable(self.words), id="question", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Skip those steps", id="skip", variant="primary")
                yield Button("Keep them", id="include")

    @on(Button.Pressed, "#skip")
    def _skip(self) -> None:
        self.dismiss("skip")

    @on(Button.Pressed, "#include")
    def _include(self) -> None:
        self.dismiss("include")

    def action_answer(self, choice: PregnancyChoice | None) -> None:
        self.dismiss(choice)
