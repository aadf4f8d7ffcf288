"""What accounts read as (store/users.py builds them). Their own module, loaded when an account
is read, so a command that never reads one does not build these classes; NamedTuples, a
quarter of a frozen dataclass's cost to build, since the app's start reads one (issue 32)."""

from __future__ import annotations

from typing import NamedTuple

from casereview.store.sign_ins import DEFAULT_ROLE, AccountRole


class Account(NamedTuple):
    name: str  # as stored: the reviewer name its sessions review under
    password_hash: str
    role: AccountRole = DEFAULT_ROLE


class UserInfo(NamedTuple):
    name: str
    created_by: str
    created_at: str
    changed_at: str
    last_sign_in: str | None
    exact_name_only: bool = False  # a look-alike of an older account's name (m012)
    role: AccountRole = DEFAULT_ROLE
