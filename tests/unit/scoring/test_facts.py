"""Fact questions (scored: false): answered and exported like any question, never compliance.

The figures here are worked by hand in the comments, not read off the code."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from casereview.core.checklist.loading import ChecklistError, load_checklist, parse_checklist
from casereview.core.checklist.models import Checklist
from casereview.core.fields import Role
from casereview.core.stats import scoring
from casereview.core.stats.scoring import ReviewRecord
from casereview.io.exports import pipeline as outputs
from casereview.io.exports.writers import write_csv
from casereview.io.imports.cases import read_case_file
from casereview.io.reports import markdown as report
from casereview.services import agreement, findings
from casereview.store import AuditInfo, Store
from tests.factories import CASES, complete_review, question_figures

FACTS = Path(__file__).parents[2] / "fixtures" / "facts.yaml"


@pytest.fixture(scope="module")
def checklist() -> Checklist:
    return load_checklist(FACTS)


def record(case_id: int, answers: dict[str, str | None]) -> ReviewRecord:
    return ReviewRecord(case_id, "primary", "complete", "ann", answers)


# ---------------------------------------------------------------- scoring


def test_a_fact_answered_either_way_moves_no_score(checklist: Checklist) -> None:
    # INV-04 (suspect known) is a fact that opens nothing. Both reviews: INV-01 partly (0.5),
    # INV-02 no (so INV-03 is hidden, na). Scored questions in the section: INV-01 only, so
    # the section score is 0.5 either way; not met in full either way. Overall (SUP-01 yes, 1):
    # (0.5 + 1) / 2 = 0.75 either way.
    base = {"INV-01": "partly", "INV-02": "no", "SUP-01": "yes"}
    inv = checklist.sections[0]
    scores = []
    for known in ("yes", "no"):
        effective = checklist.effective_answers({**base, "INV-04": known})
        scores.append(
            (
                scoring.case_section_score(inv, effective, "no"),
                scoring.case_overall_score(checklist, effective, "no"),
            )
        )
    assert scores == [(0.5, 0.75), (0.5, 0.75)]


def test_a_case_where_the_victim_supported_a_prosecution_can_meet_the_section_in_full(
    checklist: Checklist,
) -> None:
    # Case 1: plan yes, victim did not withdraw (INV-03 hidden). Scored: INV-01 = 1 -> full.
    # Case 2: plan yes, victim withdrew, evidence-led considered yes. Scored: INV-01, INV-03
    # = 1, 1 -> full. Were INV-02 scored, case 1 would be (1 + 0) / 2 = 0.5: never in full.
    reviews = [
        record(1, {"INV-01": "yes", "INV-02": "no", "INV-04": "yes", "SUP-01": "yes"}),
        record(
            2, {"INV-01": "yes", "INV-02": "yes", "INV-03": "yes", "INV-04": "no", "SUP-01": "no"}
        ),
    ]
    inv = scoring.audit_section_figures(checklist, reviews)[0]
    assert (inv.n_cases, inv.n_full, inv.mean_score) == (2, 2, 1.0)


def test_prevalence_four_of_twenty_with_its_wilson_interval(checklist: Checklist) -> None:
    # 20 cases: the victim withdrew in 4, not in 16. p = 0.2, n = 20, z = 1.959964, z^2 =
    # 3.841459. Wilson: denominator 1 + z^2/n = 1.192073; centre (0.2 + z^2/40) / 1.192073 =
    # 0.296036 / 1.192073 = 0.248341; half-width z * sqrt(0.2*0.8/20 + z^2/1600) / 1.192073 =
    # 1.959964 * sqrt(0.0104009) / 1.192073 = 0.167679. Interval 0.080662 to 0.416020:
    # "4 of 20 cases (20%, 95% CI 8-42%)", the issue's own example.
    reviews = [
        record(
            i,
            {
                "INV-01": "yes",
                "INV-02": "yes" if i < 4 else "no",
                "INV-04": "unknown",
                "SUP-01": "yes",
            },
        )
        for i in range(20)
    ]
    for r in reviews[:4]:
        r.answers["INV-03"] = "yes"  # type: ignore[index]
    figs = {f.question_id: f for f in scoring.audit_question_figures(checklist, reviews)}
    withdrew = figs["INV-02"]
    assert not withdrew.scored
    assert (withdrew.yes, withdrew.no, withdrew.n_applicable) == (4, 16, 20)
    assert withdrew.compliance is None and withdrew.ci_low is None and withdrew.ci_high is None
    assert withdrew.prevalence == pytest.approx(0.2)
    assert withdrew.prevalence_low == pytest.approx(0.080662, abs=5e-6)
    assert withdrew.prevalence_high == pytest.approx(0.416020, abs=5e-6)
    assert scoring.describe(withdrew) == "yes in 4 of 20 cases, 20.0%, 95% CI 8.1-41.6%"
    # The checklist scores unknown as no, but an unknown fact is not a "no": INV-04 is
    # unknown in all 20, so it is known in none.
    known = figs["INV-04"]
    assert (known.unknown, known.n_applicable, known.prevalence) == (20, 0, None)
    assert scoring.describe(known) == "not known in any case; 20 unknown"
    # A standard keeps unknown-as-no: INV-01 is yes in all 20 -> 100%.
    assert figs["INV-01"].compliance == 1.0


def test_tags_pool_standards_only(checklist: Checklist) -> None:
    # Concern "flawed" tags INV-01, INV-02 (a fact) and INV-03. Two reviews: INV-01 yes and
    # no; INV-02 yes in both (then INV-03 shown: yes, no). Pooled standards: INV-01 1 + 0,
    # INV-03 1 + 0 -> 2 of 4 = 0.5. Counting the fact's two yeses would give 4 of 6.
    reviews = [
        record(
            1, {"INV-01": "yes", "INV-02": "yes", "INV-03": "yes", "INV-04": "no", "SUP-01": "no"}
        ),
        record(
            2, {"INV-01": "no", "INV-02": "yes", "INV-03": "no", "INV-04": "no", "SUP-01": "no"}
        ),
    ]
    figs = scoring.audit_question_figures(checklist, reviews)
    tagged = [f for f in figs if "flawed" in checklist.question(f.question_id).concerns]
    pooled = scoring.pooled_figures(tagged)
    assert pooled.question_ids == ("INV-01", "INV-03")
    assert (pooled.credit, pooled.n_applicable, pooled.compliance) == (2.0, 4, 0.5)


def test_reviewers_agree_or_not_on_facts_too(checklist: Checklist) -> None:
    # Two cases; INV-02 primary/second: yes/yes and no/yes -> 2 pairs, 1 agreeing (50%).
    def pair(case: int, primary: str, second: str) -> list[ReviewRecord]:
        base = {"INV-01": "yes", "INV-03": "yes", "INV-04": "no", "SUP-01": "yes"}
        sides: tuple[tuple[Role, str, str], ...] = (
            ("primary", "ann", primary),
            ("second", "bob", second),
        )
        return [
            ReviewRecord(case, role, "complete", who, {**base, "INV-02": value})
            for role, who, value in sides
        ]

    reviews = pair(1, "yes", "yes") + pair(2, "no", "yes")
    agreed = {f.question_id: f for f in agreement.audit_agreement(checklist, reviews)}
    assert (agreed["INV-02"].n_pairs, agreed["INV-02"].agree) == (2, 1)


# ---------------------------------------------------------------- the checklist file


def checklist_text(question: str) -> str:
    return (
        'id: t\nversion: "1"\ntitle: T\nsections:\n  - id: s\n    title: S\n    questions:\n'
        "      - id: Q-01\n        text: A standard?\n        answers: [yes, no]\n" + question
    )


@pytest.mark.parametrize(
    ("question", "line", "message"),
    [
        (
            "      - id: F-01\n        text: A fact?\n        answers: [yes, no]\n"
            "        scored: false\n        critical: true\n",
            15,
            "question F-01: a fact question cannot be critical: critical marks a standard a "
            "case must meet",
        ),
        (
            "      - id: F-01\n        text: A fact?\n        answers: [yes, no]\n"
            "        scored: false\n        weight: 1\n",
            15,
            "question F-01: a fact question cannot carry a weight: it never counts in a score",
        ),
        (
            "      - id: F-01\n        text: A fact?\n        scored: false\n",
            11,
            "question F-01: a fact question is answered yes or no (and na or unknown where "
            "they apply), not partly: list its answers",
        ),
    ],
    ids=["critical", "weight", "partly"],
)
def test_a_fact_question_cannot_be_scored_in_disguise(
    question: str, line: int, message: str
) -> None:
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(checklist_text(question), "t.yaml")
    assert [str(p) for p in caught.value.problems] == [f"t.yaml:{line}: {message}"]


def test_scored_defaults_to_true_and_false_is_read() -> None:
    parsed = parse_checklist(
        checklist_text(
            "      - id: F-01\n        text: A fact?\n        answers: [yes, no, unknown]\n"
            "        scored: false\n"
        ),
        "t.yaml",
    )
    assert [q.scored for q in parsed.questions] == [True, False]


# ---------------------------------------------------------------- an audit's tables


@pytest.fixture
def audit() -> tuple[Store, AuditInfo]:
    """Three completed reviews of the facts checklist:
    case 1: INV-01 yes, INV-02 no,  INV-04 yes,     SUP-01 yes
    case 2: INV-01 no,  INV-02 yes, INV-03 yes, INV-04 no, SUP-01 yes
    case 3: INV-01 yes, INV-02 unknown, INV-04 yes, SUP-01 no"""
    store = Store.memory()
    info = store.add_checklist(FACTS.read_text(encoding="utf-8"), str(FACTS))
    store.insert_case_rows(read_case_file(CASES).rows)
    ids = [c.id for c in store.cases()]
    created = store.create_audit("Facts audit", info.pk, ids[:3], created_by="t", seed=1)
    plans = [
        {"INV-01": "yes", "INV-02": "no", "INV-04": "yes", "SUP-01": "yes"},
        {"INV-01": "no", "INV-02": "yes", "INV-03": "yes", "INV-04": "no", "SUP-01": "yes"},
        {"INV-01": "yes", "INV-02": "unknown", "INV-04": "yes", "SUP-01": "no"},
    ]
    for case_id, answers in zip(ids, plans, strict=False):
        complete_review(store, created.id, case_id, "ann", "primary", answers)
    return store, created


def csv_rows(table: findings.Table) -> list[dict[str, str]]:
    buffer = io.BytesIO()
    write_csv(table, buffer)
    text = buffer.getvalue().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_questions_export_leaves_compliance_empty_for_facts(
    audit: tuple[Store, AuditInfo],
) -> None:
    store, info = audit
    data = findings.load(store, info.name)
    rows = {r["question_id"]: r for r in csv_rows(findings.question_table(data))}
    # INV-02: no, yes, unknown -> yes 1, no 1, unknown 1; known (yes + no) = 2.
    assert {
        k: rows["INV-02"][k] for k in ("n_reviews", "n_applicable", "yes", "no", "unknown")
    } == {"n_reviews": "3", "n_applicable": "2", "yes": "1", "no": "1", "unknown": "1"}
    assert (rows["INV-02"]["compliance_pct"], rows["INV-02"]["ci_low_pct"]) == ("", "")
    # INV-01 (a standard, unknown scoring as no): yes, no, yes -> 2 of 3 = 66.7%.
    assert rows["INV-01"]["compliance_pct"] == "66.7"


def test_the_context_table_and_the_case_scores(audit: tuple[Store, AuditInfo]) -> None:
    store, info = audit
    data = findings.load(store, info.name)
    context = csv_rows(findings.context_table(data))
    assert list(context[0]) == [
        "audit", "section_id", "question_id", "question", "n_reviews", "n_known", "yes", "no",
        "na", "unknown", "prevalence_pct", "ci_low_pct", "ci_high_pct",
    ]  # fmt: skip
    # INV-04: yes, no, yes -> 2 of 3 known = 66.7%.
    assert [(r["question_id"], r["n_known"], r["prevalence_pct"]) for r in context] == [
        ("INV-02", "2", "50.0"),
        ("INV-04", "3", "66.7"),
    ]
    cases = csv_rows(findings.case_table(store, data))
    # case 1: INV-01 yes; SUP-01 yes -> inv 100, sup 100, overall 100 (INV-02, INV-04 facts).
    # case 2: INV-01 no, INV-03 yes -> inv 50; SUP-01 yes -> overall (0 + 1 + 1) / 3 = 66.7.
    # case 3: INV-01 yes; SUP-01 no -> inv 100, sup 0, overall 50.
    assert [(r["inv_pct"], r["sup_pct"], r["overall_pct"]) for r in cases[:3]] == [
        ("100.0", "100.0", "100.0"),
        ("50.0", "100.0", "66.7"),
        ("100.0", "0.0", "50.0"),
    ]


def test_the_report_gives_facts_as_context_and_never_as_gaps(
    audit: tuple[Store, AuditInfo],
) -> None:
    store, info = audit
    text = report.render(store, info.name)
    assert (
        "- Context: INV-02 Did the victim withdraw support for a prosecution? yes in 1 of 2 "
        "cases, 50.0%, 95% CI "
    ) in text
    gaps = text.split("## Notable gaps")[1].split("\n## ")[0]
    assert "INV-02" not in gaps and "INV-04" not in gaps
    assert "are not scored: they are reported as context" in text


def test_the_workbook_has_a_context_sheet(audit: tuple[Store, AuditInfo], tmp_path: Path) -> None:
    store, info = audit
    out = tmp_path / "f.xlsx"
    outputs.write(outputs.prepare(store, info.name, "questions", "xlsx"), out)
    book = load_workbook(out)
    assert book.sheetnames == ["Summary", "questions", "sections", "context", "cases"]
    sheet = book["context"]
    assert [c.value for c in sheet[2]][2:4] == [
        "INV-02",
        "Did the victim withdraw support for a prosecution?",
    ]


async def test_the_findings_screen_shows_facts_as_context(audit: tuple[Store, AuditInfo]) -> None:
    from textual.widgets import DataTable

    from casereview.tui.app import make_app

    store, _info = audit
    app = make_app(store, "ann")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f", "enter")  # findings, then the Investigation section
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        assert keys == ["INV-01", "INV-03", "context", "INV-02", "INV-04"]
        fact = [str(cell) for cell in table.get_row("INV-02")]
        assert fact[1] == "prevalence"
        # INV-02 known in 2 cases (yes 1): 50%; Wilson for 1 of 2 is 9.5-90.5% -> "9-91%".
        assert fact[2] == "1 of 2 cases, 50%, 95% CI 9-91% \u2020; 1 unknown"
        standard = [str(cell) for cell in table.get_row("INV-01")]
        assert standard[2].startswith("2 of 3, 67%")


async def test_the_review_says_which_questions_are_facts(audit: tuple[Store, AuditInfo]) -> None:
    from casereview.tui.app import make_app
    from casereview.tui.screens import ReviewScreen
    from casereview.tui.widgets.text_panel import TextPanel

    store, info = audit
    case_id = store.audit_cases(info.id)[0].case.id  # case 1: INV-03 hidden
    app = make_app(store, "ann")
    seen = {}
    async with app.run_test(size=(120, 40)) as pilot:
        app.open_case(info.id, case_id)
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        panel = app.screen.query_one("#question", TextPanel)
        for _ in range(6):  # from the last question up to the first: SUP-01 .. INV-01
            text = str(panel.render())
            seen[text.split()[0]] = "fact, not scored" in text
            await pilot.press("k")
    assert seen == {"SUP-01": False, "INV-04": True, "INV-02": True, "INV-01": False}


# ---------------------------------------------------------------- the pure functions, edges


def test_pooled_figures_by_hand() -> None:
    # A: yes, no -> credit 1 of 2; B: partly, yes -> credit 1.5 of 2; pooled 2.5 of 4 = 0.625.
    # Wilson for 2.5/4: denominator 1 + z^2/4 = 1.960365; centre (0.625 + z^2/8) / 1.960365 =
    # 0.563763; half-width z * sqrt(0.625*0.375/4 + z^2/64) / 1.960365 = 0.344337:
    # 0.219427 to 0.908101.
    a = question_figures("A", ["yes", "no"])
    b = question_figures("B", ["partly", "yes"])
    pooled = scoring.pooled_figures([a, b])
    assert (pooled.credit, pooled.n_applicable, pooled.compliance) == (2.5, 4, 0.625)
    assert pooled.ci_low == pytest.approx(0.219427, abs=5e-6)
    assert pooled.ci_high == pytest.approx(0.908101, abs=5e-6)
    nothing = scoring.pooled_figures([question_figures("C", ["na"])])
    assert (nothing.n_applicable, nothing.compliance, nothing.ci_low, nothing.ci_high) == (
        0, None, None, None
    )  # fmt: skip


def test_a_fact_known_in_one_case_is_described_with_its_small_sample() -> None:
    # 1 of 1: p = 1, so the upper bound is 1; the lower is centre - half-width =
    # (1 + z^2/2) / (1 + z^2) - z * sqrt(z^2/4) / (1 + z^2) = 0.206549 -> 20.7%.
    fig = question_figures("F", ["yes"], scored=False)
    assert (fig.prevalence, fig.compliance) == (1.0, None)
    assert scoring.describe(fig) == "yes in 1 of 1 cases, 100.0%, 95% CI 20.7-100.0% \u2020"


def test_prevalence_counts_yes_only_and_standards_are_the_default() -> None:
    # Were a fact ever answered partly, it would not be half a fact: 1 yes of 4 known is 25%
    # (Wilson for 1/4: 0.045587 to 0.699358), not (1 + 0.5) / 4.
    fact = scoring.question_figures_from_counts("F", {"yes": 1, "partly": 1, "no": 2}, scored=False)
    assert fact.prevalence == 0.25
    assert fact.prevalence_low == pytest.approx(0.045587, abs=5e-6)
    assert fact.prevalence_high == pytest.approx(0.699358, abs=5e-6)
    standard = scoring.question_figures_from_counts("Q", {"yes": 1, "partly": 1, "no": 2})
    assert (standard.scored, standard.compliance, standard.prevalence) == (True, 0.375, None)


def test_the_context_table_row_in_full_and_grouped(audit: tuple[Store, AuditInfo]) -> None:
    store, info = audit
    data = findings.load(store, info.name)
    # INV-02 over the three cases: no, yes, unknown (INV-02 is shown in every review).
    # Known: 2 (yes 1, no 1) -> 50.0%; Wilson for 1/2 is 0.094531 to 0.905469 -> 9.5, 90.5.
    row = findings.context_table(data).rows[0]
    assert row == {
        "audit": "Facts audit", "group": None, "section_id": "inv", "question_id": "INV-02",
        "question": "Did the victim withdraw support for a prosecution?", "n_reviews": 3,
        "n_known": 2, "yes": 1, "no": 1, "na": 0, "unknown": 1, "prevalence_pct": 50.0,
        "ci_low_pct": 9.5, "ci_high_pct": 90.5,
    }  # fmt: skip
    by_team = findings.load(store, info.name, "team")
    grouped = findings.context_table(by_team, "team")
    assert grouped.columns[:2] == ("audit", "group")
    # the pool in (force, ref) order starts Otherton T/1 and T/5 (team Hub), Testshire T/1
    # (CID): the audit's three cases are one CID and two Hub
    assert [(r["group"], r["question_id"], r["n_reviews"]) for r in grouped.rows] == [
        ("CID", "INV-02", 1),
        ("CID", "INV-04", 1),
        ("Hub", "INV-02", 2),
        ("Hub", "INV-04", 2),
    ]


def test_the_method_says_facts_are_context_only_when_there_are_some(
    checklist: Checklist,
) -> None:
    text = findings.method_text(checklist)
    assert (
        " Questions that record a fact about the case rather than a standard (whether the "
        "victim withdrew support, say) are not scored: they are reported as context, the share "
        "of the cases recording the fact in which it holds. "
    ) in text
    assert "record a fact" not in findings.method_text(
        load_checklist(Path(__file__).parents[2] / "fixtures" / "mini.yaml")
    )
