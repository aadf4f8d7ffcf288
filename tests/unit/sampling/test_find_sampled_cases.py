"""The palette's look-up: sampled cases by the start of their reference, capped."""

from __future__ import annotations

from pathlib import Path

from casereview.store import Store
from tests.factories import seed_store


def test_cases_are_found_by_the_start_of_their_reference_in_every_audit(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "t.db")
    audit = seed_store(store)  # the six fixture cases: T/1 twice (two forces), T/2 .. T/5
    t2 = next(c for c in store.cases() if c.case_ref == "T/2")
    other = store.create_audit("Other", audit.checklist_pk, [t2.id], created_by="x", seed=2)
    store.open_review(other.id, t2.id, "ann", "primary")
    found = store.find_sampled_cases("t/2")  # typed in lower case: the capitals match
    assert [(name, ref, status) for _a, name, _c, ref, _o, status in found] == [
        ("Other", "T/2", "in_progress"),
        ("Test audit", "T/2", None),
    ]
    assert [r[3] for r in store.find_sampled_cases("T/1")] == ["T/1", "T/1"]  # two forces
    assert len(store.find_sampled_cases("T/", limit=3)) == 3
    assert [r[3] for r in store.find_sampled_cases("T/", limit=3)] == ["T/1", "T/1", "T/2"]
    assert store.find_sampled_cases("X") == []
    plan = " ".join(
        str(r[-1])
        for r in store.db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM cases c WHERE c.case_ref >= ? AND c.case_ref < ?",
            ["T", "T\U0010ffff"],
        )
    )
    assert "cases_by_ref" in plan  # a range on the index, not a scan of the pool
    store.close()
