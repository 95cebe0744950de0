"""The footer of keys every screen shows."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

# What one shown key looks like: key, how it is written, its label, its action, whether it is on.
ShownKey = tuple[str, str, str, str, bool]


class KeyBar(Footer):
    """Textual's Footer, rebuilt only when the keys it shows change, and shown without focus.

    Why: Footer rebuilds all its keys (about 15 ms) on every bindings refresh, six times while
    the picker opens, even when nothing it shows has changed. And while the app lacks focus (a
    browser tab not yet tapped) it does not build at all, so a screen opened then has no keys.
    """

    def __init__(self, *, show_command_palette: bool = True) -> None:
        super().__init__(show_command_palette=show_command_palette)
        self._shown: tuple[ShownKey, ...] | None = None

    def shown_keys(self) -> tuple[ShownKey, ...]:
        """The keys the footer would show now, in order."""
        app = self.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, on)
            for _node, binding, on, _tooltip in self.screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        super().bindings_changed(screen)
        # Textual waits for focus before building; the first build must not wait.
        first = self._shown is None
        if first and not screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self.recompose)

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        shown = self.shown_keys()
        if shown == self._shown:
            return
        self._shown = shown
        await super().recompose()
