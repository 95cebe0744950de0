"""Listening with numpy: what tests check in a recorded or rendered WAV.

A signal here is a 1-D float64 array of mono samples in -1..1. `read_wav` makes one from any
16-bit WAV; `onsets` says where sound starts after silence, `pitch_track` what its pitch is
window by window, `max_jump` how big its sharpest step is (a click), `peak` whether it clips.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

Signal = npt.NDArray[np.float64]

HOP_SECONDS = 0.005
"""The energy envelope's step: onsets are found to the hop, then refined to the sample."""


def read_wav(path: Path) -> tuple[Signal, int]:
    """(mono samples in -1..1, sample rate) from a 16-bit PCM WAV of any rate and channel count."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path.name}: {8 * wav.getsampwidth()}-bit samples, not 16-bit")
        channels = wav.getnchannels()
        rate = wav.getframerate()
        raw = wav.readframes(wav.getnframes())
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    usable = len(samples) - len(samples) % channels
    return samples[:usable].reshape(-1, channels).mean(axis=1), rate


def write_wav(path: Path, signal: Signal, rate: int, channels: int = 1) -> None:
    """A 16-bit WAV of `signal` (the same samples on every channel): for tests of the readers."""
    pcm = (np.clip(signal, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.repeat(pcm, channels).tobytes())


def envelope(signal: Signal, rate: int, hop_seconds: float = HOP_SECONDS) -> Signal:
    """RMS level of each hop (the last partial hop dropped)."""
    hop = max(1, round(rate * hop_seconds))
    count = len(signal) // hop
    frames = signal[: count * hop].reshape(count, hop)
    return np.sqrt(np.mean(frames * frames, axis=1))


def onsets(
    signal: Signal,
    rate: int,
    threshold: float = 0.01,
    min_silence_seconds: float = 0.05,
    hop_seconds: float = HOP_SECONDS,
) -> list[float]:
    """Seconds from the start at which sound begins after at least `min_silence_seconds` quiet.

    A hop sounds when its RMS level passes `threshold` (0.01 is -40 dBFS); each onset is then
    moved back to the first sample in its hop (or the one before) whose magnitude passes
    `threshold`, so it is sample-accurate for anything that rises faster than a hop.
    """
    levels = envelope(signal, rate, hop_seconds)
    hop = max(1, round(rate * hop_seconds))
    quiet_hops_needed = max(1, round(min_silence_seconds / hop_seconds))
    found: list[float] = []
    quiet_run = quiet_hops_needed  # the start of the signal counts as after silence
    for index, level in enumerate(levels):
        if level <= threshold:
            quiet_run += 1
            continue
        if quiet_run >= quiet_hops_needed:
            start = max(0, (index - 1) * hop)
            loud = np.flatnonzero(np.abs(signal[start : (index + 1) * hop]) > threshold)
            first = start + int(loud[0]) if len(loud) else index * hop
            found.append(first / rate)
        quiet_run = 0
    return found


def pitch_track(signal: Signal, rate: int, window_seconds: float = 0.25) -> list[float]:
    """The strongest frequency (Hz) in each whole window, 0.0 for a silent one.

    Hann-windowed FFT peak refined by fitting a parabola through the peak bin and its
    neighbours: accurate to well under a hertz for a steady tone in a 250 ms window.
    """
    size = max(8, round(rate * window_seconds))
    taper = np.hanning(size)
    track: list[float] = []
    for start in range(0, len(signal) - size + 1, size):
        chunk = signal[start : start + size]
        if np.sqrt(np.mean(chunk * chunk)) < 1e-4:
            track.append(0.0)
            continue
        spectrum = np.abs(np.fft.rfft(chunk * taper))
        peak = int(np.argmax(spectrum[1:])) + 1
        shift = 0.0
        if peak + 1 < len(spectrum):
            left, middle, right = np.log(spectrum[peak - 1 : peak + 2] + 1e-12)
            bend = left - 2 * middle + right
            shift = 0.5 * (left - right) / bend if bend != 0 else 0.0
        track.append((peak + shift) * rate / size)
    return track


def max_jump(signal: Signal) -> float:
    """The largest step between neighbouring samples: a click stands out from any soft tone
    (a 440 Hz sine at half scale steps at most 0.031 per sample at 44.1 kHz)."""
    return float(np.max(np.abs(np.diff(signal)))) if len(signal) > 1 else 0.0


def peak(signal: Signal) -> float:
    """The largest magnitude: 1.0 (or 32767/32768 from 16-bit) means the sound clipped."""
    return float(np.max(np.abs(signal))) if len(signal) else 0.0


def rms(signal: Signal) -> float:
    return float(np.sqrt(np.mean(signal * signal))) if len(signal) else 0.0


def tone(
    rate: int, seconds: float, hz: float, level: float = 0.5, fade_seconds: float = 0.005
) -> Signal:
    """A sine with short linear fades: a click-free test burst."""
    count = round(rate * seconds)
    wave_ = level * np.sin(2 * np.pi * hz * np.arange(count) / rate)
    fade = min(count // 2, round(rate * fade_seconds))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, endpoint=False)
        wave_[:fade] *= ramp
        wave_[count - fade :] *= ramp[::-1]
    return wave_
