"""What accounts read as (store/users.py builds them). Their own module, loaded when an account
is read, so a command that never reads one does not build these classes (issue 32: the
start)."""

from __future__ import annotations

from dataclasses import dataclass

from casereview.store.sign_ins import DEFAULT_ROLE, AccountRole


@dataclass(frozen=True)
class Account:
    name: str  # as stored: the reviewer name its sessions review under
    password_hash: str
    role: AccountRole = DEFAULT_ROLE


@dataclass(frozen=True)
class UserInfo:
    name: str
    created_by: str
    created_at: str
    changed_at: str
    last_sign_in: str | None
    exact_name_only: bool = False  # a look-alike of an older account's name (m012)
    role: AccountRole = DEFAULT_ROLE
