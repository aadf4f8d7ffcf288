"""From a figure to its cases: the counted answers of No, Partly and Unknown (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from casereview.services.findings import AuditData

FLAGGED = ("no", "partly", "unknown")


@dataclass(frozen=True)
class Flagged:
    """One counted answer of No, Partly or Unknown: what a finding's shortfall is made of."""

    case_id: int
    role: str
    reviewer: str
    question_id: str
    value: str
    note: str


def flagged_answers(
    data: AuditData,
    question_ids: Sequence[str],
    notes: Mapping[tuple[int, str, str], str] | None = None,
) -> list[Flagged]:
    """The counted reviews' No, Partly and Unknown answers to these questions (the reviews
    the figures count: scoring.counted_reviews), in case then checklist order; a question
    hidden by skip logic counts as N/A, so is never listed. `notes`
    (store.completed_notes) adds each answer's note."""
    wanted = [q for q in data.checklist.questions if q.id in set(question_ids)]
    out = []
    for review in data.counted:
        answers = data.checklist.effective_answers(review.answers, review.case)
        for q in wanted:
            value = answers.get(q.id)
            if value in FLAGGED:
                note = (notes or {}).get((review.case_id, review.role, q.id), "")
                out.append(Flagged(review.case_id, review.role, review.reviewer, q.id, value, note))
    return out
