"""The case pool's known fields: one list for the importer, the store and the exports."""

from __future__ import annotations

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
