"""The trail and the audit as scoring reads it; imports of reviews recorded elsewhere."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from casereview.core.bulk import no_cycle_collection
from casereview.core.checklist.scope import CaseScope
from casereview.core.periods import Period
from casereview.core.rules import (
    ExistingReview,
)
from casereview.store.errors import (
    DatabaseUnavailable,
)
from casereview.store.records import (
    Event,
    EventRead,
    ReviewAnswers,
    now,
)

if TYPE_CHECKING:
    from casereview.core.stats.scoring import ReviewRecord
from casereview.store.bundle_stream import BundleStreamStore
from casereview.store.calibration_drafts import CalibrationDraftStore
from casereview.store.keys import KeyStore
from casereview.store.plans import PlanStore
from casereview.store.redaction import RedactionStore
from casereview.store.users import UserStore

# The ASCII record and unit separators, which review_records packs answers with (question
# ids are letters, digits, `_`, `.` and `-`), and each answer value as one letter: `-` for a
# note whose answer was cleared (NULL), `?` for anything else (a hand-edited file).
_RS, _US = "\x1e", "\x1f"
_LETTERS = {"yes": "y", "partly": "p", "no": "n", "na": "a", "unknown": "u"}
_LETTER_SQL = (
    "CASE WHEN x.value IS NULL THEN '-' ELSE CASE x.value "
    + " ".join(f"WHEN '{v}' THEN '{c}'" for v, c in _LETTERS.items())
    + " ELSE '?' END END"
)
_VALUE_OF: dict[str, str | None] = {c: v for v, c in _LETTERS.items()} | {"-": None}
_ANSWERS_OF = "SELECT question_id, value FROM answers WHERE review_id = ? ORDER BY question_id"


class Store(
    BundleStreamStore, UserStore, CalibrationDraftStore, KeyStore, RedactionStore, PlanStore
):
    """A casereview database. Build one with `Store.open(path)` or `Store.memory()`."""

    def set_audit_period(self, audit_id: int, period: Period | None, actor: str) -> bool:
        """Give an audit its period (None: take it away), with a trail event holding the old
        and new periods; False, and nothing written, where it has that period already."""
        old = self.audit(audit_id).period
        if old == period:
            return False
        with self._write():
            self.db.execute(
                "UPDATE audits SET period_start = ?, period_end = ? WHERE id = ?",
                [period.start if period else None, period.end if period else None, audit_id],
            )
            self._event(
                None,
                None,
                "audit_period",
                old.label if old else None,
                period.label if period else None,
                None,
                actor,
                audit_id,
            )
        return True

    def existing_reviews(self, audit_id: int) -> dict[tuple[int, str], ExistingReview]:
        """(case id, role) -> (review id, reviewer, status), for every review in the audit."""
        rows = self.conn.execute(
            "SELECT case_id, role, id, reviewer, status FROM reviews WHERE audit_id = ?",
            [audit_id],
        )
        return {
            (case_id, role): ExistingReview(review_id, reviewer, status)
            for case_id, role, review_id, reviewer, status in rows
        }

    def import_reviews(
        self,
        audit_id: int,
        reviews: Sequence[Any],
        actor: str,
        unchanged_since: int | None = None,
    ) -> int:
        """Store checked reviews (answers_import.ImportedReview) in one transaction;
        returns how many answers.

        The file was checked against the reviews as they stood at `unchanged_since` (a
        last_event_id); if anything was written since, the checks may no longer hold (a
        review started or reopened meanwhile), so nothing is written and the import is to be
        run again."""
        stamp = now()
        n = 0
        with self._write():
            if unchanged_since is not None and self.last_event_id() != unchanged_since:
                raise DatabaseUnavailable(
                    "the audit changed while the file was being checked (someone saved "
                    "meanwhile); nothing was imported: run the import again"
                )
            for r in reviews:
                cursor = self.db.execute(
                    "INSERT INTO reviews (audit_id, case_id, role, reviewer, status, started_at,"
                    " updated_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        audit_id,
                        r.case_id,
                        r.role,
                        r.reviewer,
                        "complete" if r.complete else "in_progress",
                        stamp,
                        stamp,
                        stamp if r.complete else None,
                    ],
                )
                review_id = cursor.lastrowid
                if r.role == "second":  # an imported second review chooses its case for one
                    self.db.execute(
                        "UPDATE audit_cases SET second_reviewer = ? WHERE audit_id = ?"
                        " AND case_id = ? AND second_reviewer IS NULL",
                        [r.reviewer, audit_id, r.case_id],
                    )
                self._event(review_id, None, "imported", None, r.role, None, actor)
                # A moderated answer is a decision, logged with its reason as the app logs
                # one ("agreed" where both reviewers gave it); a note goes in the trail as a
                # typed one does.
                kind = "moderation" if r.role == "moderated" else "answer"
                reasons = getattr(r, "reasons", {})
                for qid, (value, note) in r.answers.items():
                    self.db.execute(
                        "INSERT INTO answers (review_id, question_id, value, note, updated_by,"
                        " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                        [review_id, qid, value, note, r.reviewer, stamp],
                    )
                    reason = reasons.get(qid) or "imported"
                    self._event(review_id, qid, kind, None, value, reason, actor)
                    if note:
                        self._event(review_id, qid, "note", None, note, None, actor)
                    n += 1
                if r.complete:
                    self._event(review_id, None, "status", None, "complete", "imported", actor)
        return n

    def events(self, review_id: int | None = None, audit_id: int | None = None) -> list[Event]:
        sql = "SELECT e.* FROM events e"
        params: list[Any] = []
        if review_id is not None:
            sql += " WHERE e.review_id = ?"
            params.append(review_id)
        elif audit_id is not None:
            sql += (
                " LEFT JOIN reviews r ON r.id = e.review_id"
                " WHERE coalesce(e.audit_id, r.audit_id) = ?"
            )
            params.append(audit_id)
        return [
            Event(**{k: r[k] for k in Event._fields})
            for r in self.db.query(sql + " ORDER BY e.id", params)
        ]

    def completed_notes(
        self, audit_id: int, question_ids: Sequence[str]
    ) -> dict[tuple[int, str, str], str]:
        """(case id, role, question id) -> note, for the notes on these questions in the
        audit's completed reviews (findings' "which cases answered No" list reads them)."""
        if not question_ids:
            return {}
        marks = ", ".join("?" * len(question_ids))
        rows = self.conn.execute(
            "SELECT r.case_id, r.role, x.question_id, x.note FROM answers x"
            " JOIN reviews r ON r.id = x.review_id"
            f" WHERE r.audit_id = ? AND r.status = 'complete' AND x.question_id IN ({marks})"
            " AND x.note IS NOT NULL AND x.note != ''",
            [audit_id, *question_ids],
        )
        return {(case_id, role, qid): note for case_id, role, qid, note in rows}

    def audit_review_answers(self, audit_id: int) -> Iterator[ReviewAnswers]:
        """Every review of the audit with its answers, for an export written as it is read
        (a review at a time from one query), in sample order then review id."""
        rows = self.conn.execute(
            "SELECT r.id, c.case_ref, c.force, r.reviewer, r.role, r.status,"
            " x.question_id, x.value, x.note, c.reported_at"
            " FROM audit_cases ac JOIN cases c ON c.id = ac.case_id"
            " JOIN reviews r ON r.audit_id = ac.audit_id AND r.case_id = ac.case_id"
            " LEFT JOIN answers x ON x.review_id = r.id"
            " WHERE ac.audit_id = ? ORDER BY ac.position, r.id",
            [audit_id],
        )
        for review_id, group in groupby(rows, key=itemgetter(0)):
            answers = list(group)
            _id, case_ref, force, reviewer, role, status = answers[0][:6]
            values = {a[6]: a[7] for a in answers}
            notes = {a[6]: a[8] for a in answers}
            values.pop(None, None)  # a review without answers: one row, its question None
            notes.pop(None, None)
            yield ReviewAnswers(
                case_ref, force, review_id, reviewer, role, status, values, notes, answers[0][9]
            )

    def audit_event_rows(self, audit_id: int) -> Iterator[EventRead]:
        """The audit's trail as events(audit_id=...) reads it, oldest first, with each
        review event's case and role, for an export written as it is read."""
        return map(
            EventRead._make,
            self.conn.execute(
                "SELECT e.id, e.at, e.actor,"
                " CASE WHEN r.audit_id = :a THEN c.case_ref END,"
                " CASE WHEN r.audit_id = :a THEN c.force END,"
                " CASE WHEN r.audit_id = :a THEN r.role END,"
                " e.question_id, e.kind, e.old, e.new, e.reason"
                " FROM events e LEFT JOIN reviews r ON r.id = e.review_id"
                " LEFT JOIN cases c ON c.id = r.case_id"
                " WHERE coalesce(e.audit_id, r.audit_id) = :a ORDER BY e.id",
                {"a": audit_id},
            ),
        )

    def count_reviews(self, audit_id: int) -> int:
        """Reviews of the audit, every role and status."""
        sql = "SELECT count(*) FROM reviews WHERE audit_id = ?"
        return int(self.db.execute(sql, [audit_id]).fetchone()[0])

    def review_records(self, audit_id: int, group_by: str | None = None) -> list[ReviewRecord]:
        """The audit's completed reviews with their raw answers, for scoring.

        Scoring counts completed reviews only, so unfinished ones are not read. A national
        audit has a million answers: SQLite hands them over one row per review, ids and
        values each joined by the unit separator (question ids cannot contain it), and Python
        splits them in C rather than looping a million times.
        """
        from casereview.core.stats.scoring import ReviewRecord  # not needed to open the app

        with no_cycle_collection():
            reviews = self.conn.execute(
                "SELECT r.id, r.case_id, r.role, r.status, r.reviewer, c.reported_at, c.force"
                " FROM reviews r JOIN cases c ON c.id = r.case_id"
                " WHERE r.audit_id = ? AND r.status = 'complete' ORDER BY r.id",
                [audit_id],
            ).fetchall()
            answers: dict[int, Mapping[str, str | None]] = {}
            # One row per review: its question ids joined by the unit separator (question ids
            # cannot contain it), then its values as one letter each (_LETTERS): the plan walks
            # the audit's reviews, then each review's answers by the primary key, and Python
            # splits them in C. Most reviews answer the same questions, so each distinct list
            # of ids is split once; each value is the one shared string (or None for a note
            # whose answer was cleared), which keeps a million answers small and quick to count.
            ids_of: dict[str, list[str]] = {}
            for review_id, packed in self.conn.execute(
                "SELECT r.id, (SELECT group_concat(x.question_id, char(31)) || char(30)"
                f" || group_concat({_LETTER_SQL}, '')"
                " FROM answers x WHERE x.review_id = r.id)"
                " FROM reviews r WHERE r.audit_id = ? AND r.status = 'complete'",
                [audit_id],
            ):
                if not packed:
                    answers[review_id] = {}
                    continue
                ids, letters = packed.split(_RS)
                split = ids_of.get(ids)
                if split is None:
                    split = ids_of[ids] = ids.split(_US)
                if "?" in letters:  # a value that is no answer: read as it is
                    answers[review_id] = dict(self.conn.execute(_ANSWERS_OF, [review_id]))
                    continue
                answers[review_id] = dict(zip(split, map(_VALUE_OF.get, letters), strict=True))
        groups: dict[int, str | None] = {}
        if group_by:
            for ac in self.audit_cases(audit_id):
                if group_by == "stratum":
                    groups[ac.case.id] = ac.stratum
                elif group_by != "reviewer":
                    groups[ac.case.id] = ac.case.attribute(group_by)
        return [
            ReviewRecord(
                case_id=case_id,
                role=role,
                status=status,
                reviewer=reviewer,
                answers=answers[review_id],
                group=reviewer if group_by == "reviewer" else groups.get(case_id),
                case=CaseScope(reported_at, force),
            )
            for review_id, case_id, role, status, reviewer, reported_at, force in reviews
        ]
