"""Periods (issue 25, item 1): an audit covers a stretch of time people can read; a trend orders
by it, leaves out audits without one and says so, and draws changes only like with like."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.core.periods import Period, PeriodError, parse
from casereview.demo.build import DEMO_AUDIT, EARLIER_AUDIT, build_demo
from casereview.demo.monthly import MONTHS
from casereview.io.reports import blocks as reportdoc
from casereview.io.reports import trend as trend_report
from casereview.services.trend import TrendError, build_trend
from casereview.services.trend_tables import trend_table
from casereview.store import Store
from tests.factories import FIXTURES, complete_review, trend_audits


def cli(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "qa", *args])


# ---------------------------------------------------------------- reading a period


@pytest.mark.parametrize(
    ("given", "start", "end", "label"),
    [
        ("2024-10", "2024-10-01", "2024-10-31", "2024-10"),
        ("2024-02", "2024-02-01", "2024-02-29", "2024-02"),  # a leap year's February
        ("2024", "2024-01-01", "2024-12-31", "2024"),
        ("2024-10..2024-12", "2024-10-01", "2024-12-31", "2024-10..2024-12"),
        ("2024-10-01..2024-12-31", "2024-10-01", "2024-12-31", "2024-10..2024-12"),
        ("2024-10-05..2024-10-20", "2024-10-05", "2024-10-20", "2024-10-05..2024-10-20"),
        (" 2024-10-05 ", "2024-10-05", "2024-10-05", "2024-10-05"),
        ("2023..2024", "2023-01-01", "2024-12-31", "2023..2024"),
    ],
)
def test_a_period_is_read_as_people_write_it(given: str, start: str, end: str, label: str) -> None:
    period = parse(given)
    assert (period.start, period.end) == (start, end)
    assert period.label == label
    assert parse(period.label) == period  # the label reads back as the same days


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("Oct 2024", r"is not a year \(2024\), a month \(2024-10\)"),
        ("2024-13", "2024-13 is not a date"),
        ("2024-12..2024-10", "ends before it starts"),
        ("", "not blank"),
    ],
)
def test_a_period_that_cannot_be_read_is_refused_with_the_syntax(given: str, says: str) -> None:
    with pytest.raises(PeriodError, match=says):
        parse(given)


# ---------------------------------------------------------------- giving one


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "p.db"
    store = Store.open(path)
    trend_audits(store)  # Jan and Feb reported in their months, Mar's period given
    store.close()
    return path


def test_audit_create_takes_a_period_and_refuses_a_bad_one(db: Path) -> None:
    bad = cli(
        db, "audit", "create", "Q", "--checklist", "trendy@2", "--sample", "2", "--period", "Q4"
    )
    assert bad.exit_code == 2
    assert "period 'Q4' is not a year (2024), a month (2024-10)" in bad.stderr
    both = cli(
        db, "audit", "create", "Q", "--checklist", "trendy@2", "--sample", "2",
        "--period", "2024-10", "--from", "2024-10-01",
    )  # fmt: skip
    assert (
        both.exit_code == 2 and "--period is for an audit drawn without report dates" in both.stderr
    )
    with closing(Store.open(db)) as store:
        assert "Q" not in {a.name for a in store.audits()}  # nothing written
    ok = cli(
        db, "audit", "create", "Q", "--checklist", "trendy@2", "--sample", "2",
        "--period", "2024-10..2024-12",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    with closing(Store.open(db)) as store:
        assert store.audit_named("Q").period == Period("2024-10-01", "2024-12-31")


def test_an_audit_without_dates_has_no_period_and_is_told_so(db: Path) -> None:
    made = cli(db, "audit", "create", "Q", "--checklist", "trendy@2", "--sample", "2")
    assert made.exit_code == 0
    assert "no period" in made.stderr and "casereview audit period NAME 2024-10" in made.stderr
    with closing(Store.open(db)) as store:
        audit = store.audit_named("Q")
        assert audit.period is None  # never the day it was created


def test_audit_period_changes_it_with_a_trail_event(db: Path) -> None:
    shown = cli(db, "audit", "period", "Jan")
    assert shown.exit_code == 0 and shown.stdout == "2024-01\n"  # from its report dates
    changed = cli(db, "audit", "period", "Mar", "2024-03-01..2024-03-15")
    assert changed.exit_code == 0, changed.output
    with closing(Store.open(db)) as store:
        mar = store.audit_named("Mar")
        assert mar.period == Period("2024-03-01", "2024-03-15")
        events = [e for e in store.events(audit_id=mar.id) if e.kind == "audit_period"]
        assert [(e.old, e.new, e.actor) for e in events] == [
            ("2024-03", "2024-03-01..2024-03-15", "qa")
        ]
    refused = cli(db, "audit", "period", "Mar", "March")
    assert refused.exit_code == 2 and "period 'March'" in refused.stderr


def test_an_old_database_takes_its_periods_from_report_dates_only(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    shutil.copy(FIXTURES / "v1.db", path)
    conn = sqlite3.connect(path)  # a second audit of the first schema, sampled on report dates
    conn.execute(
        "INSERT INTO audits (name, checklist_pk, checklist_hash, seed, scope, created_by,"
        " created_at) SELECT 'Dated', checklist_pk, checklist_hash, seed,"
        ' \'{"from": "2024-10-01", "to": "2024-10-31", "where": {}}\', created_by,'
        " created_at FROM audits"
    )
    conn.commit()
    conn.close()
    with closing(Store.open(path)) as store:
        periods = {a.name: a.period for a in store.audits()}
    assert periods == {"Test audit": None, "Dated": Period("2024-10-01", "2024-10-31")}


# ---------------------------------------------------------------- the trend


def _undated(store: Store, name: str = "Undated") -> None:
    """An audit of `trendy` with no period and a completed review."""
    v2 = store.find_checklist("trendy@2")
    audit = store.create_audit(name, v2.pk, [1], "qa", seed=1)
    answers = {"A-1": "yes", "A-9": "yes", "B-1": "no", "B-2": "yes", "B-3": "yes"}
    complete_review(store, audit.id, 1, "qa", "primary", answers)


def test_an_undated_audit_is_left_out_and_named_with_how_to_date_it(db: Path) -> None:
    with closing(Store.open(db)) as store:
        _undated(store)
        trend = build_trend(store, "trendy")
    assert [a.name for a in trend.audits] == ["Jan", "Feb", "Mar"]
    assert trend.undated == ("Undated",)
    result = cli(db, "trend", "--checklist", "trendy", "--format", "csv")
    assert result.exit_code == 0
    assert (
        "warning: left out (no period): Undated; give one with "
        "`casereview audit period NAME 2024-10`" in result.stderr
    )
    assert b"Undated" not in result.stdout_bytes
    report = reportdoc.to_markdown(trend_report.blocks(trend))
    assert "Left out (no period): Undated; give one with" in report


def test_only_undated_audits_is_a_refusal_that_says_why(tmp_path: Path) -> None:
    store = Store.memory()
    trend_audits(store)
    with pytest.raises(TrendError, match=r"left out \(no period\): Undated"):
        _undated(store)
        build_trend(store, "trendy", ["Undated"])


def test_no_change_is_drawn_between_audits_of_different_scope() -> None:
    store = Store.memory()
    audits = trend_audits(store)
    # Feb narrowed to one team: a different scope from Jan and Mar (everything), so Feb gets
    # no change and Mar is compared with Jan, the latest earlier audit of its own scope.
    store.db.execute(
        "UPDATE audits SET scope = ? WHERE id = ?",
        ['{"from": "2024-02-01", "to": "2024-02-29", "where": {"team": "CID"}}', audits["Feb"].id],
    )
    trend = build_trend(store, "trendy")
    section_a = trend.sections[0]
    jan, feb, mar = section_a.figures
    assert feb is not None and feb.change is None and feb.direction is None
    assert mar is not None and mar.against == "Jan"
    # Mar 0 of 2 against Jan 1 of 4: 0 - 0.25 = -0.25.
    assert mar.change is not None and mar.change.difference == pytest.approx(-0.25)
    assert (
        "not compared with the others (another scope: team=CID; simple random sample): Feb"
        in trend.notes
    )
    rows = {(r["audit"], r["section_id"]): r for r in trend_table(trend, "section").rows}
    assert rows[("Feb", "a")]["compared_with"] is None and rows[("Feb", "a")]["change_pts"] is None
    assert rows[("Mar", "a")]["compared_with"] == "Jan"


def test_an_overlapping_period_is_not_compared_and_said_so() -> None:
    store = Store.memory()
    audits = trend_audits(store)
    store.set_audit_period(audits["Mar"].id, parse("2024-02..2024-03"), "qa")  # spans Feb
    trend = build_trend(store, "trendy")
    mar = trend.sections[0].figures[2]
    assert mar is not None and mar.against == "Jan" and mar.change is not None
    assert (
        "Mar (2024-02..2024-03) overlaps the period of Feb (2024-02): no change drawn "
        "between them" in trend.notes
    )


# ---------------------------------------------------------------- the demo


def test_the_demo_trend_has_true_periods_and_no_unsupported_decline(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    store = Store.open(path)
    assert build_demo(store, "newcomer")
    _undated_demo(store)
    store.close()
    result = cli(path, "trend", "--checklist", "stalking-casefile", "--by", "section")
    assert result.exit_code == 0, result.output
    text = result.stdout_bytes.decode("utf-8-sig")
    assert "declined" not in text
    assert "warning: left out (no period): Undated demo audit" in result.stderr
    with closing(Store.open(path)) as store:
        trend = build_trend(store, "stalking-casefile")
        periods = {a.name: a.period for a in trend.audits}
        assert periods[DEMO_AUDIT] == "2024"  # the year its files cover, not today
        assert periods[EARLIER_AUDIT] == "2024-01..2024-03"
        assert [periods[name] for name, *_ in MONTHS] == ["2024-10", "2024-11", "2024-12"]
        assert [a.name for a in trend.audits][-3:] == [name for name, *_ in MONTHS]
        dip = [a.name for a in trend.audits].index(DEMO_AUDIT)
        for section in trend.sections:
            figure = section.figures[dip]
            assert figure is not None and figure.change is None  # another scope: no change
        # the sections improve month by month: an arrow up somewhere, never one down
        directions = [f.direction for s in trend.sections for f in s.figures if f]
        assert "improved" in directions and "declined" not in directions
        # nothing is compared with the dip sample; a question that declined did so from
        # the Q1 self-audit (same force, same design) to October, its interval below 0
        figures = [f for s in trend.items() for f in s.figures if f]
        assert all(DEMO_AUDIT not in (f.audit, f.against) for f in figures if f.change)
        for f in figures:
            if f.direction == "declined":
                assert f.against == EARLIER_AUDIT and f.change and f.change.high < 0


def _undated_demo(store: Store) -> None:
    info = store.find_checklist("stalking-casefile")
    case_id = store.cases()[0].id
    audit = store.create_audit("Undated demo audit", info.pk, [case_id], "qa", seed=1)
    review = store.open_review(audit.id, case_id, "qa")
    checklist = store.checklist(info.pk)
    given: dict[str, str | None] = {}
    scope = store.case(case_id).scope()  # 3.0 has questions that apply from a date
    for q in checklist.questions:
        if q.id in checklist.visible(given, scope):
            given[q.id] = "na" if "na" in q.answers else q.answers[-1]
            store.set_answer(review.id, q.id, given[q.id], "qa")
    store.complete_review(review.id, "qa")


def test_a_month_ends_on_the_day_the_calendar_says_in_every_year() -> None:
    """A month's period ends on its last day (periods.py works it out without `calendar`,
    which imports `locale` at every start): `calendar` itself is the oracle."""
    import calendar

    for year in (1, 1900, 2000, 2023, 2024, 2100, 9999):
        for month in range(1, 13):
            got = parse(f"{year:04d}-{month:02d}")
            assert got.end == f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
