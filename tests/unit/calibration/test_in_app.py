"""A calibration review answered question by question (as the app does): each answer saved
and logged as a draft of the reviewer's own, recorded whole on completion; nobody reads
anyone else's answers through it; the trail holds every calibration action and is exported
with `export events --calibration`; a case outside the calibration is refused."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.services import calibration as service
from casereview.store import AuditInfo, Store, StoreError
from casereview.store.errors import ReviewIncomplete

GOLD: dict[str, str | None] = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


def setup(store: Store, audit: AuditInfo) -> tuple[int, list[int]]:
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    info = store.create_calibration(
        "Spring", audit.checklist_pk, ids[:2], "mod", ["ann", "bob"], "mod"
    )
    return info.id, ids


def answer(store: Store, cal: int, case_id: int, who: str, values: dict[str, str | None]) -> None:
    for qid, value in values.items():
        store.set_calibration_answer(cal, case_id, qid, value, who)


def test_answers_are_saved_one_at_a_time_and_recorded_on_completion(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    cal, ids = setup(store, audit)
    store.set_calibration_answer(cal, ids[0], "REC-01", "yes", "ann")
    store.set_calibration_note(cal, ids[0], "REC-01", "crime recorded same day", "ann")
    own = store.own_calibration_review(cal, ids[0], "ann")
    assert (own.role, own.completed_at) == ("reviewer", None)
    assert own.answers["REC-01"].value == "yes"
    assert own.answers["REC-01"].note == "crime recorded same day"
    with pytest.raises(ReviewIncomplete) as missing:
        store.complete_calibration_review(cal, ids[0], "ann")
    assert missing.value.unanswered == ["REC-02", "REC-03", "SPO-01"]
    assert store.calibration_reviews(cal) == []  # nothing recorded while incomplete
    answer(store, cal, ids[0], "ann", GOLD)
    store.complete_calibration_review(cal, ids[0], "ann")
    (done,) = store.calibration_reviews(cal)
    assert (done.case_id, done.reviewer, done.role) == (ids[0], "ann", "reviewer")
    assert done.answers == GOLD
    assert done.notes == {"REC-01": "crime recorded same day"}
    assert store.db.execute("SELECT count(*) FROM calibration_drafts").fetchone() == (0,)
    # recorded once: no answer changes after completion
    with pytest.raises(StoreError, match="recorded once"):
        store.set_calibration_answer(cal, ids[0], "REC-01", "no", "ann")
    # the moderator's review is the gold
    answer(store, cal, ids[0], "mod", GOLD)
    store.complete_calibration_review(cal, ids[0], "mod")
    assert {(r.reviewer, r.role) for r in store.calibration_reviews(cal)} == {
        ("ann", "reviewer"),
        ("mod", "gold"),
    }


def test_a_review_recorded_from_a_file_ends_the_draft_of_it(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    cal, ids = setup(store, audit)
    store.set_calibration_answer(cal, ids[0], "REC-01", "no", "ann")
    store.record_calibration_reviews(cal, "ann", "reviewer", {ids[0]: (GOLD, {})})
    assert store.db.execute("SELECT count(*) FROM calibration_drafts").fetchone() == (0,)
    own = store.own_calibration_review(cal, ids[0], "ann")
    assert own.completed_at is not None
    assert {q: a.value for q, a in own.answers.items()} == GOLD


def test_skip_logic_clears_a_hidden_answer_in_a_draft(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    cal, ids = setup(store, audit)
    store.set_calibration_answer(cal, ids[0], "SPO-01", "yes", "ann")
    store.set_calibration_answer(cal, ids[0], "SPO-02", "no", "ann")  # shown for SPO-01 yes
    cleared = store.set_calibration_answer(cal, ids[0], "SPO-01", "na", "ann")
    assert cleared == ["SPO-02"]
    own = store.own_calibration_review(cal, ids[0], "ann")
    assert own.answers["SPO-02"].value is None


def test_nobody_reads_anothers_answers_before_completing_their_own(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    cal, ids = setup(store, audit)
    for case_id in ids[:2]:
        answer(store, cal, case_id, "mod", GOLD)
        store.complete_calibration_review(cal, case_id, "mod")
        answer(store, cal, case_id, "ann", {**GOLD, "REC-02": "no"})
        store.complete_calibration_review(cal, case_id, "ann")
    store.set_calibration_answer(cal, ids[0], "REC-01", "no", "bob")
    # bob's own review holds his answer only: not the gold's, not ann's
    own = store.own_calibration_review(cal, ids[0], "bob")
    assert {q: a.value for q, a in own.answers.items()} == {"REC-01": "no"}
    # the figures, the answers each chose, and the trail are refused to him until he is done
    with pytest.raises(StoreError, match="bob has recorded 0 of 2"):
        service.read(store, "Spring", "bob")
    with pytest.raises(StoreError, match="bob has recorded 0 of 2"):
        service.trail_table(store, "Spring", "bob")
    # someone outside the calibration has no review of it to read
    with pytest.raises(StoreError, match="not one of this calibration's reviewers"):
        store.own_calibration_review(cal, ids[0], "eve")
    # ann, done, sees them
    figs = service.read(store, "Spring", "ann")
    assert figs.gold_done == 2


def test_a_case_outside_the_calibration_is_refused(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    cal, ids = setup(store, audit)
    outside = ids[3]
    with pytest.raises(StoreError, match="not in this calibration"):
        store.record_calibration_reviews(cal, "ann", "reviewer", {outside: (GOLD, {})})
    with pytest.raises(StoreError, match="not in calibration 'Spring'"):
        store.set_calibration_answer(cal, outside, "REC-01", "yes", "ann")
    assert store.calibration_reviews(cal) == []
    assert store.db.execute("SELECT count(*) FROM calibration_drafts").fetchone() == (0,)


def test_the_trail_holds_every_calibration_action_and_is_exported(tmp_path: Path) -> None:
    from tests.factories import seed_store

    path = tmp_path / "review.db"
    store = Store.open(path)
    audit = seed_store(store)
    cal, ids = setup(store, audit)
    for case_id in ids[:2]:
        for who in ("mod", "ann", "bob"):
            answer(store, cal, case_id, who, GOLD)
            store.complete_calibration_review(cal, case_id, who)
    store.close()
    result = CliRunner().invoke(
        main, ["--db", str(path), "--reviewer", "mod", "calibration", "result", "Spring"]
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "trail.csv"
    exported = CliRunner().invoke(
        main,
        ["--db", str(path), "--reviewer", "mod", "export", "events", "--calibration", "Spring",
         "--out", str(out)],
    )  # fmt: skip
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    kinds = [r["kind"] for r in rows]
    assert kinds[0] == "calibration_created"
    assert kinds.count("calibration_gold") == 2
    assert kinds.count("calibration_complete") == 4
    assert kinds.count("calibration_answer") == 3 * 2 * 4
    assert kinds.count("calibration_result") == 2  # ann and bob, both passed
    first_answer = next(r for r in rows if r["kind"] == "calibration_answer")
    assert (first_answer["actor"], first_answer["question_id"], first_answer["new"]) == (
        "mod",
        "REC-01",
        "yes",
    )
    assert first_answer["case_ref"] == store_ref(path, ids[0])
    # no audit's trail holds them
    audit_trail = CliRunner().invoke(
        main,
        ["--db", str(path), "--reviewer", "mod", "export", "events", "--audit", "Test audit",
         "--format", "csv"],
    )  # fmt: skip
    assert "calibration_" not in audit_trail.output


def store_ref(path: Path, case_id: int) -> str:
    store = Store.open(path)
    try:
        return store.case(case_id).case_ref
    finally:
        store.close()
