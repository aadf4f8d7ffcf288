"""Migration step m023_import_speed (store/migrations.py): the same rules, cheaper to keep
for every row a bulk write inserts (a bundle's million answers and events, issue 32).

- A CHECK that a column is one of a list (`CHECK (value IN ('yes', 'partly', ...))`) is
  written as the same test spelled out (`value = 'yes' OR value = 'partly' OR ...`). SQLite
  runs an IN list inside a CHECK by building a temporary b-tree of the list for every row
  it checks (EXPLAIN shows OpenEphemeral in the insert's program): that alone doubled the
  cost of inserting an answer. The two spellings accept and refuse the same values (a NULL
  passes both), so the rows already stored keep the rule, and SQLite's documented way to
  change a CHECK without rebuilding the table applies: the table's text in sqlite_master
  rewritten, and the schema version raised so every connection reads it again.
- The trail's indexes by audit and by action plan hold only the events that have one
  (`WHERE ... IS NOT NULL`): most events are a review's, with neither, and each was an
  index entry written for nothing. A query for `audit_id = ?` or `plan_id = ?` implies the
  condition, so SQLite still answers it from the index.

A step's SQL is frozen once released, whatever the tables become.
"""

from __future__ import annotations

import re
import sqlite3

# `CHECK (column IN ('a', 'b'))`: a list of plain quoted words only (no quote inside one)
_IN_CHECK = re.compile(r"CHECK \((\w+) IN \(('[^']*'(?:, '[^']*')*)\)\)")

PARTIAL_TRAIL_INDEXES: tuple[str, ...] = (
    "DROP INDEX events_by_audit",
    "CREATE INDEX events_by_audit ON events (audit_id) WHERE audit_id IS NOT NULL",
    "DROP INDEX events_by_plan",
    "CREATE INDEX events_by_plan ON events (plan_id) WHERE plan_id IS NOT NULL",
)


def spelled_out(sql: str) -> str:
    """A table's CREATE statement with each CHECK of a column against a list of words
    written as the same test spelled out, one equality a word."""

    def ors(match: re.Match[str]) -> str:
        column, words = match.group(1), re.findall(r"'[^']*'", match.group(2))
        return "CHECK (" + " OR ".join(f"{column} = {word}" for word in words) + ")"

    return _IN_CHECK.sub(ors, sql)


def checks_spelled_out(conn: sqlite3.Connection) -> None:
    """Every table's CHECKs against a list of words spelled out (spelled_out), inside the
    caller's transaction: the tables' text in sqlite_master rewritten, nothing else (left
    as it was by an SQLite that does not let its schema be written)."""
    changed = [
        (name, spelled_out(sql))
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE '%CHECK (%'"
        ).fetchall()
        if spelled_out(sql) != sql
    ]
    if not changed:
        return
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("SAVEPOINT checks_spelled_out")
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.executemany(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
            [(sql, name) for name, sql in changed],
        )
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
    except sqlite3.DatabaseError:
        # an SQLite that refuses it (built or set defensive): the CHECKs stay as they
        # were, the same rules at their old cost
        conn.execute("ROLLBACK TO checks_spelled_out")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")
        conn.execute("RELEASE checks_spelled_out")
