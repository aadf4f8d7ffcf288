"""Shared fixtures: a fresh store with the test checklist, cases and an audit.

The builders behind them live in tests/factories.py; import those, not this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from casereview.store import AuditInfo, Store
from tests.factories import seed_store


@pytest.fixture
def fresh_store() -> Iterator[Store]:
    store = Store.memory()
    yield store
    store.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "review.db"


@pytest.fixture
def audited(fresh_store: Store) -> tuple[Store, AuditInfo]:
    return fresh_store, seed_store(fresh_store)
