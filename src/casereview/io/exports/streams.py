"""Exports written as they are read: the answers of a national audit (a million rows) go
from one query to the file, line by line, without a table held in memory.

The bytes are export.write_csv's for the same table (findings.answer_table, event_table): the same
columns, order, Excel-safe cells (export.neutralise) and line ends. What repeats is made
into cells once: a review's own columns once per review, a question's once per export.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any, BinaryIO

from casereview.core.tables import Cell, ProgressFn
from casereview.io.exports.writers import PROGRESS_EVERY, csv_cell

if TYPE_CHECKING:
    from casereview.core.checklist.models import Checklist
    from casereview.store import AuditInfo, Store


def keep(
    question_id: str, value: str | None, question: str | None, answers: Collection[str] | None
) -> bool:
    """Whether an answer row passes `export answers --question ID --answer a,b`."""
    return (question is None or question_id == question) and (answers is None or value in answers)


def _reviews(
    store: Store, audit: AuditInfo, checklist: Checklist
) -> Iterator[tuple[tuple[Any, ...], dict[str, tuple[Any, Any]], set[str]]]:
    """Each review of the audit in sample order: (case_ref, force, id, reviewer, role,
    status), its answers by question (value, note), and the questions it hides."""
    for _review_id, group in groupby(store.audit_answer_rows(audit.id), key=itemgetter(2)):
        rows = list(group)
        given = {r[6]: (r[7], r[8]) for r in rows if r[6] is not None}
        hidden = set(checklist.hidden_ids({q: v for q, (v, _n) in given.items()}))
        yield rows[0][:6], given, hidden


def answer_lines(
    store: Store,
    audit: AuditInfo,
    checklist: Checklist,
    include_notes: bool = False,
    question: str | None = None,
    answers: Collection[str] | None = None,
) -> Iterator[str]:
    """The answers export's CSV lines (no line end), rows as findings.answer_table gives
    them: every review (all roles) in sample order, every question in checklist order, a
    hidden question as `na`; only `question` and `answers` when given (see keep)."""
    questions = [
        (q.id, f"{csv_cell(checklist.section_of(q.id).id)},{csv_cell(q.id)}")
        for q in checklist.questions
        if question is None or q.id == question
    ]
    audit_cell = csv_cell(audit.name)
    value_cell: dict[str | None, str] = {}
    for head, given, hidden in _reviews(store, audit, checklist):
        case_ref, force, _id, reviewer, role, status = head
        prefix = ",".join(
            (audit_cell, csv_cell(case_ref), csv_cell(force), csv_cell(reviewer))
            + (csv_cell(role), csv_cell(status))
        )
        for qid, cells in questions:
            answer = given.get(qid)
            is_hidden = qid in hidden
            value = "na" if is_hidden else (answer[0] if answer else None)
            if answers is not None and value not in answers:
                continue
            if value not in value_cell:
                value_cell[value] = csv_cell(value)
            line = f"{prefix},{cells},{value_cell[value]},{'true' if is_hidden else 'false'}"
            if include_notes:
                line += "," + csv_cell(answer[1] if answer else None)
            yield line


def answer_records(
    store: Store,
    audit: AuditInfo,
    checklist: Checklist,
    include_notes: bool = False,
    question: str | None = None,
    answers: Collection[str] | None = None,
) -> Iterator[tuple[Cell, ...]]:
    """The rows of answer_lines as values, in answer_columns order (for JSON and XLSX)."""
    questions = [
        (q.id, checklist.section_of(q.id).id)
        for q in checklist.questions
        if question is None or q.id == question
    ]
    for head, given, hidden in _reviews(store, audit, checklist):
        case_ref, force, _id, reviewer, role, status = head
        for qid, section_id in questions:
            answer = given.get(qid)
            is_hidden = qid in hidden
            value = "na" if is_hidden else (answer[0] if answer else None)
            if answers is not None and value not in answers:
                continue
            row = (audit.name, case_ref, force, reviewer, role, status, section_id, qid)
            if include_notes:
                yield (*row, value, is_hidden, answer[1] if answer else None)
            else:
                yield (*row, value, is_hidden)


def event_records(
    store: Store, audit: AuditInfo, include_notes: bool = False
) -> Iterator[tuple[Cell, ...]]:
    """The events export's rows as findings.event_table gives them, in EVENT_COLUMNS order:
    the trail oldest first; a note's text is `(note)` unless include_notes."""
    for row in store.audit_event_rows(audit.id):
        cells = list(row)
        if cells[7] == "note" and not include_notes:
            cells[8] = "(note)" if cells[8] else cells[8]
            cells[9] = "(note)" if cells[9] else cells[9]
        yield (audit.name, *cells)


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
) -> int:
    """CSV lines under a header, as export.write_csv writes a table (BOM, CRLF), in pieces
    of a few thousand lines; returns the rows written. `total` is for the progress only."""
    out.write(b"\xef\xbb\xbf")
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
