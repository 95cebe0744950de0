"""`calmfeet audio`: a routine as a WAV, analysed with numpy as a listener would hear it.

The 5-minute quick reset (with a halfway cue added) is written once through the command, then
checked against a schedule worked out here from the routine alone: the breath's onsets and the
chimes' fall within 10 ms of it, every inhale rises and every exhale falls, each step change
rings, nothing clips or clicks, and the voice speaks where espeak-ng is installed.
"""

from __future__ import annotations

import io
import os
import shutil
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from calmfeet.cli import ProgressBar, main
from calmfeet.core.cues import VOICE_AFTER_CHIME, CueKind, CueSettings
from calmfeet.core.library import ENV_VAR
from calmfeet.core.model import Routine
from calmfeet.core.paths import Paths, builtin_routines_dir
from calmfeet.core.routines import load_routine
from calmfeet.core.session import feet_switch
from calmfeet.sound.track import plan_track, render_track, timed_routine
from calmfeet.sound.voice import NO_VOICE_NOTICE, find_voice

Floats = npt.NDArray[np.float64]
RATE = 44100
LEAD_IN = 5.0
SWITCH = 3.0
ONSET_TOLERANCE = 0.010
ENVELOPE_MARGIN = 0.3
"""Seconds analysed beyond each end of a stretch, then dropped, so its edges do not ring."""
FULL_SCALE = 32767
ROUTINE_ID = "reset-halfway"
ESPEAK = shutil.which("espeak-ng") or shutil.which("espeak")
needs_espeak = pytest.mark.skipif(
    ESPEAK is None, reason="espeak-ng is not installed (tests/check.sh installs it as root)"
)


def halfway_reset() -> str:
    """The built-in quick reset, with a halfway cue on its ankle circles."""
    text = (builtin_routines_dir() / "quick-reset.toml").read_text(encoding="utf-8")
    marker = 'title = "Ankle circles"\n'
    assert marker in text
    if 'halfway = "Change direction"' in text:
        return text  # the built-in has it now
    return text.replace(marker, marker + 'halfway = "Change direction"\n')


@dataclass(frozen=True)
class Written:
    routine: Routine
    samples: Floats
    path: Path
    paths: Paths
    routines_dir: Path


def read_samples(path: Path) -> Floats:
    with wave.open(str(path)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, RATE)
        raw = reader.readframes(reader.getnframes())
    return np.frombuffer(raw, dtype="<i2").astype(np.float64)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Written]:
    """The track, written once by `calmfeet audio` without a voice (so the analysis hears only
    tones and chimes) from a private config."""
    root = tmp_path_factory.mktemp("audio")
    folder = root / "mine"
    folder.mkdir()
    (folder / f"{ROUTINE_ID}.toml").write_text(halfway_reset(), encoding="utf-8")
    paths = Paths(config_dir=root / "config", data_dir=root / "data")
    target = root / "reset.wav"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(ENV_VAR, raising=False)
        code = main(
            ["audio", ROUTINE_ID, str(target), "--no-voice", "--routines", str(folder)], paths=paths
        )
    assert code == 0
    routine = load_routine(folder / f"{ROUTINE_ID}.toml", ROUTINE_ID)
    yield Written(routine, read_samples(target), target, paths, folder)


@dataclass(frozen=True)
class Expected:
    """The schedule, worked out from the routine alone (not from calmfeet's planner)."""

    steps: list[float]
    switches: list[float]
    halfway: list[float]
    end: float
    inhales: list[tuple[float, float]]
    tops: list[tuple[float, float]]
    exhales: list[tuple[float, float]]

    @property
    def breath_onsets(self) -> list[float]:
        return sorted(a for a, _ in self.inhales + self.tops + self.exhales)


def expected_schedule(routine: Routine) -> Expected:
    steps: list[float] = []
    switches: list[float] = []
    halfway: list[float] = []
    t = LEAD_IN
    for index, step in enumerate(routine.steps):
        if index and feet_switch(routine.steps[index - 1], step):
            switches.append(t)
            t += SWITCH
        steps.append(t)
        if step.halfway:
            halfway.append(t + step.seconds / 2)
        t += step.seconds
    end = t
    # Every step breathes the sigh (in 2 s, in 1 s more, out 6 s): one unbroken breath from
    # the first step on, through the switch pauses.
    inhales: list[tuple[float, float]] = []
    tops: list[tuple[float, float]] = []
    exhales: list[tuple[float, float]] = []
    cycle = LEAD_IN
    while cycle < end:
        for phases, start, length in (
            (inhales, cycle, 2.0),
            (tops, cycle + 2, 1.0),
            (exhales, cycle + 3, 6.0),
        ):
            if start < end:
                phases.append((start, min(start + length, end)))
        cycle += 9.0
    return Expected(steps, switches, halfway, end, inhales, tops, exhales)


# ---- analysis --------------------------------------------------------------------------------


def band_envelope(samples: Floats, start: float, stop: float, low: float, high: float) -> Floats:
    """The loudness of `samples` between `low` and `high` Hz from `start` to `stop` seconds:
    the magnitude of the band's analytic signal, one value a sample."""
    margin = round(ENVELOPE_MARGIN * RATE)
    a, b = round(start * RATE), round(stop * RATE)
    lo, hi = max(0, a - margin), min(len(samples), b + margin)
    size = 2 * (hi - lo)  # zero-padded, so the end does not wrap round onto the start
    spectrum = np.fft.fft(samples[lo:hi], size)
    freqs = np.fft.fftfreq(size, 1 / RATE)
    keep = (freqs >= low) & (freqs <= high)
    envelope = np.abs(np.fft.ifft(np.where(keep, 2 * spectrum, 0)))
    return envelope[a - lo : b - lo]


def chime_onset(samples: Floats, near: float) -> float:
    """When a struck sound (energy above 1.2 kHz) begins, searching 0.3 s either side of `near`:
    the moment its loudness first climbs halfway from the quiet before it to the peak of its
    first strike (the closing arpeggio's later notes pile up louder than its first)."""
    start = near - 0.3
    envelope = band_envelope(samples, start, near + 0.3, 1200, 5000)
    quiet = float(np.median(envelope[: round(0.2 * RATE)]))
    rise = max(30.0, 0.05 * (float(np.max(envelope)) - quiet))
    struck = int(np.flatnonzero(envelope > quiet + rise)[0])
    strike_peak = float(np.max(envelope[struck : struck + round(0.03 * RATE)]))
    threshold = quiet + 0.5 * (strike_peak - quiet)
    begin = max(0, struck - round(0.02 * RATE))
    first = begin + int(np.flatnonzero(envelope[begin:] >= threshold)[0])
    return start + first / RATE


def breath_onset(samples: Floats, near: float) -> float:
    """Where one breath tone ends and the next begins, searching 0.15 s either side of `near`.

    Each tone fades in from silence along a sine-squared curve, so the arcsine of the square
    root of the breath band's loudness (against its full height) rises in a straight line from
    the moment it starts: a line fitted to its rise meets zero at the onset."""
    start = near - 0.5
    envelope = band_envelope(samples, start, near + 0.6, 140, 350)
    root = np.sqrt(envelope)
    lo, hi = round(0.35 * RATE), round(0.65 * RATE)
    lowest = lo + int(np.argmin(envelope[lo:hi]))
    after = root[lowest : lowest + round(0.45 * RATE)]
    top = float(np.max(after))
    high = int(np.flatnonzero(after >= 0.7 * top)[0])
    below = np.flatnonzero(after[:high] < 0.15 * top)
    low = int(below[-1]) + 1 if len(below) else 0
    times = (lowest + np.arange(low, high)) / RATE
    slope, intercept = np.polyfit(times, np.arcsin(after[low:high] / top), 1)
    return start + float(-intercept / slope)


def pitch_track(samples: Floats, begin: float, end: float) -> list[float]:
    """The breath tone's pitch (the strongest frequency in 140-360 Hz) in 100 ms windows from
    20% to 80% of the way through a phase, clear of its fades."""
    size = round(0.1 * RATE)
    length = end - begin
    heard: list[float] = []
    for fraction in np.linspace(0.2, 0.8 - 0.1 / length, 5):
        a = round((begin + fraction * length) * RATE)
        window = samples[a : a + size] * np.hanning(size)
        padded = 16 * size
        spectrum = np.abs(np.fft.rfft(window, padded))
        freqs = np.fft.rfftfreq(padded, 1 / RATE)
        band = np.flatnonzero((freqs >= 140) & (freqs <= 360))
        heard.append(float(freqs[band[int(np.argmax(spectrum[band]))]]))
    return heard


def rms(samples: Floats, start: float, stop: float) -> float:
    piece = samples[round(start * RATE) : round(stop * RATE)]
    return float(np.sqrt(np.mean(np.square(piece))))


# ---- the track --------------------------------------------------------------------------------


def test_the_track_lasts_the_routine_with_its_pauses_and_a_ringing_end(written: Written) -> None:
    expected = expected_schedule(written.routine)
    assert expected.end == pytest.approx(LEAD_IN + 306 + 3 * SWITCH)
    seconds = len(written.samples) / RATE
    assert expected.end + 3 < seconds < expected.end + 8  # the closing chime rings out
    assert np.max(np.abs(written.samples[-round(0.2 * RATE) :])) == 0  # and ends in silence


def test_the_breath_starts_and_turns_within_10_ms_of_the_schedule(written: Written) -> None:
    expected = expected_schedule(written.routine)
    onsets = expected.breath_onsets
    assert len(onsets) > 100
    misses = []
    for planned in onsets:
        heard = breath_onset(written.samples, planned)
        if abs(heard - planned) > ONSET_TOLERANCE:
            misses.append((planned, round(heard - planned, 4)))
    assert misses == []


def test_no_breath_is_heard_while_getting_ready(written: Written) -> None:
    """Only the 3-2-1 count: the breath band is silent until the first step."""
    getting_ready = band_envelope(written.samples, 0.0, LEAD_IN - 0.05, 140, 350)
    breathing = band_envelope(written.samples, LEAD_IN + 0.5, LEAD_IN + 1.5, 140, 350)
    assert float(np.max(getting_ready)) < 0.02 * float(np.min(breathing))


def test_every_inhale_rises_and_every_exhale_falls(written: Written) -> None:
    expected = expected_schedule(written.routine)
    for begin, end in expected.inhales + expected.tops:
        heard = pitch_track(written.samples, begin, end)
        assert all(b > a for a, b in zip(heard, heard[1:], strict=False)), (begin, heard)
        assert heard[0] > 175 and heard[-1] < 335
    for begin, end in expected.exhales:
        heard = pitch_track(written.samples, begin, end)
        assert all(b < a for a, b in zip(heard, heard[1:], strict=False)), (begin, heard)
    # The sigh's second inhale is its own rise, from near where the first one stopped.
    pairs = zip(expected.inhales, expected.tops, strict=False)
    for (begin, end), (top_begin, top_end) in pairs:
        first = pitch_track(written.samples, begin, end)
        top_up = pitch_track(written.samples, top_begin, top_end)
        assert top_up[0] > first[-1] and top_up[0] > 270, (top_begin, first, top_up)


def test_the_chimes_ring_within_10_ms_of_each_change(written: Written) -> None:
    expected = expected_schedule(written.routine)
    marks = (
        expected.steps
        + expected.switches
        + expected.halfway
        + [expected.end]
        + [LEAD_IN - 3, LEAD_IN - 2, LEAD_IN - 1]  # the 3-2-1 count
    )
    misses = []
    for planned in marks:
        heard = chime_onset(written.samples, planned)
        if abs(heard - planned) > ONSET_TOLERANCE:
            misses.append((planned, round(heard - planned, 4)))
    assert misses == []


def test_there_is_chime_energy_at_each_step_change_and_none_between(written: Written) -> None:
    expected = expected_schedule(written.routine)
    for t in expected.steps + expected.switches:
        ringing = float(np.mean(band_envelope(written.samples, t, t + 0.25, 1200, 5000)))
        before = float(np.mean(band_envelope(written.samples, t - 0.6, t - 0.1, 1200, 5000)))
        assert ringing > 10 * max(before, 1.0), (t, ringing, before)
    # Mid-step, far from any cue, only the breath: nothing above 1.2 kHz.
    quiet_at = expected.steps[1] + 20
    assert float(np.max(band_envelope(written.samples, quiet_at, quiet_at + 5, 1200, 5000))) < 30


def test_nothing_clips_and_the_level_stays_low(written: Written) -> None:
    peak = float(np.max(np.abs(written.samples)))
    assert peak < FULL_SCALE
    assert peak < 0.5 * FULL_SCALE  # a calm default: at least 6 dB below full scale


def test_no_clicks_where_sounds_join(written: Written) -> None:
    samples = written.samples
    # Where a breath tone hands over to the next, the wave moves no more than it does around
    # it (a chime may be ringing there): a cut would jump far more.
    for planned in expected_schedule(written.routine).breath_onsets:
        frame = round(planned * RATE)
        join = np.max(np.abs(np.diff(samples[frame - 2 : frame + 3])))
        around = np.abs(np.diff(samples[frame - 441 : frame + 441]))
        assert join <= max(20.0, 1.2 * float(np.percentile(around, 99))), planned
    # Nowhere does the wave jump further from one sample to the next than its own tones do.
    assert float(np.max(np.abs(np.diff(samples)))) < 2500


def test_the_block_size_changes_nothing(written: Written) -> None:
    """The live player pulls 10-50 ms blocks, the file 8192 frames: the samples are the same."""
    routine = timed_routine(1.0, written.routine)

    def rendered(block: int) -> bytes:
        out = io.BytesIO()
        render_track(routine, out, CueSettings(voice=False), block_frames=block)
        return out.getvalue()

    whole = rendered(8192)
    assert rendered(441) == whole
    assert rendered(2205 + 7) == whole


@needs_espeak
def test_the_voice_speaks_each_step_on_time(written: Written, tmp_path: Path) -> None:
    target = tmp_path / "voiced.wav"
    code = main(
        ["audio", ROUTINE_ID, str(target), "--voice", "--routines", str(written.routines_dir)],
        paths=written.paths,
    )
    assert code == 0
    voiced = read_samples(target)
    assert len(voiced) >= len(written.samples)
    voice = voiced[: len(written.samples)] - written.samples  # the same track, plus words
    assert float(np.max(np.abs(voiced))) < 0.6 * FULL_SCALE
    spoken = [
        cue
        for cue in plan_track(
            written.routine, CueSettings(), lead_in_seconds=LEAD_IN, switch_seconds=SWITCH
        )
        if cue.kind is CueKind.SPEAK
    ]
    expected = expected_schedule(written.routine)
    assert [round(c.at, 3) for c in spoken if c.text.startswith("Step ")] == [
        round(t + VOICE_AFTER_CHIME, 3) for t in expected.steps
    ]
    for cue in spoken:
        frame = round(cue.at * RATE)
        assert np.max(np.abs(voice[max(0, frame - round(0.05 * RATE)) : frame]), initial=0) < 2
        words = np.flatnonzero(np.abs(voice[frame : frame + RATE]) > 2)
        assert len(words) and words[0] / RATE < ONSET_TOLERANCE, cue
        assert rms(voice, cue.at, cue.at + 0.6) > 500, cue
    # Between announcements, mid-step, no voice at all.
    quiet_at = expected.steps[1] + 20
    assert np.max(np.abs(voice[round(quiet_at * RATE) : round((quiet_at + 5) * RATE)])) == 0


# ---- the command ------------------------------------------------------------------------------


def run(paths: Paths, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), paths=paths)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_audio_writes_a_wav_and_says_so(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "reset.wav"
    code, out, err = run(paths, capsys, "audio", "quick-reset", str(target), "--no-voice")
    assert (code, err) == (0, "")
    assert out == f"Wrote {target}: Quick Reset, 5:27\n"  # 5:20 and the closing chime
    assert len(read_samples(target)) > 300 * RATE
    assert list(tmp_path.glob(".reset.wav*")) == []  # no temporary file left beside it


def test_audio_uses_the_persons_get_ready_and_switch_pauses(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from calmfeet.core.preferences import PreferencesStore

    store = PreferencesStore(paths)
    store.load()
    store.set_lead_in_seconds(0)
    store.set_switch_seconds(0)
    target = tmp_path / "reset.wav"
    assert run(paths, capsys, "audio", "quick-reset", str(target), "--no-voice")[0] == 0
    seconds = len(read_samples(target)) / RATE
    assert 306 + 3 < seconds < 306 + 8  # no lead-in, no switch pauses


def test_an_unknown_id_lists_the_ids(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(paths, capsys, "audio", "nope", str(tmp_path / "x.wav"))
    assert (code, out) == (2, "")
    assert err.startswith("calmfeet: no routine with id 'nope'; the ids are: ankle-mobility, ")
    assert err.count("\n") == 1
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.parametrize(
    "where",
    ["missing/x.wav", "a-file/x.wav", "a-folder"],
    ids=["no folder", "under a file", "folder"],
)
def test_a_place_that_cannot_be_written_is_one_line_and_exit_3(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    (tmp_path / "a-folder").mkdir()
    target = tmp_path / where
    code, out, err = run(paths, capsys, "audio", "quick-reset", str(target), "--no-voice")
    assert (code, out) == (3, "")
    assert err.startswith(f"calmfeet: {target}: cannot be written (")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_an_interrupted_render_leaves_the_old_file_and_no_half_file(
    paths: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from calmfeet.sound.mixer import Mixer

    target = tmp_path / "out" / "reset.wav"
    target.parent.mkdir()
    target.write_bytes(b"the old track")
    real_render = Mixer.render
    blocks = []

    def interrupted(self: Mixer, frames: int) -> npt.NDArray[np.float32]:
        blocks.append(frames)
        if len(blocks) == 100:
            raise KeyboardInterrupt
        return real_render(self, frames)

    monkeypatch.setattr(Mixer, "render", interrupted)
    code, _, _ = run(paths, capsys, "audio", "quick-reset", str(target), "--no-voice")
    assert code == 130
    assert target.read_bytes() == b"the old track"
    assert [p.name for p in target.parent.iterdir()] == ["reset.wav"]


def test_the_track_is_readable_by_others_like_any_new_file(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "reset.wav"
    old = os.umask(0o022)
    try:
        assert run(paths, capsys, "audio", "quick-reset", str(target), "--no-voice")[0] == 0
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644


def test_no_voice_engine_is_one_notice_not_an_error(
    paths: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    target = tmp_path / "reset.wav"
    code, out, err = run(paths, capsys, "audio", "quick-reset", str(target), "--voice")
    assert code == 0 and out.startswith("Wrote ")
    assert err == f"calmfeet: {NO_VOICE_NOTICE}\n"
    assert "install espeak-ng" in NO_VOICE_NOTICE


def test_options_for_the_app_are_refused(
    paths: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        paths, capsys, "--theme", "moss", "audio", "quick-reset", str(tmp_path / "x.wav")
    )
    assert code == 2 and "--theme applies only when calmfeet opens" in err
    code, _, err = run(paths, capsys, "audio", "quick-reset", "")
    assert code == 2 and err == "calmfeet: audio: an empty file name was given\n"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_on_a_terminal_and_is_wiped_after() -> None:
    terminal = FakeTerminal()
    bar = ProgressBar(terminal, after=0.0)
    for done in (0, 250, 500, 500, 1000):
        bar(done, 1000)
    bar.close()
    drawn = terminal.getvalue()
    assert drawn.count("\rcalmfeet: writing") == 4  # 0, 25, 50, 100%: 50% is not redrawn
    assert "[#######.......................]  25%" in drawn
    assert drawn.endswith("\r") and "100%" in drawn


def test_no_progress_bar_when_not_on_a_terminal_or_when_quick() -> None:
    piped = io.StringIO()
    bar = ProgressBar(piped, after=0.0)
    bar(500, 1000)
    bar.close()
    assert piped.getvalue() == ""
    terminal = FakeTerminal()
    quick = ProgressBar(terminal, after=3600.0)
    quick(500, 1000)
    quick.close()
    assert terminal.getvalue() == ""


def test_find_voice_is_what_the_command_uses() -> None:
    voice = find_voice()
    assert (voice is None) == (ESPEAK is None and os.uname().sysname != "Darwin")
