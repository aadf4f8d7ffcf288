"""Home: every audit with its progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from casereview.core.access import PANEL_SEES, is_panel
from casereview.tui.messages import OpenAudit, OpenFindings
from casereview.tui.screens._base import StoreScreen, highlighted_key, progress_bar
from casereview.tui.widgets.bars import KeyBar, TitleBar

if TYPE_CHECKING:
    from textual.command import Provider


OPEN_REFUSED = "a case list (case references and reviewers' names)"


def _bundle_commands() -> type[Provider]:
    """The bundle commands, imported when the palette first opens, not at start."""
    from casereview.tui.dialogs.bundle import BundleCommands

    return BundleCommands


class AuditsScreen(StoreScreen):
    """The audits in this database; Enter opens one."""

    COMMANDS = {_bundle_commands}  # ctrl+p: export the highlighted audit's bundle
    CSS_PATH = None  # the first screen: its rules are the app's own (casereview.tcss), not
    # screens.tcss, which is parsed when another screen first opens (tui/styles.py)
    BINDINGS = [
        Binding("enter", "open", "Open", priority=True),  # shown: see FindingsScreen
        Binding("f", "findings", "Findings"),
        Binding("t", "trends", "Trends"),
        Binding("n", "new_audit", "New audit"),
        Binding("c", "pool", "Case pool"),
        # no room on the 80-column bar: in the help and the palette instead
        Binding(
            "k",
            "calibration",
            "Calibration",
            show=False,
            tooltip="Reviewers against a gold review: who and which questions differ",
        ),
        Binding(
            "a",
            "plan",
            "Action plan",
            show=False,
            tooltip="The force's actions: overdue, unproven, none yet",
        ),
        Binding("r", "refresh", "Refresh"),
        # the key bar is full at 80 columns: in the help (issue 30); a dialog, see modals.Dialog
        Binding(
            "p",
            "period",
            "Period",
            show=False,
            priority=True,
            tooltip="Set or change the highlighted audit's period (trends order audits by it)",
        ),
        # an admin's accounts (and the palette's "Accounts"); the bar is full at 80 columns
        Binding(
            "u",
            "accounts",
            "Accounts",
            show=False,
            tooltip="Add and remove accounts, reset a password (an admin's)",
        ),
    ]

    # (Enter, "open", stays offered to a scrutiny panel: pressed, it says why not)
    PANEL_CLOSED = {
        "new_audit": "the case pool's references",
        "pool": "the case pool's references",
        "calibration": "reviewers' names and reviews",
        "period": "a change to an audit",
        "export_bundle": "case files in a bundle",
        "plan": "actions' owners by name",
    }

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="audits-intro")
        yield DataTable(id="audits", cursor_type="row", zebra_stripes=True)
        yield Static("", id="reviewer-progress")
        yield KeyBar()

    def __init__(self) -> None:
        super().__init__()
        self._resumed = False  # the screen has been shown once (on_mount filled it)
        self._shown_progress: int | None = None  # the audit whose reviewers' line is shown

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # Progress before the checklist: at 80 columns it is the checklist that runs off.
        table.add_columns("Audit", "Cases", "Done", "Open", "Progress", "Checklist")
        # Filled before the first layout, so the first frame drawn is the finished screen
        # (filled when the screen is first resumed, the table was laid out and drawn twice).
        self.action_refresh()

    def on_screen_resume(self) -> None:
        # Back from another screen: what changed there shows here. (Also sent as the screen
        # is first shown, just after on_mount filled it.)
        if self._resumed:
            self.action_refresh()
        self._resumed = True

    def action_refresh(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        audits = self.store.audits()
        for a in audits:
            pct = f"{a.n_complete / a.n_cases:.0%}" if a.n_cases else "-"
            table.add_row(  # names are data: Text cells (a str cell is read as markup)
                Text(a.name),
                str(a.n_cases),
                str(a.n_complete),
                str(a.n_in_progress),
                f"{progress_bar(a.n_complete, a.n_cases)} {pct}",
                Text(a.checklist_label),
                key=str(a.id),
            )
        intro = self.query_one("#audits-intro", Static)
        if audits:
            row = min(row, len(audits) - 1)
            table.move_cursor(row=row)
            self._show_progress(audits[row].id)  # now, not when the highlight is posted
            intro.update(
                Text.assemble(
                    "Scrutiny panel: ",
                    (self.reviewer, "bold"),
                    f". You see {PANEL_SEES}: f findings, t trends of the highlighted audit.",
                )
                if is_panel(self.session.role)
                else Text.assemble(
                    "Reviewer: ", (self.reviewer, "bold"), ". Choose an audit and press Enter."
                )
            )
        else:
            intro.update(
                Text.assemble(
                    "No audits yet. Import cases with ",
                    ("casereview cases import FILE.csv", "bold"),
                    ", then ",
                    (
                        "casereview audit create NAME --checklist stalking-casefile --sample 20",
                        "bold",
                    ),
                    ".",
                )
            )

    def _audit_id(self) -> int | None:
        key = highlighted_key(self.query_one(DataTable))
        return int(key) if key is not None else None

    def action_period(self) -> None:
        """Set or change the highlighted audit's period (what it covers in time: trends
        order audits by it), with an event in the trail."""
        from casereview.core import periods
        from casereview.tui.dialogs.modals import ReasonScreen

        audit_id = self._audit_id()
        if audit_id is None:
            return
        audit = self.store.audit(audit_id)

        def chosen(typed: str | None) -> None:
            if typed is None:
                return
            try:
                period = periods.parse(typed)
            except periods.PeriodError as exc:
                self.notify(str(exc), title="Period not changed", severity="error", markup=False)
                return
            self.store.set_audit_period(audit_id, period, self.reviewer)
            self.action_refresh()
            self.notify(f"{audit.name}: period {period.label}", title="Period", markup=False)

        now = audit.period.label if audit.period else "none"
        self.app.push_screen(
            ReasonScreen(
                f"Period of {audit.name} (now {now})",
                "What the audit covers in time; trends order audits by it.",
                "2024-10, 2024, 2024-10..2024-12, then Enter",
            ),
            chosen,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "accounts":  # an admin's: offered to nobody else (open_accounts checks)
            return self.session.role == "admin"
        return super().check_action(action, parameters)

    def action_accounts(self) -> None:
        from casereview.tui.screens.accounts import open_accounts  # loaded on first use

        open_accounts(self.app)

    def action_new_audit(self) -> None:
        from casereview.tui.screens.new_audit import NewAuditScreen  # loaded on first use

        self.app.push_screen(NewAuditScreen())

    def action_calibration(self) -> None:
        from casereview.tui.screens.calibration import CalibrationScreen  # on first use

        self.app.push_screen(CalibrationScreen())

    def action_plan(self) -> None:
        from casereview.tui.screens.plan import PlanScreen  # on first use

        key = highlighted_key(self.query_one(DataTable))
        audit = self.store.audit(int(key)) if key is not None else None
        force = (audit.scope.get("where") or {}).get("force") if audit else None
        self.app.push_screen(PlanScreen(force if isinstance(force, str) else None))

    def action_pool(self) -> None:
        from casereview.tui.screens.pool import PoolScreen  # loaded on first use

        self.app.push_screen(PoolScreen())

    @on(DataTable.RowHighlighted)
    def _show_reviewers(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None and int(event.row_key.value) != self._shown_progress:
            self._show_progress(int(event.row_key.value))

    def _show_progress(self, audit_id: int) -> None:
        """The highlighted audit's line: each reviewer's progress, and where it came from."""

        def progress(label: str, rows: list[tuple[str, int, int, int]]) -> Text:
            text = Text(label)
            for i, (who, n, done, open_) in enumerate(rows):
                text.append("  " if i else "")
                text.append(who, "bold")  # a reviewer's name is data, never markup
                text.append(f" {done}/{n} done" if n else f" {done} done")
                text.append(f", {open_} open" if open_ else "")
            return text

        primary = self.store.reviewer_progress(audit_id)
        second = self.store.reviewer_progress(audit_id, role="second")
        if is_panel(self.session.role):  # counts, never reviewers' names
            primary, second = _all_reviewers(primary), _all_reviewers(second)
        audit = self.store.audit(audit_id)  # the Checklist column is cut at 80 columns: whole
        text = Text.assemble("Checklist ", (audit.checklist_label, "bold"))
        text.append(f", period {audit.period.label}\n" if audit.period else "\n")
        text.append_text(
            progress("By reviewer: ", primary) if primary else Text("No reviewers assigned yet.")
        )
        if second:
            text.append("\n")
            text.append_text(progress("Second reviews: ", second))
        created, merged = self.store.bundle_history(audit_id)
        if created or merged:
            text.append("\n")
            if created:
                text.append(f"From a bundle, imported {_when(created)}. ")
            text.append(f"Last merged {_when(merged)}." if merged else "No bundle merged since.")
        self.query_one("#reviewer-progress", Static).update(text)
        self._shown_progress = audit_id

    def action_export_bundle(self) -> None:
        from casereview.tui.dialogs.bundle import BundleDialog

        if self.panel_refused("export_bundle"):
            return
        audit_id = self._audit_id()
        if audit_id is None:
            self.notify("No audit to export.", severity="warning")
            return

        def done(message: str | None) -> None:
            if message:
                self.notify(message, title="Bundle exported", markup=False)

        self.app.push_screen(BundleDialog(audit_id), done)

    def action_findings(self) -> None:
        audit_id = self._audit_id()
        if audit_id is not None:
            self.app.post_message(OpenFindings(audit_id))

    def action_trends(self) -> None:
        """The highlighted audit's checklist (every version) across all its audits."""
        from casereview.tui.screens.trends import TrendsScreen  # loaded on first use

        audit_id = self._audit_id()
        if audit_id is not None:
            label = self.store.audit(audit_id).checklist_label
            self.app.push_screen(TrendsScreen(label.rsplit("@", 1)[0]))

    def action_open(self) -> None:
        if self.panel_refused("open", OPEN_REFUSED):
            return
        audit_id = self._audit_id()
        if audit_id is not None:
            self.app.post_message(OpenAudit(audit_id))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()


def _all_reviewers(rows: list[tuple[str, int, int, int]]) -> list[tuple[str, int, int, int]]:
    """Reviewers' progress as one row of totals (for a scrutiny panel: no names)."""
    if not rows:
        return []
    return [
        (
            "All reviewers",
            sum(r[1] for r in rows),
            sum(r[2] for r in rows),
            sum(r[3] for r in rows),
        )
    ]


def _when(stamp: str) -> str:
    """A stored UTC time as `2026-12-01 11:20 UTC`."""
    return stamp[:16].replace("T", " ") + " UTC"
