"""What the picker lists: the person's order narrowed by name, focus, favourites and hiding."""

from __future__ import annotations

from pathlib import Path

from calmfeet.core.breathing import resonance
from calmfeet.core.catalogue import (
    RoutineFilter,
    listed_ids,
    visible_ids,
)
from calmfeet.core.glyphs import glyphs_for
from calmfeet.core.model import FOCUS_TAGS, Routine
from calmfeet.core.order import move_next_to


def routine(routine_id: str, name: str, *focus: str) -> Routine:
    return Routine(
        id=routine_id,
        name=name,
        summary="",
        focus=focus,
        breathing=resonance(),
        caution="",
        steps=(),
        source=Path(f"{routine_id}.toml"),
    )


ROUTINES = [
    routine("evening", "Evening Calm", "sleep", "stress"),
    routine("morning", "Morning Wake-up", "energy"),
    routine("arches", "Arch Release", "pain"),
    routine("toes", "Toe Spreads", "flexibility", "sleep"),
]
ALL = RoutineFilter()


def shown(
    routine_filter: RoutineFilter,
    saved_order: tuple[str, ...] = (),
    favourites: frozenset[str] = frozenset(),
    hidden: frozenset[str] = frozenset(),
) -> list[str]:
    return visible_ids(ROUTINES, saved_order, favourites, hidden, routine_filter)


def test_no_filter_lists_everything_in_the_saved_order_then_the_rest() -> None:
    assert shown(ALL) == ["evening", "morning", "arches", "toes"]
    assert shown(ALL, saved_order=("toes", "gone", "arches")) == [
        "toes",
        "arches",
        "evening",
        "morning",
    ]


def test_name_matches_any_case_anywhere_in_the_name_or_the_id() -> None:
    assert shown(RoutineFilter(name="  CALM ")) == ["evening"]
    assert shown(RoutineFilter(name="arch")) == ["arches"]
    assert shown(RoutineFilter(name="wake-")) == ["morning"]
    assert shown(RoutineFilter(name="ches")) == ["arches"], "the id counts too"
    assert shown(RoutineFilter(name="nothing like it")) == []


def test_focus_and_favourites_narrow_together() -> None:
    assert shown(RoutineFilter(focus="sleep")) == ["evening", "toes"]
    favourites = frozenset({"toes", "morning"})
    assert shown(RoutineFilter(favourites_only=True), favourites=favourites) == ["morning", "toes"]
    both = RoutineFilter(focus="sleep", favourites_only=True)
    assert shown(both, favourites=favourites) == ["toes"]


def test_hidden_routines_show_only_when_asked_and_keep_their_place() -> None:
    hidden = frozenset({"morning"})
    assert shown(ALL, hidden=hidden) == ["evening", "arches", "toes"]
    assert shown(RoutineFilter(show_hidden=True), hidden=hidden) == [
        "evening",
        "morning",
        "arches",
        "toes",
    ]


def test_focus_cycles_through_every_tag_and_back_to_everything() -> None:
    seen = []
    current = ALL.next_focus()
    while current.focus is not None:
        seen.append(current.focus)
        current = current.next_focus()
    assert seen == list(FOCUS_TAGS)
    named = RoutineFilter(name="ab", favourites_only=True).next_focus()
    assert named == RoutineFilter(name="ab", focus=FOCUS_TAGS[0], favourites_only=True)


def test_summary_says_why_something_is_missing() -> None:
    unicode, ascii = glyphs_for(False), glyphs_for(True)
    assert ALL.summary(7, 7, unicode) == "7 of 7"
    every = RoutineFilter(name="ab", focus="sleep", favourites_only=True, show_hidden=True)
    assert every.summary(2, 7, unicode) == (
        "2 of 7 · focus: sleep · ★ only · showing hidden · name: 'ab'"
    )
    assert every.summary(2, 7, ascii) == (
        "2 of 7 - focus: sleep - * only - showing hidden - name: 'ab'"
    )
    assert RoutineFilter(name="a·b").summary(0, 7, ascii) == "0 of 7 - name: 'a-b'"


def test_moving_among_the_shown_keeps_the_filtered_out_next_to_their_neighbours() -> None:
    """With only the sleep routines shown, toes moves above evening; morning and arches,
    filtered out, stay right after evening as they were."""
    assert listed_ids(ROUTINES, ()) == ["evening", "morning", "arches", "toes"]
    sleepy = ["evening", "toes"]
    listed = listed_ids(ROUTINES, ())
    assert move_next_to((), listed, sleepy, "toes", before="evening") == [
        "toes",
        "evening",
        "morning",
        "arches",
    ]
    moved_back = move_next_to(
        ["toes", "evening", "morning", "arches"], listed, sleepy, "toes", after="evening"
    )
    assert moved_back == ["evening", "morning", "arches", "toes"], "below evening's group"
    assert move_next_to((), listed, sleepy, "evening", after="evening") is None
