"""The points on the feet a person can find with their own hands, and what reflexology's chart
links each zone to: always said as tradition, with where each fact comes from.

Acupressure points come from traditional Chinese medicine and reflexology's chart from zone
therapy; neither is established anatomy. Their uses are written as what the tradition says
("traditionally used for..."), never as what pressing a point does. EVIDENCE says, in one
plain line, what studies do support.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from calmfeet.core.model import Zone


@dataclass(frozen=True)
class Point:
    """One acupressure point on the foot or ankle."""

    id: str
    """The usual code, e.g. `KI1` (the first point of the kidney channel)."""
    name: str
    """Its pinyin name and a translation, e.g. `Yongquan (Gushing Spring)`."""
    place: str
    """Where, in two or three words for the map's legend: `sole`, `inner ankle`."""
    where: str
    """How to find it, in plain words."""
    how: str
    """How to press it."""
    zone: Zone
    """The zone of calmfeet's foot model it lies in (or, off the foot, nearest to)."""
    traditional_use: str
    """What the tradition uses it for, worded as tradition."""
    source: str
    """Where the location and the use come from."""
    avoided_in_pregnancy: bool = False
    """Traditionally avoided in pregnancy (said to promote labour)."""


POINTS: tuple[Point, ...] = (
    Point(
        id="KI1",
        name="Yongquan (Gushing Spring)",
        place="sole",
        where=(
            "On the sole: curl your toes; it is the deepest hollow, about a third of the way "
            "from the base of the 2nd and 3rd toes to the back of the heel."
        ),
        how="Press straight in with your thumb, firm and steady, easing off as you breathe in.",
        zone="ball",
        traditional_use=(
            "Traditionally said to calm the mind and draw energy down from the head; used for "
            "restlessness, headaches and poor sleep."
        ),
        source="kmcric.com acupoint KI1; tcmwiki.com Yongquan; yinyanghouse.com KD 1",
    ),
    Point(
        id="LR3",
        name="Taichong (Great Surge)",
        place="top of foot",
        where=(
            "On the top of the foot, in the hollow just behind where the bones of the big toe "
            "and the 2nd toe meet."
        ),
        how="Press into the hollow with a fingertip, toward the sole, in small slow circles.",
        zone="top",
        traditional_use=(
            "Traditionally used for stress and irritability, headaches and tension "
            '("spreading the Liver qi").'
        ),
        source="acupuncture.com Liv 3 Taichong; tcmwiki.com LR3",
    ),
    Point(
        id="SP4",
        name="Gongsun (Grandfather Grandson)",
        place="inner edge",
        where=(
            "On the inner edge of the foot, in the hollow just in front of and below the bump "
            "at the base of the big-toe bone, where the top's skin meets the sole's."
        ),
        how="Press up against the bone with your thumb, steady, for a few slow breaths.",
        zone="inner-edge",
        traditional_use=(
            "Traditionally used for the digestion: stomach ache, bloating and nausea."
        ),
        source="meandqi.com SP4; yinyanghouse.com SP 4; bencaodian.org Gongsun (after Deadman)",
    ),
    Point(
        id="ST44",
        name="Neiting (Inner Court)",
        place="top of foot",
        where="On the top of the foot, just behind the web between the 2nd and 3rd toes.",
        how="Press gently with a fingertip and rub in small circles toward the ankle.",
        zone="top",
        traditional_use=(
            'Traditionally used to "clear heat": toothache, facial pain and an upset stomach.'
        ),
        source="yinyanghouse.com ST 44; acupoints.org ST 44",
    ),
    Point(
        id="KI3",
        name="Taixi (Great Stream)",
        place="inner ankle",
        where=("On the inner ankle, in the hollow between the ankle bone and the Achilles tendon."),
        how="Cup the ankle and press the hollow with your thumb, gently, in slow circles.",
        zone="ankle",
        traditional_use=(
            "Traditionally said to strengthen the Kidney; used for an aching lower back, "
            "tiredness, ringing ears and poor sleep."
        ),
        source="sacredlotus.com KI-03 Tai Xi (after Deadman, A Manual of Acupuncture)",
    ),
    Point(
        id="BL60",
        name="Kunlun (Kunlun Mountains)",
        place="outer ankle",
        where=("On the outer ankle, in the hollow between the ankle bone and the Achilles tendon."),
        how="Pinch the hollows on both sides of the tendon lightly between thumb and finger.",
        zone="ankle",
        traditional_use=(
            "Traditionally used for headaches, a stiff neck, and lower back and heel pain; "
            "also said to bring on labour."
        ),
        source="yinyanghouse.com UB 60; steve-woodley.co.uk Bl-60",
        avoided_in_pregnancy=True,
    ),
    Point(
        id="SP6",
        name="Sanyinjiao (Three Yin Intersection)",
        place="inner lower leg",
        where=(
            "On the inner lower leg, four finger-widths above the inner ankle bone, just "
            "behind the edge of the shin bone."
        ),
        how="Press in toward the bone with your thumb, firm but comfortable, and stay there.",
        zone="ankle",
        traditional_use=(
            "Traditionally used for digestion, period pain and sleep; also said to bring on labour."
        ),
        source="steve-woodley.co.uk Sp-6; global.seirin.jp (insomnia points)",
        avoided_in_pregnancy=True,
    ),
    Point(
        id="BL67",
        name="Zhiyin (Reaching Yin)",
        place="little toe",
        where="At the outer corner of the little toe's nail.",
        how="Press or pinch lightly with a fingernail's edge, a few seconds at a time.",
        zone="toes",
        traditional_use=(
            "Traditionally used for headaches, and warmed by practitioners late in pregnancy "
            "to help turn a breech baby."
        ),
        source="Coyle et al. 2005 (Cochrane review of moxibustion for breech); acufinder.com",
        avoided_in_pregnancy=True,
    ),
)
"""The catalogue, from the toes' end of the body's channels round to the leg."""

POINTS_BY_ID: dict[str, Point] = {point.id: point for point in POINTS}
POINT_IDS: tuple[str, ...] = tuple(POINTS_BY_ID)

PREGNANCY_SOURCE = (
    'angelicakokkalis.com; acufinder.com "acupuncture points to avoid during pregnancy"'
)
"""Where the points avoided in pregnancy (SP6, BL60 and BL67 on the foot) come from."""


def get_point(point_id: str) -> Point | None:
    return POINTS_BY_ID.get(point_id)


def suggest_point(text: str) -> str:
    """`; did you mean 'KI1'?` for `ki1`, `KI-1` or `K1`, or "" when nothing is close."""
    upper = text.strip().upper()
    if upper in POINTS_BY_ID:
        return f"; did you mean {upper!r}?"
    compact = upper.replace("-", "").replace(" ", "")
    if compact in POINTS_BY_ID:
        return f"; did you mean {compact!r}?"
    close = difflib.get_close_matches(compact, POINT_IDS, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def find_words(point: Point) -> str:
    """How the session says to find a point: `KI1 Yongquan: On the sole: ...`."""
    name = point.name.split(" (")[0]
    text = f"{point.id} {name}: {point.where}"
    if point.avoided_in_pregnancy:
        text += " Traditionally avoided in pregnancy."
    return text


# --- reflexology's chart -----------------------------------------------------------------

CHART_LINKS: dict[str, str] = {
    "toes": "the head and sinuses",
    "ball": "the chest: lungs and heart",
    "arch": "digestion",
    "heel": "the lower back and pelvis",
    "inner-edge": "the spine",
}
"""What reflexology's foot chart links each zone to. Charts vary by school; these are the
parts most agree on (Fitzgerald's zone therapy, mapped onto the feet by Eunice Ingham)."""

CHART_SOURCES = (
    'netplaces.com "picture the foot as a map of the body"; reflexologyplus.co "foot maps '
    'explained"; sportsrec.com "reflexology foot zones"'
)

_ZONE_NAMES = {
    "toes": "the toes are",
    "ball": "the ball of the foot is",
    "arch": "the arch is",
    "heel": "the heel is",
    "inner-edge": "the inner edge is",
}


def chart_line(zone: str) -> str:
    """`In reflexology's chart, the toes are linked to the head and sinuses.`, or "" for a
    zone the chart sources do not agree on (the outer edge, the top, the ankle)."""
    if zone == "whole":
        return "In reflexology's chart, the whole sole is a map of the body."
    link = CHART_LINKS.get(zone)
    if link is None:
        return ""
    return f"In reflexology's chart, {_ZONE_NAMES[zone]} linked to {link}."


CHART_SHORT: dict[str, str] = {
    "toes": "the head",
    "ball": "the chest",
    "arch": "digestion",
    "heel": "the lower back",
    "inner-edge": "the spine",
}
"""CHART_LINKS in a word or two, for a line that names several zones."""


def chart_summary(zones: tuple[str, ...] | list[str]) -> str:
    """The chart's links for these zones in a line: `the toes to the head, the arch to
    digestion`; "" when none of them is charted."""
    seen = [zone for zone in dict.fromkeys(zones) if zone in CHART_LINKS]
    words = {"inner-edge": "inner edge"}
    return ", ".join(f"the {words.get(zone, zone)} to {CHART_SHORT[zone]}" for zone in seen)


EVIDENCE = (
    "Foot massage is relaxing, and small studies suggest it may ease anxiety and help sleep; "
    "there is no good evidence that pressing a zone or point treats the organ it is linked "
    "to. calmfeet is not a medical treatment or diagnosis."
)
"""The one plain line on evidence, everywhere it is said."""

EVIDENCE_SOURCES = (
    "Ernst 2009, Med J Aust (18 RCTs): reflexology not shown to treat any condition, foot "
    "massage pleasantly relaxing; Wang et al. 2020, eCAM (26 RCTs, 2,366 adults): anxiety and "
    "sleep improved, small low-quality trials; McCullough et al. 2014, eCAM (17 RCTs); Yeung "
    "et al. 2012 (acupressure for sleep vs sham: marginal, high risk of bias)"
)
