"""Driving `calmfeet serve` in a real browser: Debian's Chromium through Playwright (no browser
download), the terminal read back off the websocket's bytes with a terminal emulator (pyte).

The page draws the terminal on a canvas, so its text is not in the DOM: an init script records
every frame the websocket receives and every message the page sends, with the page's own clock,
and `screen_text()` replays the frames into a pyte screen of the size the page asked for.
Shared by tests/test_serve_browser.py and the benchmark.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()),
    shutil.which("chromium"),
)
DEADLINE = 30.0
"""How long to wait for something to appear: never a limit on how fast it must be."""
POLL = 0.05

RECORDER = """
(() => {
  window.__frames = [];
  window.__sent = [];
  const Native = window.WebSocket;
  class Recorded extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener("message", (event) => {
        if (typeof event.data === "string") return;
        const bytes = new Uint8Array(event.data);
        let text = "";
        for (let i = 0; i < bytes.length; i += 8192) {
          text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
        }
        window.__frames.push([performance.now(), btoa(text)]);
      });
    }
    send(data) {
      window.__sent.push([performance.now(), typeof data === "string" ? data : ""]);
      return super.send(data);
    }
  }
  window.WebSocket = Recorded;
})();
"""

TEST_ROUTINE = """\
name = "Web Walk"
summary = "For the browser tests."
focus = ["energy"]
breathing = "2-2"

[[steps]]
title = "Toe circles"
seconds = 60
foot = "both"
zone = "toes"

[[steps]]
title = "Heel press"
seconds = 60
foot = "both"
zone = "heel"
"""


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
        import pyte  # noqa: F401
        import textual_serve  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (the test and web extras have it)"
    if CHROMIUM is None:
        return "Chromium is not installed (tests/check.sh installs Debian's as root)"
    return None


@dataclass
class Served:
    """A running `calmfeet serve` and the link it printed."""

    process: subprocess.Popen[str]
    url: str
    printed: list[str]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def private_home(base: Path) -> dict[str, str]:
    """An environment whose calmfeet folders are under `base`, with no get-ready pause."""
    home = base / "home"
    config = home / ".config" / "calmfeet"
    config.mkdir(parents=True, exist_ok=True)
    (config / "preferences.toml").write_text(
        "lead_in_seconds = 0\nswitch_seconds = 0\n", encoding="utf-8"
    )
    routines = base / "web-routines"
    routines.mkdir(exist_ok=True)
    (routines / "web-walk.toml").write_text(TEST_ROUTINE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("CALMFEET_ROUTINES", "TMUX")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        PYTHONPATH=str(ROOT),
        CALMFEET_ROUTINES=str(routines),
        LANG="C.UTF-8",
    )
    return env


@contextmanager
def served(
    env: dict[str, str], *args: str, calmfeet: Sequence[str] = (sys.executable, "-m", "calmfeet")
) -> Iterator[Served]:
    """`calmfeet serve ARGS --port 0` until the block ends; waits for its link."""
    process = subprocess.Popen(
        [*calmfeet, "serve", "--port", "0", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    printed: list[str] = []
    url = ""
    end = time.monotonic() + DEADLINE
    while not url:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"calmfeet serve stopped: {''.join(printed)}")
        printed.append(line.rstrip("\n"))
        url = next((word for word in line.split() if word.startswith("http://")), "")
        if time.monotonic() > end:
            raise AssertionError(f"calmfeet serve printed no link: {printed}")
    for line in process.stdout:  # the rest of the announcement, up to its last line
        printed.append(line.rstrip("\n"))
        if "ctrl+c stops" in line:
            break
    server = Served(process, url, printed)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class BrowserTerminal:
    """One page showing calmfeet, read back as text."""

    page: Any
    _screen: Any = None
    _stream: Any = None
    _size: tuple[int, int] = (0, 0)
    frame_times: list[float] = field(default_factory=list)

    def size(self) -> tuple[int, int]:
        """(columns, rows) the page last asked for."""
        sent = self.page.evaluate("window.__sent")
        for _, message in reversed(sent):
            if message.startswith('["resize"'):
                data = json.loads(message)[1]
                return int(data["width"]), int(data["height"])
        return (0, 0)

    def _drain(self) -> None:
        import pyte

        frames = self.page.evaluate("window.__frames.splice(0)")
        size = self.size()
        if self._screen is None:
            if size == (0, 0):
                return
            self._screen = pyte.Screen(*size)
            self._stream = pyte.ByteStream(self._screen)
            self._size = size
        elif size != self._size and size != (0, 0):
            self._screen.resize(size[1], size[0])
            self._size = size
        for at, data in frames:
            self.frame_times.append(float(at))
            self._stream.feed(base64.b64decode(data))

    def screen_text(self) -> str:
        self._drain()
        return "\n".join(self._screen.display) if self._screen is not None else ""

    def wait_for(self, *needles: str, deadline: float = DEADLINE) -> str:
        """Poll until every needle is on screen; fails with the screen when one never comes."""
        end = time.monotonic() + deadline
        while True:
            text = self.screen_text()
            if all(needle in text for needle in needles):
                return text
            if time.monotonic() > end:
                raise AssertionError(f"{needles!r} never all appeared; the screen:\n{text}")
            time.sleep(POLL)

    def settle(self, quiet: float = 0.5) -> str:
        """The screen once no frame has come for `quiet` seconds (the app is idle)."""
        end = time.monotonic() + DEADLINE
        seen = -1
        calm_since = time.monotonic()
        while True:
            text = self.screen_text()
            if len(self.frame_times) != seen:
                seen = len(self.frame_times)
                calm_since = time.monotonic()
            elif time.monotonic() - calm_since >= quiet:
                return text
            if time.monotonic() > end:
                raise AssertionError(f"the screen never stopped changing:\n{text}")
            time.sleep(POLL)

    def cell_centre(self, column: int, row: int) -> tuple[float, float]:
        """Where on the page the middle of a character cell is (for a tap)."""
        box = self.page.locator(".xterm-screen").bounding_box()
        columns, rows = self._size
        return (
            box["x"] + (column + 0.5) * box["width"] / columns,
            box["y"] + (row + 0.5) * box["height"] / rows,
        )


def launch(playwright: Any, extra_args: Sequence[str] = ()) -> Any:
    """Debian's Chromium, headless, through a running Playwright."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", *extra_args]
    )


@contextmanager
def chromium(extra_args: Sequence[str] = ()) -> Iterator[Any]:
    """Playwright and one Chromium, for a block (one Playwright at a time per thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright, extra_args)
        try:
            yield browser
        finally:
            browser.close()


def open_page(
    browser: Any, url: str, requested: list[str] | None = None, **context: Any
) -> tuple[BrowserTerminal, Any]:
    """A new context (phone-sized when asked) with the recorder, at `url`; (terminal, response).
    Every address the page asks for is added to `requested`, when given."""
    page = browser.new_context(**context).new_page()
    page.add_init_script(RECORDER)
    if requested is not None:
        page.on("request", lambda request: requested.append(request.url))
    response = page.goto(url)
    return BrowserTerminal(page), response


def key_to_frame_seconds(term: BrowserTerminal, keys: Sequence[str]) -> list[float]:
    """For each key in turn: from the page sending it to the websocket's next frame, on the
    page's own clock (the screen is let settle between keys, so each frame answers its key)."""
    latencies: list[float] = []
    for key in keys:
        term.settle(quiet=0.3)
        sent_before = term.page.evaluate("window.__sent.length")
        term.page.keyboard.press(key)
        end = time.monotonic() + DEADLINE
        while True:
            answer = term.page.evaluate(
                """(before) => {
                    const sent = window.__sent.slice(before).find(m => m[1].startsWith('["stdin"'));
                    if (!sent) return null;
                    const frame = window.__frames.find(f => f[0] >= sent[0]);
                    return frame ? frame[0] - sent[0] : null;
                }""",
                sent_before,
            )
            if answer is not None:
                latencies.append(float(answer) / 1000)
                break
            if time.monotonic() > end:
                raise AssertionError(f"no frame answered {key}")
            time.sleep(0.005)
    return latencies
