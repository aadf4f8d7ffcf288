"""What the served-app tests share: a team database with two accounts, a clock the test
moves by hand, and a server on that database with a test client (closed after the test)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from casereview.serve.server import CaseReviewServer
from casereview.store import Store
from tests.factories import seed_store
from tests.served import Clock, add_account, client_for


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
