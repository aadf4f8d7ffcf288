"""m023_import_speed (store/schema_import_speed.py): the rules a row is checked by, kept at
a bulk write's cost (issue 32 item 1: a bundle's million answers and events), with the same
rows accepted and refused, and the trail's lookups by audit and plan still indexed."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from casereview.store import Store
from casereview.store.schema_import_speed import checks_spelled_out, spelled_out
from tests.factories import FIXTURES


@pytest.fixture(params=["new", "v1"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A new database, and the first-schema fixture migrated."""
    path = tmp_path / "x.db"
    if request.param == "v1":
        shutil.copyfile(FIXTURES / "v1.db", path)
    opened = Store.open(path)
    request.addfinalizer(opened.close)
    return opened


def program(store: Store, sql: str, values: list[object]) -> list[str]:
    """The opcodes SQLite runs for `sql`."""
    return [row[1] for row in store.conn.execute(f"EXPLAIN {sql}", values)]


def test_a_row_is_checked_without_building_a_list_for_it(store: Store) -> None:
    """An IN list in a CHECK made SQLite build a temporary b-tree of the list for every row
    inserted (OpenEphemeral): twice the cost of an answer's insert."""
    answer = program(
        store,
        "INSERT INTO answers (review_id, question_id, value, note, updated_by, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [1, "q1", "yes", "", "a", "t"],
    )
    review = program(
        store,
        "INSERT INTO reviews (audit_id, case_id, role, reviewer, status, started_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [1, 1, "primary", "a", "in_progress", "t", "t"],
    )
    assert "OpenEphemeral" not in answer
    assert "OpenEphemeral" not in review
    tables = store.conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table'")
    assert [name for name, sql in tables if sql and " IN ('" in sql] == []


def test_the_checks_accept_and_refuse_what_they_did(store: Store) -> None:
    """A guard: the spelled-out CHECKs keep the rule, a NULL answer (not yet given) included."""
    conn = store.conn
    conn.execute("PRAGMA foreign_keys = OFF")  # the rows below stand alone
    insert = (
        "INSERT INTO answers (review_id, question_id, value, note, updated_by, updated_at)"
        " VALUES (1, ?, ?, '', 'a', 't')"
    )
    for i, value in enumerate(["yes", "partly", "no", "na", "unknown", None]):
        conn.execute(insert, [f"q{i}", value])
    for value in ["maybe", "Yes", ""]:
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            conn.execute(insert, ["q9", value])
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        conn.execute(
            "INSERT INTO reviews (audit_id, case_id, role, reviewer, started_at, updated_at)"
            " VALUES (1, 1, 'boss', 'a', 't', 't')"
        )
    conn.rollback()


def test_spelled_out_keeps_other_checks_and_text() -> None:
    sql = (
        "CREATE TABLE t (a TEXT CHECK (a IN ('x', 'y z')), b INTEGER CHECK (b > 0),"
        " c TEXT NOT NULL DEFAULT 'in'\n    CHECK (c IN ('in', 'out')))"
    )
    assert spelled_out(sql) == (
        "CREATE TABLE t (a TEXT CHECK (a = 'x' OR a = 'y z'), b INTEGER CHECK (b > 0),"
        " c TEXT NOT NULL DEFAULT 'in'\n    CHECK (c = 'in' OR c = 'out'))"
    )


def test_the_trail_indexes_by_audit_and_plan_hold_only_events_that_have_one(
    store: Store,
) -> None:
    """Most events are a review's, with neither an audit nor a plan of their own: no index
    entry is written for them, and the lookups by audit and by plan still use the index."""
    sql = dict(
        store.conn.execute(
            "SELECT name, sql FROM sqlite_schema"
            " WHERE name IN ('events_by_audit', 'events_by_plan')"
        ).fetchall()
    )
    assert sql["events_by_audit"].endswith("WHERE audit_id IS NOT NULL")
    assert sql["events_by_plan"].endswith("WHERE plan_id IS NOT NULL")
    for query, index in (
        ("SELECT uuid FROM events WHERE audit_id = ? AND review_id IS NULL ORDER BY id",
         "events_by_audit"),
        ("SELECT * FROM events WHERE plan_id = ? ORDER BY id", "events_by_plan"),
    ):  # fmt: skip
        plan = " ".join(
            row[-1]
            for row in store.conn.execute(f"EXPLAIN QUERY PLAN {query}", [1] * query.count("?"))
        )
        assert index in plan, (query, plan)


class _Defensive:
    """A connection as an SQLite built defensive gives it: its schema table not writable."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        if "sqlite_master" in sql:
            raise sqlite3.OperationalError("table sqlite_master may not be modified")
        return self.conn.executemany(sql, rows)


def test_an_sqlite_that_refuses_the_rewrite_keeps_its_checks(tmp_path: Path) -> None:
    """The step is a speed-up: where the schema cannot be written, the tables stay exactly
    as they were, and the transaction goes on."""
    conn = sqlite3.connect(tmp_path / "d.db", isolation_level=None)
    table = "CREATE TABLE t (v TEXT CHECK (v IN ('a', 'b')))"
    conn.execute(table)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO t VALUES ('a')")
    checks_spelled_out(_Defensive(conn))  # type: ignore[arg-type]
    conn.execute("INSERT INTO t VALUES ('b')")
    conn.execute("COMMIT")
    assert conn.execute("SELECT sql FROM sqlite_schema WHERE name = 't'").fetchone() == (table,)
    assert conn.execute("SELECT v FROM t").fetchall() == [("a",), ("b",)]
    checks_spelled_out(conn)  # and where it can be written, it is
    assert conn.execute("SELECT sql FROM sqlite_schema WHERE name = 't'").fetchone() == (
        "CREATE TABLE t (v TEXT CHECK (v = 'a' OR v = 'b'))",
    )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO t VALUES ('c')")
