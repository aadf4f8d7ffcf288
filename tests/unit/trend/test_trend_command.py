"""`casereview trend`: the files it writes read back, column by column, and its refusals."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.store import Store
from tests.factories import trend_audits

COLUMNS = [
    "checklist",
    "audit",
    "period",
    "section_id",
    "question_id",
    "question",
    "n_applicable",
    "compliance_pct",
    "ci_low_pct",
    "ci_high_pct",
    "change_pts",
    "change_ci_low_pts",
    "change_ci_high_pts",
    "direction",
    "compared_with",
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trend") / "trend.db"
    store = Store.open(path)
    trend_audits(store)
    store.close()
    return path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "qa", "trend", *args])


def test_csv_by_section(db: Path) -> None:
    result = run(db, "--checklist", "trendy", "--by", "section")
    assert result.exit_code == 0, result.output
    raw = result.stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # Excel-safe like every export
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == COLUMNS
    # Section A: Jan 1 of 4 (25%), Feb 4 of 4 (+75 points, 8.5 to 95.4: improved; worked
    # out by hand in test_figures), Mar 0 of 2.
    assert rows[1][:10] == [
        "trendy@1",
        "Jan",
        "2024-01",
        "a",
        "",
        "Section A",
        "4",
        "25.0",
        "4.6",
        "69.9",
    ]
    assert rows[1][10:] == ["", "", "", "", ""]  # the first audit has no change
    assert rows[2][1] == "Feb" and rows[2][10:] == ["75.0", "8.5", "95.4", "improved", "Jan"]
    assert rows[3][1] == "Mar" and rows[3][13] == "declined"
    assert [r[3] for r in rows[1:]] == ["a"] * 3 + ["b"] * 3


def test_json_by_question_with_audits_named(db: Path) -> None:
    result = run(
        db, "--checklist", "trendy", "--audits", "Feb,Jan", "--by", "question", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["meta"]["audits"] == ["Jan", "Feb"]  # time order, not the order named
    assert payload["meta"]["checklist"] == "trendy"
    rows = payload["trend"]
    assert list(rows[0]) == COLUMNS
    a9 = [r for r in rows if r["question_id"] == "A-9"]
    # Jan's A-2 is A-9 in January: 3 of 4, 75.0%; Feb 4 of 4, +25 points, no clear change
    assert [(r["audit"], r["n_applicable"], r["compliance_pct"]) for r in a9] == [
        ("Jan", 4, 75.0),
        ("Feb", 4, 100.0),
    ]
    assert a9[1]["change_pts"] == 25.0 and a9[1]["direction"] == "no clear change"
    fact = [r for r in rows if r["question_id"] == "B-1"]
    assert fact[1]["change_pts"] == 25.0 and fact[1]["direction"] is None


def test_xlsx_has_the_rows_and_a_line_chart_per_section(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "trend.xlsx"
    result = run(db, "--checklist", "trendy", "--out", str(out))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Charts", "trend"]
    sheet = book["trend"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == COLUMNS
    assert values[2][:2] == ("trendy@2", "Feb") and values[2][10:] == (
        75,
        8.5,
        95.4,
        "improved",
        "Jan",
    )
    charts = book["Charts"]
    # Section A's figures beside its chart: audit, %, CI low, CI high, n
    assert charts["A1"].value == "Section A"
    assert [c.value for c in charts[2]][:5] == ["Audit", "%", "CI low %", "CI high %", "n"]
    assert [c.value for c in charts[3]][:5] == ["Jan", 25, 4.6, 69.9, 4]
    with zipfile.ZipFile(out) as z:
        chart_files = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(chart_files) == 2  # one per section
        assert all(b"<c:lineChart>" in z.read(n) for n in chart_files)


def test_compare(db: Path) -> None:
    result = run(db, "--checklist", "trendy", "--compare", "--by", "section")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    feb = next(r for r in rows if r["audit"] == "Feb" and r["section_id"] == "a")
    # Feb 4/4 against Jan and Mar pooled, 1 of 6: +83.3 points, lower limit 20.3 > 0
    assert (feb["change_pts"], feb["change_ci_low_pts"], feb["direction"]) == (
        "83.3",
        "20.3",
        "higher",
    )
    assert "different periods" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--checklist", "nosuch"], "no checklist 'nosuch'"),
        (["--checklist", "trendy", "--audits", "Jan,Nope"], "no audit named 'Nope'"),
        (["--checklist", "trendy", "--audits", " , "], "--audits names no audit"),
        (["--checklist", "trendy", "--format", "xlsx"], "xlsx needs --out"),
        (["--checklist", "trendy", "--out", "x.txt"], "cannot tell the format"),
        (["--checklist", "trendy", "--by", "force"], "Invalid value for '--by'"),
    ],
)
def test_refusals_exit_2(db: Path, args: list[str], message: str) -> None:
    result = run(db, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_the_database_is_never_the_target(db: Path) -> None:
    before = db.read_bytes()
    result = run(db, "--checklist", "trendy", "--out", str(db), "--format", "csv")
    assert result.exit_code == 2 and "open database" in result.stderr
    assert db.read_bytes() == before
