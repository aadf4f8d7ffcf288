"""The served app: textual-serve's Server and AppService, with sign-in in front of every page.

What this adds to textual-serve (whose server and app service are extended, not copied):

- every route but the sign-in page needs a signed-in session cookie or HTTP Basic
  credentials; wrong ones get 401, and a name's failures past FAILURES_ALLOWED a minute get
  429 without being checked;
- each browser session's app process (serve.apps) is started without a shell, with the
  signed-in name as its reviewer (CASEREVIEW_REVIEWER is dropped from its environment), and
  ended within a second or two once its account is removed, its password changed or its
  sign-in expired; it ends with the server, even one killed outright;
- a download is served only to the reviewer whose session made it;
- its own page (no fonts fetched from elsewhere), security headers, a URL printed at start-up,
  and a stop on Ctrl+C that ends every app process.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import math
import os
import signal
import sqlite3
import ssl
import sys
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import web
from textual_serve.server import Server, to_int

from casereview import accounts
from casereview.serve.apps import ServedApp, lapsed
from casereview.serve.auth import (
    COOKIE,
    SESSION_SECONDS,
    SIGNED_IN,
    Session,
    Sessions,
    Throttle,
    parse_basic,
)
from casereview.store import Store, StoreError, explain

log = logging.getLogger("casereview.serve")

WATCH_SECONDS = 1.0  # how often open sessions are checked against their accounts and expiry
MAX_SESSIONS = 64  # app processes at once, all reviewers
MAX_SESSIONS_EACH = 8  # ... and for one reviewer (tabs left open)
_REQUEST_REVIEWER = web.RequestKey("reviewer", str)  # the signed-in name, per request

_HEADERS = {
    "X-Frame-Options": "DENY",  # keys typed into a framed app would be the framer's
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # (no-referrer would make a browser send Origin: null)
    "Cache-Control": "no-store",
}


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{margin:0;background:#0c181f;color:#eee;font:16px system-ui,sans-serif}"
        "main{max-width:22rem;margin:12vh auto;padding:2rem;background:#12232d}"
        "h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem}"
        "input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}"
        "button{margin-top:1.2rem;padding:.6rem 1.4rem;font-size:1rem}"
        ".message{color:#ff9e9e;margin:.8rem 0 0}"
        "</style></head><body>" + body + "</body></html>"
    )


def signin_page(message: str = "") -> str:
    note = f"<p class='message' role='alert'>{html.escape(message)}</p>" if message else ""
    return _page(
        "Sign in - casereview",
        "<main><h1>casereview: sign in</h1>"
        "<form method='post' action='/signin'>"
        "<label for='name'>Name</label>"
        "<input id='name' name='name' autocomplete='username' required autofocus>"
        "<label for='password'>Password</label>"
        "<input id='password' name='password' type='password' "
        "autocomplete='current-password' required>"
        f"{note}<button type='submit'>Sign in</button></form></main>",
    )


def app_page(websocket_url: str, static_url: str, font_size: int) -> str:
    """The page that runs textual-serve's terminal (its textual.js and xterm.css)."""
    static = html.escape(static_url)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>casereview</title>"
        f"<link rel='stylesheet' href='{static}css/xterm.css'>"
        f"<script src='{static}js/textual.js'></script><style>"
        "html,body{margin:0;height:100%;background:#0c181f;overflow:hidden}"
        ".textual-terminal{width:100vw;height:100vh}"
        ".ended{display:none;position:absolute;inset:0;z-index:10;align-items:center;"
        "justify-content:center;color:#eee;font:18px system-ui,sans-serif;background:#0c181f}"
        "body.-closed .ended{display:flex}.ended a{color:#ac5af4;margin-left:.5em}"
        "</style></head><body>"
        "<div class='ended'>Session ended.<a href='/'>Open again</a></div>"
        "<button id='start' hidden>Start</button>"
        f"<div id='terminal' class='textual-terminal' "
        f"data-session-websocket-url='{html.escape(websocket_url)}' "
        f"data-font-size='{font_size}'></div></body></html>"
    )


class CaseReviewServer(Server):
    """textual-serve's Server for one casereview database, with sign-in."""

    def __init__(
        self,
        db: Path | Store,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        ssl_context: ssl.SSLContext | None = None,
        public_url: str | None = None,
        python: str = sys.executable,
        session_seconds: int = SESSION_SECONDS,
        clock: Callable[[], float] | None = None,
        monotonic: Callable[[], float] | None = None,
    ):
        super().__init__("casereview", host=host, port=port, title="casereview")
        # One connection to the file per process: the command's own store when it gives one
        # (closed by whoever opened it), else one opened here and closed when serving stops.
        self._own_store = not isinstance(db, Store)
        self.store = db if isinstance(db, Store) else Store.open(db)  # accounts, sign-ins
        if self.store.path is None:
            raise StoreError("a store in memory cannot be served: no session could open it")
        self.db_path = self.store.path.resolve()
        self.ssl_context = ssl_context
        self.fixed_public_url = public_url.rstrip("/") if public_url else None
        self.tls = ssl_context is not None or (public_url or "").startswith("https:")
        self.sessions = Sessions(**({"clock": clock} if clock else {}), seconds=session_seconds)
        self.throttle = Throttle(**({"clock": monotonic} if monotonic else {}))
        if self.store.readonly:
            raise StoreError(f"{self.db_path} cannot be written here, so it cannot be served")
        self.child_argv = [python, "-m", "casereview.cli.served_session", "--db", str(self.db_path)]
        self.child_argv += ["--server", str(os.getpid())]  # a session ends with its server
        self.app_service_class: type[ServedApp] = ServedApp
        self.app_services: set[ServedApp] = set()
        self._websockets: set[web.WebSocketResponse] = set()

    # ------------------------------------------------------------------ the web app

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        app.add_routes(
            [
                web.get("/signin", self.handle_signin_page, name="signin"),
                web.post("/signin", self.handle_signin, name="signin_post"),
                web.post("/signout", self.handle_signout, name="signout"),
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_shutdown.append(self.on_shutdown)
        app.cleanup_ctx.append(self._watching)
        return app

    async def make_app(self) -> web.Application:
        """The aiohttp application (for `run`, and for tests' test client)."""
        return await self._make_app()

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        try:
            response = await self._guarded(request, handler)
        except web.HTTPException as exc:
            exc.headers.update(_HEADERS)
            raise
        if not response.prepared:
            response.headers.update(_HEADERS)
        return response

    async def _guarded(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.method == "POST" or request.path == "/ws":
            self._same_origin(request)
        if request.path == "/signin":
            return await handler(request)
        name = await self._who(request)
        if name is None:
            if request.method == "GET" and request.path == "/":
                raise web.HTTPSeeOther("/signin")
            raise self._unauthorized()
        request[_REQUEST_REVIEWER] = name
        return await handler(request)

    def _same_origin(self, request: web.Request) -> None:
        """A form post or websocket from another site's page is refused (with SameSite=Strict
        the cookie would not come along anyway; Basic credentials might)."""
        origin = request.headers.get("Origin")
        if origin is None:
            return
        allowed = {request.host}
        if self.fixed_public_url:
            allowed.add(urllib.parse.urlsplit(self.fixed_public_url).netloc)
        if urllib.parse.urlsplit(origin).netloc not in allowed:
            raise web.HTTPForbidden(text="403: not from this server's own page")

    @staticmethod
    def _unauthorized() -> web.HTTPUnauthorized:
        return web.HTTPUnauthorized(
            headers={"WWW-Authenticate": 'Basic realm="casereview", charset="UTF-8"'},
            text="401: sign in first",
        )

    async def _who(self, request: web.Request) -> str | None:
        """The signed-in name (cookie or Basic), None when there is no credential; wrong
        Basic credentials raise 401 (or 429 when the name is being slowed)."""
        basic = parse_basic(request.headers.get("Authorization"))
        if basic is not None:
            name, password = basic
            known = self.sessions.basic(name, password)
            if known is not None and self.store.password_hash(name) == known.password_hash:
                return name
            stored = await self.check(name, password, request)
            if stored is None:
                raise self._unauthorized()
            self.sessions.remember_basic(name, password, stored)
            return name
        session = self.sessions.get(request.cookies.get(COOKIE))
        if session is None:
            return None
        if self.store.password_hash(session.name) != session.password_hash:
            self.sessions.end(request.cookies.get(COOKIE))  # removed, or a new password
            return None
        return session.name

    async def check(self, name: str, password: str, request: web.Request) -> str | None:
        """The account's hash if `password` is right, else None; every check is in the
        trail. Raises 429 while the name has had too many failures."""
        wait = self.throttle.wait(name)
        if wait:
            raise web.HTTPTooManyRequests(
                headers={"Retry-After": str(math.ceil(wait))},
                text=f"429: too many wrong passwords for this name; try again in "
                f"{math.ceil(wait)} s",
            )
        stored = self.store.password_hash(name) if accounts.NAME_RE.fullmatch(name) else None
        loop = asyncio.get_running_loop()
        ok = await loop.run_in_executor(None, accounts.verify, stored, password)
        where = f"from {request.remote or 'unknown'}"
        try:
            self.store.record_sign_in(name, ok, where if ok else f"wrong name or password {where}")
        except StoreError as exc:  # the trail must hold every sign-in: none without it
            log.error("sign-in not recorded: %s", exc)
            raise web.HTTPServiceUnavailable(text=f"503: {for_browser(exc)}") from None
        if not ok:
            self.throttle.failed(name)
            return None
        self.throttle.succeeded(name)
        return stored

    # ------------------------------------------------------------------ handlers

    async def handle_signin_page(self, request: web.Request) -> web.Response:
        return web.Response(text=signin_page(), content_type="text/html")

    async def handle_signin(self, request: web.Request) -> web.Response:
        form = await request.post()
        name = str(form.get("name", "")).strip()
        password = str(form.get("password", ""))
        try:
            stored = await self.check(name, password, request)
        except web.HTTPTooManyRequests as exc:
            return web.Response(
                status=429,
                headers={"Retry-After": exc.headers["Retry-After"]},
                text=signin_page(
                    f"Too many wrong passwords for this name: try again in "
                    f"{exc.headers['Retry-After']} s."
                ),
                content_type="text/html",
            )
        if stored is None:
            return web.Response(
                status=401, text=signin_page("Wrong name or password."), content_type="text/html"
            )
        response = web.Response(status=303, headers={"Location": "/"})
        response.set_cookie(
            COOKIE,
            self.sessions.start(name, stored),
            max_age=self.sessions.seconds,
            path="/",
            httponly=True,
            samesite="Strict",
            secure=self.tls,
        )
        return response

    async def handle_signout(self, request: web.Request) -> web.Response:
        self.sessions.end(request.cookies.get(COOKIE))
        response = web.Response(status=303, headers={"Location": "/signin"})
        response.del_cookie(COOKIE, path="/")
        return response

    def _base_url(self, request: web.Request) -> str:
        if self.fixed_public_url:
            return self.fixed_public_url
        return f"{'https' if self.tls else 'http'}://{request.host}"

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        base = self._base_url(request)
        websocket_url = ("wss:" if base.startswith("https") else "ws:") + base.split(":", 1)[1]
        font_size = min(max(to_int(request.query.get("fontsize", "16"), 16), 8), 40)
        return web.Response(
            text=app_page(websocket_url + "/ws", "/static/", font_size), content_type="text/html"
        )

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        name: str = request[_REQUEST_REVIEWER]
        mine = sum(1 for s in self.app_services if s.reviewer == name)
        if len(self.app_services) >= MAX_SESSIONS or mine >= MAX_SESSIONS_EACH:
            raise web.HTTPServiceUnavailable(text="503: too many sessions open; close one")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = min(max(to_int(request.query.get("width", "80"), 80), 20), 500)
        height = min(max(to_int(request.query.get("height", "24"), 24), 8), 200)
        signed_in = self._signed_in(request)
        if signed_in is None:  # (cannot be: the guard found it a moment ago)
            raise self._unauthorized()
        app_service: ServedApp | None = None
        try:
            await websocket.prepare(request)
            self._websockets.add(websocket)
            app_service = self.app_service_class(
                self.child_argv,
                name,
                signed_in=signed_in,
                on_stopped=self.app_services.discard,  # also when this handler is cancelled
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self.app_services.add(app_service)
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a malformed message from the page: end this session
            log.warning("session of %s ended: %r", name, error)
        finally:
            self._websockets.discard(websocket)
            if app_service is not None:
                await app_service.stop()
        return websocket

    def _signed_in(self, request: web.Request) -> Session | None:
        """The sign-in a request came with (as `_who` found it): the account's hash it was
        checked against, and when it expires."""
        basic = parse_basic(request.headers.get("Authorization"))
        if basic is not None:
            return self.sessions.basic(*basic)
        return self.sessions.get(request.cookies.get(COOKIE))

    # ------------------------------------------------------------------ open sessions

    async def _watching(self, app: web.Application) -> AsyncIterator[None]:
        """While the server runs, end every session whose sign-in no longer holds."""
        task = asyncio.create_task(self._watch())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            for service, why in self.lapsed_sessions():
                log.warning("ending the session of %s: %s", service.reviewer, why)
                service.end()

    def lapsed_sessions(self) -> list[tuple[ServedApp, str]]:
        """The open sessions a request could no longer open, and why (apps.lapsed)."""
        try:
            return lapsed(self.app_services, self.sessions.clock(), self.store.password_hash)
        except StoreError as exc:  # looked at again in a moment
            log.error("cannot check the open sessions' accounts: %s", exc)
            return []

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        try:
            meta = await self.download_manager.get_download_metadata(key)
        except KeyError:
            raise web.HTTPNotFound(text="404: no such download") from None
        if getattr(meta.app_service, "reviewer", None) != request[_REQUEST_REVIEWER]:
            raise web.HTTPNotFound(text="404: no such download")  # another reviewer's
        return await super().handle_download(request)

    async def on_startup(self, app: web.Application) -> None:
        """(textual-serve prints its logo here; `run` prints the URL instead.)"""

    async def on_shutdown(self, app: web.Application) -> None:
        """End every app process, then close the browsers' websockets."""
        await asyncio.gather(*(s.stop() for s in list(self.app_services)))
        await asyncio.gather(*(ws.close() for ws in list(self._websockets)))

    # ------------------------------------------------------------------ running

    def run(self, announce: Callable[[str], None] = print) -> None:
        """Serve until Ctrl+C (or SIGTERM), then stop cleanly."""
        logging.basicConfig(level=logging.WARNING, format="casereview serve: %(message)s")
        asyncio.run(self._run(announce))

    async def _run(self, announce: Callable[[str], None]) -> None:
        runner = web.AppRunner(await self.make_app(), access_log=None, shutdown_timeout=5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, ssl_context=self.ssl_context)
        await site.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        port = runner.addresses[0][1] if runner.addresses else self.port
        host = f"[{self.host}]" if ":" in self.host else self.host
        url = self.fixed_public_url or f"{'https' if self.ssl_context else 'http'}://{host}:{port}"
        announce(f"casereview: serving {self.db_path} at {url}/ (Ctrl+C stops it)")
        sys.stdout.flush()
        try:
            await stop.wait()
        finally:
            n = len(self.app_services)
            print(f"casereview: stopping ({n} open session(s))", file=sys.stderr, flush=True)
            await runner.cleanup()
            if self._own_store:
                self.store.close()
        print("casereview: stopped", file=sys.stderr, flush=True)


def for_browser(exc: StoreError) -> str:
    """What a database error means, worded as the command line words it (busy, full, ...)
    but without the server's paths, which are no business of a browser."""
    cause = exc.__cause__
    if isinstance(cause, sqlite3.Error):
        return str(explain(cause))
    return "the database refused the request; nothing was changed, try again"


def is_loopback(host: str) -> bool:
    """Whether `host` is only reachable from this machine."""
    if host.lower() == "localhost":
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


__all__ = ["SIGNED_IN", "CaseReviewServer", "ServedApp", "is_loopback"]
