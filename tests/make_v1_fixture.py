"""Build tests/fixtures/v1.db: a database written by the first schema (m001_initial).

Run once, from the repository root, and commit the result:

    .venv/bin/python tests/make_v1_fixture.py

The file stands for a user's database from the first release, so later versions must open it,
migrate it forward and lose nothing (tests/unit/store/test_migrations.py). Do not rebuild it
after a new migration is added: it must stay a first-schema file. The clock is fixed, so the content
(but not the SQLite page layout) is the same on every run.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from sqlite_utils.migrations import Migrations  # noqa: E402

from casereview.io.imports.cases import read_case_file  # noqa: E402
from casereview.store import (  # noqa: E402
    Store,  # noqa: E402
    audits,
    connection,
    pool,
    reviews,
    trail,
)
from casereview.store import migrations as migrations_module  # noqa: E402

FIXTURES = HERE / "fixtures"
MINI = FIXTURES / "mini.yaml"
CASES = FIXTURES / "cases.csv"
OUT = FIXTURES / "v1.db"
START = datetime(2024, 6, 3, 9, 0, tzinfo=timezone.utc)


class Clock:
    """Stands in for store.now(): one minute later on every call."""

    def __init__(self) -> None:
        self.ticks = 0

    def __call__(self) -> str:
        stamp = START + timedelta(minutes=self.ticks)
        self.ticks += 1
        return stamp.isoformat(timespec="milliseconds")


def first_schema_only() -> Migrations:
    """The migration set as the first release shipped it: m001_initial alone."""
    first = Migrations("casereview")
    first()(migrations_module.m001_initial)
    return first


def build(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    layers = (connection, pool, audits, reviews, trail)  # each imports now() by name
    real_now, real_known = connection.now, list(migrations_module.KNOWN)
    clock = Clock()
    for layer in layers:
        layer.now = clock  # type: ignore[attr-defined]
    # the first release knew one step: opening applies it alone
    migrations_module.KNOWN[:] = ["m001_initial"]
    migrations_module.migration_set.cache_clear()
    real_set = migrations_module.migration_set
    migrations_module.migration_set = first_schema_only  # type: ignore[assignment]
    try:
        store = Store.open(path)
        try:
            fill(store)
        finally:
            store.close()
    finally:
        for layer in layers:
            layer.now = real_now  # type: ignore[attr-defined]
        migrations_module.KNOWN[:] = real_known
        migrations_module.migration_set = real_set
    conn = sqlite3.connect(path)  # fold the WAL into the file so one file is the fixture
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    conn.close()
    assert applied == ["m001_initial"], applied


def fill(store: Store) -> None:
    """seed_store's content, then a completed review and an in-progress one with notes.

    Only store methods whose SQL the first schema supports may be used here; if one stops
    working on a first-schema file, that is worth knowing (old files are opened, then
    migrated, before anything is written, so it is not a bug in itself).
    """
    info = store.add_checklist(MINI.read_text(encoding="utf-8"), "tests/fixtures/mini.yaml")
    store.insert_case_rows(read_case_file(CASES).rows)
    ids = {(c.force, c.case_ref): c.id for c in store.cases()}
    audit = store.create_audit(
        "Test audit",
        info.pk,
        list(ids.values()),
        created_by="tester",
        seed=1,
        scope={"sample": 6, "pool": 6, "where": {}, "reviewers": ["ann", "bob"]},
        strata={ids[("Testshire", "T/1")]: "Testshire", ids[("Otherton", "T/5")]: "Otherton"},
        assignments={ids[("Testshire", "T/1")]: "ann", ids[("Testshire", "T/2")]: "bob"},
    )

    # Completed, reopened with a reason, changed and completed again.
    done = store.open_review(audit.id, ids[("Testshire", "T/1")], "ann")
    store.set_answer(done.id, "REC-01", "no", "ann")
    store.set_answer(done.id, "REC-03", "yes", "ann")
    store.set_note(done.id, "REC-03", "Linked to the 2023 report, ref 23/998", "ann")
    store.set_answer(done.id, "SPO-01", "no", "ann")
    store.set_answer(done.id, "SPO-03", "no", "ann")
    store.complete_review(done.id, "ann")
    store.reopen_review(done.id, "moderator", "SPO-01 was applied for; see the MG3")
    store.set_answer(done.id, "SPO-01", "yes", "moderator")  # clears SPO-03
    store.set_answer(done.id, "SPO-02", "partly", "moderator")
    store.complete_review(done.id, "moderator")

    # In progress: skip logic hides and shows REC-02 again; notes with awkward text.
    going = store.open_review(audit.id, ids[("Testshire", "T/2")], "bob")
    store.set_answer(going.id, "REC-01", "yes", "bob")
    store.set_answer(going.id, "REC-02", "partly", "bob")
    store.set_answer(going.id, "REC-01", "no", "bob")  # clears REC-02
    store.set_answer(going.id, "REC-01", "yes", "bob")
    store.set_answer(going.id, "REC-02", "yes", "bob")
    store.set_note(going.id, "REC-02", '=HYPERLINK("x") first crimed as s2, then s2A', "bob")
    store.set_note(going.id, "SPO-01", "Ask the OIC:\nno SPO paperwork, café notes only", "bob")
    store.set_position(going.id, "REC-03")


if __name__ == "__main__":
    build(OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
