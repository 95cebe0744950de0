"""Writing a routine in the app: what the editor checks is what `validate` checks, and what it
saves loads again, in the person's routines folder and nowhere else."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
import tomli
from hypothesis import given
from hypothesis import strategies as st

from calmfeet.core import safety
from calmfeet.core.authoring import (
    DraftInvalid,
    RoutineDraft,
    StepDraft,
    add_step,
    copy_name,
    draft_document,
    draft_from_routine,
    draft_problems,
    draft_text,
    id_for_name,
    length_entry,
    move_step,
    problems_line,
    remove_step,
    replace_step,
    routine_toml,
    save_draft,
    toml_string,
    with_point,
)
from calmfeet.core.customise import (
    LAST_STEP_REFUSAL,
    MARKER,
    ROUTINE_MARKER,
    CustomiseError,
    EditRefused,
    IdInUse,
    NothingToRestore,
    restore_original,
    save_own_copy,
)
from calmfeet.core.library import Library, load_library
from calmfeet.core.model import Routine
from calmfeet.core.paths import Paths
from calmfeet.core.routines import RoutineFileError, load_routine, parse_routine
from calmfeet.core.schema import SCHEMA_DIRECTIVE, SCHEMA_FILE_NAME


def loaded(library: Library, routine_id: str) -> Routine:
    routine = library.get(routine_id)
    assert routine is not None, library.problem_lines
    return routine


def first_draft() -> RoutineDraft:
    """What a person types first: a name and one step with a title (and the length offered)."""
    return RoutineDraft(name="Evening feet", steps=(StepDraft(title="Rub the soles"),))


def marked(path: Path) -> str:
    """The file's text after the `#:schema` line every file calmfeet writes starts with."""
    first, rest = path.read_text(encoding="utf-8").split("\n", 1)
    assert first == SCHEMA_DIRECTIVE
    return rest


def files_under(folder: Path) -> set[Path]:
    return {Path(root) / name for root, _, names in os.walk(folder) for name in names}


# --- the draft is the file -------------------------------------------------------------------


@pytest.mark.parametrize(
    "routine_id",
    [r.id for r in load_library(Paths(Path("/nonexistent/c"), Path("/nonexistent/d"))).routines],
)
def test_every_built_in_copied_into_the_editor_reads_back_the_same(routine_id: str) -> None:
    original = loaded(
        load_library(Paths(Path("/nonexistent/c"), Path("/nonexistent/d"))), routine_id
    )
    text = draft_text(draft_from_routine(original))
    again = parse_routine(text, routine_id, "copy", Path("copy.toml"))
    assert (again.name, again.summary, again.focus, again.caution, again.needs) == (
        original.name,
        original.summary,
        original.focus,
        original.caution,
        original.needs,
    )
    assert again.breathing == original.breathing
    assert [replace(step, mirror_of=None) for step in again.steps] == [
        replace(step, mirror_of=None) for step in original.steps
    ]


def test_a_length_is_saved_the_way_it_was_typed() -> None:
    assert length_entry("90") == ("seconds", 90)
    assert length_entry(" 7.5 ") == ("seconds", 7.5)
    assert length_entry("1m30s") == ("duration", "1m30s")
    assert length_entry("10 breaths") == ("breaths", 10)
    assert length_entry("soon") == ("duration", "soon")
    assert length_entry("  ") is None


def test_the_saved_file_explains_its_keys_in_comments() -> None:
    text = draft_text(replace(first_draft(), focus=("sleep",)), "# a header\n")
    assert text.startswith("# a header\n")
    assert "# focus: What the routine is for. Any of: stress, circulation" in text
    assert "# breathing: The routine's breathing pattern" in text
    assert "#   zone: Where on the foot to work" in text and "#   point: One point" in text
    assert max(len(line) for line in text.splitlines()) <= 96
    assert tomli.loads(text) == draft_document(replace(first_draft(), focus=("sleep",)))


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
def test_any_text_is_written_as_a_toml_string_that_reads_back_the_same(text: str) -> None:
    assert tomli.loads(f"k = {toml_string(text)}")["k"] == text


def test_a_name_with_quotes_and_newlines_cannot_break_out_of_the_file() -> None:
    sly = 'x"\nsteps = 3\n# "'
    draft = replace_step(replace(first_draft(), name=sly), 0, how='"""\\')
    document = tomli.loads(routine_toml(draft_document(draft)))
    assert document["name"] == sly.strip()
    assert document["steps"][0]["how"] == '"""\\'
    assert len(document["steps"]) == 1


def test_a_first_step_is_written_as_a_title_and_a_length() -> None:
    """Both feet and the whole foot are what a step without foot and zone means."""
    (row,) = tomli.loads(draft_text(first_draft()))["steps"]
    assert row == {"title": "Rub the soles", "seconds": 60}
    left = replace_step(first_draft(), 0, foot="left", zone="heel")
    assert tomli.loads(draft_text(left))["steps"][0] == {
        "title": "Rub the soles",
        "seconds": 60,
        "foot": "left",
        "zone": "heel",
    }


def test_a_step_on_a_point_takes_the_points_zone_unless_another_was_chosen() -> None:
    step = StepDraft(title="Press the spring")
    on_ki1 = with_point(step, "KI1")
    assert (on_ki1.point, on_ki1.zone) == ("KI1", "ball")
    assert with_point(on_ki1, "LR3").zone == "top", "the zone followed the point"
    assert with_point(on_ki1, "").zone == "whole"
    chosen = replace(on_ki1, zone="whole")
    assert with_point(chosen, "LR3").zone == "top"
    draft = replace(first_draft(), steps=(on_ki1,))
    (row,) = tomli.loads(draft_text(draft))["steps"]
    assert row == {"title": "Press the spring", "seconds": 60, "point": "KI1"}
    again = parse_routine(draft_text(draft), "p", "p", Path("p.toml"))
    assert (again.steps[0].point, again.steps[0].zone, again.steps[0].foot) == (
        "KI1",
        "ball",
        "both",
    )
    whole = replace(draft, steps=(replace(on_ki1, zone="whole"),))
    assert tomli.loads(draft_text(whole))["steps"][0]["zone"] == "whole"


# --- the same messages as `calmfeet validate` ------------------------------------------------

HAND_WRITTEN = """\
name = "Evening feet"
breathing = {breathing}

[[steps]]
title = "Rub the soles"
seconds = {seconds}
foot = "both"
zone = "whole"
"""


@pytest.mark.parametrize(
    ("breathing", "seconds", "key"),
    [
        ("resonance", "0", "steps[1].seconds"),
        ("4-x", "60", "breathing"),
        ("0.5-0.5", "60", "breathing"),
        ("resonance", "7200", "steps[1].seconds"),
    ],
)
def test_the_editor_says_what_validate_says_about_the_same_values(
    tmp_path: Path, breathing: str, seconds: str, key: str
) -> None:
    file = tmp_path / "evening.toml"
    file.write_text(HAND_WRITTEN.format(breathing=f'"{breathing}"', seconds=seconds))
    with pytest.raises(RoutineFileError) as validate:
        load_routine(file)
    said = [f"{p.key}: {p.message}" for p in validate.value.problems]

    draft = replace_step(replace(first_draft(), breathing=breathing), 0, length=seconds)
    problems = draft_problems(draft)
    assert [p.text for p in problems] == said
    assert problems[0].text.startswith(key)


def test_a_zone_that_contradicts_the_point_is_explained_as_validate_explains_it(
    tmp_path: Path,
) -> None:
    file = tmp_path / "p.toml"
    file.write_text(
        'name = "P"\n[[steps]]\ntitle = "Press"\nseconds = 60\npoint = "KI1"\nzone = "heel"\n'
    )
    with pytest.raises(RoutineFileError) as validate:
        load_routine(file)
    said = [f"{p.key}: {p.message}" for p in validate.value.problems]
    draft = RoutineDraft(name="P", steps=(StepDraft(title="Press", point="KI1", zone="heel"),))
    problems = draft_problems(draft)
    assert [p.text for p in problems] == said
    assert [(p.step, p.field) for p in problems] == [(0, "zone")]


def test_problems_are_placed_on_the_field_they_are_about() -> None:
    draft = RoutineDraft(
        name="",
        breathing="nope",
        steps=(StepDraft(title="Fine"), StepDraft(title="", length="1x", zone="heel")),
    )
    placed = {(p.step, p.field) for p in draft_problems(draft)}
    assert placed == {(None, "name"), (None, "breathing"), (1, "title"), (1, "length")}
    step_breathing = replace_step(first_draft(), 0, breathing="0.5-1")
    assert [(p.step, p.field) for p in draft_problems(step_breathing)] == [(0, "breathing")]


def test_a_first_routine_is_a_name_and_a_step_with_a_title() -> None:
    blank = draft_problems(RoutineDraft())
    assert [p.text for p in blank] == [
        "name: must not be empty",
        "steps[1].title: must not be empty",
    ]
    assert problems_line(blank) == "Not saved: name: must not be empty (and 1 more)"
    assert draft_problems(first_draft()) == []


# --- steps -----------------------------------------------------------------------------------


def test_steps_are_added_after_the_cursor_moved_and_removed_but_never_the_last() -> None:
    one = StepDraft(title="one", foot="left", zone="heel")
    two = StepDraft(title="two")
    steps, at = add_step((one, two), 0)
    assert at == 1 and steps[1].title == "" and (steps[1].foot, steps[1].zone) == ("left", "heel")
    moved, at = move_step((one, two), 0, 1)
    assert [s.title for s in moved] == ["two", "one"] and at == 1
    assert move_step((one, two), 0, -1) == ((one, two), 0)
    fewer, at = remove_step((one, two), 1)
    assert fewer == (one,) and at == 0
    with pytest.raises(EditRefused, match=LAST_STEP_REFUSAL):
        remove_step((one,), 0)


# --- saving ----------------------------------------------------------------------------------


def test_a_new_routine_is_saved_in_the_routines_folder_and_nowhere_else(
    paths: Paths, tmp_path: Path
) -> None:
    before = files_under(tmp_path)
    saved = save_draft(paths, first_draft(), new_id="evening-feet", loaded_ids=["quick-reset"])
    target = paths.routines_dir / "evening-feet.toml"
    schema = paths.routines_dir / SCHEMA_FILE_NAME  # what the #:schema line points at
    assert files_under(tmp_path) - before == {target, schema}
    assert marked(target).startswith(f"{ROUTINE_MARKER} 'Evening feet'.\n")
    again = loaded(load_library(paths, env={}), "evening-feet")
    assert again.steps == saved.steps
    assert (again.steps[0].title, again.steps[0].seconds) == ("Rub the soles", 60)
    with pytest.raises(NothingToRestore, match="routine of your own"):
        restore_original(paths, again)


def test_a_draft_with_problems_is_not_saved(paths: Paths) -> None:
    bad = replace_step(first_draft(), 0, length="0")
    with pytest.raises(DraftInvalid, match=r"steps\[1\].seconds: must be a positive number"):
        save_draft(paths, bad, new_id="evening")
    assert not paths.routines_dir.exists()


def test_a_new_routine_never_takes_an_existing_file_or_id(paths: Paths) -> None:
    mine = paths.routines_dir / "evening.toml"
    mine.parent.mkdir(parents=True)
    mine.write_text("hand = 'written'\n")
    with pytest.raises(CustomiseError, match="already in your routines folder"):
        save_draft(paths, first_draft(), new_id="evening")
    assert mine.read_text() == "hand = 'written'\n"
    with pytest.raises(CustomiseError, match="already a routine's id"):
        save_draft(paths, first_draft(), new_id="quick-reset", loaded_ids=["quick-reset"])
    assert id_for_name(paths, "Evening!", ["quick-reset"]) == "evening-2"
    assert id_for_name(paths, "Quick Reset", ["quick-reset"]) == "quick-reset-2"
    assert id_for_name(paths, "***", []) == "my-routine"


def test_a_routine_made_in_the_editor_is_saved_again_in_place(paths: Paths) -> None:
    save_draft(paths, first_draft(), new_id="evening")
    made = loaded(load_library(paths, env={}), "evening")
    renamed = replace(draft_from_routine(made), name="Evening feet, longer")
    saved = save_draft(paths, renamed, editing=made)
    assert saved.source == made.source and saved.shadows == ()
    assert marked(made.source).startswith(f"{ROUTINE_MARKER} 'Evening feet, longer'.")
    assert [p.name for p in paths.routines_dir.glob("*.toml")] == ["evening.toml"]
    assert loaded(load_library(paths, env={}), "evening").name == "Evening feet, longer"


def test_a_step_edit_in_the_picker_saves_a_routine_made_in_the_editor_in_place(
    paths: Paths,
) -> None:
    save_draft(paths, first_draft(), new_id="evening")
    made = loaded(load_library(paths, env={}), "evening")
    longer = replace(made.steps[0], seconds=75)
    saved = save_own_copy(paths, made, [longer])
    assert saved.source == made.source
    assert marked(made.source).startswith(ROUTINE_MARKER)
    assert loaded(load_library(paths, env={}), "evening").steps[0].seconds == 75


def test_editing_a_built_in_saves_a_version_that_ctrl_o_takes_back(paths: Paths) -> None:
    builtin = loaded(load_library(paths, env={}), "quick-reset")
    draft = draft_from_routine(builtin)
    fewer = replace(draft, steps=draft.steps[:2])
    saved = save_draft(paths, fewer, editing=builtin)
    assert saved.source == paths.routines_dir / "quick-reset.toml"
    assert saved.shadows == (builtin.source,)
    assert marked(saved.source).startswith(f"{MARKER} 'Quick Reset' (from ")
    version = loaded(load_library(paths, env={}), "quick-reset")
    assert len(version.steps) == 2
    assert restore_original(paths, version).steps == builtin.steps


def test_a_version_saved_by_calmfeet_0_1_is_edited_in_place(paths: Paths) -> None:
    builtin = loaded(load_library(paths, env={}), "quick-reset")
    save_own_copy(paths, builtin, builtin.steps[:3])  # how 0.1 saved a person's version
    version = loaded(load_library(paths, env={}), "quick-reset")
    draft = draft_from_routine(version)
    assert len(draft.steps) == 3
    retitled = replace_step(draft, 0, title="Shake out the feet")
    save_draft(paths, retitled, editing=version)
    again = loaded(load_library(paths, env={}), "quick-reset")
    assert again.steps[0].title == "Shake out the feet"
    assert again.shadows == (builtin.source,)
    assert marked(again.source).startswith(f"{MARKER} 'Quick Reset' (from {builtin.source})")
    assert restore_original(paths, again).steps == builtin.steps


def test_a_hand_written_routine_is_never_overwritten(paths: Paths, tmp_path: Path) -> None:
    mine = paths.routines_dir / "mine.toml"
    mine.parent.mkdir(parents=True)
    mine.write_text(HAND_WRITTEN.format(breathing='"calm"', seconds=30), encoding="utf-8")
    before = mine.read_bytes()
    routine = loaded(load_library(paths, env={}), "mine")
    with pytest.raises(IdInUse) as taken:
        save_draft(paths, replace(draft_from_routine(routine), name="Changed"), editing=routine)
    assert taken.value.path == mine
    assert mine.read_bytes() == before

    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "shared.toml").write_bytes(before)
    from_shared = loaded(load_library(paths, [shared], env={}), "shared")
    with pytest.raises(IdInUse, match="hidden next time"):
        save_draft(paths, draft_from_routine(from_shared), editing=from_shared)
    assert (shared / "shared.toml").read_bytes() == before


OLD_VERSION = """\
# calmfeet: your own version of 'Quick Reset' (from {source}).
# Delete this file, or press o on it in calmfeet, to go back to the original.
name = "Quick Reset"
summary = "Two steps only."
focus = [
    "energy",
]
breathing = {{ inhale = 4, exhale = 6, hold_after = 2 }}

[[steps]]
title = "Shake out"
seconds = 45
foot = "both"
zone = "whole"
how = "Loosely."

[[steps]]
title = "Heel press"
seconds = 30
foot = "left"
zone = "heel"
breathing = "box"
"""


def test_a_version_file_as_0_1_wrote_it_opens_in_the_editor_and_saves_in_place(
    paths: Paths,
) -> None:
    builtin = loaded(load_library(paths, env={}), "quick-reset")
    version = paths.routines_dir / "quick-reset.toml"
    version.parent.mkdir(parents=True)
    version.write_text(OLD_VERSION.format(source=builtin.source), encoding="utf-8")
    routine = loaded(load_library(paths, env={}), "quick-reset")
    draft = draft_from_routine(routine)
    assert (draft.breathing, draft.focus, draft.steps[1].breathing) == (
        "4-0-6-2",
        ("energy",),
        "box",
    )
    saved = save_draft(paths, replace_step(draft, 0, length="50"), editing=routine)
    again = loaded(load_library(paths, env={}), "quick-reset")
    assert again.steps == saved.steps
    assert [s.seconds for s in again.steps] == [50, 30]
    assert again.breathing == routine.breathing and again.steps[1].breathing.name == "box"
    assert marked(version).startswith(f"{MARKER} 'Quick Reset' (from {builtin.source}).")
    assert restore_original(paths, again).steps == builtin.steps


def test_a_file_that_appears_while_a_new_routine_is_saved_is_kept(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The id was free when checked; a file written there since is never replaced."""
    mine = paths.routines_dir / "evening.toml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# mine\n", encoding="utf-8")
    monkeypatch.setattr("calmfeet.core.authoring.id_problem", lambda *_: None)
    with pytest.raises(CustomiseError, match="evening.toml is already in your routines folder"):
        save_draft(paths, first_draft(), new_id="evening")
    assert mine.read_text(encoding="utf-8") == "# mine\n"
    assert sorted(p.name for p in paths.routines_dir.iterdir()) == ["evening.toml"]


@pytest.mark.parametrize(
    "routine_id",
    [r.id for r in load_library(Paths(Path("/nonexistent/c"), Path("/nonexistent/d"))).routines],
)
def test_a_copy_of_a_built_in_keeps_every_safety_line_its_original_showed(
    routine_id: str, paths: Paths
) -> None:
    """A routine of one's own gets the shared lines only where it asks for them: a copy
    under a new id must carry them in its file, or it would start with less warning."""
    original = loaded(load_library(paths), routine_id)
    draft = draft_from_routine(original, name=copy_name(original.name), copy=True)
    saved = save_draft(paths, draft, new_id=f"my-{routine_id}", loaded_ids=frozenset())
    copy = load_routine(saved.source)
    assert safety.routine_caution(copy) == safety.routine_caution(original)
