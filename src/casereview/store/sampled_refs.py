"""The palette's trigram index of sampled references (step m010_sampled_refs): made where
this SQLite has trigram FTS5, fitted again whenever a file opens on another SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol


class Executes(Protocol):
    """A sqlite3 connection or a sqlite-utils Database: what the helpers below need."""

    def execute(self, sql: str, parameters: list[object] = ..., /) -> sqlite3.Cursor: ...


SAMPLED_REFS_TRIGGER = "sampled_refs_on_sample"


def trigram_available(db: Executes) -> bool:
    """Whether this SQLite has FTS5 with the trigram tokenizer (3.34 and later, FTS5 built in)."""
    try:
        db.execute("CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(x, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    db.execute("DROP TABLE temp.trigram_probe")
    return True


def make_sampled_refs(db: Executes) -> None:
    """The trigram index, its trigger and every sampled case missing from it (rerunnable)."""
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS sampled_refs USING fts5(case_ref, tokenize='trigram')"
    )
    db.execute(
        f"""
        CREATE TRIGGER IF NOT EXISTS {SAMPLED_REFS_TRIGGER} AFTER INSERT ON audit_cases
        WHEN NOT EXISTS (SELECT 1 FROM sampled_refs WHERE rowid = NEW.case_id)
        BEGIN
          INSERT INTO sampled_refs (rowid, case_ref)
            SELECT id, case_ref FROM cases WHERE id = NEW.case_id;
        END"""
    )
    db.execute(
        "INSERT INTO sampled_refs (rowid, case_ref) SELECT id, case_ref FROM cases"
        " WHERE id IN (SELECT case_id FROM audit_cases)"
        " AND id NOT IN (SELECT rowid FROM sampled_refs)"
    )


def sync_sampled_refs(
    conn: sqlite3.Connection, writable: bool, write: Callable[[], AbstractContextManager[None]]
) -> bool:
    """Fit the palette's trigram index to the SQLite opening the file; True when it can be
    used. A file moves between machines: where trigram FTS5 is missing, the index's trigger
    is dropped (it would refuse every new sample); where it is present, a missing index or
    trigger is made again and filled with the cases sampled meanwhile. `write` is the store's
    write transaction."""
    names = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE name IN ('sampled_refs', ?)",
            [SAMPLED_REFS_TRIGGER],
        )
    }
    available = trigram_available(conn)
    if not writable:
        return available and "sampled_refs" in names
    if available:
        if names != {"sampled_refs", SAMPLED_REFS_TRIGGER}:
            with write():
                make_sampled_refs(conn)
        return True
    if SAMPLED_REFS_TRIGGER in names:
        with write():
            conn.execute(f"DROP TRIGGER {SAMPLED_REFS_TRIGGER}")
    return False
