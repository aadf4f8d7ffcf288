"""An audit's period: the stretch of time its cases cover, as people write it.

Given as a year (`2024`), a month (`2024-10`), a day (`2024-10-01`) or a range of them with
`..` (`2024-10..2024-12`, `2024-10-01..2024-12-31`); stored as its first and last day
(inclusive), and written back the shortest way that says the same days. A trend orders audits
by it; the day an audit was created is never its period."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from casereview.core.problems import CasereviewError

SYNTAX = "a year (2024), a month (2024-10), a day (2024-10-01) or a range FROM..TO of them"
EXAMPLES = "e.g. 2024-10, 2024-10..2024-12 or 2024-10-01..2024-12-31"
PERIOD_HINT = "give one with `casereview audit period NAME 2024-10` (or a range, 2024-10..2024-12)"
_PART = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class PeriodError(CasereviewError):
    """A period that cannot be read (exit 2): the message says what is accepted."""


@dataclass(frozen=True)
class Period:
    """First and last day covered, ISO dates; either may be open (None) where a report-date
    scope gives one end only, never both."""

    start: str | None
    end: str | None

    @property
    def sort_key(self) -> tuple[str, str]:
        """Ordered by the first day (else the last), then the last."""
        return (self.start or self.end or "", self.end or "9999-12-31")

    def overlaps(self, other: Period) -> bool:
        """True where the two share a day (an open end reaches as far as it could)."""
        return (self.start or "0000") <= (other.end or "9999") and (other.start or "0000") <= (
            self.end or "9999"
        )

    @property
    def label(self) -> str:
        """The shortest reading: 2024, 2024-10, 2024-10..2024-12, 2024-10-01..2024-10-15;
        `from 2024-10-01` / `to 2024-10-31` for an open end."""
        if self.start is None:
            return f"to {self.end}"
        if self.end is None:
            return f"from {self.start}"
        start, end = date.fromisoformat(self.start), date.fromisoformat(self.end)
        whole_months = start.day == 1 and end.day == _last_day(end.year, end.month)
        if whole_months and start.month == 1 and end.month == 12:
            years = (start.year, end.year)
            return str(start.year) if years[0] == years[1] else f"{years[0]}..{years[1]}"
        if whole_months:
            first, last = f"{start:%Y-%m}", f"{end:%Y-%m}"
            return first if first == last else f"{first}..{last}"
        return self.start if self.start == self.end else f"{self.start}..{self.end}"


def short_label(label: str, width: int) -> str:
    """A period label cut to a column heading's width: 2024-01..2024-03 as 2024-01..03."""
    start, sep, end = label.partition("..")
    if sep and len(start) == len(end) and start[:4] == end[:4]:
        label = f"{start}..{end[5:]}"
    return label if len(label) <= width else label[: width - 1] + "…"


def _last_day(year: int, month: int) -> int:
    # (the day before the next month's first: `calendar` would import `locale`, 2 ms of
    # every command's start)
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date.resolution).day


def _bounds(part: str, given: str) -> tuple[date, date]:
    match = _PART.match(part.strip())
    if not match:
        raise PeriodError(f"period '{given}' is not {SYNTAX} ({EXAMPLES})")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            return date(year, month, 1), date(year, month, _last_day(year, month))
        return date(year, month, day), date(year, month, day)
    except ValueError:
        raise PeriodError(f"period '{given}': {part.strip()} is not a date ({EXAMPLES})") from None


def parse(text: str) -> Period:
    """`2024`, `2024-10`, `2024-10-01` or `FROM..TO` of them -> the days covered. Refused
    (PeriodError) if unreadable, not a real date, or ending before it starts."""
    given = text.strip()
    if not given:
        raise PeriodError(f"a period is {SYNTAX} ({EXAMPLES}), not blank")
    first, sep, last = given.partition("..")
    start, end = _bounds(first, given)[0], _bounds(last if sep else first, given)[1]
    if end < start:
        raise PeriodError(f"period '{given}' ends before it starts")
    return Period(start.isoformat(), end.isoformat())


def from_scope(scope: dict[str, Any]) -> Period | None:
    """The period a report-date scope gives (its `from` and `to`, either may be open), else
    None: a scope with no dates says nothing about time."""
    start, end = scope.get("from") or None, scope.get("to") or None
    if start is None and end is None:
        return None
    return Period(str(start)[:10] if start else None, str(end)[:10] if end else None)


def stored(start: str | None, end: str | None) -> Period | None:
    """A period as the store holds it (two columns), None where the audit has none."""
    return None if start is None and end is None else Period(start, end)
