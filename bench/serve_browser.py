"""The serve-capacity bench's browser (bench.serve_capacity): one reviewer's signed-in
session driven over its websocket as textual-serve's page drives it, and the watch on the
database file that times each answer's arrival."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "capacity bench pw"
AUDIT = "Capacity bench"
POLL_SECONDS = 0.002  # how often the database is looked at for new answers
FIRST_QUESTION = "INV-11"  # the shipped checklist's first question: the review is shown
SCREEN_WAIT = 180.0  # the longest any one screen may take (40 cold starts on two cores)
SAVE_WAIT = 30.0  # the longest an answer may take to reach the file
ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>78]"
)


class AnswerWatch:
    """A thread with its own read connection that notes when each reviewer's count of saved
    answers goes up: the time the row was first seen in the file."""

    def __init__(self, db: Path):
        self.db = db
        self.seen: dict[str, list[float]] = {}  # reviewer: times of each new answer seen
        self.counts: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="answer-watch", daemon=True)
        self.changed = threading.Condition()

    def __enter__(self) -> AnswerWatch:
        self._connection = sqlite3.connect(
            f"file:{self.db}?mode=ro", uri=True, check_same_thread=False
        )
        self._poll()  # the counts before any key
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._connection.close()

    def _poll(self) -> None:
        rows = self._connection.execute(
            "SELECT r.reviewer, count(*) FROM answers a JOIN reviews r ON r.id = a.review_id"
            " JOIN audits au ON au.id = r.audit_id WHERE au.name = ? GROUP BY r.reviewer",
            [AUDIT],
        ).fetchall()
        now = time.perf_counter()
        with self.changed:
            for name, count in rows:
                before = self.counts.get(name, 0)
                if count > before:
                    self.seen.setdefault(name, []).extend([now] * (count - before))
                    self.counts[name] = count
            self.changed.notify_all()

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self._poll()

    async def saved(self, name: str, nth: int, timeout: float = SAVE_WAIT) -> float:
        """When `name`'s `nth` answer (1-based) was first seen in the file."""
        deadline = time.perf_counter() + timeout
        while True:
            with self.changed:
                times = self.seen.get(name, [])
                if len(times) >= nth:
                    return times[nth - 1]
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{name}'s answer {nth} did not reach the file in {timeout} s")
            await asyncio.sleep(POLL_SECONDS)


@dataclass
class Browser:
    """One reviewer's browser session: the cookie, the websocket, the screen since a mark."""

    name: str
    base: str
    output: bytearray = field(default_factory=bytearray)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    first_screen_ms: float = 0.0
    answers: int = 0  # answers this session has saved
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)

    async def sign_in(self) -> None:
        import aiohttp

        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with self.http.post(
            self.base + "/signin",
            data={"name": self.name, "password": PASSWORD},
            allow_redirects=False,
        ) as response:
            if response.status != 303:
                raise SystemExit(f"{self.name} could not sign in: {response.status}")

    async def open(self) -> None:
        start = time.perf_counter()
        self.ws = await self.http.ws_connect(
            self.base.replace("http", "ws", 1) + "/ws?width=120&height=40"
        )
        self.reader = asyncio.create_task(self._read())
        await self.ws.send_str(json.dumps(["focus"]))
        await self.until(AUDIT, SCREEN_WAIT)
        self.first_screen_ms = (time.perf_counter() - start) * 1000

    async def _read(self) -> None:
        import aiohttp

        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.output += message.data
                self.changed.set()
        self.changed.set()

    def screen(self) -> str:
        return ANSI.sub(b"", bytes(self.output)).decode("utf-8", "replace")

    async def until(self, text: str, timeout: float = SCREEN_WAIT) -> None:
        async with asyncio.timeout(timeout):
            while text not in self.screen():
                if self.reader.done():
                    raise SystemExit(f"{self.name}'s session ended waiting for {text!r}")
                self.changed.clear()
                await self.changed.wait()

    async def press(self, keys: str) -> None:
        self.output.clear()
        await self.ws.send_str(json.dumps(["stdin", keys]))

    async def open_review(self, case_ref: str) -> None:
        """From the audits screen: the bench's audit (the newest, so the first row), its
        cases (the cursor on this reviewer's), then the case's review."""
        await self.press("\r")
        await self.until(case_ref)
        await self.press("\r")
        await self.until(FIRST_QUESTION)

    async def answer(self, watch: AnswerWatch, phase: str, acknowledged: bool) -> None:
        """`y`: saves the shown question's answer and moves on; timed to the file."""
        self.answers += 1
        sent = time.perf_counter()
        await self.press("y")
        seen = await watch.saved(self.name, self.answers)
        self.latencies_ms.setdefault(phase, []).append((seen - sent) * 1000)
        if acknowledged:
            await self.until("Saved", SAVE_WAIT)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        with contextlib.suppress(Exception):
            self.reader.cancel()
        await self.http.close()
