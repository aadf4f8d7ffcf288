"""Reviewers' accounts: names and password hashes (made by casereview.serve.accounts), and the
trail events for adding, removing, password changes and sign-ins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from casereview.core.text import fold_name
from casereview.store.errors import StoreError
from casereview.store.records import now
from casereview.store.sign_ins import (
    ACCOUNT_ROLES,
    DEFAULT_ROLE,
    ROLE_CHANGED,
    AccountRole,
    SignInStore,
)

if TYPE_CHECKING:
    from casereview.store.user_records import Account, UserInfo

# Trail kinds for accounts; these events name no review and no audit, so no audit's trail
# export shows them.
USER_ADDED = "user_added"
USER_REMOVED = "user_removed"
PASSWORD_CHANGED = "password_changed"
SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
SIGN_IN_FAILURES = "sign_in_failures"  # how many more failed (`new`), counted by the server


def check_role(role: str) -> AccountRole:
    for known in ACCOUNT_ROLES:
        if role == known:
            return known
    raise StoreError(f"'{role}' is not a role: use one of {', '.join(ACCOUNT_ROLES)}")


class UserStore(SignInStore):
    """The `users` table. Only hashes are stored; the password never reaches this layer.
    Removing an account, or giving it a new password or role, ends its stored sessions."""

    def add_user(
        self, name: str, password_hash: str, actor: str, role: AccountRole = DEFAULT_ROLE
    ) -> None:
        role = check_role(role)
        with self._write():
            existing = self.account(name)
            if existing is not None and existing.name == name:
                raise StoreError(f"there is already an account named '{name}'")
            if existing is not None:
                raise StoreError(
                    f"'{name}' is the same name as the account '{existing.name}' (case and "
                    "look-alike characters do not count); there cannot be two"
                )
            stamp = now()
            self.db.execute(
                "INSERT INTO users (name, password_hash, created_by, created_at, changed_at,"
                " name_key, role) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [name, password_hash, actor, stamp, stamp, fold_name(name), role],
            )
            self._event(None, None, USER_ADDED, None, name, f"role {role}", actor)

    def remove_user(self, name: str, actor: str) -> str:
        """Remove the account `name` finds (self.account); its name as stored."""
        with self._write():
            account = self._account_named(name)
            self.db.execute("DELETE FROM users WHERE name = ?", [account.name])
            self._end_sessions_of(account.name)
            # a look-alike kept from before names were compared as one takes the key on
            for (other,) in self.conn.execute(
                "SELECT name FROM users WHERE name_key IS NULL ORDER BY created_at, rowid"
            ).fetchall():
                if fold_name(other) == fold_name(account.name):
                    key = fold_name(other)
                    self.db.execute("UPDATE users SET name_key = ? WHERE name = ?", [key, other])
                    break
            self._event(None, None, USER_REMOVED, account.name, None, None, actor)
        return account.name

    def set_password(self, name: str, password_hash: str, actor: str) -> str:
        """A new hash for the account `name` finds (self.account); its name as stored."""
        with self._write():
            account = self._account_named(name)
            self.db.execute(
                "UPDATE users SET password_hash = ?, changed_at = ? WHERE name = ?",
                [password_hash, now(), account.name],
            )
            self._end_sessions_of(account.name)
            self._event(None, None, PASSWORD_CHANGED, None, account.name, None, actor)
        return account.name

    def set_role(self, name: str, role: AccountRole, actor: str) -> tuple[str, bool]:
        """Give the account `name` finds this role: (its name as stored, whether it
        changed). A change ends its sessions, so the next sign-in has the new role."""
        role = check_role(role)
        with self._write():
            account = self._account_named(name)
            if account.role == role:
                return account.name, False
            self.db.execute(
                "UPDATE users SET role = ?, changed_at = ? WHERE name = ?",
                [role, now(), account.name],
            )
            self._end_sessions_of(account.name)
            reason = f"account {account.name}"
            self._event(None, None, ROLE_CHANGED, account.role, role, reason, actor)
        return account.name, True

    def account(self, name: str) -> Account | None:
        """The account of exactly this name, else the one whose name is the same but for
        case and look-alike characters (text.fold_name); None if neither."""
        from casereview.store.user_records import Account

        sql = "SELECT name, password_hash, role FROM users WHERE name = ?"
        row = self.conn.execute(sql, [name]).fetchone()
        if row is None:
            sql = "SELECT name, password_hash, role FROM users WHERE name_key = ?"
            row = self.conn.execute(sql, [fold_name(name)]).fetchone()
        return None if row is None else Account(str(row[0]), str(row[1]), check_role(row[2]))

    def _account_named(self, name: str) -> Account:
        account = self.account(name)
        if account is None:
            raise StoreError(f"there is no account named '{name}'")
        return account

    def exact_account(self, name: str) -> Account | None:
        """The account of exactly this name as it is now (None: no such account)."""
        from casereview.store.user_records import Account

        sql = "SELECT name, password_hash, role FROM users WHERE name = ?"
        row = self.conn.execute(sql, [name]).fetchone()
        return None if row is None else Account(str(row[0]), str(row[1]), check_role(row[2]))

    def password_hash(self, name: str) -> str | None:
        """The stored hash of the account of exactly this name (None: no such account)."""
        row = self.conn.execute("SELECT password_hash FROM users WHERE name = ?", [name])
        found = row.fetchone()
        return None if found is None else str(found[0])

    def record_sign_in(self, name: str, ok: bool, detail: str | None = None) -> None:
        """A sign-in, successful or not, in the trail (`detail`: where from, or why not)."""
        kind = SIGN_IN if ok else SIGN_IN_FAILED
        with self._write():
            self._event(None, None, kind, None, name[:64], detail, name[:64])

    def record_failed_sign_ins(self, counts: Sequence[tuple[str, int, str]]) -> None:
        """Failed sign-ins counted rather than recorded one by one, as (name, how many,
        detail): one trail entry each, the count in `new`."""
        if not counts:
            return
        with self._write():
            for name, n, detail in counts:
                self._event(None, None, SIGN_IN_FAILURES, None, str(n), detail, name[:64])

    def users(self) -> list[UserInfo]:
        from casereview.store.user_records import UserInfo

        rows = self.conn.execute(
            "SELECT u.name, u.created_by, u.created_at, u.changed_at,"
            " (SELECT max(at) FROM events e WHERE e.kind = ? AND e.new = u.name"
            "  AND e.review_id IS NULL AND e.audit_id IS NULL), u.name_key IS NULL, u.role"
            " FROM users u ORDER BY u.name",
            [SIGN_IN],
        ).fetchall()
        return [
            UserInfo(name, by, added, changed, last, bool(alike), check_role(role))
            for name, by, added, changed, last, alike, role in rows
        ]
