"""Calibration exercises: the cases a moderator picked, the gold review and the reviewers'
blind reviews of them, and each reviewer's recorded result. Tables of their own (m014), so
no audit's findings, trend or agreement can count a calibration review."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from casereview.core.text import hidden_character
from casereview.store.connection import Connection
from casereview.store.errors import StoreError
from casereview.store.records import now

if TYPE_CHECKING:
    from casereview.store.calibration_records import (
        CalibrationEvent,
        CalibrationInfo,
        CalibrationResult,
        CalibrationReview,
        CalibrationRole,
    )


class CalibrationStore(Connection):
    """The calibration tables, and an audit's calibration requirement."""

    def create_calibration(
        self,
        name: str,
        checklist_pk: int,
        case_ids: Sequence[int],
        moderator: str,
        reviewers: Sequence[str],
        actor: str,
    ) -> CalibrationInfo:
        """Record a calibration and its cases in one transaction; refused (StoreError) with
        no name, no cases, no reviewers, or the moderator among the reviewers (the gold is
        theirs: they cannot also review blind)."""
        if not name.strip():
            raise StoreError("a calibration needs a name")
        if (problem := hidden_character("the calibration name", name)) is not None:
            raise StoreError(problem)
        if not case_ids:
            raise StoreError("a calibration needs at least one case")
        if len(set(case_ids)) != len(case_ids):
            raise StoreError("a case is given twice")
        if not reviewers:
            raise StoreError("a calibration needs at least one reviewer besides the moderator")
        if moderator in reviewers:
            raise StoreError(
                f"{moderator} is the moderator (who records the gold review) and cannot also "
                "review blind"
            )
        with self._write():
            if list(self.db.query("SELECT 1 FROM calibrations WHERE name = ?", [name])):
                raise StoreError(f"a calibration named '{name}' already exists")
            cursor = self.db.execute(
                "INSERT INTO calibrations (name, checklist_pk, moderator, reviewers, created_by,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [name, checklist_pk, moderator, json.dumps(list(reviewers)), actor, now()],
            )
            calibration_id = int(cursor.lastrowid or 0)
            self.db.conn.executemany(
                "INSERT INTO calibration_cases (calibration_id, case_id, position)"
                " VALUES (?, ?, ?)",
                [(calibration_id, case_id, i) for i, case_id in enumerate(case_ids)],
            )
            refs = ", ".join(self._case_refs(case_ids))
            self._calibration_event(
                calibration_id, "calibration_created", None, name, actor, reason=refs
            )
        return self.calibration_named(name)

    def _case_refs(self, case_ids: Sequence[int]) -> list[str]:
        refs = dict(
            self.conn.execute(
                f"SELECT id, case_ref FROM cases WHERE id IN ({', '.join('?' * len(case_ids))})",
                list(case_ids),
            ).fetchall()
        )
        return [refs.get(c, str(c)) for c in case_ids]

    def _calibration_event(
        self,
        calibration_id: int,
        kind: str,
        question_id: str | None,
        new: str | None,
        actor: str,
        old: str | None = None,
        reason: str | None = None,
        case_id: int | None = None,
    ) -> None:
        """Append a calibration's event to the trail (events.calibration_id: no review or
        audit of its own, so no audit's trail reads it). Inside the caller's write."""
        self.db.execute(
            "INSERT INTO events (review_id, question_id, kind, old, new, reason, actor, at,"
            " calibration_id, calibration_case_id) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [question_id, kind, old, new, reason, actor, now(), calibration_id, case_id],
        )

    def calibrations(self) -> list[CalibrationInfo]:
        rows = self.conn.execute("SELECT name FROM calibrations ORDER BY id").fetchall()
        return [self.calibration_named(name) for (name,) in rows]

    def calibration_named(self, name: str) -> CalibrationInfo:
        from casereview.store.calibration_records import CalibrationInfo

        row = self.conn.execute(
            "SELECT id, name, checklist_pk, moderator, reviewers, created_at FROM calibrations"
            " WHERE name = ?",
            [name],
        ).fetchone()
        if row is None:
            raise StoreError(f"no calibration named '{name}' (`casereview calibration list`)")
        calibration_id, name, checklist_pk, moderator, reviewers, created_at = row
        case_ids = [
            case_id
            for (case_id,) in self.conn.execute(
                "SELECT case_id FROM calibration_cases WHERE calibration_id = ? ORDER BY position",
                [calibration_id],
            )
        ]
        return CalibrationInfo(
            calibration_id,
            name,
            checklist_pk,
            moderator,
            tuple(json.loads(reviewers)),
            tuple(case_ids),
            created_at,
        )

    def case_ids_by_ref(self, refs: Sequence[str], force: str | None = None) -> list[int]:
        """The pool's cases with these references (of `force`, if given), in the order
        given; refused (StoreError) naming every reference not in the pool, held by cases
        of more than one force, or given twice (a calibration's answer files name cases by
        reference alone)."""
        found: list[int] = []
        problems: list[str] = []
        for ref in dict.fromkeys(refs):
            forces = dict(
                self.conn.execute(
                    "SELECT force, id FROM cases WHERE case_ref = ?1"
                    " AND (?2 IS NULL OR force = ?2)",
                    [ref, force],
                ).fetchall()
            )
            if len(forces) == 1:
                found.extend(forces.values())
            elif not forces:
                problems.append(f"'{ref}' is not in the pool" + (f" for {force}" if force else ""))
            else:
                problems.append(
                    f"'{ref}' is a case of {', '.join(sorted(forces))}: name its force (--force)"
                )
        if len(set(refs)) != len(refs):
            problems.append("a case is given twice")
        if problems:
            raise StoreError("; ".join(problems))
        return found

    def record_calibration_reviews(
        self,
        calibration_id: int,
        reviewer: str,
        role: CalibrationRole,
        reviews: Mapping[int, tuple[Mapping[str, str | None], Mapping[str, str]]],
    ) -> None:
        """Store completed reviews of calibration cases (case id -> answers, notes) in one
        transaction. Each is recorded once: recording the same reviewer's review of a case
        again is refused, nothing written (a calibration tests a first reading; changing an
        answer after seeing the gold would defeat it); so is a case the calibration does not
        hold (its answers would be compared with no gold)."""
        with self._write():
            scope = {
                c
                for (c,) in self.conn.execute(
                    "SELECT case_id FROM calibration_cases WHERE calibration_id = ?",
                    [calibration_id],
                )
            }
            outside = [c for c in reviews if c not in scope]
            if outside:
                raise StoreError(
                    f"case(s) {', '.join(self._case_refs(outside))} are not in this calibration"
                )
            for case_id, (answers, notes) in reviews.items():
                if self.conn.execute(
                    "SELECT 1 FROM calibration_reviews WHERE calibration_id = ? AND case_id = ?"
                    " AND reviewer = ?",
                    [calibration_id, case_id, reviewer],
                ).fetchone():
                    raise StoreError(
                        f"{reviewer} has already recorded a review of case {case_id}; a "
                        "calibration review is recorded once"
                    )
                cursor = self.db.execute(
                    "INSERT INTO calibration_reviews (calibration_id, case_id, role, reviewer,"
                    " completed_at) VALUES (?, ?, ?, ?, ?)",
                    [calibration_id, case_id, role, reviewer, now()],
                )
                review_id = int(cursor.lastrowid or 0)
                self.db.conn.executemany(
                    "INSERT INTO calibration_answers (review_id, question_id, value, note)"
                    " VALUES (?, ?, ?, ?)",
                    [(review_id, q, v, notes.get(q, "")) for q, v in answers.items()],
                )
                # recorded whole: any draft of it begun in the app is done with
                self.db.execute(
                    "DELETE FROM calibration_drafts WHERE calibration_id = ? AND case_id = ?"
                    " AND reviewer = ?",
                    [calibration_id, case_id, reviewer],
                )
                kind = "calibration_gold" if role == "gold" else "calibration_complete"
                self._calibration_event(
                    calibration_id, kind, None, "complete", reviewer, case_id=case_id
                )

    def calibration_reviews(self, calibration_id: int) -> list[CalibrationReview]:
        """Every recorded review of the calibration, by case and reviewer."""
        from casereview.store.calibration_records import CalibrationReview

        reviews = self.conn.execute(
            "SELECT id, case_id, reviewer, role, completed_at FROM calibration_reviews"
            " WHERE calibration_id = ? ORDER BY case_id, reviewer",
            [calibration_id],
        ).fetchall()
        out = []
        for review_id, case_id, reviewer, role, completed_at in reviews:
            rows = self.conn.execute(
                "SELECT question_id, value, note FROM calibration_answers WHERE review_id = ?",
                [review_id],
            ).fetchall()
            out.append(
                CalibrationReview(
                    case_id,
                    reviewer,
                    role,
                    {q: v for q, v, _ in rows},
                    {q: n for q, _, n in rows if n},
                    completed_at,
                )
            )
        return out

    def save_calibration_result(
        self, calibration_id: int, result: CalibrationResult, actor: str
    ) -> bool:
        """Record a reviewer's result with its date; False, and nothing written, where the
        same result (figures, thresholds, verdict) is recorded already, so its date stays
        the day it was first decided."""
        values = (
            None if result.kappa is None else round(result.kappa, 6),
            None if result.agree_pct is None else round(result.agree_pct, 6),
            result.kappa_threshold,
            result.agree_threshold,
            int(result.passed),
        )
        with self._write():
            old = self.conn.execute(
                "SELECT kappa, agree_pct, kappa_threshold, agree_threshold, passed"
                " FROM calibration_results WHERE calibration_id = ? AND reviewer = ?",
                [calibration_id, result.reviewer],
            ).fetchone()
            if old is not None and tuple(old) == values:
                return False
            self.db.execute(
                "INSERT OR REPLACE INTO calibration_results (calibration_id, reviewer, kappa,"
                " agree_pct, kappa_threshold, agree_threshold, passed, decided_by, decided_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [calibration_id, result.reviewer, *values, actor, result.decided_at],
            )
            verdict = "pass" if result.passed else "not passed"
            self._calibration_event(
                calibration_id,
                "calibration_result",
                None,
                f"{result.reviewer}: {verdict}",
                actor,
                old=None if old is None else ("pass" if old[4] else "not passed"),
                reason=f"kappa {values[0]}, agreement {values[1]}%",
            )
        return True

    def calibration_results(self, checklist_pk: int | None = None) -> list[CalibrationResult]:
        """The recorded results (of calibrations on this checklist version, if given)."""
        from casereview.store.calibration_records import CalibrationResult

        rows = self.conn.execute(
            "SELECT c.name, c.checklist_pk, r.reviewer, r.kappa, r.agree_pct, r.kappa_threshold,"
            " r.agree_threshold, r.passed, r.decided_at FROM calibration_results r"
            " JOIN calibrations c ON c.id = r.calibration_id"
            " WHERE ?1 IS NULL OR c.checklist_pk = ?1 ORDER BY r.decided_at, r.reviewer",
            [checklist_pk],
        ).fetchall()
        return [
            CalibrationResult(n, pk, who, k, pct, kt, at, bool(passed), when)
            for n, pk, who, k, pct, kt, at, passed, when in rows
        ]

    def calibration_event_rows(self, calibration_id: int) -> list[CalibrationEvent]:
        """The calibration's trail, oldest first: (id, at, actor, case_ref, question_id,
        kind, old, new, reason)."""
        return self.conn.execute(
            "SELECT e.id, e.at, e.actor, c.case_ref, e.question_id, e.kind, e.old, e.new,"
            " e.reason FROM events e LEFT JOIN cases c ON c.id = e.calibration_case_id"
            " WHERE e.calibration_id = ? ORDER BY e.id",
            [calibration_id],
        ).fetchall()  # type: ignore[no-any-return]

    # ------------------------------------------------------------ an audit's requirement

    def require_calibration(self, audit_id: int, months: int | None) -> None:
        """Require (months) or no longer require (None) that the audit's reviewers passed a
        calibration on its checklist version within that many months."""
        with self._write():
            self.db.execute(
                "UPDATE audits SET calibration_months = ? WHERE id = ?", [months, audit_id]
            )

    def calibration_months(self, audit_id: int) -> int | None:
        # a read: straight to sqlite3 (`audit list` asks for every audit; no sqlite-utils)
        row = self.conn.execute(
            "SELECT calibration_months FROM audits WHERE id = ?", [audit_id]
        ).fetchone()
        return None if row is None else row[0]

    def audit_reviewers(self, audit_id: int) -> list[str]:
        """Everyone assigned a case, chosen for a second review or with a primary or second
        review in the audit (the moderator's moderated reviews are not reviewing)."""
        rows = self.conn.execute(
            "SELECT assigned_to FROM audit_cases WHERE audit_id = ?1"
            " UNION SELECT second_reviewer FROM audit_cases WHERE audit_id = ?1"
            " UNION SELECT reviewer FROM reviews WHERE audit_id = ?1 AND role != 'moderated'",
            [audit_id],
        ).fetchall()
        return sorted(name for (name,) in rows if name)
