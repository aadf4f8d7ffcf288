"""Issue 32, item 4: the team server's session cap is sized from the host's memory (or set),
the browser past it is told why in words, and sign-ins' argon2 checks run a bounded number
at a time."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from casereview.serve import accounts, capacity
from casereview.serve.server import CaseReviewServer
from tests.served import Clock, basic, client_for

MIB = 1024 * 1024


@pytest.mark.parametrize(
    ("memory", "sessions"),
    [
        # (free - 512 MiB) // 64 MiB, worked by hand:
        (8 * 1024 * MIB, 120),  # (8192 - 512) / 64 = 120
        (2 * 1024 * MIB, 24),  # (2048 - 512) / 64 = 24
        (600 * MIB, 4),  # (600 - 512) / 64 = 1, raised to the floor of 4
        (200 * 1024 * MIB, 1000),  # 3192, held to the ceiling
        (None, 64),  # free memory unknown: the old constant
    ],
)
def test_the_cap_follows_the_hosts_free_memory(memory: int | None, sessions: int) -> None:
    assert capacity.sessions_for(memory) == sessions


def test_free_memory_is_read_from_meminfo(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16000000 kB\nMemAvailable:    2048000 kB\n")
    assert capacity.available_memory(meminfo) == 2048000 * 1024
    assert capacity.available_memory(tmp_path / "absent") is None


class _Stub:
    """An open session as the cap counts it (a reviewer's app process, not started)."""

    def __init__(self, reviewer: str):
        self.reviewer = reviewer

    async def stop(self) -> None:
        return None


async def test_the_browser_past_the_cap_is_told_why(db: Path, clock: Clock) -> None:
    server = CaseReviewServer(db, clock=clock, monotonic=clock, max_sessions=2)
    client = await client_for(server)
    try:
        server.app_services.update({_Stub("bob"), _Stub("bob")})  # type: ignore[arg-type]
        page = await client.get("/", headers=basic("ana"))
        text = await page.text()
        assert page.status == 503
        assert "already has 2 sessions open" in text and "--max-sessions" in text
        assert "Close a casereview tab" in text
        socket = await client.get("/ws", headers=basic("ana"))
        assert socket.status == 503 and "already has 2 sessions open" in await socket.text()
        server.app_services.clear()
        assert (await client.get("/", headers=basic("ana"))).status == 200
    finally:
        await client.close()


async def test_one_reviewers_tabs_are_capped_and_said_so(db: Path, clock: Clock) -> None:
    server = CaseReviewServer(db, clock=clock, monotonic=clock, max_sessions_each=1)
    client = await client_for(server)
    try:
        server.app_services.add(_Stub("ana"))  # type: ignore[arg-type]
        page = await client.get("/", headers=basic("ana"))
        assert page.status == 503 and "You already have 1 casereview sessions" in (
            await page.text()
        )
        assert (await client.get("/", headers=basic("bob"))).status == 200  # bob has room
    finally:
        await client.close()


async def test_sign_ins_check_passwords_a_bounded_number_at_a_time(
    db: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = 0
    most = 0
    lock = threading.Lock()
    real = accounts.verify

    def verify(stored: str | None, password: str) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)  # long enough for the others to be started meanwhile
        try:
            return real(stored, password)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(accounts, "verify", verify)
    server = CaseReviewServer(db, clock=clock, monotonic=clock, sign_ins_at_once=2)
    client = await client_for(server)
    try:
        pages: list[Any] = await asyncio.gather(
            *(client.get("/", headers=basic("ana"), allow_redirects=False) for _ in range(6))
        )
        assert [p.status for p in pages] == [200] * 6
    finally:
        await client.close()
    assert most == 2
