"""The served app: textual-serve's Server and AppService, with sign-in in front of every page.

What this adds to textual-serve (whose server and app service are extended, not copied):

- every route but the sign-in page needs a signed-in session cookie or HTTP Basic
  credentials; wrong ones get 401, and a client's failures for a name past FAILURES_ALLOWED
  a minute get 429 without being checked (auth.Throttle: others are slowed, not locked out);
- each browser session's app process (serve.apps), forked from a preloaded template
  (serve.launcher), or started cold without a shell, has the signed-in name as its reviewer
  (CASEREVIEW_REVIEWER is dropped from its environment), and ends within a second or two
  once its account is removed, its password changed or its sign-in expired; it ends with the
  server, even one killed outright;
- a download is served only to the reviewer whose session made it;
- its own page (no fonts fetched from elsewhere), security headers, a URL printed at start-up,
  and a stop on Ctrl+C that ends every app process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import signal
import sqlite3
import ssl
import sys
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from aiohttp import web
from textual_serve import download_manager
from textual_serve.server import Server, to_int

from casereview.serve import accounts, capacity
from casereview.serve.apps import ServedApp, lapsed, start_template, still_holds
from casereview.serve.auth import (
    COOKIE,
    SESSION_SECONDS,
    SIGNED_IN,
    FailureTally,
    Session,
    Throttle,
    counted,
    parse_basic,
)
from casereview.serve.launcher import Launcher, launcher_argv
from casereview.serve.pages import app_page, busy_page, signin_page
from casereview.serve.sessions import Sessions
from casereview.store import Store, StoreError, explain
from casereview.store.user_records import Account

log = logging.getLogger("casereview.serve")

WATCH_SECONDS = 1.0  # how often open sessions are checked against their accounts and expiry
_REQUEST_REVIEWER = web.RequestKey("reviewer", str)  # the signed-in name, per request

# textual-serve drops a download when its app process sends no chunk for 4 s (its module
# constant, read at each wait). A session's app on a busy two-core server can take longer
# between chunks of a Word report (seen in CI-like runs: the download arrived truncated),
# so the team server waits longer; a dead app process still ends the download.
DOWNLOAD_CHUNK_SECONDS = 30
download_manager.DOWNLOAD_TIMEOUT = DOWNLOAD_CHUNK_SECONDS

_HEADERS = {
    "X-Frame-Options": "DENY",  # keys typed into a framed app would be the framer's
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # (no-referrer would make a browser send Origin: null)
    "Cache-Control": "no-store",
}

_NOT_A_NAME = "(not an account name)"  # who the trail says tried a name no account can have


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
        max_sessions: int | None = None,
        max_sessions_each: int = capacity.SESSIONS_EACH,
        sign_ins_at_once: int | None = None,
        preload: bool = True,
    ):
        """`max_sessions`: app processes at once (default: sized from free memory, capacity);
        `max_sessions_each`: one reviewer's; `sign_ins_at_once`: password checks at once
        (default: one per core); `preload`: sessions forked from a template (serve.launcher)."""
        super().__init__("casereview", host=host, port=port, title="casereview")
        self.max_sessions = max_sessions or capacity.sessions_for(capacity.available_memory())
        self.max_sessions_each = max_sessions_each
        self._checking = asyncio.Semaphore(sign_ins_at_once or capacity.sign_ins_at_once())
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
        clocks = {"clock": clock} if clock else {}
        self.sessions = Sessions(self.store, **clocks, seconds=session_seconds)
        self.throttle = Throttle(monotonic or time.monotonic)
        self.tally = FailureTally(monotonic or time.monotonic)  # failed sign-ins to record
        if self.store.readonly:
            raise StoreError(f"{self.db_path} cannot be written here, so it cannot be served")
        self.child_argv = [python, "-m", "casereview.cli.served_session", "--db", str(self.db_path)]
        self.child_argv += ["--server", str(os.getpid())]  # a session ends with its server
        self.launcher = Launcher(launcher_argv(python, str(self.db_path))) if preload else None
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
        app.on_shutdown.append(self._record_failure_counts)  # first: the store is still open
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
        """The signed-in account's name (cookie or Basic), None when there is no credential;
        wrong Basic credentials raise 401 (or 429 while this client is slowed for the name)."""
        basic = parse_basic(request.headers.get("Authorization"))
        if basic is not None:
            typed, password = basic
            known = self.sessions.basic(typed, password)
            if known is not None:
                if still_holds(known, self.store.exact_account(known.name)):
                    return known.name
                self.sessions.forget_basic(typed, password)  # removed, new password or role
            account = await self.check(typed, password, request)
            if account is None:
                raise self._unauthorized()
            self.sessions.remember_basic(
                typed, password, account.name, account.password_hash, account.role
            )
            return account.name
        session = self.sessions.get(request.cookies.get(COOKIE))
        if session is None:
            return None
        if not still_holds(session, self.store.exact_account(session.name)):
            self.sessions.end(request.cookies.get(COOKIE))  # removed, new password or role
            return None
        return session.name

    async def check(self, name: str, password: str, request: web.Request) -> Account | None:
        """The account `name` finds (store.account: case and look-alikes alike) if `password`
        is right, else None. Every check is in the trail, failures counted (auth.FailureTally).
        Raises 429 while this client is slowed for the name. A name no account could have is
        refused unchecked, and nothing of it is kept."""
        client = request.remote or "unknown"
        key = accounts.name_key(name)
        if key is None:
            account = None
            ok = False
        else:
            wait = self.throttle.wait(key, client)
            if wait:
                raise web.HTTPTooManyRequests(
                    headers={"Retry-After": str(math.ceil(wait))},
                    text=f"429: too many wrong passwords from here for this name; try again in "
                    f"{math.ceil(wait)} s",
                )
            account = self.store.account(name)
            loop = asyncio.get_running_loop()
            stored = account.password_hash if account else None
            async with self._checking:  # argon2 is 64 MiB a check: a burst waits its turn
                ok = await loop.run_in_executor(None, accounts.verify, stored, password)
        who = account.name if account else name if key else _NOT_A_NAME
        where = f"from {client}"
        due = self.tally.take()
        first = ok or self.tally.failed(key or "", who, client)
        try:
            if first:
                detail = where if ok else f"wrong name or password {where}"
                self.store.record_sign_in(who, ok, detail)
            self.store.record_failed_sign_ins(counted(due))
        except StoreError as exc:  # the trail must hold every sign-in: none without it
            self.tally.put_back(due)
            if first and not ok:
                self.tally.discard(key or "", client)
            log.error("sign-in not recorded: %s", exc)
            raise web.HTTPServiceUnavailable(text=f"503: {for_browser(exc)}") from None
        if key is not None and not ok:
            self.throttle.failed(key, client)
        elif key is not None:
            self.throttle.succeeded(key, client)
        return account if ok else None

    async def _record_failure_counts(self, app: web.Application) -> None:
        """At the end, failed sign-ins counted but not yet in the trail go into it."""
        try:
            self.store.record_failed_sign_ins(counted(self.tally.take(everything=True)))
        except StoreError as exc:
            log.error("failed sign-ins not recorded: %s", exc)

    # ------------------------------------------------------------------ handlers

    async def handle_signin_page(self, request: web.Request) -> web.Response:
        return web.Response(text=signin_page(), content_type="text/html")

    async def handle_signin(self, request: web.Request) -> web.Response:
        form = await request.post()
        name = str(form.get("name", ""))[:256].strip()  # (longer is no name: not copied)
        password = str(form.get("password", ""))
        try:
            account = await self.check(name, password, request)
        except web.HTTPTooManyRequests as exc:
            return web.Response(
                status=429,
                headers={"Retry-After": exc.headers["Retry-After"]},
                text=signin_page(
                    f"Too many wrong passwords for this name from here: try again in "
                    f"{exc.headers['Retry-After']} s."
                ),
                content_type="text/html",
            )
        if account is None:
            return web.Response(
                status=401, text=signin_page("Wrong name or password."), content_type="text/html"
            )
        try:
            token = self.sessions.start(account.name, account.password_hash, account.role)
        except StoreError as exc:
            log.error("a session could not be kept: %s", exc)
            raise web.HTTPServiceUnavailable(text=f"503: {for_browser(exc)}") from None
        response = web.Response(status=303, headers={"Location": "/"})
        response.set_cookie(
            COOKIE,
            token,
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

    def _no_room(self, name: str) -> str | None:
        """Why `name` may not open another session now (None: there is room)."""
        if len(self.app_services) >= self.max_sessions:
            return capacity.full_message(len(self.app_services), self.max_sessions)
        if sum(1 for s in self.app_services if s.reviewer == name) >= self.max_sessions_each:
            return capacity.yours_full_message(self.max_sessions_each)
        return None

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        busy = self._no_room(request[_REQUEST_REVIEWER])
        if busy is not None:  # said on the page, not left to a socket that will not open
            return web.Response(status=503, text=busy_page(busy), content_type="text/html")
        base = self._base_url(request)
        websocket_url = ("wss:" if base.startswith("https") else "ws:") + base.split(":", 1)[1]
        font_size = min(max(to_int(request.query.get("fontsize", "16"), 16), 8), 40)
        return web.Response(
            text=app_page(websocket_url + "/ws", "/static/", font_size), content_type="text/html"
        )

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        name: str = request[_REQUEST_REVIEWER]
        busy = self._no_room(name)
        if busy is not None:
            raise web.HTTPServiceUnavailable(text=f"503: {busy}")
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
                launcher=self.launcher,
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
            return lapsed(self.app_services, self.sessions.clock(), self.store.exact_account)
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
        await (self.launcher.stop() if self.launcher else asyncio.sleep(0))

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
        template = asyncio.ensure_future(start_template(self.launcher, self.debug))
        port = runner.addresses[0][1] if runner.addresses else self.port
        host = f"[{self.host}]" if ":" in self.host else self.host
        url = self.fixed_public_url or f"{'https' if self.ssl_context else 'http'}://{host}:{port}"
        announce(f"casereview: serving {self.db_path} at {url}/ (Ctrl+C stops it)")
        announce(
            f"casereview: up to {self.max_sessions} sessions at once, "
            f"{self.max_sessions_each} for one reviewer (--max-sessions, --max-sessions-each)"
        )
        sys.stdout.flush()
        try:
            await stop.wait()
        finally:
            n = len(self.app_services)
            print(f"casereview: stopping ({n} open session(s))", file=sys.stderr, flush=True)
            template.cancel()  # (if still starting; on_shutdown stops it)
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
