"""An open served session ends with what let it in: a removed account, a new password or the
session's expiry ends its app within seconds, and the server sees every change to the
accounts as soon as it is made."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType

from casereview.serve import accounts, auth
from casereview.serve.server import CaseReviewServer
from casereview.store import Store
from tests.served import PASSWORD, Clock, Session, basic

ENDS_WITHIN = 15.0  # seconds: the server looks every second or so; an app takes a moment


async def ended(session: Session, timeout: float = ENDS_WITHIN) -> None:
    """Wait for the server to close the session's websocket (bounded)."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                message = await session.ws.receive()
                if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING):
                    return
    except TimeoutError:
        raise AssertionError(f"the session was still open after {timeout:g} s") from None


async def in_review(session: Session) -> None:
    await session.until("Test audit")
    await session.press("\r")
    await session.until("T/1")
    await session.press("\r")
    await session.until("REC-01")
    await session.press("y")
    await session.until("Saved REC-01")


def answers(db: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT question_id, value, updated_by FROM answers").fetchall()
    finally:
        conn.close()


async def _ends_with(served: Any, db: Path, change: str) -> None:
    server, client = served
    session = await Session.open(client, "ana")
    await in_review(session)
    (service,) = server.app_services
    process = service._process
    assert process is not None
    other = Store.open(db)  # `casereview users ...` in another process, as far as SQLite knows
    if change == "removed":
        other.remove_user("ana", "admin")
    else:
        other.set_password("ana", accounts.hash_password("a new password"), "admin")
    other.close()
    await ended(session)
    await asyncio.wait_for(process.wait(), ENDS_WITHIN)  # its app process is gone
    await asyncio.wait_for(_until_no_apps(server), ENDS_WITHIN)
    # nothing more can be saved as ana: no socket to send keys on, no app to save them
    assert session.ws.closed
    assert answers(db) == [("REC-01", "yes", "ana")]


async def test_removing_the_account_ends_its_open_session(served: Any, db: Path) -> None:
    await _ends_with(served, db, "removed")


async def test_a_new_password_ends_the_open_session(served: Any, db: Path) -> None:
    await _ends_with(served, db, "new password")


async def test_an_open_session_ends_when_it_expires(served: Any, clock: Clock) -> None:
    server, client = served
    signin = await client.post("/signin", data={"name": "bob", "password": PASSWORD})
    assert signin.status == 200  # redirected to the app's page, cookie kept
    ws = await client.ws_connect("/ws?width=100&height=30")  # the cookie, no Basic
    session = Session(ws)
    await session.ws.send_str(json.dumps(["focus"]))
    await session.until("Test audit")
    (service,) = server.app_services
    clock.now += auth.SESSION_SECONDS - 1
    assert server.lapsed_sessions() == []  # not before its time
    clock.now += 1
    assert server.lapsed_sessions() == [(service, "the sign-in expired")]
    await ended(session)
    assert service._process is not None
    await asyncio.wait_for(service._process.wait(), ENDS_WITHIN)
    page = await client.get("/", allow_redirects=False)
    assert page.status == 303  # and the cookie signs nothing in


async def test_signing_out_ends_the_apps_the_cookie_opened(served: Any, db: Path) -> None:
    """Sign-out on a shared computer ends the review open in another tab too."""
    server, client = served
    signin = await client.post("/signin", data={"name": "bob", "password": PASSWORD})
    assert signin.status == 200
    session = Session(await client.ws_connect("/ws?width=100&height=30"))
    await session.ws.send_str(json.dumps(["focus"]))
    await session.until("Test audit")
    (service,) = server.app_services
    assert server.lapsed_sessions() == []
    signout = await client.post("/signout", allow_redirects=False)
    assert signout.status == 303
    assert server.lapsed_sessions() == [(service, "signed out")]
    await ended(session)
    assert service._process is not None
    await asyncio.wait_for(service._process.wait(), ENDS_WITHIN)


async def test_the_server_sees_each_change_and_holds_no_snapshot(served: Any, db: Path) -> None:
    server, client = served
    session = await Session.open(client, "ana")
    await session.until("Test audit")
    assert (await client.get("/", headers=basic("bob"))).status == 200
    other = Store.open(db)
    other.remove_user("bob", "admin")
    # the server's connection reads the change at once, and between requests it is in no
    # transaction and holds no read snapshot: another connection can checkpoint all of it
    assert (await client.get("/", headers=basic("bob"))).status == 401
    assert server.store.password_hash("bob") is None
    assert not server.store.conn.in_transaction
    await session.close()
    await asyncio.wait_for(_until_no_apps(server), ENDS_WITHIN)
    busy, _, _ = other.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0
    other.close()


async def _until_no_apps(server: CaseReviewServer) -> None:
    while server.app_services:
        await asyncio.sleep(0.05)
