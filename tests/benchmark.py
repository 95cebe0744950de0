#!/usr/bin/env python3
"""Benchmark: the installed calmfeet in a real terminal (tmux), beside bare Textual baselines."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SOCKET = "calmfeet-bench"
WIDTH, HEIGHT = 100, 30
PAINT_TIMEOUT = 20.0
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "fish", "env"})

PHASE_WORD = re.compile(r"\b(Inhale|Hold|Exhale)\b")
STEP_OF = re.compile(r"\bStep (\d+) of (\d+)\b")
COUNT_OF = re.compile(r"\b(\d+) of (\d+)\b")
COMPLETE = "Routine complete"

BARE_APP = '''\
"""Baseline: the smallest Textual app that paints one word."""
from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("calmfeet")


Bare().run()
'''

NAIVE_BAR_APP = '''\
"""Baseline: a naive animated bar, Static.update() 30 times a second, width on a sine."""
import math
import time

from textual.app import App, ComposeResult
from textual.widgets import Static

PERIOD = 12.0  # the same breath as the 6-6 pattern calmfeet is measured with


class NaiveBar(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("", id="bar")

    def on_mount(self) -> None:
        self.started = time.monotonic()
        self.set_interval(1 / 30, self.tick)

    def tick(self) -> None:
        phase = (time.monotonic() - self.started) / PERIOD * 2 * math.pi
        width = 1 + round((1 - math.cos(phase)) / 2 * 90)
        self.query_one("#bar", Static).update("\\u2588" * width)


NaiveBar().run()
'''

TEXTUAL_FLOOR_APP = '''\
"""Baseline: Textual's floor for a pacer, one widget redrawing five rows 12.5 times a second
from an event-loop timer, with nothing else to do (no session, no text, no other widgets).

With --clock, the floor for what a session must show: the same, plus the time left changing
once a second (a Digits clock and a one-line label)."""
import asyncio
import math
import sys
import time

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Digits, Static

WITH_CLOCK = "--clock" in sys.argv


def clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


class Band(Widget):
    DEFAULT_CSS = "Band { width: 56; height: 9; }"
    level = 1

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if 2 <= y < 7:
            filled = Segment("\\u2588" * self.level, Style(color="green"))
            return Strip([Segment(" " * (width - self.level)), filled], width)
        return Strip.blank(width)


class Floor(App[None]):
    CSS = "Digits { width: 12; } #left { width: 20; }"

    def compose(self) -> ComposeResult:
        if WITH_CLOCK:
            yield Digits(clock(300))
            yield Static(f"{clock(900)} left", id="left")
        yield Band()

    def on_mount(self) -> None:
        self.started = time.monotonic()
        self.band = self.query_one(Band)
        loop = asyncio.get_running_loop()
        loop.call_later(0.08, self.tick)
        if WITH_CLOCK:
            self.digits = self.query_one(Digits)
            self.left = self.query_one("#left", Static)
            loop.call_later(1.0, self.second)

    def tick(self) -> None:
        phase = (time.monotonic() - self.started) / 12.0 * 2 * math.pi
        self.band.level = 1 + round((1 - math.cos(phase)) / 2 * 54)
        self.band.refresh(Region(0, 2, 56, 5))
        asyncio.get_running_loop().call_later(0.08, self.tick)

    def second(self) -> None:
        gone = round(time.monotonic() - self.started)
        self.digits.update(clock(300 - gone))
        self.left.update(f"{clock(900 - gone)} left", layout=False)
        asyncio.get_running_loop().call_later(1.0, self.second)


Floor().run()
'''

STREAM_FLOOR_APP = '''\
"""Baseline: miniaudio's floor for sound, one playback stream (as calmfeet opens it: 16-bit
mono, 44.1 kHz, 40 ms buffers) whose callback returns silence and does nothing else."""
import time

import miniaudio

def silence():
    frames = yield b""
    while True:
        frames = yield bytes(2 * frames)

device = miniaudio.PlaybackDevice(
    output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1, sample_rate=44100,
    buffersize_msec=40, backends=[miniaudio.Backend.PULSEAUDIO], app_name="floor",
)
feeder = silence()
next(feeder)
device.start(feeder)
time.sleep(3600)
'''


class BenchError(Exception):
    """A measurement that could not be taken; the message says why, for the table."""


class CannotRun(Exception):
    """calmfeet itself does not start: the only reason this script exits non-zero."""


# ---- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    short: bool
    launches: int  # start-up launches of each app
    busy_window: float  # CPU window while the pacer animates
    cpu_rounds: int  # turn-about rounds of those windows
    paused_window: float
    scale_launches: int
    list_runs: int
    key_presses: int

    @classmethod
    def for_mode(cls, short: bool) -> Settings:
        if short:
            return cls(True, 5, 5.0, 3, 2.0, 3, 3, 6)
        return cls(False, 9, 10.0, 3, 5.0, 5, 3, 20)


# ---- results ----------------------------------------------------------------------------------


@dataclass
class Row:
    what: str
    calmfeet: str
    baseline: str = "—"
    ratio: str = "—"
    target: str = "—"
    verdict: str = "info"
    data: dict[str, object] = field(default_factory=dict)


def verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base > 0 else "—"


# ---- /proc ------------------------------------------------------------------------------------


def proc_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


@dataclass(frozen=True)
class CpuReading:
    """A process's CPU time so far, read two ways: each thread's in nanoseconds (schedstat),
    and the whole process's utime + stime in clock ticks, which keeps ended threads' time but
    moves in steps of 10 ms (0.1 % of a core over a 10 s window)."""

    threads: dict[int, int]
    ticks: int


def read_cpu(pid: int) -> CpuReading:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    threads: dict[int, int] = {}
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                threads[int(task.name)] = int((task / "schedstat").read_text().split()[0])
    return CpuReading(threads, int(fields[11]) + int(fields[12]))


def cpu_seconds_between(before: CpuReading, after: CpuReading) -> float:
    """CPU seconds between two readings: from the threads' nanoseconds when every thread
    seen before is still there (one that ended took its time with it), else the ticks."""
    if before.threads and after.threads and before.threads.keys() <= after.threads.keys():
        return sum(after.threads.values()) / 1e9 - sum(before.threads.values()) / 1e9
    return (after.ticks - before.ticks) / CLOCK_TICK


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise BenchError(f"no VmHWM for process {pid}")


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except FileNotFoundError:
        return ""


def app_pid(pane_pid: int) -> int:
    """The app's process: the pane's own if it exec'd, else the child of the shell tmux ran."""
    pid = pane_pid
    for _ in range(5):
        if comm(pid) not in SHELLS:
            return pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except FileNotFoundError:
            return pid
        if not children:
            return pid
        pid = int(children[0])
    return pid


# ---- tmux -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """One capture: the pane's text and when it was taken (midpoint of the capture call)."""

    t: float
    cost: float
    text: str


class Tmux:
    """A private tmux server (its own socket), so no one else's sessions are ever touched."""

    def __init__(self, socket: str, env: dict[str, str]) -> None:
        self.socket = socket
        self.env = env
        self._count = 0

    def run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, env=self.env
        )
        if check and done.returncode != 0:
            raise BenchError(f"tmux {args[0]}: {done.stderr.strip()}")
        return done.stdout

    def start(self) -> None:
        self.run("kill-server", check=False)  # a server left behind by an interrupted run
        self.run("new-session", "-d", "-s", "keeper", "-x", str(WIDTH), "-y", str(HEIGHT))
        self.run("set-option", "-g", "default-terminal", "tmux-256color")
        self.run("set-option", "-wg", "remain-on-exit", "on")  # keep a crash's traceback
        self.run("set-option", "-g", "history-limit", "0")

    def stop(self) -> None:
        self.run("kill-server", check=False)

    def spawn(self, label: str, argv: Sequence[str], env: dict[str, str]) -> tuple[str, int]:
        self._count += 1
        name = f"{label}-{self._count}"
        assignments = [f"{k}={v}" for k, v in env.items()]
        command = "exec " + shlex.join(["env", *assignments, *argv])
        out = self.run(
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            str(WIDTH),
            "-y",
            str(HEIGHT),
            "-P",
            "-F",
            "#{pane_pid}",
            command,
        )
        return name, int(out.strip())

    def capture(self, name: str, *, styled: bool = False) -> Frame:
        """The pane's text; `styled` keeps colours and reverse video (a moved highlight)."""
        start = time.perf_counter()
        text = self.run("capture-pane", "-p", *(["-e"] if styled else []), "-t", f"={name}:")
        end = time.perf_counter()
        return Frame((start + end) / 2, end - start, text)

    def send(self, name: str, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", f"={name}:", *(["-l"] if literal else []), *keys)

    def kill(self, name: str) -> None:
        self.run("kill-session", "-t", f"={name}", check=False)


@dataclass
class Launched:
    name: str
    pid: int
    spawned: float
    ready: Frame

    @property
    def seconds(self) -> float:
        return self.ready.t - self.spawned


NO_INTERLUDES = "lead_in_seconds = 0\nswitch_seconds = 0\n"


class Bench:
    """Everything one benchmark run needs: the tmux server, the temp folders, the commands."""

    def __init__(self, settings: Settings, root: Path, calmfeet: str, python: str) -> None:
        self.settings = settings
        self.root = root
        self.calmfeet = calmfeet
        self.python = python
        clean = {
            k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "CALMFEET", "TMUX"))
        }
        clean.pop("NO_COLOR", None)
        clean["COLORTERM"] = "truecolor"
        self.tmux = Tmux(SOCKET, clean)
        self.app_env = {
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_DATA_HOME": str(root / "data"),
        }
        # The timing rows follow the steps' own schedule: no get-ready or switch-feet pause.
        (root / "config" / "calmfeet").mkdir(parents=True, exist_ok=True)
        (root / "config" / "calmfeet" / "preferences.toml").write_text(
            NO_INTERLUDES, encoding="utf-8"
        )
        self.bare = root / "bare_app.py"
        self.bare.write_text(BARE_APP)
        self.naive_bar = root / "naive_bar_app.py"
        self.naive_bar.write_text(NAIVE_BAR_APP)
        self.textual_floor = root / "textual_floor_app.py"
        self.textual_floor.write_text(TEXTUAL_FLOOR_APP)
        self.stream_floor = root / "stream_floor_app.py"
        self.stream_floor.write_text(STREAM_FLOOR_APP)

    # ---- launching ---------------------------------------------------------------------------

    def launch(
        self,
        label: str,
        argv: Sequence[str],
        ready: Callable[[str], bool],
        interval: float = 0.01,
        env: dict[str, str] | None = None,
    ) -> Launched:
        """Start in a fresh pane and poll every `interval` until `ready(text)`; `env` is added
        to the app's environment."""
        spawned = time.perf_counter()
        name, pane_pid = self.tmux.spawn(label, argv, {**self.app_env, **(env or {})})
        deadline = spawned + PAINT_TIMEOUT
        frame = self.tmux.capture(name)
        while not ready(frame.text):
            if time.perf_counter() > deadline or not proc_alive(pane_pid):
                self._give_up(name, frame, argv)
            time.sleep(max(0.0, interval - frame.cost))
            frame = self.tmux.capture(name)
        return Launched(name, app_pid(pane_pid), spawned, frame)

    def _give_up(self, name: str, frame: Frame, argv: Sequence[str]) -> None:
        time.sleep(0.3)
        with contextlib.suppress(BenchError):
            frame = self.tmux.capture(name)
        self.tmux.kill(name)
        lines = [line for line in frame.text.splitlines() if line.strip()]
        tail = " | ".join(lines[-4:]) or "(blank screen)"
        raise BenchError(f"`{shlex.join(argv)}` never showed what was expected; screen: {tail}")

    def close(self, launched: Launched) -> None:
        self.tmux.kill(launched.name)
        deadline = time.perf_counter() + 5
        while proc_alive(launched.pid) and time.perf_counter() < deadline:
            time.sleep(0.02)
        if proc_alive(launched.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(launched.pid, signal.SIGKILL)

    @contextlib.contextmanager
    def running(
        self,
        label: str,
        argv: Sequence[str],
        ready: Callable[[str], bool],
        env: dict[str, str] | None = None,
    ) -> Iterator[Launched]:
        launched = self.launch(label, argv, ready, env=env)
        try:
            yield launched
        finally:
            self.close(launched)

    def settle(self, launched: Launched, quiet: float = 0.15, timeout: float = 3.0) -> Frame:
        """Wait until the screen has not changed for `quiet` seconds (a static screen)."""
        frame = self.tmux.capture(launched.name)
        stable_since = frame.t
        deadline = frame.t + timeout
        while frame.t < deadline:
            time.sleep(0.02)
            latest = self.tmux.capture(launched.name)
            if latest.text != frame.text:
                stable_since = latest.t
            frame = latest
            if frame.t - stable_since >= quiet:
                break
        return frame

    # ---- sampling ----------------------------------------------------------------------------

    def sample(self, launched: Launched, seconds: float, hz: float = 40.0) -> dict[str, float]:
        """CPU (% of one core, from /proc) and distinct screens per second over a window."""
        interval = 1 / hz
        previous = self.tmux.capture(launched.name).text
        cpu0 = read_cpu(launched.pid)
        t0 = time.perf_counter()
        changes = captures = 0
        next_at = t0
        while True:
            frame = self.tmux.capture(launched.name)
            captures += 1
            if frame.text != previous:
                changes += 1
                previous = frame.text
            next_at += interval
            now = time.perf_counter()
            if now - t0 >= seconds:
                break
            time.sleep(max(0.0, next_at - now))
        t1 = time.perf_counter()
        used = cpu_seconds_between(cpu0, read_cpu(launched.pid))
        elapsed = t1 - t0
        return {
            "cpu_percent": used / elapsed * 100,
            "cpu_seconds": used,
            "seconds": elapsed,
            "screens_per_second": changes / elapsed,
            "captures_per_second": captures / elapsed,
        }

    # ---- commands ----------------------------------------------------------------------------

    def cf(self, *args: str) -> list[str]:
        return [self.calmfeet, *args]

    def cf_output(self, *args: str) -> str:
        done = subprocess.run(
            self.cf(*args), capture_output=True, text=True, env={**os.environ, **self.app_env}
        )
        if done.returncode != 0:
            raise BenchError(
                f"`calmfeet {shlex.join(args)}` exited {done.returncode}: "
                f"{done.stderr.strip()[-300:]}"
            )
        return done.stdout


# ---- routines generated for the benchmark -----------------------------------------------------

ZONES = ("toes", "ball", "arch", "heel", "inner-edge", "outer-edge", "top", "ankle")
FOCUS = ("stress", "circulation", "pain", "flexibility", "wellbeing", "sleep", "energy")


def routine_toml(name: str, breathing: str, steps: Sequence[tuple[float, str | None]]) -> str:
    """A routine file with no caution (so no dialog) and no phase words in its text."""
    lines = [
        f'name = "{name}"',
        'summary = "Generated by the calmfeet benchmark."',
        f'focus = ["{FOCUS[len(name) % len(FOCUS)]}"]',
        f'breathing = "{breathing}"',
    ]
    for index, (seconds, pattern) in enumerate(steps):
        lines += [
            "",
            "[[steps]]",
            f'title = "Bench step {index + 1}"',
            f"seconds = {seconds:g}",
            'foot = "both"',
            f'zone = "{ZONES[index % len(ZONES)]}"',
            'how = "Slow, even pressure with both thumbs."',
        ]
        if pattern is not None:
            lines.append(f'breathing = "{pattern}"')
    return "\n".join(lines) + "\n"


# ---- 1 and 4: start-up and memory -------------------------------------------------------------


def picker_ready(first_name: str) -> Callable[[str], bool]:
    def ready(text: str) -> bool:
        lines = text.splitlines()
        return bool(lines) and "calmfeet" in lines[0] and first_name in text

    return ready


def bare_ready(text: str) -> bool:
    return "calmfeet" in text


def measure_startup(bench: Bench, first_name: str) -> list[Row]:
    cf_times: list[float] = []
    bare_times: list[float] = []
    cf_rss: list[int] = []
    bare_rss: list[int] = []
    for _ in range(bench.settings.launches):
        # Interleaved, so a busy moment on the machine hits both the same way.
        with bench.running("cf-start", bench.cf(), picker_ready(first_name)) as launched:
            cf_times.append(launched.seconds)
            time.sleep(0.5)
            cf_rss.append(peak_rss_kib(launched.pid))
        with bench.running("bare-start", [bench.python, str(bench.bare)], bare_ready) as launched:
            bare_times.append(launched.seconds)
            time.sleep(0.5)
            bare_rss.append(peak_rss_kib(launched.pid))
    cf_t, bare_t = statistics.median(cf_times), statistics.median(bare_times)
    cf_m, bare_m = statistics.median(cf_rss), statistics.median(bare_rss)
    n = bench.settings.launches
    return [
        Row(
            f"Start-up to first painted picker (median of {n})",
            ms(cf_t),
            ms(bare_t) + " bare app",
            ratio(cf_t, bare_t),
            "≤ 1.5× bare",
            verdict(cf_t <= 1.5 * bare_t),
            {"calmfeet_s": cf_times, "bare_s": bare_times},
        ),
        Row(
            "Peak memory (VmHWM) at the picker",
            f"{cf_m / 1024:.1f} MiB",
            f"{bare_m / 1024:.1f} MiB bare app",
            ratio(cf_m, bare_m),
            "≤ 1.3× bare",
            verdict(cf_m <= 1.3 * bare_m),
            {"calmfeet_kib": cf_rss, "bare_kib": bare_rss},
        ),
    ]


# ---- 2 and 3: CPU while animating and paused ---------------------------------------------------


def session_ready(text: str) -> bool:
    return STEP_OF.search(text) is not None and "Step 1 of" in text


PACER_BREATH_SECONDS = 12.0
"""bench-pacer breathes 6-6: from its second breath on, every pacer frame has been drawn once
and is kept (`KeptLines`), which is how all but the first 12 s of a session run."""


def bar_ready(text: str) -> bool:
    return "\u2588" in text


def median_sample(samples: Sequence[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds, and the rounds' CPU for the record."""
    keys = ("cpu_percent", "screens_per_second", "seconds")
    merged = {key: statistics.median(sample[key] for sample in samples) for key in keys}
    merged.update({f"round_{i + 1}_cpu": sample["cpu_percent"] for i, sample in enumerate(samples)})
    return merged


def measure_cpu(bench: Bench, routines: Path) -> list[Row]:
    """calmfeet, the naive bar and Textual's two floors run side by side and are sampled turn
    about, round after round (one app's window, then the next's), so a change in the machine's
    load falls on all four; each figure is the median of its rounds."""
    settings = bench.settings
    rows: list[Row] = []
    window = settings.busy_window
    # Silent, as these rows always were: the sound rows (8) measure what sound adds.
    argv = bench.cf("run", "bench-pacer", "--routines", str(routines), "--no-sound")
    bar_argv = [bench.python, str(bench.naive_bar)]
    floor_argv = [bench.python, str(bench.textual_floor)]
    clock_floor_argv = [*floor_argv, "--clock"]
    with contextlib.ExitStack() as stack:
        cf = stack.enter_context(bench.running("cf-busy", argv, session_ready))
        began = time.perf_counter()
        time.sleep(1.0)  # past the first frames and any start-up work
        first_breath = bench.sample(cf, min(window, PACER_BREATH_SECONDS - 2.0))
        bar = stack.enter_context(bench.running("bar-busy", bar_argv, bar_ready))
        floor = stack.enter_context(bench.running("floor-busy", floor_argv, bar_ready))
        clock_floor = stack.enter_context(
            bench.running("clock-floor-busy", clock_floor_argv, bar_ready)
        )
        time.sleep(max(1.0, began + PACER_BREATH_SECONDS + 1.0 - time.perf_counter()))
        apps = (("calmfeet", cf), ("bar", bar), ("floor", floor), ("clock_floor", clock_floor))
        rounds: dict[str, list[dict[str, float]]] = {name: [] for name, _ in apps}
        for _ in range(settings.cpu_rounds):
            for name, launched in apps:
                rounds[name].append(bench.sample(launched, window))
        bench.tmux.send(cf.name, "space")
        time.sleep(1.0)
        paused = bench.sample(cf, settings.paused_window)
        paused_word = "Paused" in bench.tmux.capture(cf.name).text
    busy, bar_cpu, floor_cpu, clock_floor_cpu = (median_sample(rounds[name]) for name, _ in apps)
    each = f"median of {settings.cpu_rounds} turn-about rounds of {window:g} s"
    bar_text = f"{bar_cpu['cpu_percent']:.2f} % naive 30 Hz bar"
    rows.append(
        Row(
            f"CPU while the session pacer animates, from its second breath ({each}, % of one core)",
            f"{busy['cpu_percent']:.2f} %",
            bar_text,
            ratio(busy["cpu_percent"], bar_cpu["cpu_percent"]),
            "≤ 0.45× naive bar",
            verdict(busy["cpu_percent"] <= 0.45 * bar_cpu["cpu_percent"]),
            {"calmfeet": busy, "naive_bar": bar_cpu},
        )
    )
    rows.append(
        Row(
            f"CPU in the session's first breath, while each frame is drawn the first time "
            f"({first_breath['seconds']:.0f} s from 1 s in)",
            f"{first_breath['cpu_percent']:.2f} %",
            bar_text,
            ratio(first_breath["cpu_percent"], bar_cpu["cpu_percent"]),
            verdict="info",
            data={"calmfeet": first_breath},
        )
    )
    rows.append(
        Row(
            "Distinct screens per second while animating (40 Hz capture)",
            f"{busy['screens_per_second']:.1f}/s",
            f"{bar_cpu['screens_per_second']:.1f}/s naive bar",
            ratio(busy["screens_per_second"], bar_cpu["screens_per_second"]),
            "≥ 12/s",
            verdict(busy["screens_per_second"] >= 12.0),
        )
    )
    for what, key, floor_sample in (
        (
            "Textual's floor for that: one widget redrawing 5 rows 12.5 times a second, "
            "nothing else",
            "floor",
            floor_cpu,
        ),
        (
            "Textual's floor with the time left: the same, plus a Digits clock and a 'left' "
            "label changing once a second",
            "clock_floor",
            clock_floor_cpu,
        ),
    ):
        percent = floor_sample["cpu_percent"]
        rows.append(
            Row(
                what,
                f"{percent:.2f} %",
                bar_text,
                ratio(percent, bar_cpu["cpu_percent"]),
                verdict="info",
                data={key: floor_sample},
            )
        )
    note = "" if paused_word else " (no 'Paused' on screen!)"
    rows.append(
        Row(
            f"CPU paused ({settings.paused_window:g} s, 1 s after space){note}",
            f"{paused['cpu_percent']:.2f} %",
            target="≤ 0.5 %",
            verdict=verdict(paused["cpu_percent"] <= 0.5 and paused_word),
            data={"calmfeet": paused, "paused_shown": paused_word},
        )
    )
    return rows


# ---- 5: timing against the schedule -----------------------------------------------------------


@dataclass(frozen=True)
class Change:
    t: float
    value: str


def expected_changes(routine_file: Path) -> tuple[list[Change], list[Change]]:
    """Phase-word and step changes from the routine itself: the breath continues across steps
    with an equal pattern and starts afresh (with an inhale) when the pattern changes."""
    from calmfeet.core.routines import load_routine

    routine = load_routine(routine_file)
    phases: list[Change] = []
    steps: list[Change] = []
    start = origin = 0.0
    previous_pattern = None
    word: str | None = None
    for index, step in enumerate(routine.steps):
        pattern = step.breathing
        end = start + step.seconds
        if previous_pattern is None or pattern != previous_pattern:
            origin = start
        if index:
            steps.append(Change(start, f"Step {index + 1}"))
        for boundary in pattern.boundaries(end - origin):
            t = origin + boundary
            if t < start - 1e-9 or t >= end - 1e-9:
                continue
            new_word = pattern.state_at(boundary + 1e-6).phase.word
            if new_word != word:
                if word is not None:
                    phases.append(Change(t, new_word))
                word = new_word
        start, previous_pattern = end, pattern
    steps.append(Change(start, "complete"))
    return phases, steps


@dataclass
class Matched:
    errors: list[float]
    missed: list[Change]
    extra: list[Change]


def match(expected: Sequence[Change], observed: Sequence[Change], tolerance: float) -> Matched:
    """Pair each expected change with the nearest unused observed change of the same value."""
    used: set[int] = set()
    errors: list[float] = []
    missed: list[Change] = []
    for want in expected:
        best: int | None = None
        for i, seen in enumerate(observed):
            if i in used or seen.value != want.value or abs(seen.t - want.t) > tolerance:
                continue
            if best is None or abs(seen.t - want.t) < abs(observed[best].t - want.t):
                best = i
        if best is None:
            missed.append(want)
        else:
            used.add(best)
            errors.append(observed[best].t - want.t)
    extra = [seen for i, seen in enumerate(observed) if i not in used]
    return Matched(errors, missed, extra)


def measure_timing(bench: Bench, routine_file: Path, hz: float) -> list[Row]:
    phases_expected, steps_expected = expected_changes(routine_file)
    total = steps_expected[-1].t
    argv = bench.cf("run", routine_file.stem, "--routines", str(routine_file.parent), "--no-sound")
    # The phase word is read as text, which the detail view prints in one row; the big view
    # draws the same word, changed by the same wake-up, in big type.
    detail = bench.root / "config-detail"
    (detail / "calmfeet").mkdir(parents=True, exist_ok=True)
    (detail / "calmfeet" / "preferences.toml").write_text(
        NO_INTERLUDES + 'session_view = "detail"\n', encoding="utf-8"
    )
    spawned = time.perf_counter()
    env = {**bench.app_env, "XDG_CONFIG_HOME": str(detail)}
    name, pane_pid = bench.tmux.spawn("cf-timing", argv, env)
    interval = 1 / hz
    previous: Frame | None = None
    origin: float | None = None
    word: str | None = None
    step: str | None = None
    phases_seen: list[Change] = []
    steps_seen: list[Change] = []
    gaps: list[float] = []
    costs: list[float] = []
    next_at = time.perf_counter()
    try:
        while True:
            frame = bench.tmux.capture(name)
            costs.append(frame.cost)
            # The change happened between the previous capture and this one: take the middle.
            when = frame.t if previous is None else (previous.t + frame.t) / 2
            if previous is not None and origin is not None:
                gaps.append(frame.t - previous.t)
            text = frame.text
            found_step = STEP_OF.search(text)
            if origin is None:
                if found_step is not None and found_step.group(1) == "1":
                    origin = when
                    step = "Step 1"
                    phase = PHASE_WORD.search(text)
                    word = phase.group(1) if phase else None
                elif frame.t - spawned > PAINT_TIMEOUT or not proc_alive(pane_pid):
                    lines = [line for line in text.splitlines() if line.strip()]
                    raise BenchError(
                        "the session never showed 'Step 1 of'; screen: "
                        + (" | ".join(lines[-4:]) or "(blank)")
                    )
            else:
                t = when - origin
                if COMPLETE in text:
                    steps_seen.append(Change(t, "complete"))
                    break
                if found_step is not None and f"Step {found_step.group(1)}" != step:
                    step = f"Step {found_step.group(1)}"
                    steps_seen.append(Change(t, step))
                phase = PHASE_WORD.search(text)
                if phase is not None and phase.group(1) != word:
                    word = phase.group(1)
                    phases_seen.append(Change(t, word))
                if t > total + 5 or not proc_alive(pane_pid):
                    break
            previous = frame
            next_at += interval
            time.sleep(max(0.0, next_at - time.perf_counter()))
    finally:
        bench.tmux.kill(name)
    phase_match = match(phases_expected, phases_seen, tolerance=0.5)
    step_match = match(steps_expected, steps_seen, tolerance=1.0)
    gap = statistics.median(gaps) if gaps else 0.0
    label = f"{total:g} s routine, {len(steps_expected)} steps"
    rows = [
        _error_rows("Phase-word changes", phase_match, len(phases_expected), 0.050, label),
        _error_rows(
            "Step changes (and 'Routine complete')", step_match, len(steps_expected), 0.100, label
        ),
    ]
    flat = [row for pair in rows for row in pair]
    for what, found in (("phase", phase_match), ("step", step_match)):
        drift = found.errors[-1] - found.errors[0] if len(found.errors) >= 2 else 0.0
        flat.append(
            Row(
                f"Drift over the routine, {what} changes (last error − first)",
                f"{drift * 1000:+.0f} ms",
                data={"drift_s": drift},
            )
        )
    for what, found in (("phase", phase_match), ("step", step_match)):
        if found.errors:
            offset = statistics.median(found.errors)
            spread = max(abs(e - offset) for e in found.errors)
            flat.append(
                Row(
                    f"Jitter, {what} changes (max |error − median error|; the offset removed)",
                    ms(spread),
                    data={"offset_s": offset, "spread_s": spread},
                )
            )
    flat.append(
        Row(
            "Capture resolution for timing (median interval / capture call)",
            f"{gap * 1000:.1f} ms / {statistics.median(costs) * 1000:.1f} ms",
            target=f"errors are ± {gap * 500:.0f} ms",
            data={"interval_s": gap, "capture_cost_s": statistics.median(costs), "hz": hz},
        )
    )
    return flat


def _error_rows(
    what: str, found: Matched, expected: int, target: float, label: str
) -> tuple[Row, Row]:
    seen = f"{len(found.errors)} of {expected} seen"
    if found.extra:
        seen += f", {len(found.extra)} unexpected"
    if not found.errors:
        failed = Row(f"{what}: none matched ({label})", "—", verdict="FAIL")
        return failed, Row(f"{what}: median |error|", "—", verdict="FAIL")
    absolute = [abs(e) for e in found.errors]
    complete = not found.missed and not found.extra
    signed = statistics.median(found.errors)
    data: dict[str, object] = {
        "errors_s": found.errors,
        "missed": [(c.t, c.value) for c in found.missed],
        "extra": [(c.t, c.value) for c in found.extra],
    }
    return (
        Row(
            f"{what}: max |error| ({label}; {seen})",
            ms(max(absolute)),
            target=f"≤ {target * 1000:.0f} ms",
            verdict=verdict(max(absolute) <= target and complete),
            data=data,
        ),
        Row(
            f"{what}: median |error| (median signed {signed * 1000:+.0f} ms)",
            ms(statistics.median(absolute)),
            target=f"≤ {target * 1000:.0f} ms",
            verdict=verdict(statistics.median(absolute) <= target),
        ),
    )


# ---- 6: scale ---------------------------------------------------------------------------------


def make_many_routines(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        steps: list[tuple[float, str | None]] = [(60 + 15 * (i % 4), None), (90, None), (45, None)]
        (folder / f"bench-{i:04d}.toml").write_text(
            routine_toml(f"Bench routine {i:04d}", "calm", steps)
        )


def top_count(text: str) -> str | None:
    """The picker's "N of M" on its top bar."""
    lines = text.splitlines()
    found = COUNT_OF.search(lines[0]) if lines else None
    return found.group(0) if found else None


def count_differs(shown: str | None) -> Callable[[str], bool]:
    return lambda text: top_count(text) != shown


def key_latency(
    bench: Bench, launched: Launched, key: str, changed: Callable[[str], bool]
) -> float:
    """From sending the key to the first capture that shows its effect (polled flat out)."""
    start = time.perf_counter()
    bench.tmux.send(launched.name, key)
    deadline = start + 5
    while True:
        frame = bench.tmux.capture(launched.name)
        if changed(frame.text):
            return frame.t - start
        if frame.t > deadline:
            raise BenchError(f"key {key!r} had no visible effect within 5 s")


def unstyled(text: str) -> str:
    """A styled capture's words alone: escape sequences and trailing blanks removed."""
    return "\n".join(
        re.sub(r"\x1b\[[0-9;:]*[A-Za-z]", "", line).rstrip() for line in text.splitlines()
    ).rstrip()


def move_latency(bench: Bench, launched: Launched, key: str) -> tuple[float, float]:
    """From sending Down or Up to the highlight moving (a change of colour, so read with
    styles) and to the preview's text following it."""
    name = launched.name
    before_styled = bench.tmux.capture(name, styled=True).text
    before_text = unstyled(before_styled)
    start = time.perf_counter()
    bench.tmux.send(name, key)
    deadline = start + 5
    highlight: float | None = None
    while True:
        frame = bench.tmux.capture(name, styled=True)
        if highlight is None and frame.text != before_styled:
            highlight = frame.t - start
        if highlight is not None and unstyled(frame.text) != before_text:
            return highlight, frame.t - start
        if frame.t > deadline:
            raise BenchError(f"key {key!r} had no visible effect within 5 s")


def key_latencies(
    bench: Bench, argv: Sequence[str], ready: Callable[[str], bool]
) -> tuple[list[float], list[float], list[float]]:
    """Moving the highlight (Down/Up: to the highlight, to the preview), then filtering (a
    digit, then backspace), alternately."""
    presses = bench.settings.key_presses
    moves: list[float] = []
    previews: list[float] = []
    filters: list[float] = []
    with bench.running("cf-keys", argv, ready) as launched:
        before = bench.settle(launched, quiet=0.3).text
        for i in range(presses):
            key = "Down" if i % 2 == 0 else "Up"
            highlight, preview = move_latency(bench, launched, key)
            moves.append(highlight)
            previews.append(preview)
            before = bench.settle(launched).text
        for i in range(presses):
            key = "7" if i % 2 == 0 else "BSpace"
            filters.append(key_latency(bench, launched, key, count_differs(top_count(before))))
            before = bench.settle(launched).text
    return moves, previews, filters


def measure_scale(bench: Bench, many: Path, first_name: str, count: int) -> list[Row]:
    settings = bench.settings
    rows: list[Row] = []
    list_times: list[float] = []
    listed = 0
    for _ in range(settings.list_runs):
        start = time.perf_counter()
        out = bench.cf_output("list", "--json", "--routines", str(many))
        list_times.append(time.perf_counter() - start)
        listed = len(json.loads(out))
    list_t = statistics.median(list_times)
    rows.append(
        Row(
            f"`calmfeet list --json` with {count:,} extra routines (median of "
            f"{settings.list_runs}; {listed} listed)",
            ms(list_t),
            target="< 1 s",
            verdict=verdict(list_t < 1.0 and listed >= count),
            data={"seconds": list_times, "listed": listed},
        )
    )

    with_many: list[float] = []
    without: list[float] = []
    ready = picker_ready(first_name)
    for _ in range(settings.scale_launches):
        with bench.running("cf-many", bench.cf("--routines", str(many)), ready) as launched:
            with_many.append(launched.seconds)
        with bench.running("cf-few", bench.cf(), ready) as launched:
            without.append(launched.seconds)
    many_t, few_t = statistics.median(with_many), statistics.median(without)
    rows.append(
        Row(
            f"Picker first paint with {count:,} routines vs built-ins only (median of "
            f"{settings.scale_launches})",
            ms(many_t),
            ms(few_t) + " built-ins only",
            ratio(many_t, few_t),
            "≤ 1.5×",
            verdict(many_t <= 1.5 * few_t),
            {"with_s": with_many, "without_s": without},
        )
    )

    many_keys = key_latencies(bench, bench.cf("--routines", str(many)), ready)
    few_keys = key_latencies(bench, bench.cf(), ready)
    labels = ("Down/Up, the highlight", "Down/Up, the preview follows", "filter letter/backspace")
    for index, label in enumerate(labels):
        values, base = many_keys[index], few_keys[index]
        middle, base_middle = statistics.median(values), statistics.median(base)
        rows.append(
            Row(
                f"Key press to screen, picker with {count:,} routines: {label} "
                f"(median of {len(values)}, max {ms(max(values))})",
                ms(middle),
                ms(base_middle) + " built-ins only",
                ratio(middle, base_middle),
                target="≤ 50 ms",
                verdict=verdict(middle <= 0.050),
                data={"seconds": values, "builtins_only_seconds": base},
            )
        )
    return rows


# ---- 7: a large preferences file --------------------------------------------------------------

PREFS_IDS = 70_000


def big_preferences(builtin_ids: Sequence[str]) -> str:
    """An `order` of 70,000 ids (840 KB, under the 1 MiB cap), the built-ins last, reversed:
    `calmfeet list` shows them in that order only if it read the whole file."""
    ids = [f"rt-{n:05d}" for n in range(PREFS_IDS - len(builtin_ids))]
    ids += list(reversed(builtin_ids))
    return "order = [" + ", ".join(f'"{i}"' for i in ids) + "]\n"


def timed_list(bench: Bench, config: Path) -> tuple[float, list[str], str]:
    """One `calmfeet list` with its own config folder: seconds, the ids listed, stderr."""
    env = {**os.environ, **bench.app_env, "XDG_CONFIG_HOME": str(config)}
    start = time.perf_counter()
    done = subprocess.run(bench.cf("list"), capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise BenchError(f"`calmfeet list` exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return (
        seconds,
        [line.split()[0] for line in done.stdout.splitlines() if line.strip()],
        done.stderr,
    )


def measure_preferences(bench: Bench, builtin_ids: Sequence[str]) -> list[Row]:
    big, empty = bench.root / "prefs-big", bench.root / "prefs-none"
    (big / "calmfeet").mkdir(parents=True)
    empty.mkdir()
    text = big_preferences(builtin_ids)
    (big / "calmfeet" / "preferences.toml").write_text(text, encoding="utf-8")
    with_big: list[float] = []
    without: list[float] = []
    listed: list[str] = []
    notices = ""
    for _ in range(bench.settings.list_runs):  # interleaved, as the start-up rows are
        seconds, listed, notices = timed_list(bench, big)
        with_big.append(seconds)
        without.append(timed_list(bench, empty)[0])
    big_t, base_t = statistics.median(with_big), statistics.median(without)
    kept = listed == list(reversed(builtin_ids)) and not notices
    return [
        Row(
            f"Preferences file with {PREFS_IDS:,} ids: `calmfeet list` (median of "
            f"{len(with_big)}; {len(text) // 1000} KB{'' if kept else '; order NOT read'})",
            ms(big_t),
            ms(base_t) + " no preferences",
            ratio(big_t, base_t),
            "< 0.5 s",
            verdict(big_t < 0.5 and kept),
            {"seconds": with_big, "no_preferences_seconds": without, "bytes": len(text)},
        )
    ]


# ---- 8: sound ---------------------------------------------------------------------------------

SOUND_STEP_SECONDS = 6.0
SOUND_BREATHING = "4-6"
"""In 4 s, out 6 s: with 6 s steps no phase change falls on a step change."""
SOUND_CPU_TARGET = 1.0
"""Percentage points of one core that sound may add while the pacer runs."""
SOUND_OFFSET_TARGET = 0.020
RENDER_MINUTES = 15.0
RENDER_TARGET = 10.0
TESTS = Path(__file__).resolve().parent


@contextlib.contextmanager
def sound_server() -> Iterator[tuple[dict[str, str], str, Any]]:
    """Somewhere for calmfeet to play: a private PulseAudio null sink (tests/pulse.py), whose
    monitor can be recorded, or without PulseAudio miniaudio's NULL backend (no recording).
    Yields (variables for the app, what it is, the sink or None)."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    import pytest
    from pulse import running_pulse_sink

    with contextlib.ExitStack() as stack:
        try:
            sink = stack.enter_context(running_pulse_sink())
        except pytest.skip.Exception:
            yield {"CALMFEET_AUDIO_BACKEND": "null"}, "miniaudio NULL backend", None
            return
        except pytest.fail.Exception as error:
            raise BenchError(f"PulseAudio would not start: {error}") from None
        yield dict(sink.variables), "PulseAudio null sink", sink


def measure_sound(bench: Bench, routines: Path) -> list[Row]:
    """What sound costs and how well it keeps to the screen; the track's rendering time."""
    rows: list[Row] = []
    with sound_server() as (variables, where, sink):
        rows.extend(measure_sound_cpu(bench, routines, variables, where, sink))
        if sink is None:
            rows.append(
                Row(
                    "Audio-to-screen offset: could not measure",
                    "PulseAudio is not installed (tests/check.sh installs it as root)",
                    verdict="error",
                )
            )
        else:
            rows.extend(measure_sound_offset(bench, routines, sink))
    rows.append(measure_track_render(bench))
    return rows


def measure_sound_cpu(
    bench: Bench, routines: Path, variables: dict[str, str], where: str, sink: Any
) -> list[Row]:
    """The same pacing session with --no-sound and with --sound (the default settings: breath
    tones and chimes), in turn, three rounds of each: CPU of the app's process (every thread).

    What sound adds is the median of the three rounds' differences: a round's pair shares the
    machine's load of that moment, and one busy moment on a shared machine moves one round,
    not the median. (A mean of two rounds read +1.10 and +1.33 in CI where others read +0.6.)
    """
    # A shared machine moves a 5 s window by half a point either way (per-thread reads of the
    # same app): too coarse for a +1 point target, so even the short mode takes 10 s windows.
    window = max(bench.settings.busy_window, 10.0)
    rounds = 3
    samples: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    streams: list[int] = []
    screen = ""
    for _ in range(rounds):
        for label, flag in (("off", "--no-sound"), ("on", "--sound")):
            argv = bench.cf("run", "bench-pacer", "--routines", str(routines), flag)
            env = variables if flag == "--sound" else {}
            with contextlib.ExitStack() as stack:
                if sink is not None:  # a reader keeps the null sink awake, as a device would be
                    stack.enter_context(sink.record(bench.root / f"cpu-sound-{label}.wav"))
                launched = stack.enter_context(
                    bench.running(f"cf-sound-{label}", argv, session_ready, env=env)
                )
                # Past the first frames and the sounds being made (up to a second of work
                # in the player's thread as the session starts): pacing, not starting.
                time.sleep(2.0)
                samples[label].append(bench.sample(launched, window))
                if flag == "--sound":
                    screen = bench.tmux.capture(launched.name).text
                    streams.append(sink.players() if sink is not None else 1)
    if "silent" in screen or "Sound stopped" in screen:
        raise BenchError(f"calmfeet played no sound ({where}): {screen.strip()[-200:]}")
    if min(streams) < 1:
        raise BenchError("calmfeet opened no stream on the PulseAudio null sink")
    on = statistics.median(sample["cpu_percent"] for sample in samples["on"])
    off = statistics.median(sample["cpu_percent"] for sample in samples["off"])
    differences = [
        sound_on["cpu_percent"] - sound_off["cpu_percent"]
        for sound_on, sound_off in zip(samples["on"], samples["off"], strict=True)
    ]
    added = statistics.median(differences)
    each = ", ".join(f"{d:+.2f}" for d in differences)
    rows = [
        Row(
            f"CPU while pacing, sound on ({where}) vs --no-sound (median of {rounds} rounds of "
            f"{window:g} s each: {each} pp; % of a core)",
            f"{on:.2f} %",
            f"{off:.2f} % sound off",
            f"{added:+.2f} pp",
            f"≤ +{SOUND_CPU_TARGET:g} pp",
            verdict(added <= SOUND_CPU_TARGET),
            {"on": samples["on"], "off": samples["off"], "where": where},
        )
    ]
    if sink is not None:
        rows.append(stream_floor(bench, variables, window * rounds, sink))
    return rows


def stream_floor(bench: Bench, variables: dict[str, str], window: float, sink: Any) -> Row:
    """What one miniaudio stream costs by itself on the same sink: the floor under the row
    above, since the issue asks for miniaudio (the process only plays silence)."""
    env = {**os.environ, **variables}
    with sink.record(bench.root / "cpu-stream-floor.wav"):
        process = subprocess.Popen(
            [bench.python, str(bench.stream_floor)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(2.0)
            if process.poll() is not None:
                raise BenchError("a bare miniaudio stream would not open on the null sink")
            cpu0, t0 = read_cpu(process.pid), time.perf_counter()
            time.sleep(window)
            cpu1, t1 = read_cpu(process.pid), time.perf_counter()
        finally:
            process.kill()
            process.wait()
    percent = cpu_seconds_between(cpu0, cpu1) / (t1 - t0) * 100
    return Row(
        f"miniaudio's floor: one stream playing silence, nothing else ({window:g} s)",
        f"+{percent:.2f} pp",
        verdict="info",
        data={"cpu_percent": percent},
    )


def watch_changes(
    bench: Bench, name: str, pane_pid: int, until: str, patience: float
) -> list[tuple[float, str]]:
    """(time.monotonic(), what) for each change on screen ("Step N", a phase word, `until`),
    at the middle of the capture that first showed it and the one before."""
    seen: list[tuple[float, str]] = []
    shown: dict[str, str] = {}
    before = time.monotonic()
    end = before + patience
    while time.monotonic() < end and proc_alive(pane_pid):
        text = bench.tmux.capture(name).text
        after = time.monotonic()
        when = (before + after) / 2
        before = after
        for kind, found in (("step", STEP_OF.search(text)), ("phase", PHASE_WORD.search(text))):
            if found is None:
                continue
            value = f"Step {found.group(1)}" if kind == "step" else found.group(1)
            if shown.get(kind) != value:
                shown[kind] = value
                seen.append((when, value))
        if until in text:
            seen.append((when, until))
            return seen
        time.sleep(0.003)
    raise BenchError(f"{until!r} never appeared; saw {[what for _, what in seen]}")


def measure_sound_offset(bench: Bench, routines: Path, sink: Any) -> list[Row]:
    """The installed calmfeet plays a short routine into the null sink while this process
    records the sink's monitor with each sample's time.monotonic() (tests/pulse.py): each step
    change's chime and each new breath tone is timed against the change on screen, in the same
    clock, with no alignment. The first step's chime (due as the clock starts) is shown apart."""
    from test_audio_track import breath_onset, chime_onset

    steps = 2 if bench.settings.short else 3
    (routines / "bench-sound.toml").write_text(
        routine_toml("Bench sound", SOUND_BREATHING, [(SOUND_STEP_SECONDS, None)] * steps)
    )
    config = bench.root / "config-sound"
    (config / "calmfeet").mkdir(parents=True, exist_ok=True)
    (config / "calmfeet" / "preferences.toml").write_text(
        NO_INTERLUDES + 'session_view = "detail"\nsound_volume = 100\n', encoding="utf-8"
    )
    argv = bench.cf("run", "bench-sound", "--routines", str(routines), "--sound")
    env = {**bench.app_env, "XDG_CONFIG_HOME": str(config), **sink.variables}
    saved = {key: os.environ.get(key) for key in sink.variables}
    os.environ.update(sink.variables)  # the capture below is a client of the same server
    try:
        with sink.capture(44100) as capture:
            name, pane_pid = bench.tmux.spawn("cf-sound-timing", argv, env)
            try:
                total = steps * SOUND_STEP_SECONDS
                changes = watch_changes(bench, name, pane_pid, COMPLETE, PAINT_TIMEOUT + total)
                time.sleep(0.5)  # the closing chime's first notes reach the capture
            finally:
                bench.tmux.kill(name)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    rate = capture.sample_rate
    samples = capture.samples() * 32768.0  # the analysis works in 16-bit units
    start_time = capture.time_of(0)
    steps_seen = [(when, what) for when, what in changes if what.startswith("Step ")]
    phases = [(when, what) for when, what in changes if what in ("Inhale", "Exhale")]
    if len(steps_seen) != steps or len(phases) < 3:
        raise BenchError(f"unexpected changes on screen: {[what for _, what in changes]}")
    # The first step shows while its sounds are made; its clock starts a moment later, which
    # the screen shows as the first exhale, 4 s on.
    counting_from = phases[1][0] - 4.0
    events = [(when, what, breath_onset) for when, what in phases[1:]]
    events += [(when, what, chime_onset) for when, what in steps_seen[1:]]
    offsets: dict[str, float] = {}
    for when, what, listen in events:
        scheduled = round(when - counting_from)  # whole seconds in this routine
        near = counting_from + scheduled - start_time
        heard = capture.time_of(listen(samples, near) * rate)
        offsets[f"{what} at {scheduled} s"] = heard - when
    first = capture.time_of(chime_onset(samples, counting_from - start_time) * rate)
    values = list(offsets.values())
    median = statistics.median(values)
    worst = max(values, key=abs)
    detail = ", ".join(f"{what} {1000 * o:+.0f} ms" for what, o in offsets.items())
    data = {"offsets_s": offsets, "first_chime_s": first - counting_from}
    return [
        Row(
            f"Audio-to-screen offset, median of {len(values)} changes (audio − screen; "
            "chimes and breath tones, PulseAudio null sink)",
            f"{1000 * median:+.0f} ms",
            target=f"within ±{1000 * SOUND_OFFSET_TARGET:.0f} ms",
            verdict=verdict(abs(median) <= SOUND_OFFSET_TARGET),
            data=data,
        ),
        Row(
            f"Audio-to-screen offset, worst change ({detail})",
            f"{1000 * worst:+.0f} ms",
            target=f"within ±{1000 * SOUND_OFFSET_TARGET:.0f} ms",
            verdict=verdict(abs(worst) <= SOUND_OFFSET_TARGET),
        ),
        Row(
            "First step's chime after the clock starts (due at once: after the device's buffer)",
            f"{1000 * (first - counting_from):+.0f} ms",
        ),
    ]


def measure_track_render(bench: Bench) -> Row:
    """calmfeet.sound.track.render_seconds in the installed calmfeet's Python: the whole-foot
    tour stretched to 15 minutes, voice included where espeak-ng is installed."""
    code = (
        "from calmfeet.sound.track import render_seconds\n"
        f"print(render_seconds(routine_minutes={RENDER_MINUTES!r}))\n"
    )
    done = subprocess.run(
        [bench.python, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **bench.app_env},
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"render_seconds failed: {done.stderr.strip()[-300:]}")
    seconds = float(done.stdout.strip().splitlines()[-1])
    voice = "espeak-ng voice" if shutil.which("espeak-ng") or shutil.which("espeak") else "no voice"
    return Row(
        f"Time to render a {RENDER_MINUTES:g}-minute routine's track ({voice})",
        f"{seconds:.2f} s",
        target=f"< {RENDER_TARGET:g} s",
        verdict=verdict(seconds < RENDER_TARGET),
        data={"seconds": seconds, "minutes": RENDER_MINUTES},
    )


# ---- output -----------------------------------------------------------------------------------

HEADERS = ("what", "calmfeet", "baseline", "ratio", "target", "verdict")


WEB_KEY_TARGET = 0.050
"""Median time from a key pressed in the browser to the websocket's next frame, on loopback."""


def measure_web(settings: Settings, calmfeet: str) -> list[Row]:
    """`calmfeet serve` on 127.0.0.1 in Debian's Chromium: Down and Up in the picker, each timed
    on the page's own clock from the key's message leaving to the next frame arriving."""
    what = "Browser (calmfeet serve, loopback): key to new frame"
    import browser  # tests/browser.py, beside this file

    missing = browser.browser_missing()
    if missing is not None:
        return [Row(f"{what}: skipped", "—", data={"reason": missing})]
    presses = max(2 * settings.key_presses, 10)
    with tempfile.TemporaryDirectory(prefix="calmfeet-bench-web-") as temp:
        env = browser.private_home(Path(temp))
        env.pop("PYTHONPATH", None)  # the installed calmfeet, as everywhere else here
        try:
            with browser.served(env, calmfeet=[calmfeet]) as server, browser.chromium() as chrome:
                term, _ = browser.open_page(
                    chrome, server.url, viewport={"width": 1000, "height": 700}
                )
                term.wait_for("Web Walk")
                term.page.locator(".xterm-helper-textarea").focus()  # a click would start a routine
                seconds = browser.key_to_frame_seconds(
                    term, ["ArrowDown", "ArrowUp"] * (presses // 2)
                )
        except AssertionError as error:
            raise BenchError(str(error).splitlines()[0]) from None
    median = statistics.median(seconds)
    return [
        Row(
            f"{what}, median of {len(seconds)}",
            ms(median),
            target=f"< {ms(WEB_KEY_TARGET)}",
            verdict=verdict(median < WEB_KEY_TARGET),
            data={"seconds": seconds},
        )
    ]


def cells(row: Row) -> tuple[str, ...]:
    return (row.what, row.calmfeet, row.baseline, row.ratio, row.target, row.verdict)


def plain_table(rows: Sequence[Row]) -> str:
    table = [HEADERS, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    out = []
    for n, line in enumerate(table):
        out.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_table(rows: Sequence[Row]) -> str:
    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

    out = [line(HEADERS), line(["---"] * len(HEADERS))]
    out.extend(line(cells(r)) for r in rows)
    return "\n".join(out)


# ---- main -------------------------------------------------------------------------------------


def resolve_calmfeet() -> tuple[str, str]:
    """The installed entry script and its Python, looking through version-manager shims."""
    found = shutil.which("calmfeet")
    if found is None:
        raise CannotRun("the `calmfeet` command is not on PATH (pip install -e . first)")
    script = found
    first = _first_line(found)
    if "python" not in first and shutil.which("pyenv"):
        real = subprocess.run(["pyenv", "which", "calmfeet"], capture_output=True, text=True)
        if real.returncode == 0 and real.stdout.strip():
            script = real.stdout.strip()
            first = _first_line(script)
    python = first[2:].strip() if first.startswith("#!") and "python" in first else sys.executable
    if python.split()[0].endswith("/env"):
        python = shutil.which(python.split()[-1]) or sys.executable
    return script, python


def precompile(python: str) -> None:
    """Byte-compile the installed package first, as `pip install .` does: an editable install
    under PYTHONDONTWRITEBYTECODE would otherwise compile calmfeet from source at every launch
    (and Textual, installed normally, would not), which is not what a person's launch costs."""
    find = "import calmfeet, os; print(os.path.dirname(calmfeet.__file__))"
    where = subprocess.run([python, "-c", find], capture_output=True, text=True)
    if where.returncode == 0 and where.stdout.strip():
        subprocess.run([python, "-m", "compileall", "-q", where.stdout.strip()], check=False)


def _first_line(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.readline().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def section(rows: list[Row], what: str, run: Callable[[], list[Row]]) -> bool:
    print(f"… {what}", file=sys.stderr, flush=True)
    try:
        rows.extend(run())
    except BenchError as error:
        rows.append(Row(f"{what}: could not measure", str(error), verdict="error"))
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__,
        epilog="Full mode takes about 8 minutes, --short about 4 (tests/check.sh runs it). "
        "Prints one table; exits 0 whatever the verdicts, non-zero only if calmfeet cannot run.",
    )
    parser.add_argument("--short", action="store_true", help="fewer runs, shorter windows (CI)")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write the results here")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument(
        "--only",
        metavar="PARTS",
        default="startup,cpu,timing,scale,prefs,web,sound",
        help="comma-separated parts to run: startup, cpu, timing, scale, prefs, web, sound "
        "(default: all)",
    )
    args = parser.parse_args(argv)
    parts = {part.strip() for part in args.only.split(",")}
    settings = Settings.for_mode(args.short)

    print("$ " + shlex.join(["python3", *sys.argv]))
    if shutil.which("tmux") is None:
        print("benchmark skipped: tmux is not installed (tests/check.sh installs it when root)")
        return 0
    try:
        calmfeet, python = resolve_calmfeet()
    except CannotRun as error:
        print(f"benchmark: calmfeet cannot run: {error}")
        return 1

    precompile(python)
    tmux_version = subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.strip()
    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="calmfeet-bench-") as temp:
        root = Path(temp)
        bench = Bench(settings, root, calmfeet, python)
        try:
            version = bench.cf_output("--version").strip()
            builtins = json.loads(bench.cf_output("list", "--json"))
            first_name = str(builtins[0]["name"])
            builtin_ids = [str(routine["id"]) for routine in builtins]
        except (BenchError, ValueError, LookupError) as error:
            print(f"benchmark: calmfeet cannot run: {error}")
            return 1
        print(
            f"{version} ({calmfeet}), baselines on {python}; Python {platform.python_version()}, "
            f"{tmux_version}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; "
            f"{'short' if settings.short else 'full'} mode; pane {WIDTH}×{HEIGHT}",
            flush=True,
        )

        routines = root / "routines"
        routines.mkdir()
        (routines / "bench-pacer.toml").write_text(
            routine_toml("Bench pacer", "6-6", [(120, None), (120, None), (120, None)])
        )
        if settings.short:
            timing_steps: list[tuple[float, str | None]] = [
                (5, None),
                (5, None),
                (5, "2-1-2"),
                (5, None),
            ]
            timing_file = routines / "bench-timing.toml"
            timing_file.write_text(routine_toml("Bench timing", "2-3", timing_steps))
        else:
            timing_steps = [(30, None), (30, None), (30, "3-1-3"), (30, None)]
            timing_file = routines / "bench-timing.toml"
            timing_file.write_text(routine_toml("Bench timing", "4-2-5", timing_steps))
        many = root / "many"
        count = 1000
        make_many_routines(many, count)

        bench.tmux.start()
        try:
            if "startup" in parts and not section(
                rows, "start-up and memory", lambda: measure_startup(bench, first_name)
            ):
                print(plain_table(rows))
                print("benchmark: calmfeet cannot run: the picker never painted")
                return 1
            if "cpu" in parts:
                section(rows, "CPU", lambda: measure_cpu(bench, routines))
            if "timing" in parts:
                section(rows, "timing", lambda: measure_timing(bench, timing_file, hz=100.0))
            if "scale" in parts:
                section(rows, "scale", lambda: measure_scale(bench, many, first_name, count))
            if "prefs" in parts:
                section(rows, "preferences", lambda: measure_preferences(bench, builtin_ids))
            if "web" in parts:
                section(rows, "browser", lambda: measure_web(settings, calmfeet))
            if "sound" in parts:
                section(rows, "sound", lambda: measure_sound(bench, routines))
        finally:
            bench.tmux.stop()

    elapsed = time.perf_counter() - started
    print(markdown_table(rows) if args.markdown else plain_table(rows))
    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    if load > cpus / 2:
        print(
            f"note: load average {load:.2f} on {cpus} CPUs: wall-clock rows (start-up, key "
            "presses, first paint) run slow on a busy machine; CPU and memory rows are the app's "
            "own and hold, and start-up ratios compare launches interleaved under the same load."
        )
    failed = sum(r.verdict in ("FAIL", "error") for r in rows)
    print(
        f"{failed} of {len(rows)} rows miss their target or could not be measured; "
        f"took {elapsed:.0f} s. (Verdicts never change the exit code.)"
    )
    if args.json is not None:
        payload = {
            "command": shlex.join(["python3", *sys.argv]),
            "mode": "short" if settings.short else "full",
            "calmfeet": calmfeet,
            "python": python,
            "tmux": tmux_version,
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "seconds": elapsed,
            "rows": [
                {
                    "what": r.what,
                    "calmfeet": r.calmfeet,
                    "baseline": r.baseline,
                    "ratio": r.ratio,
                    "target": r.target,
                    "verdict": r.verdict,
                    "data": r.data,
                }
                for r in rows
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
