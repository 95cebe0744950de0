"""The command line says plainly what is wrong, in one line, with the right exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from calmfeet.cli import main
from calmfeet.core.glyphs import display_width, fit_encoding, pad
from calmfeet.core.history import History, SessionRecord
from calmfeet.core.paths import Paths
from calmfeet.exit_codes import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE

ROOT = Path(__file__).resolve().parent.parent


def test_validate_refuses_an_empty_path_instead_of_checking_this_folder(
    paths: Paths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "here.toml").write_text("name = 'broken'\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", ""], paths=paths) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.err == "calmfeet: validate: an empty path was given\n"
    assert "here.toml" not in captured.out


def test_validate_on_a_path_too_long_says_so_without_a_traceback(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    long_path = "/" + "a" * 5000 + ".toml"
    assert main(["validate", long_path], paths=paths) == EXIT_UNREADABLE
    err = capsys.readouterr().err
    assert err.startswith("calmfeet: /aaa")
    assert "unexpected error" not in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--theme", "moss", "list"], "--theme"),
        (["--theme", "moss", "history"], "--theme"),
        (["--ascii", "themes"], "--ascii"),
        (["--reduced-motion", "paths"], "--reduced-motion"),
    ],
)
def test_options_for_the_app_are_refused_by_printing_commands(
    paths: Paths, capsys: pytest.CaptureFixture[str], argv: list[str], flag: str
) -> None:
    assert main(argv, paths=paths) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"calmfeet: {flag} applies only when calmfeet opens")


@pytest.mark.parametrize(
    ("minutes", "shown"), [("0", "got 0.0"), ("600.0000001", "got 600.0000001")]
)
def test_breathe_minutes_out_of_range_show_the_value_as_given(
    paths: Paths, capsys: pytest.CaptureFixture[str], minutes: str, shown: str
) -> None:
    assert main(["breathe", "--minutes", minutes], paths=paths) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "more than 0 and at most 600" in err
    assert shown in err


def test_history_with_a_limit_beyond_sqlite_lists_everything(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime, timezone

    with History(paths.history_db) as history:
        history.record(
            SessionRecord(
                routine="r",
                name="Routine",
                started=datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc),
                seconds=90,
                steps_done=2,
                completed=True,
            )
        )
    assert main(["history", "--limit", "1" + "0" * 23], paths=paths) == EXIT_OK
    assert "Routine" in capsys.readouterr().out


def test_list_lines_up_wide_and_combining_names_by_what_the_eye_sees(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "wide"
    folder.mkdir()
    for stem, name in (("wide", "足つぼ"), ("combining", "Cafe\u0301 feet"), ("plain", "Plain")):
        (folder / f"{stem}.toml").write_text(
            f'name = "{name}"\nbreathing = "calm"\n[[steps]]\ntitle = "Rub"\nseconds = 60\n'
            'foot = "left"\nzone = "arch"\n',
            encoding="utf-8",
        )
    assert main(["list", "--routines", str(folder)], paths=paths) == EXIT_OK
    lines = [line for line in capsys.readouterr().out.splitlines() if "1 min" in line]
    ends = {display_width(line.split(" 1 min")[0]) for line in lines}
    assert len(ends) == 1, lines  # the minutes column starts at the same cell on every line


def test_display_width_counts_cells() -> None:
    assert display_width("足つぼ") == 6
    assert display_width("Cafe\u0301") == 4
    assert pad("足", 4) == "足  "


def test_history_text_fits_a_stream_that_is_not_utf8() -> None:
    text = "✓ completed · Café"
    assert fit_encoding(text, "ascii") == "+ completed - Caf?"
    assert fit_encoding(text, "utf-8") == text


def test_history_on_a_latin1_terminal_prints_instead_of_crashing(paths: Paths) -> None:
    from datetime import datetime, timezone

    with History(paths.history_db) as history:
        history.record(
            SessionRecord(
                routine="r",
                name="Füße",
                started=datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc),
                seconds=90,
                steps_done=2,
                completed=True,
            )
        )
    code = (
        "import sys; from calmfeet.cli import main; from calmfeet.core.paths import Paths; "
        f"from pathlib import Path; sys.exit(main(['history'], paths=Paths("
        f"Path({str(paths.config_dir)!r}), Path({str(paths.data_dir)!r}))))"
    )
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    assert result.returncode == 0, result.stderr
    assert b"+ completed" in result.stdout
    assert b"Traceback" not in result.stderr


def test_the_app_without_a_terminal_exits_at_once_with_one_line(paths: Paths) -> None:
    """cron, a pipe, CI: no spinning at 90% CPU, just a line saying what works instead."""
    code = (
        "import sys; from calmfeet.cli import main; from calmfeet.core.paths import Paths; "
        f"from pathlib import Path; sys.exit(main([], paths=Paths("
        f"Path({str(paths.config_dir)!r}), Path({str(paths.data_dir)!r}))))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TEXTUAL_DRIVER", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    assert result.returncode == EXIT_USAGE
    assert result.stderr == (
        "calmfeet: calmfeet needs a terminal; `calmfeet list` works anywhere\n"
    )


def test_history_itself_does_not_take_the_theme_option(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "--theme", "moss"], paths=paths) == EXIT_USAGE
    assert "--theme" in capsys.readouterr().err


def test_validate_says_3_for_a_file_it_cannot_read_and_1_only_for_an_invalid_one(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = tmp_path / "pipe.toml"
    os.mkfifo(pipe)
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "Broken"\nsteps = "no"\n', encoding="utf-8")
    assert main(["validate", str(pipe)], paths=paths) == EXIT_UNREADABLE
    assert "named pipe" in capsys.readouterr().out
    assert main(["validate", str(pipe), str(broken)], paths=paths) == EXIT_INVALID
