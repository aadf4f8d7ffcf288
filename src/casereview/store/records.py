"""The store's records: what the rest of the app reads, and their row mappers.

Immutable, all: NamedTuples, except a case and an audit, which carry a dict (a NamedTuple
shares a mutable default) and stay frozen dataclasses. Every command builds these classes
as it starts, and a NamedTuple costs a quarter of a frozen dataclass to build (issue 32)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, NamedTuple

from casereview.core.checklist.scope import CaseScope
from casereview.core.fields import CASE_COLUMNS, Role, Status
from casereview.core.periods import Period


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class ChecklistInfo(NamedTuple):
    pk: int
    checklist_id: str
    version: str
    title: str
    content_hash: str
    source: str | None
    n_audits: int = 0

    @property
    def label(self) -> str:
        return f"{self.checklist_id}@{self.version}"


@dataclass(frozen=True)
class Case:
    id: int
    case_ref: str
    force: str
    team: str | None = None
    offence: str | None = None
    reported_at: str | None = None
    recorded_at: str | None = None
    outcome: str | None = None
    da_related: bool | None = None
    repeat_victim: bool | None = None
    officer: str | None = None
    summary: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def attribute(self, name: str) -> str | None:
        """A case field or extra attribute as text, for filters and grouping."""
        if name in CASE_COLUMNS:
            value = getattr(self, name)
            if isinstance(value, bool):
                return "yes" if value else "no"
            return None if value is None else str(value)
        return self.extra.get(name)

    def scope(self) -> CaseScope:
        """What decides whether a dated or pilot question applies to this case."""
        return CaseScope(self.reported_at, self.force)


@dataclass(frozen=True)
class AuditInfo:
    id: int
    name: str
    checklist_pk: int
    checklist_label: str
    seed: int | None
    scope: dict[str, Any]
    created_by: str
    created_at: str
    n_cases: int = 0
    n_complete: int = 0
    n_in_progress: int = 0
    period: Period | None = None
    """What it covers in time: its report-date scope, else one given (None: not given)."""


class AuditCase(NamedTuple):
    """A sampled case with the state of its primary review."""

    case: Case
    position: int
    stratum: str | None
    assigned_to: str | None
    second_reviewer: str | None
    review_id: int | None
    reviewer: str | None
    status: Status | None  # None: not started
    n_answered: int
    second_status: Status | None = None
    moderated_status: Status | None = None


class QueueEntry(NamedTuple):
    """What the queue rules (rules.next_in_queue) read of a sampled case, and no more."""

    case_id: int
    position: int
    assigned_to: str | None
    second_reviewer: str | None
    reviewer: str | None
    status: Status | None
    second_status: Status | None


class Review(NamedTuple):
    id: int
    audit_id: int
    case_id: int
    role: Role
    reviewer: str
    status: Status
    current_question: str | None
    completed_at: str | None


class Answer(NamedTuple):
    question_id: str
    value: str | None
    note: str
    updated_by: str
    updated_at: str


class Event(NamedTuple):
    id: int
    review_id: int | None
    question_id: str | None
    kind: str
    old: str | None
    new: str | None
    reason: str | None
    actor: str
    at: str


class ReviewAnswers(NamedTuple):
    """A review with its answers, as an export written as it is read takes them
    (Store.audit_review_answers): values and notes by question id."""

    case_ref: str
    force: str
    review_id: int
    reviewer: str
    role: Role
    status: Status
    values: dict[str, str | None]
    notes: dict[str, str | None]
    reported_at: str | None = None
    """The case's report date: with `force`, what dated or pilot questions look at."""


class EventRead(NamedTuple):
    """A trail event with its review's case and role (Store.audit_event_rows), in the
    events export's column order after `audit`."""

    event_id: int
    at: str
    actor: str
    case_ref: str | None
    force: str | None
    role: Role | None
    question_id: str | None
    kind: str
    old: str | None
    new: str | None
    reason: str | None


def _bool_or_none(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _case(row: Mapping[str, Any] | sqlite3.Row) -> Case:
    return Case(
        id=row["id"],
        case_ref=row["case_ref"],
        force=row["force"],
        team=row["team"],
        offence=row["offence"],
        reported_at=row["reported_at"],
        recorded_at=row["recorded_at"],
        outcome=row["outcome"],
        da_related=_bool_or_none(row["da_related"]),
        repeat_victim=_bool_or_none(row["repeat_victim"]),
        officer=row["officer"],
        summary=row["summary"],
        extra=json.loads(row["extra"] or "{}"),
    )
