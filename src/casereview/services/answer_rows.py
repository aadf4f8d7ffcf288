"""The answers export's row, built in one place: the table (findings.answer_table) and the
exports written as they are read (io/exports/streams) all take their rows from answer_rows.

Every review of the audit (all roles) in sample order, every question in checklist order,
a question the review's answers hide given as `na` with hidden true.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, NamedTuple

from casereview.core.checklist.scope import CaseScope

if TYPE_CHECKING:
    from casereview.core.checklist.models import Checklist
    from casereview.core.fields import Role, Status
    from casereview.store import AuditInfo, ReviewAnswers, Store


class AnswerRow(NamedTuple):
    """One row of the answers export, in answer_columns order (the note last, written
    only with --include-notes)."""

    audit: str
    case_ref: str
    force: str
    reviewer: str
    role: Role
    status: Status
    section_id: str
    question_id: str
    answer: str | None
    hidden: bool
    note: str | None


def keep(
    question_id: str, value: str | None, question: str | None, answers: Collection[str] | None
) -> bool:
    """Whether an answer row passes `export answers --question ID --answer a,b`."""
    return (question is None or question_id == question) and (answers is None or value in answers)


def questions_of(checklist: Checklist, question: str | None = None) -> list[tuple[str, str]]:
    """(question id, section id) of the rows of each review: every question in checklist
    order, or only `question`."""
    return [
        (q.id, checklist.section_of(q.id).id)
        for q in checklist.questions
        if question is None or q.id == question
    ]


def shown_values(
    review: ReviewAnswers, checklist: Checklist, questions: list[tuple[str, str]]
) -> tuple[dict[str, str | None], set[str]]:
    """The review's value for each of `questions` as the export gives it, and the questions
    its answers hide: a hidden question's value is `na` (the one rule every row follows)."""
    values = review.values
    hidden = set(checklist.hidden_ids(values, CaseScope(review.reported_at, review.force)))
    shown = {qid: "na" if qid in hidden else values.get(qid) for qid, _ in questions}
    return shown, hidden


def review_rows(
    audit_name: str,
    review: ReviewAnswers,
    checklist: Checklist,
    questions: list[tuple[str, str]],
    answers: Collection[str] | None = None,
) -> Iterator[AnswerRow]:
    """One review's rows, for `questions` (questions_of); only `answers` when given."""
    shown, hidden = shown_values(review, checklist, questions)
    notes = review.notes
    case_ref, force, reviewer = review.case_ref, review.force, review.reviewer
    role, status = review.role, review.status
    for qid, section_id in questions:
        value = shown[qid]
        if answers is not None and value not in answers:
            continue
        yield _row(
            AnswerRow,
            (
                audit_name,
                case_ref,
                force,
                reviewer,
                role,
                status,
                section_id,
                qid,
                value,
                qid in hidden,
                notes.get(qid),
            ),
        )


# A named tuple made from a tuple in C: the national audit's answers export makes a million.
_row = tuple.__new__


def answer_rows(
    store: Store,
    audit: AuditInfo,
    checklist: Checklist,
    question: str | None = None,
    answers: Collection[str] | None = None,
) -> Iterator[AnswerRow]:
    """The audit's answer rows, read as they are used (one query, a review at a time);
    only `question` and `answers` when given (see keep)."""
    questions = questions_of(checklist, question)
    for review in store.audit_review_answers(audit.id):
        yield from review_rows(audit.name, review, checklist, questions, answers)
