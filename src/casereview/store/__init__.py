"""The only package that talks SQL: a small API over one SQLite file, through sqlite-utils.

`Store` is the whole of it, built in layers, each file one part: the connection (opening,
the write transaction, the trail's append), checklists and the case pool, audits and
assignment, reviews and answers, then the trail and what scoring reads. Records and errors
are their own modules, so a screen that shows a `Case` imports no SQL.
"""

from casereview.store.connection import BUSY_TIMEOUT_MS, explain, make_private_dirs
from casereview.store.errors import (
    CaseClash,
    CasesInPool,
    DatabaseDamaged,
    DatabaseUnavailable,
    NetworkFileSystem,
    ReadOnlyDatabase,
    ReviewIncomplete,
    ReviewLocked,
    StoreError,
)
from casereview.store.records import (
    Answer,
    AuditCase,
    AuditInfo,
    Case,
    ChecklistInfo,
    Event,
    EventRead,
    Review,
    ReviewAnswers,
    now,
)
from casereview.store.trail import Store

__all__ = [
    "BUSY_TIMEOUT_MS",
    "Answer",
    "AuditCase",
    "AuditInfo",
    "Case",
    "CaseClash",
    "CasesInPool",
    "ChecklistInfo",
    "DatabaseDamaged",
    "DatabaseUnavailable",
    "Event",
    "EventRead",
    "NetworkFileSystem",
    "ReadOnlyDatabase",
    "Review",
    "ReviewAnswers",
    "ReviewIncomplete",
    "ReviewLocked",
    "Store",
    "StoreError",
    "explain",
    "make_private_dirs",
    "now",
]
