"""The routine editor: a new routine, a copy of one, or a routine changed, checked as it is typed.

The screen is thin. It holds a `RoutineDraft` (calmfeet.core.authoring), swaps it whole on every
keystroke, asks the core for the draft's problems (the validator's own words) and saves through
the core. It dismisses with the routine saved, or None; the picker that opened it tells the app.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from functools import cached_property
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Key
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from calmfeet.core import authoring, customise
from calmfeet.core.authoring import FieldProblem, RoutineDraft, StepDraft
from calmfeet.core.glyphs import Glyphs, glyphs_for, plural
from calmfeet.core.model import FEET, FOCUS_TAGS, ZONES, Routine, format_clock
from calmfeet.core.paths import Paths
from calmfeet.core.points import POINT_IDS, POINTS
from calmfeet.core.safe_text import displayable
from calmfeet.ui.screens.confirm import ConfirmScreen
from calmfeet.ui.screens.new_id import NewIdScreen
from calmfeet.ui.widgets.keybar import KeyBar

FOOT_WORDS = {"both": "both feet", "left": "left foot", "right": "right foot"}
POINT_WORDS = {"": "none", **{point.id: f"{point.id} {point.place}" for point in POINTS}}
"""A point as the step form shows it: its id and where it is, e.g. `KI1 sole`."""
SHOWN_PROBLEMS = 3
"""Problem lines under the form; more are counted, and each is shown by its field too."""


class ChoiceField(Widget, can_focus=True):
    """One word of a few (a foot, a zone): left and right step through them, a letter jumps
    to the first that starts with it. Drawn `< both feet >` in any character set."""

    DEFAULT_CSS = """
    ChoiceField { height: 1; width: 1fr; padding: 0 1; background: $surface; color: $text; }
    ChoiceField:focus { background: $boost; text-style: bold; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "step(-1)", "Previous", show=False),
        Binding("right,space", "step(1)", "Next", show=False),
    ]

    value: reactive[str] = reactive("")

    class Changed(Message):
        def __init__(self, choice: ChoiceField, value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> ChoiceField:
            return self.choice

    def __init__(
        self, options: Sequence[str], value: str, *, words: dict[str, str] | None = None, id: str
    ) -> None:
        super().__init__(id=id)
        self.options = tuple(options)
        self.words = words or {}
        self.set_reactive(ChoiceField.value, value)

    def render(self) -> Text:
        return Text(f"< {self.words.get(self.value, self.value)} >")

    def show(self, value: str) -> None:
        """Show `value` without saying it changed: the form is filled from the draft."""
        self.set_reactive(ChoiceField.value, value)
        self.refresh()

    def action_step(self, delta: int) -> None:
        index = self.options.index(self.value) if self.value in self.options else 0
        self._choose(self.options[(index + delta) % len(self.options)])

    def on_key(self, event: Key) -> None:
        char = (event.character or "").lower()
        if not char.isalpha():
            return
        later = [o for o in self.options if self.words.get(o, o).lower().startswith(char)]
        if later:
            event.stop()
            after = [o for o in later if self.options.index(o) > self.options.index(self.value)]
            self._choose((after or later)[0])

    def _choose(self, value: str) -> None:
        if value != self.value:
            self.value = value
            self.post_message(self.Changed(self, value))


class FocusList(OptionList):
    """The focus tags, each ticked or not; enter or space ticks and unticks."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "select", "Tick", show=False),
    ]


class EditorStepList(OptionList):
    """The steps, in order; the form below edits the one under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.edit_step", "Edit step", id="editor.edit_step"),
        Binding("shift+up", "screen.move_step(-1)", "Step up", id="editor.step_up", show=False),
        Binding(
            "shift+down", "screen.move_step(1)", "Step down", id="editor.step_down", show=False
        ),
        Binding("delete,ctrl+x", "screen.remove_step", "Remove step", id="editor.remove_step"),
    ]


def _field(label: str, widget: Widget, name: str) -> ComposeResult:
    with Vertical(classes="field", id=f"field-{name}"):
        with Horizontal(classes="row"):
            yield Label(label, classes="label")
            yield widget
        yield Static("", classes="problem", id=f"problem-{name}", markup=False)


def _input(value: str, name: str, placeholder: str = "") -> Input:
    return Input(value, placeholder=placeholder, id=name, select_on_focus=False)


class EditorScreen(Screen[Routine | None]):
    """Name, summary, focus, breathing, caution and props on the left; the steps on the right
    with a form for the one under the cursor; the draft's problems along the bottom."""

    DEFAULT_CSS = """
    EditorScreen { layout: vertical; }
    EditorScreen #editor-top { height: 1; dock: top; background: $panel; }
    EditorScreen #editor-title { width: auto; padding: 0 1; color: $text; text-style: bold; }
    EditorScreen #editor-state {
        width: 1fr; padding: 0 1; color: $text-muted; content-align: right middle;
    }
    EditorScreen #editor-body { height: 1fr; }
    EditorScreen #routine-side, EditorScreen #step-side { width: 1fr; height: 1fr; padding: 0 1; }
    EditorScreen #routine-side { scrollbar-size-vertical: 1; }
    EditorScreen .heading { height: 1; color: $text; text-style: bold; }
    EditorScreen .field { height: auto; }
    EditorScreen .row { height: auto; }
    EditorScreen .label { width: 10; height: 1; color: $text-muted; }
    EditorScreen .field:focus-within .label { color: $text; text-style: bold; }
    EditorScreen Input { height: 1; width: 1fr; border: none; padding: 0 1; }
    EditorScreen Input:focus { border: none; background: $boost; }
    EditorScreen .problem { height: auto; color: $error; padding-left: 10; display: none; }
    EditorScreen .problem.-shown { display: block; }
    EditorScreen FocusList { height: auto; width: 1fr; border: none; padding: 0; }
    EditorScreen EditorStepList {
        height: 1fr; min-height: 3; border: none; padding: 0; scrollbar-size-vertical: 1;
    }
    EditorScreen EditorStepList:focus, EditorScreen FocusList:focus { background: $boost; }
    EditorScreen #step-fields { height: auto; max-height: 70%; scrollbar-size-vertical: 1; }
    EditorScreen #problems {
        height: auto; max-height: 5; padding: 0 1; background: $panel; color: $text;
    }
    EditorScreen #problems.-bad { color: $error; }
    App.-ascii EditorScreen #routine-side, App.-ascii EditorScreen EditorStepList,
    App.-ascii EditorScreen #step-fields {
        scrollbar-size-vertical: 0;
    }
    App.-no-color EditorScreen ChoiceField:focus { text-style: bold reverse; }
    App.-no-color EditorScreen .field:focus-within .label { text-style: bold underline; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="editor.save", priority=True),
        Binding("ctrl+n", "add_step", "Add step", id="editor.add_step", priority=True),
        Binding("escape", "leave", "Back", id="editor.back"),
    ]

    AUTO_FOCUS = "#name"

    def __init__(
        self,
        draft: RoutineDraft,
        *,
        paths: Paths,
        loaded_ids: Collection[str],
        heading: str,
        editing: Routine | None = None,
        ascii: bool = False,
    ) -> None:
        super().__init__()
        self.draft = draft
        self.opened_draft = draft
        """What the draft was when the editor opened: leaving with anything else asks first."""
        self.paths = paths
        self.loaded_ids = frozenset(loaded_ids)
        self.heading = heading
        self.editing = editing
        self._glyphs: Glyphs = glyphs_for(ascii)
        self._step = 0
        self._problems: list[FieldProblem] = []
        self._said: dict[str | None, str] = {}
        """What each problem line and the state line show now."""

    # ---- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        draft, ellipsis = self.draft, self._glyphs.ellipsis
        with Horizontal(id="editor-top"):
            yield Static(displayable(self.heading, one_line=True), id="editor-title", markup=False)
            yield Static("", id="editor-state", markup=False)
        with Horizontal(id="editor-body"):
            with VerticalScroll(id="routine-side"):
                yield Static("Routine", classes="heading")
                yield from _field("Name", _input(draft.name, "name"), "name")
                yield from _field("Summary", _input(draft.summary, "summary"), "summary")
                yield from _field("Focus", FocusList(id="focus"), "focus")
                yield from _field(
                    "Breathing",
                    _input(draft.breathing, "breathing", f"resonance, 4-7-8, 4-6{ellipsis}"),
                    "breathing",
                )
                yield from _field("Caution", _input(draft.caution, "caution"), "caution")
                yield from _field(
                    "Needs", _input(draft.needs, "needs", "e.g. tennis ball, towel"), "needs"
                )
            with Vertical(id="step-side"):
                yield Static("Steps", classes="heading")
                yield EditorStepList(id="steps")
                yield Static("", classes="heading", id="step-heading", markup=False)
                with VerticalScroll(id="step-fields", can_focus=False):
                    yield from self._step_fields()
        yield Static("", id="problems", markup=False)
        yield KeyBar(show_command_palette=False)

    def _step_fields(self) -> ComposeResult:
        step = self.draft.steps[0]
        ellipsis = self._glyphs.ellipsis
        yield from _field("Title", _input(step.title, "step-title"), "step-title")
        yield from _field(
            "Length", _input(step.length, "step-length", "90, 1m30s, 10 breaths"), "step-length"
        )
        yield from _field(
            "Foot", ChoiceField(FEET, step.foot, words=FOOT_WORDS, id="step-foot"), "step-foot"
        )
        yield from _field("Zone", ChoiceField(ZONES, step.zone, id="step-zone"), "step-zone")
        yield from _field(
            "Point",
            ChoiceField(("", *POINT_IDS), step.point, words=POINT_WORDS, id="step-point"),
            "step-point",
        )
        yield from _field(
            "Halfway", _input(step.halfway, "step-halfway", "e.g. Change direction"), "step-halfway"
        )
        yield from _field("How", _input(step.how, "step-how"), "step-how")
        yield from _field(
            "Breathing",
            _input(step.breathing, "step-breathing", f"the routine's{ellipsis}"),
            "step-breathing",
        )

    def on_mount(self) -> None:
        self._fill_focus()
        self._fill_steps(0)
        self._check()

    # ---- showing the draft ------------------------------------------------------------------

    def _fill_focus(self) -> None:
        focus = self.query_one(FocusList)
        keep = focus.highlighted
        focus.set_options(
            Option(Text(f"[{'x' if tag in self.draft.focus else ' '}] {tag}"), id=tag)
            for tag in FOCUS_TAGS
        )
        focus.highlighted = keep if keep is not None else 0

    def _step_prompt(self, index: int, step: StepDraft) -> Text:
        flagged = any(p.step == index for p in self._problems)
        mark = self._glyphs.warning if flagged else " "
        line = Text(f"{mark}{index + 1:>2}. ")
        line.append(displayable(step.title.strip(), one_line=True) or "(no title yet)")
        length = authoring.length_entry(step.length)
        shown = (
            format_clock(float(length[1]))
            if length and length[0] == "seconds" and isinstance(length[1], (int, float))
            else step.length.strip()
        )
        dot = self._glyphs.dot
        foot = FOOT_WORDS.get(step.foot, step.foot)
        details = f"\n     {displayable(shown, one_line=True)} {dot} {foot} {dot} {step.zone}"
        if step.point:
            details += f" {dot} {step.point}"
        line.append(details, style="dim")
        return line

    def _fill_steps(self, cursor: int) -> None:
        """Rebuild the step list (after a step is added, removed or moved) and show `cursor`."""
        steps = self.query_one(EditorStepList)
        steps.set_options(
            Option(self._step_prompt(i, step)) for i, step in enumerate(self.draft.steps)
        )
        steps.highlighted = cursor
        self._show_step(cursor)

    def _show_step(self, index: int) -> None:
        """Fill the form with step `index`, without counting that as a change."""
        self._step = index
        step = self.draft.steps[index]
        self.query_one("#step-heading", Static).update(
            f"Step {index + 1} of {len(self.draft.steps)}"
        )
        for name in ("title", "length", "halfway", "how", "breathing"):
            field = self.query_one(f"#step-{name}", Input)
            value = getattr(step, name)
            if field.value != value:
                with field.prevent(Input.Changed):
                    field.value = value
        self.query_one("#step-foot", ChoiceField).show(step.foot)
        self.query_one("#step-zone", ChoiceField).show(step.zone)
        self.query_one("#step-point", ChoiceField).show(step.point)
        self._show_problems()

    def _check(self) -> None:
        """Ask the validator about the draft, and show what it says where it applies."""
        self._problems = authoring.draft_problems(self.draft)
        steps = self.query_one(EditorStepList)
        for index, step in enumerate(self.draft.steps):
            prompt = self._step_prompt(index, step)
            if str(steps.get_option_at_index(index).prompt) != prompt.plain:
                steps.replace_option_prompt_at_index(index, prompt)
        self._show_problems()
        changed = self.draft != self.opened_draft
        self._say(self.query_one("#editor-state", Static), "changed, not saved" if changed else "")

    def _show_problems(self) -> None:
        by_field: dict[str, list[str]] = {}
        for problem in self._problems:
            if problem.step is None:
                by_field.setdefault(problem.field, []).append(problem.problem.message)
            elif problem.step == self._step:
                by_field.setdefault(f"step-{problem.field}", []).append(problem.problem.message)
        for shown in self.query(".problem").results(Static):
            name = (shown.id or "").removeprefix("problem-")
            messages = by_field.get(name, [])
            self._say(shown, displayable("\n".join(messages)))
            shown.set_class(bool(messages), "-shown")
        area = self.query_one("#problems", Static)
        area.set_class(bool(self._problems), "-bad")
        self._say(area, self._problems_text())

    def _say(self, where: Static, text: str) -> None:
        """Update a line only when its words change: each update lays the screen out again."""
        if self._said.get(where.id) != text:
            self._said[where.id] = text
            where.update(text)

    def _problems_text(self) -> str:
        warning = self._glyphs.warning
        if not self._problems:
            return f"No problems. ctrl+s saves {self._destination}."
        lines = [f"{warning} {p.text}" for p in self._problems[:SHOWN_PROBLEMS]]
        more = len(self._problems) - SHOWN_PROBLEMS
        if more > 0:
            lines.append(f"  and {plural(more, 'more problem')}")
        return displayable("\n".join(lines))

    @cached_property
    def _destination(self) -> str:
        """Where ctrl+s saves, in words (looked up once: it reads the file's first line)."""
        editing = self.editing
        if editing is None:
            return "it as a new routine in your routines folder"
        if customise.is_calmfeet_copy(editing.source, self.paths):
            return f"{editing.source.name} in your routines folder"
        return (
            f"your version as {editing.id}.toml in your routines folder "
            "(ctrl+o in the list brings the original back)"
        )

    # ---- changes ----------------------------------------------------------------------------

    def _changed(self, draft: RoutineDraft, *, cursor: int | None = None) -> None:
        """Take the new draft and check it; `cursor`: the steps were added, removed or moved,
        so the list is rebuilt with the cursor there."""
        if draft == self.draft:
            return
        self.draft = draft
        if cursor is not None:
            self._fill_steps(cursor)
        self._check()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        if name.startswith("step-"):
            field = name.removeprefix("step-")
            self._changed(authoring.replace_step(self.draft, self._step, **{field: event.value}))
        elif name in authoring.ROUTINE_TEXT_FIELDS:
            self._changed(authoring.with_text(self.draft, name, event.value))

    @on(ChoiceField.Changed)
    def _chosen(self, event: ChoiceField.Changed) -> None:
        field = (event.choice.id or "").removeprefix("step-")
        if field == "point":  # the zone follows the point unless the person chose one
            step = authoring.with_point(self.draft.steps[self._step], event.value)
            self.query_one("#step-zone", ChoiceField).show(step.zone)
            steps = (*self.draft.steps[: self._step], step, *self.draft.steps[self._step + 1 :])
            self._changed(replace(self.draft, steps=steps))
            return
        self._changed(authoring.replace_step(self.draft, self._step, **{field: event.value}))

    @on(OptionList.OptionSelected, "#focus")
    def _focus_ticked(self, event: OptionList.OptionSelected) -> None:
        tag = event.option.id or ""
        focus = self.draft.focus
        ticked = tuple(t for t in focus if t != tag) if tag in focus else (*focus, tag)
        self._changed(replace(self.draft, focus=ticked))
        self._fill_focus()

    @on(OptionList.OptionHighlighted, "#steps")
    def _step_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index != self._step and event.option_index < len(self.draft.steps):
            self._show_step(event.option_index)

    # ---- actions ----------------------------------------------------------------------------

    def action_edit_step(self) -> None:
        self.query_one("#step-title", Input).focus()

    def action_add_step(self) -> None:
        steps, at = authoring.add_step(self.draft.steps, self._step)
        self._changed(replace(self.draft, steps=steps), cursor=at)
        self.query_one("#step-title", Input).focus()

    def action_remove_step(self) -> None:
        try:
            steps, at = authoring.remove_step(self.draft.steps, self._step)
        except customise.EditRefused as refusal:
            self.notify(str(refusal), severity="warning", markup=False)
            return
        self._changed(replace(self.draft, steps=steps), cursor=at)

    def action_move_step(self, delta: int) -> None:
        steps, at = authoring.move_step(self.draft.steps, self._step, delta)
        if at != self._step:
            self._changed(replace(self.draft, steps=steps), cursor=at)

    def action_leave(self) -> None:
        if self.draft == self.opened_draft:
            self.dismiss(None)
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(None)

        name = self.draft.name.strip() or "this routine"
        self.app.push_screen(
            ConfirmScreen(
                f"Leave without saving? Your changes to {displayable(name, one_line=True)} "
                "will be lost.",
                yes="Leave",
                no="Keep editing",
            ),
            answered,
        )

    def action_save(self) -> None:
        """Refused, with the validator's words, while the draft has a problem; otherwise saved
        in place when calmfeet may, else under an id the person chooses."""
        problems = authoring.draft_problems(self.draft)
        if problems:
            self._problems = problems
            self._show_problems()
            self.notify(authoring.problems_line(problems), severity="error", markup=False)
            self._focus_field(problems[0])
            return
        if self.editing is None:
            name = displayable(self.draft.name.strip(), one_line=True)
            self._ask_for_id(f"Save {name} as a routine of your own. Its id names its file:")
            return
        try:
            saved = authoring.save_draft(self.paths, self.draft, editing=self.editing)
        except customise.IdInUse as taken:
            self._ask_for_id(f"{taken} Save your routine under a new id:")
            return
        except customise.CustomiseError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.dismiss(saved)

    def _ask_for_id(self, question: str) -> None:
        paths, loaded = self.paths, self.loaded_ids

        def check(new_id: str) -> str | None:
            return customise.id_problem(paths, new_id, loaded)

        def chosen(new_id: str | None) -> None:
            if not new_id:
                self.notify("Nothing was saved.", timeout=3)
                return
            try:
                saved = authoring.save_draft(paths, self.draft, new_id=new_id, loaded_ids=loaded)
            except customise.CustomiseError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.dismiss(saved)

        suggestion = authoring.id_for_name(paths, self.draft.name, loaded)
        self.app.push_screen(NewIdScreen(question, suggestion, check), chosen)

    def _focus_field(self, problem: FieldProblem) -> None:
        """Put the cursor where the first problem is, on its step if it is a step's."""
        if problem.step is not None and problem.step < len(self.draft.steps):
            if problem.step != self._step:
                self.query_one(EditorStepList).highlighted = problem.step
                self._show_step(problem.step)
            target = f"#step-{problem.field}"
        elif problem.field == "steps":
            target = "#steps"
        else:
            target = f"#{problem.field}"
        found = self.query(target)
        if found:
            found.first().focus()
