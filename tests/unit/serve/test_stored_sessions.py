"""Sign-ins kept in the database, hashed: a restarted server still knows a browser's cookie;
a removed account's, a changed password's and an expired session are refused, and expired
ones are dropped from the file."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from casereview.serve import accounts, auth
from casereview.serve.server import CaseReviewServer
from casereview.store import Store
from tests.served import PASSWORD, Clock, client_for


def stored(db: Path) -> list[tuple[str, str, float]]:
    conn = sqlite3.connect(db)
    try:
        sql = "SELECT token_hash, name, expires FROM sign_in_sessions ORDER BY name"
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def _signed_in_cookie(server: CaseReviewServer, name: str = "ana") -> str:
    client = await client_for(server)
    try:
        response = await client.post(
            "/signin", data={"name": name, "password": PASSWORD}, allow_redirects=False
        )
        assert response.status == 303
        return response.cookies[auth.COOKIE].value
    finally:
        await client.close()


async def _status_with(server: CaseReviewServer, cookie: str) -> int:
    client = await client_for(server)
    try:
        client.session.cookie_jar.update_cookies({auth.COOKIE: cookie})
        return (await client.get("/", allow_redirects=False)).status
    finally:
        await client.close()


async def test_a_restarted_server_still_accepts_the_cookie(db: Path, clock: Clock) -> None:
    first = CaseReviewServer(db, clock=clock, monotonic=clock)
    cookie = await _signed_in_cookie(first)
    first.store.close()
    # kept hashed: the token itself is nowhere in the file
    ((token_hash, name, expires),) = stored(db)
    assert token_hash == hashlib.sha256(cookie.encode()).hexdigest()
    assert (name, expires) == ("ana", clock.now + auth.SESSION_SECONDS)
    assert cookie.encode() not in db.read_bytes()
    restarted = CaseReviewServer(db, clock=clock, monotonic=clock)  # same file, new server
    assert await _status_with(restarted, cookie) == 200
    assert await _status_with(restarted, "a made-up token") == 303


async def test_a_removed_accounts_stored_session_is_refused(db: Path, clock: Clock) -> None:
    cookie = await _signed_in_cookie(CaseReviewServer(db, clock=clock, monotonic=clock))
    other = Store.open(db)
    other.remove_user("ana", "admin")
    other.add_user("ana", accounts.hash_password("another password"), "admin")  # a new ana
    other.close()
    assert stored(db) == []
    restarted = CaseReviewServer(db, clock=clock, monotonic=clock)
    assert await _status_with(restarted, cookie) == 303


async def test_a_new_password_or_role_ends_the_stored_sessions(db: Path, clock: Clock) -> None:
    server = CaseReviewServer(db, clock=clock, monotonic=clock)
    ana = await _signed_in_cookie(server, "ana")
    bob = await _signed_in_cookie(server, "bob")
    other = Store.open(db)
    other.set_password("ana", accounts.hash_password("a new password"), "admin")
    assert [n for _, n, _ in stored(db)] == ["bob"]  # bob's is untouched
    other.set_role("bob", "scrutiny", "admin")
    assert stored(db) == []
    other.close()
    restarted = CaseReviewServer(db, clock=clock, monotonic=clock)
    assert await _status_with(restarted, ana) == 303
    assert await _status_with(restarted, bob) == 303


async def test_an_expired_stored_session_is_refused_and_dropped(db: Path, clock: Clock) -> None:
    cookie = await _signed_in_cookie(CaseReviewServer(db, clock=clock, monotonic=clock))
    clock.now += auth.SESSION_SECONDS
    restarted = CaseReviewServer(db, clock=clock, monotonic=clock)
    assert await _status_with(restarted, cookie) == 303
    assert stored(db) == []


async def test_signing_out_drops_the_stored_session(served: Any, db: Path) -> None:
    _server, client = served
    await client.post("/signin", data={"name": "bob", "password": PASSWORD})
    assert [n for _, n, _ in stored(db)] == ["bob"]
    await client.post("/signout", allow_redirects=False)
    assert stored(db) == []
