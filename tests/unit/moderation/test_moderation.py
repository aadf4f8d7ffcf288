"""Blind second review, moderation and the audit trail: findings that survive challenge."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from textual.widgets import DataTable, OptionList

from casereview.cli import main
from casereview.core.fields import Role
from casereview.services import findings
from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import ReviewScreen
from casereview.tui.screens.moderation import ModerationScreen
from tests.factories import complete_review, seed_store

SIZE = (120, 36)
FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


def review(
    store: Store, audit: AuditInfo, case_id: int, who: str, role: Role, answers: dict[str, str]
) -> int:
    return complete_review(store, audit.id, case_id, who, role, answers)


async def test_second_reviewer_works_blind(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "b.db")
    audit = seed_store(store)
    first = store.audit_cases(audit.id)[0].case
    review(store, audit, first.id, "ann", "primary", FULL)
    store.assign_second(audit.id, [first.id], "bob", "lead")
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert (screen.role, screen.review_id) == ("second", None)  # a look starts nothing
        # nothing of ann's shows: no answer marks, REC-02 still hidden (it depends on REC-01)
        prompts = [str(o.prompt) for o in screen.query_one(OptionList).options]
        assert not any("Yes" in p or "N/A" in p for p in prompts)
        assert screen.shown == ["REC-01", "REC-03", "SPO-01"]
        await pilot.press("n")
        r = store.review(screen.review_id or 0)
        assert (r.role, r.reviewer, r.status) == ("second", "bob", "in_progress")
        assert store.answer_values(r.id) == {"REC-01": "no"}
    # ann's primary review is untouched
    primary = store.reviews_of_case(audit.id, first.id)[0]
    assert store.answer_values(primary.id) == FULL


async def test_moderation_decision_changes_the_findings(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    case = store.audit_cases(audit.id)[0].case
    review(store, audit, case.id, "ann", "primary", FULL)
    review(store, audit, case.id, "bob", "second", {**FULL, "REC-03": "no"})
    before = {
        r["question_id"]: r for r in findings.question_table(findings.load(store, audit.name)).rows
    }
    assert before["REC-03"]["compliance_pct"] == 100.0  # the primary counts: yes
    app = make_app(store, "mod")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # the audit's cases
        await pilot.press("o")
        screen = app.screen
        assert isinstance(screen, ModerationScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 1  # only the disagreement, REC-03
        await pilot.press("2")  # take the second reviewer's "no"
        await pilot.press(*"File shows no link to the earlier reports", "enter")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
    moderated = [r for r in store.reviews_of_case(audit.id, case.id) if r.role == "moderated"][0]
    assert moderated.status == "complete" and moderated.reviewer == "mod"
    assert store.answer_values(moderated.id) == {**FULL, "REC-03": "no"}
    decision = [e for e in store.events(moderated.id) if e.question_id == "REC-03"][-1]
    assert (decision.kind, decision.new, decision.reason) == (
        "moderation",
        "no",
        "File shows no link to the earlier reports",
    )
    after = {
        r["question_id"]: r for r in findings.question_table(findings.load(store, audit.name)).rows
    }
    assert after["REC-03"]["compliance_pct"] == 0.0  # the moderated review now counts


async def test_moderation_needs_a_reason(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    case = store.audit_cases(audit.id)[0].case
    review(store, audit, case.id, "ann", "primary", FULL)
    review(store, audit, case.id, "bob", "second", {**FULL, "REC-03": "no"})
    app = make_app(store, "mod")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "o", "1", "enter")  # empty reason
        await pilot.pause()
    # nothing decided, so nothing started (issue 30: looking starts nothing)
    assert "moderated" not in [r.role for r in store.reviews_of_case(audit.id, case.id)]


async def test_reopening_needs_a_reason(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    case = store.audit_cases(audit.id)[0].case
    review_id = review(store, audit, case.id, "ann", "primary", FULL)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("R", "enter")  # no reason given
        await pilot.pause()
        assert store.review(review_id).status == "complete"
        await pilot.press("R", *"wrong case file", "enter")
        await pilot.pause()
        assert store.review(review_id).status == "in_progress"
        await pilot.press("h")
        await pilot.pause()
        assert type(app.screen).__name__ == "HistoryScreen"
    last = store.events(review_id)[-1]
    assert (last.kind, last.old, last.new, last.reason) == (
        "status",
        "complete",
        "in_progress",
        "wrong case file",
    )


def test_cli_second_agreement_and_events(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    store = Store.open(db)
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    store.close()
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "--db",
            str(db),
            "audit",
            "second",
            "Test audit",
            "--reviewer",
            "bob",
            "--count",
            "2",
            "--seed",
            "4",
        ],
    )
    assert result.exit_code == 0, result.stderr
    store = Store.open(db)
    chosen = [ac.case.id for ac in store.audit_cases(audit.id) if ac.second_reviewer == "bob"]
    assert len(chosen) == 2
    for case_id in chosen:
        review(store, audit, case_id, "ann", "primary", FULL)
        review(
            store,
            audit,
            case_id,
            "bob",
            "second",
            {**FULL, "REC-03": "no"} if case_id == chosen[0] else FULL,
        )
    store.close()
    out = tmp_path / "agree.csv"
    result = runner.invoke(
        main, ["--db", str(db), "export", "agreement", "--audit", "Test audit", "--out", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "audit,section_id,question_id,n_pairs,agree_pct,kappa,kappa_band,"
        "kappa_ci_low,kappa_ci_high,ac1"
    )
    # REC-03 pairs: (yes, no) and (yes, yes): agree 1 of 2; A all yes -> pe = (2*1)/4 = 0.5,
    # po = 0.5 -> kappa 0; 2 pairs: no band, no interval. AC1 (q = 5): pi_yes .75, pi_no .25,
    # pe = .375/4 = .09375, AC1 = (.5 - .09375)/.90625 = 0.448
    assert "Test audit,rec,REC-03,2,50.0,0.0,too few pairs (2),,,0.448" in lines
    # REC-01: all yes from both -> 100% and kappa undefined (empty); AC1 1 (pe = 0)
    assert "Test audit,rec,REC-01,2,100.0,,too few pairs (2),,,1.0" in lines
    # A section row (empty question_id) follows its section's questions and pools their pairs.
    # rec: 2 cases x 3 questions = 6 pairs, only REC-03 of the first case differs: 5 of 6 =
    # 83.3%; A yes 6; B yes 5, no 1: pe = (6*5)/36 = 30/36 = po -> kappa 0; AC1 over
    # yes partly no na unknown hidden (q = 6): pi_yes 11/12, pi_no 1/12,
    # pe = 2(11/12)(1/12)/5 = 22/720, AC1 = (600 - 22)/(720 - 22) = 578/698 = 0.828.
    # spo: SPO-01 na on both sides; SPO-02 and SPO-03 hidden in both reviews, left out:
    # 2 pairs, all na -> 100%, kappa undefined, AC1 1.
    assert [line.split(",")[1:3] for line in lines[1:]] == [
        ["rec", "REC-01"],
        ["rec", "REC-02"],
        ["rec", "REC-03"],
        ["rec", ""],
        ["spo", "SPO-01"],
        ["spo", "SPO-02"],
        ["spo", "SPO-03"],
        ["spo", ""],
    ]
    assert lines[4] == "Test audit,rec,,6,83.3,0.0,too few pairs (6),,,0.828"
    assert lines[8] == "Test audit,spo,,2,100.0,,too few pairs (2),,,1.0"
    events = tmp_path / "events.csv"
    result = runner.invoke(
        main, ["--db", str(db), "export", "events", "--audit", "Test audit", "--out", str(events)]
    )
    assert result.exit_code == 0, result.stderr
    text = events.read_bytes().decode("utf-8-sig")
    assert text.count(",answer,") == 16 and text.count(",status,") == 4
    assert len(ids) == 6


async def test_agreement_view_sections_then_the_worst_questions_first(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    # REC-03 disagrees in both pairs (kappa -1 over yes/no swaps); REC-01 agrees throughout
    review(store, audit, ids[0], "ann", "primary", FULL)
    review(store, audit, ids[0], "bob", "second", {**FULL, "REC-03": "no"})
    review(store, audit, ids[1], "ann", "primary", {**FULL, "REC-03": "no"})
    review(store, audit, ids[1], "bob", "second", FULL)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "v", "v", "v", "v")
        screen = app.screen
        table = screen.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]
        # The sections first, each pooling its questions' pairs (2 cases x 3 questions = 6):
        # Recording: REC-01 (yes, yes) x2, REC-02 (yes, yes) x2, REC-03 (yes, no), (no, yes):
        #   agree 4 of 6 = 67%: kappa -0.20 arithmetically, but 6 pairs carry no verdict
        # Protective orders: SPO-01 (na, na) x2; SPO-02 and SPO-03 hidden from both: left out
        too_few = ["-", "-"]
        assert rows[0] == [
            "Recording (all questions)",
            "6",
            "4 of 6 (67%)",
            *too_few,
            "too few pairs (6)",
        ]
        assert rows[1] == [
            "Protective orders (all questions)",
            "2",
            "2 of 2 (100%)",
            *too_few,
            "too few pairs (2)",
        ]
        # then the questions, worst first. REC-03 pairs (yes, no), (no, yes): po = 0,
        # pe = (1*1 + 1*1)/4 = 0.5 -> kappa -1; the rest agree (kappa undefined); the
        # questions hidden from both reviewers in every pair have no row
        assert rows[2][0].startswith("REC-03")
        assert rows[2][1:] == ["2", "0 of 2 (0%)", *too_few, "too few pairs (2)"]
        assert [r[0].split()[0] for r in rows[3:]] == ["REC-01", "REC-02", "SPO-01"]
