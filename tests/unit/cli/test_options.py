"""Issue 17, the command line: --db and --reviewer after the command too, export --out
refusing an existing file without --force, and --where taking several values of a field
and naming the values a field does have."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.core.text import closest_first
from casereview.store import Store
from tests.factories import CASES, complete_review, seed_store

SAMPLE_POOL = Path(__file__).parents[3] / "src" / "casereview" / "sample_cases" / "sample_cases.csv"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"CASEREVIEW_REVIEWER": "env-user"})


def test_db_after_the_command_is_the_same_as_before(tmp_path: Path) -> None:
    """`cases import x.csv --db new.db` is what newcomers type."""
    after, before = tmp_path / "after.db", tmp_path / "before.db"
    assert run("cases", "import", str(CASES), "--db", str(after)).exit_code == 0
    assert run("--db", str(before), "cases", "import", str(CASES)).exit_code == 0
    assert Store.open(after).count_cases() == Store.open(before).count_cases() == 6
    # and after a subcommand of a group, with --opt=value
    listed = run("audit", "list", f"--db={after}")
    assert listed.exit_code == 0 and "no audits yet" in listed.output


def test_given_twice_it_must_agree(tmp_path: Path) -> None:
    """Before and after with two values: refused (exit 2), nothing created; the same value
    twice is fine."""
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    result = run("--db", str(a), "cases", "import", str(CASES), "--db", str(b))
    assert result.exit_code == 2
    assert f"--db is given twice, {a} before the command and {b} after it" in result.output
    assert not a.exists() and not b.exists()
    assert run("--db", str(a), "cases", "import", str(CASES), "--db", str(a)).exit_code == 0
    twice = run("--reviewer", "kim", "audit", "list", "--db", str(a), "--reviewer", "lee")
    assert twice.exit_code == 2 and "--reviewer is given twice, kim before" in twice.output


def test_reviewer_after_the_command_signs_the_work(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    assert run("--db", str(db), "cases", "import", str(CASES)).exit_code == 0
    result = run(
        "audit", "create", "Q1", "--checklist", "stalking-casefile", "--sample", "2",
        "--seed", "1", "--db", str(db), "--reviewer", "kim",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert Store.open(db).audit_named("Q1").created_by == "kim"
    # `audit second --reviewer` keeps its own meaning: the second reviewer
    second = run("--db", str(db), "audit", "second", "Q1", "--reviewer", "sue", "--count", "1")
    assert second.exit_code == 0, second.output
    assert [ac.second_reviewer for ac in Store.open(db).audit_cases(1)].count("sue") == 1


def test_export_out_refuses_an_existing_file_without_force(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    store = Store.open(db)
    audit = seed_store(store)
    case_id = store.audit_cases(audit.id)[0].case.id
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "no", "SPO-01": "na"}
    complete_review(store, audit.id, case_id, "ann", "primary", full)
    store.close()
    out = tmp_path / "board.csv"
    out.write_text("last month's", encoding="utf-8")
    args = ["--db", str(db), "export", "questions", "--audit", "Test audit", "--out", str(out)]
    refused = run(*args)
    assert refused.exit_code == 2
    assert f"{out} exists; give --force to replace it" in refused.output
    assert out.read_text(encoding="utf-8") == "last month's"
    forced = run(*args, "--force")
    assert forced.exit_code == 0, forced.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbfaudit,section_id,question_id,")
    fresh = tmp_path / "new.csv"  # a new file needs no --force
    assert run(*args[:-1], str(fresh)).exit_code == 0 and fresh.exists()


@pytest.fixture
def pool(tmp_path: Path) -> Path:
    db = tmp_path / "pool.db"
    assert run("--db", str(db), "cases", "import", str(SAMPLE_POOL)).exit_code == 0
    return db


def offences() -> dict[str, int]:
    with SAMPLE_POOL.open(encoding="utf-8-sig") as f:
        counts: dict[str, int] = {}
        for row in csv.DictReader(f):
            counts[row["offence"]] = counts.get(row["offence"], 0) + 1
    return counts


def test_one_field_twice_means_either(pool: Path) -> None:
    """`--where offence=a --where offence=b` draws from cases of a or b; the scope keeps
    both. With the whole a-or-b pool asked for, the sample is exactly those cases."""
    counts = offences()
    a, b = "Stalking (s2A)", "Harassment (s2)"
    n = counts[a] + counts[b]
    result = run(
        "--db", str(pool), "audit", "create", "Both", "--checklist", "stalking-casefile",
        "--sample", str(n), "--seed", "3", "--where", f"offence={a}", "--where", f"offence={b}",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    store = Store.open(pool)
    audit = store.audit_named("Both")
    assert audit.scope["where"] == {"offence": [a, b]}
    drawn = [ac.case.offence or "" for ac in store.audit_cases(audit.id)]
    assert sorted(set(drawn)) == sorted([a, b]) and len(drawn) == n
    too_many = run(
        "--db", str(pool), "audit", "create", "More", "--checklist", "stalking-casefile",
        "--sample", str(n + 1), "--where", f"offence={a}", "--where", f"offence={b}",
    )  # fmt: skip
    assert too_many.exit_code == 2 and f"holds only {n}" in too_many.output
    # one value stays a plain value in the recorded scope, as before
    one = run(
        "--db", str(pool), "audit", "create", "One", "--checklist", "stalking-casefile",
        "--sample", "2", "--where", f"offence={a}", "--where", f"offence={a}",
    )  # fmt: skip
    assert one.exit_code == 0 and store.audit_named("One").scope["where"] == {"offence": a}


def test_a_value_no_case_has_is_named_with_the_values_there_are(pool: Path) -> None:
    result = run(
        "--db", str(pool), "audit", "create", "Typo", "--checklist", "stalking-casefile",
        "--sample", "5", "--where", "offence=stalking (s2a)",
    )  # fmt: skip
    assert result.exit_code == 2
    message = result.output
    assert "no case has offence = 'stalking (s2a)'; values are: 'Stalking (s2A)', " in message
    assert "Traceback" not in message
    assert Store.open(pool).audits() == []


def test_closest_first() -> None:
    """Ordered by likeness, case and spacing ignored; ties keep their order."""
    values = ["Harassment (s2)", "Stalking (s4A)", "Stalking (s2A)", "Malicious communications"]
    assert closest_first("stalking  (S2A)", values)[:2] == ["Stalking (s2A)", "Stalking (s4A)"]
    assert closest_first("harassment", values)[0] == "Harassment (s2)"
    assert closest_first("zzz", ["b", "a"]) == ["b", "a"]


def test_audit_names_match_whatever_the_capitals(tmp_path: Path) -> None:
    """--audit 'test AUDIT' finds 'Test audit' (the only audit it can mean); a near miss
    exits 2 with "did you mean"; two audits differing only in capitals are not guessed
    between."""
    db = tmp_path / "a.db"
    store = Store.open(db)
    audit = seed_store(store)
    one = [store.audit_cases(audit.id)[0].case.id]
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "no", "SPO-01": "na"}
    complete_review(store, audit.id, one[0], "ann", "primary", full)
    store.create_audit("TEST AUDIT 2", audit.checklist_pk, one, created_by="t", seed=1)
    store.close()
    found = run("--db", str(db), "export", "sections", "--audit", "test AUDIT")
    assert found.exit_code == 0, found.output
    assert "Test audit," in found.output
    near = run("--db", str(db), "export", "sections", "--audit", "Tset audit")
    assert near.exit_code == 2
    assert "no audit named 'Tset audit'" in near.stderr
    assert "did you mean 'Test audit'?" in near.stderr
    far = run("--db", str(db), "export", "sections", "--audit", "zzz")
    assert far.exit_code == 2 and "did you mean" not in far.stderr
    store = Store.open(db)
    one = [store.audit_cases(audit.id)[0].case.id]
    store.create_audit("test audit", audit.checklist_pk, one, created_by="t", seed=1)
    store.close()
    both = run("--db", str(db), "export", "sections", "--audit", "TEST Audit")
    assert both.exit_code == 2
    assert "did you mean 'Test audit'?" in both.stderr or "did you mean 'test audit'?" in (
        both.stderr
    )
