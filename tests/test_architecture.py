"""calmfeet/core stays plain Python: the command line and scripts never pay for Textual."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "calmfeet" / "core"
UI_PACKAGES = ("textual", "rich")
CORE_FILES = sorted(CORE.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_roots(tree: ast.AST) -> list[tuple[int, str]]:
    """Every top-level package a file imports, anywhere in it (functions included)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def test_core_has_modules() -> None:
    names = {p.stem for p in CORE_FILES}
    assert {"breathing", "routines", "library", "model", "paths", "clock"} <= names


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.stem)
def test_core_file_never_imports_ui(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    offending = [
        f"{path.name}:{line}: imports {root}"
        for line, root in _imported_roots(tree)
        if root in UI_PACKAGES
    ]
    assert offending == []


SOUND_PACKAGES = ("numpy", "miniaudio")


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.stem)
def test_core_file_never_imports_sound_libraries(path: Path) -> None:
    """numpy and miniaudio load only in calmfeet.sound, when a sound is first needed: the cue
    schedule in core stays plain Python, and starting calmfeet never waits for them."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    offending = [
        f"{path.name}:{line}: imports {root}"
        for line, root in _imported_roots(tree)
        if root in SOUND_PACKAGES
    ]
    assert offending == []


def test_ast_check_catches_a_textual_import() -> None:
    """The check above would notice an import tucked inside a function."""
    tree = ast.parse("def f():\n    from textual.app import App\n    import rich.text\n")
    assert _imported_roots(tree) == [(2, "textual"), (3, "rich")]


@pytest.mark.parametrize("module", [_module_name(p) for p in CORE_FILES])
def test_importing_core_module_loads_no_ui(module: str) -> None:
    """In a fresh interpreter, so nothing another test imported can hide an indirect import."""
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {UI_PACKAGES!r})\n"
        "assert not loaded, loaded\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_list_command_loads_no_ui() -> None:
    """`calmfeet list` answers a script without starting (or importing) the app."""
    code = (
        "import sys\n"
        "from calmfeet.cli import main\n"
        "from calmfeet.core.paths import Paths\n"
        "import tempfile, pathlib\n"
        "tmp = pathlib.Path(tempfile.mkdtemp())\n"
        "code = main(['list', '--json'], paths=Paths(tmp / 'c', tmp / 'd'))\n"
        "assert code == 0\n"
        "assert 'textual' not in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CALMFEET_ROUTINES", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# --- the seams ------------------------------------------------------------------------------

PACKAGE = ROOT / "calmfeet"
MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imported_modules(module: str, tree: ast.AST) -> set[str]:
    """calmfeet modules this one imports anywhere: top level, inside functions, TYPE_CHECKING."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in MODULES
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found.update(name for name in names if name in MODULES and name != module)
    return found


def import_graph() -> dict[str, set[str]]:
    return {
        module: _imported_modules(module, ast.parse(path.read_text(encoding="utf-8")))
        for module, path in MODULES.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle, as the modules around it, or [] when there is none."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    path: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return []


def test_no_import_circle_anywhere_in_calmfeet() -> None:
    """Lazy imports inside functions count too: a circle hidden in a function is still one."""
    assert find_cycle(import_graph()) == []


def test_cycle_finder_sees_a_lazy_circle() -> None:
    """The check above would catch cli -> launch -> cli, however the import is written."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    lazy = ast.parse("def f():\n    from calmfeet.launch import make_app\n")
    assert _imported_modules("calmfeet.cli", lazy) == {"calmfeet.launch"}


def test_screens_and_widgets_never_import_the_app() -> None:
    """Screens say what happened with messages; the app is the only one that knows them all."""
    graph = import_graph()
    offenders = sorted(
        module
        for module, targets in graph.items()
        if module.startswith(("calmfeet.ui.screens", "calmfeet.ui.widgets"))
        and "calmfeet.ui.app" in targets
    )
    assert offenders == []


UI_FILES = sorted((PACKAGE / "ui").rglob("*.py"))


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: p.stem)
def test_ui_has_no_duck_typing_into_the_app(path: Path) -> None:
    """No `getattr(self.app, ...)` and no bare `type: ignore`: a rename must fail loudly."""
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if "getattr(self.app" in line:
            problems.append(f"{path.name}:{number}: getattr on the app")
        if "type: ignore" in line and "Textual" not in line:
            problems.append(f"{path.name}:{number}: type: ignore without the reason")
    assert problems == []


def test_showing_the_picker_never_loads_sqlite(tmp_path: Path) -> None:
    """History is read or written on first use, the preferences' lock (filelock) at the first
    save, and sound (numpy, miniaudio) loads when a session with sound starts: start-up time
    and memory are the picker's."""
    code = (
        "import asyncio, pathlib, sys\n"
        "from calmfeet.launch import make_app\n"
        "from calmfeet.core.paths import Paths\n"
        f"tmp = pathlib.Path({str(tmp_path)!r})\n"
        "app = make_app(Paths(tmp / 'c', tmp / 'd'))\n"
        "async def main():\n"
        "    async with app.run_test() as pilot:\n"
        "        await pilot.pause()\n"
        "        assert app.screen.__class__.__name__ == 'PickerScreen', app.screen\n"
        "asyncio.run(main())\n"
        "loaded = sorted(m for m in sys.modules if m in ('sqlite3', 'calmfeet.core.history',\n"
        "    'numpy', 'miniaudio', 'calmfeet.sound', 'filelock'))\n"
        "assert not loaded, loaded\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
