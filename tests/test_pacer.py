"""The breathing pacer: right word at the right time, smooth at 20 Hz, cheap, and any size."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from harness import Harness
from hypothesis import given
from hypothesis import strategies as st
from rich.color import Color as RichColor
from textual.strip import Strip
from textual.theme import Theme

from calmfeet.core.breathing import BUILTIN_PATTERNS, BreathingPattern, Phase, parse_pattern
from calmfeet.ui.theme_vars import THEME_VARIABLE_DEFAULTS
from calmfeet.ui.widgets.pacer import (
    FULL,
    Pacer,
    _changed_regions,
    bar_row,
    level_step,
    pacer_geometry,
    shape_rows,
)

SnapCompare = Callable[..., bool]
PHASE_WORDS = tuple(p.word for p in Phase)


class PacerApp(Harness):
    """The harness holding one pacer, showing `pattern` at `elapsed` seconds."""

    def __init__(
        self, pattern: BreathingPattern | None = None, elapsed: float = 0.0, paused: bool = False
    ) -> None:
        super().__init__(Pacer())
        self.pattern = pattern
        self.elapsed = elapsed
        self.paused = paused

    def on_mount(self) -> None:
        if self.pattern is not None:
            state = self.pattern.state_at(self.elapsed)
            self.query_one(Pacer).show(self.pattern, state, paused=self.paused)


def lines(pacer: Pacer) -> list[Strip]:
    return [pacer.render_line(y) for y in range(pacer.size.height)]


def screen_text(pacer: Pacer) -> str:
    return "\n".join(strip.text for strip in lines(pacer))


def frame(pacer: Pacer) -> tuple[tuple[tuple[str, bool], ...], ...]:
    """What a person sees: characters and which cells are drawn in reverse video."""
    return tuple(
        tuple((seg.text, bool(seg.style and seg.style.reverse)) for seg in strip)
        for strip in lines(pacer)
    )


def shape_only(pacer: Pacer) -> tuple[str, ...]:
    """The rows holding shape glyphs, without the word and the numbers."""
    texts = [strip.text for strip in lines(pacer)]
    return tuple(t for t in texts if FULL in t or any(c in t for c in "▏▎▍▌▋▊▉"))


def word_line(pacer: Pacer) -> str:
    text = screen_text(pacer)
    found = [line.strip() for line in text.splitlines() if line.strip().startswith(PHASE_WORDS)]
    assert len(found) == 1, text
    return found[0]


def phase_words_on_screen(pacer: Pacer) -> list[str]:
    """The capitalised phase words shown (the pattern's legend says `in 4 s, hold 4 s`)."""
    text = screen_text(pacer)
    return [word for word in PHASE_WORDS if word in text]


# Pure shape


@given(width=st.integers(0, 300), half=st.integers(0, 1300))
def test_bar_is_centred_and_exactly_as_wide_as_asked(width: int, half: int) -> None:
    row = bar_row(width, half)
    assert len(row.text) == width
    assert row.filled_eighths == min(2 * half, width * 8)
    if half * 2 <= width * 8 and half % 8 == 0:
        assert row.text == row.text[::-1]


def test_the_pill_widens_with_every_step_of_the_breath() -> None:
    geometry = pacer_geometry(40, 12)
    widths = [shape_rows(geometry, step)[0].filled_eighths for step in range(geometry.steps + 1)]
    assert widths == sorted(widths)
    assert len(set(widths)) == geometry.steps + 1
    empty, full = shape_rows(geometry, 0), shape_rows(geometry, geometry.steps)
    middle = geometry.band_rows // 2
    assert empty[middle].filled_eighths * 2 < full[middle].filled_eighths
    assert full[middle].lead >= 1 and full[middle].trail >= 1, "never touches the edges"


@given(width=st.integers(-2, 300), height=st.integers(-2, 120), level=st.floats(0, 1))
def test_layout_fits_any_size(width: int, height: int, level: float) -> None:
    geometry = pacer_geometry(width, height)
    rows = shape_rows(geometry, level_step(geometry, level))
    used = [geometry.word_row, geometry.pattern_row]
    used += [geometry.band_top + i for i in range(len(rows))]
    assert all(-1 <= row < max(0, height) for row in used)
    assert all(len(row.text) == max(0, width) for row in rows)
    if width > 0 and height > 0:
        assert geometry.word_row >= 0, "the word is the last thing to go"


# The word and the numbers


@pytest.mark.parametrize("name", ["box", "4-7-8", "sigh"])
async def test_word_and_seconds_follow_the_phases(name: str) -> None:
    pattern = BUILTIN_PATTERNS[name]()
    app = PacerApp()
    async with app.run_test(size=(60, 16)):
        pacer = app.query_one(Pacer)
        for start in pattern.boundaries(pattern.cycle_seconds * 2):
            state = pattern.state_at(start)
            seconds = pattern.phases[state.index].seconds
            pacer.show(pattern, state)
            assert word_line(pacer) == f"{state.said} {seconds:g}"
            assert phase_words_on_screen(pacer) == [state.phase.word]
            assert pattern.describe() in screen_text(pacer)
            before = pattern.state_at(start + seconds - 0.01)
            pacer.show(pattern, before)
            assert word_line(pacer) == f"{state.said} 1"
            assert phase_words_on_screen(pacer) == [state.phase.word]


async def test_the_count_shown_again_after_the_big_view_is_the_current_one() -> None:
    """In big-type view the pacer draws no count, so its changes repaint nothing there; the
    detail view ("v") must then show the count as it is now, not as it was when hidden."""
    pattern = BUILTIN_PATTERNS["box"]()
    app = PacerApp()
    async with app.run_test(size=(60, 16)) as pilot:
        pacer = app.query_one(Pacer)
        pacer.show(pattern, pattern.state_at(0.0))
        assert word_line(pacer) == "Inhale 4"
        pacer.show_word = False
        await pilot.pause()
        assert "Inhale" not in screen_text(pacer)
        pacer.show(pattern, pattern.state_at(2.5))
        pacer.show_word = True
        await pilot.pause()
        assert word_line(pacer) == "Inhale 2"


async def test_a_pattern_named_after_a_phase_does_not_add_a_second_word() -> None:
    pattern = parse_pattern("4-6")
    named = BreathingPattern("hold steady", pattern.phases)
    app = PacerApp()
    async with app.run_test(size=(60, 16)):
        pacer = app.query_one(Pacer)
        pacer.show(named, named.state_at(1))
        assert phase_words_on_screen(pacer) == ["Inhale"]
        assert "in 4 s, out 6 s" in screen_text(pacer)


async def test_each_phase_colours_the_shape_from_the_theme() -> None:
    pattern = BUILTIN_PATTERNS["4-7-8"]()
    app = PacerApp()
    async with app.run_test(size=(60, 16)):
        pacer = app.query_one(Pacer)
        for t, phase in ((2.0, "inhale"), (6.0, "hold"), (14.0, "exhale")):
            pacer.show(pattern, pattern.state_at(t))
            styles = {seg.style for strip in lines(pacer) for seg in strip if FULL in seg.text}
            colors = {style.color for style in styles if style is not None}
            assert colors == {RichColor.parse(THEME_VARIABLE_DEFAULTS[f"pacer-{phase}"])}


async def test_switching_theme_recolours_the_shape_at_once() -> None:
    pattern = BUILTIN_PATTERNS["calm"]()
    app = PacerApp(pattern, elapsed=1.0)
    async with app.run_test(size=(60, 16)) as pilot:
        pacer = app.query_one(Pacer)
        app.register_theme(
            Theme(name="dawn", primary="#888888", dark=True, variables={"pacer-inhale": "#ff0000"})
        )
        app.theme = "dawn"
        await pilot.pause()
        styles = {seg.style for strip in lines(pacer) for seg in strip if FULL in seg.text}
        assert {style.color for style in styles if style} == {RichColor.parse("#ff0000")}


# Paused


async def test_paused_shows_paused_and_freezes_until_resumed() -> None:
    pattern = BUILTIN_PATTERNS["box"]()
    app = PacerApp()
    async with app.run_test(size=(60, 16)) as pilot:
        pacer = app.query_one(Pacer)
        pacer.show(pattern, pattern.state_at(1.0))
        running = frame(pacer)
        pacer.show(pattern, pattern.state_at(1.0), paused=True)
        paused = frame(pacer)
        assert "Paused" in screen_text(pacer)
        assert phase_words_on_screen(pacer) == []
        assert pacer.has_class("-paused")
        await pilot.pause()
        shape_colours = {
            seg.style and seg.style.color for s in lines(pacer) for seg in s if FULL in seg.text
        }
        assert (
            shape_colours
            and RichColor.parse(THEME_VARIABLE_DEFAULTS["pacer-inhale"]) not in shape_colours
        )
        for t in (1.5, 3.0, 5.0, 9.0):
            pacer.show(pattern, pattern.state_at(t), paused=True)
            assert frame(pacer) == paused
        pacer.show(pattern, pattern.state_at(5.0))
        assert word_line(pacer) == "Hold 3"
        assert not pacer.has_class("-paused")
        assert frame(pacer) != running


async def test_paused_keeps_the_shape_where_it_was() -> None:
    pattern = BUILTIN_PATTERNS["calm"]()
    app = PacerApp()
    async with app.run_test(size=(60, 16)):
        pacer = app.query_one(Pacer)
        pacer.show(pattern, pattern.state_at(2.0))
        shape = shape_only(pacer)
        pacer.show(pattern, pattern.state_at(2.0), paused=True)
        pacer.show(pattern, pattern.state_at(3.5), paused=True)
        assert shape_only(pacer) == shape


# Cheap repaints


async def test_show_repaints_only_when_the_frame_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    pattern = BUILTIN_PATTERNS["4-7-8"]()
    app = PacerApp()
    async with app.run_test(size=(60, 16)):
        pacer = app.query_one(Pacer)
        calls: list[object] = []
        real_refresh = pacer.refresh

        def spy(*args: object, **kwargs: object) -> Pacer:
            calls.append(args)
            return real_refresh()

        monkeypatch.setattr(pacer, "refresh", spy)
        pacer.show(pattern, pattern.state_at(6.0))
        assert len(calls) == 1
        for t in (6.0, 6.05, 6.5, 6.9):  # the hold: same shape, same "Hold 5"
            pacer.show(pattern, pattern.state_at(t))
        assert len(calls) == 1
        pacer.show(pattern, pattern.state_at(7.1))  # "Hold 4"
        assert len(calls) == 2
        pacer.show(pattern, pattern.state_at(7.1), paused=True)
        assert len(calls) > 2, "pausing shows Paused"
        paused_calls = len(calls)
        for t in (8.0, 9.0, 12.0):
            pacer.show(pattern, pattern.state_at(t), paused=True)
        assert len(calls) == paused_calls


@pytest.mark.parametrize("size", [(40, 12), (100, 30)])
@pytest.mark.parametrize("name", ["resonance", "box"])
async def test_inhale_moves_at_least_12_times_a_second_at_20_hz(
    size: tuple[int, int], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pattern = BUILTIN_PATTERNS[name]()
    inhale = pattern.phases[0].seconds
    app = PacerApp()
    async with app.run_test(size=size):
        pacer = app.query_one(Pacer)
        refreshes: list[object] = []
        real_refresh = pacer.refresh

        def spy(*args: object, **kwargs: object) -> Pacer:
            refreshes.append(args)
            return real_refresh()

        monkeypatch.setattr(pacer, "refresh", spy)
        frames: list[object] = []
        samples = round(inhale * 20)
        for tick in range(samples):
            pacer.show(pattern, pattern.state_at(tick / 20))
            frames.append(frame(pacer))
        changes = sum(1 for a, b in zip(frames, frames[1:], strict=False) if a != b)
        assert changes / inhale >= 12
        assert len(refreshes) == changes + 1, "one repaint per new frame, none in between"


@pytest.mark.parametrize("name", ["4-7-8", "sigh", "box"])
async def test_partial_repaints_cover_every_row_that_changed(name: str) -> None:
    """A row left out of a partial repaint would stay stale on the terminal."""
    pattern = BUILTIN_PATTERNS[name]()
    app = PacerApp()
    async with app.run_test(size=(70, 20)):
        pacer = app.query_one(Pacer)
        pacer.show(pattern, pattern.state_at(0))
        before, key = frame(pacer), pacer.frame_key
        partial = full = 0
        for tick in range(1, round(pattern.cycle_seconds * 20) + 10):
            pacer.show(pattern, pattern.state_at(tick / 20), paused=tick % 97 == 0)
            after, new_key = frame(pacer), pacer.frame_key
            regions = _changed_regions(key, new_key)
            whole = regions == [pacer.size.region]
            assert new_key == key or regions, "a new frame always names what to repaint"
            full += new_key != key and whole
            if regions and not whole:
                partial += 1
                covered = {y for r in regions for y in range(r.y, r.bottom)}
                changed = {y for y, (a, b) in enumerate(zip(before, after, strict=True)) if a != b}
                assert changed <= covered
                assert all(r.x == 0 and r.width == 70 for r in regions)
            before, key = after, new_key
        pauses = (round(pattern.cycle_seconds * 20) + 10) // 97
        assert full <= len(pattern.phases) + 1 + 2 * pauses, "only a phase or a pause repaints all"
        assert partial > full * 5


# Reduced motion


@pytest.mark.parametrize("how", ["reactive", "animation_level"])
async def test_reduced_motion_moves_the_shape_once_per_phase(how: str) -> None:
    pattern = BUILTIN_PATTERNS["4-7-8"]()
    app = PacerApp()
    async with app.run_test(size=(60, 16)):
        pacer = app.query_one(Pacer)
        if how == "reactive":
            pacer.reduced_motion = True
        else:
            app.animation_level = "none"
        shapes: dict[int, set[tuple[str, ...]]] = {}
        words: set[str] = set()
        for tick in range(round(pattern.cycle_seconds * 20)):
            state = pattern.state_at(tick / 20)
            pacer.show(pattern, state)
            shapes.setdefault(state.index, set()).add(shape_only(pacer))
            words.add(word_line(pacer))
        assert all(len(seen) == 1 for seen in shapes.values())
        inhale, hold, exhale = (next(iter(shapes[i])) for i in range(3))
        assert inhale == hold, "an inhale is shown full from its start"
        assert len("".join(exhale)) and exhale != inhale
        assert {"Inhale 4", "Inhale 1", "Hold 7", "Hold 1", "Exhale 8", "Exhale 1"} <= words


async def test_turning_reduced_motion_on_repaints_at_once() -> None:
    pattern = BUILTIN_PATTERNS["calm"]()
    app = PacerApp(pattern, elapsed=1.0)
    async with app.run_test(size=(60, 16)) as pilot:
        pacer = app.query_one(Pacer)
        moving = shape_only(pacer)
        pacer.reduced_motion = True
        await pilot.pause()
        assert shape_only(pacer) != moving
        pacer.show(pattern, pattern.state_at(3.9))
        assert word_line(pacer) == "Inhale 1"


# Any size


@pytest.mark.parametrize("size", [(1, 1), (2, 1), (10, 2), (12, 3), (250, 80)])
async def test_any_terminal_size_still_shows_the_word(size: tuple[int, int]) -> None:
    pattern = BUILTIN_PATTERNS["box"]()
    app = PacerApp(pattern, elapsed=1.0)
    async with app.run_test(size=size) as pilot:
        pacer = app.query_one(Pacer)
        await pilot.pause()
        text = screen_text(pacer)
        assert "Inhale 3"[: size[0]] in text
        assert (FULL in text) == (size[1] >= 2), "a shape whenever there is a second row"


async def test_shrinking_and_growing_the_terminal_never_breaks_it() -> None:
    pattern = BUILTIN_PATTERNS["sigh"]()
    app = PacerApp(pattern, elapsed=0.5)
    async with app.run_test(size=(80, 24)) as pilot:
        pacer = app.query_one(Pacer)
        for width, height in [(1, 1), (2, 1), (10, 2), (30, 3), (0, 0), (250, 80), (40, 12)]:
            await pilot.resize_terminal(width, height)
            pacer.show(pattern, pattern.state_at(1.0))
            await pilot.pause()
            assert len(lines(pacer)) == pacer.size.height
            assert all(strip.cell_length == pacer.size.width for strip in lines(pacer))
        assert word_line(pacer) == "Inhale 1"
        assert pacer.size == (40, 12)


# Snapshots


def test_snapshot_mid_inhale(snap_compare: SnapCompare) -> None:
    assert snap_compare(PacerApp(BUILTIN_PATTERNS["resonance"](), 2.75), terminal_size=(80, 20))


def test_snapshot_hold(snap_compare: SnapCompare) -> None:
    assert snap_compare(PacerApp(BUILTIN_PATTERNS["4-7-8"](), 6.2), terminal_size=(80, 20))


def test_snapshot_mid_exhale(snap_compare: SnapCompare) -> None:
    assert snap_compare(PacerApp(BUILTIN_PATTERNS["4-7-8"](), 15.0), terminal_size=(80, 20))


def test_snapshot_paused(snap_compare: SnapCompare) -> None:
    app = PacerApp(BUILTIN_PATTERNS["box"](), 2.5, paused=True)
    assert snap_compare(app, terminal_size=(80, 20))


def test_snapshot_small_terminal(snap_compare: SnapCompare) -> None:
    assert snap_compare(PacerApp(BUILTIN_PATTERNS["calm"](), 1.3), terminal_size=(40, 12))
