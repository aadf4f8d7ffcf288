"""The Textual app: holds the store and the reviewer, and opens the audits screen."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from casereview.core.fields import Role

# Only the first screen is imported here; the others load when first opened.
from casereview.core.rules import my_role
from casereview.store import Review, Store
from casereview.tui.commands import CaseCommands
from casereview.tui.messages import OpenAudit, OpenCase, OpenFindings
from casereview.tui.screens import AuditsScreen

WARM_AFTER_SECONDS = 0.5


class CaseReviewApp(App[None]):
    """casereview's terminal app.

    All database calls run on the event loop: each is a local SQLite statement of a few
    milliseconds, so threads would add locking questions and buy nothing.
    """

    TITLE = "casereview"
    SUB_TITLE = "stalking case-file review"
    CSS_PATH = "casereview.tcss"
    COMMANDS = App.COMMANDS | {CaseCommands}
    ALLOW_IN_MAXIMIZED_VIEW = "KeyBar"  # the keys stay when a widget is maximized
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", show=False),
    ]

    def __init__(self, store: Store, reviewer: str):
        super().__init__()
        self.store = store
        self.reviewer = reviewer
        self.export_folder: Path | None = None  # where this session's last export went
        self._unmounted = False

    def on_mount(self) -> None:
        # The ~110,000 objects that Textual and the first screen leave behind live as long as
        # the app. Frozen, the cycle collector stops walking them on each full pass, which
        # otherwise held up one key in forty by 60 to 90 ms (measured with bench/frames.py).
        self.call_after_refresh(self._freeze)
        # The first write needs sqlite-utils, which the first screen's reads did without (its
        # import is 60 ms of a start). It is imported once the screen is up and idle, before
        # anyone can have chosen an audit, a case and an answer; what it leaves is frozen too.
        self.set_timer(WARM_AFTER_SECONDS, self._warm, name="import sqlite-utils")
        if self.store.readonly:
            self.notify(
                "This database cannot be written here: you can read reviews, findings and "
                "exports, but no answer can be saved.",
                title="Read-only",
                severity="warning",
                timeout=12,
                markup=False,
            )

    def _warm(self) -> None:
        if not self._unmounted:
            self.store.warm()
            self._freeze()

    def _freeze(self) -> None:
        # Not once the app is gone: a timer that fires as the app closes has its callback
        # run after on_unmount, and what it froze then would stay uncollected for good.
        if not self._unmounted:
            gc.freeze()

    def on_unmount(self) -> None:
        self._unmounted = True
        gc.unfreeze()  # hand them back: the process may go on (tests run app after app)

    def get_default_screen(self) -> Screen:
        # The audits screen is the base of the stack, so the first frame drawn is the real one.
        return AuditsScreen()

    def action_help(self) -> None:
        from casereview.tui.screens import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # What screens ask for (tui.messages): they post, the app opens.

    def on_open_audit(self, message: OpenAudit) -> None:
        self.open_audit(message.audit_id)

    def on_open_findings(self, message: OpenFindings) -> None:
        self.open_findings(message.audit_id)

    def on_open_case(self, message: OpenCase) -> None:
        self.open_case(message.audit_id, message.case_id, message.stay, at=message.at)

    def open_audit(self, audit_id: int) -> None:
        from casereview.tui.screens import AuditCasesScreen

        self.push_screen(AuditCasesScreen(audit_id))

    def open_findings(self, audit_id: int) -> None:
        """The findings, unless this reviewer still has blind second reviews to finish here:
        figures, per-reviewer views and exports would show them the primary answers."""
        from casereview.core.rules import blind_refusal
        from casereview.tui.screens import FindingsScreen

        refusal = blind_refusal(self.store, audit_id, self.reviewer)
        if refusal:
            self.notify(
                refusal + ".",
                title="Findings closed to you for now",
                severity="warning",
                markup=False,
            )
            return
        self.push_screen(FindingsScreen(audit_id))

    def open_case(
        self, audit_id: int, case_id: int, stay: bool = False, at: str | None = None
    ) -> None:
        """Open this reviewer's review of a case (it starts with its first answer); `stay`
        opens it over the current screen (the findings), so Escape comes back there; `at`
        opens it at that question (a finding's) rather than where the reviewer was.

        Opening a case that is someone else's (assigned to them, or a review they started)
        asks first: starting it would make this reviewer its primary reviewer.
        """
        from casereview.tui.dialogs.modals import ConfirmScreen

        sampled = self.store.audit_case(audit_id, case_id)
        # The second reviewer works blind: their own review, never the primary's answers.
        # A case that is not theirs at all opens as its primary review, after asking.
        role: Role = my_role(sampled, self.reviewer) or "primary"
        owner = (sampled.reviewer or sampled.assigned_to) if role == "primary" else None
        if owner is None or owner == self.reviewer:
            self._open_review(audit_id, case_id, role, stay, at)
            return
        state = {None: "assigned to", "in_progress": "being reviewed by"}.get(
            sampled.status, "reviewed by"
        )
        self.push_screen(
            ConfirmScreen(
                f"{sampled.case.case_ref} is {state} {owner}",
                f"Open it as {self.reviewer}? "
                + (
                    "You would start its review and become its reviewer."
                    if sampled.status is None
                    else "Your changes would be logged under your name."
                ),
            ),
            lambda yes: self._open_review(audit_id, case_id, role, stay, at) if yes else None,
        )

    def _open_review(
        self, audit_id: int, case_id: int, role: Role, stay: bool = False, at: str | None = None
    ) -> None:
        from casereview.tui.screens import AuditCasesScreen, ReviewScreen

        # Looking starts nothing: an unstarted review is shown as it is, and starts (in the
        # store) with its first answer or note. A refusal is said now, not at that answer.
        review = self.store.find_review(audit_id, case_id, role)
        refusal = (
            None if review else self.store.start_refusal(audit_id, case_id, self.reviewer, role)
        )
        if refusal:
            self.notify(refusal, title="Not opened", severity="error", markup=False)
            return
        if stay:
            self._push_review(review, audit_id, case_id, role, at)
            return
        # Keep the stack shallow: audits -> cases -> review, reusing this audit's cases
        # screen when it is there (a national audit's list is 25,000 rows to rebuild).
        while isinstance(self.screen, ReviewScreen):
            self.pop_screen()
        current = self.screen
        if isinstance(current, AuditCasesScreen) and current.audit_id == audit_id:
            cases = current
        else:
            while isinstance(self.screen, AuditCasesScreen):
                self.pop_screen()
            cases = AuditCasesScreen(audit_id)
            self.push_screen(cases)
        cases.opened.add(case_id)
        self._push_review(review, audit_id, case_id, role, at)

    def _push_review(
        self, review: Review | None, audit_id: int, case_id: int, role: Role, at: str | None
    ) -> None:
        from casereview.tui.screens import ReviewScreen

        if review is not None:
            self.push_screen(ReviewScreen(review.id, at=at))
        else:
            self.push_screen(ReviewScreen(audit_id=audit_id, case_id=case_id, role=role, at=at))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys and what the answers mean", self.action_help)
        funnel = getattr(screen, "action_funnel", None)
        if funnel is not None:  # the findings screen (key f): its key bar is full at 80
            yield SystemCommand(
                "Funnel (f)", "The highlighted figure across forces or teams, with limits", funnel
            )
        plan = getattr(screen, "action_plan", None)
        if plan is not None:  # the audits screen (key a): its key bar is full at 80
            yield SystemCommand(
                "Action plan (a)", "The force's actions: overdue, unproven, none yet", plan
            )
        draft = getattr(screen, "action_draft_action", None)
        if draft is not None:  # the findings screen (key a): its key bar is full at 80
            yield SystemCommand(
                "Draft an action (a)", "In the force's action plan, from this question", draft
            )


def make_app(store: Store, reviewer: str) -> CaseReviewApp:
    """The one way the CLI and the tests build the app."""
    return CaseReviewApp(store=store, reviewer=reviewer)
