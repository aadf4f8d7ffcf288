"""findings.py's tables cell by cell, its refusals word for word.

Written so that mutation testing of findings.py finds no change the suite misses. The
figures are worked out by hand in the comments beside them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.core.fields import Role
from casereview.core.stats.scoring import ReviewRecord
from casereview.io.exports import pipeline as outputs
from casereview.services import agreement, findings
from casereview.services.findings import FindingsError
from casereview.store import AuditInfo, Store
from tests.factories import MINI, complete_review, seed_store

A = {"REC-01": "yes", "REC-02": "partly", "REC-03": "no", "SPO-01": "yes", "SPO-02": "yes"}
B = {"REC-01": "no", "REC-03": "yes", "SPO-01": "no", "SPO-03": "no"}


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store.memory()
    yield s
    s.close()


def ids_of(store: Store, audit: AuditInfo) -> list[int]:
    return [ac.case.id for ac in store.audit_cases(audit.id)]


def two_reviews(store: Store) -> tuple[AuditInfo, list[int]]:
    audit = seed_store(store)
    ids = ids_of(store, audit)
    complete_review(store, audit.id, ids[0], "ann", "primary", A)
    complete_review(store, audit.id, ids[1], "bob", "primary", B)
    return audit, ids


# --------------------------------------------------------------------------- load


def test_load_refuses_an_audit_without_completed_reviews(store: Store) -> None:
    audit = seed_store(store)
    review = store.open_review(audit.id, ids_of(store, audit)[0], "ann")
    store.set_answer(review.id, "REC-01", "yes", "ann")
    with pytest.raises(FindingsError) as caught:
        findings.load(store, "Test audit")
    assert str(caught.value) == (
        "audit 'Test audit' has no completed reviews yet (1 in progress); findings count "
        "completed reviews only"
    )
    data = findings.load(store, "Test audit", require_complete=False)
    assert data.counted == [] and data.problem is None


def _lose_rec03(store: Store, review_id: int) -> None:
    with store.db.conn:  # legacy data: a completed review lost its REC-03 answer
        store.db.conn.execute(
            "DELETE FROM answers WHERE review_id = ? AND question_id = 'REC-03'", [review_id]
        )


def test_a_completed_review_missing_a_shown_answer_is_named(store: Store) -> None:
    audit = seed_store(store)
    ids = ids_of(store, audit)
    first = complete_review(store, audit.id, ids[0], "ann", "primary", A)
    _lose_rec03(store, first)
    case = store.audit_cases(audit.id)[0].case
    expected = (
        f"audit 'Test audit' cannot be scored: the primary review of case {case.case_ref} "
        f"({case.force}) by ann is complete but has no answer to REC-03, a question it shows. "
        "Reopen the review, answer it and complete it again."
    )
    with pytest.raises(FindingsError) as caught:
        findings.load(store, "Test audit")
    assert str(caught.value) == expected
    data = findings.load(store, "Test audit", require_complete=False)
    assert data.problem == expected
    for table in (findings.question_table, findings.section_table, agreement.agreement_table):
        with pytest.raises(FindingsError):
            table(data)
    with pytest.raises(FindingsError):
        outputs.section_chart(data)
    # raw tables still come out
    assert findings.case_table(store, data).rows
    second = complete_review(store, audit.id, ids[1], "bob", "primary", A)
    _lose_rec03(store, second)
    data = findings.load(store, "Test audit", require_complete=False)
    assert data.problem is not None
    assert "a question it shows (2 such reviews in all). Reopen" in data.problem


# --------------------------------------------------------------------------- tables


def test_question_table_rows_by_hand(store: Store) -> None:
    two_reviews(store)
    data = findings.load(store, "Test audit")
    table = findings.question_table(data)
    assert table.name == "questions"
    rows = {r["question_id"]: r for r in table.rows}
    assert list(rows) == ["REC-01", "REC-02", "REC-03", "SPO-01", "SPO-02", "SPO-03"]
    # REC-02: A partly, B hidden (na): 0.5 of 1 = 50%; Wilson 0.5 of 1: centre
    # (0.5 + 1.920729)/4.841459 = 0.5, half 1.959964 * sqrt(0.25 + 0.960365)/4.841459 = 0.4455
    # -> 5.5-94.5%
    assert rows["REC-02"] == {
        "audit": "Test audit",
        "group": None,
        "section_id": "rec",
        "question_id": "REC-02",
        "question": "Was it recorded as stalking?",
        "n_reviews": 2,
        "n_applicable": 1,
        "yes": 0,
        "partly": 1,
        "no": 0,
        "na": 1,
        "unknown": 0,
        "compliance_pct": 50.0,
        "ci_low_pct": 5.5,
        "ci_high_pct": 94.5,
    }
    assert rows["SPO-03"]["section_id"] == "spo"
    assert (rows["SPO-03"]["no"], rows["SPO-03"]["na"], rows["SPO-03"]["compliance_pct"]) == (
        1,
        1,
        0.0,
    )


def test_section_table_rows_by_hand(store: Store) -> None:
    two_reviews(store)
    data = findings.load(store, "Test audit")
    table = findings.section_table(data)
    assert table.name == "sections"
    rec, spo = table.rows
    # Recording: A (1 + 2*0.5 + 0)/4 = 0.5; B (0 + 1)/2 = 0.5 -> mean 50%, none in full;
    # Wilson 0 of 2: upper 3.841459/2 / (1 + 3.841459/2) = 1.920729/2.920729 = 65.8%
    assert rec == {
        "audit": "Test audit",
        "group": None,
        "section_id": "rec",
        "section": "Recording",
        "n_cases": 2,
        "mean_score_pct": 50.0,
        "n_full": 0,
        "full_pct": 0.0,
        "ci_low_pct": 0.0,
        "ci_high_pct": 65.8,
        "unknown": 0,
    }
    # Orders: A (1 + 1)/2 = 1 in full; B (0 + 0)/2 = 0 -> mean 50%, 1 of 2
    assert (spo["section"], spo["mean_score_pct"], spo["n_full"], spo["full_pct"]) == (
        "Protective orders",
        50.0,
        1,
        50.0,
    )


def test_tables_by_group_have_a_group_column_and_a_row_set_per_group(store: Store) -> None:
    two_reviews(store)
    data = findings.load(store, "Test audit", "reviewer")
    q = findings.question_table(data, "reviewer")
    assert q.columns[:3] == ("audit", "group", "section_id")
    assert [r["group"] for r in q.rows] == ["ann"] * 6 + ["bob"] * 6
    s = findings.section_table(data, "reviewer")
    assert s.columns[:3] == ("audit", "group", "section_id")
    # ann's Recording is A alone: 0.5
    assert [(r["group"], r["section_id"], r["mean_score_pct"]) for r in s.rows] == [
        ("ann", "rec", 50.0),
        ("ann", "spo", 100.0),
        ("bob", "rec", 50.0),
        ("bob", "spo", 0.0),
    ]
    assert findings.groups(data, None) == [(None, data.reviews)]


def test_case_table_cells_by_hand(store: Store) -> None:
    audit, ids = two_reviews(store)
    store.assign(audit.id, ids[2], "kim", "lead")
    data = findings.load(store, "Test audit")
    table = findings.case_table(store, data)
    assert table.name == "cases"
    first = table.rows[0]
    case = store.audit_cases(audit.id)[0]
    assert first["case_ref"] == case.case.case_ref and first["force"] == case.case.force
    for column in ("team", "offence", "reported_at", "recorded_at", "outcome"):
        assert first[column] == getattr(case.case, column), column
    assert (first["position"], first["stratum"], first["assigned_to"]) == (1, None, None)
    # A: rec 0.5, spo 1.0; overall (1 + 1 + 0 + 1 + 1)/(1 + 2 + 1 + 1 + 1) = 4/6 = 66.7
    assert (first["overall_pct"], first["rec_pct"], first["spo_pct"]) == (66.7, 50.0, 100.0)
    assert (first["reviewer"], first["review_role"], first["status"]) == (
        "ann",
        "primary",
        "complete",
    )
    third = table.rows[2]
    assert (third["assigned_to"], third["reviewer"], third["status"]) == (
        "kim",
        None,
        "not started",
    )
    assert "summary" not in table.columns
    noted = findings.case_table(store, data, include_notes=True)
    assert noted.columns[-1] == "summary"
    assert noted.rows[0]["summary"] == case.case.summary


def test_answer_table_rows(store: Store) -> None:
    audit, ids = two_reviews(store)
    reviews = store.reviews_of_case(audit.id, ids[1])
    store.reopen_review(reviews[0].id, "bob", "typo")
    store.set_note(reviews[0].id, "SPO-01", "checked twice", "bob")
    data = findings.load(store, "Test audit", require_complete=False)
    table = findings.answer_table(store, data)
    assert table.name == "answers" and "note" not in table.columns
    rows = [r for r in table.rows if r["reviewer"] == "bob"]
    assert [(r["question_id"], r["answer"], r["hidden"]) for r in rows] == [
        ("REC-01", "no", False),
        ("REC-02", "na", True),
        ("REC-03", "yes", False),
        ("SPO-01", "no", False),
        ("SPO-02", "na", True),
        ("SPO-03", "no", False),
    ]
    assert {(r["role"], r["status"], r["section_id"]) for r in rows[:3]} == {
        ("primary", "in_progress", "rec")
    }
    case = store.audit_cases(audit.id)[1].case
    assert (rows[0]["case_ref"], rows[0]["force"], rows[0]["audit"]) == (
        case.case_ref,
        case.force,
        "Test audit",
    )
    noted = findings.answer_table(store, data, include_notes=True)
    assert noted.columns[-1] == "note"
    notes = {r["question_id"]: r["note"] for r in noted.rows if r["reviewer"] == "bob"}
    assert notes["SPO-01"] == "checked twice" and notes["REC-02"] is None
    # unanswered in an open review: an empty cell, not na
    review = store.open_review(audit.id, ids[2], "kim")
    store.set_answer(review.id, "REC-01", "yes", "kim")
    data = findings.load(store, "Test audit", require_complete=False)
    kim = [r for r in findings.answer_table(store, data).rows if r["reviewer"] == "kim"]
    assert [(r["question_id"], r["answer"]) for r in kim[:3]] == [
        ("REC-01", "yes"),
        ("REC-02", None),
        ("REC-03", None),
    ]


def test_event_table_rows_for_audit_and_review_events(store: Store) -> None:
    audit, ids = two_reviews(store)
    store.assign(audit.id, ids[2], "kim", "lead")
    data = findings.load(store, "Test audit", require_complete=False)
    table = findings.event_table(store, data)
    assert table.name == "events"
    created = table.rows[0]
    assert (created["kind"], created["case_ref"], created["force"], created["role"]) == (
        "audit_created",
        None,
        None,
        None,
    )
    assigned = table.rows[-1]
    assert (assigned["kind"], assigned["new"], assigned["actor"]) == ("assigned", "kim", "lead")
    answers = [r for r in table.rows if r["kind"] == "answer" and r["actor"] == "bob"]
    case = store.audit_cases(audit.id)[1].case
    assert answers[0]["case_ref"] == case.case_ref and answers[0]["force"] == case.force
    assert answers[0]["role"] == "primary" and answers[0]["audit"] == "Test audit"
    event_ids = [int(str(r["event_id"])) for r in table.rows]
    assert event_ids == sorted(event_ids)


def test_agreement_table_rounds_kappa_to_three_places(store: Store) -> None:
    audit = seed_store(store)
    ids = ids_of(store, audit)
    p1 = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    p2 = {"REC-01": "yes", "REC-02": "no", "REC-03": "no", "SPO-01": "na"}
    p3 = {"REC-01": "no", "REC-03": "no", "SPO-01": "na"}
    s3 = {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"}
    for case_id, p, s in zip(ids, (p1, p2, p3), (p1, p1, s3), strict=False):
        complete_review(store, audit.id, case_id, "ann", "primary", p)
        store.assign_second(audit.id, [case_id], "bob", "lead")
        complete_review(store, audit.id, case_id, "bob", "second", s)
    data = findings.load(store, "Test audit")
    table = agreement.agreement_table(data)
    assert table.name == "agreement"
    assert table.columns == (
        "audit",
        "section_id",
        "question_id",
        "n_pairs",
        "agree_pct",
        "kappa",
        "kappa_band",
        "kappa_ci_low",
        "kappa_ci_high",
        "ac1",
    )
    rows = {(r["section_id"], r["question_id"]): r for r in table.rows}
    # REC-03: (yes,yes) (no,yes) (no,yes): 1 of 3 = 33.3%; A yes 1 no 2, B yes 3;
    # pe = (1*3)/9 = 1/3; kappa = (1/3 - 1/3)/(2/3) = 0; on 3 pairs no band
    r3 = rows[("rec", "REC-03")]
    assert (r3["n_pairs"], r3["agree_pct"], r3["kappa"], r3["kappa_band"]) == (
        3,
        33.3,
        0.0,
        "too few pairs (3)",
    )
    # REC-02: (yes,yes) (no,yes); case 3 hid it from both (REC-01 no), so it is left out:
    # 1 of 2 = 50.0%; A yes 1 no 1, B yes 2; pe = (1*2)/4 = 0.5; kappa = 0
    r2 = rows[("rec", "REC-02")]
    assert (r2["n_pairs"], r2["agree_pct"], r2["kappa"]) == (2, 50.0, 0.0)
    # the section pools 8 pairs: REC-01 3 agree, REC-02 1, REC-03 1 -> 5 of 8 = 62.5%
    # A: REC-01 y y n, REC-02 y n, REC-03 y n n -> yes 4, no 4
    # B: REC-01 y y n, REC-02 y y, REC-03 y y y -> yes 7, no 1
    # pe = (4*7 + 4*1)/64 = 0.5; kappa = (0.625 - 0.5)/0.5 = 0.25
    # AC1 over the union of the questions' scales (yes partly no na unknown hidden, q = 6):
    # pi_yes = (4/8 + 7/8)/2 = 11/16, pi_no = 5/16; pe = 2 * (11/16)(5/16) / 5 = 22/256;
    # AC1 = (160/256 - 22/256)/(234/256) = 138/234 = 0.58974 -> 0.59 at three places
    pooled = rows[("rec", None)]
    assert (pooled["n_pairs"], pooled["agree_pct"], pooled["kappa"]) == (8, 62.5, 0.25)
    assert pooled["ac1"] == 0.59 and pooled["audit"] == "Test audit"
    assert pooled["kappa_band"] == "too few pairs (8)" and pooled["kappa_ci_low"] is None
    # SPO-01 na in every review: kappa undefined, agreement still 100%
    spo = rows[("spo", "SPO-01")]
    assert (spo["agree_pct"], spo["kappa"]) == (100.0, None)


def test_each_kind_and_the_workbook_sheets(store: Store) -> None:
    two_reviews(store)
    names = {
        kind: outputs.prepare(store, "Test audit", kind, "csv").table.name
        for kind in ("questions", "sections", "cases", "answers", "events")
    }
    assert names == {k: k for k in names}
    base = ["questions", "sections", "cases"]
    for kind in ("questions", "sections", "cases"):
        sheets = outputs.prepare(store, "Test audit", kind, "xlsx").tables
        assert [t.name for t in sheets] == base
    for kind in ("answers", "events"):
        sheets = outputs.prepare(store, "Test audit", kind, "xlsx").tables
        assert [t.name for t in sheets] == [*base, kind]
    # --by reaches the figure sheets, notes the raw ones
    sheets = outputs.prepare(store, "Test audit", "questions", "xlsx", "reviewer", True).tables
    assert sheets[0].columns[1] == "group" and sheets[1].columns[1] == "group"
    assert sheets[2].columns[-1] == "summary"
    sheets = outputs.prepare(store, "Test audit", "answers", "xlsx", None, True).tables
    assert sheets[3].columns[-1] == "note"


def test_summary_pairs_and_the_chart(store: Store) -> None:
    from casereview.services.sampling import Scope, create_sampled_audit

    seed_store(store)
    info = store.find_checklist("mini")
    scope = Scope({"force": "Testshire", "team": "CID"}, "2024-01-01", "2024-12-31")
    audit, _sample, _n = create_sampled_audit(
        store, "Scoped", info.pk, 2, 5, scope, "lead", stratify="team"
    )
    for case_id in ids_of(store, audit)[:2]:
        complete_review(store, audit.id, case_id, "ann", "primary", A)
    data = findings.load(store, "Scoped")
    assert outputs.summary_pairs(data) == [
        ("Audit", "Scoped"),
        ("Checklist", "mini@1"),
        ("Cases sampled", 2),
        ("Reviews counted (complete)", 2),
        ("Seed", 5),
        ("Scope", "force=Testshire, team=CID"),
        ("Reported from", "2024-01-01"),
        ("Reported to", "2024-12-31"),
        ("Stratified by", "team"),
        ("Method", findings.method_text(data.checklist)),
    ]
    chart = outputs.section_chart(data)
    assert chart.title == "Cases meeting each section in full (95% CI)"
    assert chart.categories == ["Recording", "Protective orders"]
    # Recording 0.5 in both: 0 of 2; Orders 1.0 in both: 2 of 2, Wilson lower
    # 1 - 1.920729/2.920729 = 34.2%
    assert chart.values == [0.0, 100.0]
    assert chart.ci_low == [0.0, 34.2] and chart.ci_high == [65.8, 100.0]
    unscoped = findings.load(store, "Test audit", require_complete=False)
    pairs = dict(outputs.summary_pairs(unscoped))
    assert pairs["Scope"] == "all" and pairs["Reported from"] is None


def test_method_text_for_each_unknown_rule(store: Store) -> None:
    checklist = store.checklist(store.add_checklist(MINI.read_text(), str(MINI)).pk)
    assert findings.method_text(checklist) == (
        "Each file was reviewed against the checklist. Answers score yes 1, partly 0.5 and "
        "no 0. Questions that did not apply to a case (including those skipped because an "
        "earlier answer made them irrelevant) are left out, and so are answers of 'unknown', "
        "which are counted separately. Where a file was moderated, the moderated answer "
        "counts. Percentages are given with their counts and 95% Wilson score intervals, "
        "and the number of unknown answers after them. A figure resting on fewer than 10 "
        "applicable answers is marked \u2020: too uncertain to quote on its own. A question "
        "answered Unknown in 20% or more of the cases it applied to is listed as not "
        "recorded: the file does not say."
    )
    strict = checklist.model_copy(update={"unknown_scores_as": "no"})
    assert findings.method_text(strict) == (
        "Each file was reviewed against the checklist. Answers score yes 1, partly 0.5 and "
        "no 0, and an answer of 'unknown' scores as no (0): this checklist counts missing "
        "information against compliance. Questions that did not apply to a case (including "
        "those skipped because an earlier answer made them irrelevant) are left out. Where a "
        "file was moderated, the moderated answer counts. Percentages are given with their "
        "counts and 95% Wilson score intervals, and the number of unknown answers after them. "
        "A figure resting on fewer than 10 applicable answers is marked \u2020: too uncertain "
        "to quote on its own. A question answered Unknown in 20% or more of the cases it "
        "applied to is listed as not recorded: the file does not say."
    )


# --------------------------------------------------------------------------- by reviewer


def rec(case: int, role: Role, who: str) -> ReviewRecord:
    return ReviewRecord(case, role, "complete", who, {})


def test_by_primary_reviewer_follows_the_case() -> None:
    reviews = [rec(1, "primary", "ann"), rec(1, "moderated", "mod"), rec(1, "second", "sue")]
    reviews += [rec(2, "moderated", "mod"), rec(3, "second", "sue")]
    out = findings.by_primary_reviewer(reviews, {2: "bob"})
    # case 1: ann's; case 2: its primary is not complete, known to be bob's;
    # case 3: nothing known, the review keeps its own reviewer
    assert [r.group for r in out] == ["ann", "ann", "ann", "bob", "sue"]
    assert [r.group for r in findings.by_primary_reviewer(reviews)] == [
        "ann",
        "ann",
        "ann",
        "mod",
        "sue",
    ]


def test_by_reviewer_uses_the_primary_or_the_assignee_from_the_store(store: Store) -> None:
    audit = seed_store(store)
    ids = ids_of(store, audit)
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    # case 0: ann's primary is complete; case 1: bob's primary is still open, sue's second done
    complete_review(store, audit.id, ids[0], "ann", "primary", full)
    open_review = store.open_review(audit.id, ids[1], "bob")
    store.set_answer(open_review.id, "REC-01", "yes", "bob")
    store.assign_second(audit.id, [ids[1]], "sue", "lead")
    complete_review(store, audit.id, ids[1], "sue", "second", full)
    # case 2: assigned to kim, only a second review by sue complete
    store.assign(audit.id, ids[2], "kim", "lead")
    store.assign_second(audit.id, [ids[2]], "sue", "lead")
    complete_review(store, audit.id, ids[2], "sue", "second", full)
    data = findings.load(store, "Test audit", "reviewer")
    groups = {r.case_id: r.group for r in data.reviews}
    assert groups == {ids[0]: "ann", ids[1]: "bob", ids[2]: "kim"}


@pytest.mark.parametrize("by", ["stratum", "reviewer"])
def test_cli_groups_by_stratum_and_reviewer(tmp_path: object, by: str) -> None:
    from pathlib import Path

    db = Path(str(tmp_path)) / "g.db"
    store = Store.open(db)
    two_reviews(store)
    store.close()
    result = CliRunner().invoke(
        main, ["--db", str(db), "export", "sections", "--audit", "Test audit", "--by", by]
    )
    assert result.exit_code == 0, result.output
    groups = {line.split(",")[1] for line in result.output.splitlines()[1:]}
    assert groups == ({"(none)"} if by == "stratum" else {"ann", "bob"})


def test_event_table_keeps_to_its_audit_and_says_when(store: Store) -> None:
    audit, ids = two_reviews(store)
    info = store.find_checklist("mini")
    other = store.create_audit("Other", info.pk, ids[:2], created_by="kim", seed=2)
    complete_review(store, other.id, ids[0], "kim", "primary", A)
    data = findings.load(store, "Test audit", require_complete=False)
    rows = findings.event_table(store, data).rows
    assert "kim" not in {r["actor"] for r in rows}
    assert {r["audit"] for r in rows} == {"Test audit"}
    events = store.events(audit_id=audit.id)
    assert [r["at"] for r in rows] == [e.at for e in events]
    assert all(r["at"] for r in rows)


def test_by_reviewer_when_no_primary_review_is_complete(store: Store) -> None:
    audit = seed_store(store)
    ids = ids_of(store, audit)
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    store.assign(audit.id, ids[0], "kim", "lead")
    store.assign_second(audit.id, [ids[0]], "sue", "lead")
    complete_review(store, audit.id, ids[0], "sue", "second", full)
    # only sue's second review is complete: it still sits under the case's assignee, kim
    data = findings.load(store, "Test audit", "reviewer", require_complete=False)
    assert [(r.role, r.group) for r in data.reviews] == [("second", "kim")]


def test_case_table_edges(store: Store) -> None:
    audit = seed_store(store)
    ids = ids_of(store, audit)
    # nothing applies: REC-01 unknown (left out), REC-02 hidden, REC-03 and SPO-01 na
    nothing = {"REC-01": "unknown", "REC-03": "na", "SPO-01": "na"}
    complete_review(store, audit.id, ids[0], "ann", "primary", nothing)
    # a moderated case whose primary was reopened afterwards: the moderated review counts
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    primary = complete_review(store, audit.id, ids[1], "ann", "primary", full)
    complete_review(store, audit.id, ids[1], "bob", "second", full)
    moderated = store.start_moderation(audit.id, ids[1], "lead")
    store.complete_review(moderated.id, "lead")
    store.reopen_review(primary, "ann", "typo in a note")
    rows = findings.case_table(store, findings.load(store, "Test audit")).rows
    assert (rows[0]["overall_pct"], rows[0]["rec_pct"], rows[0]["spo_pct"]) == (None, None, None)
    assert (rows[0]["status"], rows[0]["audit"]) == ("complete", "Test audit")
    assert (rows[1]["review_role"], rows[1]["status"], rows[1]["overall_pct"]) == (
        "moderated",
        "complete",
        100.0,
    )


def test_an_audit_of_one_case_loads(store: Store) -> None:
    seed_store(store)
    info = store.find_checklist("mini")
    case_id = store.cases()[0].id
    one = store.create_audit("One", info.pk, [case_id], created_by="t", seed=1)
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    complete_review(store, one.id, case_id, "ann", "primary", full)
    data = findings.load(store, "One")
    assert data.audit.n_cases == 1 and len(data.counted) == 1


def test_agreement_without_any_pair_leaves_the_figures_empty(store: Store) -> None:
    two_reviews(store)  # primaries only: no pair anywhere
    rows = agreement.agreement_table(findings.load(store, "Test audit")).rows
    assert rows and all(r["n_pairs"] == 0 for r in rows)
    assert {
        (r["agree_pct"], r["kappa"], r["kappa_band"], r["kappa_ci_low"], r["ac1"]) for r in rows
    } == {(None, None, None, None, None)}
