"""Exports read back: Excel-safe CSV, the workbook and its chart, JSON, notes only on request."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from casereview.cli import main
from casereview.export import Table, neutralise, write_csv
from casereview.findings import QUESTION_COLUMNS
from casereview.store import Store
from tests.conftest import seed_store

RISKY = ["=1+1", "+44 7700", "-2", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The test audit: three completed primary reviews with notes, one in progress."""
    path = tmp_path / "x.db"
    store = Store.open(path)
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    plans = [
        {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "no", "SPO-03": "yes"},
        {"REC-01": "yes", "REC-02": "partly", "REC-03": "no", "SPO-01": "yes", "SPO-02": "no"},
        {"REC-01": "no", "REC-03": "unknown", "SPO-01": "na"},
    ]
    for case_id, answers in zip(ids, plans, strict=False):
        review = store.open_review(audit.id, case_id, "ann")
        for qid, value in answers.items():
            store.set_answer(review.id, qid, value, "ann")
        store.set_note(review.id, "REC-01", '=HYPERLINK("http://x")', "ann")
        store.complete_review(review.id, "ann")
    store.open_review(audit.id, ids[3], "bob")
    store.close()
    return path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:]
    assert body.count(b"\n") == body.count(b"\r\n")  # every line ends CRLF
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


def test_questions_csv(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "q.csv"
    result = run(db, "export", "questions", "--audit", "Test audit", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    rows = read_csv(out)
    assert rows[0] == ["audit", *QUESTION_COLUMNS]
    by_id = {r[2]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    # REC-02 over 3 completed reviews: yes, partly, hidden (REC-01 = no) -> na
    # n_applicable 2, compliance (1 + 0.5)/2 = 75.0%
    rec02 = by_id["REC-02"]
    assert (
        rec02["n_reviews"],
        rec02["n_applicable"],
        rec02["yes"],
        rec02["partly"],
        rec02["na"],
    ) == (
        "3",
        "2",
        "1",
        "1",
        "1",
    )
    assert rec02["compliance_pct"] == "75.0"
    # REC-03: yes, no, unknown -> n_applicable 2, 1 of 2 = 50.0%
    assert by_id["REC-03"]["compliance_pct"] == "50.0"
    # SPO-02 shown only once (answered no): 0 of 1
    assert by_id["SPO-02"]["compliance_pct"] == "0.0" and by_id["SPO-02"]["na"] == "2"
    assert by_id["REC-01"]["question"] == "Was a crime recorded?"
    # numbers are unquoted plain numbers
    assert b",3,2,1,1,0,1,0,75.0," in out.read_bytes()


def test_notes_only_with_the_flag_and_neutralised(db: Path, tmp_path: Path) -> None:
    plain = tmp_path / "a.csv"
    assert run(db, "export", "answers", "--audit", "Test audit", "--out", str(plain)).exit_code == 0
    rows = read_csv(plain)
    assert "note" not in rows[0]
    assert b"HYPERLINK" not in plain.read_bytes()
    noted = tmp_path / "n.csv"
    result = run(
        db, "export", "answers", "--audit", "Test audit", "--out", str(noted), "--include-notes"
    )
    assert result.exit_code == 0
    rows = read_csv(noted)
    notes = [
        r[rows[0].index("note")] for r in rows[1:] if r[rows[0].index("question_id")] == "REC-01"
    ]
    assert notes[:3] == ['\'=HYPERLINK("http://x")'] * 3
    cases = tmp_path / "c.csv"
    assert run(db, "export", "cases", "--audit", "Test audit", "--out", str(cases)).exit_code == 0
    assert "summary" not in read_csv(cases)[0]
    # the fixture summary "=cmd|' /C calc'!A0" appears only with the flag, and neutralised
    assert (
        run(
            db, "export", "cases", "--audit", "Test audit", "--out", str(cases), "--include-notes"
        ).exit_code
        == 0
    )
    assert "'=cmd|' /C calc'!A0" in [r[-1] for r in read_csv(cases)]


def test_sections_by_group(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    result = run(
        db, "export", "sections", "--audit", "Test audit", "--by", "force", "--out", str(out)
    )
    assert result.exit_code == 0, result.stderr
    rows = read_csv(out)
    assert rows[0][:3] == ["audit", "group", "section_id"]
    # the first three sampled cases: Otherton T/1, Otherton T/5 (both Otherton), Testshire T/1
    assert {r[1] for r in rows[1:]} == {"Otherton", "Testshire"}


def test_xlsx_workbook(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.xlsx"
    result = run(db, "export", "questions", "--audit", "Test audit", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["Summary", "questions", "sections", "cases"]
    sheet = book["questions"]
    assert [c.value for c in sheet[1]] == ["audit", *QUESTION_COLUMNS]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None
    numbers = [c.value for c in sheet["L"][1:]]  # compliance_pct
    assert 75.0 in numbers and all(isinstance(v, float | int) or v is None for v in numbers)
    with zipfile.ZipFile(out) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in chart and "<c:errBars>" in chart


def test_json(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "q.json"
    assert run(db, "export", "questions", "--audit", "Test audit", "--out", str(out)).exit_code == 0
    data = json.loads(out.read_text())
    assert data["meta"]["audit"] == "Test audit"
    assert {r["question_id"] for r in data["questions"]} == {
        "REC-01",
        "REC-02",
        "REC-03",
        "SPO-01",
        "SPO-02",
        "SPO-03",
    }


def test_stdout_when_no_out(db: Path) -> None:
    result = run(db, "export", "sections", "--audit", "Test audit")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfaudit,section_id,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["questions", "--audit", "Nope"], "no audit named 'Nope'"),
        (["agreement", "--audit", "Test audit"], "no second reviews"),
        (
            ["questions", "--audit", "Test audit", "--by", "shoe_size"],
            "cannot group by 'shoe_size'",
        ),
        (["questions", "--audit", "Test audit", "--format", "xlsx"], "xlsx needs --out"),
    ],
)
def test_clear_refusals(db: Path, args: list[str], message: str) -> None:
    result = run(db, "export", *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_no_completed_reviews(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    store = Store.open(path)
    seed_store(store)
    store.close()
    out = tmp_path / "q.csv"
    result = run(path, "export", "questions", "--audit", "Test audit", "--out", str(out))
    assert result.exit_code == 2 and "no completed reviews yet" in result.stderr
    assert not out.exists()


def test_report(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    assert run(db, "report", "--audit", "Test audit", "--out", str(out)).exit_code == 0
    text = out.read_text()
    assert text.startswith("# Case-file review findings: Test audit")
    assert "- REC-02 Was it recorded as stalking? 1.5 of 2, 75.0%" in text
    assert "Reviews counted: 3 completed of 6 sampled" in text
    assert "too uncertain to quote" in text  # every question has n < 10 here


@pytest.mark.parametrize("text", RISKY)
def test_neutralise(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert neutralise("plain") == "plain"


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_csv_round_trip(cells: list[str]) -> None:
    columns = tuple(f"c{i}" for i in range(len(cells)))
    buffer = io.BytesIO()
    write_csv(Table("t", columns, [dict(zip(columns, cells, strict=True))]), buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue()[3:].decode("utf-8"), newline="")))
    assert rows[1] == [
        ("'" + c if c.startswith(("=", "+", "-", "@", "\t", "\r")) else c) for c in cells
    ]
