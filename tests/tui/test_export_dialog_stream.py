"""The export dialog writes answers and events as they are read, on its worker thread
through a read connection of its own (Store.reader): the same file as the table path."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, Select

from casereview.io.exports import pipeline as outputs
from casereview.tui.app import make_app
from casereview.tui.dialogs.export import ExportScreen
from casereview.tui.screens import FindingsScreen
from tests.factories import moderated_audit


@pytest.mark.parametrize(("kind", "suffix"), [("answers", "json"), ("events", "csv")])
async def test_the_dialog_streams_answers_and_events_to_the_tables_bytes(
    tmp_path: Path, kind: str, suffix: str
) -> None:
    store, audit, _ids = moderated_audit(tmp_path / "t.db")
    expected = io.BytesIO()
    outputs.write_to(outputs.prepare(store, audit.name, kind, suffix, None, True), expected)
    out = tmp_path / f"out.{suffix}"
    app = make_app(store, "lead")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("f", "x")
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        dialog.query_one("#export-kind", Select).value = kind
        await pilot.pause()
        dialog.query_one("#export-path", Input).value = str(out)
        dialog.query_one("#export-notes", Checkbox).value = True
        await pilot.pause()
        await pilot.click("#export-go")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, FindingsScreen)
    assert out.read_bytes() == expected.getvalue()
    store.close()
