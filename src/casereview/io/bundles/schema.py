"""The shape of a bundle's content, checked before anything is planned or written.

A bundle's seal proves only that nobody changed it by accident: anyone who edits the file
can recompute it. So every field the merge reads or stores is checked here for presence and
type (a field read but not here is a traceback waiting: add it), and a bundle that fails
says which field, as a BundleError (exit 2), never a traceback. What the fields mean
together is bundle_rules'.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from casereview.core.fields import Role, Status

AnswerValue = Literal["yes", "partly", "no", "na", "unknown"]  # fields.ANSWER_VALUES
Flag = bool | Literal[0, 1] | None  # a yes/no case field: SQLite's 0/1, or JSON's own
Integer = Annotated[int, Field(ge=-(2**63), lt=2**63)]  # what SQLite stores as an integer
Uuid = Annotated[
    str, Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
]


class _Part(BaseModel):
    # Fields a later format adds are let through (the format version guards meaning).
    model_config = ConfigDict(extra="allow", strict=True)


def _iso_or_none(value: str | None) -> str | None:
    if value is not None:
        datetime.fromisoformat(value)  # ValueError: pydantic reports it with the field
    return value


def _day_or_none(value: str | None) -> str | None:
    if value is not None:
        date.fromisoformat(value)  # a day, as the audits table keeps a period's ends
        if len(value) != 10:
            raise ValueError("not a day (YYYY-MM-DD)")
    return value


class _Answer(_Part):
    question_id: str
    value: AnswerValue | None
    note: str
    updated_at: str
    updated_by: str


class _Review(_Part):
    uuid: Uuid
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
    uuid: Uuid
    review_uuid: Uuid | None
    at: str
    actor: str
    kind: str
    question_id: str | None
    old: str | None  # the trail holds text: an answer, a name, a status, a note
    new: str | None
    reason: str | None

    _dates = field_validator("at")(_iso_or_none)


class _Case(_Part):
    # every field of the pool (fields.CASE_COLUMNS), as the merge stores and compares them
    force: str
    case_ref: str
    team: str | None
    offence: str | None
    reported_at: str | None
    recorded_at: str | None
    outcome: str | None
    da_related: Flag
    repeat_victim: Flag
    officer: str | None
    summary: str | None
    extra: dict[str, str]  # a case file's other columns, each cell's text
    position: Annotated[int, Field(ge=0, lt=2**63)]
    stratum: str | None
    assigned_to: str | None
    second_reviewer: str | None

    _dates = field_validator("reported_at", "recorded_at")(_iso_or_none)


class _Checklist(_Part):
    id: str
    version: str
    title: str
    content_hash: str
    source: str | None


class _Audit(_Part):
    uuid: Uuid
    name: str
    checklist_hash: str
    seed: Integer | None
    scope: dict[str, Any]
    created_by: str
    created_at: str
    period_start: str | None = None  # content version 2
    period_end: str | None = None

    _dates = field_validator("created_at")(_iso_or_none)
    _days = field_validator("period_start", "period_end")(_day_or_none)


class BundleContent(_Part):
    format_version: int
    checklist: _Checklist
    audit: _Audit
    cases: list[_Case]
    reviews: list[_Review]
    events: list[_Event]
    exported_by: str | None = None
    exported_at: str | None = None


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
