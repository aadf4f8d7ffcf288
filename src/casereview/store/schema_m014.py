"""The statements of migration step m014_calibration (store/migrations.py), kept apart as
uuid_rebuild keeps m006's: a step's SQL is frozen once released, whatever the tables become."""

from __future__ import annotations

CALIBRATION_TABLES: tuple[str, ...] = (
    """
    CREATE TABLE calibrations (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        checklist_pk INTEGER NOT NULL REFERENCES checklists(id),
        moderator TEXT NOT NULL,
        reviewers TEXT NOT NULL DEFAULT '[]',
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """
    CREATE TABLE calibration_cases (
        calibration_id INTEGER NOT NULL REFERENCES calibrations(id),
        case_id INTEGER NOT NULL REFERENCES cases(id),
        position INTEGER NOT NULL,
        PRIMARY KEY (calibration_id, case_id)
    )""",
    """
    CREATE TABLE calibration_reviews (
        id INTEGER PRIMARY KEY,
        calibration_id INTEGER NOT NULL REFERENCES calibrations(id),
        case_id INTEGER NOT NULL REFERENCES cases(id),
        role TEXT NOT NULL CHECK (role IN ('gold', 'reviewer')),
        reviewer TEXT NOT NULL,
        completed_at TEXT NOT NULL,
        UNIQUE (calibration_id, case_id, reviewer)
    )""",
    """
    CREATE TABLE calibration_answers (
        review_id INTEGER NOT NULL REFERENCES calibration_reviews(id),
        question_id TEXT NOT NULL,
        value TEXT CHECK (value IN ('yes', 'partly', 'no', 'na', 'unknown')),
        note TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (review_id, question_id)
    )""",
    """
    CREATE TABLE calibration_results (
        calibration_id INTEGER NOT NULL REFERENCES calibrations(id),
        reviewer TEXT NOT NULL,
        kappa REAL,
        agree_pct REAL,
        kappa_threshold REAL NOT NULL,
        agree_threshold REAL NOT NULL,
        passed INTEGER NOT NULL,
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (calibration_id, reviewer)
    )""",
    # an audit may require its reviewers to have passed a calibration on its checklist
    # version within this many months (None: no requirement)
    "ALTER TABLE audits ADD COLUMN calibration_months INTEGER",
)
