"""The points on the feet: the catalogue, a step's `point`, the foot map, the session's words,
`calmfeet points` and `list --json`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from harness import Harness

from calmfeet.cli import main
from calmfeet.core.clock import FakeClock
from calmfeet.core.footmap import SIZES, DrawingSize, describe, draw_feet, point_spot
from calmfeet.core.model import FEET, ZONES, Routine
from calmfeet.core.paths import Paths
from calmfeet.core.points import (
    CHART_LINKS,
    EVIDENCE,
    POINT_IDS,
    POINTS,
    chart_line,
    get_point,
    suggest_point,
)
from calmfeet.core.routines import RoutineFileError, parse_routine
from calmfeet.core.session import Session
from calmfeet.core.session_view import DisplayOptions, session_view, where_words
from calmfeet.reports import POINTS_WIDTH
from calmfeet.ui.widgets.footmap import FootMap

REQUIRED = ("KI1", "LR3", "SP4", "ST44", "KI3", "BL60", "SP6", "BL67")


def routine_text(step: str, top: str = "") -> str:
    return f'name = "Points"\n{top}[[steps]]\ntitle = "Press"\nseconds = 30\n{step}'


def parse(step: str, top: str = "") -> Routine:
    return parse_routine(routine_text(step, top), "points", "points.toml", Path("points.toml"))


def problems(step: str) -> list[str]:
    with pytest.raises(RoutineFileError) as caught:
        parse(step)
    return [str(p) for p in caught.value.problems]


# --- the catalogue --------------------------------------------------------------------------


def test_the_catalogue_has_the_points_a_person_can_find_with_their_own_hands() -> None:
    assert set(REQUIRED) <= set(POINT_IDS)
    for point in POINTS:
        assert point.name and point.place and point.where and point.how and point.source
        assert point.zone in ZONES and point.zone != "whole", point.id


def test_every_use_is_worded_as_tradition_never_as_fact() -> None:
    for point in POINTS:
        assert point.traditional_use.startswith("Traditionally"), point.id
        for claim in ("cures", "treats", "heals", "will ", "proven"):
            assert claim not in point.traditional_use.lower(), (point.id, claim)


def test_the_points_traditionally_avoided_in_pregnancy_are_sp6_bl60_and_bl67() -> None:
    avoided = {point.id for point in POINTS if point.avoided_in_pregnancy}
    assert avoided == {"SP6", "BL60", "BL67"}


def test_reflexology_is_said_as_a_chart_and_the_evidence_plainly() -> None:
    for zone in CHART_LINKS:
        assert chart_line(zone).startswith("In reflexology's chart, "), zone
    assert (
        chart_line("toes") == "In reflexology's chart, the toes are linked to the head and sinuses."
    )
    assert chart_line("outer-edge") == ""  # the sources do not agree on it: nothing is said
    assert "relaxing" in EVIDENCE and "no good evidence" in EVIDENCE
    assert "not a medical treatment or diagnosis" in EVIDENCE


# --- a step's point ---------------------------------------------------------------------------


def test_a_step_names_a_point_and_takes_its_zone() -> None:
    routine = parse('point = "KI1"\n')
    step = routine.steps[0]
    assert (step.point, step.zone, step.foot) == ("KI1", "ball", "both")


def test_foot_and_zone_are_optional() -> None:
    step = parse("").steps[0]
    assert (step.foot, step.zone, step.point) == ("both", "whole", "")


def test_a_point_with_a_typo_gets_did_you_mean_with_file_and_line() -> None:
    assert problems('foot = "left"\npoint = "KI-1"\n') == [
        "points.toml:6: steps[1].point: unknown point 'KI-1'; did you mean 'KI1'?"
    ]
    assert suggest_point("sp6") == "; did you mean 'SP6'?"
    assert suggest_point("BL6") in ("; did you mean 'BL60'?", "; did you mean 'BL67'?")


def test_an_unknown_point_lists_the_points() -> None:
    (line,) = problems('point = "LI4"\n')
    assert line.startswith(
        "points.toml:5: steps[1].point: unknown point 'LI4'; the points are: KI1"
    )


def test_a_zone_that_contradicts_the_point_is_a_problem() -> None:
    (line,) = problems('zone = "heel"\npoint = "KI1"\n')
    assert line == (
        'points.toml:5: steps[1].zone: KI1 is in the "ball" zone, not "heel": '
        'write zone = "ball" or leave zone out'
    )
    assert parse('zone = "whole"\npoint = "KI1"\n').steps[0].zone == "whole"


def test_a_mirrored_step_still_needs_a_foot() -> None:
    (line,) = problems("mirror = true\n")
    assert "steps[1].mirror: needs foot" in line


# --- the foot map -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("ascii", [False, True])
@pytest.mark.parametrize("point_id", POINT_IDS)
def test_every_point_draws_on_both_feet_at_every_size(
    point_id: str, ascii: bool, size: DrawingSize
) -> None:
    point = get_point(point_id)
    assert point is not None
    drawing = draw_feet("both", point.zone, ascii=ascii, size=size, point=point_id)
    marks = [
        (y, x, cell)
        for y, row in enumerate(drawing.rows)
        for x, cell in enumerate(row)
        if cell.point
    ]
    assert {cell.foot for _, _, cell in marks} == {"left", "right"}
    assert all(cell.point == point_id and cell.zone == point.zone for _, _, cell in marks)
    mark = "+" if ascii else "◉"
    assert all(cell.char == mark and cell.highlighted for _, _, cell in marks)
    assert sum(cell.highlighted for row in drawing.rows for cell in row) == 2, "only the point"
    (left_y, left_x, _), (right_y, right_x, _) = sorted(marks, key=lambda m: m[1])
    assert left_y == right_y and left_x + right_x == drawing.width - 1, "mirrored"
    assert (
        drawing.legend_text[0]
        == f"{mark} {point.id} {point.place} {'-' if ascii else '·'} both feet"
    )
    if ascii:
        assert all(line.isascii() for line in drawing.lines())


@pytest.mark.parametrize("size", SIZES)
def test_a_point_sits_where_it_is_on_the_foot(size: DrawingSize) -> None:
    """On a cell of its own zone for the sole; beside the foot for the top and the ankle,
    outer or inner side as the point is."""
    plain = draw_feet("left", "whole", size=size)
    for point in POINTS:
        y, x = point_spot(point.id, size)
        under = plain.rows[y][x]
        if point.zone in ("top", "ankle"):
            left_of_sole = next(
                i for i, c in enumerate(plain.rows[y]) if c.zone not in (None, "top", "ankle")
            )
            inner = point.place.startswith("inner")
            assert (x > left_of_sole) == inner, point.id
            assert under.zone in (None, point.zone), point.id
        else:
            assert under.zone == point.zone, (point.id, under)


@pytest.mark.parametrize("foot", FEET)
def test_a_point_on_one_foot_lights_that_foot_only(foot: str) -> None:
    drawing = draw_feet(foot, "ankle", point="KI3")
    lit = {cell.foot for row in drawing.rows for cell in row if cell.highlighted}
    assert lit == ({"left", "right"} if foot == "both" else {foot})


def test_the_map_says_the_point_when_there_is_no_room_to_draw() -> None:
    assert describe("left", "ball", "KI1") == "KI1 sole · left foot"
    with pytest.raises(ValueError):
        draw_feet("left", "ball", point="XX9")


def test_the_legend_gives_reflexology_s_link_for_a_zone_but_not_for_a_point() -> None:
    assert draw_feet("left", "arch").notes == (chart_line("arch"),)
    assert draw_feet("left", "ball", point="KI1").notes == ()
    assert draw_feet("left", "top").notes == ()


def painted(foot_map: FootMap) -> list[str]:
    return [foot_map.render_line(y).text for y in range(foot_map.size.height)]


async def test_the_widget_marks_the_point_and_shows_the_chart_line_where_there_is_room() -> None:
    app = Harness(FootMap("left", "arch"))
    async with app.run_test(size=(40, 16)) as pilot:
        foot_map = app.query_one(FootMap)
        lines = painted(foot_map)
        assert any("reflexology's chart" in line for line in lines)
        foot_map.zone = "ball"
        foot_map.point = "KI1"
        await pilot.pause()
        lines = painted(foot_map)
        assert sum(line.count("◉") for line in lines) == 2  # the mark, and its legend
        assert any("KI1 sole · left foot" in line for line in lines)
        assert not any("reflexology" in line for line in lines)
        await pilot.resize_terminal(40, 12)  # room for the feet and legend, not the note
        foot_map.point = ""
        await pilot.pause()
        assert not any("reflexology" in line for line in painted(foot_map))
        with pytest.raises(ValueError):
            foot_map.point = "KI9"


# --- the session's words ----------------------------------------------------------------------


def test_the_session_says_how_to_find_the_point_and_what_to_do_there() -> None:
    routine = parse('foot = "left"\npoint = "SP6"\n')
    view = session_view(Session(routine, FakeClock()), DisplayOptions())
    assert view.point == "SP6"
    assert view.texts.find.startswith("Find SP6 Sanyinjiao: On the inner lower leg, four finger")
    assert view.texts.find.endswith("Traditionally avoided in pregnancy.")
    point = get_point("SP6")
    assert point is not None and view.texts.how == point.how  # the step gave none
    assert where_words(routine.steps[0]) == "Left foot · ankle · SP6"


def test_a_step_without_a_point_has_nothing_to_find() -> None:
    view = session_view(Session(parse('how = "Rub."\n'), FakeClock()), DisplayOptions())
    assert (view.texts.find, view.texts.how, view.point) == ("", "Rub.", "")


# --- the command line -------------------------------------------------------------------------


def test_points_prints_the_catalogue_within_80_columns(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["points"], paths=paths) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= POINTS_WIDTH
    headers = [line for line in lines if line and not line.startswith(" ")]
    for point in POINTS:
        header = next(line for line in headers if line.split()[0] == point.id)
        assert header.index(point.name) == 6, "the names line up after the ids"
    flat = " ".join(out.split())
    for point in POINTS:
        assert " ".join(point.where.split()) in flat
        assert " ".join(point.traditional_use.split()) in flat
    assert "not a medical treatment or diagnosis" in flat


def test_points_json_gives_the_same_data_for_scripts(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["points", "--json"], paths=paths) == 0
    data = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in data] == list(POINT_IDS)
    first = data[0]
    assert set(first) == {
        "id",
        "name",
        "place",
        "where",
        "how",
        "zone",
        "traditional_use",
        "source",
        "avoided_in_pregnancy",
    }
    assert {row["id"] for row in data if row["avoided_in_pregnancy"]} == {"SP6", "BL60", "BL67"}


def test_points_takes_no_app_options(paths: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--ascii", "points"], paths=paths) == 2
    assert "applies only when calmfeet opens" in capsys.readouterr().err


def test_list_json_carries_each_step_s_point(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", "--json"], paths=paths) == 0
    routines = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    steps = routines["sleep-acupressure"]["steps"]
    assert [s["point"] for s in steps if s["point"]] == [
        "KI3",
        "KI3",
        "SP6",
        "SP6",
        "LR3",
        "LR3",
        "KI1",
        "KI1",
    ]
    assert all("point" in s for r in routines.values() for s in r["steps"])
    assert "SP6" in routines["sleep-acupressure"]["caution"]
    assert re.search("DVT", routines["stress-release"]["caution"])
