"""The served app and the database file it shares with every other casereview process
(the real `casereview serve` where it matters): nothing shown "Saved" is lost whoever else
opens the file meanwhile, no session outlives its server, and a full disk is named full."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from casereview.store import Store
from tests.factories import seed_store
from tests.served import PASSWORD, Session, add_account, app_processes, basic

CASEREVIEW = str(Path(sys.executable).with_name("casereview"))
ENV = {k: v for k, v in os.environ.items() if k != "CASEREVIEW_REVIEWER"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    store = Store.open(path)
    audit = seed_store(store)
    first, second = (ac.case.id for ac in store.audit_cases(audit.id)[:2])
    store.assign(audit.id, first, "ana", "lead")
    store.assign(audit.id, second, "bob", "lead")
    add_account(store, "ana")
    add_account(store, "bob")
    store.close()
    return path


def start_serve(db: Path) -> tuple[subprocess.Popen[str], str]:
    """`casereview serve --port 0` as its own process, and the URL it printed."""
    server = subprocess.Popen(
        [CASEREVIEW, "--db", str(db), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    match = re.search(r"at (http://127\.0\.0\.1:\d+)/ \(Ctrl\+C stops it\)", line)
    if match is None:
        server.kill()
        raise AssertionError(f"serve did not start: {line!r} {server.communicate()}")
    return server, match.group(1)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


async def until(condition: object, what: str, timeout: float = 30.0) -> None:
    """Wait for `condition()` to hold, polling, at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen in {timeout:g} s")
        await asyncio.sleep(0.05)


def casereview(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CASEREVIEW, "--db", str(db), *args], capture_output=True, text=True, env=ENV, timeout=60
    )


async def _answer(http: aiohttp.ClientSession, url: str, name: str) -> list[str]:
    """Sign `name` in over the websocket, open the case in their queue, answer two
    questions yes and close the session; the questions the screen said were saved."""
    session = Session(await http.ws_connect(f"{url}/ws", headers=basic(name)))
    saved = []
    try:
        await session.until("Test audit")
        await session.press("\r")
        await session.until("all cases")
        await session.press("m")
        await session.until("your queue")
        await session.press("\r")
        await session.until("REC-01")
        for qid in ("REC-01", "REC-02"):
            await session.press("y")
            await session.until(f"Saved {qid}")
            saved.append(qid)
    finally:
        await session.close()
    return saved


async def _two_reviewers_in_turn(url: str, server: subprocess.Popen[str], db: Path) -> dict:
    saved: dict[str, list[str]] = {}
    async with aiohttp.ClientSession() as http:
        for name in ("ana", "bob"):
            saved[name] = await _answer(http, url, name)
            # the session's app process has ended: the server alone has the file open ...
            await until(lambda: not app_processes(server.pid), f"{name}'s app to end")
            # ... when another casereview reads it and closes it
            listed = await asyncio.to_thread(casereview, db, "audit", "list")
            assert listed.returncode == 0, listed.stderr
            assert "Test audit" in listed.stdout
    # between requests the server holds no read snapshot: another connection can checkpoint
    # the whole -wal into the file (SQLite says busy if a reader still needs a part of it)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    finally:
        conn.close()
    return saved


def test_answers_saved_in_turn_survive_another_process_and_the_stop(db: Path) -> None:
    server, url = start_serve(db)
    try:
        saved = asyncio.run(_two_reviewers_in_turn(url, server, db))
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert saved == {"ana": ["REC-01", "REC-02"], "bob": ["REC-01", "REC-02"]}
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = conn.execute(
            "SELECT r.reviewer, a.question_id, a.value FROM answers a"
            " JOIN reviews r ON r.id = a.review_id ORDER BY 1, 2"
        ).fetchall()
        trail = conn.execute(
            "SELECT kind, actor, question_id FROM events WHERE kind IN ('sign_in', 'answer')"
            " ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    assert rows == [(name, qid, "yes") for name in ("ana", "bob") for qid in ("REC-01", "REC-02")]
    # the trail holds each sign-in (the server's writes) and each answer (the sessions')
    assert trail == [
        ("sign_in", name, None) if qid is None else ("answer", name, qid)
        for name in ("ana", "bob")
        for qid in (None, "REC-01", "REC-02")
    ]


async def _removed_while_served(url: str, server: subprocess.Popen[str], db: Path) -> list[int]:
    """Sign ana in with the form (a cookie), open her app and close it, remove her account
    from another process; what the server answers her cookie then, with an open session of
    bob's and with none."""
    statuses = []
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        signin = await http.post(
            f"{url}/signin", data={"name": "ana", "password": PASSWORD}, allow_redirects=False
        )
        assert signin.status == 303
        session = Session(await http.ws_connect(f"{url}/ws?width=100&height=30"))
        await session.until("Test audit")
        await session.close()
        await until(lambda: not app_processes(server.pid), "ana's app to end")
        bob = Session(await http.ws_connect(f"{url}/ws", headers=basic("bob")))
        await bob.until("Test audit")
        removed = await asyncio.to_thread(casereview, db, "users", "remove", "ana")
        assert removed.returncode == 0, removed.stderr
        page = await http.get(f"{url}/", allow_redirects=False)  # ana's cookie
        statuses.append(page.status)
        await bob.close()
        await until(lambda: not app_processes(server.pid), "bob's app to end")
        page = await http.get(f"{url}/", allow_redirects=False)
        statuses.append(page.status)
    return statuses


def test_a_removed_account_is_refused_at_once_by_the_running_server(db: Path) -> None:
    server, url = start_serve(db)
    try:
        statuses = asyncio.run(_removed_while_served(url, server, db))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert statuses == [303, 303]  # to the sign-in page: the cookie is no longer good


def test_the_sessions_end_with_a_killed_server(db: Path) -> None:
    server, url = start_serve(db)
    try:
        apps = asyncio.run(_open_a_session_and_kill(url, server))
    finally:
        if server.poll() is None:
            server.kill()
        server.wait()
    assert len(apps) == 1
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in apps):
        assert time.monotonic() < deadline, "a session's app outlived its killed server"
        time.sleep(0.05)
    # and nothing has the file open: another process can take it whole
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    finally:
        conn.close()


async def _open_a_session_and_kill(url: str, server: subprocess.Popen[str]) -> list[int]:
    async with aiohttp.ClientSession() as http:
        session = Session(await http.ws_connect(f"{url}/ws", headers=basic("ana")))
        await session.until("Test audit")
        apps = app_processes(server.pid)
        server.send_signal(signal.SIGKILL)
        await asyncio.to_thread(server.wait, 30)
    return apps


async def test_a_full_disk_is_named_full_to_the_browser(db: Path) -> None:
    from casereview.serve.server import CaseReviewServer
    from casereview.store import StoreError
    from tests.served import client_for

    server = CaseReviewServer(db)
    store = server.store
    # SQLite reports a file at its max_page_count as a full disk (SQLITE_FULL): cap the file
    # at its size and fill it with the very sign-in the request will record, until it is full
    store.conn.execute("PRAGMA synchronous = OFF")  # (the filling is quicker so)
    store.conn.execute(
        f"PRAGMA max_page_count = {store.conn.execute('PRAGMA page_count').fetchone()[0]}"
    )
    with pytest.raises(StoreError, match="is full"):
        for _ in range(100_000):
            store.record_sign_in("ana", True, "from 127.0.0.1")
    before = store.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    client = await client_for(server)
    try:
        form = await client.post(
            "/signin", data={"name": "ana", "password": PASSWORD}, allow_redirects=False
        )
        text = await form.text()
    finally:
        await client.close()
    assert form.status == 503
    assert "disk holding the database is full" in text and "busy" not in text
    assert str(db.parent) not in text  # the server's folders are not the browser's business
    assert "Set-Cookie" not in form.headers  # not signed in without the trail's record
    assert store.conn.execute("SELECT count(*) FROM events").fetchone()[0] == before
