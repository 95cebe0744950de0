"""WCAG 2 contrast of what is actually drawn: each piece of text against the cell behind it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.color import Color as RichColor
from rich.segment import Segment
from textual.color import Color
from textual.constants import DIM_FACTOR

DIM_BLEND = DIM_FACTOR
"""Textual turns `dim` text into a blend toward the background itself when it knows both
colours; text it leaves dim is counted the same way."""


def luminance(red: int, green: int, blue: int) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def ratio(first: RGB, second: RGB) -> float:
    light, dark = sorted((luminance(*first), luminance(*second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


RGB = tuple[int, int, int]


def rgb(colour: RichColor) -> RGB:
    red, green, blue = colour.get_truecolor()
    return (red, green, blue)


def blend(background: RGB, colour: RGB, factor: float) -> RGB:
    red, green, blue = (
        round(b + (c - b) * factor) for c, b in zip(colour, background, strict=True)
    )
    return (red, green, blue)


@dataclass(frozen=True)
class TextContrast:
    text: str
    foreground: RGB
    background: RGB
    ratio: float


def text_contrasts(
    segments: list[Segment], default_fg: RichColor, default_bg: RichColor
) -> list[TextContrast]:
    """The contrast of every visible piece of text, dim text at its effective colour."""
    found: list[TextContrast] = []
    for segment in segments:
        style = segment.style
        if style is None or not segment.text.strip():
            continue
        fg = style.color if style.color and not style.color.is_default else default_fg
        bg = style.bgcolor if style.bgcolor and not style.bgcolor.is_default else default_bg
        if style.reverse:
            fg, bg = bg, fg
        front = rgb(fg)
        back = rgb(bg)
        if style.dim:
            front = blend(back, front, DIM_BLEND)
        found.append(TextContrast(segment.text.strip(), front, back, ratio(front, back)))
    return found


def resolve(variables: dict[str, str], name: str, behind: Color) -> Color:
    """A theme variable as the colour a person sees over `behind`: `auto N%` is Textual's
    contrasting text at that opacity, and a translucent colour is laid over what is behind."""
    value = variables[name].strip()
    if value.startswith("auto"):
        percent = value.removeprefix("auto").strip().rstrip("%") or "100"
        return behind + behind.get_contrast_text(float(percent) / 100)
    return behind + Color.parse(value)


def variable_ratio(
    variables: dict[str, str], text: str, background: str, base: str = "background"
) -> float:
    """Contrast of the text variable over the background variable (itself over `base`)."""
    behind = resolve(variables, background, Color.parse(variables[base]))
    front = resolve(variables, text, behind)
    return ratio(front.rgb, behind.rgb)
