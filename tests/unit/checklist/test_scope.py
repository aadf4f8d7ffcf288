"""Questions that know when and where they apply: `applies_from` (a commencement date) and
`applies_to` (the forces of a pilot). Outside them a question is hidden and counts as N/A."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from casereview.cli import main
from casereview.core.checklist.loading import ChecklistError, load_checklist, parse_checklist
from casereview.core.checklist.scope import CaseScope
from casereview.core.checklist.versions import diff_checklists
from casereview.io.imports.cases import read_case_file
from casereview.services.findings import answer_table, load, question_table
from casereview.store import AuditInfo, Store, StoreError
from casereview.store.errors import ReviewIncomplete
from tests.factories import CASES, complete

HEAD = """\
id: t
version: "1"
title: T
sections:
  - id: s1
    title: S1
    questions:
      - {id: Q1, text: 'a?'}
"""

SCOPED = HEAD + (
    "      - id: Q2\n"
    "        text: b?\n"
    "        applies_from: 2024-01-31\n"
    "      - id: Q3\n"
    "        text: c?\n"
    "        applies_to: [Greater Manchester, Cleveland]\n"
    "      - id: Q4\n"
    "        text: d?\n"
    "        show_if: {question: Q3, in: [yes]}\n"
)


def test_applies_from_hides_a_question_for_cases_reported_before_it() -> None:
    checklist = parse_checklist(SCOPED)
    before = CaseScope(reported_on="2024-01-30", force="Cleveland")
    on_the_day = CaseScope(reported_on="2024-01-31T09:00", force="Cleveland")
    assert "Q2" not in checklist.visible({}, before)
    assert "Q2" in checklist.visible({}, on_the_day)
    # hidden counts as N/A, and is not needed to complete the review
    assert checklist.effective_answers({"Q1": "yes"}, before)["Q2"] == "na"
    assert "Q2" not in checklist.unanswered({"Q1": "yes"}, before)
    assert checklist.out_of_scope(before) == ("Q2",)


def test_applies_to_hides_a_pilot_question_elsewhere_and_its_dependants_with_it() -> None:
    checklist = parse_checklist(SCOPED)
    north = CaseScope(reported_on="2025-05-01", force="Northmoor")
    pilot = CaseScope(reported_on="2025-05-01", force="cleveland")  # case does not matter
    answers = {"Q1": "yes", "Q2": "yes", "Q3": "yes", "Q4": "no"}
    assert checklist.visible(answers, north) == ["Q1", "Q2"]
    assert checklist.visible(answers, pilot) == ["Q1", "Q2", "Q3", "Q4"]
    assert checklist.effective_answers(answers, north)["Q4"] == "na"
    assert checklist.hidden_ids(answers, north) == ("Q3", "Q4")
    # the cache is keyed by the scope too: the pilot case is not given the other's answer
    assert checklist.hidden_ids(answers, pilot) == ()


def test_an_unknown_date_or_force_shows_the_question() -> None:
    # Hiding a question for want of a date would drop it silently; the reviewer sees it
    # and can answer N/A.
    checklist = parse_checklist(SCOPED)
    assert checklist.visible({"Q3": "yes"}, CaseScope(None, None)) == ["Q1", "Q2", "Q3", "Q4"]
    assert checklist.visible({"Q3": "yes"}) == ["Q1", "Q2", "Q3", "Q4"]


def test_scope_text_says_when_and_where() -> None:
    checklist = parse_checklist(SCOPED)
    assert checklist.question("Q2").scope_text() == "not applicable before 2024-01-31"
    assert checklist.question("Q3").scope_text() == (
        "applies only in Greater Manchester, Cleveland (pilot)"
    )
    assert checklist.question("Q1").scope_text() == ""


@pytest.mark.parametrize(
    ("lines", "line", "fragment"),
    [
        ("        applies_from: 2024-02-30\n", 11, "applies_from: '2024-02-30' is not a date"),
        ("        applies_from: 31/01/2024\n", 11, "use YYYY-MM-DD"),
        ("        applies_to: Cleveland\n", 11, "applies_to: must be a list of force names"),
        ("        applies_to: []\n", 11, "applies_to: lists no force"),
        ("        applies_to: [Cleveland, ' ']\n", 11, "applies_to: has an empty force name"),
        ("        applies_to: [Cleveland, cleveland]\n", 11, "applies_to: names Cleveland twice"),
    ],
)
def test_bad_scope_is_refused_at_its_line(lines: str, line: int, fragment: str) -> None:
    text = HEAD + "      - id: Q2\n        text: b?\n" + lines
    with pytest.raises(ChecklistError) as err:
        parse_checklist(text, "x.yaml")
    problems = err.value.problems
    assert any(p.line == line and fragment in p.message for p in problems), problems
    assert all(p.file == "x.yaml" for p in problems)


# ------------------------------------------------------------------ reviews and findings

DATED = """\
id: dated
version: "1"
title: Dated
sections:
  - id: s1
    title: S1
    questions:
      - {id: Q1, text: 'a?', answers: [yes, no]}
      - id: Q2
        text: b?
        answers: [yes, no]
        applies_from: 2024-03-01
"""


def _dated_audit() -> tuple[Store, AuditInfo, dict[str, int]]:
    store = Store.memory()
    info = store.add_checklist(DATED, "dated.yaml")
    store.insert_case_rows(read_case_file(CASES).rows)
    cases = {f"{c.force}:{c.case_ref}": c.id for c in store.cases()}
    audit = store.create_audit("Dated", info.pk, list(cases.values()), created_by="t", seed=1)
    return store, audit, cases


def test_a_case_reported_before_the_date_completes_without_the_question() -> None:
    store, audit, cases = _dated_audit()
    early = cases["Testshire:T/1"]  # reported 2024-01-05
    review = store.open_review(audit.id, early, "ann", "primary")
    store.set_answer(review.id, "Q1", "yes", "ann")
    with pytest.raises(StoreError, match="Q2 is hidden"):
        store.set_answer(review.id, "Q2", "no", "ann")
    store.complete_review(review.id, "ann")  # Q2 not asked, so not missing
    late = cases["Testshire:T/3"]  # reported 2024-03-01: Q2 applies
    review = store.open_review(audit.id, late, "ann", "primary")
    store.set_answer(review.id, "Q1", "yes", "ann")
    with pytest.raises(ReviewIncomplete):
        store.complete_review(review.id, "ann")


def test_findings_say_not_applicable_before_the_date_with_the_count() -> None:
    store, audit, cases = _dated_audit()
    complete(store, audit, cases["Testshire:T/1"], "ann", "primary", {"Q1": "yes"})
    complete(store, audit, cases["Testshire:T/2"], "ann", "primary", {"Q1": "no"})
    complete(store, audit, cases["Testshire:T/3"], "ann", "primary", {"Q1": "yes", "Q2": "no"})
    rows = {r["question_id"]: r for r in question_table(load(store, "Dated")).rows}
    # T/1 (5 Jan) and T/2 (5 Feb) were reported before 1 March: Q2 is N/A for them, so its n
    # is 1 (T/3) and the row says why.
    assert (
        rows["Q2"]["question"]
        == "b? (not applicable before 2024-03-01: did not apply to 2 of 3 cases)"
    )
    assert (rows["Q2"]["n_applicable"], rows["Q2"]["na"], rows["Q2"]["no"]) == (1, 2, 1)
    assert rows["Q1"]["question"] == "a?"


def test_the_diff_says_when_a_question_gains_a_date_or_a_pilot() -> None:
    old = parse_checklist(HEAD + "      - {id: Q2, text: 'b?'}\n")
    new = parse_checklist(SCOPED)
    lines = diff_checklists(old, new)
    assert "changed   Q2  applies: (always) -> not applicable before 2024-01-31" in lines


def test_an_import_refuses_an_answer_the_case_is_outside_of_and_completes_without_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.db"
    store = Store.open(path)
    info = store.add_checklist(DATED, "dated.yaml")
    store.insert_case_rows(read_case_file(CASES).rows)
    store.create_audit("Dated", info.pk, [c.id for c in store.cases()], created_by="t", seed=1)
    store.close()
    head = "case_ref,force,reviewer,role,question_id,answer,note\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(head + "T/1,Testshire,ann,primary,Q1,yes,\nT/1,Testshire,ann,primary,Q2,no,\n")
    result = CliRunner().invoke(
        main, ["--db", str(path), "answers", "import", str(bad), "--audit", "Dated"]
    )
    assert result.exit_code == 2
    assert f"{bad}:3: Q2 does not apply to this case (not applicable before 2024-03-01)" in (
        result.output
    )
    good = tmp_path / "good.csv"
    good.write_text(head + "T/1,Testshire,ann,primary,Q1,yes,\n")
    result = CliRunner().invoke(
        main, ["--db", str(path), "answers", "import", str(good), "--audit", "Dated"]
    )
    assert result.exit_code == 0, result.output
    with closing(Store.open(path)) as store:
        audit = store.audit_named("Dated")
        assert audit.n_complete == 1  # Q2 is not needed from a case reported in January


def test_the_answers_export_gives_na_and_hidden_for_a_question_the_date_rules_out() -> None:
    store, audit, cases = _dated_audit()
    complete(store, audit, cases["Testshire:T/1"], "ann", "primary", {"Q1": "yes"})
    rows = [r for r in answer_table(store, load(store, "Dated")).rows if r["case_ref"] == "T/1"]
    assert [(r["question_id"], r["answer"], r["hidden"]) for r in rows] == [
        ("Q1", "yes", False),
        ("Q2", "na", True),
    ]


_V3 = load_checklist(
    Path(__file__).resolve().parents[3]
    / "src/casereview/shipped_checklists/stalking-casefile-3.0.yaml"
)
_CASES = [
    None,
    CaseScope(None, None),
    CaseScope("2024-11-01", "Greater Manchester Police"),  # before SPO-18's date
    CaseScope("2025-06-01 10:00:00", "Greater Manchester Police"),  # in the pilot
    CaseScope("2025-06-01", "Northmoor Police"),  # outside it
]


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([q.id for q in _V3.questions]),
        st.sampled_from(["yes", "partly", "no", "na", "unknown", None]),
    ),
    st.sampled_from(_CASES),
)
def test_hidden_ids_are_what_the_rule_does_not_show_with_scope(
    answers: dict[str, str | None], case: CaseScope | None
) -> None:
    """The per-part cache (skip logic's independent parts, each looked up by its own
    controllers and the case's scope) gives exactly the questions `visible` leaves out, in
    checklist order, on the same checklist object across examples so its caches are hit."""
    shown = set(_V3.visible(answers, case))
    assert _V3.hidden_ids(answers, case) == tuple(q.id for q in _V3.questions if q.id not in shown)
