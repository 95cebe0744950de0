"""What an open sound stream costs in CPU: `python3 tests/sound_cpu.py [SECONDS [BUFFER_MS]]`.

Measures this process's CPU (every thread) over SECONDS of wall time with no stream, with a
stream pulling silence, and with one pulling a 440 Hz sine made block by block, on miniaudio's
NULL backend and, where PulseAudio is installed, into a private PulseAudio null sink (whose
server's own CPU is shown too). Prints percent of one core. A measuring script, not a test:
the benchmark's "sound adds at most 1 percentage point of one core" row is the lead's.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmark import cpu_seconds_between, read_cpu  # noqa: E402  (this folder, run as a script)

from calmfeet.sound.output import Output, Samples, open_output  # noqa: E402

RATE = 44100


def silence(frames: int) -> Samples:
    return np.zeros(frames, dtype=np.float32)


def sine_maker() -> Callable[[int], Samples]:
    """A 440 Hz sine at a soft level, continuous across blocks."""
    position = 0

    def pull(frames: int) -> Samples:
        nonlocal position
        times = np.arange(position, position + frames, dtype=np.float64) / RATE
        position += frames
        return (0.2 * np.sin(2 * np.pi * 440.0 * times)).astype(np.float32)

    return pull


def measure(
    pull: Callable[[int], Samples] | None, backend: str, seconds: float, buffer_ms: int
) -> float:
    """Percent of one core this process used over `seconds` (the stream opened first)."""
    output = open_output(pull, backend=backend, buffer_ms=buffer_ms) if pull else None
    if output is not None and not isinstance(output, Output):
        raise SystemExit(f"{backend}: {output.reason}")
    time.sleep(0.5)  # past the device's start
    cpu, wall = time.process_time(), time.monotonic()
    time.sleep(seconds)
    used = 100 * (time.process_time() - cpu) / (time.monotonic() - wall)
    if output is not None:
        output.close()
    return used


def report(backend: str, seconds: float, buffer_ms: int, server_pid: int | None = None) -> None:
    for name, pull in (("no stream", None), ("silence", silence), ("440 Hz sine", sine_maker())):
        server_before = read_cpu(server_pid) if server_pid else None
        wall = time.monotonic()
        used = measure(pull, backend, seconds, buffer_ms)
        line = f"{backend:>10} {buffer_ms} ms  {name:<12} {used:5.2f} % of one core (this process)"
        if server_pid and server_before is not None:
            server_used = cpu_seconds_between(server_before, read_cpu(server_pid))
            server = 100 * server_used / (time.monotonic() - wall)
            line += f", pulseaudio {server:5.2f} %"
        print(line, flush=True)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    buffer_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    report("null", seconds, buffer_ms)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pulse import missing_tools, running_pulse_sink

    if missing_tools():
        print("pulseaudio: not installed, not measured")
        return
    with running_pulse_sink() as sink:
        os.environ.update(sink.variables)
        assert sink.server_process is not None
        report("pulseaudio", seconds, buffer_ms, sink.server_process.pid)


if __name__ == "__main__":
    main()
