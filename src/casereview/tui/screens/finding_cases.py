"""From a figure to its cases: the counted No, Partly and Unknown answers to a question or a
section, with their notes; Enter opens that case's review at the row's question."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from casereview.core.checklist.models import ANSWER_LABELS
from casereview.core.problems import CasereviewError
from casereview.services import findings, shortfalls
from casereview.services.shortfalls import Flagged
from casereview.store.records import AuditCase
from casereview.tui.dialogs.modals import Dialog
from casereview.tui.messages import OpenCase
from casereview.tui.screens._base import highlighted_key

if TYPE_CHECKING:
    from casereview.tui.screens.findings import FindingsScreen


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


def open_flagged(screen: FindingsScreen) -> None:
    """The cases that answered No, Partly or Unknown to the findings screen's highlighted
    question or section, with their notes; Enter opens one's review."""
    if screen.view not in ("sections", "agreement") or not screen._ready:
        screen.notify("l lists cases from a section or question row.", markup=False)
        return
    audit = screen.store.audit(screen.audit_id)
    try:
        data = screen._data(audit.name, None)
    except CasereviewError as exc:
        screen.notify(str(exc), severity="warning", markup=False)
        return
    chosen = _flagged_questions(screen, data)
    if chosen is None:
        screen.notify("Highlight a section or a question first.", markup=False)
        return
    what, question_ids = chosen
    rows = shortfalls.flagged_answers(
        data, question_ids, screen.store.completed_notes(screen.audit_id, question_ids)
    )
    sampled = screen.store.audit_cases(screen.audit_id)
    screen.app.push_screen(
        FlaggedScreen(what, rows, sampled),
        partial(_open_flagged, screen),
    )


def _open_flagged(screen: FindingsScreen, chosen: tuple[int, str] | None) -> None:
    """The chosen case's review, at the question its row is about."""
    if chosen is not None:
        case_id, question_id = chosen
        screen.app.post_message(OpenCase(screen.audit_id, case_id, stay=True, at=question_id))


def _flagged_questions(
    screen: FindingsScreen, data: findings.AuditData
) -> tuple[str, list[str]] | None:
    """The highlighted row's questions: a question's own, or a section's scored ones."""
    key = highlighted_key(screen.query_one(DataTable))
    if key is None or key == "context":
        return None
    section_id = key.removeprefix("section:")
    for section in data.checklist.sections:
        if section.id == section_id and (screen.view == "sections" or key != section_id):
            return section.title, [q.id for q in section.questions if q.scored]
    if data.checklist.has_question(key):
        return key, [key]
    return None
