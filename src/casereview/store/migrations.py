"""Schema changes, one named function each, applied in order by sqlite-utils' Migrations.

The steps are listed here without importing sqlite-utils: opening a file that needs no step
(every start but the first after an upgrade) reads which steps it records with sqlite3, and
sqlite-utils is imported only to apply one (see store/_sqlite_utils.py for why).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from casereview.core.periods import from_scope
from casereview.core.text import fold_name, match_key
from casereview.store import sampled_refs
from casereview.store.schema_calibration_app import CALIBRATION_APP_TABLES
from casereview.store.schema_import_speed import PARTIAL_TRAIL_INDEXES, checks_spelled_out
from casereview.store.schema_line_hashes import LINE_HASH_FINGERPRINTS, LINE_HASH_TABLES
from casereview.store.schema_m014 import CALIBRATION_TABLES
from casereview.store.schema_m018 import m018_account_roles as account_roles
from casereview.store.schema_plans import PLAN_TABLES
from casereview.store.uuid_rebuild import add_uuids

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

SET_NAME = "casereview"  # the migration set's name in the table below
MIGRATIONS_TABLE = "_sqlite_migrations"  # where sqlite-utils' Migrations records each step

# Every step this version knows, in order. A file that records a step not in this list was
# written by a newer casereview and is refused rather than guessed at.
KNOWN: list[str] = []
_STEPS: list[tuple[Callable[[Database], None], bool]] = []  # (step, in a transaction)


# What a casereview database holds once its first step ran: a file that lacks any of these
# (dropped by another tool) is refused rather than used, since the trail's triggers are what
# keep it append-only.
REQUIRED_TABLES = frozenset(
    ("checklists", "cases", "audits", "audit_cases", "reviews", "answers", "events")
)
REQUIRED_TRIGGERS = frozenset(("events_append_only_update", "events_append_only_delete"))


def _step(fn):  # type: ignore[no-untyped-def]
    KNOWN.append(fn.__name__)
    _STEPS.append((fn, True))
    return fn


@cache
def migration_set() -> Migrations:
    """sqlite-utils' migration set of every step, built (and sqlite-utils imported) on first
    use."""
    from casereview.store._sqlite_utils import load

    load()  # numpy and pandas hidden from it
    from sqlite_utils.migrations import Migrations

    steps = Migrations(SET_NAME)
    for fn, transactional in _STEPS:
        steps(transactional=transactional)(fn)
    return steps


def applied_steps(conn: sqlite3.Connection) -> list[str]:
    """The steps the file records, in the order applied, read as Migrations.applied reads
    them (a test holds the two to the same answer)."""
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]
    ).fetchone():
        return []
    rows = conn.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
        [SET_NAME],
    )
    return [name for (name,) in rows]


@_step
def m001_initial(db: Database) -> None:
    for sql in (
        """
        CREATE TABLE checklists (
            id INTEGER PRIMARY KEY,
            checklist_id TEXT NOT NULL,
            version TEXT NOT NULL,
            title TEXT NOT NULL,
            content TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            source TEXT,
            added_at TEXT NOT NULL,
            UNIQUE (checklist_id, version)
        )""",
        """
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            force TEXT NOT NULL DEFAULT '',
            case_ref TEXT NOT NULL,
            team TEXT,
            offence TEXT,
            reported_at TEXT,
            recorded_at TEXT,
            outcome TEXT,
            da_related INTEGER,
            repeat_victim INTEGER,
            officer TEXT,
            summary TEXT,
            extra TEXT NOT NULL DEFAULT '{}',
            imported_at TEXT NOT NULL,
            UNIQUE (force, case_ref)
        )""",
        """
        CREATE TABLE audits (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            checklist_pk INTEGER NOT NULL REFERENCES checklists(id),
            checklist_hash TEXT NOT NULL,
            seed INTEGER,
            scope TEXT NOT NULL DEFAULT '{}',
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        """
        CREATE TABLE audit_cases (
            audit_id INTEGER NOT NULL REFERENCES audits(id),
            case_id INTEGER NOT NULL REFERENCES cases(id),
            position INTEGER NOT NULL,
            stratum TEXT,
            assigned_to TEXT,
            PRIMARY KEY (audit_id, case_id)
        )""",
        """
        CREATE TABLE reviews (
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
            UNIQUE (audit_id, case_id, role)
        )""",
        """
        CREATE TABLE answers (
            review_id INTEGER NOT NULL REFERENCES reviews(id),
            question_id TEXT NOT NULL,
            value TEXT CHECK (value IN ('yes', 'partly', 'no', 'na', 'unknown')),
            note TEXT NOT NULL DEFAULT '',
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (review_id, question_id)
        )""",
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            review_id INTEGER REFERENCES reviews(id),
            question_id TEXT,
            kind TEXT NOT NULL,
            old TEXT,
            new TEXT,
            reason TEXT,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX audit_cases_by_case ON audit_cases (case_id)",
        "CREATE INDEX reviews_by_case ON reviews (case_id)",
        "CREATE INDEX events_by_review ON events (review_id, question_id)",
        # The trail is evidence: the database itself refuses to edit or delete it.
        """
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
        """
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END""",
    ):
        db.execute(sql)


@_step
def m002_second_review(db: Database) -> None:
    # Who does the blind second review of a sampled case (None: not selected).
    db.execute("ALTER TABLE audit_cases ADD COLUMN second_reviewer TEXT")


@_step
def m003_event_audit(db: Database) -> None:
    # Events about an audit rather than one review (created, cases assigned, second reviews
    # chosen) name their audit, so the audit's trail export includes them. Review events
    # keep it empty: their review says which audit. Older rows are left as they were.
    db.execute("ALTER TABLE events ADD COLUMN audit_id INTEGER REFERENCES audits(id)")
    db.execute("CREATE INDEX events_by_audit ON events (audit_id)")


@_step
def m004_case_match_key(db: Database) -> None:
    # Cases are compared by their force and reference in NFKC form (text.match_key), so a
    # reference typed with a fullwidth digit or a non-breaking space is found as the case it
    # looks like. SQLite cannot compute NFKC, so the key is stored with each case. Not
    # UNIQUE: a pool imported before this step may already hold look-alike pairs.
    db.execute("ALTER TABLE cases ADD COLUMN match_key TEXT")
    rows = db.execute("SELECT id, force, case_ref FROM cases").fetchall()
    db.conn.executemany(
        "UPDATE cases SET match_key = ? WHERE id = ?",
        [(match_key(force, ref), case_id) for case_id, force, ref in rows],
    )
    db.execute("CREATE INDEX cases_by_match_key ON cases (match_key)")


@_step
def m005_users(db: Database) -> None:
    # Reviewers' accounts for `casereview serve`: a name and an argon2 hash of its password
    # (the hash string carries its own salt and cost). Adding, removing, password changes and
    # sign-ins are trail events (no review, no audit), so the table holds only the current
    # accounts.
    db.execute(
        """
        CREATE TABLE users (
            name TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            changed_at TEXT NOT NULL
        )"""
    )


def _transactional_step(fn):  # type: ignore[no-untyped-def]
    """A step that runs its own transaction (it must change a pragma outside one)."""
    KNOWN.append(fn.__name__)
    _STEPS.append((fn, False))
    return fn


@_transactional_step
def m006_uuids(db: Database) -> None:
    # Audits, reviews and events get a stable identity, so a copy of an audit carried away
    # (a bundle) merges back by identity rather than by ids that differ between files. The
    # UUID is the column's default, computed by SQLite on every insert; existing rows get
    # theirs as they are copied. SQLite cannot give a column an expression default with
    # ALTER TABLE, so the tables are rebuilt (its documented twelve steps): foreign keys off,
    # which cannot change inside a transaction, hence a step with a transaction of its own.
    # Ids, values, indexes and the trail's triggers come out exactly as they were.
    add_uuids(db.conn)


@_step
def m007_bundle_merges(db: Database) -> None:
    # Where an audit came from and when bundles were last merged into it, for the audits
    # screen. Local to this file: it says what happened here, so it never travels in a bundle.
    db.execute(
        """
        CREATE TABLE bundle_merges (
            id INTEGER PRIMARY KEY,
            audit_id INTEGER NOT NULL REFERENCES audits(id),
            kind TEXT NOT NULL CHECK (kind IN ('created', 'merged')),
            file TEXT NOT NULL,
            exported_by TEXT,
            exported_at TEXT,
            added TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX bundle_merges_by_audit ON bundle_merges (audit_id)")


@_step
def m008_case_ref_index(db: Database) -> None:
    # The command palette finds a case by the start of its reference, in every audit, on
    # each keystroke: an index on the reference alone answers that without reading the pool.
    db.execute("CREATE INDEX IF NOT EXISTS cases_by_ref ON cases (case_ref)")


@_step
def m009_audit_case_positions(db: Database) -> None:
    # The cases screen reads an audit's sample a page at a time by position, counts it and
    # finds a case's place in it, with or without "your queue": an index in that order,
    # carrying the two columns the queue filters on, answers each without reading the rows.
    db.execute(
        "CREATE INDEX IF NOT EXISTS audit_cases_by_position"
        " ON audit_cases (audit_id, position, assigned_to, second_reviewer)"
    )


@_step
def m010_sampled_refs(db: Database) -> None:
    # The palette also finds a case by the middle of its reference (`01234` finds
    # NM/24/01234). A trigram index of the references of sampled cases (the palette's only
    # cases; the pool's other cases stay out, so importing the pool costs nothing more)
    # answers that without reading every sampled case. A case enters it when it is first
    # sampled; references never change once stored. An SQLite without trigram FTS5 (before
    # 3.34, or built without FTS5) gets no index: the palette then matches the start only.
    if sampled_refs.trigram_available(db):
        sampled_refs.make_sampled_refs(db)


@_step
def m011_progress_indexes(db: Database) -> None:
    # The audits screen, the first the app draws, counts each audit's reviews by role and
    # status and each reviewer's assigned cases and reviews. At national scale (25,000
    # reviews) those counts read every review and sample row, 50 ms at each start; in these
    # indexes they are ranges of an index in the order the counts group by.
    db.execute(
        "CREATE INDEX IF NOT EXISTS reviews_by_progress"
        " ON reviews (audit_id, role, status, reviewer)"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS audit_cases_by_reviewer ON audit_cases (audit_id, assigned_to)"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS audit_cases_by_second_reviewer"
        " ON audit_cases (audit_id, second_reviewer)"
    )


@_step
def m012_account_name_keys(db: Database) -> None:
    # Account names compare as people mean them (text.fold_name: `BOB`, `ＢＯＢ` are `bob`), by
    # a unique key. Look-alikes added before are all kept (no unopenable file, no reviewer
    # locked out): the oldest gets the key, the rest sign in by their exact names.
    db.execute("ALTER TABLE users ADD COLUMN name_key TEXT")
    for (name,) in db.execute("SELECT name FROM users ORDER BY created_at, rowid").fetchall():
        db.execute(
            "UPDATE users SET name_key = ?1 WHERE name = ?2 AND NOT EXISTS"
            " (SELECT 1 FROM users WHERE name_key = ?1)",
            [fold_name(name), name],
        )
    db.execute("CREATE UNIQUE INDEX users_by_name_key ON users (name_key)")


@_step
def m013_audit_period(db: Database) -> None:
    # An audit's period (core/periods.py): its first and last day, which a trend orders by.
    # Audits sampled on report dates get those dates; the others get none (never the day
    # they were created) until someone gives one (`casereview audit period`).
    db.execute("ALTER TABLE audits ADD COLUMN period_start TEXT")
    db.execute("ALTER TABLE audits ADD COLUMN period_end TEXT")
    for audit_id, scope in db.execute("SELECT id, scope FROM audits").fetchall():
        period = from_scope(json.loads(scope or "{}"))
        if period is not None:
            db.execute(
                "UPDATE audits SET period_start = ?, period_end = ? WHERE id = ?",
                [period.start, period.end, audit_id],
            )


@_step
def m014_calibration(db: Database) -> None:
    # A calibration exercise: a moderator's gold review of a set of cases and the reviewers'
    # blind reviews of the same cases, compared with gold. An audit of its own kind, in
    # tables of its own, so nothing that reads audits (findings, trends, agreement, the
    # audits screen) can ever count a calibration review. Each review is recorded whole and
    # complete (its answers given at once); a reviewer's result (pass or not, at the team's
    # threshold) is kept with its date, for an audit that requires calibration.
    for sql in CALIBRATION_TABLES:
        db.execute(sql)


@_step
def m015_force_settings(db: Database) -> None:
    # The force settings an audit was created with (core/checklist/settings.py): the file's
    # text as given, and its hash, recorded with the audit as its checklist's hash is.
    db.execute("ALTER TABLE audits ADD COLUMN force_settings TEXT")
    db.execute("ALTER TABLE audits ADD COLUMN force_settings_hash TEXT")


@_step
def m016_trusted_keys(db: Database) -> None:
    # The signing keys whose bundles this database imports (store/keys.py), each with a
    # name; and, for each bundle merged, who signed it and on what trust (a trusted key's
    # name, or a --trust-once), so the import is answerable later. Local to this file.
    db.execute(
        """
        CREATE TABLE trusted_keys (
            name TEXT PRIMARY KEY,
            public_key TEXT NOT NULL UNIQUE,
            fingerprint TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL
        )"""
    )
    db.execute("ALTER TABLE bundle_merges ADD COLUMN signed_by TEXT")


@_step
def m017_redaction_secret(db: Database) -> None:
    # The key of redacted exports' pseudonyms (store/redaction.py), made on first use.
    from casereview.store.redaction import REDACTION_TABLE

    db.execute(REDACTION_TABLE)


@_step
def m018_account_roles(db: Database) -> None:
    # Accounts' roles (reviewer, admin, scrutiny) and signed-in sessions kept hashed, so a
    # restarted server keeps its sign-ins (store/sign_ins.py).
    account_roles(db)


@_step
def m019_action_plans(db: Database) -> None:
    # A force's action plan (store/plans.py): recommendations and the actions under them,
    # with owners, due dates and statuses, linked to the questions and tags they are meant
    # to move; plan events in the trail name the plan and the item they are about.
    for sql in PLAN_TABLES:
        db.execute(sql)


@_step
def m020_calibration_in_app(db: Database) -> None:
    # Calibration reviews answered in the app (drafts until completed) and calibration
    # events on the trail (store/schema_calibration_app.py).
    for sql in CALIBRATION_APP_TABLES:
        db.execute(sql)


@_step
def m021_bundle_line_hashes(db: Database) -> None:
    # Each review's bundle line digest, kept only while the database holds that line
    # exactly (triggers drop it on any change): a re-import decided from hashes.
    for sql in LINE_HASH_TABLES:
        db.execute(sql)


@_step
def m022_line_hash_fingerprints(db: Database) -> None:
    # A digest counts while its review's last event and number of answers are as recorded,
    # in place of a trigger on every answer and event inserted (store/schema_line_hashes.py).
    for sql in LINE_HASH_FINGERPRINTS:
        db.execute(sql)


@_step
def m023_import_speed(db: Database) -> None:
    # The same rules at a bulk write's cost (store/schema_import_speed.py): CHECKs against a
    # list spelled out as equalities, the trail's indexes by audit and plan partial.
    checks_spelled_out(db.conn)
    for sql in PARTIAL_TRAIL_INDEXES:
        db.execute(sql)
