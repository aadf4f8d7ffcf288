"""The secret a redacted export's pseudonyms are keyed with (core/redaction.py): made on first
use, kept in this database only (never in a bundle, never shown), one per database."""

from __future__ import annotations

from casereview.store.connection import Connection
from casereview.store.errors import StoreError
from casereview.store.records import now

REDACTION_TABLE = """
    CREATE TABLE redaction_secret (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        secret BLOB NOT NULL,
        created_at TEXT NOT NULL
    )"""
"""Migration step m017_redaction_secret's statement (frozen once released)."""


class RedactionStore(Connection):
    def redaction_key(self) -> bytes:
        """This database's pseudonym key, made (random, KEY_BYTES) the first time one is
        asked for; StoreError where it has none yet and cannot be written."""
        row = self.conn.execute("SELECT secret FROM redaction_secret WHERE id = 1").fetchone()
        if row is not None:
            return bytes(row[0])
        if self.readonly:
            raise StoreError(
                "this database has no redaction key yet and is read-only: make the first "
                "redacted export where it can be written"
            )
        import secrets  # (here: few commands redact, and these are not light imports)

        from casereview.core.redaction import KEY_BYTES

        with self._write():  # another process may have made it meanwhile: theirs stands
            self.db.execute(
                "INSERT OR IGNORE INTO redaction_secret (id, secret, created_at) VALUES (1, ?, ?)",
                [secrets.token_bytes(KEY_BYTES), now()],
            )
        row = self.conn.execute("SELECT secret FROM redaction_secret WHERE id = 1").fetchone()
        return bytes(row[0])
