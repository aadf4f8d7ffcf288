"""Home: every audit with its progress."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from casereview.screens._base import StoreScreen, progress_bar


class AuditsScreen(StoreScreen):
    """The audits in this database; Enter opens one."""

    BINDINGS = [
        Binding("enter", "open", "Open", show=True),
        Binding("r", "refresh", "Refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="audits-intro")
        yield DataTable(id="audits", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Audit", "Checklist", "Cases", "Done", "Open", "Progress")
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        audits = self.store.audits()
        for a in audits:
            pct = f"{a.n_complete / a.n_cases:.0%}" if a.n_cases else "-"
            table.add_row(
                a.name,
                a.checklist_label,
                str(a.n_cases),
                str(a.n_complete),
                str(a.n_in_progress),
                f"{progress_bar(a.n_complete, a.n_cases)} {pct}",
                key=str(a.id),
            )
        intro = self.query_one("#audits-intro", Static)
        if audits:
            intro.update(f"Reviewer: [b]{self.reviewer}[/b]. Choose an audit and press Enter.")
            table.move_cursor(row=min(row, len(audits) - 1))
        else:
            intro.update(
                "No audits yet. Import cases with [b]casereview cases import FILE.csv[/b], then "
                "[b]casereview audit create NAME --checklist stalking-casefile --sample 20[/b]."
            )

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            assert key is not None
            self.cr_app.open_audit(int(key))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()
