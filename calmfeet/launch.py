"""Building and running the Textual app: the one factory the command line and the tests share.

Imported lazily by the command line, so `calmfeet list` never pays for Textual.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from calmfeet.core.breathing import BreathingPattern, PatternError, parse_pattern
from calmfeet.core.clock import Clock, SystemClock
from calmfeet.core.glyphs import wants_ascii
from calmfeet.core.library import Library, count_own_files, ordered_library
from calmfeet.core.paths import Paths
from calmfeet.core.preferences import PreferencesStore
from calmfeet.exit_codes import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from calmfeet.core.history import History
    from calmfeet.sound.live import FindVoice, OpenOutput
    from calmfeet.ui.app import CalmFeetApp
    from calmfeet.ui.themes import ThemeCatalog

MAX_BREATHE_MINUTES = 600
BACKGROUND_LOAD_FILES = 100
"""Beyond this many routine files of one's own, they load after the picker first paints."""


NO_TERMINAL = "calmfeet: calmfeet needs a terminal; `calmfeet list` works anywhere"


def terminal_attached() -> bool:
    """Whether the app can run here: a terminal on stdin and stdout, or a driver that brings
    its own (textual-serve sets TEXTUAL_DRIVER). Without one Textual would spin, unquittable."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def make_app(
    paths: Paths,
    *,
    clock: Clock | None = None,
    prefs: PreferencesStore | None = None,
    library: Library | None = None,
    themes: ThemeCatalog | None = None,
    history: History | None = None,
    extra_dirs: Sequence[Path] = (),
    theme: str | None = None,
    reduced_motion: bool = False,
    ascii: bool = False,
    run_routine: str | None = None,
    breathe: BreathingPattern | None = None,
    breathe_minutes: float = 5.0,
    load_own_routines_later: bool = False,
    sound: bool | None = None,
    voice: bool | None = None,
    open_output: OpenOutput | None = None,
    find_voice: FindVoice | None = None,
) -> CalmFeetApp:
    """The app as `calmfeet` starts it; anything not given is read from `paths`.

    `load_own_routines_later` shows the built-ins at once and reads the rest in a thread.
    `sound` and `voice` are `--sound/--no-sound` and `--voice/--no-voice` (None: as saved);
    `open_output` and `find_voice` stand in for the sound device and voice engine in tests.
    """
    from calmfeet.ui.app import AppConfig, CalmFeetApp
    from calmfeet.ui.themes import discover_themes

    if prefs is None:
        prefs = PreferencesStore(paths)
        prefs.load()
    folders = tuple(extra_dirs)
    saved_order = prefs.current.order
    if library is None:
        library = ordered_library(paths, folders, saved_order, builtin_only=load_own_routines_later)
    config = AppConfig(
        paths=paths,
        library=library,
        themes=themes if themes is not None else discover_themes(paths.themes_dir),
        prefs=prefs,
        clock=clock or SystemClock(),
        theme=theme,
        reduced_motion=reduced_motion or os.environ.get("TEXTUAL_ANIMATIONS", "").lower() == "none",
        ascii=ascii,
        run_routine=run_routine,
        breathe=breathe,
        breathe_minutes=breathe_minutes,
        extra_dirs=folders,
        history=history,
        full_library=(
            (lambda: ordered_library(paths, folders, prefs.current.order))
            if load_own_routines_later
            else None
        ),
        sound=sound,
        voice=voice,
        open_output=open_output,
        find_voice=find_voice,
    )
    return CalmFeetApp(config)


def run_app(args: argparse.Namespace, paths: Paths, err: TextIO) -> int:
    """Check every argument before the terminal switches to full screen, then run the app."""
    from calmfeet.ui.themes import discover_themes

    prefs = PreferencesStore(paths)
    prefs.load()
    themes = discover_themes(paths.themes_dir)
    theme: str | None = getattr(args, "theme", None)
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
        if not (0 < minutes <= MAX_BREATHE_MINUTES):
            print(
                f"calmfeet: --minutes must be more than 0 and at most {MAX_BREATHE_MINUTES}, "
                f"got {minutes!r}",
                file=err,
            )
            return EXIT_USAGE

    extra_dirs = tuple(getattr(args, "routines", []) or [])
    # A large library of one's own is read after the picker first shows (the built-ins at
    # once, the rest a moment later); `run` needs every routine before it starts.
    later = args.command is None and count_own_files(paths, extra_dirs) > BACKGROUND_LOAD_FILES
    library = ordered_library(paths, extra_dirs, prefs.current.order, builtin_only=later)
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

    if not terminal_attached():
        print(NO_TERMINAL, file=err)
        return EXIT_USAGE
    app = make_app(
        paths,
        prefs=prefs,
        library=library,
        themes=themes,
        extra_dirs=extra_dirs,
        theme=theme,
        reduced_motion=bool(getattr(args, "reduced_motion", False)),
        ascii=wants_ascii(bool(getattr(args, "ascii", False))),
        run_routine=run_routine,
        breathe=breathe,
        breathe_minutes=minutes,
        load_own_routines_later=later,
        sound=getattr(args, "sound", None),
        voice=getattr(args, "voice", None),
    )
    app.run()
    app.close_practice()
    for line in dict.fromkeys(app.exit_notes):  # the terminal is back: say it plainly
        print(line, file=err)
    return app.return_code or EXIT_OK
