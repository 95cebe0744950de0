"""`calmfeet serve` in a real browser: Debian's Chromium, phone-sized, driven by keys and taps.

What a person beside their feet does: open the link, see the picker, start a routine, watch
the breath change; on another host, the link needs its token. The terminal is read back off the
websocket (tests/browser.py).
"""

from __future__ import annotations

import re
import struct
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import (
    DEADLINE,
    BrowserTerminal,
    browser_missing,
    launch,
    open_page,
    private_home,
    served,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(240),
    pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or ""),
]

PHONE = {"width": 390, "height": 844}
PHONE_SIDEWAYS = {"width": 844, "height": 390}
PHONE_CONTEXT: dict[str, Any] = {"has_touch": True, "is_mobile": True, "device_scale_factor": 1}
"""device_scale_factor 1: Chromium's emulated pixel ratio does not reach ResizeObserver's
device-pixel sizes (real screens do; see the test with a real ratio below), so an emulated 2
would draw the terminal at twice its size in the test alone."""
PHASE = re.compile(r"\b(Inhale|Exhale)\b")


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    launched = launch(playwright)
    yield launched
    launched.close()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return private_home(tmp_path)


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def fits(term: BrowserTerminal, viewport: dict[str, int]) -> None:
    box = term.page.locator(".xterm-screen").bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 0.5, box


def phase_word(term: BrowserTerminal) -> str:
    found = PHASE.findall(term.screen_text())
    return found[-1] if found else ""


def test_on_a_phone_the_picker_shows_and_a_routine_breathes(
    browser: Any, env: dict[str, str], tmp_path: Path
) -> None:
    with served(env) as server:
        term, response = open_page(browser, server.url, viewport=PHONE, **PHONE_CONTEXT)
        assert response.status == 200
        screen = term.wait_for("calmfeet", "Quick Reset", "10 of 10")
        columns, rows = term.size()
        assert columns >= 48 and rows > columns / 2, (columns, rows)  # upright, readable
        fits(term, PHONE)
        shot = tmp_path / "phone-picker.png"
        term.page.screenshot(path=str(shot))
        assert png_size(shot) == (PHONE["width"], PHONE["height"])
        assert "sound plays on the computer running calmfeet" in term.page.inner_text("#note")

        # Focus the terminal for keys without a click: a click lands on a routine and starts it.
        term.page.locator(".xterm-helper-textarea").focus()
        term.page.keyboard.type("web walk")  # letters filter the picker by name
        term.wait_for("Web Walk")
        term.page.keyboard.press("Enter")
        screen = term.wait_for("Toe circles", "Step 1 of 2")
        first = phase_word(term)
        assert first in ("Inhale", "Exhale"), screen
        end = time.monotonic() + DEADLINE  # a 2-2 pattern: the word turns every 2 seconds
        while phase_word(term) == first:
            assert time.monotonic() < end, f"the phase word stayed {first}"
            time.sleep(0.1)
        assert {first, phase_word(term)} == {"Inhale", "Exhale"}
        term.page.screenshot(path=str(tmp_path / "phone-session.png"))


def test_held_sideways_it_fits_too(browser: Any, env: dict[str, str]) -> None:
    with served(env) as server:
        term, _ = open_page(browser, server.url, viewport=PHONE_SIDEWAYS, **PHONE_CONTEXT)
        term.wait_for("calmfeet", "10 of 10")  # the list scrolls: Web Walk is below
        columns, rows = term.size()
        assert columns > 2 * rows, (columns, rows)
        fits(term, PHONE_SIDEWAYS)


def test_a_tap_on_a_footer_key_works(browser: Any, env: dict[str, str]) -> None:
    with served(env) as server:
        term, _ = open_page(browser, server.url, viewport=PHONE, **PHONE_CONTEXT)
        term.wait_for("10 of 10", "Stats")
        lines = term.settle().splitlines()
        row = max(i for i, line in enumerate(lines) if "Stats" in line)
        column = lines[row].index("Stats")
        x, y = term.cell_centre(column + 1, row)
        term.page.touchscreen.tap(x, y)
        term.wait_for("sessions")  # the stats screen
        assert "Quick Reset" not in term.screen_text()


def test_the_canvas_follows_a_real_pixel_ratio(playwright: Any, env: dict[str, str]) -> None:
    """A screen with two device pixels to the CSS pixel, as phones have: the terminal's canvas
    gets twice the pixels of its size on the page (so text is sharp and the layout right)."""
    sharp = launch(playwright, ["--force-device-scale-factor=2"])
    with served(env) as server:
        term, _ = open_page(sharp, server.url, viewport=PHONE, has_touch=True)
        term.wait_for("10 of 10")
        sizes = term.page.evaluate(
            "[...document.querySelectorAll('.xterm-screen canvas')]"
            ".map(c => [c.width, c.getBoundingClientRect().width])"
        )
        sharp.close()
        assert sizes and all(pixels == 2 * round(css) for pixels, css in sizes), sizes


def test_beyond_this_computer_the_link_needs_its_token(browser: Any, env: dict[str, str]) -> None:
    """Bound to another address (127.0.0.2: still this machine, but not the loopback name
    calmfeet trusts), the printed link carries a token; without it, 403 for the page and the
    websocket alike. With it, the page works and asks nothing of any other host."""
    with served(env, "--host", "127.0.0.2") as server:
        match = re.fullmatch(r"http://127\.0\.0\.2:(\d+)/([\w-]{20,})/", server.url)
        assert match is not None, server.printed
        origin = f"http://127.0.0.2:{match[1]}"
        assert any("█" in line for line in server.printed)  # the QR code
        for path in ("/", "/ws", "/static/js/textual.js", "/not-the-token/"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(origin + path, timeout=DEADLINE)
            assert refused.value.code == 403, path

        _, response = open_page(browser, origin + "/", viewport=PHONE, **PHONE_CONTEXT)
        assert response.status == 403
        requested: list[str] = []
        term, response = open_page(browser, server.url, requested, viewport=PHONE, **PHONE_CONTEXT)
        assert response.status == 200
        term.wait_for("calmfeet", "10 of 10")
        assert requested and all(url.startswith(origin + "/") for url in requested), requested
