"""Shared fixtures: a fresh store with the test checklist, cases and an audit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from casereview.importing import read_case_file
from casereview.store import AuditInfo, Store

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini.yaml"
CASES = FIXTURES / "cases.csv"


@pytest.fixture
def fresh_store() -> Iterator[Store]:
    store = Store.memory()
    yield store
    store.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "review.db"


def seed_store(store: Store) -> AuditInfo:
    """The mini checklist, the six fixture cases and an audit of all of them."""
    info = store.add_checklist(MINI.read_text(), str(MINI))
    store.insert_case_rows(read_case_file(CASES).rows)
    ids = [c.id for c in store.cases()]
    return store.create_audit("Test audit", info.pk, ids, created_by="tester", seed=1)


@pytest.fixture
def audited(fresh_store: Store) -> tuple[Store, AuditInfo]:
    return fresh_store, seed_store(fresh_store)


def complete_review(
    store: Store, audit_id: int, case_id: int, who: str, role: str, answers: dict[str, str]
) -> int:
    """Start a review, answer it and complete it, as a reviewer would; its id."""
    review = store.open_review(audit_id, case_id, who, role)
    for qid, value in answers.items():
        store.set_answer(review.id, qid, value, who)
    store.complete_review(review.id, who)
    return review.id
