"""Sessions forked from one preloaded template process (serve.launcher) instead of a cold
Python start each: the app is the template's child, the template has no database open when
it forks, it ends with the server, and where it cannot run sessions start cold."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from pathlib import Path

import pytest

from casereview.serve.launcher import Launcher
from casereview.serve.server import CaseReviewServer
from tests.served import Session, client_for, parent_of


def _open_files(pid: int) -> list[str]:
    fds = Path(f"/proc/{pid}/fd")
    return [os.readlink(fd) for fd in fds.iterdir()]


async def _gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while parent_of(pid) is not None:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def test_a_session_is_forked_from_the_preloaded_template(db: Path) -> None:
    server = CaseReviewServer(db)
    client = await client_for(server)
    try:
        session = await Session.open(client, "ana")
        await session.until("Test audit")  # the forked app draws its screen
        (service,) = server.app_services
        assert service._process is not None
        app = service._process.pid
        template = server.launcher.pid if server.launcher else None
        assert template is not None and template != os.getpid()
        assert parent_of(app) == template  # forked, not a cold start of the server's
        # the template forks with no database open (a fork would share its connection)
        assert not any(f.startswith(str(db)) for f in _open_files(template))
        assert any(f.startswith(str(db)) for f in _open_files(app))  # the session opened it
        await session.press("\x1b")  # (the app keeps answering keys)
        await session.close()
        assert await _gone(app), "the session's app did not end with its websocket"
        async with asyncio.timeout(15):
            while server.app_services:
                await asyncio.sleep(0.05)
    finally:
        await client.close()
    assert await _gone(template), "the template outlived the server"


async def test_without_preload_a_session_starts_cold(db: Path) -> None:
    server = CaseReviewServer(db, preload=False)
    client = await client_for(server)
    try:
        session = await Session.open(client, "ana")
        await session.until("Test audit")
        (service,) = server.app_services
        assert service._process is not None
        assert parent_of(service._process.pid) == os.getpid()
        await session.close()
    finally:
        await client.close()


async def test_a_template_that_cannot_start_leaves_sessions_starting_cold(
    db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = CaseReviewServer(db)
    server.launcher = Launcher([sys.executable, "-c", "import sys; sys.exit(3)"])
    client = await client_for(server)
    try:
        with caplog.at_level(logging.WARNING, "casereview.serve"):
            session = await Session.open(client, "ana")
            await session.until("Test audit")
        (service,) = server.app_services
        assert service._process is not None
        assert parent_of(service._process.pid) == os.getpid()
        assert server.launcher.failed
        assert "sessions start cold" in caplog.text
        await session.close()
    finally:
        await client.close()


@pytest.mark.parametrize(("flags", "preloaded"), [([], True), (["--no-preload"], False)])
def test_serve_forks_sessions_unless_told_not_to(
    db: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str], preloaded: bool
) -> None:
    from click.testing import CliRunner

    from casereview.cli import main

    seen: list[Launcher | None] = []
    monkeypatch.setattr(CaseReviewServer, "run", lambda self, announce: seen.append(self.launcher))
    result = CliRunner().invoke(main, ["--db", str(db), "serve", *flags])
    assert result.exit_code == 0, result.output
    assert len(seen) == 1 and (seen[0] is not None) == preloaded


def test_the_served_command_starts_its_template_before_any_session(db: Path) -> None:
    import signal

    from tests.served import app_processes
    from tests.unit.serve.test_shared_file import start_serve

    server, _ = start_serve(db)
    try:
        deadline = time.monotonic() + 60  # the template's imports, on a busy machine
        template: list[int] = []
        while not template:
            assert time.monotonic() < deadline, "no session template without a session"
            template = [
                pid
                for pid in _children(server.pid)
                if b"session_launcher" in Path(f"/proc/{pid}/cmdline").read_bytes()
            ]
            time.sleep(0.05)
        assert app_processes(server.pid) == []  # nobody has opened a session
        assert not any(f.startswith(str(db)) for f in _open_files(template[0]))
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
    assert parent_of(template[0]) is None, "the template outlived the server"


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


async def test_a_forked_app_already_ended_when_it_is_watched_is_waited_for_at_once() -> None:
    import subprocess

    from casereview.serve.launcher import ForkedProcess, _reader, _writer

    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()  # reaped: its pid names no process now (as a fork the kernel reaped)
    stdin_r, stdin_w = os.pipe()
    stdout_r, stdout_w = os.pipe()
    os.close(stdout_w)
    os.close(stdin_r)
    reader = await _reader(stdout_r)
    process = ForkedProcess(ended.pid, await _writer(stdin_w), reader, reader)
    async with asyncio.timeout(5):
        assert await process.wait() == 0
    process.kill()  # (nothing to kill: no error)


async def test_a_reply_to_a_cancelled_request_is_not_taken_for_the_next() -> None:
    import json
    import socket

    ours, template = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours.setblocking(False)
    launcher = Launcher(["unused"])
    launcher._channel = ours
    launcher._requests = 1  # request 1's caller was cancelled before its reply came
    fork = asyncio.create_task(launcher._fork({"COLUMNS": "80"}))
    message, fds, _, _ = await asyncio.to_thread(socket.recv_fds, template, 1 << 16, 3)
    assert json.loads(message) == {"request": 2, "environment": {"COLUMNS": "80"}}
    assert len(fds) == 3
    alive = os.getpid()  # (a process that stays up while the test watches it)
    template.sendall(b"1 999999")  # request 1's late reply: another app's
    template.sendall(f"2 {alive}".encode())
    async with asyncio.timeout(5):
        process = await fork
    assert process.pid == alive
    for fd in fds:
        os.close(fd)
    asyncio.get_running_loop().remove_reader(process._pidfd)
    os.close(process._pidfd)
    process.stdin.close()
    ours.close()
    template.close()
