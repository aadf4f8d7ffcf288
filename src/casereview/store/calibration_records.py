"""What calibrations read as (store/calibration.py and calibration_drafts.py build them). Their
own module, loaded when a calibration is read, so a command that never reads one does not
build these classes (issue 32: the start)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from casereview.store.records import Answer

CalibrationRole = Literal["gold", "reviewer"]
CalibrationEvent = tuple[
    int, str, str, str | None, str | None, str, str | None, str | None, str | None
]
"""A calibration's trail event: id, at, actor, case_ref, question_id, kind, old, new, reason."""


@dataclass(frozen=True)
class CalibrationInfo:
    id: int
    name: str
    checklist_pk: int
    moderator: str
    reviewers: tuple[str, ...]
    case_ids: tuple[int, ...]
    """In the order the moderator gave them."""
    created_at: str


@dataclass(frozen=True)
class CalibrationReview:
    """One completed review of a calibration case: the gold (the moderator's) or a reviewer's."""

    case_id: int
    reviewer: str
    role: CalibrationRole
    answers: Mapping[str, str | None]
    notes: Mapping[str, str]
    completed_at: str


@dataclass(frozen=True)
class CalibrationResult:
    calibration: str
    checklist_pk: int
    reviewer: str
    kappa: float | None
    agree_pct: float | None
    kappa_threshold: float
    agree_threshold: float
    passed: bool
    decided_at: str


@dataclass(frozen=True)
class OwnCalibrationReview:
    """One person's own review of one calibration case: the draft, or the completed one."""

    role: CalibrationRole
    answers: dict[str, Answer]
    completed_at: str | None
    """None while it is a draft (or not started)."""
