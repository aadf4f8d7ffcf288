"""The combined view across checklist versions: audits of versions linked by `replaces:`
pool into one funnel, comparing only the questions that carry over, and say which versions
were pooled; audits of different checklists are still refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.core.periods import parse as parse_period
from casereview.services.findings import FindingsError
from casereview.services.funnel import build, pooled_audits
from casereview.store import Store
from tests.factories import TREND_ANSWERS, TREND_V1, complete_review, trend_audits


def test_two_versions_pool_the_questions_that_carry_over() -> None:
    store = Store.memory()
    trend_audits(store)  # Jan on trendy@1; Feb on trendy@2, where A-9 replaces A-2, B-3 new
    figures = build(store, ["Jan", "Feb"], "audit")
    # Carried over: A-1 (same id), A-9 (Jan's A-2), B-2; B-3 is new in version 2 and B-1 a
    # fact; the sections' shares are not compared across versions.
    assert [f.question_id for f in figures] == ["A-1", "A-9", "B-2"]
    assert {f.versions for f in figures} == {("trendy@1", "trendy@2")}
    a9 = {p.unit: p for p in figures[1].funnel.points}
    # Jan's A-2: yes, no, yes, yes = 3 of 4; Feb's A-9: 4 of 4; pooled 7/8
    assert (a9["Jan"].credit, a9["Jan"].n) == (3, 4)
    assert (a9["Feb"].credit, a9["Feb"].n) == (4, 4)
    assert figures[1].funnel.target == pytest.approx(7 / 8)
    a1 = {p.unit: p for p in figures[0].funnel.points}
    assert a1["Jan"].credit == 2.5  # yes, yes, partly, no


def test_one_version_keeps_its_sections() -> None:
    store = Store.memory()
    trend_audits(store)
    figures = build(store, ["Feb", "Mar"], "audit")
    assert [f.question_id for f in figures][:1] == [None]  # section a's share met in full
    assert {f.versions for f in figures} == {("trendy@2",)}


def test_another_checklist_is_refused() -> None:
    store = Store.memory()
    trend_audits(store)
    other = store.add_checklist(
        TREND_V1.read_text().replace("id: trendy", "id: other"), "other.yaml"
    )
    case_id = store.cases()[0].id
    audit = store.create_audit("Other", other.pk, [case_id], "qa", seed=1)
    complete_review(store, audit.id, case_id, "qa", "primary", TREND_ANSWERS["Jan"][0])
    with pytest.raises(FindingsError, match="one checklist .* these differ"):
        build(store, ["Jan", "Other"], "audit")


def test_the_roll_up_pools_another_version_of_the_same_inspection() -> None:
    store = Store.memory()
    audits = trend_audits(store)
    jan_pk = store.audit(audits["Jan"].id).checklist_pk
    feb_pk = store.audit(audits["Feb"].id).checklist_pk
    made = {}
    for name, pk, force in (("Insp T", feb_pk, "Testshire"), ("Insp O", jan_pk, "Otherton")):
        case_id = next(c.id for c in store.cases() if c.force == force)
        audit = store.create_audit(
            name, pk, [case_id], "qa", seed=1, scope={"where": {"force": force}},
            period=parse_period("2024"),
        )  # fmt: skip
        answers = TREND_ANSWERS["Feb" if pk == feb_pk else "Jan"][0]
        complete_review(store, audit.id, case_id, "qa", "primary", answers)
        made[name] = audit
    assert pooled_audits(store, made["Insp T"].id) == ["Insp T", "Insp O"]


def test_export_says_which_versions_were_pooled(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    trend_audits(Store.open(db))
    result = CliRunner().invoke(
        main,
        ["--db", str(db), "--reviewer", "qa", "export", "funnel", "--audit", "Jan,Feb",
         "--by", "audit", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "Checklist versions pooled: trendy@1, trendy@2." in data["meta"]["method"]
    assert {r["question_id"] for r in data["funnel"]} == {"A-1", "A-9", "B-2"}


def test_the_csv_says_which_versions_on_stderr(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    trend_audits(Store.open(db))
    result = CliRunner().invoke(
        main,
        ["--db", str(db), "--reviewer", "qa", "export", "funnel", "--audit", "Jan,Feb",
         "--by", "audit", "--format", "csv"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Checklist versions pooled: trendy@1, trendy@2." in result.stderr
    assert "versions pooled" not in result.stdout
