"""`casereview export funnel`, `lqas-plan` and `lqas`: files read back, refusals exit 2."""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from scipy.stats import binom, chi2  # type: ignore[import-untyped]

from casereview.cli import main
from casereview.store import Store
from tests.factories import trend_audits

COLUMNS = [
    "section_id",
    "question_id",
    "figure",
    "unit",
    "n",
    "compliance_pct",
    "target_pct",
    "z",
    "low95_pct",
    "high95_pct",
    "low998_pct",
    "high998_pct",
    "band",
    "adjustment",
    "phi",
    "chi2",
    "chi2_df",
    "chi2_p",
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("funnel") / "funnel.db"
    store = Store.open(path)
    trend_audits(store)  # Feb (4 cases) and Mar (2) share version 2 of `trendy`; Jan is v1
    store.close()
    return path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "qa", *args])


def paper_limit(p: float, n: int, target: float) -> float:
    r = binom.ppf(p, n, target)
    alpha = (binom.cdf(r, n, target) - p) / binom.pmf(r, n, target)
    return min(1.0, max(0.0, (r - alpha) / n))


def test_csv_by_audit_pools_the_two_audits_of_one_version(db: Path) -> None:
    result = run(db, "export", "funnel", "--audit", "Feb,Mar", "--by", "audit", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert list(rows[0]) == COLUMNS
    # six figures (sections a and b, B-2, B-3: B-1 is a fact) by two audits
    assert len(rows) == 12
    a1 = {r["unit"]: r for r in rows if r["question_id"] == "A-1"}
    # Feb 4 yes of 4, Mar 0 of 2; pooled 4/6. z(Feb) = (1 - 2/3) / sqrt((2/9)/4) = 1.414
    assert a1["Feb"]["n"] == "4" and a1["Feb"]["compliance_pct"] == "100.0"
    assert a1["Feb"]["target_pct"] == "66.7"
    assert float(a1["Feb"]["z"]) == pytest.approx((1 / 3) / math.sqrt(2 / 9 / 4), abs=1e-3)
    assert float(a1["Mar"]["high95_pct"]) == pytest.approx(
        100 * paper_limit(0.975, 2, 4 / 6), abs=0.05
    )
    assert {r["band"] for r in rows} <= {"", "alert", "alarm"}
    assert rows[0]["question_id"] == "" and rows[0]["section_id"] == "a"


def test_csv_carries_the_overdispersion_test(db: Path) -> None:
    result = run(db, "export", "funnel", "--audit", "Feb,Mar", "--by", "audit", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    a1 = {r["unit"]: r for r in rows if r["question_id"] == "A-1"}
    # A-1 about 2/3 (s^2 = 2/9 / n): Feb 4 of 4, z^2 = (1/3)^2 / (2/36) = 2; Mar 0 of 2,
    # z^2 = (2/3)^2 / (2/18) = 4. Two units, nothing Winsorised: chi2 = 6 on 1 df.
    for row in a1.values():
        assert float(row["chi2"]) == pytest.approx(6.0, abs=1e-3)
        assert row["chi2_df"] == "1"
        assert float(row["chi2_p"]) == pytest.approx(chi2.sf(6.0, 1), abs=1e-4)


def test_a_target_and_the_band(db: Path) -> None:
    # Against a standard of 0.1, Feb's 4 of 4 on A-1 is far above: the upper 99.8% limit at
    # n = 4 is below 1 (P(Y <= 3) = 0.9999 >= 0.999, so r = 3 and the limit is under 0.75).
    result = run(
        db, "export", "funnel", "--audit", "Feb,Mar", "--by", "audit", "--target", "0.1",
        "--question", "A-1", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rows = {r["unit"]: r for r in data["funnel"]}
    assert rows["Feb"]["band"] == "alarm"
    assert rows["Feb"]["target_pct"] == 10.0
    assert "Spiegelhalter" in data["meta"]["method"]


def test_xlsx_has_a_native_scatter_per_figure(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "funnel.xlsx"
    result = run(db, "export", "funnel", "--audit", "Feb,Mar", "--by", "audit", "--out", str(out))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Funnels", "funnel"]
    assert [c.value for c in book["funnel"][1]] == COLUMNS
    sheet = book["Funnels"]
    assert sheet["A1"].value == "a: Section A"
    assert [c.value for c in sheet[2]][:3] == ["Unit", "n", "%"]
    assert [c.value for c in sheet[3]][:3] == ["Feb", 4, 100]
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 6
        first = z.read(charts[0])
        assert b"<c:scatterChart>" in first
        assert first.count(b"<c:ser>") == 6  # the units, the target and four limit lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--audit", "Feb,Mar"], "needs --by"),
        (["--audit", "Feb", "--by", "audit", "--target", "1.5"], "between 0 and 1"),
        (["--audit", "Feb", "--by", "colour"], "cannot group by 'colour'"),
        (["--audit", " , ", "--by", "audit"], "names no audit"),
    ],
)
def test_funnel_refusals_exit_2_and_write_nothing(
    db: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "f.csv"
    result = run(db, "export", "funnel", *args, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()


def test_target_and_adjust_belong_to_the_funnel(db: Path) -> None:
    result = run(db, "export", "questions", "--audit", "Feb", "--adjust", "additive")
    assert result.exit_code == 2
    assert "export funnel only" in result.output


def test_lqas_plan_prints_n_and_d(db: Path) -> None:
    result = run(db, "lqas-plan", "--standard", "0.8", "--threshold", "0.5")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "19,6"
    assert "no more than 6 fail" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--standard", "0.5", "--threshold", "0.8"],
        ["--standard", "0.8", "--threshold", "0.5", "--alpha", "0"],
        ["--standard", "80", "--threshold", "50"],
    ],
)
def test_lqas_plan_refusals(db: Path, args: list[str]) -> None:
    result = run(db, "lqas-plan", *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_lqas_verdicts(db: Path) -> None:
    # Standard 0.9, threshold 0.2, risks 0.2: at n = 2 only d = 0 keeps beta within 0.2
    # (d = 1: P(at most 1 of 2 fail | 0.8 fail) = 0.36), so Mar's two failures on A-1 do not
    # meet; at n = 4, d = 1 (alpha 0.052, beta 0.027 beats d = 2's 0.004 + 0.181): Feb's
    # none failing meets.
    result = run(
        db, "lqas", "--audit", "Feb,Mar", "--by", "audit", "--question", "A-1",
        "--standard", "0.9", "--threshold", "0.2", "--alpha", "0.2", "--beta", "0.2",
        "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {r["unit"]: r for r in csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff")))}
    assert rows["Feb"]["verdict"] == "meets" and rows["Feb"]["d"] == "1"
    assert rows["Mar"]["verdict"] == "does not meet" and rows["Mar"]["d"] == "0"
    default = run(db, "lqas", "--audit", "Feb", "--by", "audit", "--format", "csv")
    assert default.exit_code == 0, default.output
    verdicts = {r["verdict"] for r in csv.DictReader(io.StringIO(default.stdout.lstrip("\ufeff")))}
    assert verdicts == {"not enough files"}  # 4 files, the 80/50 design needs 19


@pytest.mark.parametrize("command", [["export", "funnel"], ["lqas"]])
def test_a_blind_second_reviewer_gets_no_funnel(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "blind.db"
    store = Store.open(path)
    trend_audits(store)
    feb = store.audit_named("Feb")
    store.assign_second(feb.id, [store.audit_cases(feb.id)[0].case.id], "bob", "lead")
    store.close()
    result = CliRunner().invoke(
        main,
        ["--db", str(path), "--reviewer", "bob", *command, "--audit", "Mar,Feb", "--by", "audit",
         "--format", "csv"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "bob is the blind second reviewer of 1 case(s)" in result.stderr
    assert result.stdout == ""
