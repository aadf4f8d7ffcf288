"""m018's schema: accounts' roles and the signed-in sessions (store/sign_ins.py uses them).
Frozen as written: a later change is a later step."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

M017_SQL = (
    # existing accounts become reviewers; the server's owner names the first admin from the
    # shell (`casereview users role NAME admin`)
    "ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'reviewer'"
    " CHECK (role IN ('reviewer', 'admin', 'scrutiny'))",
    """
    CREATE TABLE sign_in_sessions (
        token_hash TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        expires REAL NOT NULL,
        started_at TEXT NOT NULL
    )""",
    "CREATE INDEX sign_in_sessions_by_name ON sign_in_sessions (name)",
)


def m018_account_roles(db: Database) -> None:
    for sql in M017_SQL:
        db.execute(sql)
