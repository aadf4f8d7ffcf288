"""Reviewers' accounts for `casereview serve`: what a name may be, and the password hash.

Passwords are kept only as argon2id hashes (argon2-cffi's defaults: 64 MiB, 3 passes, a
random salt per hash, all recorded in the hash string itself). Nothing here touches the
database: the store keeps the hashes, this module makes and checks them.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from casereview.core.problems import CasereviewError
from casereview.core.text import fold_name

MAX_NAME = 64
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD = 8
_HASHER = PasswordHasher()
# Checked against when the name has no account, so a wrong name costs as long as a wrong
# password and the time taken does not tell which names exist.
_DUMMY = _HASHER.hash("not a password of anyone's")


class AccountError(CasereviewError):
    """A name or password that cannot be used for an account."""


def check_name(name: str) -> str:
    """The name, if it can be an account (and so a reviewer's name on reviews and the trail)."""
    if not NAME_RE.fullmatch(name):
        raise AccountError(
            f"'{name}' cannot be an account name: use 1 to 64 letters, digits, '.', '_', "
            "'@' or '-', starting with a letter or digit"
        )
    return name


def name_key(typed: str) -> str | None:
    """What a typed name is compared with accounts by (text.fold_name: case and look-alikes
    alike), or None when no account could have that name. Text longer than any name is not
    even folded."""
    if len(typed) > MAX_NAME:
        return None
    key = fold_name(typed)
    return key if NAME_RE.fullmatch(key) else None


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if password != password.strip() or "\n" in password or "\r" in password:
        raise AccountError("a password cannot start or end with spaces or hold a line break")
    return password


def hash_password(password: str) -> str:
    return _HASHER.hash(check_password(password))


def verify(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches the hash (None: no such account, still takes the time)."""
    try:
        return _HASHER.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
