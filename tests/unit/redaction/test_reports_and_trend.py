"""Redacted reports (Markdown, Word) and trends (every format, the control chart): the first
paragraph or line says so, no date to the day, nothing of the source; the same figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.core.periods import parse as parse_period
from tests.factories import monthly_trend
from tests.unit.redaction.source import (
    AUDIT,
    DAY,
    every_string,
    leaks,
    number,
    source_db,
    tables_of,
)

FIGURE = re.compile(r"\d+(?:\.\d+)?%|\d+ of \d+")


def figures(texts: list[str]) -> list[str]:
    return [f for s in texts for f in FIGURE.findall(s)]


NOTICE_START = "REDACTED export: case references replaced by keyed pseudonyms"


def cli(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "lead", *args])


@pytest.mark.parametrize("suffix", ["md", "docx"])
def test_a_redacted_audit_report_opens_with_the_notice_and_holds_no_day(
    tmp_path: Path, suffix: str
) -> None:
    db = source_db(tmp_path / "source.db")
    plain, redacted = tmp_path / f"plain.{suffix}", tmp_path / f"redacted.{suffix}"
    assert cli(db, "report", "--audit", AUDIT, "--out", str(plain)).exit_code == 0
    result = cli(db, "report", "--audit", AUDIT, "--out", str(redacted), "--redact")
    assert result.exit_code == 0, result.output
    assert any("2024-01-03" in s for s in every_string(plain))  # the scope's first day
    assert leaks(redacted) == []
    texts = [s for s in every_string(redacted) if s.strip()]
    assert texts[0].startswith(NOTICE_START)
    assert any("reported 2024-01 to 2024-06" in s for s in texts)
    # the same figures: each percentage and count, in order, as the plain report has them
    assert figures(every_string(plain)) == figures(texts)
    assert figures(texts)  # the report has figures to compare


@pytest.fixture
def trend_db(tmp_path: Path) -> Path:
    """monthly_trend's Jan, Feb, Mar; Jan's period given to the day."""
    path = tmp_path / "trend.db"
    store = monthly_trend(path)
    jan = store.audit_named("Jan")
    store.set_audit_period(jan.id, parse_period("2024-01-03..2024-01-20"), "qa")
    store.close()
    return path


@pytest.mark.parametrize("chart", [(), ("--chart", "spc")], ids=["changes", "spc"])
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_redacted_trend_says_so_cuts_days_and_keeps_its_figures(
    tmp_path: Path, trend_db: Path, fmt: str, chart: tuple[str, ...]
) -> None:
    plain, redacted = tmp_path / f"plain.{fmt}", tmp_path / f"redacted.{fmt}"
    args = ("trend", "--checklist", "trendy", *chart)
    assert cli(trend_db, *args, "--out", str(plain)).exit_code == 0
    result = cli(trend_db, *args, "--out", str(redacted), "--redact")
    assert result.exit_code == 0, result.output
    assert any(DAY.search(s) for s in every_string(plain))
    assert not any(DAY.search(s) for s in every_string(redacted))
    name = "spc" if chart else "trend"
    plain_notice, plain_tables = tables_of(plain, fmt, name)
    notice, tables = tables_of(redacted, fmt, name)
    assert plain_notice is None
    assert notice is not None and notice.lstrip("# ").startswith(NOTICE_START)
    assert tables.keys() == plain_tables.keys()
    for table, plain_rows in plain_tables.items():
        assert len(tables[table]) == len(plain_rows)
        for before, after in zip(plain_rows, tables[table], strict=True):
            for column, value in before.items():
                if number(value) is not None:
                    assert number(after[column]) == number(value), (table, column)


@pytest.mark.parametrize("suffix", ["md", "docx"])
def test_a_redacted_trend_report_opens_with_the_notice(
    tmp_path: Path, trend_db: Path, suffix: str
) -> None:
    out = tmp_path / f"trend.{suffix}"
    result = cli(
        trend_db, "report", "--trend", "--checklist", "trendy", "--out", str(out), "--redact"
    )
    assert result.exit_code == 0, result.output
    texts = [s for s in every_string(out) if s.strip()]
    assert texts[0].startswith(NOTICE_START)
    assert not any(DAY.search(s) for s in texts)
    assert any("2024-01..2024-01" in s for s in texts)  # Jan's period, to the month
