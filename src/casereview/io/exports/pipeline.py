"""What can be exported, and how: the one pipeline the command line and the app's dialog use.

It applies what each kind needs (kinds.py: completed reviews, second reviews, a group
field), the check that a target is safe to replace, and the write (whole or not at all).
Adding a kind touches kinds.KINDS and nothing else.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from casereview.core.fields import ANSWER_VALUES, answer_columns, where_text
from casereview.core.redaction import NOTICE, Redaction
from casereview.core.rules import blind_refusal
from casereview.core.tables import (
    BarChart,
    Cell,
    ControlChart,
    FunnelChart,
    LineChart,
    ProgressFn,
    RowStream,
    Table,
)
from casereview.io.exports import writers as export
from casereview.io.exports.kinds import (
    CALIBRATION,
    CALIBRATION_EVENTS,
    FORMATS,
    FUNNEL,
    KINDS,
    SPC,
    TREND,
    Kind,
    format_named,
)
from casereview.io.exports.redacted import redacted, redaction_of
from casereview.io.exports.streams import (
    answer_lines,
    answer_records,
    event_lines,
    event_records,
    write_lines,
)
from casereview.io.files import replacing
from casereview.services.answer_rows import keep
from casereview.store import Store, StoreError

if TYPE_CHECKING:
    from casereview.services.findings import AuditData
    from casereview.services.funnel import FigureFunnel
    from casereview.services.trend import Trend
    from casereview.store import AuditInfo


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
    funnel_charts: list[FunnelChart] = field(default_factory=list)
    control_charts: list[ControlChart] = field(default_factory=list)
    meta: dict[str, object] | None = None
    """JSON's meta object; default {"audit": audit_name}."""
    redaction: Redaction | None = None  # set by redacted.redacted: the file says so first

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
    redact: bool = False,
) -> Prepared:
    """Read and shape an export, or refuse it (StoreError) with what it is missing; for
    `viewer`, refused while they have blind second reviews open in the audit.

    `question` and `answers` keep only the answers rows of that question, or with those
    values (`answers` kind only). With `stream`, the rows of answers and events (in every
    format; a workbook's other sheets are read here) are not read here but as they are
    written (Prepared.lines, .records), so a million rows never sit in memory; they are
    read through this store, on this thread, unless the writer is given another (a
    worker thread's own: Store.reader). With `redact`, redacted (core/redaction.py).
    """
    kind = KINDS[kind_name]
    if redact:
        redaction = redaction_of(store, kind_name, by)
        args = (by, include_notes, viewer, question, answers, stream)
        return redacted(prepare(store, audit_name, kind_name, fmt, *args), redaction)
    from casereview.services import findings  # loaded when an export is made (kinds.py)

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


def _with_cases(store: Store, audit_name: str) -> AuditInfo:
    """The audit, refused (FindingsError) as findings.load refuses it when it has no cases."""
    from casereview.services.findings import FindingsError

    audit = store.audit_named(audit_name)
    if audit.n_cases == 0:
        raise FindingsError(f"audit '{audit.name}' has no cases")
    return audit


def _streamed_answers(
    store: Store,
    audit_name: str,
    fmt: str,
    include_notes: bool,
    question: str | None,
    answers: Collection[str] | None,
) -> Prepared:
    audit = _with_cases(store, audit_name)
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
    prepared.records = lambda s: answer_records(  # a redacted CSV's lines are made from these
        s, audit, checklist, include_notes, question, answers
    )
    return prepared


def _streamed_events(store: Store, audit_name: str, fmt: str, include_notes: bool) -> Prepared:
    from casereview.services.findings import EVENT_COLUMNS

    audit = _with_cases(store, audit_name)
    prepared = Prepared(
        KINDS["events"],
        fmt,
        audit.name,
        [],
        source=store,
        columns=EVENT_COLUMNS,
        expected=store.last_event_id(),
    )
    if fmt == "csv":
        prepared.lines = lambda s: event_lines(s, audit, include_notes)
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
        return write_lines(
            prepared.columns, lines, out, progress, prepared.expected, _notice(prepared)
        )
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
                redaction=_notice(prepared),
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
        export.write_csv(prepared.table, buffer, progress, _notice(prepared))
        return buffer.getvalue()
    text = io.StringIO()
    meta: dict[str, object] = {"audit": prepared.audit_name}
    if prepared.meta is not None:
        meta = prepared.meta
    export.write_json([prepared.table], text, meta=meta, redaction=_notice(prepared))
    return text.getvalue().encode("utf-8")


def _notice(prepared: Prepared) -> str | None:
    return None if prepared.redaction is None else NOTICE


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
                funnel_charts=prepared.funnel_charts,
                control_charts=prepared.control_charts,
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
    return findings.section_chart(data.checklist, figures)


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


def prepare_calibration(table: Table, name: str, fmt: str) -> Prepared:
    """A calibration's export (services.calibration.export_table, or its trail_table)
    ready to write."""
    kind = CALIBRATION_EVENTS if table.name == CALIBRATION_EVENTS.name else CALIBRATION
    return Prepared(kind, fmt, name, [table], meta={"calibration": name})


def prepare_spc(
    trend: Trend, fmt: str, by: str | None = None, baseline: Sequence[str] | None = None
) -> Prepared:
    """A trend's p-charts ready to write: their rows, and for a workbook a native line chart
    per section with its centre and control limits."""
    from casereview.services import trend_spc, trend_tables

    table = trend_spc.spc_table(trend, by, baseline)
    meta: dict[str, object] = {
        "checklist": trend.checklist_id,
        "audits": [a.name for a in trend.audits],
        "by": by,
        "baseline": list(baseline) if baseline else None,
        "method": trend_spc.SPC_METHOD,
    }
    if fmt != "xlsx":
        return Prepared(SPC, fmt, trend.checklist_id, [table], meta=meta)
    summary = [*trend_tables.summary_pairs(trend, by)[:-1], ("Method", trend_spc.SPC_METHOD)]
    return Prepared(
        SPC,
        fmt,
        trend.checklist_id,
        [table],
        summary,
        control_charts=trend_spc.spc_charts(trend, baseline),
        meta=meta,
    )


def prepare_funnel(
    figures: Sequence[FigureFunnel], fmt: str, audits: Sequence[str], by: str
) -> Prepared:
    """A funnel ready to write: its rows, and for a workbook the summary and a scatter with
    limit lines per figure."""
    from casereview.services import funnel

    table = funnel.funnel_table(figures)
    method = funnel.method_text(figures)
    meta: dict[str, object] = {"audits": list(audits), "by": by, "method": method}
    label = ", ".join(audits)
    if fmt != "xlsx":
        return Prepared(FUNNEL, fmt, label, [table], meta=meta)
    summary: list[tuple[str, Cell]] = [("Audits", label), ("Units", by), ("Method", method)]
    return Prepared(
        FUNNEL, fmt, label, [table], summary, funnel_charts=funnel.funnel_charts(figures)
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
