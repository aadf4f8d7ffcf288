"""Reviews and their answers: every change saved durably and logged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from casereview.core.fields import ANSWER_VALUES, Role
from casereview.core.rules import (
    DECISION_NEEDS_REASON,
    REOPEN_NEEDS_REASON,
    agreed_answer,
    change_refusal,
    moderation_refusal,
    needs_reason,
    reopen_refusal,
    second_review_refusal,
)
from casereview.store.errors import (
    NetworkFileSystem,
    ReadOnlyDatabase,
    ReviewIncomplete,
    ReviewLocked,
    StoreError,
)
from casereview.store.records import (
    Answer,
    Review,
    now,
)

if TYPE_CHECKING:
    pass
from casereview.store.audits import AuditStore


class ReviewStore(AuditStore):
    """Reviews, answers, notes, completion, reopening and moderation."""

    # ------------------------------------------------------------------ reviews

    def open_review(
        self, audit_id: int, case_id: int, reviewer: str, role: Role = "primary"
    ) -> Review:
        """The review of this case in this role, started now if there is none.

        An existing review is found without taking the write lock, so a read-only database
        still opens the reviews it holds (and a busy one does not hold up a look)."""
        found = self._review_of(audit_id, case_id, role)
        if found is not None:
            return found
        with self._write():
            found = self._review_of(audit_id, case_id, role)  # started meanwhile elsewhere?
            if found is not None:
                return found
            refusal = self.start_refusal(audit_id, case_id, reviewer, role)
            if refusal:
                raise StoreError(refusal)
            stamp = now()
            cursor = self.db.execute(
                "INSERT INTO reviews (audit_id, case_id, role, reviewer, status, started_at,"
                " updated_at) VALUES (?, ?, ?, ?, 'in_progress', ?, ?)",
                [audit_id, case_id, role, reviewer, stamp, stamp],
            )
            review_id = int(cursor.lastrowid or 0)
            self._event(review_id, None, "review_started", None, role, None, reviewer)
        return self.review(review_id)

    def start_refusal(self, audit_id: int, case_id: int, reviewer: str, role: Role) -> str | None:
        """Why `reviewer` may not start this case's review in `role` (None: they may). The
        app asks before it shows an unstarted review, and open_review again as it starts it."""
        if self.readonly:  # said now, rather than at each answer refused
            error = NetworkFileSystem(self.path, self.network_fs) if self.network_fs else None
            return str(error or ReadOnlyDatabase(self.path))
        people = self._people(audit_id, case_id)
        if people is None:
            return "that case is not in this audit's sample"
        assigned, chosen, primary, second = people
        if role == "second":
            return second_review_refusal(reviewer, assigned, primary)
        if role == "primary":  # the one blind to it may not take the primary over
            return second_review_refusal(second or chosen, None, reviewer)
        return "a moderated review is started by moderation, not opened"

    def find_review(self, audit_id: int, case_id: int, role: Role) -> Review | None:
        """The review of this case in this role, or None where none is started: looking at a
        case starts nothing (the first answer or note does, through open_review)."""
        return self._review_of(audit_id, case_id, role)

    def _review_of(self, audit_id: int, case_id: int, role: Role) -> Review | None:
        rows = list(
            self.db.query(
                "SELECT * FROM reviews WHERE audit_id = ? AND case_id = ? AND role = ?",
                [audit_id, case_id, role],
            )
        )
        return self._review(rows[0]) if rows else None

    def _review(self, row: Mapping[str, Any]) -> Review:
        return Review(
            id=row["id"],
            audit_id=row["audit_id"],
            case_id=row["case_id"],
            role=row["role"],
            reviewer=row["reviewer"],
            status=row["status"],
            current_question=row["current_question"],
            completed_at=row["completed_at"],
        )

    def review(self, review_id: int) -> Review:
        rows = list(self.db.query("SELECT * FROM reviews WHERE id = ?", [review_id]))
        if not rows:
            raise StoreError(f"no review with id {review_id}")
        return self._review(rows[0])

    def reviews_of_case(self, audit_id: int, case_id: int) -> list[Review]:
        rows = self.db.query(
            "SELECT * FROM reviews WHERE audit_id = ? AND case_id = ? ORDER BY id",
            [audit_id, case_id],
        )
        return [self._review(r) for r in rows]

    def answers(self, review_id: int) -> dict[str, Answer]:
        return {
            r["question_id"]: Answer(
                r["question_id"], r["value"], r["note"], r["updated_by"], r["updated_at"]
            )
            for r in self.db.query(
                "SELECT * FROM answers WHERE review_id = ? ORDER BY question_id", [review_id]
            )
        }

    def answer_values(self, review_id: int) -> dict[str, str | None]:
        return {qid: a.value for qid, a in self.answers(review_id).items()}

    def _require_open(self, review_id: int) -> Review:
        review = self.review(review_id)
        refusal = change_refusal(review.status)
        if refusal:
            raise ReviewLocked(refusal)
        return review

    def set_answer(
        self,
        review_id: int,
        question_id: str,
        value: str | None,
        actor: str,
        reason: str | None = None,
    ) -> list[str]:
        """Save one answer durably, log it, and clear answers that skip logic now hides.

        Returns the ids of questions whose answers were cleared because they are hidden.
        """
        if value is not None and value not in ANSWER_VALUES:
            raise StoreError(f"'{value}' is not an answer value")
        with self._write():
            review = self._require_open(review_id)
            if review.role == "moderated" and needs_reason(reason):
                raise StoreError(DECISION_NEEDS_REASON)
            checklist = self.audit_checklist(review.audit_id)
            if not checklist.has_question(question_id):
                raise StoreError(f"no question {question_id} in this checklist")
            question = checklist.question(question_id)
            if value is not None and value not in question.answers:
                raise StoreError(f"{question_id} does not allow '{value}'")
            current = self.answer_values(review_id)
            scope = self.case(review.case_id).scope()
            if question_id not in checklist.visible(current, scope):
                raise StoreError(f"{question_id} is hidden by skip logic for this review")
            old = current.get(question_id)
            stamp = now()
            if old != value:
                self.db.execute(
                    "INSERT INTO answers (review_id, question_id, value, updated_by, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (review_id, question_id) DO UPDATE SET"
                    " value = excluded.value, updated_by = excluded.updated_by,"
                    " updated_at = excluded.updated_at",
                    [review_id, question_id, value, actor, stamp],
                )
                kind = "moderation" if review.role == "moderated" else "answer"
                self._event(review_id, question_id, kind, old, value, reason, actor)
            current[question_id] = value
            cleared = []
            shown = set(checklist.visible(current, scope))
            for qid, was in current.items():
                if was is not None and qid not in shown:
                    self.db.execute(
                        "UPDATE answers SET value = NULL, updated_by = ?, updated_at = ?"
                        " WHERE review_id = ? AND question_id = ?",
                        [actor, stamp, review_id, qid],
                    )
                    self._event(
                        review_id,
                        qid,
                        "answer",
                        was,
                        None,
                        f"hidden by skip logic ({question_id})",
                        actor,
                    )
                    cleared.append(qid)
            self.db.execute(
                "UPDATE reviews SET updated_at = ?, current_question = ? WHERE id = ?",
                [stamp, question_id, review_id],
            )
        return cleared

    def set_note(self, review_id: int, question_id: str, note: str, actor: str) -> None:
        with self._write():
            review = self._require_open(review_id)
            if not self.audit_checklist(review.audit_id).has_question(question_id):
                raise StoreError(f"no question {question_id} in this checklist")
            old = self.answers(review_id).get(question_id)
            if old is not None and old.note == note:
                return
            stamp = now()
            self.db.execute(
                "INSERT INTO answers (review_id, question_id, note, updated_by, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (review_id, question_id) DO UPDATE SET"
                " note = excluded.note, updated_by = excluded.updated_by,"
                " updated_at = excluded.updated_at",
                [review_id, question_id, note, actor, stamp],
            )
            self._event(
                review_id,
                question_id,
                "note",
                old.note if old and old.note else None,
                note,
                None,
                actor,
            )

    def set_position(self, review_id: int, question_id: str) -> None:
        """Remember where the reviewer is, so leaving and coming back resumes there (not on
        a read-only database, where the place is only a convenience lost)."""
        if self.readonly:
            return
        self.db.execute(
            "UPDATE reviews SET current_question = ? WHERE id = ?", [question_id, review_id]
        )

    def complete_review(self, review_id: int, actor: str) -> None:
        with self._write():
            review = self._require_open(review_id)
            checklist = self.audit_checklist(review.audit_id)
            missing = checklist.unanswered(
                self.answer_values(review_id), self.case(review.case_id).scope()
            )
            if missing:
                raise ReviewIncomplete(missing)
            stamp = now()
            self.db.execute(
                "UPDATE reviews SET status = 'complete', completed_at = ?, updated_at = ?"
                " WHERE id = ?",
                [stamp, stamp, review_id],
            )
            self._event(review_id, None, "status", "in_progress", "complete", None, actor)

    def reopen_review(self, review_id: int, actor: str, reason: str) -> None:
        if not reason.strip():  # said before the write lock is waited for
            raise StoreError(REOPEN_NEEDS_REASON)
        with self._write():
            refusal = reopen_refusal(self.review(review_id).status, reason)
            if refusal:
                raise StoreError(refusal)
            self.db.execute(
                "UPDATE reviews SET status = 'in_progress', completed_at = NULL, updated_at = ?"
                " WHERE id = ?",
                [now(), review_id],
            )
            self._event(review_id, None, "status", "complete", "in_progress", reason, actor)

    def start_moderation(self, audit_id: int, case_id: int, actor: str) -> Review:
        """The moderated review of a double-reviewed case; on first opening it takes every answer
        the two reviewers agree on, leaving the disagreements for the moderator."""
        with self._write():
            reviews = {r.role: r for r in self.reviews_of_case(audit_id, case_id)}
            if "moderated" in reviews:
                return reviews["moderated"]
            first, second = reviews.get("primary"), reviews.get("second")
            refusal = moderation_refusal(
                first.status if first else None, second.status if second else None
            )
            if refusal:
                raise StoreError(refusal)
            assert first is not None and second is not None  # as the rule requires
            a, b = self.answer_values(first.id), self.answer_values(second.id)
            stamp = now()
            cursor = self.db.execute(
                "INSERT INTO reviews (audit_id, case_id, role, reviewer, status, started_at,"
                " updated_at) VALUES (?, ?, 'moderated', ?, 'in_progress', ?, ?)",
                [audit_id, case_id, actor, stamp, stamp],
            )
            review_id = int(cursor.lastrowid or 0)
            self._event(review_id, None, "review_started", None, "moderated", None, actor)
            for qid in sorted(set(a) | set(b)):
                agreed = agreed_answer(a.get(qid), b.get(qid))
                if agreed is not None:
                    self.db.execute(
                        "INSERT INTO answers (review_id, question_id, value, updated_by,"
                        " updated_at) VALUES (?, ?, ?, ?, ?)",
                        [review_id, qid, agreed, actor, stamp],
                    )
                    self._event(review_id, qid, "moderation", None, agreed, "agreed", actor)
        return self.review(review_id)
