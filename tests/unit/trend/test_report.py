"""`report --trend`: the trend report in Markdown and Word, on three monthly audits whose
figures are worked out by hand (tests/tui/test_trends_screen.py has the working)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.store import Store
from tests.factories import monthly_trend


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    monthly_trend(path).close()
    return path


def test_the_markdown_trend_report(db: Path) -> None:
    result = run(db, "report", "--trend", "--checklist", "trendy")
    assert result.exit_code == 0, result.output
    text = result.stdout
    lines = text.splitlines()
    assert lines[0] == "# Trends: Trend test checklist"
    assert "| Feb | 2024-02 | trendy@2 | 4 |" in lines
    # Section A: 1 of 4 in full (Wilson 5-70%), 4 of 4 (51-100%): +75 points, Newcombe
    # +8.5 to +95.4, improved; 0 of 2 (0-66%): -100, -100.0 to -18.0, declined.
    section_a = text[text.index("### Section A") : text.index("### Section B")]
    assert section_a.splitlines()[4:7] == [
        "| 2024-01 | 1 of 4 \u2020 | 25% | 5-70% | - |  |",
        "| 2024-02 | 4 of 4 \u2020 | 100% | 51-100% | +75.0 (+8.5 to +95.4) | improved |",
        "| 2024-03 | 0 of 2 \u2020 | 0% | 0-66% | -100.0 (-100.0 to -18.0) | declined |",
    ]
    # the clear changes: section A twice, and A-1 from 100% to 0 of 2 (the same interval)
    clear = text[text.index("## Clear changes") : text.index("## Sections")]
    assert [line for line in clear.splitlines() if line.startswith("- ")] == [
        "- **Section A** \u2014 improved in 2024-02 (Feb), 100% (51-100%), "
        "+75.0 (+8.5 to +95.4) points",
        "- **Section A** \u2014 declined in 2024-03 (Mar), 0% (0-66%), "
        "-100.0 (-100.0 to -18.0) points",
        "- **A-1 First standard?** \u2014 declined in 2024-03 (Mar), 0% (0-66%), "
        "-100.0 (-100.0 to -18.0) points",
    ]
    questions = text[text.index("## Questions") :]
    # A-1 2.5 of 4 = 63% (21.9-90.8), A-9 3 of 4 (30.1-95.4), 1 of 2 in March (9.5-90.5);
    # the fact B-1 yes in 1 of 4, 2 of 4, 2 of 2; B-3 new in version 2.
    for row in (
        "| A-1 First standard? | 63 (22-91) | 100 (51-100) | 0 (0-66) \u25bc |",
        "| A-9 Second standard, reworded? | 75 (30-95) | 100 (51-100) | 50 (9-91) |",
        "| B-1 Did the fact hold? (fact) | 25 (5-70) | 50 (15-85) | 100 (34-100) |",
        "| B-3 A new standard? | not asked | 50 (15-85) | 100 (34-100) |",
    ):
        assert row in questions.splitlines()
    assert "Newcombe 1998, method 10" in text


def test_the_word_trend_report(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "trend.docx"
    result = run(db, "report", "--trend", "--checklist", "trendy", "--out", str(out))
    assert result.exit_code == 0, result.output
    doc = docx.Document(str(out))
    headings = [p.text for p in doc.paragraphs if (p.style.name or "").startswith("Heading")]  # type: ignore[union-attr]
    assert headings == [
        "Trends: Trend test checklist",
        "Audits",
        "Method",
        "Clear changes",
        "Sections",
        "Section A",
        "Section B",
        "Questions",
        "Section A",
        "Section B",
        "Control charts (p-charts)",
        "Section A",
        "Section B",
    ]
    audits, section_a, section_b, questions_a, _questions_b, spc_a, _spc_b = doc.tables
    assert [[c.text for c in r.cells] for r in audits.rows] == [
        ["Audit", "Period", "Checklist", "Reviews counted"],
        ["Jan", "2024-01", "trendy@1", "4"],
        ["Feb", "2024-02", "trendy@2", "4"],
        ["Mar", "2024-03", "trendy@2", "2"],
    ]
    # Section B: 3 of 4 (30-95%), 2 of 4 (15-85%), 2 of 2 (34-100%): no clear change twice
    assert [[c.text for c in r.cells][1:] for r in section_b.rows][1:] == [
        ["3 of 4 \u2020", "75%", "30-95%", "-", ""],
        ["2 of 4 \u2020", "50%", "15-85%", "-25.0 (-65.5 to +32.0)", "no clear change"],
        ["2 of 2 \u2020", "100%", "34-100%", "+50.0 (-24.5 to +85.0)", "no clear change"],
    ]
    assert section_a.rows[2].cells[5].text == "improved"
    assert [c.text for c in questions_a.rows[0].cells] == [
        "Question",
        "2024-01",
        "2024-02",
        "2024-03",
    ]
    # p-chart of section A, all periods the baseline: centre 5 of 10 = 50%; limits at n = 4
    # 0.5 -+ 3 sqrt(0.25 / 4) = -0.25..1.25, cut to 0-100; n = 2 wider still: no signal
    assert [[c.text for c in r.cells] for r in spc_a.rows] == [
        ["Period", "n", "%", "Centre %", "Limits %", "Signals"],
        ["2024-01", "4", "25", "50", "0-100", ""],
        ["2024-02", "4", "100", "50", "0-100", ""],
        ["2024-03", "2", "0", "50", "0-100", ""],
    ]
    assert "No section shows a signal." in [p.text for p in doc.paragraphs]
    # one line chart per section, named for it, then a p-chart per section
    assert [s._inline.docPr.get("descr") for s in doc.inline_shapes] == [
        "Section A",
        "Section B",
        "p-chart: Section A",
        "p-chart: Section B",
    ]


def test_the_trend_report_is_refused_as_asked_wrongly(db: Path, tmp_path: Path) -> None:
    for args, words in (
        (["--trend"], "give --checklist ID"),
        (["--trend", "--checklist", "trendy", "--audit", "Jan"], "(and not --audit)"),
        (["--checklist", "trendy"], "--checklist and --audits go with --trend"),
        ([], "give --audit NAME, or --trend --checklist ID"),
        (["--trend", "--checklist", "nosuch"], "nosuch"),
    ):
        result = run(db, "report", *args)
        assert result.exit_code == 2, args
        assert words in result.stderr, (args, result.stderr)
    link = tmp_path / "db.md"
    link.symlink_to(db)
    onto = run(db, "report", "--trend", "--checklist", "trendy", "--out", str(link))
    assert onto.exit_code == 2 and "is the open database" in onto.stderr


def test_a_blind_second_reviewer_gets_no_trend_report(db: Path) -> None:
    from casereview.store import Store

    store = Store.open(db)
    feb = store.audit_named("Feb")
    store.assign_second(feb.id, [store.audit_cases(feb.id)[0].case.id], "bob", "lead")
    store.close()
    result = run(db, "--reviewer", "bob", "report", "--trend", "--checklist", "trendy")
    assert result.exit_code == 2
    assert "bob is the blind second reviewer of 1 case(s)" in result.stderr
    assert result.stdout == ""


def test_the_p_chart_section_names_each_signal(db: Path) -> None:
    from casereview.io.reports import trend as trend_report
    from casereview.io.reports.blocks import to_markdown
    from casereview.services.trend import build_trend

    store = Store.open(db)
    try:
        trend = build_trend(store, "trendy", None, False, "qa")
        text = to_markdown(trend_report.blocks(trend, baseline=["Feb"]))
    finally:
        store.close()
    spc = text[text.index("## Control charts (p-charts)") :]
    assert "Montgomery" in spc and "Baseline: Feb." in spc
    # Feb alone is the baseline: section A 4 of 4, centre 100% and sigma 0, so both limits
    # sit on it; Jan's 1 of 4 (25%) and Mar's 0 of 2 are beyond them. Section B: Feb 2 of 4,
    # centre 50%, n = 4 limits 0.5 -+ 0.75 and n = 2 -+ 1.06: nothing beyond.
    assert spc.splitlines()[4:8] == [
        "Signals on sections:",
        "",
        "- Section A: 2024-01 (Jan) 25% against centre 100%: beyond limits",
        "- Section A: 2024-03 (Mar) 0% against centre 100%: beyond limits",
    ]
    assert "| 2024-03 | 2 | 0 | 100 | 100-100 | beyond limits |" in spc.splitlines()
    assert "| 2024-03 | 2 | 100 | 50 | 0-100 |  |" in spc.splitlines()
    assert "- A-1 First standard?: 2024-03 (Mar) 0% against centre 100%: beyond limits" in spc
