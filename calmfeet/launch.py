"""Commands that start the Textual app (imported lazily so `calmfeet list` starts fast)."""

from __future__ import annotations

import argparse
import json
import locale
import os
from typing import TextIO

from calmfeet.core.paths import Paths

EXIT_USAGE = 2
BACKGROUND_LOAD_FILES = 100
"""Beyond this many routine files of one's own, they load after the picker first paints."""


def dispatch(args: argparse.Namespace, paths: Paths, out: TextIO, err: TextIO) -> int:
    command = args.command
    if command == "themes":
        return cmd_themes(paths, out, err)
    if command == "history":
        return cmd_history(paths, args.json, args.limit, out, err)
    return run_app(args, paths, err)


def cmd_themes(paths: Paths, out: TextIO, err: TextIO) -> int:
    from calmfeet.ui.themes import discover_themes, format_theme_list

    catalog = discover_themes(paths.themes_dir)
    for problem in catalog.failures:
        print(problem, file=err)
    print(format_theme_list(catalog), file=out)
    return 0


def cmd_history(paths: Paths, as_json: bool, limit: int | None, out: TextIO, err: TextIO) -> int:
    from calmfeet.core.history import History, format_history_text, history_rows_json

    if limit is not None and limit < 1:
        print("calmfeet: --limit must be 1 or more", file=err)
        return EXIT_USAGE
    if not paths.history_db.exists():
        records = []
    else:
        history = History(paths.history_db)
        try:
            records = history.recent(limit)
        finally:
            history.close()
        for notice in history.notices:
            print(notice, file=err)
    if as_json:
        json.dump(history_rows_json(records), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        print(format_history_text(records), file=out)
    return 0


def _wants_ascii(flag: bool) -> bool:
    from calmfeet.core.glyphs import unicode_supported

    if flag:
        return True
    if not unicode_supported():
        return True
    return "utf" not in (locale.getpreferredencoding(False) or "utf-8").lower()


def run_app(args: argparse.Namespace, paths: Paths, err: TextIO) -> int:
    """Check every argument before the terminal switches to full screen, then run the app."""
    from calmfeet.cli import ordered_library
    from calmfeet.core.breathing import PatternError, parse_pattern
    from calmfeet.core.library import count_own_files
    from calmfeet.core.preferences import PreferencesStore
    from calmfeet.ui.themes import discover_themes

    prefs = PreferencesStore(paths)
    prefs.load()
    themes = discover_themes(paths.themes_dir)
    theme = getattr(args, "theme", None)
    if theme is not None and themes.get(theme) is None:
        print(
            f"calmfeet: unknown theme {theme!r}; the themes are: {', '.join(themes.names())}",
            file=err,
        )
        return EXIT_USAGE

    breathe = None
    minutes = 5.0
    if args.command == "breathe":
        try:
            breathe = parse_pattern(args.pattern or prefs.current.breathing)
        except PatternError as error:
            print(f"calmfeet: breathing pattern: {error}", file=err)
            return EXIT_USAGE
        minutes = args.minutes
        if not (0 < minutes <= 600):
            print(f"calmfeet: --minutes must be between 0 and 600, got {minutes:g}", file=err)
            return EXIT_USAGE

    extra_dirs = tuple(getattr(args, "routines", []) or [])
    # A large library of one's own is read after the picker first shows (the built-ins at
    # once, the rest a moment later); `run` needs every routine before it starts.
    later = args.command is None and count_own_files(paths, extra_dirs) > BACKGROUND_LOAD_FILES
    library = ordered_library(paths, extra_dirs, prefs.current, builtin_only=later)
    run_routine = None
    if args.command == "run":
        run_routine = args.routine_id
        if library.get(run_routine) is None:
            print(
                f"calmfeet: no routine with id {run_routine!r}; the ids are: "
                f"{', '.join(library.ids) or '(none)'}",
                file=err,
            )
            return EXIT_USAGE

    from calmfeet.ui.app import AppConfig, CalmFeetApp

    config = AppConfig(
        paths=paths,
        library=library,
        themes=themes,
        prefs=prefs,
        theme=theme,
        reduced_motion=bool(getattr(args, "reduced_motion", False)),
        ascii=_wants_ascii(bool(getattr(args, "ascii", False))),
        run_routine=run_routine,
        breathe=breathe,
        breathe_minutes=minutes,
        extra_dirs=extra_dirs,
        full_library=(
            (lambda: ordered_library(paths, extra_dirs, prefs.current)) if later else None
        ),
        history_path=paths.history_db,
    )
    if os.environ.get("TEXTUAL_ANIMATIONS", "").lower() == "none":
        config.reduced_motion = True
    app = CalmFeetApp(config)
    app.run()
    app.record_unfinished_session()
    history = app.history if config.history is not None else None
    if history is not None:
        history.close()
    return app.return_code or 0
