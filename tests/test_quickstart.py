"""The README's first Quick start command, exactly as written, on Debian's own python3.

A fresh copy of the repository, a fresh HOME and only /usr/bin and /bin on PATH: Debian's
python3 there refuses `pip install` outside a virtual environment (PEP 668), which is what the
command must cope with. The command is read from README.md, so the two cannot drift apart.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parent.parent
TMUX = shutil.which("tmux", path="/usr/bin:/bin")
SYSTEM_PYTHON = Path("/usr/bin/python3")
INSTALL_DEADLINE = 600.0
"""The first run downloads calmfeet's dependencies from PyPI: a generous wait, never a limit on
how fast it must be."""
POLL = 0.25
KEPT_VARIABLES = re.compile(r"^(PIP_.*|(?i:https?_proxy|no_proxy)|SSL_CERT_.*|LANG|LC_ALL)$")
"""The machine's own network and pip settings pass through; nothing else of this session."""


def quick_start_commands() -> list[str]:
    """The ```sh blocks of the README's Quick start, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    section = section.split("\n### ", 1)[0]  # the blocks before any sub-section
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL)]


def copy_of_the_repository(target: Path) -> None:
    """What a fresh clone holds, with this working tree's changes: git's files, not .venv."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


class Shell:
    """bash in a private tmux server, started with only the environment given."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        assert TMUX is not None
        self.env = env
        self.socket = f"calmfeet-quickstart-{uuid.uuid4().hex[:12]}"
        shell = "env PS1='$ ' /bin/bash --noprofile --norc"  # no profile: it would reset PATH
        self._tmux("new-session", "-d", "-x", "100", "-y", "30", "-c", str(cwd), shell)

    def _tmux(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run(
            [TMUX, "-u", "-f", "/dev/null", "-L", self.socket, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, f"tmux {args[0]} failed: {done.stderr}"
        return done.stdout

    def type_line(self, line: str) -> None:
        self._tmux("send-keys", "-l", line)
        self._tmux("send-keys", "Enter")

    def send(self, key: str) -> None:
        self._tmux("send-keys", key)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p")

    def close(self) -> None:
        assert TMUX is not None
        subprocess.run([TMUX, "-L", self.socket, "kill-server"], capture_output=True, check=False)


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[Shell, Path]]:
    if TMUX is None:
        pytest.skip("tmux is not in /usr/bin: tests/check.sh installs it as root")
    if not SYSTEM_PYTHON.exists():
        pytest.skip("no /usr/bin/python3: this test is about a distribution's own Python")
    clone, home = tmp_path / "clone", tmp_path / "fresh-home"
    clone.mkdir()
    home.mkdir()
    copy_of_the_repository(clone)
    env = {k: v for k, v in os.environ.items() if KEPT_VARIABLES.match(k)}
    env.update(
        HOME=str(home),
        PATH="/usr/bin:/bin",
        SHELL="/bin/bash",
        LANG=env.get("LANG", "C.UTF-8"),
    )
    env["LC_ALL"] = "C.UTF-8"
    shell = Shell(env, clone)
    try:
        yield shell, clone
    finally:
        shell.close()


def test_the_readme_has_two_one_line_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    assert all("\n" not in command for command in commands), commands
    assert commands[1] == "bash tests/check.sh"


def test_ci_runs_exactly_the_second_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    run_lines = [line for line in ci.splitlines() if line and not line.startswith(("#", "set "))]
    assert run_lines[-1] == f"exec {quick_start_commands()[1]}"


def test_the_first_command_installs_and_opens_calmfeet_on_debians_python(
    fresh: tuple[Shell, Path],
) -> None:
    shell, clone = fresh
    command = quick_start_commands()[0]
    shell.type_line(command)
    end = time.monotonic() + INSTALL_DEADLINE
    while True:
        screen = shell.screen()
        lines = screen.splitlines()
        if lines and "calmfeet" in lines[0] and "Quick Reset" in screen:
            break  # the picker: its title bar and a built-in routine
        if time.monotonic() > end:
            pytest.fail(f"the picker never appeared after `{command}`; the screen:\n{screen}")
        time.sleep(POLL)
    # The environment is the clone's own, made from Debian's python3 (not from this session's).
    config = (clone / ".venv" / "pyvenv.cfg").read_text(encoding="utf-8")
    assert re.search(r"^home = /usr/bin$", config, re.MULTILINE), config
    shell.send("C-q")
    end = time.monotonic() + 30
    while "Quick Reset" in shell.screen():
        assert time.monotonic() < end, "ctrl+q did not close calmfeet"
        time.sleep(POLL)
