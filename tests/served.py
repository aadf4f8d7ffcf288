"""Driving served sessions in tests: the websocket protocol textual-serve's page speaks.

The page sends ["stdin", keys], ["resize", {...}] and ["focus"] as JSON text; the app's
screen comes back as binary frames of terminal output. `Session.until` reads frames until a
piece of text shows (escape sequences stripped), bounded in time: the test waits for what the
screen says, never for a fixed delay.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import ClientWebSocketResponse, WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from casereview.serve import accounts
from casereview.serve.server import CaseReviewServer, ServedApp
from casereview.store import Store

ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>78]"
)
WAIT = 60.0  # seconds any one screen may take to show (ten app processes on two cores)
PASSWORD = "long enough pw"
# argon2's real cost (64 MiB) per account; the tests' accounts are hashed once per run
_HASHES: dict[str, str] = {}


class Clock:
    """A clock the test moves by hand: the server's wall clock and its monotonic one."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def add_account(store: Store, name: str, password: str = PASSWORD) -> None:
    if password not in _HASHES:
        _HASHES[password] = accounts.hash_password(password)
    store.add_user(name, _HASHES[password], "admin")


def basic(name: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def client_for(server: CaseReviewServer) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = TestClient(TestServer(await server.make_app()))
    await client.start_server()
    return client


class Session:
    """One browser session's websocket, as the page would drive it."""

    def __init__(self, ws: ClientWebSocketResponse):
        self.ws = ws
        self.output = b""
        self.meta: list[Any] = []
        self.mark = 0

    @classmethod
    async def open(
        cls, client: TestClient[Any, Any], name: str, password: str = PASSWORD
    ) -> Session:
        ws = await client.ws_connect("/ws?width=100&height=30", headers=basic(name, password))
        session = cls(ws)
        await session.ws.send_str(json.dumps(["focus"]))
        return session

    @property
    def screen(self) -> str:
        """What the app drew since the last key sent."""
        return ANSI.sub(b"", self.output[self.mark :]).decode("utf-8", "replace")

    async def _read(self, done: Callable[[], bool], what: str, timeout: float) -> None:
        try:
            async with asyncio.timeout(timeout):
                while not done():
                    message = await self.ws.receive()
                    if message.type == WSMsgType.BINARY:
                        self.output += message.data
                    elif message.type == WSMsgType.TEXT:
                        self.meta.append(json.loads(message.data))
                    else:
                        raise AssertionError(f"the session ended waiting for {what}: {message}")
        except TimeoutError:
            tail = self.screen[-3000:]
            raise AssertionError(
                f"{what} did not show in {timeout:g} s; the screen:\n{tail}"
            ) from None

    async def until(self, text: str, timeout: float = WAIT) -> str:
        await self._read(lambda: text in self.screen, repr(text), timeout)
        return self.screen

    async def until_meta(self, kind: str, timeout: float = WAIT) -> list[Any]:
        await self._read(lambda: any(m[0] == kind for m in self.meta), kind, timeout)
        return next(m for m in self.meta if m[0] == kind)

    async def press(self, keys: str) -> None:
        self.mark = len(self.output)
        await self.ws.send_str(json.dumps(["stdin", keys]))

    async def close(self) -> None:
        await self.ws.close()


class WatchedApp(ServedApp):
    """A served app whose screen output the test can read on the server's side (for the
    browser test, where the screen is pixels in a canvas)."""

    running: list[WatchedApp] = []

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.output = b""
        self.mark = 0
        self._changed = asyncio.Event()
        WatchedApp.running.append(self)

    async def on_data(self, payload: bytes) -> None:
        self.output += payload
        self._changed.set()
        await super().on_data(payload)

    @property
    def screen(self) -> str:
        return ANSI.sub(b"", self.output[self.mark :]).decode("utf-8", "replace")

    async def until(self, text: str, timeout: float = WAIT) -> str:
        try:
            async with asyncio.timeout(timeout):
                while text not in self.screen:
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(
                f"{text!r} did not show; the screen:\n{self.screen[-3000:]}"
            ) from None
        return self.screen

    def next_screen(self) -> None:
        """Read only what is drawn from now on."""
        self.mark = len(self.output)


def app_processes(server_pid: int) -> list[int]:
    """The pids of a server's sessions' app processes: its children started cold, and the
    children of its session template (serve.launcher), which forks the others."""
    apps = []
    for pid in _children(server_pid):
        if b"session_launcher" in _cmdline(pid):
            apps += _children(pid)
        else:
            apps.append(pid)
    return apps


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def parent_of(pid: int) -> int | None:
    """The parent pid of a running process (None once it is gone or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after the name, which may hold spaces
    return None if fields[0] == "Z" else int(fields[1])
