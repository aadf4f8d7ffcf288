"""Sign-in for the served app: password checks, sessions, and the slowing of failures.

Pure bookkeeping with an injectable clock; the server (casereview.serve.server) asks it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

SESSION_SECONDS = 8 * 3600  # a working day; the cookie and the server forget it then
FAILURES_ALLOWED = 5  # wrong passwords for one name ...
FAILURE_WINDOW = 60.0  # ... in this many seconds; more are refused unchecked until it passes
COOKIE = "casereview_session"
SIGNED_IN = "CASEREVIEW_SIGNED_IN"  # the session app's reviewer, set by the server only


@dataclass
class Session:
    name: str
    password_hash: str  # the hash it signed in against: a new password ends the session
    expires: float


class Throttle:
    """At most FAILURES_ALLOWED failed sign-ins per name per FAILURE_WINDOW seconds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, name: str) -> deque[float]:
        failures = self._failures.setdefault(name, deque())
        cutoff = self.clock() - FAILURE_WINDOW
        while failures and failures[0] <= cutoff:
            failures.popleft()
        return failures

    def wait(self, name: str) -> float:
        """Seconds before `name` may try again (0: now)."""
        failures = self._recent(name)
        if len(failures) < FAILURES_ALLOWED:
            if not failures:
                self._failures.pop(name, None)
            return 0.0
        return max(1.0, failures[0] + FAILURE_WINDOW - self.clock())

    def failed(self, name: str) -> None:
        self._recent(name).append(self.clock())

    def succeeded(self, name: str) -> None:
        self._failures.pop(name, None)


class Sessions:
    """Signed-in browsers by cookie token, and HTTP Basic credentials already checked (so a
    script's every request does not cost an argon2 check and a trail entry)."""

    def __init__(self, clock: Callable[[], float] = time.time, seconds: int = SESSION_SECONDS):
        self.clock = clock
        self.seconds = seconds
        self._by_token: dict[str, Session] = {}
        self._basic: dict[bytes, Session] = {}
        self._key = secrets.token_bytes(32)

    def start(self, name: str, password_hash: str) -> str:
        token = secrets.token_urlsafe(32)
        self._by_token[token] = Session(name, password_hash, self.clock() + self.seconds)
        return token

    def get(self, token: str | None) -> Session | None:
        session = self._by_token.get(token or "")
        if session is not None and session.expires <= self.clock():
            del self._by_token[token or ""]
            return None
        return session

    def end(self, token: str | None) -> None:
        self._by_token.pop(token or "", None)

    def _basic_key(self, name: str, password: str) -> bytes:
        return hmac.new(self._key, f"{name}\0{password}".encode(), hashlib.sha256).digest()

    def basic(self, name: str, password: str) -> Session | None:
        key = self._basic_key(name, password)
        session = self._basic.get(key)
        if session is not None and session.expires <= self.clock():
            del self._basic[key]
            return None
        return session

    def remember_basic(self, name: str, password: str, password_hash: str) -> Session:
        session = Session(name, password_hash, self.clock() + self.seconds)
        self._basic[self._basic_key(name, password)] = session
        return session


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """(name, password) from an `Authorization: Basic ...` header, or None."""
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, sep, password = decoded.partition(":")
    return (name, password) if sep else None
