"""Issue 31, item 4: the export and report dialogs' Redacted option writes the redacted file
(the notice first, no reference, officer, note or summary of the source, no day)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, Select

from casereview.store import Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.export import ExportScreen
from casereview.tui.dialogs.report import ReportDialog
from casereview.tui.screens import FindingsScreen
from tests.tui.waiting import until
from tests.unit.redaction.source import AUDIT, leaks, source_db

NOTICE_START = "REDACTED export: case references replaced by keyed pseudonyms"


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
async def test_the_export_dialogs_redact_option_writes_a_redacted_file(
    tmp_path: Path, suffix: str
) -> None:
    store = Store.open(source_db(tmp_path / "t.db"))
    out = tmp_path / f"cases.{suffix}"
    app = make_app(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f", "x")
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        dialog.query_one("#export-kind", Select).value = "answers"
        await pilot.pause()
        dialog.query_one("#export-path", Input).value = str(out)
        dialog.query_one("#export-notes", Checkbox).value = True
        dialog.query_one("#export-redact", Checkbox).value = True
        await pilot.pause()
        await pilot.click("#export-go")
        # the dialog closes once the file is in place (its worker, cancelled as the dialog
        # goes, is not waited for: that raises WorkerCancelled on a loaded machine)
        await until(pilot, lambda: isinstance(app.screen, FindingsScreen), "the findings")
    store.close()
    assert out.is_file()
    assert leaks(out) == []
    if suffix == "csv":
        assert out.read_bytes()[3:].decode("utf-8").startswith("# " + NOTICE_START)
    else:
        import openpyxl

        first = openpyxl.load_workbook(out).worksheets[0]
        assert first.cell(1, 1).value == "Redacted"
        assert str(first.cell(1, 2).value).startswith(NOTICE_START)


async def test_the_report_dialogs_redact_option_writes_a_redacted_report(
    tmp_path: Path,
) -> None:
    store = Store.open(source_db(tmp_path / "t.db"))
    out = tmp_path / "report.md"
    app = make_app(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f", "w")
        dialog = app.screen
        assert isinstance(dialog, ReportDialog)
        dialog.query_one("#report-format", Select).value = "md"
        await pilot.pause()
        dialog.query_one("#report-path", Input).value = str(out)
        dialog.query_one("#report-redact", Checkbox).value = True
        await pilot.pause()
        await pilot.click("#report-go")
        await until(pilot, out.is_file, "the report")
    store.close()
    text = out.read_text("utf-8")
    assert text.startswith(NOTICE_START)
    assert leaks(out) == []
    assert AUDIT in text


async def test_a_scrutiny_panels_export_is_redacted_whatever_it_ticks(tmp_path: Path) -> None:
    """Issue 31, item 5: the panel gets redacted case lists, never the references: its
    dialog comes with Redacted ticked and fixed, and unticking it (or ticking notes) by any
    means still writes the redacted file."""
    store = Store.open(source_db(tmp_path / "t.db"))
    out = tmp_path / "cases.csv"
    app = make_app(store, "pat", "scrutiny")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f", "x")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        redact = dialog.query_one("#export-redact", Checkbox)
        assert redact.value and redact.disabled
        assert "YES" in str(redact.label) and "scrutiny panel" in str(redact.label)
        assert dialog.query_one("#export-notes", Checkbox).disabled
        dialog.query_one("#export-kind", Select).value = "cases"
        await pilot.pause()
        dialog.query_one("#export-path", Input).value = str(out)
        redact.value = False  # as a crafted event would: the dialog still redacts
        dialog.query_one("#export-notes", Checkbox).value = True
        await pilot.pause()
        await pilot.click("#export-go")
        await until(pilot, lambda: isinstance(app.screen, FindingsScreen), "the findings")
    store.close()
    assert out.read_bytes()[3:].decode("utf-8").startswith("# " + NOTICE_START)
    assert leaks(out) == []


async def test_a_scrutiny_panels_report_is_redacted(tmp_path: Path) -> None:
    store = Store.open(source_db(tmp_path / "t.db"))
    out = tmp_path / "report.md"
    app = make_app(store, "pat", "scrutiny")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f", "w")
        await until(pilot, lambda: isinstance(app.screen, ReportDialog), "the report dialog")
        dialog = app.screen
        assert isinstance(dialog, ReportDialog)
        redact = dialog.query_one("#report-redact", Checkbox)
        assert redact.value and redact.disabled
        dialog.query_one("#report-format", Select).value = "md"
        await pilot.pause()
        dialog.query_one("#report-path", Input).value = str(out)
        redact.value = False
        await pilot.pause()
        await pilot.click("#report-go")
        await until(pilot, out.is_file, "the report")
    store.close()
    assert out.read_text("utf-8").startswith(NOTICE_START)
    assert leaks(out) == []
