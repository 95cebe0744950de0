"""The whole sound path on a real sound server: calmfeet's output stream playing into a
PulseAudio null sink, heard by recording the sink's monitor (tests/pulse.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from audio_analysis import onsets, pitch_track, read_wav, tone
from pulse import PulseSink, running_pulse_sink

from calmfeet.sound.output import Output, Samples, open_output

RATE = 44100
PATIENCE_SECONDS = 30.0


def wait_until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {PATIENCE_SECONDS:.0f} s")
        time.sleep(0.01)


class Bursts:
    """A pull that plays 100 ms 440 Hz bursts starting at given seconds after its first frame,
    by frame count alone, and notes when the block holding each burst's start was pulled."""

    def __init__(self, starts: list[float]) -> None:
        self.starts = [round(RATE * start) for start in starts]
        self.burst = tone(RATE, 0.1, 440.0).astype(np.float32)
        self.next_frame = 0
        self.pulled_at: dict[int, float] = {}
        self.lock = threading.Lock()

    @property
    def end(self) -> int:
        return self.starts[-1] + len(self.burst)

    def __call__(self, frames: int) -> Samples:
        now = time.monotonic()
        first = self.next_frame
        block = np.zeros(frames, dtype=np.float32)
        for start in self.starts:
            low, high = max(first, start), min(first + frames, start + len(self.burst))
            if low < high:
                block[low - first : high - first] = self.burst[low - start : high - start]
            if first <= start < first + frames:
                with self.lock:
                    self.pulled_at[start] = now
        self.next_frame = first + frames
        return block

    def played_past(self, frame: int) -> bool:
        return self.next_frame > frame


def play(bursts: Bursts) -> Output:
    """Play `bursts` through PulseAudio until well past the last one."""
    output = open_output(bursts, sample_rate=RATE, buffer_ms=40, backend="pulseaudio")
    assert isinstance(output, Output), output
    try:
        assert output.backend == "PulseAudio"
        # Past the end by 0.4 s of frames: the last burst has been heard by then.
        wait_until(lambda: bursts.played_past(bursts.end + RATE * 2 // 5), "playback stalled")
    finally:
        output.close()
    assert output.failure is None
    return output


@pytest.mark.slow
def test_bursts_keep_their_spacing_through_a_real_sound_server(
    pulse_sink: PulseSink, tmp_path: Path
) -> None:
    bursts = Bursts([0.5, 1.0, 1.5])
    recording = tmp_path / "sink.wav"
    with pulse_sink.record(recording):
        play(bursts)
    signal, rate = read_wav(recording)
    heard = onsets(signal, rate)
    print(f"recorded onsets {[round(t, 4) for t in heard]}, spacing {np.diff(heard).round(4)}")
    assert len(heard) == 3, heard
    assert np.allclose(np.diff(heard), [0.5, 0.5], atol=0.020), heard
    pitch = pitch_track(signal[round(heard[0] * rate) :][: rate // 10], rate, 0.1)
    assert pitch == [pytest.approx(440.0, abs=5.0)]


@pytest.mark.slow
def test_a_frame_is_heard_about_when_the_output_says(pulse_sink: PulseSink) -> None:
    """frame_time() lets the lead put a cue on the screen's beat: check it against the time
    the sound server's monitor really received the burst, in this process's clock."""
    bursts = Bursts([0.5, 1.0])
    with pulse_sink.capture(RATE) as capture:
        output = play(bursts)
        last_heard = output.frame_time(bursts.end) + 0.2
        wait_until(
            lambda: bool(capture.blocks) and capture.blocks[-1][0] > last_heard,
            "the capture never received the last burst",
        )
    signal = capture.samples()
    heard_at = [capture.time_of(round(start * RATE)) for start in onsets(signal, RATE)]
    assert len(heard_at) == 2, heard_at
    for start, heard in zip(bursts.starts, heard_at, strict=True):
        predicted = output.frame_time(start)
        pulled = bursts.pulled_at[start]
        print(
            f"burst at frame {start}: heard {1000 * (heard - pulled):.1f} ms after its pull, "
            f"{1000 * (heard - predicted):+.1f} ms from frame_time "
            f"(latency_seconds {1000 * output.latency_seconds:.0f} ms)"
        )
        assert heard >= pulled  # nothing is heard before it is made
        assert heard == pytest.approx(predicted, abs=0.020)  # the cue-to-screen target


def test_without_pulseaudio_the_harness_skips_and_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder with no programs in it
    skipped = pytest.raises(pytest.skip.Exception, match="pulseaudio, pulseaudio-utils missing")
    with skipped, running_pulse_sink():
        pytest.fail("a sound server started without pulseaudio")
