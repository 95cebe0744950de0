"""A real PulseAudio server for end-to-end sound tests: a null sink whose monitor is recorded.

`running_pulse_sink()` starts `pulseaudio` in user mode in a private temp folder (its own HOME and
XDG_RUNTIME_DIR, so it never meets the developer's own sound server) with one null sink, `ci_sink`,
and a socket anyone may use. Clients reach it with `sink.env` (a whole environment for
subprocesses) or `sink.variables` (just what to add). `sink.record(path)` records what the sink
plays with `parecord`; `sink.capture()` records it in this process with each sample's
time.monotonic(), to compare sound with what was on screen.

Where PulseAudio is not installed the test skips and says so (tests/check.sh installs it when
root with apt-get). Installed but failing to start is a failure, with the server's log.
The `pulse_sink` fixture in conftest.py wraps `running_pulse_sink`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

SINK = "ci_sink"
MONITOR = f"{SINK}.monitor"
TOOLS = {"pulseaudio": "pulseaudio", "pactl": "pulseaudio-utils", "parecord": "pulseaudio-utils"}
PATIENCE_SECONDS = 30.0
"""How long to wait for the server or a recorder to answer: generous for a loaded machine;
the waits poll, so a fast machine waits milliseconds."""
_CLIENT_VARIABLES = ("PULSE_SERVER", "PULSE_SINK", "PULSE_SOURCE", "PULSE_COOKIE", "PULSE_PROP")


def missing_tools() -> list[str]:
    """The Debian packages whose programs are not on PATH."""
    return sorted({package for tool, package in TOOLS.items() if shutil.which(tool) is None})


def _poll(done: Any, what: str, patience: float = PATIENCE_SECONDS) -> None:
    """Wait until `done()` is true, checking every 20 ms; fail saying `what` never happened."""
    deadline = time.monotonic() + patience
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {patience:.0f} s")
        time.sleep(0.02)


@dataclass
class TimedRecording:
    """Mono samples recorded from the sink's monitor, with when each was captured."""

    sample_rate: int
    blocks: list[tuple[float, int, npt.NDArray[np.int16]]] = field(default_factory=list)
    """(monotonic time the block arrived, index of its first sample, samples)."""

    def samples(self) -> npt.NDArray[np.float64]:
        if not self.blocks:
            return np.zeros(0)
        return np.concatenate([block for _, _, block in self.blocks]).astype(np.float64) / 32768.0

    def time_of(self, index: float) -> float:
        """When sample `index` reached the monitor, in time.monotonic() seconds.

        A block arrives after its last sample was captured, plus a delay that is never negative,
        so the earliest arrival relative to its samples anchors the clock (an upper bound).
        """
        anchor = min(
            when - (first + len(block)) / self.sample_rate for when, first, block in self.blocks
        )
        return anchor + index / self.sample_rate


@dataclass
class PulseSink:
    """A running private server. Its null sink, with no stream and no reader keeping it busy,
    sleeps up to 2 s before it serves a new stream (a stall no real device has: the player's
    second pull comes that late). `record` and `capture` return only once sound flows to
    them, which is once the sink is awake: start one before playing what a test times."""

    folder: Path
    socket: Path
    log: Path
    variables: dict[str, str]
    """What a client needs: PULSE_SERVER and the sink and source to use."""
    env: dict[str, str]
    """This process's environment plus `variables`: for subprocess.run(env=...) and tmux."""
    server_process: subprocess.Popen[bytes] | None = None

    @property
    def server(self) -> str:
        return self.variables["PULSE_SERVER"]

    def pactl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=PATIENCE_SECONDS
        )

    def answers(self) -> bool:
        try:
            return self.pactl("info").returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def recorders(self) -> int:
        """How many record streams are connected (parecord, a capture)."""
        listing = self.pactl("list", "short", "source-outputs").stdout
        return len([line for line in listing.splitlines() if line.strip()])

    def players(self) -> int:
        """How many playback streams are connected to the server."""
        listing = self.pactl("list", "short", "sink-inputs").stdout
        return len([line for line in listing.splitlines() if line.strip()])

    @contextmanager
    def record(self, path: Path) -> Iterator[Path]:
        """Record the sink's monitor into a 16-bit WAV at `path` while the block runs.

        Returns once sound reaches the file, so nothing played afterwards is missed and the
        sink is awake (see the class's note); stops parecord with SIGINT, which makes it finish the
        WAV's header.
        """
        before = self.recorders()
        recorder = subprocess.Popen(
            [
                "parecord",
                f"--device={MONITOR}",
                "--file-format=wav",
                "--latency-msec=20",
                str(path),
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _poll(
                lambda: recorder.poll() is not None or self.recorders() > before,
                "parecord never connected",
            )
            if recorder.returncode is not None:
                stderr = recorder.stderr.read().decode(errors="replace") if recorder.stderr else ""
                pytest.fail(f"parecord stopped at once: {stderr.strip()}")
            _poll(
                lambda: path.exists() and path.stat().st_size > 4096,
                "the sound server never sent parecord any sound",
            )
            yield path
        finally:
            if recorder.poll() is None:
                recorder.send_signal(signal.SIGINT)
                try:
                    recorder.wait(timeout=PATIENCE_SECONDS)
                except subprocess.TimeoutExpired:
                    recorder.kill()
                    recorder.wait()
            if recorder.stderr:
                recorder.stderr.close()

    @contextmanager
    def capture(self, sample_rate: int = 44100) -> Iterator[TimedRecording]:
        """Record the monitor in this process (miniaudio, 10 ms blocks) with arrival times.

        Returns once the first block has arrived, so the sink is awake (see the class's note).
        Needs PULSE_SERVER in this process's environment, as the `pulse_sink` fixture sets it.
        """
        import miniaudio

        recording = TimedRecording(sample_rate)
        lock = threading.Lock()

        def receive() -> Generator[None, bytes, None]:
            first = 0
            while True:
                data = yield
                block = np.frombuffer(data, dtype="<i2").copy()
                with lock:
                    recording.blocks.append((time.monotonic(), first, block))
                first += len(block)

        before = self.recorders()
        device = miniaudio.CaptureDevice(
            input_format=miniaudio.SampleFormat.SIGNED16,
            nchannels=1,
            sample_rate=sample_rate,
            buffersize_msec=10,
            backends=[miniaudio.Backend.PULSEAUDIO],
            app_name="calmfeet-tests",
        )
        receiver = receive()
        next(receiver)
        device.start(receiver)
        try:
            _poll(lambda: self.recorders() > before, "the capture stream never connected")
            _poll(lambda: bool(recording.blocks), "the capture never received sound")
            yield recording
        finally:
            device.close()


def _server_environment(folder: Path) -> dict[str, str]:
    home = folder / "home"
    runtime = folder / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    env = {key: value for key, value in os.environ.items() if key not in _CLIENT_VARIABLES}
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        PULSE_RUNTIME_PATH=str(runtime / "pulse"),
    )
    return env


@contextmanager
def running_pulse_sink() -> Iterator[PulseSink]:
    """A private PulseAudio server with the null sink `ci_sink`, torn down afterwards."""
    missing = missing_tools()
    if missing:
        pytest.skip(
            f"PulseAudio is not installed ({', '.join(missing)} missing; tests/check.sh "
            "installs them as root with apt-get), so the real-sound-server tests skip"
        )
    # A short folder: a unix socket's path must fit in 108 bytes, pytest's tmp_path may not.
    folder = Path(tempfile.mkdtemp(prefix="calmfeet-pulse-"))
    socket = folder / "native"
    log = folder / "pulseaudio.log"
    server_env = _server_environment(folder)
    variables = {"PULSE_SERVER": f"unix:{socket}", "PULSE_SINK": SINK, "PULSE_SOURCE": MONITOR}
    client_env = {**{k: v for k, v in os.environ.items() if k not in _CLIENT_VARIABLES}}
    client_env.update(variables)
    sink = PulseSink(folder=folder, socket=socket, log=log, variables=variables, env=client_env)
    command = [
        "pulseaudio",
        "-n",
        "--daemonize=no",
        "--exit-idle-time=-1",
        "--use-pid-file=no",
        "--log-target=stderr",
        "-L",
        f"module-null-sink sink_name={SINK}",
        "-L",
        f"module-native-protocol-unix auth-anonymous=1 socket={socket}",
    ]
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            command, env=server_env, stdout=log_file, stderr=subprocess.STDOUT, cwd=folder
        )
    sink.server_process = server
    try:
        deadline = time.monotonic() + PATIENCE_SECONDS
        while not sink.answers():
            if server.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace").strip().splitlines()[-5:]
                pytest.fail("pulseaudio would not start: " + " | ".join(tail))
            time.sleep(0.02)
        yield sink
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=PATIENCE_SECONDS)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(folder, ignore_errors=True)
