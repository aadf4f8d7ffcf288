"""One audit as findings read it: its completed reviews, checked once for scoring."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from casereview.core.checklist.models import Checklist
from casereview.core.problems import CasereviewError
from casereview.core.stats import scoring
from casereview.core.stats.counts import effective_counts, first_unanswered
from casereview.store import AuditInfo, Store


class FindingsError(CasereviewError):
    """An audit with nothing to report yet; the message says what is missing."""


@dataclass(frozen=True)
class AuditData:
    """Everything scoring needs about one audit, read once."""

    audit: AuditInfo
    checklist: Checklist
    reviews: list[scoring.ReviewRecord]
    problem: str | None = None
    """Why the figures cannot be computed (a completed review missing a shown answer)."""
    counts: Mapping[str, Counter[str | None]] | None = None
    """Each question's effective answers over the counted reviews, as load() counted them
    to check them (None: counted when the figures are asked for)."""

    @property
    def counted(self) -> list[scoring.ReviewRecord]:
        return scoring.counted_reviews(self.reviews)

    @property
    def question_figures(self) -> list[scoring.QuestionFigures]:
        """Every question's figures over all the counted reviews (not split by group)."""
        if self.counts is None:
            return scoring.audit_question_figures(self.checklist, self.reviews)
        return scoring.figures_of_counts(self.checklist, self.counts)


def load(
    store: Store, audit_name: str, by: str | None = None, require_complete: bool = True
) -> AuditData:
    """The audit's completed reviews, grouped `by` a field, ready for the table functions.

    With require_complete (every kind of figures), an audit without completed reviews, or
    with a completed review that lacks an answer to a shown question, is refused with a
    FindingsError. Without it (raw answers, cases, events) such an audit still loads, and
    only the figure tables refuse it.
    """
    audit = store.audit_named(audit_name)
    if audit.n_cases == 0:
        raise FindingsError(f"audit '{audit.name}' has no cases")
    checklist = store.audit_checklist(audit.id)  # with the force's limits, if given
    reviews = store.review_records(audit.id, by)
    if by == "reviewer":
        reviews = by_primary_reviewer(reviews, _primary_reviewers_from_store(store, audit, reviews))
    # Every figure counts the same answers, so they are counted once, here, and the count
    # is the check: a shown question left unanswered is a count of None.
    counted = scoring.counted_reviews(reviews)
    counts = effective_counts(checklist, ((r.answers, r.case) for r in counted))
    kept = {id(r) for r in counted}
    others = ((r.answers, r.case) for r in reviews if id(r) not in kept)  # second, replaced
    problem = None
    if any(c[None] for c in counts.values()) or first_unanswered(checklist, others) is not None:
        problem = _unanswered_problem(store, audit, checklist, reviews)
    data = AuditData(audit, checklist, reviews, problem, counts)
    if require_complete and not counted:
        raise FindingsError(
            f"audit '{audit.name}' has no completed reviews yet ({audit.n_in_progress} in "
            "progress); findings count completed reviews only"
        )
    if require_complete:
        require_answered(data)
    return data


def by_primary_reviewer(
    reviews: Sequence[scoring.ReviewRecord], known: Mapping[int, str | None] | None = None
) -> list[scoring.ReviewRecord]:
    """The reviews with each one's group set to its case's primary reviewer.

    Grouping by reviewer asks "how do each reviewer's cases score", so a case counts once,
    under the reviewer of its primary review: the moderated review that replaces it and the
    second review that checks it follow the case, and moderators and second reviewers get no
    group of their own. `known` gives the primary reviewer of cases whose primary review is
    not among `reviews` (not complete); failing both, a review keeps its own reviewer.
    """
    primary = {r.case_id: r.reviewer for r in reviews if r.role == "primary"}
    known = known or {}
    return [
        replace(r, group=primary.get(r.case_id) or known.get(r.case_id) or r.reviewer)
        for r in reviews
    ]


def _primary_reviewers_from_store(
    store: Store, audit: AuditInfo, reviews: Sequence[scoring.ReviewRecord]
) -> dict[int, str | None]:
    """Primary reviewers (else assignees) of cases whose primary review is not complete."""
    with_primary = {r.case_id for r in reviews if r.role == "primary"}
    if all(r.case_id in with_primary for r in reviews):
        return {}  # the usual case: no need to read the sample
    return {ac.case.id: ac.reviewer or ac.assigned_to for ac in store.audit_cases(audit.id)}


def _unanswered_problem(
    store: Store, audit: AuditInfo, checklist: Checklist, reviews: Sequence[scoring.ReviewRecord]
) -> str | None:
    """Why no figures can be computed, if a completed review lacks a shown answer.

    The app refuses to complete such a review, but a database from an older version (or
    answers loaded by hand) may hold one; scoring would otherwise stop on a ValueError.
    """
    at = first_unanswered(checklist, ((r.answers, r.case) for r in reviews))
    if at is None:
        return None
    missing: list[tuple[scoring.ReviewRecord, str]] = []
    for r in reviews[at:]:
        effective = checklist.effective_answers(r.answers, r.case)
        if None in effective.values():
            missing.append((r, next(q for q, v in effective.items() if v is None)))
    if not missing:
        return None
    first, question_id = missing[0]
    case = store.case(first.case_id)
    more = f" ({len(missing)} such reviews in all)" if len(missing) > 1 else ""
    return (
        f"audit '{audit.name}' cannot be scored: the {first.role} review of case "
        f"{case.case_ref} ({case.force}) by {first.reviewer} is complete but has no answer to "
        f"{question_id}, a question it shows{more}. Reopen the review, answer it and complete "
        "it again."
    )


def require_answered(data: AuditData) -> None:
    if data.problem:
        raise FindingsError(data.problem)
