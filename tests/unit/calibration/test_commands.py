"""The calibration commands: setting up, recording blind, results recorded with a date, the
export read back, and an audit that requires calibration naming who has not passed."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.services import agreement, findings
from casereview.services.trend import build_trend
from casereview.services.trend_tables import trend_table
from casereview.store import Store
from tests.factories import complete, seed_store

# Every review of the mini checklist answers REC-01..03 and SPO-01 (SPO-02 and SPO-03 are
# shown only for SPO-01 yes / no).
GOLD = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
CASES = ("T/1", "T/2", "T/3")


def run(db: Path, *args: str, who: str = "lead") -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", who, *args])


def answers_file(tmp_path: Path, who: str, per_case: dict[str, dict[str, str]]) -> Path:
    path = tmp_path / f"{who}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["case_ref", "question_id", "answer", "note"])
        for ref, answers in per_case.items():
            for qid, value in answers.items():
                w.writerow([ref, qid, value, f"{who} on {ref} {qid}"])
    return path


def bob_answers() -> dict[str, dict[str, str]]:
    """bob says partly where gold says yes on REC-02 (all three cases), and no on T/1's
    REC-03."""
    out = {ref: {**GOLD, "REC-02": "partly"} for ref in CASES}
    out["T/1"]["REC-03"] = "no"
    return out


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "review.db"
    store = Store.open(path)
    seed_store(store)
    store.close()
    made = run(
        path,
        "calibration", "create", "Spring calibration", "--checklist", "mini",
        "--cases", ",".join(CASES), "--force", "Testshire",
        "--moderator", "mod", "--reviewers", "ann,bob",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    return path


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def record_all(db: Path, tmp_path: Path) -> None:
    gold = answers_file(tmp_path, "mod", dict.fromkeys(CASES, GOLD))
    assert (
        run(
            db, "calibration", "record", "Spring calibration", str(gold), "--gold", who="mod"
        ).exit_code
        == 0
    )
    ann = answers_file(tmp_path, "ann", dict.fromkeys(CASES, GOLD))
    assert (
        run(db, "calibration", "record", "Spring calibration", str(ann), who="ann").exit_code == 0
    )
    bob = answers_file(tmp_path, "bob", bob_answers())
    assert (
        run(db, "calibration", "record", "Spring calibration", str(bob), who="bob").exit_code == 0
    )


def test_create_records_the_cases_moderator_and_reviewers(db: Path) -> None:
    assert rows(db, "SELECT name, moderator, reviewers FROM calibrations") == [
        ("Spring calibration", "mod", '["ann", "bob"]')
    ]
    assert rows(db, "SELECT count(*) FROM calibration_cases") == [(3,)]


def test_create_refuses_the_moderator_as_a_reviewer_and_unknown_cases(db: Path) -> None:
    result = run(
        db, "calibration", "create", "Other", "--checklist", "mini", "--cases", "T/1",
        "--force", "Testshire", "--moderator", "ann", "--reviewers", "ann,bob",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "cannot also review blind" in result.output
    result = run(
        db, "calibration", "create", "Other", "--checklist", "mini", "--cases", "T/1,NOPE",
        "--moderator", "mod", "--reviewers", "bob",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "'T/1' is a case of Otherton, Testshire: name its force (--force)" in result.output
    assert "'NOPE' is not in the pool" in result.output
    assert rows(db, "SELECT count(*) FROM calibrations") == [(1,)]


def test_gold_is_the_moderators_and_reviews_the_named_reviewers(db: Path, tmp_path: Path) -> None:
    gold = answers_file(tmp_path, "x", dict.fromkeys(CASES, GOLD))
    bob_gold = run(
        db, "calibration", "record", "Spring calibration", str(gold), "--gold", who="bob"
    )
    assert bob_gold.exit_code == 2
    assert "the gold review is the moderator's (mod)" in bob_gold.output
    mod_blind = run(db, "calibration", "record", "Spring calibration", str(gold), who="mod")
    assert mod_blind.exit_code == 2
    stranger = run(db, "calibration", "record", "Spring calibration", str(gold), who="eve")
    assert stranger.exit_code == 2
    assert "not one of this calibration's reviewers" in stranger.output
    assert rows(db, "SELECT count(*) FROM calibration_reviews") == [(0,)]


def test_a_bad_file_is_refused_whole_with_every_problem(db: Path, tmp_path: Path) -> None:
    bad = {
        "T/1": {**GOLD, "SPO-02": "yes"},  # hidden: SPO-01 is na
        "T/2": {"REC-01": "yes"},  # REC-02, REC-03, SPO-01 unanswered
        "T/3": {**GOLD, "REC-01": "partly"},  # REC-01 allows yes, no, unknown
    }
    result = run(
        db,
        "calibration",
        "record",
        "Spring calibration",
        str(answers_file(tmp_path, "ann", bad)),
        who="ann",
    )
    assert result.exit_code == 2
    assert "T/1: SPO-02 is answered, but its skip logic hides it" in result.output
    assert "T/2: shown questions are unanswered (REC-02, REC-03, SPO-01)" in result.output
    assert "REC-01 does not allow 'partly'" in result.output
    assert rows(db, "SELECT count(*) FROM calibration_reviews") == [(0,)]


def test_a_case_outside_the_calibration_is_refused_in_a_file(db: Path, tmp_path: Path) -> None:
    """T/4 is in the pool but not in the calibration: no gold to compare it with."""
    outside = answers_file(tmp_path, "ann", {"T/1": GOLD, "T/4": GOLD})
    result = run(db, "calibration", "record", "Spring calibration", str(outside), who="ann")
    assert result.exit_code == 2
    assert "'T/4' is not a case of 'Spring calibration'" in result.output
    assert rows(db, "SELECT count(*) FROM calibration_reviews") == [(0,)]


def test_a_review_is_recorded_once(db: Path, tmp_path: Path) -> None:
    ann = answers_file(tmp_path, "ann", {"T/1": GOLD})
    assert (
        run(db, "calibration", "record", "Spring calibration", str(ann), who="ann").exit_code == 0
    )
    again = run(db, "calibration", "record", "Spring calibration", str(ann), who="ann")
    assert again.exit_code == 2
    assert "already recorded T/1" in again.output
    assert rows(db, "SELECT reviewer, role FROM calibration_reviews") == [("ann", "reviewer")]
    # the gold reasons travel as notes
    gold = answers_file(tmp_path, "mod", {"T/1": GOLD})
    run(db, "calibration", "record", "Spring calibration", str(gold), "--gold", who="mod")
    assert ("mod on T/1 REC-02",) in rows(
        db,
        "SELECT note FROM calibration_answers a JOIN calibration_reviews r ON r.id = a.review_id"
        " WHERE r.role = 'gold'",
    )


def test_a_reviewer_sees_nothing_until_their_own_reviews_are_recorded(
    db: Path, tmp_path: Path
) -> None:
    gold = answers_file(tmp_path, "mod", dict.fromkeys(CASES, GOLD))
    run(db, "calibration", "record", "Spring calibration", str(gold), "--gold", who="mod")
    ann = answers_file(tmp_path, "ann", {"T/1": GOLD})
    run(db, "calibration", "record", "Spring calibration", str(ann), who="ann")
    for args in (
        ("calibration", "result", "Spring calibration"),
        ("export", "calibration", "--calibration", "Spring calibration", "--format", "csv"),
    ):
        result = run(db, *args, who="ann")
        assert result.exit_code == 2, result.output
        assert "ann has recorded 1 of 3 calibration review(s)" in result.output
        assert "yes" not in result.stdout
    assert run(db, "calibration", "result", "Spring calibration", who="mod").exit_code == 0
    assert rows(db, "SELECT count(*) FROM calibration_results") == [(0,)]  # nobody finished


def test_result_per_reviewer_is_recorded_with_a_date(db: Path, tmp_path: Path) -> None:
    record_all(db, tmp_path)
    result = run(db, "calibration", "result", "Spring calibration", who="ann")
    assert result.exit_code == 0, result.output
    # bob, 12 pairs (4 questions x 3 cases) against gold: agrees on REC-01 x3, REC-03 x2,
    # SPO-01 x3 = 8 of 12. Gold shares: yes 9/12, na 3/12; bob's: yes 5/12, partly 3/12,
    # no 1/12, na 3/12. pe = .75 * 5/12 + .25 * 3/12 = 3/8; kappa = (2/3 - 3/8) / (5/8) = 7/15
    bob = next(line for line in result.output.splitlines() if line.startswith("bob"))
    assert "8 of 12 (67%)" in bob and "0.47" in bob and "not passed" in bob
    assert "0/4" in bob  # above / below gold: REC-02 partly x3 and REC-03 no, all below
    saved = rows(
        db,
        "SELECT reviewer, passed, round(kappa, 4), decided_by, decided_at"
        " FROM calibration_results ORDER BY reviewer",
    )
    assert [(r[0], r[1], r[2], r[3]) for r in saved] == [
        ("ann", 1, 1.0, "ann"),
        ("bob", 0, round(7 / 15, 4), "ann"),
    ]
    today = datetime.now(timezone.utc).date().isoformat()
    assert all(str(r[4])[:10] == today for r in saved)
    # the same result again keeps its first date
    run(db, "calibration", "result", "Spring calibration", who="mod")
    assert rows(db, "SELECT decided_at FROM calibration_results ORDER BY reviewer") == [
        (r[4],) for r in saved
    ]
    # a team's lower limit: 60% agreement passes bob (8 of 12 = 67%)
    run(db, "calibration", "result", "Spring calibration", "--agreement", "60", who="mod")
    assert rows(db, "SELECT passed FROM calibration_results WHERE reviewer = 'bob'") == [(1,)]


def test_export_calibration_read_back(db: Path, tmp_path: Path) -> None:
    record_all(db, tmp_path)
    out = tmp_path / "calibration.csv"
    result = run(
        db, "export", "calibration", "--calibration", "Spring calibration", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    overall = {r["reviewer"]: r for r in table if r["reviewer"] and not r["question_id"]}
    assert overall["ann"]["passed"] == "true" or overall["ann"]["passed"] in ("True", "1", "TRUE")
    assert float(overall["bob"]["kappa"]) == pytest.approx(7 / 15, abs=1e-3)
    assert overall["bob"]["below_gold"] == "4"
    # REC-02 among ann and bob: every case (yes, partly): P_i = 0, Pe = .5, kappa = -1
    # REC-03: (yes,no) (yes,yes) (yes,yes): p_yes 5/6; Pbar 2/3; Pe 26/36; kappa -0.2
    fleiss = {r["question_id"]: r for r in table if not r["reviewer"]}
    assert float(fleiss["REC-02"]["fleiss_kappa"]) == pytest.approx(-1)
    assert float(fleiss["REC-03"]["fleiss_kappa"]) == pytest.approx(-0.2)
    assert fleiss["REC-01"]["fleiss_kappa"] == ""  # every answer yes: undefined
    assert rows(db, "SELECT count(*) FROM calibration_results") == [(0,)]  # export decides nothing


def test_export_kinds_keep_their_options_apart(db: Path) -> None:
    result = run(db, "export", "calibration", "--audit", "Test audit")
    assert result.exit_code == 2
    assert "--calibration NAME" in result.output
    result = run(db, "export", "questions")
    assert result.exit_code == 2
    assert "takes --audit NAME" in result.output


def test_calibration_never_counts_in_an_audits_figures(db: Path, tmp_path: Path) -> None:
    store = Store.open(db)
    audit = store.audit_named("Test audit")
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    complete(store, audit, ids[0], "ann", "primary", GOLD)
    complete(store, audit, ids[0], "sue", "second", {**GOLD, "REC-03": "no"})
    before = findings.question_table(findings.load(store, "Test audit")).rows
    agreed = agreement.agreement_table(findings.load(store, "Test audit")).rows
    trended = trend_table(build_trend(store, "mini")).rows
    store.close()
    record_all(db, tmp_path)  # the same cases, reviewed for a calibration
    store = Store.open(db)
    assert findings.question_table(findings.load(store, "Test audit")).rows == before
    assert agreement.agreement_table(findings.load(store, "Test audit")).rows == agreed
    assert trend_table(build_trend(store, "mini")).rows == trended
    assert [a.name for a in store.audits()] == ["Test audit"]
    assert store.audit_named("Test audit").n_complete == 1
    store.close()


def test_an_audit_requiring_calibration_names_who_has_not_passed(db: Path, tmp_path: Path) -> None:
    made = run(
        db, "audit", "create", "Summer", "--checklist", "mini", "--sample", "4", "--seed", "1",
        "--period", "2024-06", "--reviewers", "ann,bob", "--require-calibration", "12",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "not passed: ann, bob" in made.stderr
    assert rows(db, "SELECT calibration_months FROM audits WHERE name = 'Summer'") == [(12,)]
    record_all(db, tmp_path)
    assert run(db, "calibration", "result", "Spring calibration", who="mod").exit_code == 0
    listed = run(db, "audit", "list")
    assert listed.exit_code == 0
    assert (
        "'Summer' requires a calibration passed on its checklist version within 12 months; "
        "not passed: bob" in listed.stderr
    )
    assert "Test audit" not in listed.stderr  # it requires none


def test_the_calibration_report_ranks_questions_and_shows_where_reviewers_split(
    db: Path, tmp_path: Path
) -> None:
    record_all(db, tmp_path)
    early = run(db, "report", "--calibration", "Spring calibration", who="ann")
    assert early.exit_code == 0, early.output
    text = early.stdout
    # worst first: REC-02 (-1: every case yes against partly), REC-03 (-0.2), then the
    # two questions every reviewer answered alike everywhere (undefined: one answer only)
    ranked = [line.split("|")[2].strip() for line in text.splitlines() if line.startswith("| ")]
    ranking = [q for q in ranked if q.startswith(("REC", "SPO"))]
    assert ranking[:2] == ["REC-02", "REC-03"]
    assert "| 1 | REC-02 | -1.00 | 3 | below 0.6 |" in text
    assert "### REC-02 Was it recorded as stalking?" in text
    # the answers each chose and their notes, gold's reasons first
    assert "**T/1**: gold yes (mod on T/1 REC-02); ann yes (ann on T/1 REC-02); bob partly" in text
    # bob leans below gold 4 times, never above; he said yes 5 times where gold said it 9
    assert "| bob | 0 | 4 | 5 (9) | 3 (0) | 1 (0) | 3 (3) | 0 (0) | 0 (0) |" in text
    docx = tmp_path / "calibration.docx"
    made = run(db, "report", "--calibration", "Spring calibration", "--out", str(docx), who="mod")
    assert made.exit_code == 0, made.output
    from docx import Document

    words = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "Where reviewers split" in words and "REC-02 Was it recorded as stalking?" in words


def test_the_calibration_report_is_blind_too(db: Path, tmp_path: Path) -> None:
    gold = answers_file(tmp_path, "mod", dict.fromkeys(CASES, GOLD))
    run(db, "calibration", "record", "Spring calibration", str(gold), "--gold", who="mod")
    result = run(db, "report", "--calibration", "Spring calibration", who="bob")
    assert result.exit_code == 2
    assert "bob has recorded 0 of 3" in result.output
    assert "mod on T/1" not in result.output


def test_the_findings_report_says_who_has_not_passed_a_required_calibration(
    db: Path, tmp_path: Path
) -> None:
    store = Store.open(db)
    audit = store.audit_named("Test audit")
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    complete(store, audit, ids[0], "ann", "primary", GOLD)
    complete(store, audit, ids[1], "bob", "primary", GOLD)
    store.close()
    plain = run(db, "report", "--audit", "Test audit")
    assert plain.exit_code == 0, plain.output
    assert "calibration" not in plain.stdout  # it requires none
    store = Store.open(db)
    store.require_calibration(audit.id, 6)
    store.close()
    record_all(db, tmp_path)
    run(db, "calibration", "result", "Spring calibration", who="mod")  # ann passes, bob not
    report = run(db, "report", "--audit", "Test audit")
    assert (
        "The audit requires its reviewers to have passed a calibration on this checklist "
        "version within 6 months; not passed: bob." in report.stdout
    )
