"""The routine list keeps the person's order as routines come, go and get hidden."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from calmfeet.core.order import (
    merge_order,
    ordered_ids,
    visible,
)


def test_saved_order_comes_first() -> None:
    assert ordered_ids(["a", "b", "c"], ["c", "a", "b"]) == ["c", "a", "b"]


def test_new_routine_is_appended_at_the_end() -> None:
    assert ordered_ids(["a", "new", "b", "c"], ["c", "a", "b"]) == ["c", "a", "b", "new"]


def test_several_new_routines_keep_their_available_order() -> None:
    assert ordered_ids(["x", "a", "y"], ["a"]) == ["a", "x", "y"]


def test_removed_routine_is_skipped() -> None:
    assert ordered_ids(["a", "c"], ["c", "gone", "a"]) == ["c", "a"]


def test_no_saved_order_means_available_order() -> None:
    assert ordered_ids(["b", "a"], []) == ["b", "a"]


def test_duplicate_ids_in_a_hand_edited_order_appear_once() -> None:
    assert ordered_ids(["a", "b"], ["b", "a", "b"]) == ["b", "a"]


def test_hidden_routines_are_filtered_out() -> None:
    assert visible(["a", "b", "c"], hidden={"b"}, show_hidden=False) == ["a", "c"]


def test_show_hidden_keeps_hidden_routines_in_their_place() -> None:
    assert visible(["a", "b", "c"], hidden={"b"}, show_hidden=True) == ["a", "b", "c"]


def test_reordering_what_is_visible_keeps_hidden_ids_near_their_neighbours() -> None:
    saved = ["a", "h1", "b", "c", "h2"]
    # The person sees a, b, c and moves c to the top: h2 travels with c, h1 stays after a.
    assert merge_order(saved, ["c", "a", "b"]) == ["c", "h2", "a", "h1", "b"]


def test_reordering_keeps_an_unseen_id_at_the_front() -> None:
    assert merge_order(["gone", "a", "b"], ["b", "a"]) == ["gone", "b", "a"]


ids = st.lists(st.sampled_from("abcdefgh"), unique=True)


@given(available=ids, saved=st.lists(st.sampled_from("abcdefghij")))
def test_ordered_ids_lists_every_available_routine_exactly_once(
    available: list[str], saved: list[str]
) -> None:
    result = ordered_ids(available, saved)
    assert sorted(result) == sorted(available)


@given(saved=ids.filter(bool), data=st.data())
def test_merge_order_keeps_every_saved_id_and_the_visible_order(
    saved: list[str], data: st.DataObject
) -> None:
    shown = data.draw(st.permutations(data.draw(st.lists(st.sampled_from(saved), unique=True))))
    result = merge_order(saved, shown)
    assert sorted(result) == sorted(saved)
    assert [i for i in result if i in shown] == list(shown)
