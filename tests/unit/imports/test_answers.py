"""Legacy answers import: all or nothing, every problem by line, the database unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.store import Store, StoreError
from tests.factories import seed_store

HEAD = "case_ref,force,reviewer,role,question_id,answer,note\n"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    store = Store.open(path)
    seed_store(store)
    store.close()
    return path


def dump(db: Path) -> list[str]:
    store = Store.open(db)
    lines = list(store.db.conn.iterdump())
    store.close()
    return lines


def run(db: Path, tmp_path: Path, body: str) -> tuple[int, str]:
    path = tmp_path / "answers.csv"
    path.write_text(HEAD + body)
    result = CliRunner().invoke(
        main, ["--db", str(db), "answers", "import", str(path), "--audit", "Test audit"]
    )
    return result.exit_code, result.output + result.stderr


def test_complete_and_partial_reviews(db: Path, tmp_path: Path) -> None:
    body = (
        "T/1,Testshire,ann,primary,REC-01,no,\n"
        "T/1,Testshire,ann,primary,REC-03,yes,linked to 2023 report\n"
        "T/1,Testshire,ann,primary,SPO-01,na,\n"
        "T/2,Testshire,bob,primary,REC-01,yes,\n"
        "T/2,Testshire,kim,second,REC-01,yes,\n"
    )
    code, out = run(db, tmp_path, body)
    assert code == 0, out
    assert "imported 5 answers in 3 reviews (1 complete, 2 in progress)" in out
    store = Store.open(db)
    audit = store.audit_named("Test audit")
    states = {(ac.case.case_ref, ac.case.force): ac.status for ac in store.audit_cases(audit.id)}
    assert states[("T/1", "Testshire")] == "complete"
    assert states[("T/2", "Testshire")] == "in_progress"
    t1 = next(
        ac
        for ac in store.audit_cases(audit.id)
        if ac.case.case_ref == "T/1" and ac.case.force == "Testshire"
    )
    assert t1.review_id is not None
    assert store.answers(t1.review_id)["REC-03"].note == "linked to 2023 report"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "T/1,Testshire,ann,primary,REC-99,yes,\n",
            ["answers.csv:2: question 'REC-99' is not in checklist mini"],
        ),
        (
            "T/1,Testshire,ann,primary,REC-01,partly,\n",
            ["answers.csv:2: REC-01 does not allow 'partly'"],
        ),
        (
            "T/9,Testshire,ann,primary,REC-01,yes,\n",
            ["answers.csv:2: case T/9 is not in this audit's sample"],
        ),
        (
            "T/1,,ann,primary,REC-01,yes,\n",
            ["answers.csv:2: case T/1 is in more than one force here"],
        ),
        ("T/1,Testshire,ann,boss,REC-01,yes,\n", ["answers.csv:2: role 'boss' is not one of"]),
        (
            "T/1,Testshire,ann,primary,REC-01,no,\nT/1,Testshire,ann,primary,REC-02,yes,\n",
            ["answers.csv:3: REC-02 is hidden by skip logic here (REC-01 is 'no')"],
        ),
        (
            "T/1,Testshire,ann,primary,REC-01,no,\nT/1,Testshire,bob,primary,REC-03,no,\n",
            ["answers.csv:3: case T/1 primary review is by ann"],
        ),
        (
            "T/1,Testshire,ann,primary,REC-01,no,\nT/1,Testshire,ann,primary,REC-01,yes,\n",
            ["answers.csv:3: REC-01 answered twice"],
        ),
        (
            # a second review by the primary reviewer would not be blind
            "T/1,Testshire,ann,primary,REC-01,no,\nT/1,Testshire,ann,second,REC-01,no,\n",
            ["answers.csv:3: ann would do both the primary and the second review of this case"],
        ),
        (
            # a repeated row does not replace the first, so REC-02 is judged hidden by 'no'
            "T/1,Testshire,ann,primary,REC-01,no,\nT/1,Testshire,ann,primary,REC-01,yes,\n"
            "T/1,Testshire,ann,primary,REC-02,yes,\n",
            ["answers.csv:3: REC-01 answered twice", "answers.csv:4: REC-02 is hidden"],
        ),
        (
            # every problem is listed, not just the first
            "T/9,Testshire,ann,primary,REC-01,yes,\nT/2,Testshire,ann,primary,REC-01,yes,\n"
            "T/2,Testshire,ann,primary,SPO-01,maybe,\n",
            ["answers.csv:2: case T/9", "answers.csv:4: SPO-01 does not allow 'maybe'"],
        ),
    ],
)
def test_refused_files_leave_the_database_unchanged(
    db: Path, tmp_path: Path, body: str, expected: list[str]
) -> None:
    before = dump(db)
    code, out = run(db, tmp_path, body)
    assert code == 2
    lines = [line.replace(str(tmp_path) + "/", "") for line in out.splitlines()]
    for fragment in expected:
        assert any(line.startswith(fragment) for line in lines), lines
    assert "Traceback" not in out
    assert dump(db) == before


def test_existing_review_is_not_overwritten(db: Path, tmp_path: Path) -> None:
    assert run(db, tmp_path, "T/1,Testshire,ann,primary,REC-01,no,\n")[0] == 0
    before = dump(db)
    code, out = run(db, tmp_path, "T/1,Testshire,ann,primary,REC-03,no,\n")
    assert code == 2 and "already has a primary review" in out
    assert dump(db) == before


def test_a_second_review_by_the_existing_primary_reviewer_is_refused(
    db: Path, tmp_path: Path
) -> None:
    assert run(db, tmp_path, "T/1,Testshire,ann,primary,REC-01,no,\n")[0] == 0
    before = dump(db)
    code, out = run(db, tmp_path, "T/1,Testshire,ann,second,REC-01,no,\n")
    assert code == 2 and "ann would do both the primary and the second review" in out
    assert dump(db) == before


def test_an_imported_second_review_keeps_the_pair_blind_both_ways(db: Path, tmp_path: Path) -> None:
    # dan's second review of T/2 is imported: T/2 is now chosen for dan's second review
    assert run(db, tmp_path, "T/2,Testshire,dan,second,REC-01,no,\n")[0] == 0
    store = Store.open(db)
    audit = store.audit_named("Test audit")
    t2 = next(ac for ac in store.audit_cases(audit.id) if ac.case.case_ref == "T/2"
              and ac.case.force == "Testshire")  # fmt: skip
    assert t2.second_reviewer == "dan"
    with pytest.raises(StoreError, match="already has a second reviewer \\(dan\\)"):
        store.assign_second(audit.id, [t2.case.id], "carl", "lead")
    store.close()
    before = dump(db)
    # dan cannot then do the primary review too, and nobody else may file the second one
    code, out = run(db, tmp_path, "T/2,Testshire,dan,primary,REC-01,no,\n")
    assert code == 2 and "dan would do both the primary and the second review" in out
    code, out = run(db, tmp_path, "T/3,Testshire,eve,primary,REC-01,no,\n"
                    "T/2,Testshire,carl,second,REC-03,no,\n")  # fmt: skip
    assert code == 2
    assert "already has a second review" in out or "dan's to do, not carl's" in out
    assert dump(db) == before


def test_a_case_chosen_for_a_second_reviewer_takes_only_theirs(db: Path, tmp_path: Path) -> None:
    store = Store.open(db)
    audit = store.audit_named("Test audit")
    t1 = next(ac for ac in store.audit_cases(audit.id) if ac.case.case_ref == "T/1"
              and ac.case.force == "Testshire")  # fmt: skip
    store.assign(audit.id, t1.case.id, "ann", "lead")
    with pytest.raises(
        StoreError,
        match="case T/1: ann is assigned this case's primary review; a second review must be by "
        "someone else",
    ):
        store.assign_second(audit.id, [t1.case.id], "ann", "lead")
    store.assign_second(audit.id, [t1.case.id], "bob", "lead")
    store.close()
    before = dump(db)
    code, out = run(db, tmp_path, "T/1,Testshire,kim,second,REC-01,no,\n")
    assert code == 2 and "the second review of this case is bob's to do, not kim's" in out
    assert dump(db) == before


def test_unknown_audit(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(HEAD + "T/1,Testshire,ann,primary,REC-01,no,\n")
    result = CliRunner().invoke(
        main, ["--db", str(db), "answers", "import", str(path), "--audit", "Nope"]
    )
    assert result.exit_code == 2
    assert "no audit named 'Nope' (audits: Test audit)" in result.stderr


# ------------------------------------------- the app's review rules hold for imports (issue 10.4)

HEAD_R = "case_ref,force,reviewer,role,question_id,answer,note,reason\n"


def run_r(db: Path, tmp_path: Path, body: str) -> tuple[int, list[str]]:
    """Import with the reason column; exit status and stderr lines, paths cut to the name."""
    path = tmp_path / "answers.csv"
    path.write_text(HEAD_R + body)
    result = CliRunner().invoke(
        main, ["--db", str(db), "answers", "import", str(path), "--audit", "Test audit"]
    )
    out = result.stderr if result.exit_code else result.stdout
    assert "Traceback" not in result.output
    return result.exit_code, [line.replace(str(tmp_path) + "/", "") for line in out.splitlines()]


def full(ref: str, who: str, role: str, rec03: str = "yes", reasons: str = "") -> str:
    """Every shown question of the mini checklist answered: a review imported complete."""
    return "".join(
        f"{ref},Testshire,{who},{role},{qid},{value},,{reasons}\n"
        for qid, value in (
            ("REC-01", "yes"),
            ("REC-02", "yes"),
            ("REC-03", rec03),
            ("SPO-01", "na"),
        )
    )


def case_id(db: Path, ref: str) -> int:
    store = Store.open(db)
    try:
        audit = store.audit_named("Test audit")
        return next(
            ac.case.id
            for ac in store.audit_cases(audit.id)
            if ac.case.case_ref == ref and ac.case.force == "Testshire"
        )
    finally:
        store.close()


def test_a_moderated_review_without_a_completed_pair_is_refused(db: Path, tmp_path: Path) -> None:
    before = dump(db)
    code, lines = run_r(db, tmp_path, full("T/2", "mod", "moderated", reasons="agreed at panel"))
    assert code == 2
    assert lines == [
        "answers.csv:2: case T/2: moderation needs a completed primary and a completed second "
        "review",
        "casereview: 1 problem(s); nothing was written",
    ]
    assert dump(db) == before


def test_a_moderated_review_over_an_unfinished_pair_is_refused(db: Path, tmp_path: Path) -> None:
    # T/2: a primary in progress in the database, a complete second review in the file
    assert run_r(db, tmp_path, "T/2,Testshire,ann,primary,REC-01,yes,,\n")[0] == 0
    before = dump(db)
    body = full("T/2", "bob", "second") + full("T/2", "mod", "moderated", reasons="panel")
    code, lines = run_r(db, tmp_path, body)
    assert code == 2
    assert lines == [
        "answers.csv:6: case T/2: moderation needs a completed primary and a completed second "
        "review",
        "casereview: 1 problem(s); nothing was written",
    ]
    assert dump(db) == before


def test_a_moderated_decision_needs_its_reason_by_line(db: Path, tmp_path: Path) -> None:
    # a completed pair in the database that disagrees on REC-03 only
    assert (
        run_r(db, tmp_path, full("T/2", "ann", "primary") + full("T/2", "bob", "second", "no"))[0]
        == 0
    )
    before = dump(db)
    body = (
        "T/2,Testshire,mod,moderated,REC-01,yes,,\n"  # both said yes: agreed, no reason needed
        "T/2,Testshire,mod,moderated,REC-02,yes,,\n"
        "T/2,Testshire,mod,moderated,REC-03,no,,\n"  # a decision between yes and no
        "T/2,Testshire,mod,moderated,SPO-01,na,,\n"
    )
    code, lines = run_r(db, tmp_path, body)
    assert code == 2
    assert lines == [
        "answers.csv:4: REC-03 of case T/2: a moderation decision needs a reason (it goes in the "
        "trail); the reviewers did not both answer 'no', so give it in the reason column",
        "casereview: 1 problem(s); nothing was written",
    ]
    assert dump(db) == before
    # with the reason it goes in, and the trail holds each decision as the app logs it
    body = body.replace("REC-03,no,,", "REC-03,no,,no link to the 2023 report on file")
    code, lines = run_r(db, tmp_path, body)
    assert code == 0, lines
    store = Store.open(db)
    audit = store.audit_named("Test audit")
    moderated = next(
        r for r in store.reviews_of_case(audit.id, case_id(db, "T/2")) if r.role == "moderated"
    )
    assert moderated.status == "complete"
    decisions = [
        (e.question_id, e.kind, e.new, e.reason)
        for e in store.events(moderated.id)
        if e.question_id
    ]
    store.close()
    assert decisions == [
        ("REC-01", "moderation", "yes", "agreed"),
        ("REC-02", "moderation", "yes", "agreed"),
        ("REC-03", "moderation", "no", "no link to the 2023 report on file"),
        ("SPO-01", "moderation", "na", "agreed"),
    ]


def test_a_pair_completed_by_the_same_file_can_be_moderated(db: Path, tmp_path: Path) -> None:
    # A legacy spreadsheet holds the primary, the second and the moderated answers together.
    body = (
        full("T/3", "ann", "primary")
        + full("T/3", "bob", "second", "no")
        + full("T/3", "mod", "moderated", "no", reasons="")
    )
    before = dump(db)
    code, lines = run_r(db, tmp_path, body)
    assert code == 2
    assert lines[0].startswith("answers.csv:12: REC-03 of case T/3: a moderation decision needs")
    assert dump(db) == before
    body = body.replace(
        "T/3,Testshire,mod,moderated,REC-03,no,,",
        "T/3,Testshire,mod,moderated,REC-03,no,,file shows no link",
    )
    code, lines = run_r(db, tmp_path, body)
    assert code == 0, lines
    assert "imported 12 answers in 3 reviews (3 complete, 0 in progress)" in lines[0]
    # but not when the file leaves that pair unfinished
    before = dump(db)
    body = (
        "T/4,Testshire,ann,primary,REC-01,yes,,\n"
        + full("T/4", "bob", "second")
        + full("T/4", "mod", "moderated", reasons="panel")
    )
    code, lines = run_r(db, tmp_path, body)
    assert code == 2
    assert lines == [
        "answers.csv:7: case T/4: moderation needs a completed primary and a completed second "
        "review",
        "casereview: 1 problem(s); nothing was written",
    ]
    assert dump(db) == before


def test_a_second_review_by_the_assignee_is_refused_before_the_primary_starts(
    db: Path, tmp_path: Path
) -> None:
    store = Store.open(db)
    store.assign(store.audit_named("Test audit").id, case_id(db, "T/2"), "ann", "lead")
    store.close()
    before = dump(db)
    code, lines = run_r(db, tmp_path, "T/2,Testshire,ann,second,REC-01,yes,,\n")
    assert code == 2
    assert lines == [
        "answers.csv:2: ann is assigned this case's primary review; a second review must be by "
        "someone else",
        "casereview: 1 problem(s); nothing was written",
    ]
    assert dump(db) == before


def test_a_reason_on_a_primary_answer_is_refused(db: Path, tmp_path: Path) -> None:
    before = dump(db)
    code, lines = run_r(db, tmp_path, "T/2,Testshire,ann,primary,REC-01,yes,,because\n")
    assert code == 2
    assert lines == [
        "answers.csv:2: a reason is for moderated answers only, not a primary review's (leave "
        "the reason column empty)",
        "casereview: 1 problem(s); nothing was written",
    ]
    assert dump(db) == before


def test_the_store_holds_the_same_second_review_rule(db: Path) -> None:
    store = Store.open(db)
    audit = store.audit_named("Test audit")
    t2, t3 = case_id(db, "T/2"), case_id(db, "T/3")
    store.assign(audit.id, t2, "ann", "lead")
    before = "\n".join(store.db.conn.iterdump())
    with pytest.raises(StoreError) as caught:
        store.open_review(audit.id, t2, "ann", "second")  # the assignee, blind to nobody
    assert str(caught.value) == (
        "ann is assigned this case's primary review; a second review must be by someone else"
    )
    store.open_review(audit.id, t3, "bob", "second")
    with pytest.raises(StoreError) as caught:
        store.open_review(audit.id, t3, "bob", "primary")  # the second reviewer takes it over
    assert str(caught.value) == (
        "bob would do both the primary and the second review of this case; a second review "
        "must be by someone else"
    )
    with pytest.raises(StoreError, match="started by moderation"):
        store.open_review(audit.id, t2, "mod", "moderated")  # round the completed-pair rule
    assert (
        "\n".join(store.db.conn.iterdump()).count('INSERT INTO "reviews"')
        == before.count('INSERT INTO "reviews"') + 1
    )  # only bob's second review of T/3
    store.close()


def test_imported_notes_are_written_to_the_trail_like_typed_ones(db: Path, tmp_path: Path) -> None:
    body = (
        "T/1,Testshire,ann,primary,REC-01,no,\n"
        "T/1,Testshire,ann,primary,REC-03,yes,linked to 2023 report\n"
    )
    code, out = run(db, tmp_path, body)
    assert code == 0, out
    store = Store.open(db)
    audit = store.audit_named("Test audit")
    (review,) = store.reviews_of_case(audit.id, case_id(db, "T/1"))
    imported = [
        (e.question_id, e.kind, e.old, e.new, e.reason)
        for e in store.events(review.id)
        if e.question_id
    ]
    # the same note typed in the app, for comparison: set_note's event
    other = store.open_review(audit.id, case_id(db, "T/2"), "bob")
    store.set_note(other.id, "REC-03", "linked to 2023 report", "bob")
    typed = [(e.question_id, e.kind, e.old, e.new, e.reason) for e in store.events(other.id)][-1]
    store.close()
    assert imported == [
        ("REC-01", "answer", None, "no", "imported"),
        ("REC-03", "answer", None, "yes", "imported"),
        ("REC-03", "note", None, "linked to 2023 report", None),
    ]
    assert typed == imported[-1]


@pytest.mark.parametrize("side", ["primary", "second"])
@pytest.mark.parametrize("pair_in", ["database", "file", "primary in the file"])
def test_a_moderated_answer_one_reviewer_gave_needs_its_reason(
    db: Path, tmp_path: Path, side: str, pair_in: str
) -> None:
    """Agreement is both reviewers giving the answer (issue 23.16). ann's primary says REC-03
    yes, bob's second no: a moderated answer siding with either is a decision, wherever the
    pair is (stored, imported by the same file, or one of each)."""
    primary, second = full("T/2", "ann", "primary"), full("T/2", "bob", "second", "no")
    stored = {"database": primary + second, "file": "", "primary in the file": second}[pair_in]
    if stored:
        assert run_r(db, tmp_path, stored)[0] == 0
    before = dump(db)
    in_file = {"database": "", "file": primary + second, "primary in the file": primary}[pair_in]
    value = "yes" if side == "primary" else "no"
    body = in_file + full("T/2", "mod", "moderated", value)  # no reason given
    code, lines = run_r(db, tmp_path, body)
    assert code == 2, lines
    line = body.splitlines().index(f"T/2,Testshire,mod,moderated,REC-03,{value},,") + 2
    assert lines == [
        f"answers.csv:{line}: REC-03 of case T/2: a moderation decision needs a reason (it goes "
        f"in the trail); the reviewers did not both answer '{value}', so give it in the reason "
        "column",
        "casereview: 1 problem(s); nothing was written",
    ]
    assert dump(db) == before
