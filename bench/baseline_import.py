"""The case import's baseline, run as its own process: the plain script a user would write.

    python -m bench.baseline_import CASES.csv DB

csv + sqlite3.executemany: the file's columns go as text into a plain table of their own
(not casereview's schema: no match key, no extra indexes, no triggers), with one index on
the reference (force, case_ref), in one transaction, committed. SQLite's default settings;
dates stored as the text they are written in; no validation, no clash check.
"""

from __future__ import annotations

import csv
import sqlite3
import sys


def main(csv_path: str, db: str) -> int:
    conn = sqlite3.connect(db)
    with open(csv_path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        names = ", ".join(f'"{name}"' for name in header)
        conn.execute(f"CREATE TABLE cases ({names})")
        conn.execute("CREATE INDEX cases_by_ref ON cases (force, case_ref)")
        marks = ", ".join("?" * len(header))
        with conn:  # one transaction, committed
            cursor = conn.executemany(f"INSERT INTO cases ({names}) VALUES ({marks})", reader)
    conn.close()
    print(cursor.rowcount)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
