"""The question figures' baseline, run as its own process: one GROUP BY written with csv.

    python -m bench.baseline_questions DB AUDIT_ID OUT.csv

Each question's answers counted by one hand-written GROUP BY over the audit's completed
primary reviews, with the compliance share (yes 1, partly 0.5, over yes + partly + no),
written by csv.writer: no skip logic (a hidden question's na is not counted), no moderation,
no interval, nothing checked. The floor `casereview export questions` is compared with.
"""

from __future__ import annotations

import csv
import sqlite3
import sys

GROUP_BY = """
SELECT x.question_id,
       sum(x.value = 'yes'), sum(x.value = 'partly'), sum(x.value = 'no'),
       sum(x.value = 'na'), sum(x.value = 'unknown')
FROM answers x JOIN reviews r ON r.id = x.review_id
WHERE r.audit_id = ? AND r.role = 'primary' AND r.status = 'complete'
GROUP BY x.question_id
"""


def main(db: str, audit_id: str, out: str) -> int:
    conn = sqlite3.connect(db)
    rows = conn.execute(GROUP_BY, [int(audit_id)]).fetchall()
    conn.close()
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["question_id", "yes", "partly", "no", "na", "unknown", "compliance_pct"])
        for qid, yes, partly, no, na, unknown in rows:
            applicable = yes + partly + no
            share = round(100 * (yes + partly / 2) / applicable, 1) if applicable else None
            writer.writerow([qid, yes, partly, no, na, unknown, share])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
