"""One audit's sampled cases with the state of each review; Enter opens the review."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static
from textual.widgets.data_table import ColumnKey

from casereview.problems import CasereviewError
from casereview.rules import next_in_queue
from casereview.screens._base import StoreScreen, highlighted_key
from casereview.screens.modals import ReasonScreen
from casereview.screens.moderation import ModerationScreen
from casereview.store.records import AuditCase

STATUS = {None: "not started", "in_progress": "in progress", "complete": "complete"}


class AuditCasesScreen(StoreScreen):
    """The sample, in sample order."""

    BINDINGS = [
        Binding("enter", "open", "Review", priority=True),  # shown: see FindingsScreen
        Binding("m", "mine", "My queue"),
        Binding("f", "findings", "Findings"),
        Binding("o", "moderate", "Moderate"),
        Binding("a", "assign", "Assign", priority=True),  # opens a dialog: see modals.Dialog
        Binding("escape", "app.pop_screen", "Audits"),
    ]

    def __init__(self, audit_id: int):
        super().__init__()
        self.audit_id = audit_id
        self.only_mine = False
        self.opened: set[int] = set()  # cases whose reviews were opened over this screen
        self._columns: list[ColumnKey] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="cases-summary")
        yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self._columns = table.add_columns(
            "#",
            "Case",
            "Status",
            "Assigned",
            "2nd review",
            "Team",
            "Offence as recorded",
            "Reported",
        )

    def _to_my_next_case(self, rows: list[AuditCase]) -> None:
        """Start on the reviewer's own unfinished review: in progress first, then not started
        (rules.next_in_queue; a second reviewer's own are their blind second reviews)."""
        found = next_in_queue(rows, self.reviewer)
        if found is not None:
            self.query_one(DataTable).move_cursor(row=rows.index(found))

    def on_screen_resume(self) -> None:
        # Also sent when the screen is first shown: the table is filled here, once. Back
        # from a review, only that case's row can have changed: redraw it and the summary
        # (a national audit has 25,000 rows to refill otherwise).
        if self.app.screen is not self:
            return  # a resume that arrived after a review was pushed on top (a modal closed)
        table = self.query_one(DataTable)
        listed = {key.value for key in table.rows}
        if table.row_count == 0:
            self._to_my_next_case(self.refresh_cases())
        elif self.opened and all(str(case_id) in listed for case_id in self.opened):
            for case_id in self.opened:
                ac = self.store.audit_case(self.audit_id, case_id)
                for column, value in zip(self._columns, self._cells(ac), strict=True):
                    table.update_cell(str(case_id), column, value)
            self._summary()
        else:  # a case opened from the palette may not be in this list (your queue)
            self.refresh_cases()
        self.opened.clear()

    @staticmethod
    def _cells(ac: AuditCase) -> tuple[Text, ...]:
        """The row of a case; Text cells, since DataTable reads a str cell as markup."""
        status = STATUS[ac.status]
        if ac.status == "in_progress":
            status += f" ({ac.n_answered} answered)"
        offence = ac.case.offence or ""
        return tuple(
            Text(cell)
            for cell in (
                str(ac.position + 1),
                ac.case.case_ref,
                status,
                ac.assigned_to or "",
                _second(ac),
                ac.case.team or "",
                offence if len(offence) <= 34 else offence[:33] + "…",
                (ac.case.reported_at or "")[:10],
            )
        )

    def refresh_cases(self) -> list[AuditCase]:
        rows = self.store.audit_cases(
            self.audit_id, assigned_to=self.reviewer if self.only_mine else None
        )
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for ac in rows:
            table.add_row(*self._cells(ac), key=str(ac.case.id))
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        self._summary()
        return rows

    def _summary(self) -> None:
        audit = self.store.audit(self.audit_id)
        self.sub_title = audit.name
        scope = "your queue" if self.only_mine else "all cases"
        self.query_one("#cases-summary", Static).update(
            Text.assemble(
                (audit.name, "bold"),
                f" - {audit.checklist_label} - {audit.n_complete} of "
                f"{audit.n_cases} complete, {audit.n_in_progress} in progress - {scope}. "
                "Enter opens the review.",
            )
        )

    def action_mine(self) -> None:
        self.only_mine = not self.only_mine
        self.refresh_cases()

    def action_assign(self) -> None:
        key = highlighted_key(self.query_one(DataTable))
        if key is None:
            return
        case = self.store.case(int(key))

        def assign(name: str | None) -> None:
            if not name:
                return
            try:
                self.store.assign(self.audit_id, int(key), name, self.reviewer)
            except CasereviewError as exc:  # the second reviewer, or a busy database
                self.notify(str(exc), title="Not assigned", severity="error", markup=False)
                return
            self.refresh_cases()

        self.app.push_screen(
            ReasonScreen(
                f"Assign {case.case_ref}",
                "Who reviews this case? (Enter on empty, or Escape, cancels)",
                placeholder="reviewer's name, then Enter",
            ),
            assign,
        )

    def action_moderate(self) -> None:
        key = highlighted_key(self.query_one(DataTable))
        if key is None:
            return
        ac = self.store.audit_case(self.audit_id, int(key))
        if ac.status != "complete" or ac.second_status != "complete":
            self.notify(
                f"{ac.case.case_ref} has no completed pair to moderate: it needs a completed "
                "primary and a completed second review.",
                title="Nothing to moderate",
                severity="warning",
                markup=False,  # a case reference is data
            )
            return
        self.app.push_screen(ModerationScreen(self.audit_id, int(key)))

    def action_findings(self) -> None:
        self.cr_app.open_findings(self.audit_id)

    def action_open(self) -> None:
        key = highlighted_key(self.query_one(DataTable))
        if key is not None:
            self.cr_app.open_case(self.audit_id, int(key))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()


def _second(ac: AuditCase) -> str:
    """The second-review column: who, how far, and whether it has been moderated."""
    if not ac.second_reviewer:
        return ""
    if ac.moderated_status == "complete":
        return "moderated"
    state = {None: "to do", "in_progress": "in progress", "complete": "done"}[ac.second_status]
    return f"{ac.second_reviewer}: {state}"
