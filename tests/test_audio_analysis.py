"""The listening helpers hear what is really there: checked on signals made with known answers."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from audio_analysis import (
    envelope,
    max_jump,
    onsets,
    peak,
    pitch_track,
    read_wav,
    rms,
    tone,
    write_wav,
)

RATE = 44100


def pattern(rate: int, starts: list[float], seconds: float = 2.0, hz: float = 440.0) -> np.ndarray:
    """Silence with a 100 ms burst at each of `starts` (seconds)."""
    signal = np.zeros(round(rate * seconds))
    burst = tone(rate, 0.1, hz)
    for start in starts:
        first = round(rate * start)
        signal[first : first + len(burst)] += burst
    return signal


@pytest.mark.parametrize("rate", [22050, 44100, 48000])
def test_onsets_are_where_the_bursts_start_to_the_millisecond(rate: int) -> None:
    starts = [0.2, 0.5013, 1.0, 1.4987]
    found = onsets(pattern(rate, starts), rate)
    assert len(found) == len(starts)
    assert np.allclose(found, starts, atol=0.0015)


def test_onsets_ignore_a_quiet_noise_floor_and_a_gap_too_short_to_be_silence() -> None:
    rng = np.random.default_rng(7)
    signal = pattern(RATE, [0.3, 1.2]) + rng.normal(0.0, 0.001, round(RATE * 2.0))
    # a 20 ms dip inside the second burst's neighbourhood is not a new onset
    signal[round(RATE * 1.3) : round(RATE * 1.32)] = 0.0
    signal[round(RATE * 1.32) : round(RATE * 1.42)] += tone(RATE, 0.1, 440.0)
    found = onsets(signal, RATE)
    assert len(found) == 2
    assert np.allclose(found, [0.3, 1.2], atol=0.0015)


def test_sound_from_the_first_sample_is_an_onset_at_zero() -> None:
    assert onsets(tone(RATE, 0.2, 300.0, fade_seconds=0.0), RATE) == [pytest.approx(0.0, abs=1e-4)]


def test_silence_has_no_onsets_and_an_envelope_of_zeros() -> None:
    silence = np.zeros(RATE)
    assert onsets(silence, RATE) == []
    assert envelope(silence, RATE).shape == (200,)
    assert rms(silence) == 0.0


def test_pitch_track_follows_a_rising_glide() -> None:
    """A 150-300 Hz inhale glide: each 250 ms window's pitch is above the last."""
    seconds = 4.0
    times = np.arange(round(RATE * seconds)) / RATE
    hz = 150.0 + 150.0 * times / seconds
    phase = 2 * np.pi * np.cumsum(hz) / RATE
    track = pitch_track(0.4 * np.sin(phase), RATE, window_s := 0.25)
    assert len(track) == round(seconds / window_s)
    assert all(later > earlier for earlier, later in pairwise(track))
    assert 150 < track[0] < 165 and 285 < track[-1] < 300


def test_pitch_track_is_accurate_for_a_steady_tone_and_zero_in_silence() -> None:
    signal = np.concatenate([tone(RATE, 0.5, 396.0, fade_seconds=0.0), np.zeros(RATE // 4)])
    assert pitch_track(signal, RATE, 0.25) == pytest.approx([396.0, 396.0, 0.0], abs=0.5)


def test_max_jump_finds_a_click_a_soft_tone_does_not_make() -> None:
    smooth = tone(RATE, 0.5, 440.0)
    assert max_jump(smooth) < 0.04
    clicked = smooth.copy()
    crest = RATE // 4 + 25  # a quarter of a 440 Hz wave after a whole number of waves
    clicked[crest:] = 0.0  # cut off at full height, no fade
    assert max_jump(clicked) > 0.2


def test_peak_tells_a_clipped_signal() -> None:
    assert peak(tone(RATE, 0.1, 440.0, level=0.5)) == pytest.approx(0.5, abs=0.01)
    assert peak(np.clip(tone(RATE, 0.1, 440.0, level=2.0), -1, 1)) == 1.0


@pytest.mark.parametrize(("rate", "channels"), [(44100, 1), (48000, 2), (16000, 2)])
def test_read_wav_gives_mono_floats_at_the_file_rate(
    tmp_path: Path, rate: int, channels: int
) -> None:
    path = tmp_path / "pattern.wav"
    write_wav(path, pattern(rate, [0.25, 0.75], seconds=1.0), rate, channels)
    signal, read_rate = read_wav(path)
    assert read_rate == rate
    assert len(signal) == rate
    assert np.allclose(onsets(signal, rate), [0.25, 0.75], atol=0.0015)
    assert peak(signal) == pytest.approx(0.5, abs=0.01)


def test_read_wav_refuses_what_is_not_16_bit(tmp_path: Path) -> None:
    import wave

    path = tmp_path / "eight.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(bytes(800))
    with pytest.raises(ValueError, match="8-bit"):
        read_wav(path)
