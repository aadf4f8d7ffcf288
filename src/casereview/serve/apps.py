"""One browser session's app process (textual-serve's AppService, extended): started
without a shell for the signed-in reviewer, stopped once however many ask, and ended when the
sign-in that opened it no longer holds."""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from casereview.serve.auth import SIGNED_IN, Session
from casereview.serve.launcher import Launcher
from casereview.store.user_records import Account

log = logging.getLogger("casereview.serve")

STOP_SECONDS = 5.0  # an app process that has not quit this long after being asked is killed


class ServedApp(AppService):
    """One browser session's app process, run as `argv` (no shell) for `reviewer`.

    `signed_in` is the sign-in that opened it (the account's hash then, and its expiry): the
    server ends the session when it no longer holds. `on_stopped` is called once the app has
    stopped, whoever stopped it."""

    def __init__(
        self,
        argv: Sequence[str],
        reviewer: str,
        *,
        signed_in: Session | None = None,
        on_stopped: Callable[[ServedApp], None] | None = None,
        launcher: Launcher | None = None,
        **kwargs: Any,
    ):
        """`launcher`: the preloaded template to fork the app from (None, or when it
        cannot: `argv` is started cold)."""
        super().__init__(shlex.join(argv), **kwargs)
        self.launcher = launcher
        self.argv = list(argv)
        self.reviewer = reviewer
        self.signed_in = signed_in
        self.on_stopped = on_stopped
        self._stopping: asyncio.Future[None] | None = None
        self._ending: asyncio.Future[None] | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment.pop("CASEREVIEW_REVIEWER", None)
        environment[SIGNED_IN] = self.reviewer
        return environment

    async def _open_app_process(
        self, width: int = 80, height: int = 24
    ) -> asyncio.subprocess.Process:
        environment = self._build_environment(width=width, height=height)
        forked = await self.launcher.spawn(environment) if self.launcher is not None else None
        if forked is not None:  # (it has the parts of a Process that are used)
            self._process = forked  # type: ignore[assignment]
            self._stdin = forked.stdin
            return forked  # type: ignore[return-value]
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the app to quit; kill it if it has not within STOP_SECONDS.

        The session's handler and the server's shutdown can both stop one app at once. They
        share one stop, shielded: a caller cancelled while it waits (aiohttp cancels a
        closed connection's handler) must not cancel the stop, nor the task that reads the
        app's output, which every other caller is waiting on.
        """
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
            if self.on_stopped is not None:
                on_stopped = self.on_stopped
                self._stopping.add_done_callback(lambda _: on_stopped(self))
        await asyncio.shield(self._stopping)

    @property
    def ending(self) -> bool:
        return self._ending is not None

    def end(self) -> asyncio.Future[None]:
        """End the session (once): the app stops, then the browser's websocket closes (its
        page says the session ended)."""
        if self._ending is None:
            self._ending = asyncio.ensure_future(self._end())
        return self._ending

    async def _end(self) -> None:
        await self.stop()
        await self.remote_close()

    async def _stop(self) -> None:
        process = self._process
        try:
            await asyncio.wait_for(super().stop(), STOP_SECONDS)
        except TimeoutError:
            log.warning("an app process for %s did not quit; killing it", self.reviewer)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # this stop itself is cancelled (the server is going down hard)
            # else the task reading the app's output ended by a cancel: end the process below
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), STOP_SECONDS)
            except TimeoutError:
                process.kill()
                await process.wait()


async def start_template(launcher: Launcher | None, debug: bool = False) -> None:
    """Start the session template (if any) with a session's environment less its reviewer
    and size, so that the first reviewer to arrive does not wait for its imports."""
    if launcher is None:
        return
    app = ServedApp(
        [],
        "",
        write_bytes=_nothing,
        write_str=_nothing,
        close=_nothing,
        download_manager=DownloadManager(),
        debug=debug,
    )
    await launcher.prepare(app._build_environment())


async def _nothing(*args: object) -> None:
    return None


def still_holds(signed_in: Session, account: Account | None) -> bool:
    """Whether a sign-in still holds for the account as it is now (None: removed)."""
    return changed(signed_in, account) is None


def changed(signed_in: Session, account: Account | None) -> str | None:
    """What changed in the account since the sign-in (None: nothing that ends it)."""
    if account is None:
        return "the account was removed"
    if account.password_hash != signed_in.password_hash:
        return "the password was changed"
    if account.role != signed_in.role:
        return "the account's role was changed"
    return None


def lapsed(
    services: Iterable[ServedApp], now: float, account: Callable[[str], Account | None]
) -> list[tuple[ServedApp, str]]:
    """The open sessions (not already ending) that a request could no longer open, and why:
    the account was removed, its password or role changed (`account` reads the account as
    it is now), the sign-in expired by `now`, or its cookie was signed out."""
    found = []
    for service in list(services):
        signed_in = service.signed_in
        if signed_in is None or service.ending:
            continue
        if signed_in.signed_out:
            found.append((service, "signed out"))
            continue
        if signed_in.expires <= now:
            found.append((service, "the sign-in expired"))
            continue
        why = changed(signed_in, account(signed_in.name))
        if why is not None:
            found.append((service, why))
    return found
