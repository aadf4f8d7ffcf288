"""A force's action plan (`a` on the audits screen): each recommendation with its actions,
flagged overdue, done but not shown to have moved, or (a recommendation) with no action yet;
the highlighted action's evidence from the force's audits below. s, o and d change its
status, owner and due date, each change a trail event (Store.update_action)."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from casereview.core.plans import STATUS_WORDS
from casereview.core.problems import CasereviewError
from casereview.io.imports.csvfile import parse_day
from casereview.io.reports.plans import link_words
from casereview.services.plans import MOVED, ActionEvidence, plan_evidence
from casereview.store import StoreError
from casereview.tui.dialogs.modals import ReasonScreen
from casereview.tui.dialogs.plan import StatusScreen
from casereview.tui.screens._base import StoreScreen, highlighted_key
from casereview.tui.widgets.bars import KeyBar, TitleBar

COLUMNS = ("Flags", "Status", "Due", "Owner", "Item")
"""The item last: at 80 columns its text runs off, the flags and status never do."""
NO_ACTION, OVERDUE, NOT_MOVED = "no action", "overdue", "not moved"


def action_flags(e: ActionEvidence) -> list[str]:
    """The flags of an action as the screen shows them (short: the screen is 80 wide)."""
    out = [OVERDUE] if e.overdue else []
    if e.verdict is not None:
        out.append("moved" if e.verdict == MOVED else NOT_MOVED)
    return out


class PlanScreen(StoreScreen):
    """One force's plan; F shows the next force's where there are several."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("s", "status", "Status"),
        Binding("o", "owner", "Owner"),
        Binding("d", "due", "Due date"),
        Binding("F", "next_force", "Next force", show=False),
    ]

    def __init__(self, force: str | None = None) -> None:
        super().__init__()
        self.force = force
        self._evidence: dict[str, ActionEvidence] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="plan-summary")
        yield DataTable(id="plan", cursor_type="row", zebra_stripes=True)
        yield Static("", id="plan-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "action plan"
        forces = self.store.plan_forces()
        if self.force not in forces:
            self.force = forces[0] if forces else None
        self.query_one("#plan", DataTable).add_columns(*COLUMNS)
        self.refresh_plan()

    def refresh_plan(self, keep: str | None = None) -> None:
        table = self.query_one("#plan", DataTable)
        table.clear()
        summary = self.query_one("#plan-summary", Static)
        if self.force is None:
            summary.update(
                Text("No action plan yet: import one with `casereview plan import FILE`.")
            )
            return
        plan = self.store.plan_of(self.force)
        try:
            evidence = plan_evidence(self.store, plan, date.today().isoformat(), self.reviewer)
        except CasereviewError as exc:  # a blind second reviewer: no figures yet
            summary.update(Text(str(exc)))
            self._evidence = {}
            return
        self._evidence = {e.action.ref: e for e in evidence}
        overdue = sum(e.overdue for e in evidence)
        unproven = sum(1 for e in evidence if e.verdict is not None and e.verdict != MOVED)
        bare = [r.ref for r in plan.recommendations if not r.actions]
        summary.update(
            Text.assemble(
                (plan.force, "bold"),
                f"  {len(evidence)} actions: {overdue} overdue, {unproven} done but not shown"
                " to have moved" + (f"; no action under {', '.join(bare)}" if bare else ""),
            )
        )
        for rec in plan.recommendations:
            table.add_row(
                Text(NO_ACTION, style="red") if not rec.actions else "",
                "",
                "",
                "",
                Text(f"{rec.ref} {rec.text}", style="bold"),
                key=rec.ref,
            )
            for a in rec.actions:
                flags = action_flags(self._evidence[a.ref])
                style = "red" if OVERDUE in flags or NOT_MOVED in flags else "green"
                table.add_row(
                    Text(", ".join(flags), style=style),
                    STATUS_WORDS[a.status],
                    a.due or "-",
                    Text(a.owner or "-"),
                    Text(f"  {a.ref} {a.text}"),
                    key=a.ref,
                )
        if keep is not None:
            table.move_cursor(row=table.get_row_index(keep))
        self._show(highlighted_key(table))

    @on(DataTable.RowHighlighted, "#plan")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.row_key.value)

    def _show(self, key: str | None) -> None:
        detail = self.query_one("#plan-detail", Static)
        e = self._evidence.get(key or "")
        if e is None:
            detail.update(Text("s status, o owner, d due date of the highlighted action."))
            return
        lines = [f"{e.action.ref} {e.action.text}"]
        if e.action.reason:
            lines.append(f"dropped: {e.action.reason}")
        if e.verdict is not None:
            lines.append(f"done: {e.verdict}")
        lines += [f"- {link_words(lk)}" for lk in e.links] or ["no linked figure yet"]
        detail.update(Text("\n".join(lines)))

    def _action_ref(self) -> str | None:
        key = highlighted_key(self.query_one("#plan", DataTable))
        if key not in self._evidence:
            self.notify("Highlight an action (a recommendation has no status).")
            return None
        return key

    def _change(self, ref: str, changes: dict[str, object]) -> None:
        assert self.force is not None
        try:
            changed = self.store.update_action(self.force, ref, changes, self.reviewer)
        except StoreError as exc:
            self.notify(str(exc), severity="error")
            return
        self.refresh_plan(keep=ref)
        self.notify(f"{ref}: " + (", ".join(changed) + " saved" if changed else "no change"))

    def action_status(self) -> None:
        ref = self._action_ref()
        if ref is None:
            return
        action = self._evidence[ref].action

        def chosen(status: str | None) -> None:
            if status is None:
                return
            if status != "dropped":
                self._change(ref, {"status": status})
                return
            self.app.push_screen(
                ReasonScreen(f"Drop {ref}", "Why is it dropped? (the trail keeps it)"),
                lambda reason: (
                    self._change(ref, {"status": "dropped", "reason": reason}) if reason else None
                ),
            )

        self.app.push_screen(StatusScreen(f"{ref} {action.text}", action.status), chosen)

    def action_owner(self) -> None:
        ref = self._action_ref()
        if ref is None:
            return
        self.app.push_screen(
            ReasonScreen(f"Owner of {ref}", "Who is responsible?", "name, then Enter"),
            lambda owner: self._change(ref, {"owner": owner}) if owner else None,
        )

    def action_due(self) -> None:
        ref = self._action_ref()
        if ref is None:
            return

        def given(text: str | None) -> None:
            if not text:
                return
            try:
                day = parse_day(text)
            except ValueError:
                self.notify(f"'{text}' is not a date (YYYY-MM-DD or dd/mm/yyyy)", severity="error")
                return
            self._change(ref, {"due": day})

        self.app.push_screen(
            ReasonScreen(f"Due date of {ref}", "When is it due?", "YYYY-MM-DD, then Enter"), given
        )

    def action_next_force(self) -> None:
        forces = self.store.plan_forces()
        if self.force in forces and len(forces) > 1:
            self.force = forces[(forces.index(self.force) + 1) % len(forces)]
            self.refresh_plan()
