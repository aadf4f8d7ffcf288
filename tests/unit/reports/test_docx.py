"""The Word report: opened with python-docx, its headings, table rows (worked out by hand)
and chart; the same refusals as the Markdown report; the Markdown form of the blocks."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result
from docx.text.paragraph import Paragraph

from casereview.cli import main
from casereview.core.tables import BarChart
from casereview.io.reports import blocks as reportdoc
from casereview.store import Store
from tests.factories import complete_review, seed_store


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


A = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "no", "SPO-03": "yes"}
B = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "yes", "SPO-02": "yes"}
C = {"REC-01": "no", "REC-03": "no", "SPO-01": "no", "SPO-03": "no"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Three completed reviews of the mini checklist (cases A, B, C above), three open."""
    path = tmp_path / "r.db"
    store = Store.open(path)
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    for case_id, answers in zip(ids, (A, B, C), strict=False):
        complete_review(store, audit.id, case_id, "ann", "primary", answers)
    store.close()
    return path


def style(paragraph: Paragraph) -> str:
    return paragraph.style.name if paragraph.style is not None and paragraph.style.name else ""


def cells(table: docx.table.Table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_the_word_report_has_headings_tables_and_a_chart(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "findings.docx"
    result = run(db, "report", "--audit", "Test audit", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote the Word report to {out}" in result.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    doc = docx.Document(str(out))
    headings = [(style(p), p.text) for p in doc.paragraphs if style(p).startswith("Heading")]
    assert headings == [
        ("Heading 1", "Case-file review findings: Test audit"),
        ("Heading 2", "Scope and sample"),
        ("Heading 2", "Method"),
        ("Heading 2", "Findings by section"),
        ("Heading 2", "Findings by question"),
        ("Heading 3", "Recording"),
        ("Heading 3", "Protective orders"),
        ("Heading 2", "Notable gaps"),
        ("Heading 2", "Caveats"),
    ]
    assert doc.core_properties.title == "Case-file review findings: Test audit"
    sections, recording, orders = doc.tables
    # Recording: A and B meet it in full (1.0), C scores 0 (REC-01 no, REC-02 hidden, REC-03
    # no): mean 2/3 = 67%, 2 of 3 in full; Wilson 2 of 3 = 20.8-93.9% -> 21-94%.
    # Protective orders: A (SPO-01 no 0, SPO-03 yes 1) 0.5, B (SPO-01 yes, SPO-02 yes) 1,
    # C (no, no) 0: mean 50%, 1 of 3 in full (33%); Wilson 1 of 3 = 6.1-79.2% -> 6-79%.
    assert cells(sections) == [
        ["Section", "Cases", "Mean score", "Met in full", "95% CI", "Unknown answers"],
        ["Recording", "3", "67%", "2 of 3 (67%) \u2020", "21-94%", "0"],
        ["Protective orders", "3", "50%", "1 of 3 (33%) \u2020", "6-79%", "0"],
    ]
    # REC-01 yes yes no: 2 of 3; REC-02 (shown when REC-01 is yes) 2 of 2, Wilson 34.2-100;
    # SPO-01 no yes no: 1 of 3 = 33.3%, 6.1-79.2; SPO-02 (shown when SPO-01 is yes) 1 of 1,
    # Wilson 20.7-100; SPO-03 (shown when SPO-01 is no) yes, no: 1 of 2, 9.5-90.5.
    # Every figure here rests on fewer than 10 answers: marked with a dagger, noted below.
    header = ["Question", "Standard", "Answers", "Compliance, 95% CI"]
    assert cells(recording) == [
        header,
        ["REC-01 (critical)", "Was a crime recorded?", "2 of 3 \u2020", "66.7%\n20.8-93.9%"],
        ["REC-02", "Was it recorded as stalking?", "2 of 2 \u2020", "100.0%\n34.2-100.0%"],
        ["REC-03", "Were earlier reports linked?", "2 of 3 \u2020", "66.7%\n20.8-93.9%"],
    ]
    assert cells(orders)[1:] == [
        ["SPO-01", "Was an SPO applied for?", "1 of 3 \u2020", "33.3%\n6.1-79.2%"],
        ["SPO-02", "Was an interim SPO considered?", "1 of 1 \u2020", "100.0%\n20.7-100.0%"],
        ["SPO-03", "Is the reason for not applying recorded?", "1 of 2 \u2020",
         "50.0%\n9.5-90.5%"],
    ]  # fmt: skip
    notes = [p.text for p in doc.paragraphs if p.text.startswith("\u2020")]
    assert (
        notes == ["\u2020 fewer than 10 applicable answers: too uncertain to quote on its own."] * 2
    )
    critical = recording.rows[1].cells[0].paragraphs[0].runs
    assert [(r.text, bool(r.bold)) for r in critical] == [("REC-01", False), (" (critical)", True)]
    # lowest compliance first, ties by more answers: SPO-01 33%, SPO-03 50%, REC-01 and
    # REC-03 67% (3 answers each, checklist order), REC-02 100% (2) before SPO-02 100% (1)
    gaps = [p.text.split()[0] for p in doc.paragraphs if style(p) == "List Number"]
    assert gaps == ["SPO-01", "SPO-03", "REC-01", "REC-03", "REC-02", "SPO-02"]
    scope = [p.text for p in doc.paragraphs if style(p) == "List Bullet"]
    assert "Reviews counted: 3 completed of 6 sampled (3 not complete and left out)" in scope
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Percentages are given with their counts and 95% Wilson score intervals," in text
    assert "This is a sample of 3 reviewed files." in text
    (picture,) = doc.inline_shapes
    blob = doc.part.related_parts[picture._inline.graphic.graphicData.pic.blipFill.blip.embed]
    assert blob.content_type == "image/png" and blob.blob.startswith(b"\x89PNG")
    assert picture._inline.docPr.get("descr") == "Cases meeting each section in full (95% CI)"


def test_the_word_report_is_refused_as_the_markdown_one_is(db: Path, tmp_path: Path) -> None:
    store = Store.open(db)
    audit = store.audit_named("Test audit")
    first = store.audit_cases(audit.id)[0].case.id
    store.assign_second(audit.id, [first], "bob", "lead")  # bob's pair is still open
    store.close()
    out = tmp_path / "bob.docx"
    as_bob = run(db, "--reviewer", "bob", "report", "--audit", "Test audit", "--out", str(out))
    assert as_bob.exit_code == 2
    assert "bob is the blind second reviewer of 1 case(s) here" in as_bob.stderr
    assert not out.exists()
    link = tmp_path / "db.docx"
    link.symlink_to(db)
    refused = run(db, "report", "--audit", "Test audit", "--out", str(link))
    assert refused.exit_code == 2 and "is the open database" in refused.stderr
    assert Store.open(db).audit_named("Test audit").n_cases == 6


def test_a_failed_word_report_leaves_the_old_file(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casereview.io.reports import docx as docx_report

    out = tmp_path / "old.docx"
    out.write_bytes(b"the old report")

    def broken(blocks: object, path: Path) -> None:
        path.write_bytes(b"half a docu")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(docx_report, "write", broken)
    result = run(db, "report", "--audit", "Test audit", "--out", str(out), "--force")
    assert result.exit_code == 1
    assert out.read_bytes() == b"the old report"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_the_markdown_form_of_blocks() -> None:
    blocks: list[reportdoc.Block] = [
        reportdoc.Heading("Title", 1),
        reportdoc.items("one", "two"),
        reportdoc.Heading("Empty", 3),
        reportdoc.FigureList(()),  # an empty list still takes its place
        reportdoc.Grid(("A", "N"), (False, True), (("x", "1"),)),
        reportdoc.Chart(BarChart("not in Markdown", [], [])),
        reportdoc.Items(((("a ", False), ("bold", True)),), numbered=True),
        reportdoc.paragraph("line 1", "line 2"),
    ]
    assert reportdoc.to_markdown(blocks) == (
        "# Title\n\n- one\n- two\n\n### Empty\n\n\n| A | N |\n|---|---:|\n| x | 1 |\n\n"
        "1. a **bold**\n\nline 1\nline 2\n"
    )


def test_text_word_cannot_hold_is_replaced_not_refused(tmp_path: Path) -> None:
    from casereview.io.reports import docx as docx_report

    out = tmp_path / "odd.docx"
    docx_report.write([reportdoc.Heading("Audit \x07 bell", 1)], out)
    assert docx.Document(str(out)).paragraphs[0].text == "Audit \ufffd bell"


def test_markdown_keeps_data_with_bars_and_line_breaks_in_its_cell() -> None:
    from casereview.io.reports.blocks import Block, Grid, Heading, to_markdown

    blocks: list[Block] = [
        Heading("Audit A | B", 2),
        Grid(("Audit", "Cases"), (False, True), (("North | South\nmonthly", "12"),)),
    ]
    assert to_markdown(blocks) == (
        "## Audit A \\| B\n\n| Audit | Cases |\n|---|---:|\n| North \\| South monthly | 12 |\n"
    )
