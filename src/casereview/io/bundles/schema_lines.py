"""The shape of a format-3 bundle's parts, checked one line at a time (io.bundles.stream):
the header (audit.json), a case, an audit's own event, a review with its answers and events.
The fields are bundle_schema's, so the two formats hold a bundle to the same shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from casereview.io.bundles.schema import _Audit, _Case, _Checklist, _Event, _Part, _Review

Case, Event = _Case, _Event  # a line of cases.jsonl, of events.jsonl


class Header(_Part):
    format_version: int
    checklist: _Checklist
    audit: _Audit
    exported_by: str | None = None
    exported_at: str | None = None


class LineEvent(_Event):
    review_uuid: str | None = None  # a review's events are on its line: the line says whose


class ReviewLine(_Review):
    events: list[LineEvent]


def problems(model: type[BaseModel], value: Any, path: str) -> list[str]:
    """What is missing or wrong in `value` as a `model`, each line named from `path`
    (`reviews.jsonl: reviews.3`, or a member alone: `audit.json:`)."""
    if not isinstance(value, dict):
        return [f"{path}: not a JSON object"]
    try:
        model.model_validate(value)
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            where = ".".join(str(part) for part in err["loc"])
            joined = f"{path} {where}" if path.endswith(":") else f"{path}.{where}"
            out.append(f"{joined}: {err['msg']}")
        return out
    return []
