"""Sign-in to the served app under hostile use: other sites' pages, credentials that go
stale, strangers' wrong passwords, and floods of names."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from casereview import accounts
from casereview.serve import auth
from casereview.serve.server import CaseReviewServer
from casereview.store import Store
from tests.factories import seed_store
from tests.served import PASSWORD, Session, add_account, basic, client_for

EVIL = "https://evil.example"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "team.db"
    store = Store.open(path)
    seed_store(store)
    add_account(store, "ana")
    add_account(store, "bob")
    store.close()
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def served(db: Path, clock: Clock) -> AsyncIterator[tuple[CaseReviewServer, TestClient]]:
    server = CaseReviewServer(db, clock=clock, monotonic=clock)
    client = await client_for(server)
    yield server, client
    await client.close()


def trail(db: Path) -> list[tuple[str, str, str | None, str | None]]:
    store = Store.open(db)
    try:
        return [(e.kind, e.actor, e.new, e.reason) for e in store.events()]
    finally:
        store.close()


@asynccontextmanager
async def elsewhere(address: str) -> AsyncIterator[aiohttp.ClientSession]:
    """A browser on another machine: requests from another loopback address (127.0.0.0/8 is
    all this machine's), so the server sees another client."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session


# ---------------------------------------------------------------- item 4: every POST, every request


async def test_a_post_from_another_sites_page_is_refused(served: Any, db: Path) -> None:
    server, client = served
    before = trail(db)
    for origin in (EVIL, "null"):
        signin = await client.post(
            "/signin",
            data={"name": "ana", "password": PASSWORD},
            headers={"Origin": origin},
            allow_redirects=False,
        )
        assert signin.status == 403 and "not from this server's own page" in await signin.text()
        assert "Set-Cookie" not in signin.headers
    assert trail(db) == before  # not even checked: no sign-in in the trail
    assert (await client.get("/", allow_redirects=False)).status == 303  # no session started

    own = {"Origin": str(client.make_url("")).rstrip("/")}
    signin = await client.post(
        "/signin", data={"name": "ana", "password": PASSWORD}, headers=own, allow_redirects=False
    )
    assert signin.status == 303 and "Set-Cookie" in signin.headers
    assert (await client.get("/", allow_redirects=False)).status == 200
    signout = await client.post("/signout", headers={"Origin": EVIL}, allow_redirects=False)
    assert signout.status == 403 and "Set-Cookie" not in signout.headers
    assert (await client.get("/", allow_redirects=False)).status == 200  # still signed in
    signout = await client.post("/signout", headers=own, allow_redirects=False)
    assert signout.status == 303 and signout.headers["Location"] == "/signin"
    assert (await client.get("/", allow_redirects=False)).status == 303  # this one ended it


async def test_a_remembered_basic_credential_ends_with_the_account_or_its_password(
    served: Any, db: Path
) -> None:
    _server, client = served
    for _ in range(2):
        assert (await client.get("/", headers=basic("ana"))).status == 200
        assert (await client.get("/", headers=basic("bob"))).status == 200
    signed_in = [t for t in trail(db) if t[0] == "sign_in"]
    assert len(signed_in) == 2  # checked once each, then remembered

    store = Store.open(db)
    store.set_password("ana", accounts.hash_password("a new password"), "admin")
    store.remove_user("bob", "admin")
    store.close()
    stale = await client.get("/", headers=basic("ana"), allow_redirects=False)
    assert stale.status == 401 and await stale.text() == "401: sign in first"
    removed = await client.get("/", headers=basic("bob"), allow_redirects=False)
    assert removed.status == 401
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws", headers=basic("bob"))
    assert refused.value.status == 401
    assert (await client.get("/", headers=basic("ana", "a new password"))).status == 200
