"""calmfeet's own theme variables, with defaults so every Textual theme can be used."""

from __future__ import annotations

# Each theme file may set these; any theme that does not gets these defaults
# (the app returns them from App.get_theme_variable_defaults()).
THEME_VARIABLE_DEFAULTS: dict[str, str] = {
    "pacer-inhale": "#5fafd7",
    "pacer-hold": "#d7af5f",
    "pacer-exhale": "#87af87",
    "foot-highlight": "#d78787",
}

THEME_VARIABLE_DEFAULTS_LIGHT: dict[str, str] = {
    "pacer-inhale": "#44689f",
    "pacer-hold": "#716630",
    "pacer-exhale": "#8c4466",
    "foot-highlight": "#a8503f",
}
"""The same roles for a light theme that sets none of them (Textual's light themes): the dark
defaults are pale and would barely show on a light background."""


def theme_variable_defaults(dark: bool) -> dict[str, str]:
    """calmfeet's variables for a theme that leaves them out, dark or light."""
    return dict(THEME_VARIABLE_DEFAULTS if dark else THEME_VARIABLE_DEFAULTS_LIGHT)
