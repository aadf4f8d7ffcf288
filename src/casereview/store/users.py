"""Reviewers' accounts: names and password hashes (made by casereview.accounts), and the
trail events for adding, removing, password changes and sign-ins."""

from __future__ import annotations

from dataclasses import dataclass

from casereview.store.connection import Connection
from casereview.store.errors import StoreError
from casereview.store.records import now

# Trail kinds for accounts; these events name no review and no audit, so no audit's trail
# export shows them.
USER_ADDED = "user_added"
USER_REMOVED = "user_removed"
PASSWORD_CHANGED = "password_changed"
SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
ACCOUNT_EVENTS = (USER_ADDED, USER_REMOVED, PASSWORD_CHANGED, SIGN_IN, SIGN_IN_FAILED)


@dataclass(frozen=True)
class UserInfo:
    name: str
    created_by: str
    created_at: str
    changed_at: str
    last_sign_in: str | None


class UserStore(Connection):
    """The `users` table. Only hashes are stored; the password never reaches this layer."""

    def add_user(self, name: str, password_hash: str, actor: str) -> None:
        with self._write():
            if self._user_row(name) is not None:
                raise StoreError(f"there is already an account named '{name}'")
            stamp = now()
            self.db.execute(
                "INSERT INTO users (name, password_hash, created_by, created_at, changed_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [name, password_hash, actor, stamp, stamp],
            )
            self._event(None, None, USER_ADDED, None, name, None, actor)

    def remove_user(self, name: str, actor: str) -> None:
        with self._write():
            if self._user_row(name) is None:
                raise StoreError(f"there is no account named '{name}'")
            self.db.execute("DELETE FROM users WHERE name = ?", [name])
            self._event(None, None, USER_REMOVED, name, None, None, actor)

    def set_password(self, name: str, password_hash: str, actor: str) -> None:
        with self._write():
            if self._user_row(name) is None:
                raise StoreError(f"there is no account named '{name}'")
            self.db.execute(
                "UPDATE users SET password_hash = ?, changed_at = ? WHERE name = ?",
                [password_hash, now(), name],
            )
            self._event(None, None, PASSWORD_CHANGED, None, name, None, actor)

    def password_hash(self, name: str) -> str | None:
        """The stored hash for `name` (None: no such account)."""
        row = self._user_row(name)
        return None if row is None else str(row[0])

    def record_sign_in(self, name: str, ok: bool, detail: str | None = None) -> None:
        """A sign-in, successful or not, in the trail (`detail`: where from, or why not)."""
        kind = SIGN_IN if ok else SIGN_IN_FAILED
        with self._write():
            self._event(None, None, kind, None, name[:64], detail, name[:64])

    def users(self) -> list[UserInfo]:
        rows = self.db.execute(
            "SELECT u.name, u.created_by, u.created_at, u.changed_at,"
            " (SELECT max(at) FROM events e WHERE e.kind = ? AND e.new = u.name"
            "  AND e.review_id IS NULL AND e.audit_id IS NULL)"
            " FROM users u ORDER BY u.name",
            [SIGN_IN],
        ).fetchall()
        return [UserInfo(*row) for row in rows]

    def _user_row(self, name: str) -> tuple[str] | None:
        row = self.db.execute("SELECT password_hash FROM users WHERE name = ?", [name]).fetchone()
        return None if row is None else (row[0],)
