"""Issue 25, items 3 and 4: every figure says how many unknown answers it leaves out, a
question answered Unknown in a fifth or more of the cases it applied to is listed as not
recorded, and every figure on fewer than 10 applicable answers carries the one small-sample
mark (the dagger) in the Markdown report, the Word report and the workbook."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.core.stats import scoring
from casereview.io.reports import markdown as markdown_report
from casereview.store import Store
from tests.factories import complete_review, seed_store

DAGGER = "\u2020"
FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
# REC-01 unknown: REC-02 (shown only when REC-01 is yes) is hidden, so counts as N/A
UNSURE = {"REC-01": "unknown", "REC-03": "yes", "SPO-01": "na"}


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Three completed reviews of the mini checklist: Yes, Yes, Unknown to REC-01."""
    path = tmp_path / "u.db"
    store = Store.open(path)
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    for case_id, answers in zip(ids, (FULL, FULL, UNSURE), strict=False):
        complete_review(store, audit.id, case_id, "ann", "primary", answers)
    store.close()
    return path


# Worked by hand (z = 1.959964, z^2 = 3.8415):
# REC-01 yes, yes, unknown: 2 of 2 applicable. Wilson n = 2, p = 1: denominator 1 + z^2/2 =
#   2.9207, centre (1 + z^2/4)/2.9207 = 0.6712, half z*sqrt(z^2/16)/2.9207 = 0.3288 ->
#   34.2-100.0% (whole: 34-100%). Unknown 1 of the 3 answers where it applied: 33%, flagged.
# REC-02 yes, yes, hidden: 2 of 2, the same interval, nothing unknown.
# REC-03 yes x3: 3 of 3, denominator 2.2805, centre 1.6403/2.2805 = 0.7193, half
#   1.96*sqrt(3.8415/36)/2.2805 = 0.2808 -> 43.9-100.0% (44-100%).
# Recording per case: 1, 1, and C's only applicable answer REC-03 yes: 1. So 3 of 3 met in
#   full (44-100%), mean 100%, and 1 unknown answer left out of C's score.
REC01 = f"2 of 2, 100.0%, 95% CI 34.2-100.0% {DAGGER}; 1 unknown"


def test_a_figure_says_its_unknowns_and_its_small_sample() -> None:
    fig = scoring.question_figures_from_counts("Q", {"yes": 2, "unknown": 1})
    assert scoring.describe(fig) == REC01
    # Scored as no, the unknown is in the figure (2 of 3: Wilson 20.8-93.9%) and still said
    as_no = scoring.question_figures_from_counts("Q", {"yes": 2, "unknown": 1}, "no")
    assert scoring.describe(as_no) == (
        f"2 of 3, 66.7%, 95% CI 20.8-93.9% {DAGGER}; 1 unknown, scored as no"
    )
    # A fact: yes in 1 of the 2 cases that know it (Wilson 9.5-90.5%), 2 do not
    fact = scoring.question_figures_from_counts(
        "F", {"yes": 1, "no": 1, "unknown": 2}, scored=False
    )
    assert scoring.describe(fact) == (
        f"yes in 1 of 2 cases, 50.0%, 95% CI 9.5-90.5% {DAGGER}; 2 unknown"
    )
    # Nothing applicable, everything unknown: still said
    none = scoring.question_figures_from_counts("Q", {"unknown": 3})
    assert scoring.describe(none) == "no applicable answers; 3 unknown"
    # Ten applicable answers: no mark (10 of 10: 72.2-100%)
    ten = scoring.question_figures_from_counts("Q", {"yes": 10})
    assert scoring.describe(ten) == "10 of 10, 100.0%, 95% CI 72.2-100.0%"


@pytest.mark.parametrize(
    ("counts", "flagged"),
    [
        ({"yes": 4, "unknown": 1}, True),  # 1 of 5: exactly a fifth
        ({"yes": 5, "unknown": 1}, False),  # 1 of 6: less
        ({"yes": 3, "na": 10, "unknown": 1}, True),  # 1 of 4: N/A did not apply, left out
        ({"no": 2, "partly": 2, "unknown": 1}, True),  # 1 of 5
        ({"yes": 4, "na": 1}, False),  # no unknown at all
        ({"na": 3}, False),  # never applied
    ],
)
def test_a_fifth_or_more_unknown_is_not_recorded(
    counts: dict[str | None, int], flagged: bool
) -> None:
    assert scoring.question_figures_from_counts("Q", counts).not_recorded is flagged


def test_the_markdown_report_says_unknowns_and_lists_what_is_not_recorded(db: Path) -> None:
    store = Store.open(db)
    text = markdown_report.render(store, "Test audit")
    store.close()
    lines = text.splitlines()
    assert f"- REC-01 **(critical)** Was a crime recorded? {REC01}" in lines
    assert f"- REC-02 Was it recorded as stalking? 2 of 2, 100.0%, 95% CI 34.2-100.0% {DAGGER}" in (
        lines
    )
    assert f"- REC-03 Were earlier reports linked? 3 of 3, 100.0%, 95% CI 43.9-100.0% {DAGGER}" in (
        lines
    )
    assert "| Section | Cases | Mean score | Met in full | 95% CI | Unknown answers |" in lines
    assert f"| Recording | 3 | 100% | 3 of 3 (100%) {DAGGER} | 44-100% | 1 |" in lines
    assert "| Protective orders | 0 | - | no applicable cases | - | 0 |" in lines
    at = lines.index("## Not recorded in the file")
    assert lines[at + 4] == "- REC-01 Was a crime recorded? unknown in 1 of 3 (33%)"
    assert sum(1 for line in lines if "unknown in" in line) == 1  # REC-01 alone
    assert f"marked {DAGGER}" in text  # the caveat says what the mark means
    assert "answered Unknown in 20% or more" in text  # the method says what is flagged


def test_the_word_report_says_unknowns_and_lists_what_is_not_recorded(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "u.docx"
    result = run(db, "report", "--audit", "Test audit", "--out", str(out))
    assert result.exit_code == 0, result.output
    doc = docx.Document(str(out))
    sections, recording, _orders = doc.tables
    assert [c.text for c in sections.rows[0].cells][-1] == "Unknown answers"
    assert [c.text for c in sections.rows[1].cells] == [
        "Recording", "3", "100%", f"3 of 3 (100%) {DAGGER}", "44-100%", "1",
    ]  # fmt: skip
    rows = [[c.text for c in row.cells] for row in recording.rows]
    assert rows[1] == [
        "REC-01 (critical)", "Was a crime recorded?", f"2 of 2 {DAGGER}\n1 unknown",
        "100.0%\n34.2-100.0%",
    ]  # fmt: skip
    assert rows[2][2] == f"2 of 2 {DAGGER}"  # REC-02: nothing unknown, nothing said
    paragraphs = [p.text for p in doc.paragraphs]
    at = paragraphs.index("Not recorded in the file")
    assert "REC-01 Was a crime recorded? unknown in 1 of 3 (33%)" in paragraphs[at:]
    assert f"{DAGGER} {scoring.SMALL_WORDS}." in paragraphs


def test_the_exports_count_unknowns_and_the_workbook_marks_small_samples(
    db: Path, tmp_path: Path
) -> None:
    csv = run(db, "export", "sections", "--audit", "Test audit", "--format", "csv")
    assert csv.exit_code == 0, csv.output
    header, recording, orders = csv.stdout.lstrip("\ufeff").splitlines()
    assert header.split(",")[-1] == "unknown"  # the CSV has no mark column: as documented
    assert recording.split(",")[-1] == "1" and orders.split(",")[-1] == "0"
    out = tmp_path / "u.xlsx"
    result = run(db, "export", "questions", "--audit", "Test audit", "--out", str(out))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)

    def column(sheet: str, name: str) -> dict[str, object]:
        rows = list(book[sheet].iter_rows(values_only=True))
        at, key = rows[0].index(name), rows[0].index("section_id")
        key = rows[0].index("question_id") if "question_id" in rows[0] else key
        return {str(r[key]): r[at] for r in rows[1:]}

    # Every figure here rests on fewer than 10; SPO-02 and SPO-03 apply nowhere: no figure
    assert column("questions", "small_sample") == {
        "REC-01": DAGGER, "REC-02": DAGGER, "REC-03": DAGGER, "SPO-01": None, "SPO-02": None,
        "SPO-03": None,
    }  # fmt: skip
    assert column("questions", "unknown")["REC-01"] == 1
    assert column("sections", "small_sample") == {"rec": DAGGER, "spo": None}
    assert column("sections", "unknown") == {"rec": 1, "spo": 0}
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert f"marked {DAGGER}" in str(summary["Method"])


def test_an_audit_with_no_unknowns_has_no_not_recorded_section(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "k.db")
    audit = seed_store(store)
    first = store.audit_cases(audit.id)[0].case.id
    complete_review(store, audit.id, first, "ann", "primary", FULL)
    text = markdown_report.render(store, "Test audit")
    store.close()
    assert "Not recorded in the file" not in text
    assert "unknown" not in text.split("## Findings by question")[1]
