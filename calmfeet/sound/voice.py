"""Spoken words, offline: a voice engine already on the computer, run as a separate program.

espeak-ng (or espeak) where installed, `say` on macOS. Each clip is rendered to a buffer at the
mixer's rate before its moment, so it is played by the mixer like any other sound and starts on
time. No engine means `find_voice()` is None: no voice and, from the caller, one notice.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from calmfeet.core.safe_text import speakable
from calmfeet.sound import SAMPLE_RATE

Buffer = npt.NDArray[np.float32]
VOICE_PEAK = 0.3
"""Speech is brought to this peak: clear over the breath tone, still well below full scale."""
SILENCE = 0.01
"""Quieter than this (of full scale) at a clip's ends is the engine's lead-in silence: cut."""
EDGE_FADE_SECONDS = 0.005
ENGINE_TIMEOUT_SECONDS = 20.0
ESPEAK_OPTIONS = ("-s", "150", "-p", "40")
"""A little slower and lower than espeak's default: calmer."""
NO_VOICE_NOTICE = (
    "no voice engine found (install espeak-ng for spoken steps); going on without voice"
)


class VoiceFailed(Exception):
    """The engine is there but could not speak; the message says why, in one line."""


@dataclass(frozen=True)
class Voice:
    """A voice engine: `render(text)` is the words as a float32 mono buffer at `sample_rate`."""

    name: str
    program: str
    sample_rate: int = SAMPLE_RATE

    def render(self, text: str) -> Buffer:
        words = speakable(text)
        if not words:
            return np.zeros(0, np.float32)
        if self.name == "say":
            data = _run_say(self.program, words)
        else:
            data = _run(
                [self.program, "--stdout", *ESPEAK_OPTIONS], words.encode("utf-8"), self.name
            )
        return prepared(*read_wav(data, self.name), self.sample_rate)


def find_voice(sample_rate: int = SAMPLE_RATE) -> Voice | None:
    """The first voice engine on this computer, or None: espeak-ng, espeak, macOS `say`."""
    for name in ("espeak-ng", "espeak"):
        program = shutil.which(name)
        if program:
            return Voice(name, program, sample_rate)
    if sys.platform == "darwin":
        program = shutil.which("say")
        if program:
            return Voice("say", program, sample_rate)
    return None


def _run(command: list[str], stdin: bytes, name: str) -> bytes:
    try:
        done = subprocess.run(
            command,
            input=stdin,
            capture_output=True,
            timeout=ENGINE_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise VoiceFailed(f"{name} could not run: {error}") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise VoiceFailed(f"{name} failed ({reason[-1] if reason else done.returncode})")
    return done.stdout


def _run_say(program: str, words: str) -> bytes:
    """macOS `say` writes a file: a 16-bit WAVE in a private temp folder, read back."""
    with tempfile.TemporaryDirectory(prefix="calmfeet-say-") as folder:
        target = Path(folder) / "words.wav"
        command = [
            program,
            "-o",
            str(target),
            "--file-format=WAVE",
            "--data-format=LEI16@22050",
            "-f",
            "-",
        ]
        _run(command, words.encode("utf-8"), "say")
        try:
            return target.read_bytes()
        except OSError as error:
            raise VoiceFailed(f"say wrote nothing: {error.strerror or error}") from None


def read_wav(data: bytes, name: str = "voice") -> tuple[npt.NDArray[np.float64], int]:
    """16-bit mono (or the first channel) samples as floats in -1..1, and their rate.

    espeak-ng streams to stdout with a "length unknown" header: the samples are whatever
    follows, so the frame count in the header is not trusted."""
    try:
        with wave.open(io.BytesIO(data)) as reader:
            channels = reader.getnchannels()
            width = reader.getsampwidth()
            rate = reader.getframerate()
            raw = reader.readframes(len(data))
    except (wave.Error, EOFError) as error:
        raise VoiceFailed(f"{name} gave no usable sound ({error})") from None
    if width != 2 or rate <= 0:
        raise VoiceFailed(f"{name} gave {width * 8}-bit sound; calmfeet reads 16-bit")
    samples = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2").astype(np.float64) / 32768.0
    if channels > 1:
        samples = samples[: len(samples) // channels * channels : channels]
    return samples, rate


def prepared(samples: npt.NDArray[np.float64], rate: int, sample_rate: int) -> Buffer:
    """At the mixer's rate, the engine's silence trimmed, peak at VOICE_PEAK, faded ends."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE)
    if not len(loud):
        return np.zeros(0, np.float32)
    samples = samples[loud[0] : loud[-1] + 1]
    if rate != sample_rate:
        count = max(1, round(len(samples) * sample_rate / rate))
        samples = np.interp(
            np.arange(count) * (rate / sample_rate), np.arange(len(samples)), samples
        )
    samples = samples * (VOICE_PEAK / float(np.max(np.abs(samples))))
    fade = min(len(samples) // 2, max(1, round(EDGE_FADE_SECONDS * sample_rate)))
    ramp = np.linspace(0.0, 1.0, fade, endpoint=False)
    samples[:fade] *= ramp
    samples[len(samples) - fade :] *= ramp[::-1]
    return samples.astype(np.float32)
