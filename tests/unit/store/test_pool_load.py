"""Cases loaded in bulk (store/pool_load.py): the values a batch is turned into column by
column are those each row gives alone, and the indexes dropped while a small pool is
loaded come back as they were, whether the load is kept or refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casereview.store import CaseClash, Store
from casereview.store.pool_load import _batch_values, _case_values

TEXT = st.sampled_from(["NM/24/1", "A\u00a01", "\uff10", "caf\u00e9", "x", ""])
ROWS = st.tuples(
    TEXT,  # case_ref
    st.one_of(st.none(), TEXT),  # force
    *[st.one_of(st.none(), TEXT)] * 9,  # team ... summary (dates and flags as any value)
    st.one_of(st.just({}), st.dictionaries(TEXT, TEXT, max_size=2)),  # extra attributes
).map(list)


@settings(max_examples=300, deadline=None)
@given(st.lists(ROWS, min_size=1, max_size=12))
def test_a_batch_gives_the_values_of_each_row_alone(rows: list[list[Any]]) -> None:
    values, plain = _batch_values(rows, "stamp")
    assert values == [_case_values(row, "stamp") for row in rows]
    assert plain == all(v[-1].isascii() for v in values)


def _row(ref: str, force: str = "F") -> list[Any]:
    return [ref, force, *[None] * 9, {}]


def _indexes(store: Store) -> list[tuple[str, str]]:
    return store.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases'"
        " ORDER BY name"
    ).fetchall()


def test_a_load_into_a_small_pool_leaves_its_indexes_as_they_were(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    indexes = _indexes(store)
    assert len(indexes) >= 3  # the unique key, the match key, the reference
    assert store.add_cases(_row(f"R{i}") for i in range(3000)) == 3000
    assert _indexes(store) == indexes
    # the rebuilt match-key index answers: a look-alike of a loaded case is refused
    with pytest.raises(CaseClash):
        store.add_cases([_row("R\uff11")])  # fullwidth 1: R1 once NFKC'd
    assert _indexes(store) == indexes
    assert store.count_cases() == 3000


def test_a_refused_load_leaves_the_indexes_and_no_case(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    indexes = _indexes(store)
    with pytest.raises(CaseClash):
        store.add_cases([_row("R1"), _row("R2"), _row("R1")])
    assert _indexes(store) == indexes
    assert store.count_cases() == 0


def test_yes_and_no_are_bound_as_the_numbers_sqlite_stores(tmp_path: Path) -> None:
    # (sqlite3 looks up a bool as a type to adapt, row by row: an exact int it binds at once)
    row: list[Any] = ["R1", "F", None, None, None, None, None, True, False, None, None, {}]
    values, _plain = _batch_values([row], "stamp")
    assert [(type(v), v) for v in values[0][7:9]] == [(int, 1), (int, 0)]
    store = Store.open(tmp_path / "a.db")
    store.add_cases([row])
    case = store.cases()[0]
    assert (case.da_related, case.repeat_victim) == (True, False)
