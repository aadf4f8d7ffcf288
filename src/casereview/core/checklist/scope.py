"""What a dated or pilot question looks at in a case (kept apart from the pydantic models,
so the store's records can name it without loading them)."""

from __future__ import annotations

from typing import NamedTuple


class CaseScope(NamedTuple):
    """What a question's `applies_from` and `applies_to` look at: the case's report date
    (ISO text, a time after the date allowed) and its force. None: not known."""

    reported_on: str | None
    force: str | None
