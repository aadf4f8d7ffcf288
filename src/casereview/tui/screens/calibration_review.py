"""A calibration review: the review screen in a calibration's mode. The same keys, skip
logic, notes and completion; the answers are the person's own draft in the calibration's
tables (store/calibration_drafts.py), never an audit's, and nothing else is read: no gold,
no other reviewer's answers. The moderator's review of a case is the gold (its notes, the
reasons); completing records it once, and it cannot be reopened."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import Static

from casereview.core.checklist.models import ANSWER_LABELS
from casereview.store.calibration_records import CalibrationInfo
from casereview.store.errors import ReviewIncomplete, StoreError
from casereview.tui.screens.review import ReviewScreen
from casereview.tui.screens.review_keys import LOCKED_KEYS
from casereview.tui.widgets.case_file import case_text
from casereview.tui.widgets.question_list import QuestionList

LABELS = {"gold": "GOLD review (moderator)", "reviewer": "BLIND calibration review"}


class CalibrationReviewScreen(ReviewScreen):
    """One calibration case, answered by its moderator (the gold) or a reviewer (blind)."""

    def __init__(self, info: CalibrationInfo, case_id: int, at: str | None = None) -> None:
        super().__init__(case_id=case_id, at=at)
        self.info = info
        self.completed = False

    def on_mount(self, event: events.Mount) -> None:  # type: ignore[override]
        # Textual calls every class's on_mount up the MRO: the review screen's reads an
        # audit's review, which a calibration has not
        event.prevent_default()
        assert self.case_id is not None
        self.checklist = self.store.checklist(self.info.checklist_pk)
        case = self.store.case(self.case_id)
        self.scope = case.scope()
        self.sub_title = f"{self.info.name} - {case.case_ref} - calibration"
        self.query_one("#case-details", Static).update(case_text(case))
        self._reload()
        self.locked = self.completed
        self.current = self._resume_point(None)
        self._render_questions()
        questions = self.query_one(QuestionList)
        self.watch(questions, "highlighted", self._highlighted, init=False)
        questions.focus()
        if self.reviewer == self.info.moderator and not self.locked:
            self._status("The gold review: e gives each answer its reason (a note).", "cyan")

    def on_key(self, event: events.Key) -> None:
        """A locked key says why (recorded once), instead of the review screen's words."""
        event.prevent_default()
        if self.locked and event.key in LOCKED_KEYS:
            event.stop()
            self._status("This calibration review is recorded: it is not changed.", "yellow")
            self.app.bell()

    def _reload(self) -> None:
        assert self.checklist is not None and self.case_id is not None
        own = self.store.own_calibration_review(self.info.id, self.case_id, self.reviewer)
        self.answers = own.answers
        self.completed = own.completed_at is not None
        self.shown = self.checklist.visible(self._values(), self.scope)

    def _render_role(self) -> None:
        gold = self.reviewer == self.info.moderator
        label = LABELS["gold" if gold else "reviewer"]
        if self.locked:
            state = Text("recorded (once: not reopened)", "bold green")
        elif self.answers:
            state = Text("in progress", "yellow")
        else:
            state = Text("not started", "dim")
        style = "bold reverse yellow" if gold else "bold reverse magenta"
        self._update_side("#review-role", Text.assemble((label, style), "\n", state))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reopen":
            return False  # recorded once: changing it after seeing the gold would defeat it
        return super().check_action(action, parameters)

    def _save(self, qid: str, value: str | None, advance: bool = True) -> None:
        assert self.case_id is not None
        try:
            cleared = self.store.set_calibration_answer(
                self.info.id, self.case_id, qid, value, self.reviewer
            )
        except StoreError as exc:
            self._status(f"Not saved: {exc}", "bold red")
            self.app.bell()
            return
        self._reload()
        if advance:
            after = self.shown[self.shown.index(qid) + 1 :]
            self.current = after[0] if after else qid
        message = f"Saved {qid} = {ANSWER_LABELS[value] if value else '(cleared)'}"
        if cleared:
            message += f"; cleared {', '.join(cleared)} (no longer applies)"
        elif not self.checklist_unanswered():
            message += ". All shown questions answered: c records the review."
        self._status(message, "green")
        self._render_answer(qid)

    def _save_note(self, qid: str, note: str | None) -> None:
        if note is None:
            return
        assert self.case_id is not None
        try:
            self.store.set_calibration_note(self.info.id, self.case_id, qid, note, self.reviewer)
        except StoreError as exc:
            self._status(f"Note not saved: {exc}", "bold red")
            return
        self._reload()
        self._status(f"Saved note on {qid}", "green")
        self._render_answer(qid)

    def action_complete(self) -> None:
        assert self.case_id is not None
        try:
            self.store.complete_calibration_review(self.info.id, self.case_id, self.reviewer)
        except ReviewIncomplete as exc:
            self.current = exc.unanswered[0]
            self._render_questions()
            self._status(f"Cannot record: {exc}", "bold red")
            return
        except StoreError as exc:
            self._status(str(exc), "bold red")
            return
        self._reload()
        self.locked = True
        self._render_questions()
        self._status(
            "Recorded. N opens your next calibration case, Escape the cases.", "bold green"
        )

    def action_next_case(self) -> None:
        """The next calibration case this person has not recorded."""
        order = list(self.info.case_ids)
        start = order.index(self.case_id) + 1 if self.case_id in order else 0
        for case_id in order[start:] + order[:start]:
            own = self.store.own_calibration_review(self.info.id, case_id, self.reviewer)
            if own.completed_at is None:
                self.app.switch_screen(CalibrationReviewScreen(self.info, case_id))
                return
        self._status("All your calibration cases are recorded.", "green")

    def action_history(self) -> None:
        self._status("A calibration's trail: export events --calibration.", "yellow")

    def action_back(self) -> None:
        self.app.pop_screen()
