"""Where calmfeet's files live; computed when asked, never at import time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "calmfeet"
PENDING_NAME = "history.pending.jsonl"
"""Sessions that could not be written yet, one JSON object a line, beside the history (or in
the config folder when the data folder cannot be written)."""


@dataclass(frozen=True)
class Paths:
    """Every location calmfeet reads or writes; tests build one pointing at tmp_path."""

    config_dir: Path
    data_dir: Path

    @property
    def routines_dir(self) -> Path:
        return self.config_dir / "routines"

    @property
    def preferences_file(self) -> Path:
        return self.config_dir / "preferences.toml"

    @property
    def preferences_lock(self) -> Path:
        return self.config_dir / "preferences.toml.lock"

    @property
    def themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def pending_sessions(self) -> tuple[Path, ...]:
        """Where sessions the history could not take wait, in the order they are tried."""
        return (self.data_dir / PENDING_NAME, self.config_dir / PENDING_NAME)


def default_paths() -> Paths:
    """The platform's folders (XDG on Linux: $XDG_CONFIG_HOME/calmfeet, $XDG_DATA_HOME/calmfeet)."""
    return Paths(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
    )


def package_dir() -> Path:
    return Path(__file__).resolve().parent.parent


def builtin_routines_dir() -> Path:
    return package_dir() / "routines"


def builtin_themes_dir() -> Path:
    """Themes ship in the top-level `themes/`; the wheel maps them to `calmfeet/themes`."""
    inside = package_dir() / "themes"
    if inside.is_dir():
        return inside
    return package_dir().parent / "themes"
