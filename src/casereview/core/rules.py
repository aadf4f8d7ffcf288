"""The review rules, each stated once: the store holds every write to them, and the answers
importer checks a file against the same statements, so an import can do nothing the app
could not."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeVar

from casereview.core.fields import Role, Status
from casereview.core.text import fold_name

if TYPE_CHECKING:
    from casereview.store import AuditInfo, Store

T = TypeVar("T", bound="Sampled")

MODERATION_NEEDS_PAIR = "moderation needs a completed primary and a completed second review"
DECISION_NEEDS_REASON = "a moderation decision needs a reason (it goes in the trail)"
REVIEW_LOCKED = "this review is complete and locked; reopen it (with a reason) to change it"
REOPEN_NEEDS_REASON = "reopening a completed review needs a reason"
NOT_COMPLETE = "this review is not complete"
# The reason of the events a database writes when its importer settles a conflict (bundle
# import --settle): the importer's choice of a side, which sets a review's answers and status
# whatever state the two copies' merged events leave it in.
SETTLED_ON_IMPORT = "conflict settled on import"


class ExistingReview(NamedTuple):
    """A review already in the audit, as the importer needs to know it."""

    id: int
    reviewer: str
    status: Status


def moderation_refusal(primary_status: Status | None, second_status: Status | None) -> str | None:
    """Why a case cannot be moderated yet (None: it can). A moderated review replaces the
    primary in the findings, so it settles a finished pair and nothing less."""
    if primary_status == "complete" and second_status == "complete":
        return None
    return MODERATION_NEEDS_PAIR


def change_refusal(status: str) -> str | None:
    """Why a review in `status` may not be answered, noted or completed (None: it may): a
    completed review is locked until it is reopened."""
    return REVIEW_LOCKED if status == "complete" else None


def reopen_refusal(status: str, reason: str | None) -> str | None:
    """Why a review in `status` may not be reopened with `reason` (None: it may): only a
    completed review is reopened, and the reason goes in the trail."""
    if not (reason or "").strip():
        return REOPEN_NEEDS_REASON
    return NOT_COMPLETE if status != "complete" else None


def settled_on_import(reason: str | None) -> bool:
    """An event a database wrote settling a conflict on import (bundle.plan's settling)."""
    return (reason or "").startswith(SETTLED_ON_IMPORT)


def second_review_refusal(
    second: str | None, assigned_to: str | None, primary_reviewer: str | None
) -> str | None:
    """Why `second` may not do (or be chosen for) a case's blind second review, given the
    reviewer the case is assigned to and whoever started its primary review (None: fine).
    A second review by the primary's own reviewer would not be a second opinion. Names are
    compared as accounts are (fold_name): `ANA` is `ana`, and is refused as she would be."""
    if second is None:
        return None
    if _same_person(second, primary_reviewer):
        return (
            f"{second} would do both the primary and the second review of this case; "
            "a second review must be by someone else"
        )
    if _same_person(second, assigned_to):
        return (
            f"{second} is assigned this case's primary review; a second review must be by "
            "someone else"
        )
    return None


def _same_person(name: str, other: str | None) -> bool:
    return other is not None and fold_name(name) == fold_name(other)


def agreed_answer(primary: str | None, second: str | None) -> str | None:
    """The answer both reviewers gave (None where they differ or either has none): the
    moderated review takes it without a decision."""
    return primary if primary is not None and primary == second else None


def needs_reason(reason: str | None) -> bool:
    """A moderation decision without a reason is refused."""
    return not (reason or "").strip()


def disagree(primary: str | None, second: str | None) -> bool:
    """The reviewers did not both give one answer, so the moderator decides it. A question
    neither answered (hidden for both) is no disagreement; one answered `na` by one and
    hidden for the other is one: an answer is agreed only where both gave it."""
    return (primary is not None or second is not None) and agreed_answer(primary, second) is None


def decision_refusal(
    value: str | None, primary: str | None, second: str | None, reason: str | None
) -> str | None:
    """Why a moderated answer cannot stand as given (None: it can). The answer both
    reviewers gave is agreed and needs no reason ("agreed" goes in the trail); any other,
    one reviewer's answer included, is the moderator's decision and needs its reason."""
    if value is not None and value == agreed_answer(primary, second):
        return None
    return DECISION_NEEDS_REASON if needs_reason(reason) else None


class Sampled(Protocol):
    """What the queue rules read of a sampled case (store.records.AuditCase has it)."""

    @property
    def assigned_to(self) -> str | None: ...
    @property
    def second_reviewer(self) -> str | None: ...
    @property
    def reviewer(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def second_status(self) -> str | None: ...


def my_role(case: Sampled, reviewer: str) -> Role | None:
    """Which of a sampled case's reviews is `reviewer`'s: "second" where they are its blind
    second reviewer, "primary" where it is assigned to them or they started its primary
    review, None where it is nobody's of theirs (opening it then asks first)."""
    if case.second_reviewer == reviewer:
        return "second"
    if reviewer in (case.assigned_to, case.reviewer):
        return "primary"
    return None


def my_status(case: Sampled, reviewer: str) -> str | None | bool:
    """The state of `reviewer`'s own review of the case (None: not started), or False
    where the case is not theirs."""
    role = my_role(case, reviewer)
    if role is None:
        return False
    return case.second_status if role == "second" else case.status


def next_in_queue(cases: Sequence[T], reviewer: str, after: int | None = None) -> T | None:
    """The reviewer's next unfinished case in sample order: the first after index `after`
    (wrapping round, never `after` itself), in progress or not started, then (theirs all
    done) the first unclaimed one; None when none is left. With no `after` (where the
    cases screen's cursor starts), their own: in progress first, then not started."""
    states = [my_status(c, reviewer) for c in cases]
    if after is None:
        for wanted in ("in_progress", None):
            if wanted in states:
                return cases[states.index(wanted)]
        return None
    order = list(range(after + 1, len(cases))) + list(range(0, after))
    for i in order:
        if states[i] in ("in_progress", None):
            return cases[i]
    # Their own done: the cases assigned to nobody and not started are everyone's.
    for i in order:
        if states[i] is False and unclaimed(cases[i], reviewer):
            return cases[i]
    return None


def unclaimed(case: Sampled, reviewer: str) -> bool:
    """A case assigned to nobody whose primary review nobody has started: anyone may take
    it (not its own blind second reviewer)."""
    return case.assigned_to is None and case.reviewer is None and case.second_reviewer != reviewer


def queue_done(audit: AuditInfo) -> str:
    """What N says when a reviewer has no unfinished case left: never "done" while the
    audit has cases nobody has started (they are assigned to others)."""
    waiting = audit.n_cases - audit.n_complete - audit.n_in_progress
    if waiting:
        return f"Nothing left for you: {waiting} case(s) nobody has started are assigned to others."
    return "Your queue is done: no case of yours in this audit is unfinished."


def blind_refusal(store: Store, audit_id: int, viewer: str) -> str | None:
    """Why `viewer` may not see this audit's figures or exports yet (None: they may). A blind
    second reviewer with a pair still open would see the primary answers in them."""
    pending = store.blind_pairs_open(audit_id, viewer)
    if not pending:
        return None
    return (
        f"{viewer} is the blind second reviewer of {pending} case(s) here whose reviews are "
        "not both complete yet; the findings and exports open once they are, so that nothing "
        "shows the primary answers first"
    )


def calibration_record_refusal(
    recorder: str, gold: bool, moderator: str, reviewers: Sequence[str]
) -> str | None:
    """Why `recorder` may not record a calibration review (None: they may). The gold review
    is the moderator's alone, and the blind reviews are the named reviewers'."""
    if gold:
        if recorder != moderator:
            return f"the gold review is the moderator's ({moderator}), not {recorder}'s"
        return None
    if recorder == moderator:
        return f"{recorder} is the moderator: their review is the gold one (record it as gold)"
    if recorder not in reviewers:
        return f"{recorder} is not one of this calibration's reviewers ({', '.join(reviewers)})"
    return None


def calibration_blind_refusal(
    viewer: str, reviewers: Sequence[str], done: int, cases: int
) -> str | None:
    """Why `viewer` may not see a calibration's gold, others' answers or results yet (None:
    they may): a calibration reviewer sees nothing of them until their own reviews of every
    case are recorded, so that nothing they see can lead their answers (the moderator and
    people outside the calibration may look at any time)."""
    if viewer not in reviewers or done >= cases:
        return None
    return (
        f"{viewer} has recorded {done} of {cases} calibration review(s); the gold, the others' "
        "answers and the results open once all of theirs are recorded"
    )
