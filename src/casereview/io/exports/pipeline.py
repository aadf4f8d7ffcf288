"""What can be exported, and how: the one pipeline the command line and the app's dialog use.

It owns the kinds and what each needs (completed reviews, second reviews, a group field),
the format a file name asks for, the check that a target is safe to replace, and the write
(whole or not at all). Adding a kind touches KINDS and nothing else.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, BinaryIO

from casereview.core.fields import ANSWER_VALUES, answer_columns, where_text
from casereview.core.rules import blind_refusal
from casereview.core.tables import BarChart, Cell, LineChart, ProgressFn, RowStream, Table
from casereview.io.exports import writers as export
from casereview.io.exports.streams import (
    answer_lines,
    answer_records,
    event_lines,
    event_records,
    keep,
    write_lines,
)
from casereview.io.files import replacing
from casereview.store import Store, StoreError

if TYPE_CHECKING:
    from casereview.services.findings import AuditData
    from casereview.services.trend import Trend

FORMATS = ("csv", "xlsx", "json")

TableFn = Callable[[Store, "AuditData", str | None, bool], Table]


def _agreement() -> ModuleType:
    from casereview.services import agreement

    return agreement


def _f() -> ModuleType:
    """casereview.services.findings, loaded when an export is made: the command line lists the kinds
    at every start, and the findings layer (pydantic's checklist models) costs ~40 ms."""
    from casereview.services import findings

    return findings


@dataclass(frozen=True)
class Kind:
    """One kind of export."""

    name: str
    label: str
    table: TableFn
    figures: bool = False
    """Figures computed from completed reviews: refused while there are none."""
    groupable: bool = False
    """`--by` applies."""
    needs_second: bool = False
    """Compares primary and second reviews: refused while there are no second reviews."""
    own_sheet: bool = True
    """In a workbook, a sheet of its own after the questions, sections and cases sheets."""


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "questions",
            "Questions",
            lambda _s, data, by, _n: _f().question_table(data, by),
            figures=True,
            groupable=True,
            own_sheet=False,
        ),
        Kind(
            "sections",
            "Sections",
            lambda _s, data, by, _n: _f().section_table(data, by),
            figures=True,
            groupable=True,
            own_sheet=False,
        ),
        Kind(
            "cases",
            "Cases",
            lambda store, data, _by, notes: _f().case_table(store, data, notes),
            own_sheet=False,
        ),
        Kind(
            "answers",
            "Answers",
            lambda store, data, _by, notes: _f().answer_table(store, data, notes),
        ),
        Kind(
            "agreement",
            "Agreement",
            lambda _s, data, _by, _n: _agreement().agreement_table(data),
            figures=True,
            needs_second=True,
        ),
        Kind(
            "events",
            "Audit trail (events)",
            lambda store, data, _by, notes: _f().event_table(store, data, notes),
        ),
    )
}


def _not_per_audit(_s: Store, _d: AuditData, _by: str | None, _n: bool) -> Table:
    raise TypeError("a trend spans audits: prepare it with prepare_trend")


TREND = Kind("trend", "Trend across audits", _not_per_audit, figures=True, groupable=True)
"""The trend (`casereview trend`): not one audit's, so not among KINDS (`export`'s), but
written by the same pipeline (format, safe target, whole-or-nothing write)."""


def format_named(path: Path | str | None) -> str | None:
    """The format a file name asks for by its extension (`.csv`, `.xlsx`, `.json`), if any."""
    if path is None:
        return None
    suffix = Path(path).suffix.lstrip(".").lower()
    return suffix if suffix in FORMATS else None


@dataclass
class Prepared:
    """An export ready to write: its tables (and, for a workbook, the summary and chart)."""

    kind: Kind
    fmt: str
    audit_name: str
    tables: list[Table]
    summary: list[tuple[str, Cell]] = field(default_factory=list)
    chart: BarChart | None = None
    lines: Callable[[Store], Iterator[str]] | None = None
    """A CSV export written as it is read (streams.py): its rows' lines, under `columns`,
    read through the store given (SQLite's connection stays on the thread that opened it)."""
    records: Callable[[Store], Iterator[tuple[Cell, ...]]] | None = None
    """A JSON export, or a workbook's sheet of the kind, written as it is read: its rows."""
    source: Store | None = None  # the store a streamed export is read from by default
    columns: tuple[str, ...] = ()
    expected: int = 0  # rows a streamed export will have at most (for the progress)
    line_charts: list[LineChart] = field(default_factory=list)
    meta: dict[str, object] | None = None
    """JSON's meta object; default {"audit": audit_name}."""

    @property
    def rows(self) -> int:
        """Rows of the kind asked for (a workbook holds more sheets around it); for a
        streamed export, at most this many."""
        return self.expected if self.streamed else len(self.table.rows)

    @property
    def streamed(self) -> bool:
        return self.lines is not None or self.records is not None

    @property
    def table(self) -> Table:
        return next(t for t in self.tables if t.name == self.kind.name)


def prepare(
    store: Store,
    audit_name: str,
    kind_name: str,
    fmt: str,
    by: str | None = None,
    include_notes: bool = False,
    viewer: str | None = None,
    question: str | None = None,
    answers: Collection[str] | None = None,
    stream: bool = False,
) -> Prepared:
    """Read and shape an export, or refuse it (StoreError) with what it is missing; for
    `viewer`, refused while they have blind second reviews open in the audit.

    `question` and `answers` keep only the answers rows of that question, or with those
    values (`answers` kind only). With `stream`, the rows of answers and events (in every
    format; a workbook's other sheets are read here) are not read here but as they are
    written (Prepared.lines, .records), so a million rows never sit in memory; they are
    read through this store, on this thread, unless the writer is given another (a
    worker thread's own: Store.reader).
    """
    findings = _f()
    kind = KINDS[kind_name]
    if (question is not None or answers is not None) and kind.name != "answers":
        raise StoreError("--question and --answer choose answers rows: export answers only")
    bad = sorted(set(answers or ()) - set(ANSWER_VALUES))
    if bad:
        raise StoreError(
            f"'{', '.join(bad)}' is not an answer (answers are {', '.join(ANSWER_VALUES)})"
        )
    if viewer is not None:
        refusal = blind_refusal(store, store.audit_named(audit_name).id, viewer)
        if refusal:
            raise StoreError(refusal)
    if fmt not in FORMATS:
        raise StoreError(f"'{fmt}' is not an export format (use {', '.join(FORMATS)})")
    if by and not kind.groupable:
        groupable = " and ".join(k.name for k in KINDS.values() if k.groupable)
        raise StoreError(f"--by applies to {groupable}, not {kind.name}")
    if question is not None:
        checklist = store.checklist(store.audit_named(audit_name).checklist_pk)
        if not checklist.has_question(question):
            raise StoreError(f"no question '{question}' in checklist {checklist.id}")
    streamed: Prepared | None = None
    if stream and kind.name == "answers":
        streamed = _streamed_answers(store, audit_name, fmt, include_notes, question, answers)
    if stream and kind.name == "events":
        streamed = _streamed_events(store, audit_name, fmt, include_notes)
    if streamed is not None and fmt != "xlsx":
        return streamed
    data = findings.load(store, audit_name, by, require_complete=kind.figures)
    if by and by not in findings.GROUP_FIELDS_BUILTIN and by not in store.case_attribute_names():
        raise StoreError(f"cannot group by '{by}': not a case field or attribute in this database")
    if kind.needs_second and not any(r.role == "second" for r in data.reviews):
        raise StoreError(
            f"audit '{data.audit.name}' has no second reviews, so no {kind.name} to export"
        )
    if streamed is not None:  # a workbook: its other sheets below, the kind's streamed
        table = Table(kind.name, streamed.columns)
    else:
        table = kind.table(store, data, by, include_notes)
    if streamed is None and (question is not None or answers is not None):
        rows = table.rows
        kept = [
            r for r in rows if keep(str(r["question_id"]), _text(r["answer"]), question, answers)
        ]
        table = Table(table.name, table.columns, kept)
    if fmt != "xlsx":
        return Prepared(kind, fmt, data.audit.name, [table])
    # One workbook for the board whatever was asked: questions, sections (and the fact
    # questions' context), cases, then the kind asked for when it is none of those.
    sheets = findings.workbook_tables(store, data, by, include_notes)
    if kind.own_sheet and streamed is None:
        sheets.append(table)
    prepared = Prepared(
        kind,
        fmt,
        data.audit.name,
        sheets,
        summary_pairs(data),
        section_chart(data),
    )
    if streamed is not None:
        prepared.records, prepared.source = streamed.records, store
        prepared.columns, prepared.expected = streamed.columns, streamed.expected
    return prepared


def _text(value: Cell) -> str | None:
    return None if value is None else str(value)


def _streamed_answers(
    store: Store,
    audit_name: str,
    fmt: str,
    include_notes: bool,
    question: str | None,
    answers: Collection[str] | None,
) -> Prepared:
    audit = store.audit_named(audit_name)
    if audit.n_cases == 0:  # as findings.load refuses it
        raise _f().FindingsError(f"audit '{audit.name}' has no cases")
    checklist = store.checklist(audit.checklist_pk)
    n_questions = 1 if question is not None else len(checklist.questions)
    prepared = Prepared(
        KINDS["answers"],
        fmt,
        audit.name,
        [],
        source=store,
        columns=answer_columns(include_notes),
        expected=store.count_reviews(audit.id) * n_questions,
    )
    if fmt == "csv":
        prepared.lines = lambda s: answer_lines(
            s, audit, checklist, include_notes, question, answers
        )
    else:
        prepared.records = lambda s: answer_records(
            s, audit, checklist, include_notes, question, answers
        )
    return prepared


def _streamed_events(store: Store, audit_name: str, fmt: str, include_notes: bool) -> Prepared:
    audit = store.audit_named(audit_name)
    if audit.n_cases == 0:  # as findings.load refuses it
        raise _f().FindingsError(f"audit '{audit.name}' has no cases")
    prepared = Prepared(
        KINDS["events"],
        fmt,
        audit.name,
        [],
        source=store,
        columns=_f().EVENT_COLUMNS,
        expected=store.last_event_id(),
    )
    if fmt == "csv":
        prepared.lines = lambda s: event_lines(s, audit, include_notes)
    else:
        prepared.records = lambda s: event_records(s, audit, include_notes)
    return prepared


def write_to(
    prepared: Prepared,
    out: BinaryIO,
    progress: ProgressFn | None = None,
    store: Store | None = None,
) -> int:
    """A CSV or JSON export written to an open binary file; returns the rows written. A
    streamed export is read through `store` (default: the one it was prepared with)."""
    if prepared.fmt == "xlsx":
        raise ValueError("a workbook is written to a file (write), never to a stream")
    reader = store or prepared.source
    if prepared.lines is not None:
        assert reader is not None
        lines = prepared.lines(reader)
        return write_lines(prepared.columns, lines, out, progress, prepared.expected)
    if prepared.records is not None:
        assert reader is not None
        text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
        try:
            return export.write_json_rows(
                prepared.kind.name,
                prepared.columns,
                prepared.records(reader),
                text,
                meta={"audit": prepared.audit_name},
                progress=progress,
                total=prepared.expected,
            )
        finally:
            text.flush()
            text.detach()
    out.write(render(prepared, progress))
    return prepared.rows


def render(prepared: Prepared, progress: ProgressFn | None = None) -> bytes:
    """A CSV or JSON export as bytes, for the terminal (a workbook needs a file)."""
    if prepared.fmt == "xlsx":
        raise ValueError("a workbook is written to a file (write), never rendered")
    if prepared.fmt == "csv":
        buffer = io.BytesIO()
        export.write_csv(prepared.table, buffer, progress)
        return buffer.getvalue()
    text = io.StringIO()
    meta: dict[str, object] = {"audit": prepared.audit_name}
    if prepared.meta is not None:
        meta = prepared.meta
    export.write_json([prepared.table], text, meta=meta)
    return text.getvalue().encode("utf-8")


def write(
    prepared: Prepared,
    path: Path,
    protect: Iterable[Path] = (),
    progress: ProgressFn | None = None,
    store: Store | None = None,
) -> int:
    """Write the export to `path`, whole or not at all (replacing: never the
    database, a folder or a device; owner-only); returns the rows of its kind written. A
    streamed export is read through `store` (default: the one it was prepared with)."""
    with replacing(path, protect) as tmp:
        if prepared.fmt == "xlsx":
            tables: list[Table | RowStream] = list(prepared.tables)
            if prepared.records is not None:
                reader = store or prepared.source
                assert reader is not None
                rows = prepared.records(reader)
                tables.append(
                    RowStream(prepared.kind.name, prepared.columns, rows, prepared.expected)
                )
            written = export.write_xlsx(
                tmp,
                prepared.summary,
                tables,
                chart=prepared.chart,
                progress=progress,
                line_charts=prepared.line_charts,
            )
            if prepared.records is not None:
                return written[-1]
        else:
            with tmp.open("wb") as out:
                return write_to(prepared, out, progress, store)
    return prepared.rows


def summary_pairs(data: AuditData) -> list[tuple[str, Cell]]:
    """The key facts an XLSX summary sheet opens with."""
    from casereview.services import findings

    audit = data.audit
    scope = audit.scope
    return [
        ("Audit", audit.name),
        ("Checklist", audit.checklist_label),
        ("Cases sampled", audit.n_cases),
        ("Reviews counted (complete)", len(data.counted)),
        ("Seed", audit.seed),
        ("Scope", where_text(scope.get("where")) or "all"),
        ("Reported from", scope.get("from")),
        ("Reported to", scope.get("to")),
        ("Stratified by", scope.get("stratify")),
        ("Method", findings.method_text(data.checklist)),
    ]


def section_chart(data: AuditData) -> BarChart:
    """The workbook's chart: each section's share of cases met in full, with its interval."""
    from casereview.core.stats import scoring
    from casereview.services import findings

    findings.require_answered(data)
    figures = scoring.audit_section_figures(data.checklist, data.reviews)
    titles = {s.id: s.title for s in data.checklist.sections}
    return BarChart(
        title="Cases meeting each section in full (95% CI)",
        categories=[titles[f.section_id] for f in figures],
        values=[scoring.pct(f.share_full) for f in figures],
        ci_low=[scoring.pct(f.ci_low) for f in figures],
        ci_high=[scoring.pct(f.ci_high) for f in figures],
    )


def choose_format(fmt: str | None, out: Path | None) -> str:
    """The format asked for, else the one --out's extension names, else csv; StoreError for
    an extension that names none, or a workbook for the terminal."""
    if fmt is None and out is not None and out.suffix and format_named(out) is None:
        raise StoreError(f"cannot tell the format from '{out}'; give --format csv, xlsx or json")
    fmt = fmt or format_named(out) or "csv"
    if fmt not in FORMATS:
        raise StoreError(f"'{fmt}' is not an export format (use {', '.join(FORMATS)})")
    if fmt == "xlsx" and out is None:
        raise StoreError("xlsx needs --out FILE (a workbook cannot go to the terminal)")
    return fmt


def prepare_trend(trend: Trend, fmt: str, by: str | None = None) -> Prepared:
    """A trend ready to write: its rows, and for a workbook the summary and a line chart per
    section beside its figures."""
    from casereview.services import trend_tables

    table = trend_tables.trend_table(trend, by)
    meta: dict[str, object] = {
        "checklist": trend.checklist_id,
        "audits": [a.name for a in trend.audits],
        "by": by,
        "compare": trend.compare,
        "method": trend_tables.method_text(trend),
    }
    if fmt != "xlsx":
        return Prepared(TREND, fmt, trend.checklist_id, [table], meta=meta)
    return Prepared(
        TREND,
        fmt,
        trend.checklist_id,
        [table],
        trend_tables.summary_pairs(trend, by),
        line_charts=trend_tables.trend_charts(trend),
        meta=meta,
    )


MIME_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def to_bytes(prepared: Prepared, progress: ProgressFn | None = None) -> bytes:
    """The whole export as bytes, built in memory (a served session sends it to the browser
    as a download: nothing is written on the server's disk)."""
    if prepared.fmt != "xlsx":
        return render(prepared, progress)
    buffer = io.BytesIO()
    export.write_xlsx(
        buffer, prepared.summary, prepared.tables, chart=prepared.chart, progress=progress
    )
    return buffer.getvalue()
