"""The answers export's baseline, run as its own process: one join written with csv.

    python -m bench.baseline_export DB AUDIT_ID OUT.csv

The audit's answers joined to their reviews and cases, in sample order, written by
csv.writer: no skip logic (hidden questions are not filled in as `na`), no neutralising of
cells, nothing kept. The floor `casereview export answers` is compared with.
"""

from __future__ import annotations

import csv
import sqlite3
import sys

JOIN = """
SELECT ?, c.case_ref, c.force, r.reviewer, r.role, r.status, x.question_id, x.value
FROM audit_cases ac JOIN cases c ON c.id = ac.case_id
JOIN reviews r ON r.audit_id = ac.audit_id AND r.case_id = ac.case_id
JOIN answers x ON x.review_id = r.id
WHERE ac.audit_id = ? ORDER BY ac.position, r.id
"""


def main(db: str, audit_id: str, out: str) -> int:
    conn = sqlite3.connect(db)
    (name,) = conn.execute("SELECT name FROM audits WHERE id = ?", [int(audit_id)]).fetchone()
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["audit", "case_ref", "force", "reviewer", "role", "status", "question_id", "answer"]
        )
        writer.writerows(conn.execute(JOIN, [name, int(audit_id)]))
    conn.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
