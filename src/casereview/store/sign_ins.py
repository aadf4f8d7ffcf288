"""Accounts' roles and signed-in browser sessions (m018), kept in the database so that a
restarted server still knows who is signed in.

A session is stored only as the SHA-256 of its cookie's random token (the token itself is
never written), with its account and its expiry. Removing an account, giving it a new password
or another role ends its sessions here, whoever does it (the command line or the app).
"""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

from casereview.store.connection import Connection
from casereview.store.errors import StoreError
from casereview.store.records import now

AccountRole = Literal["reviewer", "admin", "scrutiny"]
ACCOUNT_ROLES: tuple[AccountRole, ...] = get_args(AccountRole)
DEFAULT_ROLE: AccountRole = "reviewer"
ROLE_HELP = {
    "reviewer": "reviews cases and sees their audits' findings",
    "admin": "a reviewer who also adds and removes accounts and resets passwords in the app",
    "scrutiny": "a scrutiny panel member: findings, trends and counts, never a case or a name",
}
ROLE_CHANGED = "role_changed"  # trail kind: old and new role, the account in `reason`


def token_hash(token: str) -> str:
    """What a session's cookie token is stored and looked up as (never the token)."""
    import hashlib  # (here: its C library is 2 ms of every command's start)

    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class StoredSession(NamedTuple):  # (a NamedTuple: a quarter of a dataclass's cost at start)
    name: str  # the account's name as stored
    password_hash: str  # the account's hash now
    role: AccountRole
    expires: float


class SignInStore(Connection):
    """The `sign_in_sessions` table and accounts' roles."""

    def start_session(self, token: str, name: str, expires: float, at: float) -> None:
        """Keep a new session (its token hashed); sessions expired by `at` are dropped."""
        with self._write():
            self.db.execute("DELETE FROM sign_in_sessions WHERE expires <= ?", [at])
            self.db.execute(
                "INSERT INTO sign_in_sessions (token_hash, name, expires, started_at)"
                " VALUES (?, ?, ?, ?)",
                [token_hash(token), name, expires, now()],
            )

    def stored_session(self, token: str, at: float) -> StoredSession | None:
        """The session this cookie token holds, if unexpired at `at` and its account is still
        there (an expired one is dropped)."""
        row = self.conn.execute(
            "SELECT s.name, u.password_hash, u.role, s.expires FROM sign_in_sessions s"
            " LEFT JOIN users u ON u.name = s.name WHERE s.token_hash = ?",
            [token_hash(token)],
        ).fetchone()
        if row is None:
            return None
        name, password_hash, role, expires = row
        if password_hash is None or float(expires) <= at:
            try:
                self.end_session(token)
            except StoreError:  # (busy: dropped by the next sign-in's clean-up)
                pass
            return None
        return StoredSession(str(name), str(password_hash), role, float(expires))

    def end_session(self, token: str) -> None:
        if self.readonly:
            return
        with self._write():
            self.db.execute(
                "DELETE FROM sign_in_sessions WHERE token_hash = ?", [token_hash(token)]
            )

    def drop_expired_sessions(self, at: float) -> int:
        with self._write():
            cursor = self.db.execute("DELETE FROM sign_in_sessions WHERE expires <= ?", [at])
        return cursor.rowcount

    def sessions_of(self, name: str) -> int:
        """How many stored sessions the account of exactly this name has."""
        sql = "SELECT count(*) FROM sign_in_sessions WHERE name = ?"
        return int(self.conn.execute(sql, [name]).fetchone()[0])

    def _end_sessions_of(self, name: str) -> None:
        """(Inside a write.) The account's sessions end: removed, new password, new role."""
        self.db.execute("DELETE FROM sign_in_sessions WHERE name = ?", [name])
