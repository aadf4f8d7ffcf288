"""The review rules, each stated once: the store holds every write to them, and the answers
importer checks a file against the same statements, so an import can do nothing the app
could not."""

from __future__ import annotations

from typing import NamedTuple

from casereview.fields import Status

MODERATION_NEEDS_PAIR = "moderation needs a completed primary and a completed second review"
DECISION_NEEDS_REASON = "a moderation decision needs a reason (it goes in the trail)"


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


def second_review_refusal(
    second: str | None, assigned_to: str | None, primary_reviewer: str | None
) -> str | None:
    """Why `second` may not do (or be chosen for) a case's blind second review, given the
    reviewer the case is assigned to and whoever started its primary review (None: fine).
    A second review by the primary's own reviewer would not be a second opinion."""
    if second is None:
        return None
    if second == primary_reviewer:
        return (
            f"{second} would do both the primary and the second review of this case; "
            "a second review must be by someone else"
        )
    if second == assigned_to:
        return (
            f"{second} is assigned this case's primary review; a second review must be by "
            "someone else"
        )
    return None


def agreed_answer(primary: str | None, second: str | None) -> str | None:
    """The answer both reviewers gave (None where they differ or either has none): the
    moderated review takes it without a decision."""
    return primary if primary is not None and primary == second else None


def needs_reason(reason: str | None) -> bool:
    """A moderation decision without a reason is refused."""
    return not (reason or "").strip()
