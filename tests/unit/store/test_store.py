"""The store: answers saved with their trail, skip logic clearing, locking, file safety."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from casereview.store import AuditInfo, ReviewIncomplete, ReviewLocked, Store, StoreError
from tests.factories import complete_review, seed_store


def events(store: Store, review_id: int) -> list[tuple[str | None, str, str | None, str | None]]:
    return [(e.question_id, e.kind, e.old, e.new) for e in store.events(review_id)]


def test_answers_and_trail(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    case_id = store.audit_cases(audit.id)[0].case.id
    review = store.open_review(audit.id, case_id, "ann")
    assert store.set_answer(review.id, "REC-01", "yes", "ann") == []
    store.set_answer(review.id, "REC-02", "partly", "ann")
    store.set_answer(review.id, "REC-02", "yes", "ann")
    store.set_answer(review.id, "REC-02", "yes", "ann")  # same value: no new event
    store.set_note(review.id, "REC-02", "Recorded as s2A after 3 days", "ann")
    assert store.answer_values(review.id) == {"REC-01": "yes", "REC-02": "yes"}
    assert store.answers(review.id)["REC-02"].note == "Recorded as s2A after 3 days"
    assert events(store, review.id) == [
        (None, "review_started", None, "primary"),
        ("REC-01", "answer", None, "yes"),
        ("REC-02", "answer", None, "partly"),
        ("REC-02", "answer", "partly", "yes"),
        ("REC-02", "note", None, "Recorded as s2A after 3 days"),
    ]
    # opening again returns the same review
    assert store.open_review(audit.id, case_id, "ann").id == review.id


def test_skip_logic_clears_hidden_answers_and_logs_it(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    review = store.open_review(audit.id, store.audit_cases(audit.id)[0].case.id, "ann")
    store.set_answer(review.id, "SPO-01", "yes", "ann")
    store.set_answer(review.id, "SPO-02", "partly", "ann")
    cleared = store.set_answer(review.id, "SPO-01", "no", "ann")
    assert cleared == ["SPO-02"]
    assert store.answer_values(review.id) == {"SPO-01": "no", "SPO-02": None}
    last = store.events(review.id)[-1]
    assert (last.question_id, last.old, last.new) == ("SPO-02", "partly", None)
    assert last.reason == "hidden by skip logic (SPO-01)"
    with pytest.raises(StoreError, match="hidden by skip logic"):
        store.set_answer(review.id, "SPO-02", "yes", "ann")
    with pytest.raises(StoreError, match="does not allow 'partly'"):
        store.set_answer(review.id, "SPO-01", "partly", "ann")


def test_complete_refused_until_every_shown_question_is_answered(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    review = store.open_review(audit.id, store.audit_cases(audit.id)[0].case.id, "ann")
    store.set_answer(review.id, "REC-01", "no", "ann")  # hides REC-02
    with pytest.raises(ReviewIncomplete) as caught:
        store.complete_review(review.id, "ann")
    assert caught.value.unanswered == ["REC-03", "SPO-01"]
    store.set_answer(review.id, "REC-03", "yes", "ann")
    store.set_answer(review.id, "SPO-01", "na", "ann")
    store.complete_review(review.id, "ann")
    assert store.review(review.id).status == "complete"
    with pytest.raises(ReviewLocked):
        store.set_answer(review.id, "REC-03", "no", "ann")
    with pytest.raises(StoreError, match="needs a reason"):
        store.reopen_review(review.id, "ann", "  ")
    store.reopen_review(review.id, "ann", "second look at REC-03")
    store.set_answer(review.id, "REC-03", "no", "ann")
    kinds = [(e.kind, e.new, e.reason) for e in store.events(review.id) if e.kind == "status"]
    assert kinds == [
        ("status", "complete", None),
        ("status", "in_progress", "second look at REC-03"),
    ]


def test_events_cannot_be_edited_or_deleted(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    review = store.open_review(audit.id, store.audit_cases(audit.id)[0].case.id, "ann")
    store.set_answer(review.id, "REC-01", "yes", "ann")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("UPDATE events SET new = 'no'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("DELETE FROM events")
    assert len(store.events(review.id)) == 2


def test_audit_progress_counts(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    assert (audit.n_cases, audit.n_complete, audit.n_in_progress) == (6, 0, 0)
    first, second = [ac.case.id for ac in store.audit_cases(audit.id)[:2]]
    r1 = store.open_review(audit.id, first, "ann")
    for qid, value in (("REC-01", "no"), ("REC-03", "yes"), ("SPO-01", "na")):
        store.set_answer(r1.id, qid, value, "ann")
    store.complete_review(r1.id, "ann")
    store.open_review(audit.id, second, "bob")
    refreshed = store.audit_named(audit.name)
    assert (refreshed.n_complete, refreshed.n_in_progress) == (1, 1)
    statuses = [ac.status for ac in store.audit_cases(audit.id)]
    assert statuses == ["complete", "in_progress", None, None, None, None]


def test_reviewer_progress_counts_assignments_and_reviews(
    audited: tuple[Store, AuditInfo],
) -> None:
    """Worked by hand: ann is assigned cases 1-3 and bob case 4; ann completes case 1 and
    starts case 2; bob starts case 5, which nobody was assigned (so he has 0 assigned).
    Sue is the blind second reviewer of cases 1 and 4 and completes case 1's."""
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    for case_id, who in zip(ids[:4], ["ann", "ann", "ann", "bob"], strict=True):
        store.assign(audit.id, case_id, who, "lead")
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    complete_review(store, audit.id, ids[0], "ann", "primary", full)
    store.set_answer(store.open_review(audit.id, ids[1], "ann").id, "REC-01", "no", "ann")
    store.set_answer(store.open_review(audit.id, ids[4], "bob").id, "REC-01", "no", "bob")
    store.assign_second(audit.id, [ids[0], ids[3]], "sue", "lead")
    complete_review(store, audit.id, ids[0], "sue", "second", full)
    assert store.reviewer_progress(audit.id) == [("ann", 3, 1, 1), ("bob", 1, 0, 1)]
    assert store.reviewer_progress(audit.id, role="second") == [("sue", 2, 1, 0)]


def test_the_audits_screen_counts_read_indexes_only(tmp_path: Path) -> None:
    """The first screen's counts are ranges of the m011 indexes, never a scan of the reviews
    or sorting them (at national scale that was 50 ms at every start)."""
    store = Store.open(tmp_path / "plan.db")
    audit = seed_store(store)
    plans = [
        [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
        for sql, params in (
            (store._audit_query(), []),
            (store._progress_query("assigned_to"), [audit.id, audit.id, "primary"]),
        )
    ]
    store.close()
    for plan in plans:  # the only scans: the audits table itself and the union's few rows
        scans = [step for step in plan if step.startswith("SCAN")]
        assert all("subquery" in s or s in ("SCAN a", "SCAN TABLE audits AS a") for s in scans)
    steps = [" ".join(plan) for plan in plans]
    assert "COVERING INDEX reviews_by_progress (audit_id=? AND role=? AND status=?)" in steps[0]
    assert "COVERING INDEX audit_cases_by_reviewer" in steps[1]
    assert "COVERING INDEX reviews_by_progress (audit_id=? AND role=?)" in steps[1]


def test_audit_names_are_unique(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    with pytest.raises(StoreError, match="already exists"):
        store.create_audit(audit.name, audit.checklist_pk, [1], created_by="x")


def test_file_is_owner_only_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    store = Store.open(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert store.db.journal_mode == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_reopening_a_file_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    store = Store.open(path)
    audit = seed_store(store)
    review = store.open_review(audit.id, store.audit_cases(audit.id)[0].case.id, "ann")
    store.set_answer(review.id, "REC-01", "yes", "ann")
    store.close()
    again = Store.open(path)
    assert again.answer_values(review.id) == {"REC-01": "yes"}


def test_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n")
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store.open(path)
    assert path.read_text() == "these are my notes, not a database\n"


def test_foreign_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a casereview database"):
        Store.open(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('casereview', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer casereview"):
        Store.open(path)


def test_corrupt_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    Store.open(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # keep the header, wreck the schema page
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError):
        Store.open(path)


def test_a_case_is_not_assigned_to_its_own_blind_second_reviewer(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    case_id = store.audit_cases(audit.id)[1].case.id
    store.assign_second(audit.id, [case_id], "sue", "lead")
    with pytest.raises(StoreError, match="sue is this case's blind second reviewer"):
        store.assign(audit.id, case_id, "sue", "lead")
    store.assign(audit.id, case_id, "kim", "lead")  # anyone else may take it
    assert store.audit_case(audit.id, case_id).assigned_to == "kim"
    assert store.audit_case(audit.id, case_id).second_reviewer == "sue"
