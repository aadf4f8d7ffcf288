"""`casereview trend --chart spc`: p-chart rows, baseline, the workbook's native chart,
refusals, and like with like (only audits of one scope form a series)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.core.periods import parse as parse_period
from casereview.store import Store
from tests.factories import TREND_ANSWERS, complete_review, trend_audits

SPC_COLUMNS = [
    "checklist",
    "audit",
    "period",
    "scope",
    "section_id",
    "question_id",
    "question",
    "n_applicable",
    "compliance_pct",
    "centre_pct",
    "lcl_pct",
    "ucl_pct",
    "signals",
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spc") / "spc.db"
    store = Store.open(path)
    audits = trend_audits(store)
    # April: the same checklist, but a sample of Testshire's cases only (another scope)
    ids = [c.id for c in store.cases()]
    april = store.create_audit(
        "Apr", store.audit(audits["Feb"].id).checklist_pk, ids[:2], "qa", seed=1,
        scope={"where": {"force": "Testshire"}}, period=parse_period("2024-04"),
    )  # fmt: skip
    for case_id, given in zip(ids, TREND_ANSWERS["Feb"][:2], strict=False):
        complete_review(store, april.id, case_id, "qa", "primary", given)
    store.close()
    return path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "qa", "trend", *args])


def rows_of(result: Result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))


def test_p_chart_rows_with_limits_for_each_n(db: Path) -> None:
    rows = rows_of(run(db, "--checklist", "trendy", "--chart", "spc", "--format", "csv"))
    assert list(rows[0]) == SPC_COLUMNS
    a9 = [r for r in rows if r["question_id"] == "A-9" and r["scope"].startswith("every")]
    # A-9 (Jan's A-2 continues it): Jan 3 of 4, Feb 4 of 4, Mar 1 of 2; centre 8/10 = 80%.
    # n = 4: 0.8 - 3 sqrt(0.16/4) = 0.2; n = 2: 0.8 - 3 sqrt(0.08) = -0.049 -> 0.
    assert [r["audit"] for r in a9] == ["Jan", "Feb", "Mar"]
    assert {r["centre_pct"] for r in a9} == {"80.0"}
    assert [r["lcl_pct"] for r in a9] == ["20.0", "20.0", "0.0"]
    assert {r["signals"] for r in a9} == {""}


def test_only_audits_of_one_scope_form_a_series(db: Path) -> None:
    rows = rows_of(run(db, "--checklist", "trendy", "--chart", "spc", "--format", "csv"))
    a9 = [r for r in rows if r["question_id"] == "A-9"]
    april = [r for r in a9 if r["audit"] == "Apr"]
    assert len(april) == 1
    assert april[0]["scope"].startswith("force=Testshire")
    # its own series: its centre is its own 2 of 2, not the monthly audits' 80%
    assert april[0]["centre_pct"] == "100.0"


def test_a_baseline_sets_the_centre_and_names_the_signal(db: Path) -> None:
    rows = rows_of(
        run(db, "--checklist", "trendy", "--chart", "spc", "--baseline", "Feb", "--format", "csv")
    )
    a1 = {r["audit"]: r for r in rows if r["question_id"] == "A-1" and r["audit"] != "Apr"}
    # Feb alone: 4 of 4, so the centre is 100% and both limits sit on it (sigma 0):
    # Jan's 62.5% and Mar's 0% are beyond them; Feb is on the line.
    assert a1["Feb"]["centre_pct"] == "100.0"
    assert a1["Jan"]["signals"] == "beyond limits"
    assert a1["Mar"]["signals"] == "beyond limits"
    assert a1["Feb"]["signals"] == ""


def test_xlsx_has_a_native_control_chart_per_section_and_scope(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "spc.xlsx"
    result = run(db, "--checklist", "trendy", "--chart", "spc", "--out", str(out))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Control charts", "spc"]
    sheet = book["Control charts"]
    assert [c.value for c in sheet[2]][:6] == [
        "Period",
        "%",
        "Centre %",
        "LCL %",
        "UCL %",
        "Signals",
    ]
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        # sections a and b, each in two scopes (the monthly audits, and April's)
        assert len(charts) == 4
        assert all(z.read(n).count(b"<c:ser>") == 4 for n in charts)  # %, centre, LCL, UCL


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--chart", "spc", "--baseline", "Nope"], "not in the trend: Nope"),
        (["--baseline", "Feb"], "--baseline goes with --chart spc"),
        (["--chart", "spc", "--compare"], "not with --compare"),
    ],
)
def test_refusals_exit_2(db: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "x.csv"
    result = run(db, "--checklist", "trendy", *args, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()
