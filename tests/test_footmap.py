"""The foot map: the pure drawing of both soles, and the widget that shows it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from harness import Harness

from calmfeet.core.footmap import (
    MARKER_ZONES,
    SOLE_ZONES,
    Cell,
    FootDrawing,
    choose_size,
    describe,
    draw_feet,
    drawing_extent,
)
from calmfeet.core.glyphs import glyphs_for, unicode_supported
from calmfeet.core.model import FEET, ZONES
from calmfeet.ui.widgets.footmap import FootMap

SnapCompare = Callable[..., bool]


def cells(drawing: FootDrawing) -> list[Cell]:
    return [cell for row in drawing.rows for cell in row]


def lit(drawing: FootDrawing) -> set[tuple[str | None, str | None]]:
    return {(cell.zone, cell.foot) for cell in cells(drawing) if cell.highlighted}


def sides(foot: str) -> set[str]:
    return {"left", "right"} if foot == "both" else {foot}


# --- the pure drawing -------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["large", "small"])
@pytest.mark.parametrize("foot", FEET)
@pytest.mark.parametrize("zone", [z for z in ZONES if z != "whole"])
def test_a_zone_lights_only_that_zone_on_that_foot(zone: str, foot: str, size: str) -> None:
    drawing = draw_feet(foot, zone, size=size)  # type: ignore[arg-type]
    assert lit(drawing) == {(zone, side) for side in sides(foot)}


@pytest.mark.parametrize("foot", FEET)
def test_whole_lights_every_sole_cell_of_the_foot_but_not_the_markers(foot: str) -> None:
    drawing = draw_feet(foot, "whole")
    for cell in cells(drawing):
        if cell.zone in SOLE_ZONES:
            assert cell.highlighted == (cell.foot in sides(foot))
        else:
            assert not cell.highlighted


@pytest.mark.parametrize("ascii", [False, True])
def test_highlight_shows_in_the_shape_not_only_the_colour(ascii: bool) -> None:
    drawing = draw_feet("left", "heel", ascii=ascii)
    heel = {cell.char for cell in cells(drawing) if cell.zone == "heel"}
    lit_chars = {cell.char for cell in cells(drawing) if cell.highlighted}
    unlit_chars = {cell.char for cell in cells(drawing) if cell.zone and not cell.highlighted}
    assert len(heel) == 2  # lit heel on the left foot, plain heel on the right
    assert not lit_chars & unlit_chars


def test_every_sole_zone_and_marker_is_drawn_on_both_feet() -> None:
    for size in ("large", "small"):
        drawing = draw_feet("left", "toes", size=size)
        drawn = {(cell.zone, cell.foot) for cell in cells(drawing) if cell.zone}
        expected = {(z, side) for z in SOLE_ZONES + MARKER_ZONES for side in ("left", "right")}
        assert drawn == expected


def test_feet_mirror_each_other_with_big_toes_inside() -> None:
    drawing = draw_feet("both", "whole")
    for row in drawing.rows:
        zones = [cell.zone for cell in row]
        assert zones == zones[::-1]
    # The big toe (the widest toe cells) sits next to the gap between the feet.
    top = "".join(cell.char for cell in drawing.rows[1])
    middle = len(top) // 2
    assert top[middle - 5 : middle + 5].count("█") >= 4


def test_the_arch_is_narrower_than_ball_and_heel() -> None:
    drawing = draw_feet("left", "whole", size="large")

    def widths(zone: str) -> list[int]:
        rows = [r for r in drawing.rows if any(c.zone == zone for c in r)]
        return [sum(1 for c in r if c.foot == "left" and c.zone in SOLE_ZONES) for r in rows]

    narrowest_arch = min(widths("arch"))
    assert narrowest_arch < max(widths("ball"))
    assert narrowest_arch < max(widths("heel"))


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("foot", FEET)
def test_ascii_drawing_is_pure_ascii(zone: str, foot: str) -> None:
    for size in ("large", "small"):
        text = draw_feet(foot, zone, ascii=True, size=size).text()
        assert text.isascii()


def test_legend_says_the_zone_and_foot_in_words() -> None:
    assert draw_feet("right", "arch").legend_text[0] == "█ arch · right foot"
    assert draw_feet("both", "inner-edge", ascii=True).legend_text[0] == "# inner edge - both feet"
    assert "top of foot" in draw_feet("left", "top").legend_text[0]
    assert "left foot" in draw_feet("left", "top").legend_text[0]
    assert describe("both", "whole") == "whole sole · both feet"


def test_unknown_foot_or_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="foot"):
        draw_feet("middle", "arch")
    with pytest.raises(ValueError, match="zone"):
        draw_feet("left", "knee")


def test_size_is_chosen_by_the_space_available() -> None:
    large_w, large_h = drawing_extent("large")
    small_w, small_h = drawing_extent("small")
    assert small_h < large_h and small_w < large_w
    assert choose_size(large_w, large_h) == "large"
    assert choose_size(large_w, large_h - 1) == "small"
    assert choose_size(small_w, small_h) == "small"
    assert choose_size(small_w - 1, 100) is None
    assert choose_size(0, 0) is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, True),
        ({"LANG": "en_GB.UTF-8"}, True),
        ({"LANG": "de_DE.utf8"}, True),
        ({"LANG": "C"}, False),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "POSIX"}, False),
        ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, True),
        ({"LC_ALL": "", "LANG": "en_US.ISO-8859-1"}, False),
    ],
)
def test_unicode_supported_reads_the_locale(env: dict[str, str], expected: bool) -> None:
    assert unicode_supported(env) is expected


# --- the widget ---------------------------------------------------------------------------------


def FootMapApp(foot: str = "both", zone: str = "whole", *, ascii: bool = False) -> Harness:  # noqa: N802 - reads as the app it builds
    return Harness(FootMap(foot, zone, ascii=ascii))


SNAPSHOTS = [
    ("left", "toes", False),
    ("right", "ball", False),
    ("both", "arch", False),
    ("left", "heel", False),
    ("right", "inner-edge", False),
    ("left", "outer-edge", False),
    ("right", "top", False),
    ("both", "ankle", False),
    ("left", "whole", False),
    ("both", "toes", True),
    ("left", "arch", True),
    ("right", "heel", True),
    ("both", "top", True),
    ("right", "whole", True),
]


@pytest.mark.parametrize(("foot", "zone", "ascii"), SNAPSHOTS)
def test_snapshot(snap_compare: SnapCompare, foot: str, zone: str, ascii: bool) -> None:
    assert snap_compare(FootMapApp(foot, zone, ascii=ascii), terminal_size=(40, 16))


def test_snapshot_small_terminal_uses_the_small_feet(snap_compare: SnapCompare) -> None:
    assert snap_compare(FootMapApp("right", "arch"), terminal_size=(30, 9))


def painted(foot_map: FootMap) -> list[str]:
    return [foot_map.render_line(y).text for y in range(foot_map.size.height)]


async def test_changing_zone_and_foot_repaints_the_highlight() -> None:
    app = FootMapApp("left", "toes")
    async with app.run_test(size=(40, 16)) as pilot:
        foot_map = app.query_one(FootMap)
        assert any("toes · left foot" in line for line in painted(foot_map))
        foot_map.foot = "right"
        foot_map.zone = "heel"
        await pilot.pause()
        lines = painted(foot_map)
        assert any("heel · right foot" in line for line in lines)
        heel_rows = [line for line in lines if "█" in line and "foot" not in line]
        assert len(heel_rows) == 3
        assert all(line.index("█") > 20 for line in heel_rows)  # only on the right foot


async def test_setting_an_unknown_zone_fails_at_once() -> None:
    app = FootMapApp()
    async with app.run_test(size=(40, 16)):
        with pytest.raises(ValueError):
            app.query_one(FootMap).zone = "knee"


async def test_survives_any_terminal_size() -> None:
    app = FootMapApp("both", "arch")
    async with app.run_test(size=(40, 16)) as pilot:
        foot_map = app.query_one(FootMap)
        for size in [(1, 1), (10, 3), (200, 60), (0, 5), (40, 16)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            for y in range(foot_map.size.height + 1):
                assert foot_map.render_line(y).cell_length == foot_map.size.width
        assert foot_map.drawing is not None and foot_map.drawing.size == "large"


async def test_too_small_for_feet_still_says_what_to_massage() -> None:
    app = FootMapApp("right", "ball")
    async with app.run_test(size=(20, 3)):
        foot_map = app.query_one(FootMap)
        assert foot_map.drawing is None
        assert foot_map.render_line(0).text.startswith("ball · right foot"[:20])


async def test_colours_follow_a_theme_change() -> None:
    app = FootMapApp("left", "toes")
    async with app.run_test(size=(40, 16)) as pilot:
        foot_map = app.query_one(FootMap)

        def sole_style() -> object:
            return next(seg.style for seg in foot_map.render_line(4) if "░" in seg.text)

        dark = sole_style()
        app.theme = "textual-light"
        await pilot.pause()
        assert sole_style() != dark


@pytest.mark.parametrize("ascii", [False, True])
def test_each_lit_mark_differs_from_its_unlit_mark_and_from_the_other_lit_ones(
    ascii: bool,
) -> None:
    foot = glyphs_for(ascii).foot
    pairs = [
        (foot.sole, foot.sole_on),
        (foot.toe, foot.toe_on),
        (foot.top, foot.top_on),
        (foot.ankle, foot.ankle_on),
    ]
    lit = [on for _, on in pairs]
    assert len(set(lit)) == len(lit), "a lit toe, top or ankle reads as its own mark"
    unlit = {off for off, _ in pairs} | {foot.dot}
    assert not set(lit) & unlit
