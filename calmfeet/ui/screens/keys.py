"""calmfeet's own keys, screen by screen, read from the screens' BINDINGS so it cannot go stale."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from calmfeet.core.points import EVIDENCE
from calmfeet.ui.screens.editor import EditorScreen, EditorStepList
from calmfeet.ui.screens.picker import PickerScreen, RoutineList, StepList
from calmfeet.ui.screens.session import SessionScreen
from calmfeet.ui.screens.stats import StatsScreen
from calmfeet.ui.widgets.keybar import KeyBar

KeyDisplay = Callable[[Binding], str]
"""Shows a key as the footer does: the app's `get_key_display`."""
KeyRow = tuple[str, str]
"""The keys as shown (`ctrl+f`, `n or →`) and what they do."""

PICKER_TYPING: list[KeyRow] = [
    ("letters", "Filter by name (escape clears it)"),
]
EDITOR_TYPING: list[KeyRow] = [
    ("tab", "Next field (shift+tab: the one before)"),
    ("left or right", "Change a foot or a zone (or type its first letter)"),
    ("enter or space", "Tick or untick a focus"),
]


def key_rows(bindings: Iterable[BindingType], shown_key: KeyDisplay) -> list[KeyRow]:
    """One row per action, in its longer words (tooltip) when it has them; one key with two
    labels (Favourite / Unfavourite) is one row."""
    keys_by_action: dict[str, list[str]] = {}
    words_by_action: dict[str, str] = {}
    for binding in Binding.make_bindings(bindings):
        if binding.system or not binding.description:
            continue
        keys = keys_by_action.setdefault(binding.action, [])
        key = shown_key(binding)
        if key not in keys:
            keys.append(key)
        words_by_action.setdefault(binding.action, binding.tooltip or binding.description)
    rows: dict[str, list[str]] = {}
    for action, keys in keys_by_action.items():
        words = rows.setdefault(" or ".join(keys), [])
        if words_by_action[action] not in words:
            words.append(words_by_action[action])
    return [(keys, " / ".join(words)) for keys, words in rows.items()]


def key_groups(
    everywhere: Sequence[BindingType], shown_key: KeyDisplay, here: object = None
) -> list[tuple[str, list[KeyRow]]]:
    """Each screen's keys: the screen `here` (the one ? was pressed on) first, then the others
    in the order a person meets them, then the keys that work everywhere."""
    picker = [*RoutineList.BINDINGS, *PickerScreen.BINDINGS]
    screens: list[tuple[type, str, list[KeyRow]]] = [
        (PickerScreen, "Picker", PICKER_TYPING + key_rows(picker, shown_key)),
        (PickerScreen, "Picker, editing steps (tab)", key_rows(StepList.BINDINGS, shown_key)),
        (SessionScreen, "Session", key_rows(SessionScreen.BINDINGS, shown_key)),
        (StatsScreen, "Stats", key_rows(StatsScreen.BINDINGS, shown_key)),
        (
            EditorScreen,
            "Routine editor",
            EDITOR_TYPING + key_rows(EditorScreen.BINDINGS, shown_key),
        ),
        (
            EditorScreen,
            "Routine editor, in the steps",
            key_rows(EditorStepList.BINDINGS, shown_key),
        ),
    ]
    screens.sort(key=lambda group: not isinstance(here, group[0]))  # stable: order kept
    everywhere_rows = [*key_rows(everywhere, shown_key), ("ctrl+p", "Command palette")]
    return [(title, rows) for _, title, rows in screens] + [("Everywhere", everywhere_rows)]


class KeysScreen(ModalScreen[None]):
    """What `?` opens: calmfeet's keys grouped by screen; escape (or ?) closes it."""

    DEFAULT_CSS = """
    KeysScreen { align: center middle; background: $background 60%; }
    KeysScreen #keys-dialog {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $panel; padding: 0 1;
    }
    KeysScreen #keys-scroll { height: auto; max-height: 100%; }
    KeysScreen #keys-text { height: auto; }
    """

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="keys.close"),
    ]

    def __init__(self, groups: Sequence[tuple[str, Sequence[KeyRow]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with Vertical(id="keys-dialog"), VerticalScroll(id="keys-scroll"):
            yield Static(self._text(), id="keys-text")
        yield KeyBar(show_command_palette=False)

    def _text(self) -> Text:
        text = Text()
        width = max(len(keys) for _, rows in self.groups for keys, _ in rows)
        for number, (title, rows) in enumerate(self.groups):
            if number:
                text.append("\n")
            text.append(f"{title}\n", style="bold")
            for keys, words in rows:
                text.append(f"  {keys:<{width}}  ", style="bold")
                text.append(f"{words}\n")
        text.append("\nAbout the points and zones\n", style="bold")
        text.append(f"  {EVIDENCE}\n", style="italic")
        text.rstrip()
        return text

    def action_close(self) -> None:
        self.dismiss(None)
