"""A blind second review by the primary's own reviewer is refused however the name is typed:
names are compared as accounts are (`ANA` signs in as `ana`), so `ANA` is not someone else.
Found in a real-browser run: the cases screen's `s` took `ANA` for `ana`'s case."""

from __future__ import annotations

from pathlib import Path

import pytest

from casereview.core.rules import second_review_refusal
from casereview.store import Store
from casereview.store.errors import StoreError
from tests.factories import complete_review, seed_store

FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


@pytest.mark.parametrize("typed", ["ana", "ANA", "Ana", "ＡＮＡ"])
def test_the_rule_folds_names_as_accounts_do(typed: str) -> None:
    assert second_review_refusal(typed, None, "ana") is not None
    assert second_review_refusal(typed, "ana", None) is not None
    assert second_review_refusal("bob", "ana", "ana") is None


def test_the_store_refuses_the_primary_reviewer_in_other_capitals(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    audit = seed_store(store)
    case = store.audit_cases(audit.id)[0].case
    complete_review(store, audit.id, case.id, "ana", "primary", FULL)
    before = store.db.execute("SELECT count(*) FROM events").fetchone()[0]
    with pytest.raises(StoreError, match="would do both the primary and the second review"):
        store.assign_second(audit.id, [case.id], "ANA", "lead")
    assert store.db.execute("SELECT count(*) FROM events").fetchone()[0] == before
    assert [r.reviewer for r in store.reviews_of_case(audit.id, case.id)] == ["ana"]
    store.close()
