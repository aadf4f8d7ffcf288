"""Migration m006's table rebuild: audits, reviews and events copied into tables with a uuid
column (SQLite cannot give a column an expression default with ALTER TABLE). Kept apart from
the list of steps (store/migrations.py) so that list stays readable."""

from __future__ import annotations

import sqlite3

# A random (version 4) UUID, computed by SQLite itself as a column default, so every row any
# code inserts gets one without being asked for it. `random() & 3` picks the variant digit
# (abs(random()) could overflow on the one most negative value).
_UUID_SQL = (
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||"
    " substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (random() & 3), 1) ||"
    " substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))"
)

# The three tables as they stood after m005, each with its uuid. A rebuilt table's columns
# are compared with these before anything is copied: a column added by a step this one does
# not know of would otherwise be lost.
_WITH_UUID = {
    "audits": """
        CREATE TABLE {name} (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            checklist_pk INTEGER NOT NULL REFERENCES checklists(id),
            checklist_hash TEXT NOT NULL,
            seed INTEGER,
            scope TEXT NOT NULL DEFAULT '{{}}',
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            uuid TEXT NOT NULL UNIQUE DEFAULT ({uuid})
        )""",
    "reviews": """
        CREATE TABLE {name} (
            id INTEGER PRIMARY KEY,
            audit_id INTEGER NOT NULL REFERENCES audits(id),
            case_id INTEGER NOT NULL REFERENCES cases(id),
            role TEXT NOT NULL CHECK (role IN ('primary', 'second', 'moderated')),
            reviewer TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'in_progress'
                CHECK (status IN ('in_progress', 'complete')),
            current_question TEXT,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            completed_at TEXT,
            uuid TEXT NOT NULL UNIQUE DEFAULT ({uuid}),
            UNIQUE (audit_id, case_id, role)
        )""",
    "events": """
        CREATE TABLE {name} (
            id INTEGER PRIMARY KEY,
            review_id INTEGER REFERENCES reviews(id),
            question_id TEXT,
            kind TEXT NOT NULL,
            old TEXT,
            new TEXT,
            reason TEXT,
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            audit_id INTEGER REFERENCES audits(id),
            uuid TEXT NOT NULL UNIQUE DEFAULT ({uuid})
        )""",
}
_AFTER_REBUILD = (
    "CREATE INDEX reviews_by_case ON reviews (case_id)",
    "CREATE INDEX events_by_review ON events (review_id, question_id)",
    "CREATE INDEX events_by_audit ON events (audit_id)",
    """
    CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    """
    CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
)


def add_uuids(conn: sqlite3.Connection) -> None:
    """Rebuild the three tables with their uuid (SQLite's documented twelve steps), foreign
    keys off and in a transaction of its own; rerun after a lost record, it does nothing."""
    fk_was = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if "uuid" in {row[1] for row in conn.execute("PRAGMA table_info(events)")}:
                conn.execute("ROLLBACK")  # done before, but its record did not land
                return
            for table, ddl in _WITH_UUID.items():
                columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
                conn.execute(ddl.format(name=f"_new_{table}", uuid=_UUID_SQL))
                wanted = [row[1] for row in conn.execute(f"PRAGMA table_info(_new_{table})")]
                if [c for c in wanted if c != "uuid"] != columns:
                    raise RuntimeError(
                        f"m006_uuids: table {table} has columns {columns}, expected "
                        f"{[c for c in wanted if c != 'uuid']}; not rebuilt"
                    )
                listed = ", ".join(columns)
                conn.execute(f"INSERT INTO _new_{table} ({listed}) SELECT {listed} FROM {table}")
                conn.execute(f"DROP TABLE {table}")
                conn.execute(f"ALTER TABLE _new_{table} RENAME TO {table}")
            for sql in _AFTER_REBUILD:
                conn.execute(sql)
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"m006_uuids: foreign keys broken by the rebuild: {broken}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if fk_was else 'OFF'}")
