"""`calmfeet serve`: the app in a browser through textual-serve, for a phone beside your feet.

Each browser tab runs its own calmfeet, started by textual-serve on this computer (so sound plays
here). calmfeet builds the web application itself, around textual-serve's websocket handler:

- Loopback (127.0.0.1, the default): no token, but only requests addressed to a loopback name
  are served, and a websocket only from this page's own origin: a web page elsewhere cannot
  drive calmfeet through the browser (DNS rebinding, cross-site websockets).
- Any other host: a random token, made at start, is the first part of every path
  (`http://HOST:PORT/TOKEN/`). A request without it gets 403, before any handler runs.
- The page is calmfeet's own: every address in it is relative, so it works through whatever
  address the phone used (textual-serve builds absolute ones from the bind address), and it asks
  no other host for anything (textual-serve's asks a public font host): it works offline on a LAN.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from aiohttp import web
    from aiohttp.typedefs import Middleware

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts served without a token: only this computer can reach them."""
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TOKEN_BYTES = 18
"""24 URL-safe characters: 144 random bits, far beyond guessing over a network."""
PAGE = Path(__file__).with_name("page.html")
FORBIDDEN_TEXT = (
    "403: this calmfeet needs the address it printed when it started, token included.\n"
)

Handler = Callable[["web.Request"], Awaitable["web.StreamResponse"]]


class WebExtraMissing(Exception):
    """textual-serve (the `web` extra) is not installed; the message says how to get it."""


def require_web_extra() -> None:
    try:
        import aiohttp  # noqa: F401
        import textual_serve  # noqa: F401
    except ImportError:
        raise WebExtraMissing(
            "calmfeet serve needs the web extra: pip install 'calmfeet[web]' "
            "(in a clone: python3 tools/bootstrap.py --extras web)"
        ) from None


def needs_token(host: str) -> bool:
    return host not in LOOPBACK_NAMES


def make_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _host_name(host_header: str) -> str:
    """`127.0.0.1:8000` -> `127.0.0.1`, `[::1]:8000` -> `::1`, `localhost` -> `localhost`."""
    parsed = urlsplit(f"//{host_header}")
    return (parsed.hostname or "").lower()


def _same_origin(request: web.Request) -> bool:
    """No Origin header (not a browser page's request), or one naming this very host."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == request.host.lower()


def guard(token: str | None) -> Middleware:
    """The aiohttp middleware that decides, before any handler, whether a request is let in."""
    from aiohttp import web

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if token is None:
            allowed = _host_name(request.host) in LOOPBACK_NAMES and _same_origin(request)
        else:
            first = request.path.split("/", 2)[1] if request.path.startswith("/") else ""
            allowed = hmac.compare_digest(first.encode(), token.encode()) and _same_origin(request)
            if allowed and request.path == f"/{token}":
                raise web.HTTPFound(f"/{token}/")  # the page's relative addresses need the /
        if not allowed:
            return web.Response(status=403, text=FORBIDDEN_TEXT)
        return await handler(request)

    return middleware


def page_html(nonce: str) -> str:
    return PAGE.read_text(encoding="utf-8").replace("$nonce", nonce)


def build_web_app(command: str, token: str | None) -> web.Application:
    """The aiohttp application: calmfeet's page and guard, textual-serve's websocket and files.

    `command` is what each browser tab runs (a shell command line, as textual-serve takes it).
    """
    import asyncio

    import textual_serve
    from aiohttp import web
    from textual_serve.server import Server

    textual = Server(command, title="calmfeet")
    statics = Path(textual_serve.__file__).parent / "static"
    base = f"/{token}" if token else ""

    async def index(request: web.Request) -> web.Response:
        nonce = secrets.token_urlsafe(12)
        headers = {
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": (
                f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
                "style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; "
                "connect-src 'self' ws: wss:; frame-ancestors 'none'"
            ),
        }
        return web.Response(text=page_html(nonce), content_type="text/html", headers=headers)

    sessions: set[asyncio.Task[object]] = set()

    async def websocket(request: web.Request) -> web.StreamResponse:
        """textual-serve's handler, remembered so stopping can end its app at once."""
        task = asyncio.current_task()
        if task is not None:
            sessions.add(task)
        try:
            return await textual.handle_websocket(request)
        finally:
            if task is not None:
                sessions.discard(task)

    async def end_sessions(app: web.Application) -> None:
        """On ctrl+c: each tab's calmfeet is told to quit now (textual-serve does that when its
        handler is cancelled), rather than when the browser next gives up on the connection."""
        for task in list(sessions):
            task.cancel()
        if sessions:
            await asyncio.wait(list(sessions), timeout=10)

    app = web.Application(middlewares=[guard(token)])
    app.on_shutdown.append(end_sessions)
    app.add_routes(
        [
            web.get(f"{base}/", index),
            web.get(f"{base}/ws", websocket),
            web.static(f"{base}/static", statics),
        ]
    )
    return app


def address_for_people(host: str) -> str:
    """The host to print: a wildcard bind (0.0.0.0, ::) is reached at this computer's address
    on the network, found by asking the routing table (a UDP socket sends nothing to connect)."""
    if host in ("0.0.0.0", ""):
        return _local_address(socket.AF_INET, "192.0.2.1") or host  # TEST-NET-1: never sent to
    if host == "::":
        return _local_address(socket.AF_INET6, "2001:db8::1") or host  # documentation range
    return host


def _local_address(family: socket.AddressFamily, probe: str) -> str | None:
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.connect((probe, 9))
            found = udp.getsockname()[0]
    except OSError:
        return None
    return str(found)


def page_url(host: str, port: int, token: str | None) -> str:
    shown = address_for_people(host)
    try:
        if ipaddress.ip_address(shown).version == 6:
            shown = f"[{shown}]"
    except ValueError:
        pass  # a name, not a number
    return f"http://{shown}:{port}/{token + '/' if token else ''}"


def qr_lines(url: str) -> list[str]:
    """The URL as a QR code of Unicode half blocks (two rows of modules a line, no colours:
    light modules are the terminal's text colour)."""
    import io

    import segno

    drawing = io.StringIO()
    segno.make(url, error="l").terminal(out=drawing, compact=True, border=2)
    return drawing.getvalue().rstrip("\n").split("\n")


def app_command(app_args: list[str]) -> str:
    """What each browser tab runs: this Python and this calmfeet, with the options given."""
    import shlex
    import sys

    return shlex.join([sys.executable, "-m", "calmfeet", *app_args])


def serve(host: str, port: int, app_args: list[str], out: TextIO, err: TextIO) -> int:
    """Serve until ctrl+c or SIGTERM; the exit code."""
    import asyncio

    from calmfeet.exit_codes import EXIT_OK, EXIT_USAGE

    try:
        require_web_extra()
    except WebExtraMissing as missing:
        print(f"calmfeet: {missing}", file=err)
        return EXIT_USAGE
    token = make_token() if needs_token(host) else None
    app = build_web_app(app_command(app_args), token)
    try:
        return asyncio.run(_run(app, host, port, token, out, err))
    except KeyboardInterrupt:
        return EXIT_OK


async def _run(
    app: web.Application, host: str, port: int, token: str | None, out: TextIO, err: TextIO
) -> int:
    import asyncio
    import contextlib
    import signal

    from aiohttp import web

    from calmfeet.exit_codes import EXIT_OK, EXIT_USAGE

    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        reason = error.strerror or str(error)
        print(f"calmfeet: cannot listen on {host} port {port} ({reason}); try --port", file=err)
        return EXIT_USAGE
    bound_port = int(runner.addresses[0][1])
    url = page_url(host, bound_port, token)
    announce(url, token is not None, out)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not on every platform; ctrl+c still ends it there.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        print("calmfeet: stopped serving.", file=out)
        await runner.cleanup()
    return EXIT_OK


def announce(url: str, with_token: bool, out: TextIO) -> None:
    """Where to point the browser, and (beyond this computer) a QR code for the phone."""
    if with_token:
        print(f"calmfeet: open on your phone or tablet (same network): {url}", file=out)
        if _can_draw(out):
            for line in qr_lines(url):
                print(f"  {line}", file=out)
        print("The link holds a secret token: anyone with it can use calmfeet here.", file=out)
    else:
        print(f"calmfeet: open {url} in a browser on this computer", file=out)
        print(
            "(for a phone: calmfeet serve --host 0.0.0.0, which prints a link with a token)",
            file=out,
        )
    print("Sound plays on this computer, not in the browser. ctrl+c stops.", file=out)
    out.flush()


def _can_draw(out: TextIO) -> bool:
    try:
        "▀▄█".encode(out.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
