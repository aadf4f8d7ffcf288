"""README promises about the commands: what they print, draw, refuse and write.

Expected figures are worked out by hand in the comments beside them.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.store import Store
from tests.factories import CASES, MINI, complete_review, seed_store


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def pool(tmp_path: Path, name: str = "pool.db") -> Path:
    db = tmp_path / name
    assert run(db, "cases", "import", str(CASES)).exit_code == 0
    assert run(db, "checklist", "add", str(MINI)).exit_code == 0
    return db


def test_audit_create_prints_its_refs_and_the_same_seed_draws_the_same_cases(
    tmp_path: Path,
) -> None:
    """'draws a seeded sample, prints its refs'; 'the same command on the same pool draws
    the same cases'."""
    args = ("audit", "create", "A", "--checklist", "mini", "--sample", "3", "--seed", "7")
    first = run(pool(tmp_path, "one.db"), *args)
    second = run(pool(tmp_path, "two.db"), *args)
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert lines[0] == "audit 'A': 3 of 6 cases, checklist mini@1, seed 7"
    refs = [line.split("\t") for line in lines[1:]]
    assert len(refs) == 3 and all(len(r) == 2 for r in refs)
    known = {("Testshire", f"T/{i}") for i in range(1, 5)} | {
        ("Otherton", "T/5"),
        ("Otherton", "T/1"),
    }
    assert {tuple(r) for r in refs} <= known
    assert second.stdout == first.stdout
    # and the store holds what was printed, in that order, with the seed
    store = Store.open(tmp_path / "one.db")
    audit = store.audit_named("A")
    assert audit.seed == 7
    assert [[ac.case.force, ac.case.case_ref] for ac in store.audit_cases(audit.id)] == refs


def test_audit_create_prints_the_strata_and_sizes_add_up(tmp_path: Path) -> None:
    db = pool(tmp_path)
    result = run(
        db, "audit", "create", "S", "--checklist", "mini", "--sample", "3", "--seed", "1",
        "--stratify", "force",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # pool: Testshire 4, Otherton 2 (of 6); 3 cases: exact 2.0 and 1.0
    table = [line.split() for line in result.stdout.splitlines()[3:5]]
    assert table == [["Otherton", "2", "1", "50.0%"], ["Testshire", "4", "2", "50.0%"]]
    store = Store.open(db)
    strata = [str(ac.stratum) for ac in store.audit_cases(store.audit_named("S").id)]
    assert sorted(strata) == ["Otherton", "Testshire", "Testshire"]


def test_asking_for_more_cases_than_the_scope_holds_is_refused(tmp_path: Path) -> None:
    db = pool(tmp_path)
    result = run(db, "audit", "create", "Big", "--checklist", "mini", "--sample", "7")
    assert result.exit_code == 2
    assert "asked for 7 cases but the scope holds only 6" in result.stderr
    assert Store.open(db).audits() == []


def test_audit_second_never_picks_the_reviewers_own_cases(tmp_path: Path) -> None:
    """'never X's own primary cases, never a case already chosen'."""
    db = pool(tmp_path)
    created = run(
        db, "audit", "create", "R", "--checklist", "mini", "--sample", "6", "--seed", "2",
        "--reviewers", "ann,bob",
    )  # fmt: skip
    assert created.exit_code == 0
    # ann has 3 cases; 3 of bob's are eligible for her
    result = run(db, "audit", "second", "R", "--reviewer", "ann", "--count", "3", "--seed", "1")
    assert result.exit_code == 0, result.output
    store = Store.open(db)
    sampled = store.audit_cases(store.audit_named("R").id)
    chosen = [ac for ac in sampled if ac.second_reviewer == "ann"]
    assert len(chosen) == 3 and {ac.assigned_to for ac in chosen} == {"bob"}
    store.close()
    # a fourth is refused: all of bob's are chosen, the rest are ann's own
    more = run(db, "audit", "second", "R", "--reviewer", "ann", "--count", "1")
    assert more.exit_code == 2
    assert "only 0 cases are neither ann's own primary reviews nor already chosen" in more.stderr
    # --share 0.5 of 6 = 3 cases for kim: only ann's three are not yet chosen
    share = run(db, "audit", "second", "R", "--reviewer", "kim", "--share", "0.5", "--seed", "3")
    assert share.exit_code == 0, share.output
    store = Store.open(db)
    sampled = store.audit_cases(store.audit_named("R").id)
    assert {ac.assigned_to for ac in sampled if ac.second_reviewer == "kim"} == {"ann"}
    assert sum(ac.second_reviewer == "kim" for ac in sampled) == 3
    store.close()
    both = run(db, "audit", "second", "R", "--reviewer", "kim", "--share", "0.5", "--count", "1")
    assert both.exit_code == 2 and "give one of --share" in both.stderr


def test_report_sections_gaps_and_caveats_by_hand(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    store = Store.open(db)
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "no", "SPO-03": "no"}
    weak = {"REC-01": "yes", "REC-02": "partly", "REC-03": "no", "SPO-01": "yes", "SPO-02": "yes"}
    complete_review(store, audit.id, ids[0], "ann", "primary", full)
    complete_review(store, audit.id, ids[1], "ann", "primary", weak)
    store.close()
    result = run(db, "report", "--audit", "Test audit")
    assert result.exit_code == 0, result.output
    text = result.stdout
    # Recording: full 1.0; weak (1 + 2*0.5 + 0)/4 = 0.5 -> 2 cases, mean 75%, 1 of 2 in full
    # Wilson 1 of 2: 9.5-90.5% -> "9%-91%" style as the report prints it
    assert "| Recording | 2 | 75% | 1 of 2 (50%) \u2020 |" in text
    # Protective orders: full (1*0 + 1*0)/2 = 0 [SPO-01 no, SPO-03 no]; weak (1 + 1)/2 = 1
    assert "| Protective orders | 2 | 50% | 1 of 2 (50%) \u2020 |" in text
    # SPO-03: one applicable answer, no -> 0 of 1; REC-03 yes, no -> 1 of 2
    assert "- SPO-03 Is the reason for not applying recorded? 0 of 1, 0.0%" in text
    assert "- REC-01 **(critical)** Was a crime recorded? 2 of 2, 100.0%" in text
    gaps = text[text.index("## Notable gaps") : text.index("## Caveats")]
    # lowest first: SPO-03 0% (n 1) before REC-03 50% (n 2) etc.
    assert gaps.index("SPO-03") < gaps.index("REC-03")
    assert "This is a sample of 2 reviewed files." in text
    assert "Reviews counted: 2 completed of 6 sampled (4 not complete and left out)" in text
    assert "- Sample: 6 case files drawn at random (seed 1)" in text
    assert "6 question(s) have fewer than 10 applicable answers" in text
