"""Shared fixtures: a fresh store with the test checklist, cases and an audit.

The builders behind them live in tests/factories.py; import those, not this file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from casereview.store import AuditInfo, Store
from tests.factories import seed_store

# Hypothesis draws the same inputs on every run (`make test`, CI): a failure is the code's,
# never the luck of the draw, and it comes back on the next run. No deadline: a property's
# time is the benchmark's business, and on a loaded two-core machine a 200 ms deadline
# fails a test at random (a slow example is re-run, and passing then is reported "Flaky").
# `HYPOTHESIS_PROFILE=explore` draws new inputs each run, to look for new failures; a
# failure prints the blob to replay it (@reproduce_failure), to be kept as an @example.
settings.register_profile(
    "repeatable", derandomize=True, database=None, deadline=None, print_blob=True
)
settings.register_profile("explore", derandomize=False, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


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
