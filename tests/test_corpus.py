"""Every broken routine file in tests/corpus gives exactly the lines its `.expected` file holds."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from calmfeet.cli import main
from calmfeet.core.library import load_library
from calmfeet.core.paths import Paths, builtin_routines_dir

CORPUS = Path(__file__).parent / "corpus"
BUILTIN_IDS = sorted(p.stem for p in builtin_routines_dir().glob("*.toml"))


def _make_huge(folder: Path) -> None:
    """5 MiB of valid-looking TOML: refused by size before anything tries to parse it."""
    line = b'summary = "' + b"x" * 1000 + b'"\n'
    with (folder / "huge.toml").open("wb") as handle:
        handle.write(b'name = "Huge"\n')
        handle.write(line * (5 * 1024 * 1024 // len(line)))
        handle.truncate(5 * 1024 * 1024)


def _make_folder(folder: Path) -> None:
    (folder / "folder.toml").mkdir()
    (folder / "folder.toml" / "inside.toml").write_text('name = "Inside"\n')


def _make_loop(folder: Path) -> None:
    (folder / "loop.toml").symlink_to("loop.toml")


def _make_unreadable(folder: Path) -> None:
    target = folder / "unreadable.toml"
    shutil.copy(CORPUS / "bom.toml", target)
    target.chmod(0)


# Cases made at test time (too big to commit, or things git cannot hold); the expected lines
# still live in the corpus beside the committed cases.
GENERATED: dict[str, Callable[[Path], None]] = {
    "huge": _make_huge,
    "folder": _make_folder,
    "loop": _make_loop,
    "unreadable": _make_unreadable,
}
ACCEPTED = {"bom", "crlf", "optional-foot", "optional-zone"}
"""Good files: a byte-order mark, CRLF line ends, and a step without foot or zone."""
UNREADABLE = {"folder", "loop", "unreadable"}
"""Nothing in these could be read, so nothing was checked: exit 3, not 1 ("invalid")."""
COMMITTED = sorted(p.stem for p in CORPUS.glob("*.expected") if p.stem not in GENERATED)


def _expected(name: str) -> str:
    return (CORPUS / f"{name}.expected").read_text(encoding="utf-8")


def _validate(
    name: str, folder: Path, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """Run `calmfeet validate NAME.toml` from inside the folder, as a person would."""
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        code = main(["validate", f"{name}.toml"], paths=paths)
    finally:
        os.chdir(cwd)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_no_traceback(*outputs: str) -> None:
    for output in outputs:
        for line in output.splitlines():
            assert "Traceback" not in line
            assert "unexpected error" not in line


def test_corpus_is_complete() -> None:
    """At least 30 kinds of broken file, and every committed case has its expected lines."""
    broken = [n for n in COMMITTED if n not in ACCEPTED] + list(GENERATED)
    assert len(broken) >= 30
    for name in COMMITTED:
        assert (CORPUS / f"{name}.toml").is_file(), name
        assert _expected(name).endswith("\n")
    for toml in CORPUS.glob("*.toml"):
        assert (CORPUS / f"{toml.stem}.expected").is_file(), toml.name


@pytest.mark.parametrize("name", COMMITTED)
def test_committed_case(name: str, paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _validate(name, CORPUS, paths, capsys)
    assert out == _expected(name)
    assert err == ""
    _assert_no_traceback(out, err)
    if name in ACCEPTED:
        assert code == 0
        assert out.startswith(f"OK {name}.toml: ")
    else:
        assert code == 1
        assert all(line.startswith(f"{name}.toml:") for line in out.splitlines())


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_case(
    name: str, tmp_path: Path, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    if name == "unreadable" and os.geteuid() == 0:
        pytest.skip("root reads a chmod 000 file anyway; see the monkeypatched test")
    folder = tmp_path / "routines"
    folder.mkdir()
    GENERATED[name](folder)
    code, out, err = _validate(name, folder, paths, capsys)
    assert (code, out, err) == (3 if name in UNREADABLE else 1, _expected(name), "")
    _assert_no_traceback(out, err)


def test_unreadable_file_simulated(
    tmp_path: Path,
    paths: Paths,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A permission error from the open itself, which running as root would otherwise hide."""
    folder = tmp_path / "routines"
    folder.mkdir()
    shutil.copy(CORPUS / "bom.toml", folder / "unreadable.toml")
    real_open = os.open

    def refusing_open(path: str | os.PathLike[str], *args: int, **kwargs: int) -> int:
        if Path(path).name == "unreadable.toml":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    code, out, err = _validate("unreadable", folder, paths, capsys)
    assert (code, out, err) == (3, _expected("unreadable"), "")


def test_validate_many_files_reports_each(
    paths: Paths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validating the whole corpus at once prints every file's lines, in order, and fails."""
    monkeypatch.chdir(CORPUS)
    code = main(["validate", *(f"{n}.toml" for n in COMMITTED)], paths=paths)
    out = capsys.readouterr().out
    assert code == 1
    assert out == "".join(_expected(n) for n in COMMITTED)


@pytest.fixture
def corpus_cwd(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(CORPUS)
    yield Path(".")


def test_library_with_corpus_keeps_every_builtin(paths: Paths, corpus_cwd: Path) -> None:
    """A folder full of broken files hides none of the good routines, and names every bad one."""
    library = load_library(paths, [corpus_cwd], env={})
    assert library.ids[: len(BUILTIN_IDS)] == BUILTIN_IDS
    assert sorted(library.ids[len(BUILTIN_IDS) :]) == sorted(ACCEPTED)
    failed = sorted(failure.path.stem for failure in library.failures)
    assert failed == sorted(n for n in COMMITTED if n not in ACCEPTED)
    # The library reports the same lines validate prints.
    by_file_name = sorted(COMMITTED, key=lambda n: f"{n}.toml")
    expected = "".join(_expected(n) for n in by_file_name if n not in ACCEPTED)
    assert "".join(f"{line}\n" for line in library.problem_lines) == expected


def test_list_with_corpus_reports_problems_on_stderr(
    paths: Paths, corpus_cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["list", "--routines", "."], paths=paths)
    captured = capsys.readouterr()
    assert code == 0
    listed = [line.split()[0] for line in captured.out.splitlines()]
    assert set(BUILTIN_IDS) <= set(listed)
    assert "many-errors.toml:1: nme: unknown key; did you mean 'name'?" in captured.err
    _assert_no_traceback(captured.out, captured.err)


def test_symlink_loop_in_user_folder(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    paths.routines_dir.mkdir(parents=True)
    _make_loop(paths.routines_dir)
    library = load_library(paths, env={})
    assert library.ids == BUILTIN_IDS
    assert library.problem_lines == [
        f"{paths.routines_dir / 'loop.toml'}:1: file: cannot be read: "
        "Too many levels of symbolic links"
    ]
    assert main(["list"], paths=paths) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == len(BUILTIN_IDS)
    assert "loop.toml:1: file: cannot be read" in captured.err


def test_folder_named_toml_in_routines_folder(paths: Paths) -> None:
    paths.routines_dir.mkdir(parents=True)
    _make_folder(paths.routines_dir)
    library = load_library(paths, env={})
    assert library.ids == BUILTIN_IDS
    assert library.problem_lines == [
        f"{paths.routines_dir / 'folder.toml'}:1: file: is a folder, not a routine file"
    ]


def test_huge_file_in_routines_folder(paths: Paths) -> None:
    paths.routines_dir.mkdir(parents=True)
    _make_huge(paths.routines_dir)
    library = load_library(paths, env={})
    assert library.ids == BUILTIN_IDS
    assert [f.path.name for f in library.failures] == ["huge.toml"]


def test_duplicate_ids_later_folder_shadows(
    tmp_path: Path, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two folders with the same routine id: the later one wins and `list` says what it hides."""
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, name in ((first, "First Copy"), (second, "Second Copy")):
        folder.mkdir()
        text = (CORPUS / "crlf.toml").read_text(encoding="utf-8")
        (folder / "same.toml").write_text(text.replace("Corpus Routine", name), encoding="utf-8")
    library = load_library(paths, [first, second], env={})
    same = library.get("same")
    assert same is not None
    assert same.name == "Second Copy"
    assert same.shadows == (first / "same.toml",)
    assert library.ids.count("same") == 1

    code = main(["list", "--routines", str(first), "--routines", str(second)], paths=paths)
    out = capsys.readouterr().out
    assert code == 0
    [line] = [line for line in out.splitlines() if line.startswith("same ")]
    assert "Second Copy" in line
    assert f"shadows {first / 'same.toml'}" in line
