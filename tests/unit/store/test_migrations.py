"""Old, newer, corrupt and foreign database files.

tests/fixtures/v1.db was written by the first schema (tests/make_v1_fixture.py); every later
casereview must open it, migrate it forward and lose nothing. Files casereview cannot use are
refused with a StoreError (exit 2 on the command line) and left exactly as they were.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.io.imports.cases import read_case_file
from casereview.store import Store, StoreError
from casereview.store.migrations import KNOWN, applied_steps, migration_set
from tests.factories import CASES, FIXTURES

V1 = FIXTURES / "v1.db"
MINI_HASH = "38badf51d55f78cc3e1de9e84a27e0042e50efc2e3f955292c249c32d63c8aa4"


def at(minute: int) -> str:
    """The fixture's fixed clock: 09:00 on 3 June 2024, one minute per tick."""
    return f"2024-06-03T{9 + minute // 60:02d}:{minute % 60:02d}:00.000+00:00"


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    path = tmp_path / "v1.db"
    shutil.copyfile(V1, path)
    return path


def applied(store: Store) -> list[str]:
    """The steps the file records, as sqlite-utils reads them; the store's own read (which
    opening uses, without importing sqlite-utils) must say the same."""
    names = [m.name for m in migration_set().applied(store.db)]
    assert applied_steps(store.conn) == names
    return names


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder(path: Path) -> dict[str, str]:
    """Every file next to `path` (so stray -wal/-shm files show up) with a digest of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in path.parent.iterdir()}


# --------------------------------------------------------------------- the first-schema file


def test_fixture_is_a_first_schema_file() -> None:
    conn = sqlite3.connect(f"file:{V1}?immutable=1", uri=True)
    try:
        steps = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert steps == ["m001_initial"] == KNOWN[:1]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_v1_opens_migrated_with_every_step(v1: Path) -> None:
    store = Store.open(v1)
    try:
        assert applied(store) == KNOWN
        assert store.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        store.close()
    store = Store.open(v1)  # a second opening changes nothing
    try:
        assert applied(store) == KNOWN
        assert store.count_cases() == 6
    finally:
        store.close()


def test_v1_keeps_checklist_cases_and_audit(v1: Path) -> None:
    store = Store.open(v1)
    try:
        [info] = store.checklists()
        assert (info.checklist_id, info.version, info.title) == (
            "mini",
            "1",
            "Mini checklist for tests",
        )
        assert (info.content_hash, info.source, info.n_audits) == (
            MINI_HASH,
            "tests/fixtures/mini.yaml",
            1,
        )
        assert [q.id for q in store.checklist(info.pk).questions] == [
            "REC-01",
            "REC-02",
            "REC-03",
            "SPO-01",
            "SPO-02",
            "SPO-03",
        ]

        expected = {(c["force"], c["case_ref"]): c for c in read_case_file(CASES).cases}
        stored = {(c.force, c.case_ref): c for c in store.cases()}
        assert set(stored) == set(expected)
        for key, case in stored.items():
            want = expected[key]
            for col in ("team", "offence", "reported_at", "recorded_at", "outcome", "officer"):
                assert getattr(case, col) == want[col], (key, col)
            assert (case.da_related, case.repeat_victim) == (
                want["da_related"],
                want["repeat_victim"],
            )
            assert (case.summary, case.extra) == (want["summary"], want["extra"])
        assert stored[("Testshire", "T/3")].summary == "=cmd|' /C calc'!A0"

        [audit] = store.audits()
        assert (audit.name, audit.checklist_label, audit.seed, audit.created_by) == (
            "Test audit",
            "mini@1",
            1,
            "tester",
        )
        assert audit.scope == {"pool": 6, "reviewers": ["ann", "bob"], "sample": 6, "where": {}}
        assert audit.created_at == at(2)
        assert (audit.n_cases, audit.n_complete, audit.n_in_progress) == (6, 1, 1)
        assert store.audit_checklist(audit.id).id == "mini"

        sample = [
            (ac.position, ac.case.force, ac.case.case_ref, ac.stratum, ac.assigned_to)
            for ac in store.audit_cases(audit.id)
        ]
        assert sample == [
            (0, "Otherton", "T/1", None, None),
            (1, "Otherton", "T/5", "Otherton", None),
            (2, "Testshire", "T/1", "Testshire", "ann"),
            (3, "Testshire", "T/2", None, "bob"),
            (4, "Testshire", "T/3", None, None),
            (5, "Testshire", "T/4", None, None),
        ]
        states = [(ac.reviewer, ac.status, ac.n_answered) for ac in store.audit_cases(audit.id)]
        assert states[2:4] == [("ann", "complete", 4), ("bob", "in_progress", 2)]
    finally:
        store.close()


def test_v1_keeps_reviews_answers_and_the_trail(v1: Path) -> None:
    store = Store.open(v1)
    try:
        audit = store.audit_named("Test audit")
        ids = {(c.force, c.case_ref): c.id for c in store.cases()}
        [done] = store.reviews_of_case(audit.id, ids[("Testshire", "T/1")])
        [going] = store.reviews_of_case(audit.id, ids[("Testshire", "T/2")])
        assert (done.role, done.reviewer, done.status, done.completed_at) == (
            "primary",
            "ann",
            "complete",
            at(25),
        )
        assert (going.role, going.reviewer, going.status, going.completed_at) == (
            "primary",
            "bob",
            "in_progress",
            None,
        )
        assert going.current_question == "REC-03"  # where bob stopped

        def answers(review_id: int) -> dict[str, tuple[str | None, str, str, str]]:
            return {
                q: (a.value, a.note, a.updated_by, a.updated_at)
                for q, a in store.answers(review_id).items()
            }

        assert answers(done.id) == {
            "REC-01": ("no", "", "ann", at(6)),
            "REC-03": ("yes", "Linked to the 2023 report, ref 23/998", "ann", at(10)),
            "SPO-01": ("yes", "", "moderator", at(20)),
            "SPO-02": ("partly", "", "moderator", at(23)),
            "SPO-03": (None, "", "moderator", at(20)),
        }
        assert answers(going.id) == {
            "REC-01": ("yes", "", "bob", at(36)),
            "REC-02": ("yes", '=HYPERLINK("x") first crimed as s2, then s2A', "bob", at(40)),
            "SPO-01": (None, "Ask the OIC:\nno SPO paperwork, café notes only", "bob", at(42)),
        }

        trail = [
            (e.id, e.review_id, e.question_id, e.kind, e.old, e.new, e.reason, e.actor, e.at)
            for e in store.events()
        ]
        d, g = done.id, going.id
        hidden = "hidden by skip logic"
        assert trail == [
            (1, None, None, "audit_created", None, "Test audit", None, "tester", at(3)),
            (2, d, None, "review_started", None, "primary", None, "ann", at(5)),
            (3, d, "REC-01", "answer", None, "no", None, "ann", at(7)),
            (4, d, "REC-03", "answer", None, "yes", None, "ann", at(9)),
            (5, d, "REC-03", "note", None, "Linked to the 2023 report, ref 23/998", None, "ann",
             at(11)),
            (6, d, "SPO-01", "answer", None, "no", None, "ann", at(13)),
            (7, d, "SPO-03", "answer", None, "no", None, "ann", at(15)),
            (8, d, None, "status", "in_progress", "complete", None, "ann", at(17)),
            (9, d, None, "status", "complete", "in_progress", "SPO-01 was applied for; see the MG3",
             "moderator", at(19)),
            (10, d, "SPO-01", "answer", "no", "yes", None, "moderator", at(21)),
            (11, d, "SPO-03", "answer", "no", None, f"{hidden} (SPO-01)", "moderator", at(22)),
            (12, d, "SPO-02", "answer", None, "partly", None, "moderator", at(24)),
            (13, d, None, "status", "in_progress", "complete", None, "moderator", at(26)),
            (14, g, None, "review_started", None, "primary", None, "bob", at(28)),
            (15, g, "REC-01", "answer", None, "yes", None, "bob", at(30)),
            (16, g, "REC-02", "answer", None, "partly", None, "bob", at(32)),
            (17, g, "REC-01", "answer", "yes", "no", None, "bob", at(34)),
            (18, g, "REC-02", "answer", "partly", None, f"{hidden} (REC-01)", "bob", at(35)),
            (19, g, "REC-01", "answer", "no", "yes", None, "bob", at(37)),
            (20, g, "REC-02", "answer", None, "yes", None, "bob", at(39)),
            (21, g, "REC-02", "note", None, '=HYPERLINK("x") first crimed as s2, then s2A', None,
             "bob", at(41)),
            (22, g, "SPO-01", "note", None, "Ask the OIC:\nno SPO paperwork, café notes only",
             None, "bob", at(43)),
        ]  # fmt: skip
        assert [e.id for e in store.events(review_id=d)] == list(range(2, 14))
    finally:
        store.close()


def test_v1_after_migration_takes_new_work(v1: Path) -> None:
    """Migrated, the old review carries on: answers are saved, the trail still append-only."""
    store = Store.open(v1)
    try:
        audit = store.audit_named("Test audit")
        ids = {(c.force, c.case_ref): c.id for c in store.cases()}
        [going] = store.reviews_of_case(audit.id, ids[("Testshire", "T/2")])
        store.set_answer(going.id, "REC-03", "no", "bob")
        store.set_answer(going.id, "SPO-01", "na", "bob")
        store.complete_review(going.id, "bob")
        assert store.review(going.id).status == "complete"
        assert len(store.events()) == 25
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            store.db.execute("DELETE FROM events WHERE id = 1")
    finally:
        store.close()
    store = Store.open(v1)
    try:
        assert store.answer_values(going.id)["SPO-01"] == "na"
        assert store.answers(going.id)["SPO-01"].note.startswith("Ask the OIC")
    finally:
        store.close()


# --------------------------------------------------------------------- files it must refuse


def newer(tmp_path: Path) -> Path:
    """The fixture as a newer casereview left it: a schema step this version never heard of."""
    path = tmp_path / "newer.db"
    shutil.copyfile(V1, path)
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('casereview', 'm999_from_the_future', '2031-01-01 00:00:00+00:00')"
    )
    conn.commit()
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.db"]
    return path


def test_newer_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = newer(tmp_path)
    before = digest(path)
    with pytest.raises(StoreError, match="newer casereview") as caught:
        Store.open(path)
    assert "m999_from_the_future" in str(caught.value)
    assert digest(path) == before


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)  # another program's database, rollback journal as default
    conn.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO patients (name) VALUES ('not ours')")
    conn.commit()
    conn.close()


def _v1_bytes() -> bytes:
    return V1.read_bytes()


def _garbage(n: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(n)


def _page_of_table(table: str) -> tuple[int, int]:
    """(page size, 1-based root page) of a table in the fixture."""
    conn = sqlite3.connect(f"file:{V1}?immutable=1", uri=True)
    try:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()
        return size, root[0]
    finally:
        conn.close()


def _data_page_spoilt(path: Path) -> None:
    """The audits table's page overwritten: the header and the schema still read fine."""
    data = bytearray(_v1_bytes())
    size, page = _page_of_table("audits")
    data[(page - 1) * size : page * size] = _garbage(size)
    path.write_bytes(bytes(data))


BAD_FILES: dict[str, Callable[[Path], object]] = {
    "corrupt, header kept": lambda p: p.write_bytes(
        _v1_bytes()[:100] + _garbage(len(_v1_bytes()) - 100)
    ),
    "corrupt, first page kept": lambda p: p.write_bytes(
        _v1_bytes()[:4096] + _garbage(len(_v1_bytes()) - 4096)
    ),
    "truncated to half": lambda p: p.write_bytes(_v1_bytes()[: len(_v1_bytes()) // 2]),
    "sqlite magic only": lambda p: p.write_bytes(b"SQLite format 3\x00"),
    "text file": lambda p: p.write_text("case_ref,force\nT/1,Testshire\n"),
    "png": lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _garbage(300)),
    "foreign sqlite": _foreign,
}


def bad_file(tmp_path: Path, kind: str) -> Path:
    if kind == "newer casereview":
        return newer(tmp_path)
    path = tmp_path / "bad.db"
    BAD_FILES[kind](path)
    return path


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_unusable_file_is_refused_and_left_alone(tmp_path: Path, kind: str) -> None:
    path = bad_file(tmp_path, kind)
    before = digest(path)
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert str(caught.value).strip()
    assert digest(path) == before


@pytest.mark.parametrize("kind", [*BAD_FILES, "newer casereview"])
def test_refusal_closes_the_file(tmp_path: Path, kind: str) -> None:
    """A refused file is not held open: no -wal/-shm beside it while the refusal is handled
    (in the TUI, or on Windows, an open handle keeps the file locked)."""
    path = bad_file(tmp_path, kind)
    before = folder(path)
    with pytest.raises(StoreError):
        Store.open(path)
    assert sorted(folder(path)) == sorted(before)


def test_spoilt_data_page_never_shows_a_traceback(tmp_path: Path) -> None:
    """Header and schema intact, one table's page garbage: open may succeed, use must not crash."""
    path = tmp_path / "spoilt.db"
    _data_page_spoilt(path)
    result = CliRunner().invoke(main, ["--db", str(path), "audit", "list"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("casereview: "), result.stderr


def test_zero_byte_file_opens_as_a_new_database(tmp_path: Path) -> None:
    """SQLite reads an empty file as an empty database, and Store.open itself creates one
    before its first write; so a zero-byte file (say, left by a crash at that moment) is a
    new database, migrated to the current schema, not an error."""
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    store = Store.open(path)
    try:
        assert applied(store) == KNOWN
        assert store.count_cases() == 0 and store.audits() == []
    finally:
        store.close()


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="folder"):
        Store.open(tmp_path)


# --------------------------------------------------------------------- the command line


@pytest.mark.parametrize("kind", [*BAD_FILES, "newer casereview"])
def test_cli_refuses_bad_database_in_one_line(tmp_path: Path, kind: str) -> None:
    path = bad_file(tmp_path, kind)
    before = digest(path)
    result = CliRunner().invoke(main, ["--db", str(path), "audit", "list"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("casereview: "), result.stderr
    if kind == "newer casereview":
        assert "newer casereview" in lines[0]
    assert digest(path) == before


def test_v1_pool_is_compared_by_look_alike_key_after_migration(v1: Path, tmp_path: Path) -> None:
    # m004 stores the NFKC key of cases imported before it, so they clash with look-alikes too
    store = Store.open(v1)
    ref, force = store.db.execute("SELECT case_ref, force FROM cases ORDER BY id").fetchone()
    assert ref.isascii() and any(ch.isdigit() for ch in ref)
    look_alike = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in ref)  # fullwidth
    assert store.existing_case_keys([(force, look_alike)]) == {(force, look_alike)}
    before = "\n".join(store.db.conn.iterdump())
    store.close()
    path = tmp_path / "again.csv"
    path.write_text(f"case_ref,force\n{look_alike},{force}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(v1), "cases", "import", str(path)])
    assert result.exit_code == 2
    assert f"again.csv:2: case {look_alike} of '{force}' is already in the pool" in result.stderr
    store = Store.open(v1)
    assert "\n".join(store.db.conn.iterdump()) == before
    store.close()


# ------------------------------------------ files missing their tables or triggers (issue 10.11)


@pytest.mark.parametrize(
    ("sql", "missing"),
    [
        ("DROP TRIGGER events_append_only_delete", "trigger events_append_only_delete"),
        ("DROP TRIGGER events_append_only_update", "trigger events_append_only_update"),
        ("DROP TABLE answers", "table answers"),
    ],
)
def test_a_database_missing_a_table_or_trigger_is_refused(
    tmp_path: Path, sql: str, missing: str
) -> None:
    path = tmp_path / "cut.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()
    before = folder(path)
    message = (
        f"this file is not a complete casereview database (missing: {missing}); it may have "
        "been edited by another tool, so it is not used: open a backup"
    )
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert str(caught.value) == message
    result = CliRunner().invoke(main, ["--db", str(path), "audit", "list"])
    assert result.exit_code == 2
    assert result.stderr == f"casereview: {message}\n"
    assert folder(path) == before
