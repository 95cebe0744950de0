"""The installed `calmfeet` command in a real terminal (tmux): what a person sees and keeps."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

CALMFEET = shutil.which("calmfeet")
TMUX = shutil.which("tmux")
needs_calmfeet = pytest.mark.skipif(
    CALMFEET is None, reason="the calmfeet command is not installed: pip install -e ."
)

WIDTH, HEIGHT = 100, 30
POLL = 0.05
DEADLINE = 15.0  # how long to wait for something to appear; never a limit on how fast
EXIT_LINE = "EXIT="

ROUTINE = """\
name = "{name}"
summary = "For the end-to-end tests."
focus = ["energy"]
breathing = "resonance"
{steps}"""
STEP = """
[[steps]]
title = "{title}"
seconds = {seconds}
foot = "both"
zone = "{zone}"
"""


def write_routine(folder: Path, routine_id: str, seconds: float, count: int = 3) -> Path:
    zones = ("toes", "heel", "arch", "ball")
    steps = "".join(
        STEP.format(title=f"Part {n + 1}", seconds=seconds, zone=zones[n % len(zones)])
        for n in range(count)
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{routine_id}.toml"
    path.write_text(ROUTINE.format(name=routine_id.title(), steps=steps), encoding="utf-8")
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """calmfeet's folders in tmp_path; a UTF-8 locale so the drawing is the usual one."""
    home = tmp_path / "home"
    values = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }
    for key in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        Path(values[key]).mkdir(parents=True, exist_ok=True)
    # Sessions start on their first step: the get-ready and switch-feet pauses have tests of
    # their own (tests/test_flow.py), and these follow the steps' schedule.
    (home / ".config" / "calmfeet").mkdir(parents=True, exist_ok=True)
    (home / ".config" / "calmfeet" / "preferences.toml").write_text(
        "lead_in_seconds = 0\nswitch_seconds = 0\n", encoding="utf-8"
    )
    result = {k: v for k, v in os.environ.items() if k != "CALMFEET_ROUTINES"}
    result.pop("TMUX", None)
    result.update(values)
    return result


class Terminal:
    """One private tmux server; each `start` opens a fresh 100x30 session running a command."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.socket = f"calmfeet-e2e-{uuid.uuid4().hex[:12]}"
        self.session = ""
        self._count = 0

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run(
            [TMUX, "-u", "-f", "/dev/null", "-L", self.socket, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
        assert done.returncode == 0, f"tmux {args[0]} failed: {done.stderr}"
        return done.stdout

    def start(self, *calmfeet_args: str) -> None:
        """Run calmfeet under sh, which then prints its exit code and lingers for a moment."""
        assert CALMFEET is not None
        self._count += 1
        self.session = f"run{self._count}"
        exports = " ".join(
            f"{k}={shlex.quote(self.env[k])}"
            for k in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "LANG", "LC_ALL")
        )
        command = " ".join(shlex.quote(a) for a in (CALMFEET, *calmfeet_args))
        script = f"{command}; echo {EXIT_LINE}$?; sleep 5"
        self.tmux(
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            str(WIDTH),
            "-y",
            str(HEIGHT),
            f"env {exports} sh -c {shlex.quote(script)}",
        )

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def flat(self) -> str:
        """The pane's words with line breaks and runs of spaces made single spaces."""
        return " ".join(self.text().split())

    def wait_for(self, needle: str, *, flat: bool = False) -> str:
        """Poll until `needle` is on screen; fails with the screen when it never comes."""
        end = time.monotonic() + DEADLINE
        while True:
            screen = self.flat() if flat else self.text()
            if needle in screen:
                return screen
            if time.monotonic() > end:
                pytest.fail(f"{needle!r} never appeared; the screen shows:\n{self.text()}")
            time.sleep(POLL)

    def exit_code(self) -> int:
        screen = self.wait_for(EXIT_LINE)
        line = next(x for x in screen.splitlines() if x.startswith(EXIT_LINE))
        return int(line.removeprefix(EXIT_LINE).strip())

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def pane(self, variable: str) -> str:
        return self.tmux("display-message", "-p", "-t", self.session, f"#{{{variable}}}").strip()

    def calmfeet_pid(self) -> int:
        """The calmfeet process: the child of the pane's sh (the shim execs, keeping the pid)."""
        shell = int(self.pane("pane_pid"))
        children = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
        assert len(children) == 1, f"expected one child of the pane's shell, got {children}"
        return int(children[0])

    def close(self) -> None:
        subprocess.run(
            [TMUX or "tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False
        )


@pytest.fixture
def term(env: dict[str, str]) -> Iterator[Terminal]:
    if CALMFEET is None:
        pytest.skip("the calmfeet command is not installed: pip install -e .")
    if TMUX is None:
        pytest.skip("tmux not installed: tests/check.sh installs it")
    terminal = Terminal(env)
    try:
        yield terminal
    finally:
        terminal.close()


def calmfeet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    assert CALMFEET is not None
    return subprocess.run(
        [CALMFEET, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def row_of(screen: str, text: str) -> int:
    return next(i for i, line in enumerate(screen.splitlines()) if text in line)


# --- (a) the order a person sets is there next time ------------------------------------------


def test_moving_a_routine_up_is_there_on_the_next_launch(
    term: Terminal, env: dict[str, str]
) -> None:
    term.start()
    screen = term.wait_for("Circulation Boost")
    assert row_of(screen, "Ankle & Toe Mobility") < row_of(screen, "Circulation Boost")
    term.send("Down")
    term.send("S-Up")
    end = time.monotonic() + DEADLINE
    while True:  # wait for the move to show before quitting
        screen = term.text()
        if row_of(screen, "Circulation Boost") < row_of(screen, "Ankle & Toe Mobility"):
            break
        if time.monotonic() > end:
            pytest.fail(f"shift+up did not move the routine:\n{screen}")
        time.sleep(POLL)
    term.send("C-q")
    assert term.exit_code() == 0

    term.start()
    screen = term.wait_for("Ankle & Toe Mobility")
    assert row_of(screen, "Circulation Boost") < row_of(screen, "Ankle & Toe Mobility")
    term.send("C-q")
    assert term.exit_code() == 0

    listed = calmfeet(env, "list")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()][:2] == [
        "circulation-boost",
        "ankle-mobility",
    ]


# --- typing a routine's name in the picker only filters -------------------------------------

BUILTIN_NAMES = (
    "Ankle & Toe Mobility",
    "Circulation Boost",
    "Quick Reset",
    "Reflexology Walk",
    "Acupressure for Sleep",
    "Sleep Wind-Down",
    "Stress Release",
    "Tired Feet Relief",
    "Whole-Foot Tour",
)


def test_typing_each_routine_name_lists_only_that_routine(term: Terminal) -> None:
    """quick once quit, sleep opened Stats, tired filtered by focus: now every letter filters."""
    term.start()
    term.wait_for("Whole-Foot Tour")
    for name in BUILTIN_NAMES:
        term.send("-l", name.lower())
        term.wait_for(f"1 of {len(BUILTIN_NAMES)}")
        screen = term.wait_for(f"name: '{name.lower()}'")
        list_column = "\n".join(line[: WIDTH // 2] for line in screen.splitlines())
        assert [other for other in BUILTIN_NAMES if other in list_column] == [name], screen
        term.send("Escape")
        term.wait_for(f"{len(BUILTIN_NAMES)} of {len(BUILTIN_NAMES)}")
    term.send("C-q")
    assert term.exit_code() == 0


# --- (b) a short routine runs on time to the end ---------------------------------------------


def test_a_short_routine_runs_on_schedule_to_routine_complete(
    term: Terminal, tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    write_routine(folder, "short", seconds=2)
    term.start("run", "short", "--routines", str(folder))
    term.wait_for("Step 1 of 3")
    start = time.monotonic()
    expected = {"Step 2 of 3": 2.0, "Step 3 of 3": 4.0, "Routine complete": 6.0}
    seen: dict[str, float] = {}
    end = start + DEADLINE
    while len(seen) < len(expected):
        screen = term.text()
        now = time.monotonic() - start
        for needle in expected:
            if needle not in seen and needle in screen:
                seen[needle] = now
        if time.monotonic() > end:
            pytest.fail(f"only {sorted(seen)} appeared; the screen shows:\n{screen}")
        time.sleep(POLL)
    for needle, when in expected.items():
        # A generous check that steps follow the routine's clock, not a speed limit.
        assert abs(seen[needle] - when) <= 1.0, f"{needle} at {seen[needle]:.2f} s, not {when} s"
    term.send("Enter")
    assert term.exit_code() == 0


# --- (c) a broken routine file is named on screen; the good ones are still there -------------


def test_a_broken_routine_file_is_named_on_screen_and_the_rest_listed(
    term: Terminal, tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    write_routine(folder, "works-fine", seconds=30)
    (folder / "broken-feet.toml").write_text('name = "Broken"\nsteps = "no"\n', encoding="utf-8")
    term.start("--routines", str(folder))
    screen = term.wait_for("broken-feet.toml", flat=True)
    for name in ("Ankle & Toe Mobility", "Whole-Foot Tour", "Works-Fine"):
        assert name in screen
    term.send("C-q")
    assert term.exit_code() == 0


def test_a_large_library_with_a_named_pipe_still_opens_and_quits(
    term: Terminal, tmp_path: Path
) -> None:
    """Over 100 files load in the background; a FIFO among them is named, never waited on."""
    folder = tmp_path / "many"
    for number in range(120):
        write_routine(folder, f"mine-{number:03d}", seconds=30, count=1)
    os.mkfifo(folder / "stuck-pipe.toml")
    term.start("--routines", str(folder))
    screen = term.wait_for("stuck-pipe.toml", flat=True)
    assert "Mine-000" in screen or "129 of 129" in screen  # 120, the pipe's none, 9 built-ins
    term.send("C-q")
    assert term.exit_code() == 0


def test_list_and_validate_name_a_named_pipe_instead_of_hanging(
    env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "pipes"
    write_routine(folder, "fine", seconds=30)
    os.mkfifo(folder / "pipe.toml")
    listed = calmfeet(env, "list", "--routines", str(folder))
    assert listed.returncode == 0
    assert "fine" in listed.stdout
    assert "pipe.toml" in listed.stderr and "named pipe" in listed.stderr
    checked = calmfeet(env, "validate", str(folder / "pipe.toml"))
    assert checked.returncode == 3, "could not be read, which is not invalid"
    assert "named pipe" in checked.stdout


# --- (d) a signal ends a session cleanly and keeps it in history ------------------------------


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP", "SIGINT"]
)
def test_a_signal_during_a_session_exits_cleanly_and_records_it(
    term: Terminal, env: dict[str, str], tmp_path: Path, sig: signal.Signals
) -> None:
    folder = tmp_path / "mine"
    write_routine(folder, "long", seconds=60)
    term.start("run", "long", "--routines", str(folder))
    term.wait_for("Step 1 of 3")
    term.wait_for("2:48 left")  # over the 10 s a session needs to be kept
    assert term.pane("alternate_on") == "1"
    os.kill(term.calmfeet_pid(), sig)
    assert term.exit_code() == 128 + sig, "exits like other commands: 128 + the signal"
    screen = term.text()
    assert "Step 1 of 3" not in screen, "the app's screen should be gone"
    assert "Traceback" not in screen
    assert term.pane("alternate_on") == "0", "the terminal is back on the normal screen"
    assert term.pane("mouse_any_flag") == "0", "mouse reporting is switched off again"
    assert term.pane("cursor_flag") == "1", "the cursor is visible again"

    shown = calmfeet(env, "history", "--json")
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout)
    assert len(rows) == 1
    assert rows[0]["routine"] == "long"
    assert rows[0]["completed"] is False
    assert rows[0]["seconds"] >= 10


def test_closing_the_terminal_ends_calmfeet_and_keeps_the_session(
    term: Terminal, env: dict[str, str], tmp_path: Path
) -> None:
    """The real SIGHUP: the window goes away, so the terminal can no longer be written to."""
    folder = tmp_path / "mine"
    write_routine(folder, "long", seconds=60)
    term.start("run", "long", "--routines", str(folder))
    term.wait_for("2:48 left")  # over the 10 s a session needs to be kept
    pid = term.calmfeet_pid()
    term.close()  # the whole tmux server, and with it the terminal, is gone
    end = time.monotonic() + DEADLINE
    while Path(f"/proc/{pid}").exists() and _state(pid) != "Z":
        if time.monotonic() > end:
            os.kill(pid, signal.SIGKILL)
            pytest.fail("calmfeet kept running after its terminal closed")
        time.sleep(POLL)

    shown = calmfeet(env, "history", "--json")
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout)
    assert [row["routine"] for row in rows] == ["long"]
    assert rows[0]["completed"] is False


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


# --- (e) mistakes on the command line: exit 2, said in words ---------------------------------


@needs_calmfeet
def test_run_with_an_unknown_id_lists_the_ids(env: dict[str, str]) -> None:
    done = calmfeet(env, "run", "nosuch")
    assert done.returncode == 2
    assert "nosuch" in done.stderr
    for routine_id in ("quick-reset", "whole-foot-tour", "sleep-wind-down"):
        assert routine_id in done.stderr
    assert "Traceback" not in done.stderr


@needs_calmfeet
def test_an_unknown_theme_lists_the_themes(env: dict[str, str]) -> None:
    done = calmfeet(env, "--theme", "nosuch")
    assert done.returncode == 2
    for theme in ("dusk", "linen", "moss", "contrast"):
        assert theme in done.stderr


@needs_calmfeet
@pytest.mark.parametrize("pattern", ["0.5-0.5", "1-1-x", "4-7-8-9-9"])
def test_a_bad_breathing_pattern_is_one_line(env: dict[str, str], pattern: str) -> None:
    # "1-1" is a valid pattern today (a 2 s cycle is the shortest allowed), so it is not here.
    done = calmfeet(env, "breathe", pattern)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("calmfeet: ")
    assert done.stdout == ""


# --- (f) sound and screen together, through a real sound server ------------------------------

SOUND_STEP_SECONDS = 6.0
SOUND_ROUTINE = """\
name = "Sound check"
breathing = "4-6"
{steps}"""
SOUND_TOLERANCE = 0.050
"""The issue's bound: each cue within 50 ms of its change on screen, once the recording's
start is aligned with the screen's clock."""


def _watch_changes(term: Terminal, until: str) -> list[tuple[float, str, float]]:
    """(time.monotonic(), what, give or take) for each change seen on screen: "Step N", a
    phase word, and `until`; each at the middle between the capture that first showed it and
    the one before, give or take half the time between them."""
    import re

    step_of = re.compile(r"\bStep (\d+) of \d+\b")
    phase_word = re.compile(r"\b(Inhale|Exhale)\b")
    seen: list[tuple[float, str, float]] = []
    shown: dict[str, str] = {}
    before = time.monotonic()
    end = before + DEADLINE + 3 * SOUND_STEP_SECONDS
    while time.monotonic() < end:
        text = term.text()
        after = time.monotonic()
        when = (before + after) / 2
        previous, before = before, after
        step = step_of.search(text)
        word = phase_word.search(text)
        for kind, found in (("step", step), ("phase", word)):
            if found is None:
                continue
            value = f"Step {found.group(1)}" if kind == "step" else found.group(1)
            if shown.get(kind) != value:
                shown[kind] = value
                seen.append((when, value, (after - previous) / 2))
        if until in text:
            seen.append((when, until, (after - previous) / 2))
            return seen
        time.sleep(0.002)
    pytest.fail(f"{until!r} never appeared; the screen shows:\n{term.text()}")


@pytest.mark.slow
def test_chimes_and_breath_tones_are_heard_with_the_changes_on_screen(
    pulse_sink: Any, env: dict[str, str], tmp_path: Path
) -> None:
    """The installed calmfeet plays into a PulseAudio null sink while parecord records its
    monitor: each step change's chime and each new breath tone starts within 50 ms of the
    change on screen (the recording's start aligned by the median offset)."""
    if CALMFEET is None or TMUX is None:
        pytest.skip("needs the calmfeet command and tmux")
    import numpy as np
    from audio_analysis import onsets, read_wav
    from test_audio_track import breath_onset, chime_onset

    root = Path(__file__).resolve().parent.parent
    sound_env = {k: v for k, v in env.items() if k != "CALMFEET_AUDIO_BACKEND"}
    sound_env.update(pulse_sink.variables)
    sound_env["PYTHONPATH"] = str(root)  # this checkout's calmfeet, whatever is installed
    config = Path(sound_env["XDG_CONFIG_HOME"]) / "calmfeet" / "preferences.toml"
    config.write_text(
        'lead_in_seconds = 0\nswitch_seconds = 0\nsession_view = "detail"\nsound_volume = 100\n',
        encoding="utf-8",
    )
    steps = "".join(
        STEP.format(title=f"Part {n + 1}", seconds=SOUND_STEP_SECONDS, zone="arch")
        for n in range(3)
    )
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "sound-check.toml").write_text(SOUND_ROUTINE.format(steps=steps), encoding="utf-8")
    recording = tmp_path / "sink.wav"
    terminal = Terminal(sound_env)
    try:
        with pulse_sink.record(recording):
            terminal.start("run", "sound-check", "--routines", str(folder))
            terminal.wait_for("Step 1 of 3")
            changes = _watch_changes(terminal, "Routine complete")
            time.sleep(1.0)  # the closing chime's first notes reach the recording
            screen = terminal.text()
            terminal.send("Enter")
            assert terminal.exit_code() == 0
    finally:
        terminal.close()
    assert "ALSA" not in screen and "Traceback" not in screen
    assert "No sound device" not in screen

    signal, rate = read_wav(recording)
    assert rate == 44100, rate
    samples = signal * 32768.0  # the analysis works in 16-bit units
    steps_seen = [(when, what, wide) for when, what, wide in changes if what.startswith("Step ")]
    phases = [(when, what, wide) for when, what, wide in changes if what in ("Inhale", "Exhale")]
    assert [what for _, what, _ in steps_seen] == ["Step 1", "Step 2", "Step 3"], changes
    assert [what for _, what, _ in phases] == ["Inhale", "Exhale", "Inhale", "Exhale"], changes
    # The first step is on screen while its sounds are made; its clock starts a moment later,
    # which the screen shows as its first exhale 4 s on. The changes checked come after.
    counting_from = phases[1][0] - 4.0
    last_step = steps_seen[2]
    on_screen = {
        "Exhale at 4 s": phases[1],
        "Step 2 at 6 s": steps_seen[1],
        "Inhale at 10 s": phases[2],
        "Step 3 at 12 s": last_step,
        "Exhale at 14 s": phases[3],
        # "Routine complete" takes its own screen a moment to build: the closing chime is
        # timed against the last step's change and its length instead.
        "end at 18 s": (last_step[0] + SOUND_STEP_SECONDS, "end", last_step[2]),
    }
    scheduled = {"Exhale at 4 s": 4.0, "Step 2 at 6 s": 6.0, "Inhale at 10 s": 10.0}
    scheduled |= {"Step 3 at 12 s": 12.0, "Exhale at 14 s": 14.0, "end at 18 s": 18.0}
    # Where the clock's start falls in the recording, roughly: the first sound after silence.
    rough = onsets(signal, rate)[0] - counting_from
    offsets: dict[str, float] = {}
    for what, (when, _, _) in on_screen.items():
        near = counting_from + scheduled[what] + rough  # searched near its schedule
        listen = breath_onset if what[0] in "EI" else chime_onset
        offsets[what] = listen(samples, near) - when
    aligned = float(np.median(list(offsets.values())))
    report = ", ".join(
        f"{what}: {1000 * (offsets[what] - aligned):+.0f} ms (± {1000 * wide:.0f})"
        for what, (_, _, wide) in on_screen.items()
    )
    # The first chime, due the moment the clock starts, comes as soon as the device can play
    # it: after what its buffer already holds (about 30-50 ms). Said, not checked.
    first = chime_onset(samples, counting_from + aligned) - counting_from - aligned
    print(
        f"sound against screen, the recording's start aligned by the median: {report}; "
        f"the first step's chime (at the clock's start) {1000 * first:+.0f} ms"
    )
    # Each change is known on screen only to within the time between two captures.
    late = [
        w
        for w, (_, _, wide) in on_screen.items()
        if abs(offsets[w] - aligned) > SOUND_TOLERANCE + wide
    ]
    assert late == [], report
