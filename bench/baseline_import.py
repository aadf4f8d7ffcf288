"""The case import's baseline, run as its own process: csv + executemany, nothing else.

    python -m bench.baseline_import CASES.csv DB

Writes the cases table as casereview's schema has it (the unique key on force and
reference, the match key, the indexes on both) into a fresh file with the store's PRAGMAs, in one
transaction; closing the connection checkpoints the WAL into the file, as casereview's does.
No validation, no date reading, no clash check: the floor a real import is compared with.
"""

from __future__ import annotations

import csv
import sqlite3
import sys

CASES_DDL = """
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    force TEXT NOT NULL DEFAULT '',
    case_ref TEXT NOT NULL,
    team TEXT, offence TEXT, reported_at TEXT, recorded_at TEXT, outcome TEXT,
    da_related INTEGER, repeat_victim INTEGER, officer TEXT, summary TEXT,
    extra TEXT NOT NULL DEFAULT '{}',
    imported_at TEXT NOT NULL,
    match_key TEXT,
    UNIQUE (force, case_ref)
)"""
INSERT = (
    "INSERT INTO cases (case_ref, force, team, offence, reported_at, recorded_at, outcome,"
    " da_related, repeat_victim, officer, summary, imported_at, match_key)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def main(csv_path: str, db: str) -> int:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(CASES_DDL)
    conn.execute("CREATE INDEX cases_by_match_key ON cases (match_key)")
    conn.execute("CREATE INDEX cases_by_ref ON cases (case_ref)")
    stamp = "2024-01-01T00:00:00.000+00:00"
    with open(csv_path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        conn.execute("BEGIN IMMEDIATE")
        cursor = conn.executemany(
            INSERT, ((*row, stamp, f"{row[1]}\x1f{row[0]}") for row in reader)
        )
        conn.execute("COMMIT")
    n = cursor.rowcount
    conn.close()
    print(n)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
