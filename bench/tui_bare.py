"""The TUI start's baseline: a bare Textual app showing one DataTable, run as a command.

    python -m bench.tui_bare

Only the DataTable (one row, no database): the audits screen's header, key bar and texts
are casereview's cost. Nothing else is imported for it (this module imports no other
widget). bench/tui_start.py starts it in a terminal as it starts `casereview`.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

ROW = ("Audit", "25000", "25000", "0", "██████████ 100%", "stalking-casefile@2.0")


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("Audit", "Cases", "Done", "Open", "Progress", "Checklist")
        table.add_row(*ROW)
        yield table


if __name__ == "__main__":
    BareApp().run()
