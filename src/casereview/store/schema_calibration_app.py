"""The statements of migration step m020_calibration_in_app (store/migrations.py), kept
apart as m014's are: a step's SQL is frozen once released, whatever the tables become."""

from __future__ import annotations

CALIBRATION_APP_TABLES: tuple[str, ...] = (
    # A calibration review answered in the app, question by question, until it is completed:
    # then it is recorded whole in calibration_reviews (as a file's is) and its draft goes.
    """
    CREATE TABLE calibration_drafts (
        calibration_id INTEGER NOT NULL REFERENCES calibrations(id),
        case_id INTEGER NOT NULL REFERENCES cases(id),
        reviewer TEXT NOT NULL,
        question_id TEXT NOT NULL,
        value TEXT CHECK (value IN ('yes', 'partly', 'no', 'na', 'unknown')),
        note TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (calibration_id, case_id, reviewer, question_id)
    )""",
    # A calibration's trail events (created, gold recorded, answers, completed, results)
    # name it here: they belong to no review and no audit, so no audit's trail reads them.
    "ALTER TABLE events ADD COLUMN calibration_id INTEGER REFERENCES calibrations(id)",
    "ALTER TABLE events ADD COLUMN calibration_case_id INTEGER REFERENCES cases(id)",
)
