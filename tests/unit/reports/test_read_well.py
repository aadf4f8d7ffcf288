"""Issue 25, item 6: the Word reports read well on A4 portrait. The page is A4 with 2 cm
margins; every table has autofit off and a width set on each cell, filling the text width;
a question's text gets the room, not its id; and a clear change in the trend report is its
label in bold, then how it changed, with no asterisks and no '?:'."""

from __future__ import annotations

from pathlib import Path

import docx
from click.testing import CliRunner, Result
from docx.shared import Mm

from casereview.cli import main
from casereview.demo.build import DEMO_AUDIT, build_demo
from casereview.store import Store
from tests.factories import monthly_trend

EMU_IN = 914400


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def test_the_word_report_is_laid_out_for_a4_portrait(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    store = Store.open(db)
    build_demo(store, "ann")  # the demo's questions are a line or two of text each
    store.close()
    out = tmp_path / "r.docx"
    result = run(db, "report", "--audit", DEMO_AUDIT, "--out", str(out))
    assert result.exit_code == 0, result.output
    doc = docx.Document(str(out))
    (page,) = doc.sections
    twip = 635  # EMU: Word stores page sizes in twentieths of a point
    sizes = (page.page_width, page.page_height, page.left_margin, page.right_margin)
    for got, want in zip(sizes, (Mm(210), Mm(297), Mm(20), Mm(20)), strict=True):
        assert abs((got or 0) - want) < twip
    text_in = (210 - 40) / 25.4  # 6.69 in between the margins
    for table in doc.tables:
        assert table.autofit is False
        widths = [c.width for c in table.rows[0].cells]
        assert all(w is not None for w in widths)
        for row in table.rows:  # Word reads each cell's width, LibreOffice the grid
            assert [c.width for c in row.cells] == widths
        assert [col.width for col in table.columns] == widths
        total = sum(w or 0 for w in widths) / EMU_IN
        assert text_in - 0.05 < total <= text_in + 0.01
    questions = [t for t in doc.tables if t.rows[0].cells[1].text == "Standard"]
    assert len(questions) == 6  # one per section of the demo's checklist
    for table in questions:
        inches = [(c.width or 0) / EMU_IN for c in table.rows[0].cells]
        # the standard's text gets the room: at least 2.6 in (some 40 characters a line,
        # so the demo's longest questions take three lines, not five); the id column no
        # more than "REC-01 (critical)" on one line needs
        assert inches[1] == max(inches) and inches[1] >= 2.6
        assert inches[0] <= 1.5


def test_a_clear_change_reads_as_its_label_then_how(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    monthly_trend(db).close()
    out = tmp_path / "trend.docx"
    assert run(db, "report", "--trend", "--checklist", "trendy", "--out", str(out)).exit_code == 0
    doc = docx.Document(str(out))
    items = [p for p in doc.paragraphs if p.style is not None and p.style.name == "List Bullet"]
    changes = [p for p in items if "declined in" in p.text or "improved in" in p.text]
    # Section A improved in Feb and declined in Mar; A-1 declined in Mar (the working is in
    # tests/unit/test_trend_report.py)
    assert [[(r.text, bool(r.bold)) for r in p.runs] for p in changes][2] == [
        ("A-1 First standard?", True),
        (
            " \u2014 declined in 2024-03 (Mar), 0% (0-66%), -100.0 (-100.0 to -18.0) points",
            False,
        ),
    ]
    assert len(changes) == 3
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "*" not in text and "?:" not in text
