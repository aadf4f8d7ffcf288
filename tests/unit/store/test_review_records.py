"""review_records, which every figure reads: each review's answers exactly as stored, whatever
the value (review_records packs a review's values as one letter each)."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from casereview.core.fields import ANSWER_VALUES
from casereview.store import Store
from tests.factories import complete, seed_store


def _stored(store: Store, review_id: int) -> dict[str, str | None]:
    rows = store.conn.execute(
        "SELECT question_id, value FROM answers WHERE review_id = ?", [review_id]
    )
    return dict(rows.fetchall())


def test_every_value_a_cleared_answer_and_an_odd_value_come_back_as_stored(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "t.db")
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    # Every answer value across two reviews of the mini checklist...
    one = {"REC-01": "yes", "REC-02": "partly", "REC-03": "no", "SPO-01": "na"}
    two = {"REC-01": "unknown", "REC-03": "yes", "SPO-01": "yes", "SPO-02": "no"}
    assert {*one.values(), *two.values()} == set(ANSWER_VALUES)
    first = complete(store, audit, ids[0], "ann", "primary", one)
    second = complete(store, audit, ids[1], "ann", "primary", two)
    store.close()
    # ...then, as a hand edit would: one answer cleared to a note (NULL) and one value that
    # is no answer at all (the CHECK constraint set aside).
    import sqlite3

    with closing(sqlite3.connect(tmp_path / "t.db")) as conn, conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute(
            "UPDATE answers SET value = NULL, note = 'n' WHERE review_id = ? AND question_id = ?",
            [first, "REC-02"],
        )
        conn.execute(
            "UPDATE answers SET value = 'maybe' WHERE review_id = ? AND question_id = ?",
            [second, "SPO-01"],
        )
    store = Store.open(tmp_path / "t.db")
    records = {r.case_id: r.answers for r in store.review_records(audit.id)}
    assert dict(records[ids[0]]) == _stored(store, first)
    assert dict(records[ids[1]]) == _stored(store, second)
    assert records[ids[0]]["REC-02"] is None and records[ids[1]]["SPO-01"] == "maybe"
    assert dict(records[ids[1]]) == two | {"SPO-01": "maybe"}
    store.close()
