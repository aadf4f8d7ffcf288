"""Signed-in sessions for the served app: browsers' cookies, kept in the database (hashed,
store/sign_ins.py) so a restarted server still knows them, and HTTP Basic credentials already
checked, kept in memory only (a script's every request does not cost an argon2 check and a
trail entry; after a restart it is checked once again).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable

from casereview.serve.auth import SESSION_SECONDS, Session
from casereview.store import StoreError
from casereview.store.sign_ins import AccountRole, SignInStore, token_hash

log = logging.getLogger("casereview.serve")


class Sessions:
    """Signed-in browsers by cookie token (in the store), and Basic credentials (here)."""

    def __init__(
        self,
        store: SignInStore,
        clock: Callable[[], float] = time.time,
        seconds: int = SESSION_SECONDS,
    ):
        self.store = store
        self.clock = clock
        self.seconds = seconds
        # The cookie sessions this server has seen, by token hash: one Session object per
        # sign-in, shared with the apps it opened (signing out marks it, and they end).
        self._seen: dict[str, Session] = {}
        self._basic: dict[bytes, Session] = {}
        self._key = secrets.token_bytes(32)

    def start(self, name: str, password_hash: str, role: AccountRole) -> str:
        """A new session's cookie token (raises StoreError when it cannot be kept)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        expires = now + self.seconds
        self.store.start_session(token, name, expires, now)
        self._seen = {k: s for k, s in self._seen.items() if s.expires > now}
        self._seen[token_hash(token)] = Session(name, password_hash, expires, role=role)
        return token

    def get(self, token: str | None) -> Session | None:
        """The unexpired session of this cookie token, whose account is still there with
        the password and role it signed in with (the store drops it when they change)."""
        if not token:
            return None
        key = token_hash(token)
        stored = self.store.stored_session(token, self.clock())
        if stored is None:
            self._seen.pop(key, None)
            return None
        session = self._seen.get(key)
        if session is None:  # signed in before this server started
            session = Session(stored.name, stored.password_hash, stored.expires, role=stored.role)
            self._seen[key] = session
        return session

    def end(self, token: str | None) -> None:
        """Sign this cookie out: the session is dropped and the apps it opened end."""
        if not token:
            return
        session = self._seen.pop(token_hash(token), None)
        if session is not None:
            session.signed_out = True
        try:
            self.store.end_session(token)
        except StoreError as exc:  # refused at its next use anyway once it has expired
            log.error("a signed-out session is still in the database: %s", exc)

    def _basic_key(self, name: str, password: str) -> bytes:
        return hmac.new(self._key, f"{name}\0{password}".encode(), hashlib.sha256).digest()

    def basic(self, name: str, password: str) -> Session | None:
        key = self._basic_key(name, password)
        session = self._basic.get(key)
        if session is not None and session.expires <= self.clock():
            del self._basic[key]
            return None
        return session

    def forget_basic(self, name: str, password: str) -> None:
        self._basic.pop(self._basic_key(name, password), None)

    def remember_basic(
        self, typed: str, password: str, name: str, password_hash: str, role: AccountRole
    ) -> None:
        """`typed` and `password` (as sent) are the account `name`'s, as of `password_hash`."""
        session = Session(name, password_hash, self.clock() + self.seconds, role=role)
        self._basic[self._basic_key(typed, password)] = session
