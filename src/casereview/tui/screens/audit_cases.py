"""One audit's sampled cases with the state of each review; Enter opens the review."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from casereview.core.problems import CasereviewError
from casereview.core.rules import next_in_queue
from casereview.store.records import AuditCase
from casereview.tui.dialogs.modals import ReasonScreen
from casereview.tui.messages import OpenCase, OpenFindings
from casereview.tui.screens._base import StoreScreen
from casereview.tui.screens.moderation import ModerationScreen
from casereview.tui.widgets.bars import KeyBar, TitleBar
from casereview.tui.widgets.paged_table import PagedTable

COLUMNS = (
    "#",
    "Case",
    "Status",
    "Assigned",
    "2nd review",
    "Team",
    "Offence as recorded",
    "Reported",
)
STATUS = {None: "not started", "in_progress": "in progress", "complete": "complete"}


class AuditCasesScreen(StoreScreen):
    """The sample, in sample order: a PagedTable reads the rows on screen from the store,
    so a 25,000-case sample opens as fast as a 25-case one."""

    BINDINGS = [
        Binding("enter", "open", "Review", priority=True),  # shown: see FindingsScreen
        Binding("m", "mine", "My queue"),
        Binding("f", "findings", "Findings"),
        Binding("o", "moderate", "Moderate"),
        Binding("a", "assign", "Assign", priority=True),  # opens a dialog: see modals.Dialog
        # the 80-column key bar is full: in the help and the palette; a dialog too
        Binding(
            "s",
            "second",
            "Second review",
            show=False,
            priority=True,
            tooltip="A blind second review: who, for the highlighted case or a seeded share",
        ),
        Binding("escape", "app.pop_screen", "Audits"),
    ]

    def __init__(self, audit_id: int):
        super().__init__()
        self.audit_id = audit_id
        self.only_mine = False
        self.opened: set[int] = set()  # cases whose reviews were opened over this screen
        self._filled = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="cases-summary")
        yield PagedTable(COLUMNS, self._page, id="cases")
        yield KeyBar()

    @property
    def table(self) -> PagedTable:
        return self.query_one("#cases", PagedTable)

    def _mine(self) -> str | None:
        return self.reviewer if self.only_mine else None

    def _page(self, offset: int, limit: int) -> list[tuple[str, tuple[Text, ...]]]:
        """The rows the table draws, read from the store a page at a time."""
        return [
            (str(ac.case.id), self._cells(ac))
            for ac in self.store.audit_cases_page(self.audit_id, offset, limit, self._mine())
        ]

    def _my_next_case(self) -> int | None:
        """Where the reviewer's own unfinished review is, to start on: in progress first,
        then not started (rules.next_in_queue over the store's candidates; a second
        reviewer's own are their blind second reviews)."""
        found = next_in_queue(
            self.store.queue_candidates(self.audit_id, self.reviewer), self.reviewer
        )
        if found is None:
            return None
        return self.store.audit_case_index(self.audit_id, found.case_id, self._mine())

    def on_screen_resume(self) -> None:
        # Also sent when the screen is first shown: the table is sized here, once. Back
        # from a review, only that case's row can have changed: redraw it and the summary.
        if self.app.screen is not self:
            return  # a resume that arrived after a review was pushed on top (a modal closed)
        table = self.table
        if not self._filled:
            self._filled = True
            self.refresh_cases(cursor=self._my_next_case())
        elif self.opened and self.opened <= {int(key) for key in table.held_keys()}:
            for case_id in self.opened:
                table.update_row(
                    str(case_id), self._cells(self.store.audit_case(self.audit_id, case_id))
                )
            self._summary()
        else:  # a case opened from the palette may not be in this list (your queue)
            self.refresh_cases()
        self.opened.clear()

    @staticmethod
    def _cells(ac: AuditCase) -> tuple[Text, ...]:
        """The row of a case, as Text cells: a case's data is never read as markup."""
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

    def refresh_cases(self, cursor: int | None = None) -> None:
        """Count the rows again and forget those read; the cursor goes to row `cursor`
        (None: it keeps its place)."""
        self.table.reset(self.store.audit_case_count(self.audit_id, self._mine()), cursor)
        self._summary()

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
        """Your queue, or all cases again; the cursor stays on its case where the other list
        has it (else it keeps its row)."""
        key = self.table.cursor_key
        self.only_mine = not self.only_mine
        index = None
        if key is not None:
            index = self.store.audit_case_index(self.audit_id, int(key), self._mine())
        self.refresh_cases(index)

    def action_assign(self) -> None:
        key = self.table.cursor_key
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

    def action_second(self) -> None:
        """Choose a blind second review: for the highlighted case, or a seeded share of the
        sample (services.sampling.choose_second, as `audit second`); the store's rules refuse
        the case's primary reviewer and a case that has a second reviewer already."""
        from casereview.services.sampling import choose_second, second_review_size
        from casereview.tui.dialogs.second import SecondReviewDialog

        key = self.table.cursor_key
        if key is None:
            return
        case = self.store.case(int(key))

        def assign(name: str, which: str) -> str:
            share, count = second_review_size(which)
            if share is None and count is None:
                self.store.assign_second(self.audit_id, [case.id], name, self.reviewer)
                return f"{case.case_ref}: blind second review by {name}"
            chosen, seed = choose_second(
                self.store, self.audit_id, name, self.reviewer, share, count
            )
            return f"{len(chosen)} cases for a blind second review by {name} (seed {seed})"

        def assigned(said: str | None) -> None:
            if said:
                self.refresh_cases()
                self.notify(said, title="Second review", markup=False)

        known = sorted({n for a in self.store.audits() for n in self.store.audit_reviewers(a.id)})
        self.app.push_screen(SecondReviewDialog(case.case_ref, known, assign), assigned)

    def action_moderate(self) -> None:
        key = self.table.cursor_key
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
        self.app.post_message(OpenFindings(self.audit_id))

    def action_open(self) -> None:
        key = self.table.cursor_key
        if key is not None:
            self.app.post_message(OpenCase(self.audit_id, int(key)))

    @on(PagedTable.Stale)
    def _stale(self, event: PagedTable.Stale) -> None:
        event.stop()
        self.refresh_cases()  # another session changed the list: count it again

    @on(PagedTable.RowSelected)
    def _selected(self, event: PagedTable.RowSelected) -> None:
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
