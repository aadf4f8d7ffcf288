"""Issue 30, item 1: the findings report and the trend report from the app, Word or
Markdown, written to the reviewer's documents or data folder."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.report import ReportDialog
from tests.factories import complete_review, monthly_trend
from tests.tui.waiting import until

FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "no", "SPO-01": "na"}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with a Documents folder: where reports go by default."""
    (tmp_path / "Documents").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    return tmp_path / "Documents"


async def test_the_findings_report_in_markdown_and_word(
    audited: tuple[Store, AuditInfo], home: Path
) -> None:
    store, audit = audited
    complete_review(store, audit.id, store.audit_cases(audit.id)[0].case.id, "ann", "primary", FULL)
    app = make_app(store, "ann")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f", "w")
        dialog = app.screen
        assert isinstance(dialog, ReportDialog)
        assert dialog.query_one("#report-path", Input).value == str(home / "test-audit-report.docx")
        dialog.query_one("#report-format", Select).value = "md"
        await pilot.pause()
        md = home / "test-audit-report.md"
        assert dialog.query_one("#report-path", Input).value == str(md)
        await pilot.click("#report-go")
        await until(pilot, md.is_file, "the Markdown report")
        assert md.read_text(encoding="utf-8").startswith("# ")
        assert "Test audit" in md.read_text(encoding="utf-8")
        await pilot.press("w")
        await pilot.click("#report-go")
        docx = home / "test-audit-report.docx"
        await until(pilot, docx.is_file, "the Word report")
    with zipfile.ZipFile(docx) as word:
        assert "Test audit" in word.read("word/document.xml").decode("utf-8")


async def test_the_trend_report_from_the_trends_screen(tmp_path: Path, home: Path) -> None:
    store = monthly_trend(tmp_path / "t.db")
    app = make_app(store, "qa")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await until(pilot, lambda: app.screen.query("#trends"), "the trends")
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, ReportDialog)
        path = Path(dialog.query_one("#report-path", Input).value)
        assert path.parent == home and path.suffix == ".docx"
        await pilot.click("#report-go")
        await until(pilot, path.is_file, "the trend report")
    with zipfile.ZipFile(path) as word:
        text = word.read("word/document.xml").decode("utf-8")
    assert "Jan" in text and "Feb" in text and "Mar" in text
