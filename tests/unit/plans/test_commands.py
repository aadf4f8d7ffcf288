"""`casereview plan import | list | set` and `casereview report --plan`: exit status, the
message, the database as left, and the report read back in each of its forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from docx import Document
from openpyxl import load_workbook

from casereview.cli import main
from casereview.store import Store
from tests.unit.plans.factories import FORCE, force_audits
from tests.unit.plans.test_evidence import PLAN


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "qa.lead", *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "p.db"
    store = Store.open(path)
    force_audits(store)
    store.close()
    return path


@pytest.fixture
def planned(db: Path, tmp_path: Path) -> Path:
    plan = tmp_path / "plan.csv"
    plan.write_text(PLAN, encoding="utf-8")
    result = run(db, "plan", "import", str(plan), "--force", FORCE)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{FORCE}: 2 recommendations, 4 actions\n"
    return db


def test_a_bad_file_exits_2_by_line_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(PLAN.replace("done,,A-9", "finished,,A-9"), encoding="utf-8")
    result = run(db, "plan", "import", str(plan), "--force", FORCE)
    assert result.exit_code == 2
    assert f"{plan}:3: status 'finished' is not one of" in result.stderr
    store = Store.open(db)
    assert store.plan(FORCE) is None
    assert store.db.execute("SELECT count(*) FROM events WHERE plan_id IS NOT NULL").fetchone() == (
        0,
    )


def test_list_shows_statuses_and_flags(planned: Path) -> None:
    result = run(planned, "plan", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == FORCE
    assert lines[1] == "  R1  Record stalking correctly"
    # due 2024-06-30 and only planned: overdue today
    assert lines[4].startswith("    R1.3  planned      2024-06-30  insp.khan  Not yet")
    assert lines[4].endswith("[overdue]")


def test_set_changes_an_action_with_its_trail(planned: Path) -> None:
    result = run(
        planned, "plan", "set", FORCE, "R1.3", "--status", "in progress", "--due", "31/12/2099"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "R1.3: status, due changed\n"
    store = Store.open(planned)
    action = store.plan_of(FORCE).action("R1.3")
    assert (action.status, action.due) == ("in_progress", "2099-12-31")
    last = store.plan_events(FORCE)[-1]
    assert (last.kind, last.old, last.new, last.actor) == (
        "action_due",
        "2024-06-30",
        "2099-12-31",
        "qa.lead",
    )
    refused = run(planned, "plan", "set", FORCE, "R1.3", "--status", "dropped")
    assert refused.exit_code == 2
    assert "a dropped action needs its reason" in refused.stderr


def test_report_as_markdown(planned: Path) -> None:
    result = run(planned, "report", "--plan", FORCE)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith(f"# Action plan progress: {FORCE}\n")
    assert (
        "2 recommendations, 4 actions: 2 done (1 with linked figures shown to have moved)" in text
    )
    assert "### R1.1: moved" in text
    assert "### R1.2: not shown to have moved" in text
    # worked in test_evidence: 1 of 6 (Wilson 3-56%) to 6 of 6 (61-100%), +83.3 points
    assert (
        "- A-1 First standard? \u2014 before: Feb (2024-02): 1 of 6, 17% (95% CI 3-56%); "
        "after: May (2024-05): 6 of 6, 100% (95% CI 61-100%); "
        "change +83.3 points (95% CI +27.7 to +97.0), improved; "
        "control chart: 2024-05: beyond limits"
    ) in text


def test_report_as_word_and_workbook(planned: Path, tmp_path: Path) -> None:
    docx_path = tmp_path / "progress.docx"
    assert run(planned, "report", "--plan", FORCE, "--out", str(docx_path)).exit_code == 0
    document = Document(str(docx_path))
    headings = [
        p.text
        for p in document.paragraphs
        if (p.style.name if p.style else "").startswith("Heading")
    ]
    assert f"Action plan progress: {FORCE}" in headings
    assert "R1.2: not shown to have moved" in headings
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["Action", "Owner", "Due", "Status", "Flags"]
    assert rows[2][3:] == ["done", "done, not shown to have moved"]
    assert rows[3][4] == "overdue"

    xlsx_path = tmp_path / "progress.xlsx"
    assert run(planned, "report", "--plan", FORCE, "--out", str(xlsx_path)).exit_code == 0
    book = load_workbook(xlsx_path)
    actions = list(book["actions"].iter_rows(values_only=True))
    assert actions[1][3:8] == ("R1.1", "Train call handlers", "insp.khan", "2024-02-29", "done")
    assert actions[1][10] == "moved"
    evidence = list(book["evidence"].iter_rows(values_only=True))
    header = evidence[0]
    first = dict(zip(header, evidence[1], strict=True))
    assert (first["action"], first["linked"], first["before_n"], first["after_credit"]) == (
        "R1.1",
        "A-1",
        6,
        6,
    )
    assert (first["change_pts"], first["change_low_pts"], first["change_high_pts"]) == (
        83.3,
        27.7,
        97.0,
    )


def test_report_of_a_force_without_a_plan_exits_2(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "none.docx"
    result = run(db, "report", "--plan", "Nowhere", "--out", str(out))
    assert result.exit_code == 2
    assert "Nowhere has no action plan" in result.stderr
    assert not out.exists()


def test_a_blind_second_reviewer_with_a_pair_open_gets_no_report(
    planned: Path, tmp_path: Path
) -> None:
    store = Store.open(planned)
    may = store.audit_named("May")
    first = store.audit_cases(may.id)[0].case.id
    store.assign_second(may.id, [first], "bob", "qa.lead")
    store.close()
    out = tmp_path / "progress.xlsx"
    result = CliRunner().invoke(
        main,
        ["--db", str(planned), "--reviewer", "bob", "report", "--plan", FORCE, "--out", str(out)],
    )
    assert result.exit_code == 2
    assert "bob is the blind second reviewer of 1 case(s)" in result.stderr
    assert not out.exists()
