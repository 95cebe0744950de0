"""The picker: the routines in the person's order, filters, a preview, and their own versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, cast

from rich.text import Span, Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key, Resize
from textual.reactive import reactive, var
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from calmfeet.core import catalogue, customise
from calmfeet.core.customise import MoveStep, RemoveStep, RetimeStep, StepEdit
from calmfeet.core.glyphs import Glyphs, glyphs_for, plural
from calmfeet.core.library import Library
from calmfeet.core.model import Routine, Step, format_clock, format_minutes
from calmfeet.core.paths import Paths
from calmfeet.core.points import EVIDENCE, chart_summary
from calmfeet.core.preferences import Preferences
from calmfeet.core.safe_text import displayable
from calmfeet.core.safety import caution_preview, routine_points
from calmfeet.ui.messages import (
    PreferenceChanged,
    RoutineChosen,
    RoutineReplaced,
    StatsRequested,
)
from calmfeet.ui.screens.new_id import NewIdScreen
from calmfeet.ui.widgets.footmap import FootMap
from calmfeet.ui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from textual.css.styles import RulesMap

    from calmfeet.core.authoring import RoutineDraft


def plain_text(text: Text, glyphs: Glyphs) -> Text:
    """The text in the chosen marks, with terminal controls from a file shown as escapes.

    Cut at every style boundary first: an escape is longer than the character it shows, and
    each piece keeps its own styles over its whole new length.
    """
    cuts = sorted({edge for span in text.spans for edge in (span.start, span.end)})
    shown = Text(style=text.style, end=text.end)
    for piece in text.divide(cuts):
        words = displayable(glyphs.plain(piece.plain))
        spans = [Span(0, len(words), span.style) for span in piece.spans]
        shown.append_text(Text(words, style=piece.style, spans=spans, end=""))
    return shown


LIST_KEYS = frozenset({"*", "/", "?"})
"""The only printable keys that are commands in the list, and only before a name is typed:
no routine name starts with one, so every letter, the first one too, goes to the filter."""


def type_into_filter(screen: Screen[object], event: Key) -> bool:
    """Letters typed in the picker's lists go to the name filter, as in a command palette;
    returns True when the key was taken, so it runs no command."""
    filter_input = screen.query_one("#filter", Input)
    char = event.character
    typing = bool(filter_input.value)
    if event.key == "backspace" and typing:
        filter_input.value = filter_input.value[:-1]
    elif event.key == "escape" and typing:
        filter_input.value = ""
    elif (
        char
        and char.isprintable()
        and (typing or char not in LIST_KEYS)
        and (typing or event.key != "space")
    ):
        filter_input.value += char
    else:
        return False
    event.stop()
    event.prevent_default()
    return True


class RoutineList(OptionList):
    """The routines; every letter typed here filters them by name."""

    BINDINGS = [
        # OptionList's own hidden enter binding would otherwise hide "Start" from the footer.
        Binding("enter", "select", "Start", id="picker.start_highlighted"),
        Binding("shift+up", "screen.move(-1)", "Move up", id="picker.move_up", show=False),
        Binding("shift+down", "screen.move(1)", "Move down", id="picker.move_down", show=False),
    ]

    def on_key(self, event: Key) -> None:
        type_into_filter(self.screen, event)


class StepList(OptionList):
    """The highlighted routine's steps; editing them saves the person's own version.

    No letter edits a step: a letter typed here goes back to the list and filters it."""

    BINDINGS = [
        Binding("enter", "screen.start", "Start", id="picker.start_from_steps"),
        Binding("escape", "screen.focus_routines", "Back", id="picker.back"),
        Binding("left", "screen.focus_routines", "Back", id="picker.back_left", show=False),
        Binding("shift+up", "screen.move_step(-1)", "Step up", id="picker.step_up", show=False),
        Binding(
            "shift+down", "screen.move_step(1)", "Step down", id="picker.step_down", show=False
        ),
        Binding("plus,equals_sign", "screen.retime_step(15)", "+15 s", id="picker.longer"),
        Binding("minus", "screen.retime_step(-15)", "−15 s", id="picker.shorter"),
        Binding("delete,ctrl+x", "screen.remove_step", "Remove", id="picker.remove_step"),
        Binding("ctrl+o", "screen.restore_original", "Original", id="picker.restore"),
    ]

    def on_key(self, event: Key) -> None:
        char = event.character
        if char and char.isalpha():
            self.screen.query_one(RoutineList).focus()
            type_into_filter(self.screen, event)


COMPACT_FOOTER_BELOW = 100
"""Columns under which the footer leaves out the space between keys."""

ROUTINE_ACTIONS = frozenset(
    {
        "favourite",
        "unfavourite",
        "hide",
        "unhide",
        "cycle_focus",
        "stats",
        "edit_steps",
        "new_routine",
        "copy_routine",
        "edit_routine",
    }
)
"""The list's commands, set aside while the step list has the focus."""


class PickerScreen(Screen[None]):
    """What a person sees first: their routines, in their order."""

    DEFAULT_CSS = """
    PickerScreen { layout: vertical; }
    PickerScreen #top { height: 1; dock: top; background: $panel; }
    PickerScreen #title { width: auto; padding: 0 1; color: $text; text-style: bold; }
    PickerScreen #filters {
        width: 1fr; color: $text-muted; padding: 0 1; content-align: right middle;
    }
    PickerScreen #filter { height: 1; border: none; padding: 0 1; background: $surface; }
    PickerScreen #filter:focus { background: $boost; }
    PickerScreen #body { height: 1fr; }
    PickerScreen RoutineList { width: 1fr; min-width: 30; height: 1fr; border: round $panel; }
    PickerScreen RoutineList:focus { border: round $primary; }
    PickerScreen #preview { width: 1fr; height: 1fr; border: round $panel; padding: 0 1; }
    /* One scrollbar at a time: the words scroll on their own (rarely), the steps on theirs;
       the foot map keeps a fixed height below them, so it is always on screen. */
    PickerScreen #preview-about { height: auto; max-height: 40%; scrollbar-size-vertical: 1; }
    PickerScreen #preview-text { height: auto; }
    PickerScreen #steps-heading { height: auto; max-height: 2; }
    PickerScreen StepList { height: 1fr; min-height: 4; border: none; padding: 0; }
    PickerScreen StepList:focus { background: $boost; }
    PickerScreen #preview-map { height: 9; }
    PickerScreen.-tall #preview-map { height: 13; }
    PickerScreen #empty { height: 1fr; content-align: center middle; color: $text-muted; }
    PickerScreen.-ascii RoutineList { border: ascii $panel; }
    PickerScreen.-ascii RoutineList:focus { border: ascii $primary; }
    PickerScreen.-ascii #preview { border: ascii $panel; }
    /* Textual draws scrollbars in block characters: none in ASCII (the steps still follow
       the cursor). */
    PickerScreen.-ascii #preview-about { scrollbar-size-vertical: 0; }
    PickerScreen.-ascii StepList { scrollbar-size-vertical: 0; }
    PickerScreen.-narrow #preview { display: none; }
    PickerScreen.-short #preview-map { display: none; }
    """

    BINDINGS = [
        Binding("enter", "start", "Start", id="picker.start", show=True),
        Binding("ctrl+f", "favourite", "Favourite", id="picker.favourite"),
        Binding("ctrl+f", "unfavourite", "Unfavourite", id="picker.unfavourite"),
        Binding("ctrl+d", "hide", "Hide", id="picker.hide"),
        Binding("ctrl+d", "unhide", "Show", id="picker.unhide"),
        Binding(
            "ctrl+t",
            "cycle_focus",
            "Focus",
            id="picker.focus_filter",
            tooltip="Cycle the focus filter: stress, circulation, pain, sleep, energy…",
        ),
        Binding("ctrl+s", "stats", "Stats", id="picker.stats"),
        Binding(
            "ctrl+n",
            "new_routine",
            "New",
            id="picker.new_routine",
            tooltip="Write a new routine from scratch",
        ),
        Binding(
            "ctrl+y",
            "copy_routine",
            "Copy",
            id="picker.copy_routine",
            tooltip="Write a new routine, starting from a copy of this one",
        ),
        Binding(
            "ctrl+r",
            "edit_routine",
            "Edit",
            id="picker.edit_routine",
            show=False,
            tooltip="Edit this routine (a built-in one is kept: yours shows instead)",
        ),
        Binding(
            "ctrl+e",
            "edit_steps",
            "Steps",
            id="picker.edit",
            show=False,
            tooltip="Edit the steps (tab too)",
        ),
        Binding(
            "ctrl+a",
            "toggle_hidden",
            "Show hidden",
            id="picker.show_hidden",
            show=False,
            tooltip="Show hidden routines, or hide them again",
        ),
        Binding(
            "asterisk",
            "toggle_favourites",
            "Favourites only",
            id="picker.favourites_only",
            show=False,
        ),
        Binding("slash", "search", "Filter", id="picker.search", show=False),
        # Priority, as the app's own ctrl+q is: shown here, where quitting is a choice.
        Binding("ctrl+q", "quit_app", "Quit", id="picker.quit", priority=True),
    ]
    """Every command is a key no routine name can contain: letters always filter by name."""

    routine_filter: reactive[catalogue.RoutineFilter] = reactive(catalogue.RoutineFilter)
    """Name, focus, favourites only, show hidden: swapped whole, never changed in place."""
    prefs: var[Preferences] = var(Preferences)
    """Bound to the app's preferences: favourites, hidden, order, last routine."""
    library: var[Library] = var(Library)
    """Bound to the app's library: the routines in the person's order."""

    def __init__(self, *, paths: Paths, ascii: bool = False) -> None:
        super().__init__()
        self.paths = paths
        self._ascii = ascii
        self._glyphs = glyphs_for(ascii)
        self._step_cursor_after_update: int | None = None
        self._highlight_after_update: str | None = None
        self._shown_ids: list[str] = []
        self._preview_id: str | None = None
        self._last_highlighted: str | None = None
        """The routine last under the cursor, kept while a filter shows nothing, so clearing
        the filter goes back to it instead of to the top."""
        self._preview_ready = False
        self._heading_shown = ""
        self._preview_pending = False
        self._labels_shown: tuple[bool, bool, bool] | None = None
        self._options: dict[str, tuple[tuple[int, bool, bool], Option]] = {}

    # ---- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Static("calmfeet", id="title")
            yield Static("", id="filters", markup=False)
        placeholder = "Type to filter by name" + self._glyphs.ellipsis
        yield Input(placeholder=placeholder, id="filter")
        with Horizontal(id="body"):
            yield RoutineList(id="routines")
            with Vertical(id="preview"):
                with VerticalScroll(id="preview-about", can_focus=False):
                    yield Static("", id="preview-text")
                yield Static("", id="steps-heading")
                yield StepList(id="steps")
                yield FootMap(id="preview-map", ascii=self._ascii)
        # The palette's ctrl+p is listed under ? instead: the picker's own keys fit 80 columns.
        yield KeyBar(show_command_palette=False)

    def on_mount(self) -> None:
        self.set_class(self._ascii, "-ascii")
        self.refresh_list(highlight=self.prefs.last_routine)
        self.query_one(RoutineList).focus()
        self.call_after_refresh(self._preview_after_first_paint)

    def _preview_after_first_paint(self) -> None:
        """The list is what a person looks for first; the preview follows one frame later."""
        self._preview_ready = True
        self._show_preview(self.highlighted)

    def on_resize(self, event: Resize) -> None:
        # Below 100 columns the footer's keys sit closer, so every one fits in 80.
        self.query_one(KeyBar).compact = event.size.width < COMPACT_FOOTER_BELOW
        self.set_class(event.size.width < 70, "-narrow")
        self.set_class(event.size.height < 24, "-short")
        self.set_class(event.size.height >= 40, "-tall")

    # ---- data -------------------------------------------------------------------------------

    @property
    def _library_routines(self) -> list[Routine]:
        return list(self.library.routines)

    def visible_ids(self) -> list[str]:
        prefs = self.prefs
        return catalogue.visible_ids(
            self._library_routines, prefs.order, prefs.favourites, prefs.hidden, self.routine_filter
        )

    def _routine(self, routine_id: str | None) -> Routine | None:
        return None if routine_id is None else self.library.get(routine_id)

    @property
    def highlighted(self) -> Routine | None:
        routine_list = self.query_one(RoutineList)
        index = routine_list.highlighted
        if index is None or index >= len(self._shown_ids):
            return None
        return self._routine(self._shown_ids[index])

    def _option(self, routine: Routine) -> Option:
        """One option per routine and look, reused: OptionList keeps each option's laid-out
        text on the option itself, so filtering 1,000 routines does not lay them out again."""
        prefs = self.prefs
        key = (id(routine), routine.id in prefs.favourites, routine.id in prefs.hidden)
        cached = self._options.get(routine.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        option = self._build_option(routine)
        self._options[routine.id] = (key, option)
        return option

    def _build_option(self, routine: Routine) -> Option:
        prefs, glyphs = self.prefs, self._glyphs
        star = f"{glyphs.star} " if routine.id in prefs.favourites else "  "
        line = Text(star, style="bold")
        line.append(routine.name, style="bold")
        if routine.id in prefs.hidden:
            line.append("  (hidden)", style="italic")
        details = [format_minutes(routine.total_seconds), plural(len(routine.steps), "step")]
        if routine.focus:
            details.append(", ".join(routine.focus))
        line.append("\n  " + f" {glyphs.dot} ".join(details), style="dim")
        return Option(plain_text(line, glyphs), id=routine.id)

    def watch_prefs(self) -> None:
        if self.is_mounted:
            self.refresh_list()
            self._labels_shown = self._labels_for(self.highlighted)
            self.refresh_bindings()

    def watch_library(self, old: Library, new: Library) -> None:
        """The library changed: an edit of the person's own (keep the cursor on the edited
        step), or more routines arrived (keep the person's place, or find the last one used)."""
        if not self.is_mounted:
            return
        cursor = self._step_cursor_after_update
        if cursor is not None:
            self._step_cursor_after_update = None
            self._preview_id = None
            self.refresh_list(highlight=self._highlight_after_update)
            self._highlight_after_update = None
            self._preview_now()  # rebuild the steps now, so the cursor can stay on the edited one
            self.query_one(StepList).highlighted = cursor
            return
        routine_list = self.query_one(RoutineList)
        moved = bool(routine_list.highlighted) or bool(self.routine_filter.name)
        keep = self.highlighted.id if moved and self.highlighted else None
        self.refresh_list(highlight=keep or self.prefs.last_routine)

    def refresh_list(self, highlight: str | None = None) -> None:
        """Rebuild the options (only when the list itself changed, never on a tick)."""
        routine_list = self.query_one(RoutineList)
        keep = highlight or (self.highlighted.id if self.highlighted else self._last_highlighted)
        by_id = {r.id: r for r in self._library_routines}
        self._shown_ids = self.visible_ids()
        routine_list.clear_options()
        routine_list.add_options([self._option(by_id[i]) for i in self._shown_ids])
        if self._shown_ids:
            index = self._shown_ids.index(keep) if keep in self._shown_ids else 0
            routine_list.highlighted = index
        self._show_filters()
        self._preview_soon()

    def _show_filters(self) -> None:
        summary = self.routine_filter.summary(
            len(self._shown_ids), len(self._library_routines), self._glyphs
        )
        self.query_one("#filters", Static).update(displayable(summary, one_line=True))

    def _show_preview(self, routine: Routine | None) -> None:
        if not self._preview_ready:
            return
        text = self.query_one("#preview-text", Static)
        steps = self.query_one(StepList)
        footmap = self.query_one(FootMap)
        if routine is None:
            self._preview_id = None
            text.update(
                "No routine matches. Press escape to clear the name, ctrl+t or * to widen it."
            )
            steps.clear_options()
            footmap.display = False
            return
        footmap.display = True
        glyphs = self._glyphs
        body = Text()
        body.append(routine.name, style="bold")
        body.append(f"  {format_clock(routine.total_seconds)}\n", style="dim")
        if routine.shadows and customise.is_calmfeet_version(routine.source, self.paths):
            body.append(
                f"Your version (original: {routine.shadows[-1].name}); ctrl+o restores it\n",
                "italic",
            )
        if routine.summary:
            body.append(routine.summary + "\n")
        if routine.needs:
            body.append("You will need: ", style="bold")
            body.append(", ".join(routine.needs) + "\n")
        body.append_text(self._points(routine))
        body.append("\nBreathing: ", style="bold")
        body.append(f"{routine.breathing.label}\n")
        caution = caution_preview(routine)
        if caution:
            body.append(f"{glyphs.warning} Caution: ", style="bold")
            body.append(caution + "\n")
        body.append_text(self._chart(routine))
        body.rstrip()
        heading = Text("Steps", style="bold")
        keys = f"shift+{glyphs.up}{glyphs.down} move, +/{glyphs.minus} time, delete remove"
        heading.append(f"  (tab to edit: {keys})", style="dim")
        # Each update with a new size lays the whole screen out again (about as long as the
        # rest of Down/Up): only a preview that changes height, or step count, asks for one.
        heading_text = plain_text(heading, glyphs)
        if heading_text.plain != self._heading_shown:
            self._heading_shown = heading_text.plain
            self.query_one("#steps-heading", Static).update(heading_text)
        about = Content.from_rich_text(plain_text(body, glyphs))
        shown = text.content_region  # the text's height is its content's (height: auto)
        same_height = (
            shown.width > 0
            and about.get_height(cast("RulesMap", text.styles), shown.width) == shown.height
        )
        text.update(about, layout=not same_height)
        if self._preview_id != routine.id:
            self.query_one("#preview-about", VerticalScroll).scroll_home(animate=False)
        if self._preview_id != routine.id or steps.option_count != len(routine.steps):
            keep = steps.highlighted if self._preview_id == routine.id else 0
            options = [self._step_option(i, s, glyphs) for i, s in enumerate(routine.steps)]
            if steps.option_count == len(options):
                # The same number of two-line steps: new words in the same rows.
                for index, option in enumerate(options):
                    steps.replace_option_prompt_at_index(index, option.prompt)
            else:
                steps.clear_options()
                steps.add_options(options)
            if routine.steps:
                steps.highlighted = min(keep or 0, len(routine.steps) - 1)
        self._preview_id = routine.id
        self._show_step_on_map()

    @staticmethod
    def _points(routine: Routine) -> Text:
        """The points the routine presses, each with where it is."""
        text = Text()
        points = routine_points(routine)
        if points:
            text.append("Points: ", style="bold")
            text.append(
                "; ".join(
                    f"{point.id} {point.name.split(' (')[0]} ({point.place}"
                    + (", avoided in pregnancy)" if point.avoided_in_pregnancy else ")")
                    for point in points
                )
                + "\n"
            )
        return text

    @staticmethod
    def _chart(routine: Routine) -> Text:
        """What reflexology's chart links the routine's zones to, as a tradition, and the one
        line on evidence."""
        text = Text()
        chart = chart_summary([step.zone for step in routine.steps if not step.point])
        if chart:
            text.append("Reflexology's chart", style="bold")
            text.append(f" (a tradition) links {chart}.\n")
        text.append(EVIDENCE + "\n", style="dim italic")
        return text

    @staticmethod
    def _step_option(index: int, step: Step, glyphs: Glyphs) -> Option:
        """Two lines, always: the title, then how long, which foot and where (the zone, and
        the point when the step has one)."""
        foot = {"both": "both feet", "left": "left foot", "right": "right foot"}[step.foot]
        label = Text(f"{index + 1:>2}. {step.title}\n")
        dot = glyphs.dot
        where = f"{step.zone} {dot} {step.point}" if step.point else step.zone
        label.append(f"    {format_clock(step.seconds)} {dot} {foot} {dot} {where}", style="dim")
        return Option(plain_text(label, glyphs))

    def _show_step_on_map(self) -> None:
        routine = self._routine(self._preview_id)
        steps = self.query_one(StepList)
        footmap = self.query_one(FootMap)
        if routine is None or not routine.steps:
            return
        index = steps.highlighted if steps.highlighted is not None else 0
        step = routine.steps[min(index, len(routine.steps) - 1)]
        footmap.foot = step.foot
        footmap.zone = step.zone
        footmap.point = step.point

    # ---- events -----------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#routines")
    def _routine_highlighted(self) -> None:
        routine = self.highlighted
        if routine is not None:
            self._last_highlighted = routine.id
        labels = self._labels_for(routine)
        if labels != self._labels_shown:
            # The footer is rebuilt on every refresh: only when a label would read otherwise,
            # so holding Down moves the highlight without rebuilding the footer each row.
            self._labels_shown = labels
            self.refresh_bindings()
        self._preview_soon()

    def _labels_for(self, routine: Routine | None) -> tuple[bool, bool, bool]:
        """What the footer's labels depend on: is there a routine, a favourite, hidden."""
        if routine is None:
            return (False, False, False)
        prefs = self.prefs
        return (True, routine.id in prefs.favourites, routine.id in prefs.hidden)

    def _preview_soon(self) -> None:
        """Let the highlight move on screen first; the preview is built right after."""
        if not self._preview_pending:
            self._preview_pending = True
            self.call_after_refresh(self._preview_now)

    def _preview_now(self) -> None:
        self._preview_pending = False
        self._show_preview(self.highlighted)

    @on(OptionList.OptionHighlighted, "#steps")
    def _step_highlighted(self) -> None:
        self._show_step_on_map()

    @on(OptionList.OptionSelected, "#routines")
    def _routine_selected(self) -> None:
        self.action_start()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.routine_filter = replace(self.routine_filter, name=event.value)
        self.refresh_list()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.action_start()

    def on_key(self, event: Key) -> None:
        """Arrows and escape in the filter act on the list, so typing never traps the person."""
        filter_input = self.query_one("#filter", Input)
        if not filter_input.has_focus:
            return
        routine_list = self.query_one(RoutineList)
        if event.key in ("up", "down"):
            event.stop()
            event.prevent_default()
            if event.key == "up":
                routine_list.action_cursor_up()
            else:
                routine_list.action_cursor_down()
        elif event.key == "escape":
            event.stop()
            event.prevent_default()
            filter_input.value = ""
            routine_list.focus()

    # ---- actions ----------------------------------------------------------------------------

    def action_start(self) -> None:
        routine = self.highlighted
        if routine is not None:
            self.post_message(RoutineChosen(routine))

    def action_quit_app(self) -> None:
        self.app.exit(0)

    def action_search(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_focus_routines(self) -> None:
        self.query_one(RoutineList).focus()

    def action_stats(self) -> None:
        self.post_message(StatsRequested())

    def action_move(self, delta: int) -> None:
        """Saved as "move this above (or below) that one", applied to the order on disk."""
        routine = self.highlighted
        if routine is None or delta == 0 or routine.id not in self._shown_ids:
            return
        shown = self._shown_ids
        index = shown.index(routine.id)
        target = max(0, min(len(shown) - 1, index + delta))
        if target == index:
            return
        anchor = shown[target]
        listed = catalogue.listed_ids(self._library_routines, self.prefs.order)
        on_screen = tuple(shown)
        self.post_message(
            PreferenceChanged(
                lambda store: store.move_routine(
                    routine.id,
                    before=anchor if delta < 0 else None,
                    after=anchor if delta > 0 else None,
                    listed=listed,
                    shown=on_screen,
                )
            )
        )

    def reset_order(self) -> None:
        self.post_message(
            PreferenceChanged(lambda store: store.reset_order(), announce="Routine order reset")
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """One key, two labels: ctrl+f reads Favourite or Unfavourite, ctrl+d Hide or Show,
        as the highlighted routine is; the other binding of the key is off and not shown."""
        routine = self.highlighted
        if action in ROUTINE_ACTIONS and self.query_one(StepList).has_focus:
            return False  # editing steps: the footer shows the steps' keys, short enough to fit
        if action in ("favourite", "unfavourite", "hide", "unhide"):
            if routine is None:  # nothing highlighted: one label of each, greyed out
                return None if action in ("favourite", "hide") else False
            favourite = routine.id in self.prefs.favourites
            hidden = routine.id in self.prefs.hidden
            return {
                "favourite": not favourite,
                "unfavourite": favourite,
                "hide": not hidden,
                "unhide": hidden,
            }[action]
        if action in ("start", "edit_steps", "copy_routine", "edit_routine") and routine is None:
            return None
        return True

    def action_favourite(self) -> None:
        self._set_favourite(True)

    def action_unfavourite(self) -> None:
        self._set_favourite(False)

    def _set_favourite(self, on: bool) -> None:
        routine = self.highlighted
        if routine is not None:
            self.post_message(PreferenceChanged(lambda store: store.set_favourite(routine.id, on)))

    def action_hide(self) -> None:
        self._set_hidden(True)

    def action_unhide(self) -> None:
        self._set_hidden(False)

    def _set_hidden(self, hiding: bool) -> None:
        routine = self.highlighted
        if routine is None:
            return
        self.post_message(PreferenceChanged(lambda store: store.set_hidden(routine.id, hiding)))
        if hiding and not self.routine_filter.show_hidden:
            self.notify(f"Hid {routine.name}. Press ctrl+a to show hidden routines.", timeout=4)

    def action_toggle_hidden(self) -> None:
        shown = self.routine_filter.show_hidden
        self.routine_filter = replace(self.routine_filter, show_hidden=not shown)
        self.refresh_list()

    def action_cycle_focus(self) -> None:
        self.routine_filter = self.routine_filter.next_focus()
        self.refresh_list()

    def action_toggle_favourites(self) -> None:
        only = self.routine_filter.favourites_only
        self.routine_filter = replace(self.routine_filter, favourites_only=not only)
        self.refresh_list()

    def action_edit_steps(self) -> None:
        if self.highlighted is not None:
            self.query_one(StepList).focus()

    # ---- the routine editor ---------------------------------------------------------------

    def action_new_routine(self) -> None:
        from calmfeet.core.authoring import RoutineDraft

        self._open_editor(RoutineDraft(), "New routine")

    def action_copy_routine(self) -> None:
        from calmfeet.core.authoring import copy_name, draft_from_routine

        routine = self.highlighted
        if routine is not None:
            draft = draft_from_routine(routine, name=copy_name(routine.name), copy=True)
            self._open_editor(draft, f"New routine, from a copy of {routine.name}")

    def action_edit_routine(self) -> None:
        from calmfeet.core.authoring import draft_from_routine

        routine = self.highlighted
        if routine is not None:
            self._open_editor(draft_from_routine(routine), f"Editing {routine.name}", routine)

    def _open_editor(
        self, draft: RoutineDraft, heading: str, editing: Routine | None = None
    ) -> None:
        """The editor, over the picker; what it saves comes back here to be shown."""
        from calmfeet.ui.screens.editor import EditorScreen

        screen = EditorScreen(
            draft,
            paths=self.paths,
            loaded_ids=self.library.ids,
            heading=heading,
            editing=editing,
            ascii=self._ascii,
        )
        self.app.push_screen(screen, self._routine_written)

    def _routine_written(self, saved: Routine | None) -> None:
        """Tell the app, then show the routine: highlighted, with the filters widened if they
        would hide it."""
        if saved is None:
            return
        prefs = self.prefs
        routines = self.library.replace(saved).routines
        shown = catalogue.visible_ids(
            routines, prefs.order, prefs.favourites, prefs.hidden, self.routine_filter
        )
        if saved.id not in shown:
            self.query_one("#filter", Input).value = ""
            self.routine_filter = catalogue.RoutineFilter(show_hidden=saved.id in prefs.hidden)
        self._step_cursor_after_update = 0
        self._highlight_after_update = saved.id
        self.post_message(RoutineReplaced(saved))
        self.query_one(RoutineList).focus()
        self.notify(f"Saved {saved.name} in {saved.source}.", timeout=5, markup=False)

    # ---- the person's own version ----------------------------------------------------------

    def _edit(self, make_edit: Callable[[int], StepEdit]) -> None:
        """Apply one edit to the step under the cursor and save it as the person's version."""
        routine = self._routine(self._preview_id)
        index = self.query_one(StepList).highlighted
        if routine is None or index is None:
            return
        try:
            steps, cursor = customise.apply_edit(routine.steps, make_edit(index))
        except customise.EditRefused as refusal:
            self.notify(str(refusal), severity="warning", markup=False)
            return
        if steps == list(routine.steps):
            return
        try:
            saved = customise.save_own_copy(self.paths, routine, steps)
        except customise.IdInUse as taken:
            self._save_under_new_id(routine, steps, cursor, taken)
            return
        except customise.CustomiseError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._step_cursor_after_update = cursor
        self.post_message(RoutineReplaced(saved))

    def _save_under_new_id(
        self, routine: Routine, steps: list[Step], cursor: int, taken: customise.IdInUse
    ) -> None:
        """The routine's id cannot take the person's version: ask for another id, never
        overwrite their file or save a version that would not show."""
        loaded = frozenset(self.library.ids)

        def check(new_id: str) -> str | None:
            return customise.id_problem(self.paths, new_id, loaded)

        def chosen(new_id: str | None) -> None:
            if not new_id:
                self.notify(f"Nothing was saved; {taken.path.name} stays as it is.", markup=False)
                return
            try:
                saved = customise.save_own_copy(self.paths, routine, steps, new_id=new_id)
            except customise.CustomiseError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self._step_cursor_after_update = cursor
            self._highlight_after_update = saved.id
            self.post_message(RoutineReplaced(saved))
            self.notify(f"Your version is saved as {saved.source.name}.", markup=False)

        question = f"{taken} Save your version of {routine.name} under a new id:"
        suggestion = customise.suggest_id(self.paths, routine.id, loaded)
        self.app.push_screen(NewIdScreen(question, suggestion, check), chosen)

    def action_move_step(self, delta: int) -> None:
        self._edit(lambda index: MoveStep(index, delta))

    def action_retime_step(self, seconds: int) -> None:
        self._edit(lambda index: RetimeStep(index, seconds))

    def action_remove_step(self) -> None:
        self._edit(RemoveStep)

    def action_restore_original(self) -> None:
        """Remove the person's version, only when calmfeet saved it and the original loads."""
        routine = self._routine(self._preview_id)
        if routine is None:
            return
        try:
            original = customise.restore_original(self.paths, routine)
        except customise.NothingToRestore as nothing:
            self.notify(str(nothing), timeout=3, markup=False)
            return
        except customise.EditRefused as refusal:
            self.notify(str(refusal), severity="warning", markup=False)
            return
        except customise.CustomiseError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._step_cursor_after_update = 0
        self.post_message(RoutineReplaced(original))
        self.notify(f"Back to the original {routine.name}.", timeout=3, markup=False)
