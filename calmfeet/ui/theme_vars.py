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
