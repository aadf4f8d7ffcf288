"""What the store refuses, and why: one class per kind of refusal."""

from __future__ import annotations

from pathlib import Path

from casereview.core.problems import CasereviewError


class StoreError(CasereviewError):
    """A database file that cannot be used, or a request the data refuses; the message says why."""


class DatabaseUnavailable(StoreError):
    """The database is fine but cannot take this request now: busy, disk full, read-only, or
    an I/O error. Nothing was changed; saying "damaged" here would send people to a backup."""

    exit_status = 1


class ReadOnlyDatabase(DatabaseUnavailable):
    """A write asked of a database this process cannot write (file, folder or mount)."""

    def __init__(self, path: Path | None = None):
        where = f" {path}" if path else ""
        super().__init__(
            f"the database{where} is read-only (the file or its folder cannot be written); "
            "it can be listed, exported and reported on, but nothing can be changed in it"
        )


class CasesInPool(StoreError):
    """Cases being added that the pool already holds, as (force, case_ref) keys."""

    def __init__(self, keys: set[tuple[str, str]]):
        self.keys = keys
        super().__init__(f"{len(keys)} case(s) already in the pool")


class CaseClash(StoreError):
    """Cases being streamed into the pool that it already holds, or that the stream gave
    twice (look-alikes included): nothing was written, and which ones is not worked out."""

    def __init__(self) -> None:
        super().__init__("cases already in the pool, or given twice")


class DatabaseDamaged(StoreError):
    """SQLite found the file itself unreadable."""


class ReviewIncomplete(StoreError):
    """Completing a review while shown questions are unanswered."""

    def __init__(self, unanswered: list[str]):
        self.unanswered = unanswered
        listed = ", ".join(unanswered[:8]) + (" ..." if len(unanswered) > 8 else "")
        super().__init__(f"{len(unanswered)} shown question(s) unanswered: {listed}")


class ReviewLocked(StoreError):
    """Changing a completed review without reopening it."""


class NetworkFileSystem(ReadOnlyDatabase):
    """A database on a network share (NFS, SMB, sshfs ...): read, never written."""

    def __init__(self, path: Path | None, fstype: str):
        DatabaseUnavailable.__init__(
            self,
            f"the database {path} is on a network file system ({fstype}); SQLite cannot keep "
            "it safe there (its write-ahead log needs every program on one machine, and a "
            "shared drive corrupts it), so casereview only reads it. Keep the file on a local "
            "disk of one machine and let the team reach it with `casereview serve`",
        )
        self.fstype = fstype
