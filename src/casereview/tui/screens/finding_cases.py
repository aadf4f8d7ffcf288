"""From a figure to its cases: the counted No, Partly and Unknown answers to a question or a
section, with their notes; Enter opens that case's review at the row's question."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from casereview.core.checklist.models import ANSWER_LABELS
from casereview.services.shortfalls import Flagged
from casereview.store.records import AuditCase
from casereview.tui.dialogs.modals import Dialog
from casereview.tui.screens._base import highlighted_key


class FlaggedScreen(Dialog[tuple[int, str] | None]):
    """The list; dismissed with the case to open and the question to open it at (the row's:
    the figure's question, or in a section's list the one the case fell short on), or None."""

    FIELD = "#flagged"
    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("enter", "open", "Open review"),
    ]

    def __init__(self, what: str, rows: list[Flagged], sampled: list[AuditCase]):
        super().__init__()
        self.what = what
        position = {ac.case.id: ac.position for ac in sampled}
        self.refs = {ac.case.id: ac.case.case_ref for ac in sampled}
        self.rows = sorted(rows, key=lambda r: position.get(r.case_id, 0))

    def compose(self) -> ComposeResult:
        cases = len({r.case_id for r in self.rows})
        with Vertical(classes="dialog"):
            # the section title and every cell are data: Text, never markup
            yield Label(
                Text.assemble(
                    (self.what, "bold"),
                    f": {len(self.rows)} answer(s) of No, Partly or Unknown in {cases} case(s)"
                    " (counted reviews). Enter opens the case, Escape closes.",
                )
            )
            yield DataTable(id="flagged", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Case", "Question", "Answer", "Reviewer", "Note")
        for i, r in enumerate(self.rows):
            table.add_row(
                Text(self.refs.get(r.case_id, str(r.case_id))),
                Text(r.question_id),
                Text(ANSWER_LABELS[r.value], "red" if r.value == "no" else "yellow"),
                Text(r.reviewer + (" (moderated)" if r.role == "moderated" else "")),
                Text(r.note.replace("\n", " ")),
                key=f"{i}:{r.case_id}",
            )
        if not self.rows:
            table.add_row(Text("none: every counted answer is Yes or N/A"), "", "", "", "")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_open(self) -> None:
        key = highlighted_key(self.query_one(DataTable))
        if self.rows and key is not None:
            row = self.rows[int(key.split(":")[0])]
            self.dismiss((row.case_id, row.question_id))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()
