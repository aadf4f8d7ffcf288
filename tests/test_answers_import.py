"""Legacy answers import: all or nothing, every problem by line, the database unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.store import Store, StoreError
from tests.conftest import seed_store

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
    audit = store.audit("Test audit")
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
    audit = store.audit("Test audit")
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
    audit = store.audit("Test audit")
    t1 = next(ac for ac in store.audit_cases(audit.id) if ac.case.case_ref == "T/1"
              and ac.case.force == "Testshire")  # fmt: skip
    store.assign(audit.id, t1.case.id, "ann", "lead")
    with pytest.raises(StoreError, match="ann's own primary review"):
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
