"""The `calmfeet` command: the app by default, and subcommands for scripts and routine authors."""

from __future__ import annotations

import argparse
import gc
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from calmfeet import __version__
from calmfeet.core.glyphs import display_width, fit_encoding, pad, plural
from calmfeet.core.library import is_routine_file_name, ordered_library
from calmfeet.core.model import format_clock, format_minutes
from calmfeet.core.paths import Paths, default_paths
from calmfeet.core.preferences import PreferencesStore
from calmfeet.core.routines import RoutineFileError, load_routine
from calmfeet.core.safe_text import displayable, json_text
from calmfeet.exit_codes import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNREADABLE,
    EXIT_USAGE,
)
from calmfeet.reports import format_history_text, history_rows_json, routine_json


class DisplayableStream(io.TextIOBase):
    """A stream that shows terminal controls as escapes: everything calmfeet prints, from file
    names to history rows, goes through here, so no file can drive the person's terminal."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    @property
    def encoding(self) -> str:  # type: ignore[override]  # TextIOBase says str, returns None
        return self._stream.encoding

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._stream.write(displayable(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


class CannotRead(Exception):
    """A file or folder named on the command line cannot be read: one line, exit code 3."""


class UsageError(Exception):
    """A mistake in how the command was called: one line on stderr, exit code 2."""


def _option_parents(
    top: bool,
) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser, argparse.ArgumentParser]:
    """Options allowed before and after the command; only the top level sets their defaults,
    so `calmfeet --theme moss run x` and `calmfeet run x --theme moss` mean the same."""
    default: Any = None if top else argparse.SUPPRESS
    routines = argparse.ArgumentParser(add_help=False)
    routines.add_argument(
        "--routines",
        metavar="DIR",
        action="append",
        type=Path,
        default=[] if top else argparse.SUPPRESS,
        help="also load routines from DIR (repeatable)",
    )
    looks = argparse.ArgumentParser(add_help=False)
    looks.add_argument(
        "--theme", metavar="NAME", default=default, help="use this theme (and remember it)"
    )
    looks.add_argument(
        "--reduced-motion",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="the pacer changes only at phase boundaries",
    )
    looks.add_argument(
        "--ascii",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="draw with ASCII only",
    )
    sound = argparse.ArgumentParser(add_help=False)
    sound.add_argument(
        "--sound",
        action=argparse.BooleanOptionalAction,
        default=default,
        help="play sound (unmuted) or none at all, this time (default: your sound settings)",
    )
    sound.add_argument(
        "--voice",
        action=argparse.BooleanOptionalAction,
        default=default,
        help="speak each step, or not, this time (default: your sound settings; needs "
        "espeak-ng or macOS say)",
    )
    return routines, looks, sound


def build_parser() -> argparse.ArgumentParser:
    top_routines, top_looks, top_sound = _option_parents(top=True)
    routines, looks, sound = _option_parents(top=False)

    parser = argparse.ArgumentParser(
        prog="calmfeet",
        description="A calm terminal companion for foot massage. Without a command, opens the app.",
        parents=[top_routines, top_looks, top_sound],
    )
    parser.add_argument("--version", action="version", version=f"calmfeet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    listing = commands.add_parser(
        "list", parents=[routines], help="list routines in your order", description="List routines."
    )
    shown = listing.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print JSON for scripts")
    shown.add_argument(
        "--ids", action="store_true", help="print only the ids, one a line (shell completion)"
    )

    validate = commands.add_parser(
        "validate",
        help="check routine files and print every problem",
        description="Check routine files (or folders of them); exit 0 only if all are valid.",
    )
    validate.add_argument("targets", nargs="+", metavar="PATH")

    commands.add_parser("paths", help="show where calmfeet keeps its files")

    points = commands.add_parser(
        "points",
        help="the points a step can name: where, and their traditional use",
        description='The acupressure points calmfeet knows (point = "KI1" in a step): '
        "where to find each and what tradition uses it for.",
    )
    points.add_argument("--json", action="store_true", help="print JSON for scripts")

    new = commands.add_parser(
        "new",
        help="write a commented starter routine to your routines folder",
        description="Write ID.toml, a commented starter routine, to your routines folder and "
        "print its path. An id already in use is refused; nothing is ever overwritten.",
    )
    new.add_argument("new_id", metavar="ID")  # not `routine_id`: no existing id completes it

    run = commands.add_parser(
        "run", parents=[routines, looks, sound], help="start a routine's session straight away"
    )
    run.add_argument("routine_id", metavar="ROUTINE_ID")

    breathe = commands.add_parser(
        "breathe", parents=[looks, sound], help="just the breathing pacer, no massage steps"
    )
    breathe.add_argument("pattern", nargs="?", metavar="PATTERN", help="default: resonance")
    breathe.add_argument("--minutes", type=float, default=5.0, metavar="N", help="default: 5")

    audio = commands.add_parser(
        "audio",
        parents=[routines],
        help="write a routine's sound guidance to a WAV file",
        description="Write a routine's whole guidance (get ready, breath tones, chimes, and a "
        "voice where one is installed) as a 16-bit WAV to play away from the computer.",
    )
    audio.add_argument("routine_id", metavar="ROUTINE_ID")
    audio.add_argument("file", metavar="FILE.wav")
    audio.add_argument(
        "--voice",
        action=argparse.BooleanOptionalAction,
        default=argparse.SUPPRESS,  # the top level sets None: `calmfeet --voice audio` works
        help="speak each step (default: your sound settings; needs espeak-ng or macOS say)",
    )

    commands.add_parser("themes", help="list the themes and where each comes from")

    history = commands.add_parser("history", help="show past sessions, newest first")
    history.add_argument("--json", action="store_true", help="print JSON for scripts")
    history.add_argument("--limit", type=int, metavar="N", help="at most N sessions")

    commands.add_parser(
        "schema",
        help="print the JSON Schema of routine files (for editors)",
        description="Print the JSON Schema of routine files. Files calmfeet writes name it on "
        "their first line (#:schema), and it is written beside them in your routines folder.",
    )

    serve = commands.add_parser(
        "serve",
        parents=[routines, looks, sound],
        help="the app in a browser, for a phone or tablet (needs calmfeet[web])",
        description="Serve calmfeet to a browser: each tab runs its own calmfeet on this "
        "computer, and sound plays here. Binds 127.0.0.1 unless --host says otherwise; any other "
        "host gets a link with a random token (and a QR code), and requests without it get 403.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", metavar="HOST", help="default 127.0.0.1; 0.0.0.0 for a phone"
    )
    serve.add_argument("--port", type=int, default=8000, metavar="PORT", help="default 8000")

    completion = commands.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print a completion script for SHELL: commands, options and routine ids. "
        "bash: source <(calmfeet completion bash); zsh: source <(calmfeet completion zsh); "
        "fish: calmfeet completion fish | source.",
    )
    completion.add_argument("shell", metavar="SHELL", choices=("bash", "zsh", "fish"))
    return parser


def main(argv: Sequence[str] | None = None, *, paths: Paths | None = None) -> int:
    """Entry point; returns the exit code. `paths` lets tests point calmfeet at a tmp folder."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")  # a non-UTF-8 terminal gets ?, not a crash
    out, err = DisplayableStream(sys.stdout), DisplayableStream(sys.stderr)
    # Start-up makes many long-lived objects and no garbage: collecting them only slows the first
    # paint (by a tenth). The app turns collection back on once its first frame is painted.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(argv, paths or default_paths(), cast(TextIO, out), cast(TextIO, err))
    except UsageError as error:
        print(f"calmfeet: {error}", file=err)
        return EXIT_USAGE
    except SystemExit as done:  # argparse's --help, --version and usage errors
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except CannotRead as error:
        print(f"calmfeet: {error}", file=err)
        return EXIT_UNREADABLE
    except Exception as error:  # noqa: BLE001 - the last line of defence against a traceback
        print(f"calmfeet: unexpected error: {type(error).__name__}: {error}", file=err)
        return EXIT_INTERNAL
    finally:
        if collecting:
            gc.enable()


ALL_SESSIONS = 2**62
"""A `--limit` above this is "all": SQLite's integers stop at 2**63."""
APP_ONLY_OPTIONS = (
    ("theme", "--theme"),
    ("reduced_motion", "--reduced-motion"),
    ("ascii", "--ascii"),
)
"""Options that change how the app looks: refused, not ignored, by commands that only print."""


def _main(argv: Sequence[str] | None, paths: Paths, out: TextIO, err: TextIO) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command
    printing = (
        "list",
        "validate",
        "paths",
        "themes",
        "history",
        "audio",
        "schema",
        "completion",
        "points",
        "new",
    )
    if command in printing:
        given = [flag for name, flag in APP_ONLY_OPTIONS if getattr(args, name, None)]
        for name in ("sound", "voice") if command != "audio" else ("sound",):
            if getattr(args, name, None) is not None:
                given.append(f"--{name}" if getattr(args, name) else f"--no-{name}")
        if given:
            raise UsageError(f"{given[0]} applies only when calmfeet opens; `{command}` prints")
    if command == "list":
        return cmd_list(paths, args.routines, args.json, out, err, ids_only=args.ids)
    if command == "validate":
        return cmd_validate(args.targets, out)
    if command == "paths":
        return cmd_paths(paths, out)
    if command == "points":
        return cmd_points(args.json, out)
    if command == "new":
        return cmd_new(paths, args.new_id, out, err)
    if command == "themes":
        return cmd_themes(paths, out, err)
    if command == "schema":
        from calmfeet.core.schema import schema_text

        out.write(schema_text())
        return EXIT_OK
    if command == "serve":
        return cmd_serve(args, out, err)
    if command == "completion":
        from calmfeet.completion import completion_script

        out.write(completion_script(args.shell, parser))
        return EXIT_OK
    if command == "history":
        return cmd_history(paths, args.json, args.limit, out, err)
    if command == "audio":
        return cmd_audio(paths, args.routines, args.routine_id, args.file, args.voice, out, err)
    from calmfeet.launch import run_app

    return run_app(args, paths, err)


def cmd_serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Forward the options that change how calmfeet looks to every tab's calmfeet."""
    from calmfeet.web.server import serve

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {args.port}")
    forwarded: list[str] = []
    for folder in args.routines:
        forwarded += ["--routines", str(folder.resolve())]
    if args.theme:
        forwarded += ["--theme", args.theme]
    forwarded += [flag for name, flag in APP_ONLY_OPTIONS[1:] if getattr(args, name, False)]
    for name in ("sound", "voice"):  # sound plays on this computer, from each tab's calmfeet
        wanted = getattr(args, name, None)
        if wanted is not None:
            forwarded.append(f"--{name}" if wanted else f"--no-{name}")
    return serve(args.host, args.port, forwarded, out, err)


def cmd_list(
    paths: Paths,
    extra_dirs: Sequence[Path],
    as_json: bool,
    out: TextIO,
    err: TextIO,
    *,
    ids_only: bool = False,
) -> int:
    store = PreferencesStore(paths)
    prefs = store.load()
    for notice in store.take_notices():
        print(f"calmfeet: {notice}", file=err)
    library = ordered_library(paths, extra_dirs, prefs.order)
    for line in library.problem_lines:
        print(line, file=err)
    if as_json:
        out.write(json_text([routine_json(r) for r in library.routines]) + "\n")
        return EXIT_OK
    if ids_only:
        for routine in library.routines:
            print(displayable(routine.id, one_line=True), file=out)
        return EXIT_OK
    if not library.routines:
        print("No routines found.", file=out)
        return EXIT_OK
    # One routine a line: a file name or a name with a line break in it is escaped first.
    shown = [
        (displayable(r.id, one_line=True), displayable(r.name, one_line=True), r)
        for r in library.routines
    ]
    id_width = max(display_width(routine_id) for routine_id, _, _ in shown)
    name_width = max(display_width(name) for _, name, _ in shown)
    for routine_id, name, routine in shown:
        steps = len(routine.steps)
        line = (
            f"{pad(routine_id, id_width)}  {pad(name, name_width)}  "
            f"{format_minutes(routine.total_seconds):>6}  "
            f"{steps:>2} {'step' if steps == 1 else 'steps':<5}"  # a column: the count lines up
            f"  {', '.join(routine.focus)}"
        )
        if routine.shadows:
            line += f"  (shadows {routine.shadows[-1]})"
        print(line.rstrip(), file=out)
    return EXIT_OK


def _validate_targets(targets: Sequence[str]) -> list[Path]:
    """The files to check; an empty argument is refused rather than read as this folder."""
    files: list[Path] = []
    for raw in targets:
        if not raw:
            raise UsageError("validate: an empty path was given")
        target = Path(raw)
        try:
            if target.is_dir() and target.suffix != ".toml":
                found = sorted(p for p in target.glob("*.toml") if is_routine_file_name(p.name))
                if not found:
                    raise UsageError(f"{target}: no .toml files in this folder")
                files.extend(found)
            elif target.exists() or target.is_symlink():
                files.append(target)
            else:
                raise UsageError(f"{target}: no such file or folder")
        except OSError as error:  # a name too long, a folder that cannot be listed
            raise CannotRead(f"{target}: cannot be read ({error.strerror or error})") from None
    return files


def cmd_validate(targets: Sequence[str], out: TextIO) -> int:
    """Exit 1 when a file is invalid; 3 when none is but one could not be read at all."""
    files = _validate_targets(targets)
    all_valid = True
    all_read = True
    for path in files:
        try:
            routine = load_routine(path, str(path))
        except RoutineFileError as error:
            if error.unreadable:
                all_read = False
            else:
                all_valid = False
            for problem in error.problems:
                print(problem, file=out)
            continue
        count = len(routine.steps)
        print(
            f"OK {path}: {routine.name} ({plural(count, 'step')}, "
            f"{format_clock(routine.total_seconds)})",
            file=out,
        )
    if not all_valid:
        return EXIT_INVALID
    return EXIT_OK if all_read else EXIT_UNREADABLE


def cmd_paths(paths: Paths, out: TextIO) -> int:
    rows = [
        ("routines", paths.routines_dir),
        ("preferences", paths.preferences_file),
        ("themes", paths.themes_dir),
        ("history", paths.history_db),
    ]
    for label, where in rows:
        print(f"{label + ':':<13} {where}", file=out)
    extra = os.environ.get("CALMFEET_ROUTINES")
    if extra:
        print(f"{'also from:':<13} {extra} (CALMFEET_ROUTINES)", file=out)
    return EXIT_OK


def cmd_points(as_json: bool, out: TextIO) -> int:
    from calmfeet.reports import format_points_text, points_json

    if as_json:
        out.write(json_text(points_json()) + "\n")
    else:
        print(fit_encoding(format_points_text(), out.encoding), file=out)
    return EXIT_OK


def cmd_new(paths: Paths, routine_id: str, out: TextIO, err: TextIO) -> int:
    """Exit 2 for an id that is taken or cannot name a file, 3 when the folder cannot be
    written; the path alone on stdout otherwise, for `$EDITOR "$(calmfeet new evening)"`."""
    from calmfeet.core.starter import StarterRefused, write_starter

    if not routine_id.strip():
        raise UsageError("new: an empty id was given")
    store = PreferencesStore(paths)
    library = ordered_library(paths, [], store.load().order)
    try:
        path = write_starter(paths, routine_id, library.ids)
    except StarterRefused as refused:
        print(f"calmfeet: new: {refused}", file=err)
        return EXIT_USAGE
    except OSError as error:
        where = error.filename or paths.routines_dir
        print(f"calmfeet: {where}: cannot be written ({error.strerror or error})", file=err)
        return EXIT_UNREADABLE
    print(path, file=out)
    return EXIT_OK


def cmd_themes(paths: Paths, out: TextIO, err: TextIO) -> int:
    from calmfeet.ui.themes import discover_themes, format_theme_list

    catalog = discover_themes(paths.themes_dir)
    for problem in catalog.failures:
        print(problem, file=err)
    print(format_theme_list(catalog), file=out)
    return EXIT_OK


def cmd_history(paths: Paths, as_json: bool, limit: int | None, out: TextIO, err: TextIO) -> int:
    from calmfeet.core.history import HistoryUnreadable, read_history

    if limit is not None and limit < 1:
        print("calmfeet: --limit must be 1 or more", file=err)
        return EXIT_USAGE
    if limit is not None and limit > ALL_SESSIONS:
        limit = None  # more than could ever be kept: all of them, as asked
    try:  # read-only: printing the history never migrates, moves or creates a file
        records, notices = read_history(paths.history_db, spare_dir=paths.config_dir)
    except HistoryUnreadable as error:
        print(f"calmfeet: {error}", file=err)
        return EXIT_UNREADABLE
    for notice in notices:
        print(notice, file=err)
    if limit is not None:
        records = records[:limit]
    if as_json:
        out.write(json_text(history_rows_json(records)) + "\n")
    else:
        print(fit_encoding(format_history_text(records), out.encoding), file=out)
    return EXIT_OK


PROGRESS_AFTER_SECONDS = 0.5
"""A track that takes longer than this to write gets a progress bar (on a terminal)."""
PROGRESS_WIDTH = 30


class ProgressBar:
    """`calmfeet: writing [#####.....]  42%` on stderr, redrawn in place, only on a terminal and
    only once the work has taken more than a moment. Writes to the real stream: its carriage
    returns are the bar's own, and it holds no text from any file."""

    def __init__(self, stream: TextIO, *, after: float = PROGRESS_AFTER_SECONDS) -> None:
        import time

        self._now = time.monotonic
        self._stream = stream
        self._began = self._now()
        self._after = after
        self._shown = -1
        self._on_terminal = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self._on_terminal or self._now() - self._began < self._after or total <= 0:
            return
        percent = min(100, done * 100 // total)
        if percent == self._shown:
            return
        self._shown = percent
        filled = percent * PROGRESS_WIDTH // 100
        bar = "#" * filled + "." * (PROGRESS_WIDTH - filled)
        self._stream.write(f"\rcalmfeet: writing [{bar}] {percent:3d}%")
        self._stream.flush()

    def close(self) -> None:
        """Take the bar away, so what follows starts on a clean line."""
        if self._shown >= 0:
            self._stream.write("\r" + " " * (PROGRESS_WIDTH + 30) + "\r")
            self._stream.flush()
            self._shown = -1


def cmd_audio(
    paths: Paths,
    extra_dirs: Sequence[Path],
    routine_id: str,
    file: str,
    voice_wanted: bool | None,
    out: TextIO,
    err: TextIO,
) -> int:
    """Write the routine's guidance as a WAV: the app's own schedule and mixer, so the file
    has the app's timing. Exit 2 for an unknown id, 3 for a place that cannot be written."""
    from dataclasses import replace

    from calmfeet.core.cues import settings_from_preferences

    if not file:
        raise UsageError("audio: an empty file name was given")
    store = PreferencesStore(paths)
    prefs = store.load()
    for notice in store.take_notices():
        print(f"calmfeet: {notice}", file=err)
    library = ordered_library(paths, extra_dirs, prefs.order)
    for line in library.problem_lines:
        print(line, file=err)
    routine = library.get(routine_id)
    if routine is None:
        print(
            f"calmfeet: no routine with id {routine_id!r}; the ids are: "
            f"{', '.join(library.ids) or '(none)'}",
            file=err,
        )
        return EXIT_USAGE
    target = Path(file)
    if target.is_dir():
        print(f"calmfeet: {target}: cannot be written (it is a folder)", file=err)
        return EXIT_UNREADABLE
    settings = settings_from_preferences(prefs)
    if voice_wanted is not None:
        settings = replace(settings, voice=voice_wanted)

    from calmfeet.sound.track import write_track
    from calmfeet.sound.voice import NO_VOICE_NOTICE, find_voice

    voice = find_voice() if settings.voice else None
    if settings.voice and voice is None:
        print(f"calmfeet: {NO_VOICE_NOTICE}", file=err)
    progress = ProgressBar(sys.stderr)
    try:
        track = write_track(
            target,
            routine,
            settings,
            voice=voice,
            lead_in_seconds=prefs.lead_in_seconds,
            switch_seconds=prefs.switch_seconds,
            progress=progress,
        )
    except OSError as error:
        progress.close()
        print(f"calmfeet: {target}: cannot be written ({error.strerror or error})", file=err)
        return EXIT_UNREADABLE
    finally:
        progress.close()
    for notice in track.notices:
        print(f"calmfeet: {notice}", file=err)
    print(f"Wrote {target}: {routine.name}, {format_clock(track.seconds)}", file=out)
    return EXIT_OK
