"""Sign-in for the served app: password checks, sessions, and the slowing of failures.

Pure bookkeeping with an injectable clock; the server (casereview.serve.server) asks it.
"""

from __future__ import annotations

import base64
import binascii
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from casereview.store.sign_ins import DEFAULT_ROLE, AccountRole

SESSION_SECONDS = 8 * 3600  # a working day; the cookie and the server forget it then
FAILURES_ALLOWED = 5  # wrong passwords for one name from one client ...
FAILURE_WINDOW = 60.0  # ... in this many seconds; more are refused unchecked until it passes
MAX_DELAY = 30.0  # the longest others' failures for a name make a client wait
CLIENT_FAILURES_ALLOWED = 20  # failures from one client, whatever the names, in the window
MAX_REMEMBERED = 4096  # names, and (name, client) pairs, whose failures are remembered
MAX_TALLIES = 20  # (name, client) pairs whose failures the trail is told of one by one
COOKIE = "casereview_session"
SIGNED_IN = "CASEREVIEW_SIGNED_IN"  # the session app's reviewer, set by the server only
# Failures for a name past FAILURES_ALLOWED that make the delay reach MAX_DELAY: no more
# of them are kept.
_NAME_FAILURES_KEPT = FAILURES_ALLOWED + math.ceil(math.log2(MAX_DELAY))


@dataclass
class Session:
    name: str
    password_hash: str  # the hash it signed in against: a new password ends the session
    expires: float
    signed_out: bool = False  # its cookie was signed out: the apps it opened end too
    role: AccountRole = DEFAULT_ROLE  # the account's role it signed in with: a new one ends it


class Throttle:
    """Failed sign-ins slow the client that made them, and others only a little.

    From one client, FAILURES_ALLOWED failures for a name within FAILURE_WINDOW seconds
    refuse that client's further tries at the name, unchecked, until the window has passed.
    Failures for a name from every client together make each client that has failed for it
    wait after its own last failure: 1, 2, 4 ... seconds per failure past FAILURES_ALLOWED,
    at most MAX_DELAY. A client that has not failed for the name is never made to wait, so a
    stranger's wrong passwords cannot lock a reviewer out. A client with
    CLIENT_FAILURES_ALLOWED failures in the window, whatever the names, is refused every
    name until the window has passed: trying many names (a spray, or a flood meant to push a
    lockout out of what is remembered) locks out only the client that does it. Names are to
    be account names (accounts.name_key) before they get here; at most MAX_REMEMBERED names,
    as many (name, client) pairs and as many clients are kept, those whose last failure is
    oldest dropped first (a client's own flood can no longer drop its own lockout: it is
    stopped after CLIENT_FAILURES_ALLOWED).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, limit: int = MAX_REMEMBERED):
        self.clock = clock
        self.limit = limit
        # failure times, oldest first; each table least recently failed first
        self._pairs: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
        self._names: OrderedDict[str, list[float]] = OrderedDict()
        self._clients: OrderedDict[str, list[float]] = OrderedDict()

    def __len__(self) -> int:
        self._prune()
        return len(self._pairs) + len(self._names) + len(self._clients)

    def _prune(self) -> None:
        cutoff = self.clock() - FAILURE_WINDOW
        for table in (self._pairs, self._names, self._clients):
            while table and (len(table) > self.limit or next(iter(table.values()))[-1] <= cutoff):
                table.popitem(last=False)

    def wait(self, name: str, client: str) -> float:
        """Seconds before `client` may try `name` again (0: now)."""
        self._prune()
        now = self.clock()
        cutoff = now - FAILURE_WINDOW
        theirs = [t for t in self._clients.get(client, ()) if t > cutoff]
        if len(theirs) >= CLIENT_FAILURES_ALLOWED:
            return max(1.0, theirs[0] + FAILURE_WINDOW - now)
        mine = [t for t in self._pairs.get((name, client), ()) if t > cutoff]
        if not mine:
            return 0.0
        if len(mine) >= FAILURES_ALLOWED:
            return max(1.0, mine[0] + FAILURE_WINDOW - now)
        everyone = sum(1 for t in self._names.get(name, ()) if t > cutoff)
        if everyone < FAILURES_ALLOWED:
            return 0.0
        delay = min(MAX_DELAY, 2.0 ** (everyone - FAILURES_ALLOWED))
        return max(0.0, mine[-1] + delay - now)

    def failed(self, name: str, client: str) -> None:
        now = self.clock()  # (each entry put back last: the most recently failed)
        pair = self._pairs.pop((name, client), [])
        self._pairs[name, client] = (pair + [now])[-FAILURES_ALLOWED:]
        everyone = self._names.pop(name, [])
        self._names[name] = (everyone + [now])[-_NAME_FAILURES_KEPT:]
        theirs = self._clients.pop(client, [])
        self._clients[client] = (theirs + [now])[-CLIENT_FAILURES_ALLOWED:]
        self._prune()

    def succeeded(self, name: str, client: str) -> None:
        self._pairs.pop((name, client), None)


@dataclass
class Tally:
    """Failed sign-ins of one name from one client that the trail has yet to be told of."""

    name: str  # as the trail records it
    client: str
    started: float
    more: int = 0  # failures after the first of the window (which is recorded at once)


class FailureTally:
    """What the trail is told of failed sign-ins, so a flood of them adds few rows: the first
    failure of a (name, client) in FAILURE_WINDOW seconds is recorded at once, the rest as
    one count once the window has passed. Past MAX_TALLIES pairs in a window, failures are
    only counted, all in one row (name OVERFLOW)."""

    OVERFLOW = "(many names)"

    def __init__(self, clock: Callable[[], float] = time.monotonic, limit: int = MAX_TALLIES):
        self.clock = clock
        self.limit = limit
        self._open: dict[tuple[str, str], Tally] = {}  # oldest first
        self._overflow: Tally | None = None
        self._due: list[Tally] = []

    def failed(self, key: str, name: str, client: str) -> bool:
        """Count a failure of `name` (compared by `key`); True: record this one now."""
        self._close()
        tally = self._open.get((key, client))
        if tally is not None:
            tally.more += 1
            return False
        if len(self._open) < self.limit:
            self._open[key, client] = Tally(name, client, self.clock())
            return True
        if self._overflow is None:
            self._overflow = Tally(self.OVERFLOW, "many clients", self.clock())
        self._overflow.more += 1
        return False

    def take(self, everything: bool = False) -> list[Tally]:
        """The counts to record now: windows that have passed (every window: at the end)."""
        self._close(everything)
        due, self._due = self._due, []
        return due

    def discard(self, key: str, client: str) -> None:
        """Forget a pair's window whose first failure could not be recorded."""
        self._open.pop((key, client), None)

    def put_back(self, due: list[Tally]) -> None:
        """Counts taken but not recorded (the database refused): to be taken again."""
        self._due[:0] = due

    def _close(self, everything: bool = False) -> None:
        cutoff = self.clock() - FAILURE_WINDOW
        while self._open:
            key, tally = next(iter(self._open.items()))
            if tally.started > cutoff and not everything:
                break
            del self._open[key]
            if tally.more:
                self._due.append(tally)
        if self._overflow is not None and (everything or self._overflow.started <= cutoff):
            self._due.append(self._overflow)
            self._overflow = None


def counted(due: list[Tally]) -> list[tuple[str, int, str]]:
    """(name, count, detail) of failed sign-ins counted but not yet in the trail."""
    return [
        (
            t.name,
            t.more,
            f"{t.more} failed sign-ins from names and clients not told apart (more than "
            f"{MAX_TALLIES} at once)"
            if t.name == FailureTally.OVERFLOW
            else f"{t.more} more wrong names or passwords from {t.client} within "
            f"{FAILURE_WINDOW:g} s of the first",
        )
        for t in due
    ]


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
