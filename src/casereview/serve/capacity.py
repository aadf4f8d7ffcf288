"""How many reviewers' sessions one host holds, and how many sign-ins are checked at once.

Each served session is an app process of its own (one per browser tab, forked from the
session template: serve.launcher), measured at about 59 MB resident and 37 MB of its own
(proportional set) on the demo database with 40 sessions open (docs/benchmarks.md, "Team
server capacity"); SESSION_BYTES allows for a bigger audit. The cap is sized from the
memory the host has free when the server starts, keeping KEEP_BYTES for the server, SQLite's
page cache and the system, so a server on a 16 GB host is not held to what suits a 2 GB
one. `serve --max-sessions` overrides it.

A sign-in's password check is argon2id at 64 MiB and three passes: forty at once took 9 s on
two cores and 2.5 GB. They run in threads, at most one per core (SIGN_INS_AT_ONCE), and the
others wait their turn, so a burst of sign-ins slows sign-in, never the sessions' answers.
"""

from __future__ import annotations

import os
from pathlib import Path

MIB = 1024 * 1024
SESSION_BYTES = 64 * MIB
KEEP_BYTES = 512 * MIB
MIN_SESSIONS = 4  # even on a small host, a few reviewers
MAX_SESSIONS = 1000  # beyond this a host runs out of process slots and file handles first
UNKNOWN_MEMORY_SESSIONS = 64  # where the free memory cannot be read
SESSIONS_EACH = 8  # one reviewer's tabs at once


def available_memory(meminfo: Path = Path("/proc/meminfo")) -> int | None:
    """The bytes the kernel says can be given to new processes (MemAvailable), else None."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024  # kB
    except (OSError, ValueError, IndexError):
        return None
    return None


def sessions_for(memory: int | None) -> int:
    """The sessions `memory` bytes hold: one per SESSION_BYTES after KEEP_BYTES, within
    [MIN_SESSIONS, MAX_SESSIONS]."""
    if memory is None:
        return UNKNOWN_MEMORY_SESSIONS
    return max(MIN_SESSIONS, min(MAX_SESSIONS, (memory - KEEP_BYTES) // SESSION_BYTES))


def sign_ins_at_once(cpus: int | None = None) -> int:
    """Password checks run at once: one per core."""
    return max(1, cpus if cpus is not None else (os.cpu_count() or 1))


def full_message(open_now: int, limit: int) -> str:
    return (
        f"This server already has {open_now} sessions open, as many as it is set to hold "
        f"({limit}: casereview serve --max-sessions). Close a casereview tab you no longer "
        "need, or try again in a few minutes; nothing you saved is lost."
    )


def yours_full_message(limit: int) -> str:
    return (
        f"You already have {limit} casereview sessions open in other tabs or browsers, the "
        "most one reviewer may. Close one of them, then reload this page."
    )
