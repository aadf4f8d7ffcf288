"""Redaction for people outside the force: what a redacted export, report or trend keeps.

One pure statement, over rows and a key, that every writer uses (io.exports' pipeline and
streams, io.reports): no writer decides for itself what is sensitive.

- A case reference becomes a pseudonym, `case-` and the first PSEUDONYM_HEX hex digits of
  HMAC-SHA256(key, force + U+001F + reference) (a case is its force's reference: two forces'
  T/1 are two cases): the same case has the same pseudonym in every export of one database
  (one key, kept in it: store/redaction.py), another database's differs, and without the
  key none can be turned back into a reference (nor checked against a guess).
- Officer identifiers (reviewer, assigned_to, actor ...) and free text (summary, note,
  reason ...) are removed: the column leaves the file.
- Dates are coarsened to the month (2024-10-17, 2024-10-17T09:30:00Z -> 2024-10) in every
  text cell kept.
- A trail's old and new values stay only where they are an answer (yes, partly, no, na,
  unknown); any other text there (a note, a name) is replaced by REMOVED.
- Numbers are never touched: the figures of a redacted export are the unredacted one's.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from casereview.core.fields import ANSWER_VALUES
from casereview.core.problems import CasereviewError
from casereview.core.tables import Cell, Table

PSEUDONYM_PREFIX = "case-"
PSEUDONYM_HEX = 12
"""48 bits: two of n cases share a pseudonym with probability about n^2 / 2^49, under one in
five million for an audit of 10,000 cases and under 0.2% for a pool of a million (the
birthday bound); an audit samples hundreds to a few thousand."""

KEY_BYTES = 32
MEMO = 100_000  # redacted cells remembered while a streamed export is written

REFERENCE_COLUMNS = frozenset({"case_ref"})
OFFICER_COLUMNS = frozenset(
    {
        "reviewer",
        "assigned_to",
        "actor",
        "moderator",
        "officer",
        "created_by",
        "added_by",
        "signed_by",
        "gold_reviewer",
    }
)
FREE_TEXT_COLUMNS = frozenset({"summary", "note", "notes", "reason", "comment", "comments"})
ANSWER_ONLY_COLUMNS = frozenset({"old", "new"})
REMOVED = "(removed)"

_DATE = re.compile(
    r"\b(\d{4}-\d{2})-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
)

NOTICE = (
    "REDACTED export: case references replaced by keyed pseudonyms (HMAC-SHA256 with this "
    "database's secret) - officer identifiers and free text (summaries/notes/reasons) "
    "removed - dates coarsened to the month - figures unchanged"
)
"""What a redacted file says in its first line (CSV), field (JSON), summary row (XLSX) or
paragraph (Word, Markdown). No comma or semicolon: a spreadsheet reads a CSV's first line
as one cell whatever its list separator."""


class RedactionRefused(CasereviewError):
    """What a redacted output cannot hold (rows that are officers, a group by officer).
    Exit status 2."""


def removed(column: str) -> bool:
    """Whether a redacted file leaves the column out (an officer identifier, free text)."""
    return column in OFFICER_COLUMNS or column in FREE_TEXT_COLUMNS


def coarsen(text: str) -> str:
    """Every date in the text to its month: 2024-10-17 -> 2024-10 (a time with it goes)."""
    return _DATE.sub(r"\1", text) if "-" in text else text


@dataclass(frozen=True)
class Redaction:
    """Redaction with one database's key (store.redaction_key())."""

    key: bytes

    def pseudonym(self, reference: str, force: str | None = None) -> str:
        """The case's pseudonym; `force` is its force where the row names one."""
        message = reference if force is None else f"{force}\x1f{reference}"
        digest = hmac.new(self.key, message.encode("utf-8"), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX]

    def columns(self, columns: Sequence[str]) -> tuple[str, ...]:
        """The columns a redacted file keeps, in order."""
        return tuple(c for c in columns if not removed(c))

    def cell(self, column: str, value: Cell, force: Cell = None) -> Cell:
        """A kept column's cell, redacted (numbers and booleans as they are); `force` is
        the row's, for a reference's pseudonym."""
        if not isinstance(value, str):
            return value
        if column in REFERENCE_COLUMNS:
            return self.pseudonym(value, None if force is None else str(force)) if value else value
        if column in ANSWER_ONLY_COLUMNS:
            return value if value in ANSWER_VALUES or not value else REMOVED
        return coarsen(value)

    def row(self, columns: Sequence[str], cells: Sequence[Cell]) -> tuple[Cell, ...]:
        """A row given as cells in `columns` order, as the kept columns' cells."""
        return self.rows_of(columns)(cells)

    def rows_of(self, columns: Sequence[str]) -> Callable[[Sequence[Cell]], tuple[Cell, ...]]:
        """row() for many rows under one set of columns (a streamed export's million): the
        columns looked at once, and a cell that repeats (an audit, a question, an answer, a
        case's pseudonym) redacted once (up to MEMO cells)."""
        kept = [(i, c) for i, c in enumerate(columns) if not removed(c)]
        at_force = columns.index("force") if "force" in columns else None
        made: dict[tuple[int, type, Cell, Cell], Cell] = {}

        def one(cells: Sequence[Cell]) -> tuple[Cell, ...]:
            force = None if at_force is None else cells[at_force]
            out = []
            for i, column in kept:
                value = cells[i]
                key = (i, type(value), value, force if column in REFERENCE_COLUMNS else None)
                if key in made:
                    out.append(made[key])
                    continue
                cell = self.cell(column, value, force)
                if len(made) < MEMO:
                    made[key] = cell
                out.append(cell)
            return tuple(out)

        return one

    def table(self, table: Table) -> Table:
        kept = self.columns(table.columns)
        rows = [{c: self.cell(c, r.get(c), r.get("force")) for c in kept} for r in table.rows]
        return Table(table.name, kept, rows)

    def pairs(self, pairs: Sequence[tuple[str, Cell]]) -> list[tuple[str, Cell]]:
        """A workbook's summary: the notice first, dates in its text to the month."""
        return [("Redacted", NOTICE), *((k, self.cell(k, v)) for k, v in pairs)]

    def text(self, value: str) -> str:
        """Report text: dates to the month."""
        return coarsen(value)


def refuse_group(by: str | None) -> None:
    """A redacted output cannot be grouped by an officer or a free-text field: its rows
    would name them (RedactionRefused)."""
    if by is not None and (removed(by) or by in REFERENCE_COLUMNS):
        raise RedactionRefused(f"--redact removes {by}: a redacted output cannot be grouped by it")
