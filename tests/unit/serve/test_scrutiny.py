"""A scrutiny panel account, served: it sees the audits' counts and findings, and cannot
open a case, whatever it sends down the websocket."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from casereview.store import Store
from tests.served import ANSI, Session, add_account


def reviews(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM reviews").fetchone()[0])
    finally:
        conn.close()


async def test_a_scrutiny_session_cannot_open_a_case(served: Any, db: Path) -> None:
    _server, client = served
    store = Store.open(db)
    add_account(store, "pat")
    store.set_role("pat", "scrutiny", "owner")
    store.close()
    session = await Session.open(client, "pat")
    screen = await session.until("Scrutiny panel")
    assert "By reviewer" not in screen  # counts, never reviewers' names
    await session.press("\r")  # Enter: the audit's case list (and Enter again, a case)
    await session.until("Closed to a")
    await session.press("\r")
    await session.until("Closed to a")
    await session.press("f")  # the findings it may see: keys are taken in turn, so had
    await session.until("Group by")  # Enter opened anything, it was drawn before this
    drawn = ANSI.sub(b"", session.output).decode("utf-8", "replace")
    assert "T/1" not in drawn  # no case reference was ever drawn
    assert "Cases No/Partly" not in drawn  # the findings' case lists are not offered
    assert reviews(db) == 0
    await session.close()
