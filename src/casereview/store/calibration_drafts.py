"""A calibration review answered in the app: the answers and notes saved one at a time as a
draft of the reviewer's own (nobody else's is ever read here), logged on the trail, and
recorded whole in calibration_reviews on completion, as a file's reviews are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casereview.core.fields import ANSWER_VALUES
from casereview.core.rules import calibration_record_refusal
from casereview.store.calibration import CalibrationStore
from casereview.store.errors import ReviewIncomplete, StoreError
from casereview.store.pool import PoolStore
from casereview.store.records import Answer, now

if TYPE_CHECKING:
    from casereview.store.calibration_records import (
        CalibrationInfo,
        CalibrationRole,
        OwnCalibrationReview,
    )


class CalibrationDraftStore(CalibrationStore, PoolStore):
    # PoolStore: the checklist and the case (for its scope) a draft is checked against
    """Calibration reviews answered question by question."""

    def _calibration_by_id(self, calibration_id: int) -> CalibrationInfo:
        row = self.conn.execute(
            "SELECT name FROM calibrations WHERE id = ?", [calibration_id]
        ).fetchone()
        if row is None:
            raise StoreError(f"no calibration {calibration_id}")
        return self.calibration_named(row[0])

    def calibration_role(self, info: CalibrationInfo, who: str) -> CalibrationRole:
        """The moderator records the gold; a named reviewer their blind review; anyone else
        nothing (StoreError, core.rules.calibration_record_refusal)."""
        gold = who == info.moderator
        refusal = calibration_record_refusal(who, gold, info.moderator, info.reviewers)
        if refusal:
            raise StoreError(refusal)
        return "gold" if gold else "reviewer"

    def own_calibration_review(
        self, calibration_id: int, case_id: int, who: str
    ) -> OwnCalibrationReview:
        """`who`'s own review of the case (gold for the moderator): what they have recorded,
        else their draft. Never anyone else's: the blind stays blind whoever asks."""
        from casereview.store.calibration_records import OwnCalibrationReview

        info = self._calibration_by_id(calibration_id)
        role = self.calibration_role(info, who)
        if case_id not in info.case_ids:
            raise StoreError(f"case {case_id} is not in calibration '{info.name}'")
        done = self.conn.execute(
            "SELECT id, completed_at FROM calibration_reviews WHERE calibration_id = ?"
            " AND case_id = ? AND reviewer = ?",
            [calibration_id, case_id, who],
        ).fetchone()
        if done is not None:
            rows = self.conn.execute(
                "SELECT question_id, value, note FROM calibration_answers WHERE review_id = ?",
                [done[0]],
            ).fetchall()
            answers = {q: Answer(q, v, n, who, done[1]) for q, v, n in rows}
            return OwnCalibrationReview(role, answers, done[1])
        rows = self.conn.execute(
            "SELECT question_id, value, note, updated_at FROM calibration_drafts"
            " WHERE calibration_id = ? AND case_id = ? AND reviewer = ?",
            [calibration_id, case_id, who],
        ).fetchall()
        return OwnCalibrationReview(
            role, {q: Answer(q, v, n, who, at) for q, v, n, at in rows}, None
        )

    def calibration_progress(self, calibration_id: int) -> dict[str, int]:
        """Who has recorded how many of the calibration's cases (the gold under the
        moderator's name): counts only, which anyone may see."""
        rows = self.conn.execute(
            "SELECT reviewer, count(*) FROM calibration_reviews WHERE calibration_id = ?"
            " GROUP BY reviewer",
            [calibration_id],
        ).fetchall()
        return dict(rows)

    def _open_draft(self, calibration_id: int, case_id: int, who: str) -> OwnCalibrationReview:
        own = self.own_calibration_review(calibration_id, case_id, who)
        if own.completed_at is not None:
            raise StoreError(
                "this calibration review is complete; a calibration review is recorded once"
            )
        return own

    def set_calibration_answer(
        self, calibration_id: int, case_id: int, question_id: str, value: str | None, who: str
    ) -> list[str]:
        """Save one answer of `who`'s own calibration review, log it, and clear the answers
        skip logic now hides (their ids returned), as an audit review's set_answer does."""
        if value is not None and value not in ANSWER_VALUES:
            raise StoreError(f"'{value}' is not an answer value")
        with self._write():
            own = self._open_draft(calibration_id, case_id, who)
            checklist = self.checklist(self._calibration_by_id(calibration_id).checklist_pk)
            if not checklist.has_question(question_id):
                raise StoreError(f"no question {question_id} in this checklist")
            if value is not None and value not in checklist.question(question_id).answers:
                raise StoreError(f"{question_id} does not allow '{value}'")
            current = {q: a.value for q, a in own.answers.items()}
            scope = self.case(case_id).scope()
            if question_id not in checklist.visible(current, scope):
                raise StoreError(f"{question_id} is hidden by skip logic for this review")
            changes: dict[str, tuple[str | None, str | None, str | None]] = {
                question_id: (current.get(question_id), value, None)
            }
            current[question_id] = value
            shown = set(checklist.visible(current, scope))
            cleared = [q for q, v in current.items() if v is not None and q not in shown]
            for qid in cleared:
                changes[qid] = (current[qid], None, f"hidden by skip logic ({question_id})")
            stamp = now()
            for qid, (old, new, reason) in changes.items():
                if old == new:
                    continue
                self.db.execute(
                    "INSERT INTO calibration_drafts (calibration_id, case_id, reviewer,"
                    " question_id, value, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO UPDATE SET value = excluded.value,"
                    " updated_at = excluded.updated_at",
                    [calibration_id, case_id, who, qid, new, stamp],
                )
                self._calibration_event(
                    calibration_id, "calibration_answer", qid, new, who, old, reason, case_id
                )
        return cleared

    def set_calibration_note(
        self, calibration_id: int, case_id: int, question_id: str, note: str, who: str
    ) -> None:
        """Save a note (the gold's reason, a reviewer's why) on `who`'s own draft."""
        with self._write():
            own = self._open_draft(calibration_id, case_id, who)
            old = own.answers[question_id].note if question_id in own.answers else ""
            if old == note:
                return
            self.db.execute(
                "INSERT INTO calibration_drafts (calibration_id, case_id, reviewer, question_id,"
                " note, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at",
                [calibration_id, case_id, who, question_id, note, now()],
            )
            self._calibration_event(
                calibration_id, "calibration_note", question_id, note, who, old, None, case_id
            )

    def complete_calibration_review(self, calibration_id: int, case_id: int, who: str) -> None:
        """Record `who`'s draft as their completed review of the case (ReviewIncomplete
        while a shown question is unanswered; answers to hidden questions are left out)."""
        with self._write():
            own = self._open_draft(calibration_id, case_id, who)
            checklist = self.checklist(self._calibration_by_id(calibration_id).checklist_pk)
            values = {q: a.value for q, a in own.answers.items()}
            scope = self.case(case_id).scope()
            missing = checklist.unanswered(values, scope)
            if missing:
                raise ReviewIncomplete(missing)
            shown = set(checklist.visible(values, scope))
            answers = {q: v for q, v in values.items() if q in shown and v is not None}
            notes = {q: a.note for q, a in own.answers.items() if q in answers and a.note}
            # recorded as a file's review is; that ends the draft
            self.record_calibration_reviews(
                calibration_id, who, own.role, {case_id: (answers, notes)}
            )
