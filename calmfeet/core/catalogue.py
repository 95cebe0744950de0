"""Which routines the picker lists: the person's order, narrowed by the filters they set."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from calmfeet.core import order
from calmfeet.core.glyphs import Glyphs
from calmfeet.core.model import FOCUS_TAGS, Routine

FOCUS_CYCLE: tuple[str | None, ...] = (None, *FOCUS_TAGS)
"""What `t` steps through: everything, then each focus tag, then everything again."""


@dataclass(frozen=True)
class RoutineFilter:
    """The filters a person has set; a value, so the picker can only swap it whole."""

    name: str = ""
    """Typed text, matched anywhere in the routine's name (any case) or its id."""
    focus: str | None = None
    favourites_only: bool = False
    show_hidden: bool = False

    def next_focus(self) -> RoutineFilter:
        """The same filter with the next focus tag in FOCUS_CYCLE (after the last: none)."""
        index = FOCUS_CYCLE.index(self.focus)
        return replace(self, focus=FOCUS_CYCLE[(index + 1) % len(FOCUS_CYCLE)])

    def matches(self, routine: Routine, favourites: Collection[str]) -> bool:
        """Name, focus and favourites; hiding is left to `visible_ids`, which keeps order."""
        needle = self.name.strip().lower()
        if needle and needle not in routine.name.lower() and needle not in routine.id:
            return False
        if self.focus and self.focus not in routine.focus:
            return False
        return not self.favourites_only or routine.id in favourites

    def summary(self, shown: int, total: int, glyphs: Glyphs) -> str:
        """The line above the list, so a person always knows why something is missing:
        `3 of 7 · focus: sleep · ★ only · showing hidden · name: 'ab'`."""
        parts = [f"{shown} of {total}"]
        if self.focus:
            parts.append(f"focus: {self.focus}")
        if self.favourites_only:
            parts.append(f"{glyphs.star} only")
        if self.show_hidden:
            parts.append("showing hidden")
        if self.name:
            parts.append(glyphs.plain(f"name: {self.name!r}"))
        return f" {glyphs.dot} ".join(parts)


def listed_ids(routines: Sequence[Routine], saved_order: Sequence[str]) -> list[str]:
    """Every routine id in the person's order, hidden ones included, before any filter."""
    return order.ordered_ids([r.id for r in routines], saved_order)


def visible_ids(
    routines: Sequence[Routine],
    saved_order: Sequence[str],
    favourites: Collection[str],
    hidden: Collection[str],
    routine_filter: RoutineFilter,
) -> list[str]:
    """The ids the list shows, top to bottom."""
    by_id = {r.id: r for r in routines}
    hidden_set, favourite_set = frozenset(hidden), frozenset(favourites)  # not `in tuple`
    ids = order.visible(listed_ids(routines, saved_order), hidden_set, routine_filter.show_hidden)
    return [i for i in ids if routine_filter.matches(by_id[i], favourite_set)]
