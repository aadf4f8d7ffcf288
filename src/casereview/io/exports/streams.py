"""Exports written as they are read: the answers of a national audit (a million rows) go
from one query to the file, line by line, without a table held in memory.

The rows are the tables' (answer_rows, which findings.answer_table holds; event_table's), and
the bytes export.write_csv's: the same columns, order, Excel-safe cells (export.neutralise)
and line ends.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, BinaryIO

from casereview.core.tables import Cell, ProgressFn
from casereview.io.exports.writers import PROGRESS_EVERY, csv_cell, write_head
from casereview.services.answer_rows import answer_rows, questions_of, shown_values

if TYPE_CHECKING:
    from casereview.core.checklist.models import Checklist
    from casereview.store import AuditInfo, Store


def answer_lines(
    store: Store,
    audit: AuditInfo,
    checklist: Checklist,
    include_notes: bool = False,
    question: str | None = None,
    answers: Collection[str] | None = None,
) -> Iterator[str]:
    """The answers export's CSV lines (no line end): answer_rows' cells, from the same
    shown_values, without a row object per answer (a national audit has a million). What
    repeats is made into cells once: a review's own columns once per review, an id or an
    answer once per export (a note, free text, each time)."""
    questions = questions_of(checklist, question)
    question_cells = {qid: f"{csv_cell(sid)},{csv_cell(qid)}" for qid, sid in questions}
    audit_cell = csv_cell(audit.name)
    answer_cells: dict[str | None, str] = {}
    for review in store.audit_review_answers(audit.id):
        head = (review.case_ref, review.force, review.reviewer, review.role, review.status)
        prefix = ",".join((audit_cell, *map(csv_cell, head)))
        shown, hidden = shown_values(review, checklist, questions)
        notes = review.notes
        for qid, _ in questions:
            value = shown[qid]
            if answers is not None and value not in answers:
                continue
            answer = answer_cells.get(value)
            if answer is None:
                answer = answer_cells[value] = csv_cell(value)
            line = f"{prefix},{question_cells[qid]},{answer},"
            line += "true" if qid in hidden else "false"
            if include_notes:
                line += "," + csv_cell(notes.get(qid))
            yield line


def answer_records(
    store: Store,
    audit: AuditInfo,
    checklist: Checklist,
    include_notes: bool = False,
    question: str | None = None,
    answers: Collection[str] | None = None,
) -> Iterator[tuple[Cell, ...]]:
    """answer_rows in answer_columns order (for JSON and XLSX): the note only when asked."""
    rows = answer_rows(store, audit, checklist, question, answers)
    return iter(rows) if include_notes else (row[:-1] for row in rows)


def event_records(
    store: Store, audit: AuditInfo, include_notes: bool = False
) -> Iterator[tuple[Cell, ...]]:
    """The events export's rows as findings.event_table gives them, in EVENT_COLUMNS order:
    the trail oldest first; a note's text is `(note)` unless include_notes."""
    for row in store.audit_event_rows(audit.id):
        if row.kind == "note" and not include_notes:
            row = row._replace(
                old="(note)" if row.old else row.old, new="(note)" if row.new else row.new
            )
        yield (audit.name, *row)


def event_lines(store: Store, audit: AuditInfo, include_notes: bool = False) -> Iterator[str]:
    """The events export's CSV lines (event_records as cells)."""
    for row in event_records(store, audit, include_notes):
        yield ",".join(map(csv_cell, row))


def write_lines(
    columns: Sequence[str],
    lines: Iterable[str],
    out: BinaryIO,
    progress: ProgressFn | None = None,
    total: int = 0,
    notice: str | None = None,
) -> int:
    """CSV lines under a header, as export.write_csv writes a table (BOM, a notice, CRLF), in
    pieces of a few thousand lines; returns the rows written. `total` is for the progress."""
    write_head(out, notice)
    out.write((",".join(csv_cell(c) for c in columns) + "\r\n").encode("utf-8"))
    n = 0
    piece: list[str] = []
    for n, line in enumerate(lines, 1):
        piece.append(line)
        if n % PROGRESS_EVERY == 0:
            out.write(("\r\n".join(piece) + "\r\n").encode("utf-8"))
            piece = []
            if progress:
                progress(n, max(total, n))
    if piece:
        out.write(("\r\n".join(piece) + "\r\n").encode("utf-8"))
    if progress:
        progress(n, n)
    return n
