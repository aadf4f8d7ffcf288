"""The case pool's known fields: one list for the importer, the store and the exports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

CASE_COLUMNS: tuple[str, ...] = (
    "case_ref",
    "force",
    "team",
    "offence",
    "reported_at",
    "recorded_at",
    "outcome",
    "da_related",
    "repeat_victim",
    "officer",
    "summary",
)
DATE_COLUMNS = ("reported_at", "recorded_at")
BOOL_COLUMNS = ("da_related", "repeat_victim")
ANSWER_VALUES: tuple[str, ...] = ("yes", "partly", "no", "na", "unknown")

TREND_BY = ("section", "question", "recommendation", "concern", "theme")
"""What a trend's rows can be (casereview.services.trend); here so the CLI offers them without
loading the findings layer at start-up."""

Role = Literal["primary", "second", "moderated"]
"""Whose review it is: the case's reviewer, a blind second reviewer, or the moderator's
settled answers (the schema's CHECK holds the same three)."""
ROLES: tuple[Role, ...] = get_args(Role)
Status = Literal["in_progress", "complete"]
"""A review's state; a case with no review yet is "not started" (None)."""

# How a yes/no column may be written in a case file.
BOOLS: dict[str, bool | None] = {
    **dict.fromkeys(("yes", "y", "true", "t", "1"), True),
    **dict.fromkeys(("no", "n", "false", "f", "0"), False),
    "": None,
}


def parse_bool(value: str) -> bool | None:
    """yes/no, true/false, y/n, t/f, 1/0 in any case -> bool; blank -> None; ValueError if not."""
    try:
        return BOOLS[value.strip().lower()]
    except KeyError:
        raise ValueError(value) from None


def where_text(where: Mapping[str, object] | None, equals: str = "=") -> str:
    """A scope's filters as reports write them, 'offence = a, team = CID'; a field given
    several values (any of them matches) as 'offence = a or b'."""

    def either(value: object) -> str:
        return " or ".join(map(str, value)) if isinstance(value, list) else str(value)

    return ", ".join(f"{k}{equals}{either(v)}" for k, v in (where or {}).items())


ANSWER_COLUMNS = (
    "audit",
    "case_ref",
    "force",
    "reviewer",
    "role",
    "status",
    "section_id",
    "question_id",
    "answer",
    "hidden",
)


def answer_columns(include_notes: bool) -> tuple[str, ...]:
    return (*ANSWER_COLUMNS, "note") if include_notes else ANSWER_COLUMNS
