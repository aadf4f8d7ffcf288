"""Ten reviewers answering in one file at once through `casereview serve` (loopback only).

Each session is its own app process writing the same SQLite file; every answer must land,
with its own reviewer in the trail, and none may meet "database is locked".
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from casereview.io.imports.cases import read_case_file
from casereview.serve.server import CaseReviewServer
from casereview.store import Store
from tests.factories import MINI, ROOT
from tests.served import Session, add_account, client_for

REVIEWERS = [f"rev{i:02d}" for i in range(10)]


@pytest.mark.slow
async def test_ten_served_sessions_answer_at_once(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    store = Store.open(db)
    checklist = store.add_checklist(MINI.read_text(), str(MINI))
    store.insert_case_rows(
        read_case_file(ROOT / "src" / "casereview" / "sample_cases" / "sample_cases.csv").rows[:10]
    )
    cases = [c.id for c in store.cases()]
    refs = {c.id: c.case_ref for c in store.cases()}
    audit = store.create_audit(
        "Team audit",
        checklist.pk,
        cases,
        created_by="lead",
        seed=1,
        assignments=dict(zip(cases, REVIEWERS, strict=True)),
    )
    mine = {name: refs[case] for case, name in zip(cases, REVIEWERS, strict=True)}
    for name in REVIEWERS:
        add_account(store, name)
    store.close()

    server = CaseReviewServer(db)
    client = await client_for(server)
    screens: dict[str, str] = {}
    everyone_in_a_review = asyncio.Barrier(len(REVIEWERS))

    async def review(name: str) -> None:
        session = await Session.open(client, name)
        try:
            await session.until("Team audit")
            await session.press("\r")
            await session.until(mine[name])
            await session.press("\r")
            await session.until("REC-01")
            await everyone_in_a_review.wait()  # then all answer at the same moment
            for qid in ("REC-01", "REC-02"):
                await session.press("y")
                screens[name] = await session.until(f"Saved {qid}")
        finally:
            await session.close()

    try:
        async with asyncio.timeout(240):
            await asyncio.gather(*(review(name) for name in REVIEWERS))
    finally:
        await client.close()

    # A save that fails says "Not saved: <why>" (SQLite's "database is locked", say). Not the
    # bare words: a case's summary on the screen read "...after being blocked".
    failed = ("Not saved", "database is locked", "database is busy")
    assert not [s for s in screens.values() if any(words in s for words in failed)]
    store = Store.open(db)
    rows = store.db.execute(
        "SELECT r.reviewer, a.updated_by, r.case_id, a.question_id, a.value FROM answers a"
        " JOIN reviews r ON r.id = a.review_id WHERE r.audit_id = ?",
        [audit.id],
    ).fetchall()
    assigned = dict(zip(REVIEWERS, cases, strict=True))
    assert sorted(rows) == sorted(
        (name, name, assigned[name], qid, "yes")
        for name in REVIEWERS
        for qid in ("REC-01", "REC-02")
    )
    trail = [e for e in store.events() if e.kind == "answer"]
    assert len(trail) == 20
    assert all(store.review(e.review_id or 0).reviewer == e.actor for e in trail)
    assert sorted({e.actor for e in trail}) == REVIEWERS
