"""Accounts managed from the app: an admin adds and removes accounts and resets passwords;
every signed-in reviewer changes their own password (giving the old one first).

The rules are here, below the screens, so no screen can skip them: who acts is looked up in
the database as it is now (not as the session started), passwords are checked and hashed by
serve.accounts, and the store writes each change with its trail entry and ends the account's
sessions (so the server ends their open apps within a second or two).
"""

from __future__ import annotations

from casereview.serve.accounts import AccountError, check_name, hash_password, verify
from casereview.store import Store
from casereview.store.sign_ins import ACCOUNT_ROLES, AccountRole
from casereview.store.user_records import Account


def _admin(store: Store, actor: str) -> Account:
    account = store.exact_account(actor)
    if account is None or account.role != "admin":
        raise AccountError(f"{actor} is not an admin: only an admin manages accounts")
    return account


def is_admin(store: Store, actor: str) -> bool:
    account = store.exact_account(actor)
    return account is not None and account.role == "admin"


def add_account(store: Store, actor: str, name: str, password: str, role: str) -> str:
    """Add an account as `actor` (an admin); its name."""
    _admin(store, actor)
    check_name(name)
    chosen = next((r for r in ACCOUNT_ROLES if r == role.strip().lower()), None)
    if chosen is None:
        raise AccountError(f"'{role}' is not a role: use one of {', '.join(ACCOUNT_ROLES)}")
    store.add_user(name, hash_password(password), actor, chosen)
    return name


def remove_account(store: Store, actor: str, name: str) -> str:
    """Remove an account as `actor` (an admin; never their own: the app would lock its last
    admin out); its name as stored. Its sessions end."""
    _admin(store, actor)
    account = store.account(name)
    if account is None:
        raise AccountError(f"there is no account named '{name}'")
    if account.name == actor:
        raise AccountError("you cannot remove your own account from the app")
    return store.remove_user(account.name, actor)


def reset_password(store: Store, actor: str, name: str, password: str) -> str:
    """A new password for an account, set by `actor` (an admin); its sessions end."""
    _admin(store, actor)
    if store.account(name) is None:
        raise AccountError(f"there is no account named '{name}'")
    return store.set_password(name, hash_password(password), actor)


def change_own_password(store: Store, actor: str, old: str, new: str) -> None:
    """`actor`'s own new password, given the old one; their sessions end (sign in again)."""
    account = store.exact_account(actor)
    if account is None:
        raise AccountError(f"{actor} has no account here to change the password of")
    if not verify(account.password_hash, old):
        raise AccountError("the current password is wrong; nothing was changed")
    if new == old:
        raise AccountError("the new password is the same as the current one")
    store.set_password(account.name, hash_password(new), actor)


def role_of(store: Store, name: str) -> AccountRole | None:
    account = store.exact_account(name)
    return None if account is None else account.role
