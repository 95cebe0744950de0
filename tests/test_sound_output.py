"""The live sound output: real playback on miniaudio's NULL backend, silence without a device,
nothing on the terminal from the C libraries or from a failing mixer."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from calmfeet.sound.output import (
    ENV_BACKEND,
    NO_DEVICE,
    Output,
    PullTimeline,
    Samples,
    Silence,
    open_output,
    pcm16,
)

ROOT = Path(__file__).resolve().parent.parent
RATE = 44100
PATIENCE_SECONDS = 30.0
"""How long a poll may wait for the audio thread: generous for a loaded machine; polls return
as soon as what they wait for has happened."""


def wait_until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {PATIENCE_SECONDS:.0f} s")
        time.sleep(0.005)


class Recorder:
    """A pull that logs (time.monotonic(), frames) for every call, and plays `make(frames)`."""

    def __init__(self, make: Callable[[int], Samples] | None = None) -> None:
        self.calls: list[tuple[float, int]] = []
        self.make = make or (lambda frames: np.zeros(frames, dtype=np.float32))
        self.lock = threading.Lock()

    def __call__(self, frames: int) -> Samples:
        with self.lock:
            self.calls.append((time.monotonic(), frames))
        return self.make(frames)

    def count(self) -> int:
        with self.lock:
            return len(self.calls)


def opened(pull: Callable[[int], Samples], buffer_ms: int = 40) -> Output:
    output = open_output(pull, buffer_ms=buffer_ms, backend="null")
    assert isinstance(output, Output), output
    return output


# --- samples to the device --------------------------------------------------------------------


def decode(data: bytes) -> list[int]:
    return np.frombuffer(data, dtype="<i2").tolist()


def test_samples_beyond_full_scale_are_clipped_not_wrapped() -> None:
    """Wrapping would turn a loud peak into a loud click; clipping keeps it a peak."""
    block = np.array([0.0, 0.5, 1.0, 1.7, -1.0, -3.0], dtype=np.float32)
    assert decode(pcm16(block, 6)) == [0, 16383, 32767, 32767, -32767, -32767]


def test_a_block_already_in_16_bit_bytes_is_passed_on_fitted_to_length() -> None:
    """The live player converts its own blocks (cheaper in the audio thread)."""
    block = np.array([0, 1000, -1000], dtype="<i2").tobytes()
    assert pcm16(block, 3) is block
    assert decode(pcm16(block, 4)) == [0, 1000, -1000, 0]
    assert decode(pcm16(block, 2)) == [0, 1000]


def test_nan_is_silence_and_infinities_are_full_scale() -> None:
    block = np.array([np.nan, np.inf, -np.inf, 0.25], dtype=np.float32)
    assert decode(pcm16(block, 4)) == [0, 32767, -32767, 8191]


def test_a_short_block_is_padded_with_silence_and_a_long_one_cut() -> None:
    assert decode(pcm16(np.full(2, 0.5, dtype=np.float32), 4)) == [16383, 16383, 0, 0]
    assert decode(pcm16(np.full(6, 0.5, dtype=np.float32), 3)) == [16383] * 3
    assert decode(pcm16(np.full((2, 1), 0.5), 2)) == [16383, 16383]


# --- when a pulled frame is heard --------------------------------------------------------------

PERIOD = 0.04
FRAMES = round(RATE * PERIOD)


def steady_timeline(pulls: int, delays: list[float], start: float = 100.0) -> PullTimeline:
    """A device that asks for frame F at start + F/RATE, each ask late by delays[k] (>= 0)."""
    timeline = PullTimeline(RATE, PERIOD, PERIOD, start)
    for index in range(pulls):
        timeline.note_pull(start + index * PERIOD + delays[index % len(delays)], index * FRAMES)
    return timeline


def test_a_frame_is_heard_one_buffer_after_its_undelayed_pull() -> None:
    """Scheduling delays only ever make a pull late: the earliest one sets the clock."""
    timeline = steady_timeline(25, [0.004, 0.0, 0.011, 0.002])
    assert timeline.frame_time(0) == pytest.approx(100.0 + PERIOD)
    assert timeline.frame_time(RATE) == pytest.approx(101.0 + PERIOD)
    assert timeline.frame_at(101.0 + PERIOD) == RATE


def test_before_any_pull_frame_zero_is_expected_one_buffer_after_opening() -> None:
    timeline = PullTimeline(RATE, PERIOD, PERIOD, start=50.0)
    assert timeline.frame_time(0) == pytest.approx(50.0 + PERIOD)
    assert timeline.frame_at(50.0 + PERIOD + 0.5) == RATE // 2


def test_a_device_that_starts_late_moves_the_timeline() -> None:
    """A PulseAudio null sink may sleep up to 2 s before asking for the second block: the
    first block is heard then, and every frame after it."""
    timeline = PullTimeline(RATE, PERIOD, PERIOD, start=10.0)
    timeline.note_pull(10.0, 0)
    stall = 1.3
    for index in range(1, 6):
        timeline.note_pull(10.0 + stall + (index - 1) * PERIOD, index * FRAMES)
    assert timeline.frame_time(FRAMES) == pytest.approx(10.0 + stall + PERIOD)


def test_one_late_pull_without_a_gap_does_not_move_the_timeline_for_long() -> None:
    timeline = steady_timeline(10, [0.0])
    timeline.note_pull(100.0 + 10 * PERIOD + 0.07, 10 * FRAMES)  # the UI held the GIL
    timeline.note_pull(100.0 + 11 * PERIOD + 0.001, 11 * FRAMES)  # and the device caught up
    assert timeline.frame_time(12 * FRAMES) == pytest.approx(100.0 + 12 * PERIOD + 0.001 + PERIOD)


def test_the_timeline_follows_a_device_clock_that_runs_slow() -> None:
    """Old pulls are forgotten after about a second, so a drifting device is followed to within
    its drift over one second (remembering all 8 s would be 80 ms out)."""
    timeline = PullTimeline(RATE, PERIOD, PERIOD, start=0.0)
    slow = 1.01  # the device's second lasts 1.01 s of ours, as miniaudio's NULL backend's does
    for index in range(200):
        timeline.note_pull(index * PERIOD * slow, index * FRAMES)
    last = 199 * FRAMES
    assert timeline.frame_time(last) == pytest.approx(199 * PERIOD * slow + PERIOD, abs=0.011)


# --- the real playback path, on miniaudio's NULL backend ---------------------------------------


def test_the_device_pulls_buffer_sized_blocks_at_the_pace_of_real_time() -> None:
    recorder = Recorder()
    output = opened(recorder, buffer_ms=40)
    try:
        assert output.backend == "Null"
        assert output.latency_seconds == pytest.approx(0.04)
        wait_until(lambda: recorder.count() >= 30, "the device never asked for 30 blocks")
    finally:
        output.close()
    assert output.last_pull_at is not None
    assert recorder.calls[-2][0] < output.last_pull_at <= recorder.calls[-1][0]
    sizes = [frames for _, frames in recorder.calls]
    assert sizes[0] == FRAMES
    assert all(0 < frames <= 2 * FRAMES for frames in sizes)
    assert sum(sizes) == output.frames_pulled
    # After the first few blocks fill the buffer, frames are asked for as fast as they play.
    steady = recorder.calls[4:]
    seconds = steady[-1][0] - steady[0][0]
    frames = sum(frames for _, frames in steady[:-1])
    assert 0.8 < frames / seconds / RATE < 1.25


def test_close_stops_the_pulls() -> None:
    recorder = Recorder()
    output = opened(recorder)
    wait_until(lambda: recorder.count() >= 3, "the device never pulled")
    output.close()
    after_close = recorder.count()
    # Let another stream play five buffers: the closed one must not have pulled meanwhile.
    witness = Recorder()
    other = opened(witness)
    try:
        wait_until(lambda: witness.count() >= 8, "the second device never pulled")
    finally:
        other.close()
    assert recorder.count() == after_close
    assert output.closed
    output.close()  # twice is fine


def test_the_estimated_hearing_time_of_a_pulled_frame_is_just_after_its_pull() -> None:
    recorder = Recorder()
    output = opened(recorder)
    try:
        wait_until(lambda: recorder.count() >= 12, "the device never pulled")
    finally:
        output.close()
    frame = sum(frames for _, frames in recorder.calls[:10])
    pulled_at = recorder.calls[10][0]
    heard = output.frame_time(frame)
    assert pulled_at < heard < pulled_at + 4 * output.latency_seconds


def test_a_failing_mixer_gives_silence_and_one_report_and_prints_nothing(
    capfd: pytest.CaptureFixture[str],
) -> None:
    def broken(frames: int) -> Samples:
        raise ZeroDivisionError("the mixer\ndivided by zero")

    recorder = Recorder(broken)
    output = opened(recorder)
    try:
        wait_until(lambda: recorder.count() >= 5, "the device stopped asking after an error")
    finally:
        output.close()
    assert output.pull_errors >= 5
    assert output.take_failure() == (
        "Sound failed, so this block is silent: ZeroDivisionError: the mixer divided by zero"
    )
    assert output.take_failure() is None
    assert output.failure is not None
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_a_mixer_that_recovers_is_heard_again() -> None:
    calls = {"count": 0}

    def flaky(frames: int) -> Samples:
        calls["count"] += 1
        if calls["count"] == 2:
            raise RuntimeError("once")
        return np.full(frames, 0.25, dtype=np.float32)

    recorder = Recorder(flaky)
    output = opened(recorder)
    try:
        wait_until(lambda: recorder.count() >= 4, "the device stopped asking after an error")
    finally:
        output.close()
    assert output.pull_errors == 1
    assert output.take_failure() == "Sound failed, so this block is silent: RuntimeError: once"


# --- choosing the sound system ---------------------------------------------------------------


def test_the_environment_can_force_the_null_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BACKEND, "null")
    output = open_output(Recorder())
    assert isinstance(output, Output)
    output.close()
    assert output.backend == "Null"


@pytest.mark.parametrize("where", ["argument", "environment"])
def test_an_unknown_sound_system_is_silence_with_its_name(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    if where == "argument":
        result = open_output(Recorder(), backend="gramophone")
        assert result == Silence("Unknown sound system 'gramophone', so calmfeet is silent.")
    else:
        monkeypatch.setenv(ENV_BACKEND, "gramophone")
        result = open_output(Recorder())
        assert result == Silence(
            f"Unknown sound system 'gramophone' in {ENV_BACKEND}, so calmfeet is silent."
        )
    result.close()  # a session closes whatever it got


def test_a_buffer_outside_what_works_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="buffer_ms"):
        open_output(Recorder(), buffer_ms=1000)


# --- no device: silence, and nothing on the terminal --------------------------------------------


def no_device_environment(tmp_path: Path) -> dict[str, str]:
    """No sound server (PULSE_SERVER names a socket that is not there, so a developer's own
    server is not found either) and an ALSA configuration with no devices in it."""
    alsa_conf = tmp_path / "alsa.conf"
    alsa_conf.write_text("# no devices\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULSE_", "ALSA_"))}
    env.pop(ENV_BACKEND, None)
    env.update(
        PULSE_SERVER=f"unix:{tmp_path / 'no-server'}",
        ALSA_CONFIG_PATH=str(alsa_conf),
        PYTHONPATH=str(ROOT),
    )
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ALSA is Linux only")
def test_without_a_device_the_output_is_silence_and_alsa_prints_nothing(tmp_path: Path) -> None:
    env = no_device_environment(tmp_path)
    # The same environment does make libasound talk when nobody silences it.
    control = run_python(
        "import miniaudio\n"
        "try:\n"
        "    miniaudio.PlaybackDevice(nchannels=1, backends=[miniaudio.Backend.ALSA])\n"
        "except miniaudio.MiniaudioError:\n"
        "    pass\n",
        env,
    )
    if "ALSA lib" not in control.stderr:
        pytest.skip(f"libasound is not installed here, so it cannot chatter: {control.stderr!r}")
    result = run_python(
        "import numpy as np\n"
        "from calmfeet.sound.output import open_output\n"
        "output = open_output(lambda frames: np.zeros(frames, dtype=np.float32))\n"
        "print(repr(output))\n",
        env,
    )
    assert result.returncode == 0
    assert result.stdout.strip() == repr(Silence(NO_DEVICE))
    assert result.stderr == ""


def test_inside_a_pull_frames_pulled_is_where_the_block_starts() -> None:
    """The mixer can ask the output where its block falls, and when that is heard."""
    seen: list[tuple[int, int, float]] = []
    holder: list[Output] = []

    def pull(frames: int) -> Samples:
        if holder:
            output = holder[0]
            seen.append((output.frames_pulled, frames, output.frame_time(output.frames_pulled)))
        return np.zeros(frames, dtype=np.float32)

    output = opened(pull)
    holder.append(output)
    try:
        wait_until(lambda: len(seen) >= 6, "the device never pulled")
    finally:
        output.close()
    for (first, frames, heard), (next_first, _, next_heard) in pairwise(seen):
        assert next_first == first + frames
        assert next_heard > heard
