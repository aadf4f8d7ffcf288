"""The bundle's baseline, run as its own process: the same rows as JSON lines in a zip, and
back into tables.

    python -m bench.baseline_bundle export DB AUDIT_ID OUT.zip
    python -m bench.baseline_bundle import IN.zip NEW.db

Export: the audit's cases, then each review with its answers and events (the rows a bundle
carries, read from SQLite cursors in order and grouped by review), written as JSON lines into
a deflated zip member: no manifest, seal, signature, encryption, blind rule or checks.
Import: the lines read back and inserted with executemany into three plain tables in one
transaction: no rules, no merge. The floor `bundle export` and `bundle import` are compared
with.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import zipfile
from itertools import groupby

REVIEWS = (
    "SELECT r.id, r.uuid, r.role, r.reviewer, r.status, r.current_question, r.started_at,"
    " r.updated_at, r.completed_at, c.force, c.case_ref FROM reviews r JOIN cases c"
    " ON c.id = r.case_id WHERE r.audit_id = ? ORDER BY r.id"
)
ANSWERS = (
    "SELECT x.review_id, x.question_id, x.value, x.note, x.updated_by, x.updated_at"
    " FROM answers x JOIN reviews r ON r.id = x.review_id WHERE r.audit_id = ?"
    " ORDER BY x.review_id, x.question_id"
)
EVENTS = (
    "SELECT e.review_id, e.uuid, e.question_id, e.kind, e.old, e.new, e.reason, e.actor, e.at"
    " FROM events e JOIN reviews r ON r.id = e.review_id WHERE r.audit_id = ?"
    " ORDER BY e.review_id, e.id"
)
REVIEW_KEYS = ("uuid", "role", "reviewer", "status", "current_question", "started_at",
               "updated_at", "completed_at", "force", "case_ref")  # fmt: skip
ANSWER_KEYS = ("question_id", "value", "note", "updated_by", "updated_at")
EVENT_KEYS = ("uuid", "question_id", "kind", "old", "new", "reason", "actor", "at")


def export(db: str, audit_id: str, out: str) -> int:
    conn = sqlite3.connect(db)
    audit = int(audit_id)
    answers = groupby(conn.execute(ANSWERS, [audit]), key=lambda row: row[0])
    events = groupby(conn.cursor().execute(EVENTS, [audit]), key=lambda row: row[0])
    next_answers, next_events = next(answers, None), next(events, None)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("reviews.jsonl", "w", force_zip64=True) as fh:
            for row in conn.cursor().execute(REVIEWS, [audit]):
                review = dict(zip(REVIEW_KEYS, row[1:], strict=True))
                review["answers"], review["events"] = [], []
                if next_answers is not None and next_answers[0] == row[0]:
                    review["answers"] = [dict(zip(ANSWER_KEYS, a[1:], strict=True))
                                         for a in next_answers[1]]  # fmt: skip
                    next_answers = next(answers, None)
                if next_events is not None and next_events[0] == row[0]:
                    review["events"] = [dict(zip(EVENT_KEYS, e[1:], strict=True))
                                        for e in next_events[1]]  # fmt: skip
                    next_events = next(events, None)
                fh.write(json.dumps(review, ensure_ascii=False).encode() + b"\n")
    return 0


def load(path: str, db: str) -> int:
    conn = sqlite3.connect(db)
    conn.executescript(
        "CREATE TABLE reviews (id INTEGER PRIMARY KEY, uuid TEXT UNIQUE, role TEXT,"
        " reviewer TEXT, status TEXT, current_question TEXT, started_at TEXT, updated_at TEXT,"
        " completed_at TEXT, force TEXT, case_ref TEXT);"
        "CREATE TABLE answers (review_id INTEGER, question_id TEXT, value TEXT, note TEXT,"
        " updated_by TEXT, updated_at TEXT, PRIMARY KEY (review_id, question_id));"
        "CREATE TABLE events (id INTEGER PRIMARY KEY, review_id INTEGER, uuid TEXT UNIQUE,"
        " question_id TEXT, kind TEXT, old TEXT, new TEXT, reason TEXT, actor TEXT, at TEXT);"
    )
    with conn, zipfile.ZipFile(path) as zf, zf.open("reviews.jsonl") as fh:
        for line in fh:
            review = json.loads(line)
            cursor = conn.execute(
                f"INSERT INTO reviews ({', '.join(REVIEW_KEYS)}) VALUES"
                f" ({', '.join('?' * len(REVIEW_KEYS))})",
                [review[k] for k in REVIEW_KEYS],
            )
            rid = cursor.lastrowid
            conn.executemany(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                [(rid, *(a[k] for k in ANSWER_KEYS)) for a in review["answers"]],
            )
            conn.executemany(
                f"INSERT INTO events (review_id, {', '.join(EVENT_KEYS)}) VALUES"
                f" (?, {', '.join('?' * len(EVENT_KEYS))})",
                [(rid, *(e[k] for k in EVENT_KEYS)) for e in review["events"]],
            )
    conn.close()
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "export":
        raise SystemExit(export(*sys.argv[2:5]))
    raise SystemExit(load(*sys.argv[2:4]))
