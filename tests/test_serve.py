"""`calmfeet serve`: who is let in, what the page asks for, and what is printed for the phone.

The aiohttp application is calmfeet's own (tested here through aiohttp's test client); the
browser tests are in tests/test_serve_browser.py.
"""

from __future__ import annotations

import re
import sys
from collections.abc import AsyncIterator

import pytest

from calmfeet.cli import main
from calmfeet.core.paths import Paths

pytest.importorskip("textual_serve", reason="the web extra is not installed")
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from calmfeet.web.server import (  # noqa: E402
    FORBIDDEN_TEXT,
    build_web_app,
    needs_token,
    page_url,
    qr_lines,
)

TOKEN = "s3cret-Token_0123456789ab"


@pytest.fixture
async def guarded() -> AsyncIterator[TestClient]:
    client = TestClient(TestServer(build_web_app("true", TOKEN)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def loopback() -> AsyncIterator[TestClient]:
    client = TestClient(TestServer(build_web_app("true", None), host="127.0.0.1"))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


def test_only_loopback_goes_without_a_token() -> None:
    assert not any(needs_token(h) for h in ("127.0.0.1", "localhost", "::1"))
    assert all(needs_token(h) for h in ("0.0.0.0", "::", "127.0.0.2", "192.168.1.20", "pi.lan"))


def test_the_printed_link_holds_the_token() -> None:
    assert page_url("192.168.1.20", 8000, TOKEN) == f"http://192.168.1.20:8000/{TOKEN}/"
    assert page_url("fe80::1", 8000, TOKEN) == f"http://[fe80::1]:8000/{TOKEN}/"
    assert page_url("127.0.0.1", 8000, None) == "http://127.0.0.1:8000/"


@pytest.mark.parametrize(
    "path", ["/", "/ws", "/static/js/textual.js", "/wrong/", f"/{TOKEN[:-1]}/", f"/{TOKEN}x/"]
)
async def test_without_the_token_every_request_gets_403(guarded: TestClient, path: str) -> None:
    response = await guarded.get(path, allow_redirects=False)
    assert response.status == 403
    assert await response.text() == FORBIDDEN_TEXT


async def test_with_the_token_the_page_and_its_files_load(guarded: TestClient) -> None:
    page = await guarded.get(f"/{TOKEN}/")
    assert page.status == 200
    assert "sound plays on the computer running calmfeet" in await page.text()
    script = await guarded.get(f"/{TOKEN}/static/js/textual.js")
    assert script.status == 200
    font = await guarded.get(f"/{TOKEN}/static/fonts/RobotoMono-VariableFont_wght.ttf")
    assert font.status == 200
    bare = await guarded.get(f"/{TOKEN}", allow_redirects=False)
    assert (bare.status, bare.headers["Location"]) == (302, f"/{TOKEN}/")


async def test_a_websocket_from_another_site_is_refused(guarded: TestClient) -> None:
    """Even with the token: a page elsewhere must not drive calmfeet through the browser."""
    response = await guarded.get(f"/{TOKEN}/ws", headers={"Origin": "http://evil.example"})
    assert response.status == 403


async def test_the_page_works_through_any_address_and_asks_no_other_host(
    guarded: TestClient,
) -> None:
    """textual-serve's own page builds its addresses from the bind address (so a page opened
    as http://laptop.lan:8000 loads nothing) and asks a public host for a font (so offline, on
    a LAN, it waits for it). calmfeet's page has only relative addresses."""
    response = await guarded.get(f"/{TOKEN}/", headers={"Host": "laptop.lan:8000"})
    html = await response.text()
    assert response.status == 200
    assert re.findall(r"(?:https?|wss?)://|\"//", html) == []  # no address with a host in it
    assert "127.0.0.1" not in html and "googleapis" not in html
    assert 'href="static/css/xterm.css"' in html and 'src="static/js/textual.js"' in html
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy  # the browser itself refuses any other host
    [nonce] = re.findall(r"'nonce-([^']+)'", policy)
    assert f'<script nonce="{nonce}">' in html


async def test_loopback_serves_only_loopback_names(loopback: TestClient) -> None:
    """No token on 127.0.0.1, so a name that resolves there (DNS rebinding) is refused."""
    port = loopback.port
    assert (await loopback.get("/", headers={"Host": f"127.0.0.1:{port}"})).status == 200
    assert (await loopback.get("/", headers={"Host": f"localhost:{port}"})).status == 200
    assert (await loopback.get("/", headers={"Host": f"evil.example:{port}"})).status == 403
    foreign = {"Host": f"127.0.0.1:{port}", "Origin": "http://evil.example"}
    assert (await loopback.get("/ws", headers=foreign)).status == 403


def qr_modules(lines: list[str]) -> list[list[bool]]:
    """The QR code's modules back from its half-block drawing (True: a dark module)."""
    halves = {"█": (False, False), "▀": (False, True), "▄": (True, False), " ": (True, True)}
    rows: list[list[bool]] = []
    for line in lines:
        cells = [halves[c] for c in line]
        rows.append([top for top, _ in cells])
        rows.append([bottom for _, bottom in cells])
    return rows


def test_the_qr_code_holds_the_printed_link() -> None:
    import segno

    url = f"http://192.168.1.20:8000/{TOKEN}/"
    matrix = [[bool(m) for m in row] for row in segno.make(url, error="l").matrix]
    drawn = qr_modules(qr_lines(url))
    border = 2
    inner = [row[border : border + len(matrix)] for row in drawn[border : border + len(matrix)]]
    assert inner == matrix


def test_without_the_web_extra_one_line_says_how_to_get_it(
    paths: Paths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # import fails as if not installed
    assert main(["serve"], paths=paths) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "calmfeet: calmfeet serve needs the web extra: pip install 'calmfeet[web]' "
        "(in a clone: python3 tools/bootstrap.py --extras web)\n"
    )


def test_a_port_out_of_range_is_a_usage_error(
    paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", "70000"], paths=paths) == 2
    assert capsys.readouterr().err == "calmfeet: --port must be between 0 and 65535, got 70000\n"
