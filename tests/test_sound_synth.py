"""The sounds, the mixer and the voice: what a person would hear, measured with numpy."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from calmfeet.core.breathing import parse_pattern
from calmfeet.core.clock import FakeClock
from calmfeet.core.cues import BREATH_KINDS, Cue, CueKind, CueSettings, Layer, plan_cues
from calmfeet.core.model import Routine, Step
from calmfeet.core.session import Session
from calmfeet.sound import SAMPLE_RATE
from calmfeet.sound import bank as bank_module
from calmfeet.sound.bank import SoundBank
from calmfeet.sound.mixer import FADE_SECONDS, LIMIT_KNEE, Mixer, soft_limit
from calmfeet.sound.synth import (
    BREATH_PEAK,
    HIGH_HZ,
    LOW_HZ,
    breath_tone,
    cue_sound,
)
from calmfeet.sound.voice import VOICE_PEAK, VoiceFailed, find_voice, read_wav

RATE = SAMPLE_RATE
Floats = npt.NDArray[np.float64]
ESPEAK = shutil.which("espeak-ng") or shutil.which("espeak")
needs_espeak = pytest.mark.skipif(
    ESPEAK is None, reason="espeak-ng is not installed (tests/check.sh installs it as root)"
)


def peak_hz(samples: npt.ArrayLike, low: float = 100.0, high: float = 4000.0) -> float:
    """The strongest frequency in `samples` between low and high, to a fraction of a hertz."""
    x = np.asarray(samples, dtype=np.float64)
    size = 16 * len(x)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)), size))
    freqs = np.fft.rfftfreq(size, 1 / RATE)
    band = np.flatnonzero((freqs >= low) & (freqs <= high))
    i = band[int(np.argmax(spectrum[band]))]
    a, b, c = spectrum[i - 1], spectrum[i], spectrum[i + 1]
    shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) else 0.0
    return float(freqs[i] + shift * (freqs[1] - freqs[0]))


def pitches(buffer: npt.ArrayLike, window: float = 0.1, count: int = 6) -> list[float]:
    """The breath tone's pitch at evenly spaced moments away from its fades."""
    x = np.asarray(buffer, dtype=np.float64)
    size = round(window * RATE)
    starts = np.linspace(0.2 * len(x), 0.8 * len(x) - size, count).astype(int)
    return [peak_hz(x[s : s + size], 120, 400) for s in starts]


def rms(x: npt.ArrayLike) -> float:
    return float(np.sqrt(np.mean(np.square(np.asarray(x, dtype=np.float64)))))


# ---- the breath tone ---------------------------------------------------------------------------


def test_the_inhale_rises_and_the_exhale_falls_through_the_breaths_range() -> None:
    inhale = pitches(breath_tone(4.0, 0.0, 1.0))
    exhale = pitches(breath_tone(6.0, 1.0, 0.0))
    assert all(b > a + 1 for a, b in zip(inhale, inhale[1:], strict=False)), inhale
    assert all(b < a - 1 for a, b in zip(exhale, exhale[1:], strict=False)), exhale
    whole = breath_tone(8.0, 0.0, 1.0)
    assert peak_hz(whole[: RATE // 2], 120, 400) == pytest.approx(LOW_HZ, abs=8)
    assert peak_hz(whole[-RATE // 2 :], 120, 400) == pytest.approx(HIGH_HZ, abs=8)


def test_the_sighs_top_up_is_a_short_rise_from_near_the_top() -> None:
    more = cue_sound(CueKind.INHALE_MORE, seconds=1.0, start_level=0.75, end_level=1.0)
    assert more is not None and len(more) == RATE
    heard = pitches(more, window=0.08, count=3)
    assert heard[0] > 280 and heard[-1] > heard[0] + 5


def test_a_hold_is_steady_and_quieter_than_the_breath() -> None:
    hold = cue_sound(CueKind.HOLD, seconds=4.0, start_level=1.0, end_level=1.0)
    inhale = cue_sound(CueKind.INHALE, seconds=4.0, start_level=0.0, end_level=1.0)
    assert hold is not None and inhale is not None
    heard = pitches(hold)
    assert max(heard) - min(heard) < 1.0
    assert rms(hold) < 0.5 * rms(inhale)


def test_breath_tones_fade_in_and_out_and_stay_soft() -> None:
    tone = breath_tone(5.5, 0.0, 1.0)
    assert tone.dtype == np.float32 and len(tone) == round(5.5 * RATE)
    assert tone[0] == 0.0 and tone[-1] == 0.0
    assert np.max(np.abs(tone)) <= BREATH_PEAK + 1e-6
    # The fade takes a good part of a second: after 50 ms the tone is still nearly silent.
    assert np.max(np.abs(tone[: RATE // 20])) < 0.05 * BREATH_PEAK
    assert np.max(np.abs(tone[-RATE // 20 :])) < 0.05 * BREATH_PEAK


KINDS_WITH_SOUND = [k for k in CueKind if k is not CueKind.SPEAK]


@pytest.mark.parametrize("kind", KINDS_WITH_SOUND, ids=lambda k: k.name)
def test_every_sound_starts_and_ends_at_zero_well_below_full_scale(kind: CueKind) -> None:
    sound = cue_sound(kind, seconds=3.0, start_level=0.0, end_level=1.0, text="2")
    assert sound is not None and len(sound) > 0
    assert np.all(np.isfinite(sound))
    assert sound[0] == 0.0 and sound[-1] == 0.0
    assert np.max(np.abs(sound)) < 0.25  # -12 dB: low by default
    # No click at the start: the first millisecond rises gently.
    assert np.max(np.abs(np.diff(sound[: RATE // 1000]))) < 0.02


def test_the_step_switch_and_halfway_cues_are_told_apart_by_ear() -> None:
    def signature(kind: CueKind) -> tuple[float, float]:
        sound = cue_sound(kind)
        assert sound is not None
        first = sound[: RATE // 5]
        return round(peak_hz(first)), round(len(sound) / RATE, 1)

    signatures = {kind: signature(kind) for kind in (CueKind.STEP, CueKind.SWITCH, CueKind.HALFWAY)}
    assert len(set(signatures.values())) == 3, signatures
    switch = cue_sound(CueKind.SWITCH)
    assert switch is not None
    # Two notes going up: the second half of the cue is higher than its first.
    assert peak_hz(switch[int(0.25 * RATE) : int(0.45 * RATE)]) > peak_hz(switch[: int(0.2 * RATE)])


def test_chimes_ring_above_the_breath() -> None:
    """The breath stays under 350 Hz; every chime's energy is above it, so both can be heard."""
    for kind in (CueKind.STEP, CueKind.SWITCH, CueKind.HALFWAY, CueKind.END, CueKind.COUNT):
        sound = cue_sound(kind, text="3")
        assert sound is not None
        assert peak_hz(sound[: RATE // 4], 50, 8000) > 400, kind


# ---- the bank -------------------------------------------------------------------------------


def test_the_bank_makes_each_sound_once() -> None:
    bank = SoundBank()
    first = Cue(0.0, CueKind.INHALE, Layer.BREATH, seconds=4.0, start_level=0.0, end_level=1.0)
    again = Cue(10.0, CueKind.INHALE, Layer.BREATH, seconds=4.0, start_level=0.0, end_level=1.0)
    assert bank.buffer(first) is bank.buffer(again)
    assert bank.buffer(Cue(0.0, CueKind.STEP, Layer.STEPS)) is bank.buffer(
        Cue(30.0, CueKind.STEP, Layer.STEPS, step=3)
    )
    assert bank.buffer(Cue(0.0, CueKind.SPEAK, Layer.VOICE, text="Hello")) is None  # no voice


def test_scheduling_a_prepared_plan_synthesizes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    steps = (Step("One", 30, "left", "arch", "", parse_pattern("calm")),)
    routine = Routine("r", "R", "", (), parse_pattern("calm"), "", steps, Path("r.toml"))
    cues = plan_cues(Session(routine, FakeClock(), lead_in_seconds=5), CueSettings(ticks=True))
    bank = SoundBank()
    bank.prepare(cues)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("synthesis after prepare")

    monkeypatch.setattr(bank_module, "cue_sound", refuse)
    mixer = Mixer()
    bank.schedule(mixer, cues, 0)
    assert rms(mixer.render(10 * RATE)) > 0


# ---- the mixer ------------------------------------------------------------------------------


def ones(frames: int, value: float = 0.1) -> npt.NDArray[np.float32]:
    return np.full(frames, value, dtype=np.float32)


def test_a_sound_plays_at_its_frame_whatever_the_block_size() -> None:
    tone = breath_tone(0.5, 0.0, 1.0)

    def rendered(block: int) -> Floats:
        mixer = Mixer()
        mixer.schedule(1234, tone, Layer.BREATH)
        mixer.schedule(25000, tone, Layer.STEPS)
        parts = [mixer.render(block) for _ in range(50000 // block + 1)]
        return np.concatenate(parts)[:50000].astype(np.float64)

    one = rendered(50000)
    assert np.flatnonzero(one)[0] == 1235  # tone[0] is 0, tone[1] is not
    for block in (441, 1024, 2205, 4097):
        assert np.array_equal(rendered(block), one), block
    assert np.allclose(one[1234 : 1234 + len(tone)], tone, atol=1e-7)


def test_overlapping_sounds_add_with_their_layer_volumes() -> None:
    mixer = Mixer()
    mixer.set_volume(Layer.VOICE, 0.5)
    mixer.render(10)  # let the volume settle
    mixer.schedule(10, ones(100, 0.1), Layer.BREATH)
    mixer.schedule(60, ones(100, 0.2), Layer.VOICE)
    out = mixer.render(200)  # frames 10 to 210
    assert out[20] == pytest.approx(0.1)
    assert out[80] == pytest.approx(0.2)  # 0.1 + half of 0.2
    assert out[120] == pytest.approx(0.1)
    assert out[190] == 0
    assert mixer.position == 210


def test_a_volume_change_or_mute_glides_over_a_block_instead_of_jumping() -> None:
    mixer = Mixer()
    mixer.schedule(0, ones(10000, 0.2), Layer.BREATH)
    mixer.render(1000)
    mixer.muted = True
    block = mixer.render(1000)
    assert block[0] == pytest.approx(0.2, rel=0.01) and abs(block[-1]) < 0.001
    assert np.max(np.abs(np.diff(block))) < 0.001
    assert np.max(np.abs(mixer.render(1000))) == 0
    mixer.muted = False
    mixer.set_volume(Layer.BREATH, 0.5)
    block = mixer.render(1000)
    assert block[-1] == pytest.approx(0.1, rel=0.01)
    assert np.max(np.abs(np.diff(block))) < 0.001


def test_clearing_drops_what_is_to_come_and_fades_what_plays() -> None:
    mixer = Mixer()
    mixer.schedule(0, ones(RATE, 0.2), Layer.BREATH)
    mixer.schedule(RATE // 2, ones(RATE, 0.1), Layer.STEPS)
    mixer.render(1000)
    mixer.clear_from(1000)
    out = mixer.render(RATE)
    fade = round(FADE_SECONDS * RATE)
    assert out[0] == pytest.approx(0.2, rel=0.01)
    assert np.max(np.abs(np.diff(out))) < 0.2 / fade * 1.5  # a slope, not a cut
    assert np.all(out[fade:] == 0)  # faded away, and the later sound never came
    assert mixer.busy_until == mixer.position


def test_a_chime_already_struck_rings_out_through_a_clear() -> None:
    mixer = Mixer()
    mixer.schedule(0, ones(RATE, 0.1), Layer.STEPS)
    mixer.schedule(0, ones(RATE, 0.2), Layer.BREATH)
    mixer.schedule(30000, ones(1000, 0.3), Layer.STEPS)  # struck later: dropped
    mixer.render(1000)
    mixer.clear_from(1000, ring_on=[Layer.STEPS])
    out = mixer.render(RATE)
    assert out[40000] == pytest.approx(0.1)  # the struck chime, and only it
    assert np.max(out[29000:]) == pytest.approx(0.1)


def test_a_replan_that_keeps_a_tone_crossfades_it_with_itself_inaudibly() -> None:
    tone = breath_tone(2.0, 0.0, 1.0)

    def played(replan_at: int | None) -> Floats:
        mixer = Mixer()
        mixer.schedule(500, tone, Layer.BREATH)
        out = [mixer.render(30000)]
        if replan_at is not None:
            mixer.replace_from(replan_at, [(500, tone, Layer.BREATH)])
        out.append(mixer.render(RATE * 2))
        return np.concatenate(out).astype(np.float64)

    assert np.allclose(played(30000), played(None), atol=1e-6)


def test_a_sound_scheduled_in_the_past_joins_part_way_faded_in() -> None:
    mixer = Mixer()
    mixer.render(5000)
    mixer.schedule(1000, ones(20000, 0.2), Layer.BREATH)  # 4000 frames late
    out = mixer.render(20000)
    fade = round(FADE_SECONDS * RATE)
    assert 0 < out[0] < 0.01
    assert out[fade + 10] == pytest.approx(0.2)
    assert np.all(out[16000:] == 0)  # it still ends where it would have
    assert np.max(np.abs(np.diff(out[:15000]))) < 0.2 / fade * 1.5


def test_a_replan_from_a_frame_already_given_to_the_device_cuts_nothing_under_way() -> None:
    """A live player re-plans from the frame heard now, which the device's buffer already
    holds: a chime struck since then rings on, a tone fades, neither stops dead."""
    mixer = Mixer()
    mixer.schedule(0, ones(RATE, 0.2), Layer.BREATH)
    mixer.schedule(600, ones(RATE, 0.1), Layer.STEPS)
    mixer.render(1000)
    mixer.replace_from(400, [], ring_on=[Layer.STEPS])  # 400 is before the chime struck at 600
    out = mixer.render(RATE)
    fade = round(FADE_SECONDS * RATE)
    assert out[0] == pytest.approx(0.3, rel=0.01)
    assert np.max(np.abs(np.diff(out[: 2 * fade]))) < 0.2 / fade * 1.5  # the tone slopes away
    assert out[fade + 100] == pytest.approx(0.1)  # the chime rings on


def test_a_chime_due_before_what_was_rendered_starts_whole_not_cut_into() -> None:
    mixer = Mixer()
    mixer.render(2000)
    chime = np.linspace(1.0, 0.0, 5000, dtype=np.float32) * np.float32(0.2)
    tone = ones(5000, 0.1)
    mixer.replace_from(
        1500, [(1500, chime, Layer.STEPS), (1500, tone, Layer.BREATH)], whole=[Layer.STEPS]
    )
    out = mixer.render(6000).astype(np.float64)
    fade = round(FADE_SECONDS * RATE)
    assert out[0] == pytest.approx(0.2, rel=0.01)  # the strike itself, at once (the tone
    # joins part-way, faded in from nothing)
    assert out[fade + 10] == pytest.approx(float(chime[fade + 10]) + 0.1, rel=0.01)
    # The tone still ends where it was planned to; the whole chime rings 500 frames later.
    assert np.allclose(out[4500:5000], chime[4500:5000], atol=1e-7)
    assert np.all(out[5000:] == 0)


def test_a_shift_moves_what_is_to_come_and_leaves_what_plays() -> None:
    """The device fell 800 frames behind: what is to come moves 800 earlier."""
    mixer = Mixer()
    mixer.schedule(0, ones(3000, 0.2), Layer.BREATH)  # under way: untouched
    mixer.schedule(5000, ones(1000, 0.1), Layer.STEPS)  # to come: now 4200-5200
    mixer.schedule(1500, ones(1000, 0.05), Layer.STEPS)  # now due at 700, rendered: whole at once
    mixer.schedule(1200, ones(4000, 0.3), Layer.BREATH)  # now due at 400: joins, faded in
    mixer.render(1000)
    mixer.shift_pending(-800, whole=[Layer.STEPS])
    out = mixer.render(5000)  # frames 1000-6000
    fade = round(FADE_SECONDS * RATE)
    assert out[0] == pytest.approx(0.2 + 0.05, abs=1e-3)  # the struck one, from its start
    assert np.all(out[1000:2000] > 0.2) and np.all(np.diff(out[1000:2000]) >= 0)  # joining
    assert np.allclose(out[fade + 10 : 3200], 0.3)  # the first tone ended where it always did
    assert np.allclose(out[3200:3400], 0.4)  # the chime, 800 earlier, over the tone's end
    assert np.allclose(out[3400:4200], 0.1) and np.all(out[4200:] == 0)


def test_a_rewind_takes_back_what_was_rendered_as_if_it_never_was() -> None:
    """A live player renders ahead of the device; what the device has not played yet can be
    taken back and rendered again (after a new plan) without a trace."""
    tone = breath_tone(1.0, 0.0, 1.0)

    def scheduled(mixer: Mixer) -> Mixer:
        mixer.schedule(500, tone, Layer.BREATH)
        mixer.schedule(3000, ones(2000, 0.1), Layer.STEPS)  # starts inside the part taken back
        mixer.schedule(30000, ones(3000, 0.05), Layer.STEPS)
        return mixer

    straight = scheduled(Mixer())
    expected = np.concatenate(
        [straight.render(1000), straight.render(1323), straight.render(40000)]
    )
    ahead = scheduled(Mixer(rewind_seconds=1.0))
    first = ahead.render(1000)
    given = ahead.render(8000)[:1323]  # rendered ahead; the device took only 1323 frames
    ahead.rewind(2323)
    again = ahead.render(40000)
    assert np.array_equal(np.concatenate([first, given, again]), expected)
    ahead.render(10000)
    with pytest.raises(ValueError):
        ahead.rewind(0)  # further back than the second it keeps


def test_a_rewind_into_a_volume_glide_goes_on_from_where_the_device_heard_it() -> None:
    mixer = Mixer(rewind_seconds=1.0)
    mixer.schedule(0, ones(20000, 0.2), Layer.BREATH)
    heard = [mixer.render(1000)]
    mixer.muted = True
    heard.append(mixer.render(4000)[:1000])  # the glide down, half taken back
    mixer.rewind(2000)
    mixer.muted = False  # and changed again
    heard.append(mixer.render(4000))
    out = np.concatenate(heard)
    assert out[1999] < 0.2 and np.max(np.abs(np.diff(out))) < 0.2 / 1000  # smooth, no jump


def test_nothing_ever_clips_however_much_is_piled_up() -> None:
    mixer = Mixer()
    for _ in range(12):
        mixer.schedule(0, ones(1000, 0.5), Layer.STEPS)
    out = mixer.render(1000)
    assert np.max(np.abs(out)) < 1.0
    quiet = np.linspace(-LIMIT_KNEE, LIMIT_KNEE, 101, dtype=np.float32)
    assert np.array_equal(soft_limit(quiet), quiet)  # below the knee nothing changes
    loud = np.linspace(-4, 4, 101, dtype=np.float32)
    limited = soft_limit(loud)
    assert np.all(np.abs(limited) < 1.0) and np.all(np.diff(limited) >= 0)


# ---- the voice ------------------------------------------------------------------------------


def test_no_engine_means_no_voice_not_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_voice() is None


@needs_espeak
def test_espeak_speaks_a_step_at_the_mixers_rate() -> None:
    voice = find_voice(22050 * 2)
    assert voice is not None and voice.name in ("espeak-ng", "espeak")
    clip = voice.render("Step 3 of 10. Thumb walk along the arch. Left foot.")
    assert clip.dtype == np.float32
    assert 1.5 < len(clip) / RATE < 8  # a sentence, at 44.1 kHz
    assert np.max(np.abs(clip)) == pytest.approx(VOICE_PEAK, rel=0.01)
    assert clip[0] == 0.0 and clip[-1] == 0.0
    # Speech: most of its energy in the voice band.
    assert rms(clip) > 0.02
    assert voice.render("  \x1b ").size == 0


def write_fake_engine(folder: Path, name: str, body: str) -> None:
    script = folder / name
    script.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    script.chmod(0o755)


FAKE_SAY = """\
import sys, wave, math
args = sys.argv[1:]
target = args[args.index("-o") + 1]
text = sys.stdin.read()
with wave.open(target, "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)
    frames = bytearray()
    for n in range(22050 * len(text) // 20):
        value = int(8000 * math.sin(2 * math.pi * 200 * n / 22050))
        frames += value.to_bytes(2, "little", signed=True)
    w.writeframes(bytes(frames))
"""


def test_macos_say_is_used_where_there_is_no_espeak(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_fake_engine(tmp_path, "say", FAKE_SAY)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "darwin")
    voice = find_voice()
    assert voice is not None and voice.name == "say"
    clip = voice.render("Twenty characters...")
    assert len(clip) == pytest.approx(RATE, rel=0.01)  # 22.05 kHz made 44.1 kHz
    assert peak_hz(clip[: RATE // 4]) == pytest.approx(200, abs=2)


def test_a_failing_engine_gives_one_notice_and_no_voice(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_fake_engine(
        tmp_path, "espeak-ng", "import sys\nprint('no voice data', file=sys.stderr)\nsys.exit(1)\n"
    )
    monkeypatch.setenv("PATH", str(tmp_path))
    voice = find_voice()
    assert voice is not None
    with pytest.raises(VoiceFailed, match="no voice data"):
        voice.render("Hello")
    bank = SoundBank(voice=voice)
    for text in ("One", "Two"):
        assert bank.buffer(Cue(0.0, CueKind.SPEAK, Layer.VOICE, text=text)) is None
    assert len(bank.notices) == 1 and "going on without voice" in bank.notices[0]


def test_a_stream_header_without_a_length_is_read_to_its_end() -> None:
    """espeak-ng --stdout cannot know the length and says 0x7fffffff: the samples still count."""
    import struct

    samples = (np.sin(np.arange(2205) * 0.2) * 10000).astype("<i2").tobytes()
    header = (
        b"RIFF"
        + struct.pack("<I", 0x7FFFFFFF)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, 22050, 44100, 2, 16)
        + b"data"
        + struct.pack("<I", 0x7FFFFFFF)
    )
    read, rate = read_wav(header + samples)
    assert rate == 22050 and len(read) == 2205
    with pytest.raises(VoiceFailed):
        read_wav(b"not a wav")


def test_settings_volumes_reach_the_mixer() -> None:
    from calmfeet.sound.bank import apply_volumes

    mixer = Mixer()
    apply_volumes(mixer, CueSettings(voice_volume=0.3, volume=0.8, muted=True))
    assert (mixer.volume(Layer.VOICE), mixer.master, mixer.muted) == (0.3, 0.8, True)
    apply_volumes(mixer, CueSettings(volume=0.6, muted=True), live=False)
    assert not mixer.muted  # a file is never silent because the app is muted
    assert mixer.master == 1.0  # nor soft: the phone playing it has a volume of its own


def test_every_breath_kind_has_a_tone() -> None:
    for kind in BREATH_KINDS:
        assert cue_sound(kind, seconds=2.0, start_level=0.2, end_level=0.8) is not None
    assert cue_sound(CueKind.SPEAK, text="hello") is None
