"""The only package that talks SQL: a small API over one SQLite file, through sqlite-utils.

`Store` is the whole of it, built in layers, each file one part: the connection (opening,
the write transaction, the trail's append), checklists and the case pool, audits and
assignment, reviews and answers, then the trail and what scoring reads. Records and errors
are their own modules, so a screen that shows a `Case` imports no SQL.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

# Where each name lives. The package imports none of them until one is asked for (PEP 562):
# `from casereview.store.errors import StoreError` then costs the errors module alone, and a
# command that never opens the database never loads the store (issue 32: the headless start).
_HOMES = {
    "BUSY_TIMEOUT_MS": "connection",
    "explain": "connection",
    "make_private_dirs": "connection",
    "Store": "trail",
    **dict.fromkeys(
        (
            "CaseClash",
            "CasesInPool",
            "DatabaseDamaged",
            "DatabaseUnavailable",
            "NetworkFileSystem",
            "ReadOnlyDatabase",
            "ReviewIncomplete",
            "ReviewLocked",
            "StoreError",
        ),
        "errors",
    ),
    **dict.fromkeys(
        (
            "Answer",
            "AuditCase",
            "AuditInfo",
            "Case",
            "ChecklistInfo",
            "Event",
            "EventRead",
            "Review",
            "ReviewAnswers",
            "now",
        ),
        "records",
    ),
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # asked once
    return value


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
