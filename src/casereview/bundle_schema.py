"""The shape of a bundle's content, checked before anything is planned or written.

A bundle's seal proves only that nobody changed it by accident: anyone who edits the file
can recompute it. So every field the merge reads is checked here for presence and type,
and a bundle that fails says which field, as a BundleError (exit 2), never a traceback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from casereview.fields import Role, Status


class _Part(BaseModel):
    # Fields a later format adds are let through (the format version guards meaning).
    model_config = ConfigDict(extra="allow", strict=True)


def _iso_or_none(value: str | None) -> str | None:
    if value is not None:
        datetime.fromisoformat(value)  # ValueError: pydantic reports it with the field
    return value


class _Answer(_Part):
    question_id: str
    value: str | None
    note: str | None
    updated_at: str
    updated_by: str


class _Review(_Part):
    uuid: str
    force: str
    case_ref: str
    role: Role
    reviewer: str
    status: Status
    current_question: str | None
    started_at: str
    updated_at: str
    completed_at: str | None
    answers: list[_Answer]

    _dates = field_validator("started_at", "updated_at", "completed_at")(_iso_or_none)


class _Event(_Part):
    uuid: str
    review_uuid: str | None
    at: str
    actor: str
    kind: str
    question_id: str | None
    old: Any
    new: Any
    reason: str | None

    _dates = field_validator("at")(_iso_or_none)


class _Case(_Part):
    force: str
    case_ref: str
    position: int
    stratum: str | None
    assigned_to: str | None
    second_reviewer: str | None
    reported_at: str | None
    recorded_at: str | None
    extra: dict[str, Any]

    _dates = field_validator("reported_at", "recorded_at")(_iso_or_none)


class _Checklist(_Part):
    id: str
    version: str
    content_hash: str


class _Audit(_Part):
    uuid: str
    name: str
    seed: int | None
    scope: dict[str, Any]


class BundleContent(_Part):
    format_version: int
    checklist: _Checklist
    audit: _Audit
    cases: list[_Case]
    reviews: list[_Review]
    events: list[_Event]


def problems(content: Any) -> list[str]:
    """What is missing or wrong in a bundle's content, one line per field ([] if none)."""
    try:
        BundleContent.model_validate(content)
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            where = ".".join(str(part) for part in err["loc"])
            out.append(f"{where}: {err['msg']}")
        return out
    return []
