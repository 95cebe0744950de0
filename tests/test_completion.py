"""`calmfeet completion SHELL`: what pressing Tab offers, in a real bash (and fish and zsh where
installed), with routine ids from `calmfeet list --ids`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from calmfeet.cli import build_parser, main
from calmfeet.completion import SHELLS, completion_script, read_parser
from calmfeet.core.paths import Paths, builtin_routines_dir

ROOT = Path(__file__).resolve().parent.parent
BUILTIN_IDS = sorted(p.stem for p in builtin_routines_dir().glob("*.toml"))
BASH = shutil.which("bash")
FISH = shutil.which("fish")
ZSH = shutil.which("zsh")


@pytest.fixture
def shell_env(tmp_path: Path) -> dict[str, str]:
    """A `calmfeet` on PATH that runs this checkout, and the test's private folders."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "calmfeet"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m calmfeet "$@"\n')
    launcher.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = str(ROOT)
    return env


def bash_offers(line: str, env: dict[str, str], cwd: Path, shell_script: Path) -> list[str]:
    """What Tab offers at the end of `line` in bash: the completion function run by bash on the
    words bash itself splits the line into."""
    assert BASH is not None
    probe = (
        f"source {shell_script}\n"
        f"line={line!r}\n"
        'read -r -a COMP_WORDS <<< "$line"\n'
        '[[ "$line" == *" " ]] && COMP_WORDS+=("")\n'
        "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
        "_calmfeet\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        [BASH, "--noprofile", "--norc", "-c", probe],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return [word for word in done.stdout.splitlines() if word]


@pytest.fixture
def bash_script(tmp_path: Path, paths: Paths, capsys: pytest.CaptureFixture[str]) -> Path:
    if BASH is None:
        pytest.skip("bash is not installed")
    assert main(["completion", "bash"], paths=paths) == 0
    script = tmp_path / "calmfeet.bash"
    script.write_text(capsys.readouterr().out, encoding="utf-8")
    return script


def test_list_ids_prints_one_id_a_line(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--ids"], paths=paths) == 0
    assert sorted(capsys.readouterr().out.splitlines()) == BUILTIN_IDS


def test_every_command_is_offered(
    bash_script: Path, shell_env: dict[str, str], tmp_path: Path
) -> None:
    _, commands = read_parser(build_parser())
    offered = bash_offers("calmfeet ", shell_env, tmp_path, bash_script)
    assert offered == [command.name for command in commands]
    assert {"run", "audio", "completion", "schema"} <= set(offered)


def test_routine_ids_after_run_and_audio(
    bash_script: Path, shell_env: dict[str, str], tmp_path: Path
) -> None:
    assert sorted(bash_offers("calmfeet run ", shell_env, tmp_path, bash_script)) == BUILTIN_IDS
    assert bash_offers("calmfeet run qu", shell_env, tmp_path, bash_script) == ["quick-reset"]
    assert bash_offers("calmfeet audio st", shell_env, tmp_path, bash_script) == ["stress-release"]


def test_ids_include_a_folder_given_with_routines(
    bash_script: Path, shell_env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(builtin_routines_dir() / "quick-reset.toml", folder / "my-evening.toml")
    line = f"calmfeet --routines {folder} run my"
    assert bash_offers(line, shell_env, tmp_path, bash_script) == ["my-evening"]


def test_audio_offers_a_file_for_its_second_word(
    bash_script: Path, shell_env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "evening.wav").write_bytes(b"")
    offered = bash_offers("calmfeet audio quick-reset ev", shell_env, tmp_path, bash_script)
    assert offered == ["evening.wav"]


def test_options_patterns_shells_and_themes(
    bash_script: Path, shell_env: dict[str, str], tmp_path: Path
) -> None:
    assert bash_offers("calmfeet list --", shell_env, tmp_path, bash_script) == [
        "--help",
        "--routines",
        "--json",
        "--ids",
    ]
    assert bash_offers("calmfeet breathe ", shell_env, tmp_path, bash_script) == [
        "resonance",
        "calm",
        "box",
        "4-7-8",
        "sigh",
    ]
    assert bash_offers("calmfeet completion ", shell_env, tmp_path, bash_script) == list(SHELLS)
    assert bash_offers("calmfeet --theme li", shell_env, tmp_path, bash_script) == ["linen"]


def test_the_parsers_shells_are_the_scripts(paths: Paths) -> None:
    for shell in SHELLS:
        assert completion_script(shell, build_parser()).strip()
    assert main(["completion", "tcsh"], paths=paths) == 2


@pytest.mark.skipif(FISH is None, reason="fish is not installed (tests/check.sh installs it)")
def test_fish_offers_routine_ids(
    shell_env: dict[str, str], tmp_path: Path, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert FISH is not None
    assert main(["completion", "fish"], paths=paths) == 0
    script = tmp_path / "calmfeet.fish"
    script.write_text(capsys.readouterr().out, encoding="utf-8")
    probe = f"source {script}; complete -C 'calmfeet run qu'; complete -C 'calmfeet audio x '"
    done = subprocess.run(
        [FISH, "--no-config", "-c", probe],
        env=shell_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "quick-reset"
    assert "calmfeet.fish" in done.stdout  # a file for audio's second word


@pytest.mark.skipif(ZSH is None, reason="zsh is not installed (tests/check.sh installs it)")
def test_zsh_script_loads_and_registers(
    shell_env: dict[str, str], tmp_path: Path, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ZSH is not None
    assert main(["completion", "zsh"], paths=paths) == 0
    script = tmp_path / "_calmfeet"
    script.write_text(capsys.readouterr().out, encoding="utf-8")
    probe = (
        f"autoload -Uz compinit && compinit -u -d {tmp_path}/zcompdump; source {script}; "
        "print -r -- $_comps[calmfeet]"
    )
    done = subprocess.run(
        [ZSH, "-f", "-c", probe],
        env=shell_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "_calmfeet", "")
