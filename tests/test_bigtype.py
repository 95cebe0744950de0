"""Big type: the words a person reads from a metre away are drawn several rows tall."""

from __future__ import annotations

from calmfeet.core import bigtype
from calmfeet.core.bigtype import FONT, largest_scale, measure, pixels, render


def test_every_letter_and_digit_has_a_glyph_five_pixels_tall() -> None:
    for char in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789":
        glyph = FONT[char]
        assert len(glyph.rows) == 5
        assert len({len(row) for row in glyph.rows}) == 1, char
        assert any(any(row) for row in glyph.rows), char


def test_no_two_letters_or_digits_look_the_same() -> None:
    """O and 0, I and 1, S and 5 must stay apart, or a count reads as a word."""
    seen: dict[tuple[tuple[bool, ...], ...], str] = {}
    for char, glyph in FONT.items():
        assert glyph.rows not in seen, f"{char!r} looks like {seen.get(glyph.rows)!r}"
        seen[glyph.rows] = char


def test_unicode_is_three_rows_with_half_blocks() -> None:
    lines = render("Hi 4")
    assert len(lines) == 3
    assert len({len(line) for line in lines}) == 1
    assert set("".join(lines)) <= {" ", "▀", "▄", "█"}
    # H: ink top and bottom on both sides of the first row pair
    assert lines[0][0] == "█" and lines[0][2] == "█"


def test_ascii_is_five_rows_of_hashes() -> None:
    lines = render("Exhale", ascii=True)
    assert len(lines) == 5
    assert set("".join(lines)) <= {" ", "#"}
    assert lines[0].startswith("###")  # the E's top bar


def test_scale_repeats_each_pixel() -> None:
    one = render("4", ascii=True)
    two = render("4", ascii=True, scale=2)
    assert len(two) == 2 * len(one)
    assert two[0] == "".join(c * 2 for c in one[0])
    assert measure("Inhale", scale=2) == (2 * measure("Inhale")[0], 5)


def test_words_and_letters_are_spaced() -> None:
    row = pixels("I I")[0]
    assert row == [True] * 3 + [False] * 2 + [True] * 3
    assert pixels("II")[0] == [True] * 3 + [False] + [True] * 3


def test_largest_scale_fits_the_space_given() -> None:
    width, height = measure("Inhale 4")
    assert largest_scale("Inhale 4", width, height) == 1
    assert largest_scale("Inhale 4", width * 2, height * 2) >= 2
    assert largest_scale("Inhale 4", width - 1, height) == 0


def test_a_sentence_wraps_into_lines_that_each_fit() -> None:
    sentence = "Walk both thumbs slowly from heel to ball along the arch."
    lines = bigtype.wrap_words(sentence, 120)
    assert lines is not None and len(lines) >= 2
    assert " ".join(lines) == sentence
    assert all(bigtype.measure(line)[0] <= 120 for line in lines)


def test_a_sentence_that_cannot_be_drawn_is_not_wrapped() -> None:
    assert bigtype.wrap_words("Press (gently)", 200) is None  # no glyph for brackets
    assert bigtype.wrap_words("Supercalifragilistic", 20) is None  # one word too wide
