"""An export made redacted (core/redaction.py): every table, streamed row and summary of a
Prepared passed through the one Redaction, whatever the kind and format."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from casereview.core.redaction import MEMO, Redaction, RedactionRefused, refuse_group
from casereview.core.tables import Cell
from casereview.io.exports.writers import csv_cell

if TYPE_CHECKING:
    from casereview.io.exports.pipeline import Prepared
    from casereview.store import Store

UNREDACTABLE = {"calibration": "its rows are reviewers"}
"""Kinds with nothing left once officers are removed: refused with --redact."""


def redaction_of(store: Store, kind: str, by: str | None) -> Redaction:
    """The database's redaction, or RedactionRefused for a kind or group it cannot keep."""
    if kind in UNREDACTABLE:
        raise RedactionRefused(f"{kind} cannot be redacted: {UNREDACTABLE[kind]}")
    refuse_group(by)
    return Redaction(store.redaction_key())


def _lines(rows: Iterator[tuple[Cell, ...]]) -> Iterator[str]:
    """Rows as CSV lines, a cell that repeats made into text once (up to MEMO cells)."""
    made: dict[tuple[type, Cell], str] = {}  # by type too: True == 1, "true" != "1"
    for row in rows:
        cells = []
        for value in row:
            key = (type(value), value)
            cell = made.get(key)
            if cell is None:
                cell = csv_cell(value)
                if len(made) < MEMO:
                    made[key] = cell
            cells.append(cell)
        yield ",".join(cells)


def redacted(prepared: Prepared, redaction: Redaction) -> Prepared:
    """`prepared` made redacted, in place (and returned): its tables, summary, and rows
    read as they are written; a streamed CSV's lines are made from its redacted records."""
    prepared.redaction = redaction
    prepared.tables = [redaction.table(t) for t in prepared.tables]
    if prepared.summary or prepared.fmt == "xlsx":
        prepared.summary = redaction.pairs(prepared.summary)
    if not prepared.streamed:
        return prepared
    source_columns = prepared.columns
    prepared.columns = redaction.columns(source_columns)
    records = prepared.records
    if records is None:
        raise ValueError("a redacted streamed export is prepared from its records")

    def rows(store: Store) -> Iterator[tuple[Cell, ...]]:
        return map(redaction.rows_of(source_columns), records(store))

    if prepared.fmt == "csv":
        prepared.records = None
        prepared.lines = lambda s: _lines(rows(s))
    else:
        prepared.records = rows
    return prepared
