"""Lines as Textual finished them (styled, filtered), kept for a state that comes back.

The breath repeats: the pacer's frames and the big "Inhale 4" come round every few seconds.
Textual restyles every row it repaints, which costs more than the rest of a frame, so a
widget whose look depends only on a small state can keep what Textual made for each state
and hand it back. Anything that changes how rows are styled (a theme, a class, an ancestor's
background) repaints the whole widget, and the owner then forgets what it kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from typing_extensions import Self


class KeptLines:
    """Finished lines by (state, crop), at most `limit` of them: past it, start again."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._kept: dict[tuple[Hashable, Region], list[Strip]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def lines(
        self, state: Hashable, crop: Region, render: Callable[[Region], list[Strip]]
    ) -> list[Strip]:
        """The lines kept for `state` and `crop`, or `render(crop)`'s, kept from now on."""
        key = (state, crop)
        lines = self._kept.get(key)
        if lines is None:
            if len(self._kept) >= self._limit:
                self._kept.clear()
            lines = render(crop)
            self._kept[key] = lines
        return lines

    def forget(self) -> None:
        """Drop everything kept: the rows would now be styled differently."""
        self._kept.clear()


class RestyledWidget(Widget):
    """A widget told, through `restyled()`, whenever lines it built or kept may be styled
    wrong: Textual repaints the whole widget (`refresh()` with no region) when a theme, a
    class, a size or an ancestor's background changes, and updates its styles. Its own
    repaints name a region instead, so they keep what was built."""

    def restyled(self) -> None:
        """Forget lines built with the old styles."""

    def notify_style_update(self) -> None:
        self.restyled()
        super().notify_style_update()

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if not regions and repaint:
            self.restyled()
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
