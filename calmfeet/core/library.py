"""Finding routines: built-ins, the user's folder, --routines folders and CALMFEET_ROUTINES."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final, Literal

from calmfeet.core.model import Routine
from calmfeet.core.order import ordered_ids
from calmfeet.core.paths import Paths, builtin_routines_dir
from calmfeet.core.problems import Problem
from calmfeet.core.routines import RoutineFileError, load_routine

ENV_VAR: Final = "CALMFEET_ROUTINES"
SourceKind = Literal["built-in", "user", "--routines", "CALMFEET_ROUTINES"]
"""Where a folder of routines came from; the last is ENV_VAR (mypy checks it is the same)."""


@dataclass(frozen=True)
class RoutineSource:
    folder: Path
    kind: SourceKind


@dataclass
class Library:
    """What loaded and what did not: one bad file never hides the good ones."""

    routines: list[Routine] = field(default_factory=list)
    failures: list[RoutineFileError] = field(default_factory=list)

    def get(self, routine_id: str) -> Routine | None:
        return next((r for r in self.routines if r.id == routine_id), None)

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.routines]

    @property
    def problem_lines(self) -> list[str]:
        return [str(p) for failure in self.failures for p in failure.problems]

    def replace(self, routine: Routine) -> Library:
        """A new library with this routine in place of the one with its id (or added last)."""
        if self.get(routine.id) is None:
            return Library([*self.routines, routine], list(self.failures))
        routines = [routine if r.id == routine.id else r for r in self.routines]
        return Library(routines, list(self.failures))


def routine_sources(
    paths: Paths,
    extra_dirs: Sequence[Path] = (),
    env: Mapping[str, str] | None = None,
) -> list[RoutineSource]:
    """Lowest precedence first: a later source's routine shadows an earlier one with its id."""
    environ = os.environ if env is None else env
    sources = [
        RoutineSource(builtin_routines_dir(), "built-in"),
        RoutineSource(paths.routines_dir, "user"),
    ]
    for entry in environ.get(ENV_VAR, "").split(os.pathsep):
        if entry.strip():
            sources.append(RoutineSource(Path(entry).expanduser(), ENV_VAR))
    sources.extend(RoutineSource(Path(d).expanduser(), "--routines") for d in extra_dirs)
    return _first_of_each_folder(sources)


def _first_of_each_folder(sources: list[RoutineSource]) -> list[RoutineSource]:
    """A folder named twice (say the user folder also given as --routines) is read once, so
    its routines never shadow themselves."""
    seen: set[Path] = set()
    kept: list[RoutineSource] = []
    for source in sources:
        try:
            key = source.folder.resolve()
        except (OSError, RuntimeError):  # a symlink loop: keep it, reading it will say why
            key = source.folder.absolute()
        if key not in seen:
            seen.add(key)
            kept.append(source)
    return kept


def is_routine_file_name(name: str) -> bool:
    """`*.toml`, but not a dotfile (an editor's swap or backup file, a hidden draft)."""
    return name.endswith(".toml") and not name.startswith(".")


def _routine_files(source: RoutineSource, failures: list[RoutineFileError]) -> list[Path]:
    folder = source.folder
    if source.kind != "built-in" and folder.suffix == ".toml" and not folder.is_dir():
        return [folder]  # a single file given where a folder was expected is fine
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        if source.kind in ("--routines", ENV_VAR):
            problem = Problem(str(folder), 1, "folder", f"not found (from {source.kind})")
            failures.append(RoutineFileError(folder, [problem]))
        return []
    except OSError as error:
        reason = error.strerror or str(error)
        problem = Problem(str(folder), 1, "folder", f"cannot be read: {reason}")
        failures.append(RoutineFileError(folder, [problem]))
        return []
    return [Path(entry.path) for entry in entries if is_routine_file_name(entry.name)]


def count_own_files(
    paths: Paths, extra_dirs: Sequence[Path] = (), env: Mapping[str, str] | None = None
) -> int:
    """How many routine files there are beyond the built-ins, without reading any of them."""
    total = 0
    for source in routine_sources(paths, extra_dirs, env)[1:]:
        try:
            total += sum(
                1 for entry in os.scandir(source.folder) if is_routine_file_name(entry.name)
            )
        except OSError:
            total += 1 if source.folder.suffix == ".toml" else 0
    return total


def _is_builtin_file(path: Path) -> bool:
    return path.parent.resolve() == builtin_routines_dir().resolve()


def shadowed_routine(routine: Routine) -> Routine | None:
    """The routine as it would load without `routine`'s own file, reading only the files it
    shadows, nearest first: the whole library is not read again for one routine.

    A shadowed file that no longer loads is passed over, as `load_library` would do.
    """
    remaining = list(routine.shadows)
    while remaining:
        path = remaining.pop()
        builtin = _is_builtin_file(path)
        try:
            below = load_routine(path, path.name if builtin else str(path), builtin=builtin)
        except RoutineFileError:
            continue
        return replace(below, id=routine.id, shadows=tuple(remaining))
    return None


def load_library(
    paths: Paths,
    extra_dirs: Sequence[Path] = (),
    env: Mapping[str, str] | None = None,
    *,
    builtin_only: bool = False,
) -> Library:
    """Every routine that loads, in a stable order: built-ins by file name, then others by name."""
    library = Library()
    by_id: dict[str, Routine] = {}
    sources = routine_sources(paths, extra_dirs, env)
    for source in sources[:1] if builtin_only else sources:
        builtin = source.kind == "built-in"
        for path in _routine_files(source, library.failures):
            shown = path.name if builtin else str(path)
            try:
                routine = load_routine(path, shown, builtin=builtin)
            except RoutineFileError as error:
                library.failures.append(error)
                continue
            previous = by_id.get(routine.id)
            if previous is not None:
                routine = replace(routine, shadows=(*previous.shadows, previous.source))
            by_id[routine.id] = routine
    builtin_ids = [
        p.stem for p in sorted(builtin_routines_dir().glob("*.toml"), key=lambda p: p.name)
    ]
    first = [by_id[i] for i in builtin_ids if i in by_id]
    rest = sorted(
        (r for r in by_id.values() if r.id not in builtin_ids), key=lambda r: (r.name.lower(), r.id)
    )
    library.routines = first + rest
    return library


def ordered_library(
    paths: Paths,
    extra_dirs: Sequence[Path],
    saved_order: Sequence[str],
    *,
    builtin_only: bool = False,
) -> Library:
    """The library in the person's saved order: what the picker and `calmfeet list` show."""
    library = load_library(paths, extra_dirs, builtin_only=builtin_only)
    by_id = {r.id: r for r in library.routines}
    library.routines = [by_id[i] for i in ordered_ids(list(by_id), saved_order)]
    return library
