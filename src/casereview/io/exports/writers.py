"""File writers for findings: Excel-safe CSV, one XLSX workbook with a chart, and JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

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
from casereview.core.text import invisible, skip_blank_start

FORMULA_START = ("=", "+", "-", "@")
RISKY_START = (*FORMULA_START, "\t", "\r")
PROGRESS_EVERY = 1000


def neutralise(text: str) -> str:
    """Stop a spreadsheet reading a text cell as a formula (CSV injection).

    A cell is prefixed with `'` when it starts with tab or CR, or when its first character
    after any leading whitespace or invisible characters (spaces, NBSP, zero-width space,
    line breaks) is `=`, `+`, `-` or `@`: spreadsheets skip those before reading a formula.
    Only text is ever passed here; numbers we compute stay numbers.
    """
    if text.startswith(RISKY_START):
        return "'" + text
    if text and (text[0].isspace() or invisible(text[0])):  # the rare case: look further
        return "'" + text if skip_blank_start(text).startswith(FORMULA_START) else text
    return text


def csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value else ""  # NaN is no number to quote
    text = neutralise(value)
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(
    table: Table, out: BinaryIO, progress: ProgressFn | None = None, notice: str | None = None
) -> int:
    """UTF-8 with BOM, CRLF, RFC 4180 quoting, text neutralised, numbers as plain numbers;
    a `notice` (a redacted export's) is the first line, after `# `, above the header."""
    total = len(table.rows)
    write_head(out, notice)
    out.write((",".join(csv_cell(c) for c in table.columns) + "\r\n").encode("utf-8"))
    for i, row in enumerate(table.rows, 1):
        line = ",".join(csv_cell(row.get(c)) for c in table.columns)
        # a lone empty field would be a blank line, which readers skip: quote it
        line = (line or '""') + "\r\n"
        out.write(line.encode("utf-8"))
        if progress and i % PROGRESS_EVERY == 0:
            progress(i, total)
    if progress:
        progress(total, total)
    return total


def write_head(out: BinaryIO, notice: str | None) -> None:
    """A CSV's start: the BOM, and a notice's line (`# ...`: a spreadsheet shows it as one
    cell above the header; pandas skips it with comment="#")."""
    out.write(b"\xef\xbb\xbf")
    if notice is not None:
        out.write(("# " + notice + "\r\n").encode("utf-8"))


def write_json(
    tables: Sequence[Table],
    out: TextIO,
    meta: Mapping[str, object] | None = None,
    redaction: str | None = None,
) -> None:
    """One object: `redaction` (a redacted export's notice) first where given, `meta`,
    then each table's rows by name. For other tools; not neutralised."""
    payload: dict[str, object] = {} if redaction is None else {"redaction": redaction}
    payload["meta"] = dict(meta or {})
    for table in tables:
        payload[table.name] = [{c: row.get(c) for c in table.columns} for row in table.rows]
    json.dump(payload, out, indent=2, ensure_ascii=False)
    out.write("\n")


def write_json_rows(
    name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    out: TextIO,
    meta: Mapping[str, object] | None = None,
    progress: ProgressFn | None = None,
    total: int = 0,
    redaction: str | None = None,
) -> int:
    """write_json of one table whose rows come as they are read, a row at a time: the same
    text (json's indent is the same at every depth, and its strings never hold a line
    break, so each part dumped alone and indented to its depth is what one dump writes)."""
    meta_text = json.dumps(dict(meta or {}), indent=2, ensure_ascii=False)
    out.write("{\n  ")
    if redaction is not None:
        out.write('"redaction": ' + json.dumps(redaction, ensure_ascii=False) + ",\n  ")
    out.write('"meta": ' + meta_text.replace("\n", "\n  ") + ",\n  ")
    out.write(json.dumps(name, ensure_ascii=False) + ": [")
    # A row is an object of scalars at depth 2: its keys are dumped once, its values by the
    # C encoder (json's indenting encoder is pure Python: 2.5x the time), as dump writes.
    keys = [json.dumps(c, ensure_ascii=False) + ": " for c in columns]
    value = json.JSONEncoder(ensure_ascii=False).encode
    n = 0
    for n, row in enumerate(rows, 1):
        cells = ",\n      ".join([k + value(v) for k, v in zip(keys, row, strict=True)])
        out.write(("\n    {\n      " if n == 1 else ",\n    {\n      ") + cells + "\n    }")
        if progress and n % PROGRESS_EVERY == 0:
            progress(n, max(total, n))
    out.write("\n  ]\n}\n" if n else "]\n}\n")
    if progress:
        progress(n, n)
    return n


def sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet"


def write_xlsx(
    path: Path | BinaryIO,
    summary: Sequence[tuple[str, Cell]],
    tables: Sequence[Table | RowStream],
    chart: BarChart | None = None,
    progress: ProgressFn | None = None,
    line_charts: Sequence[LineChart] = (),
    funnel_charts: Sequence[FunnelChart] = (),
    control_charts: Sequence[ControlChart] = (),
) -> list[int]:
    """One workbook: a summary sheet (with the chart), a Charts sheet when there are line
    charts (each beside its figures), then a sheet per table with frozen headers and
    filters; returns the rows written of each table. Text is written as text, so nothing
    in a cell is ever evaluated.

    A RowStream's rows go to the file as they come: xlsxwriter's constant_memory mode
    (written to a file only) keeps no row once the next is begun, and writes text as
    in-line strings instead of one shared table, so the workbook's XML differs from a
    table's while every cell, format and sheet is the same."""
    import xlsxwriter  # imported here: only XLSX exports pay for it

    if not tables:
        raise ValueError("an XLSX export needs at least one table")
    total = sum(t.expected if isinstance(t, RowStream) else len(t.rows) for t in tables)
    done = 0
    written: list[int] = []
    options: dict[str, object] = {"strings_to_formulas": False, "strings_to_urls": False}
    if any(isinstance(t, RowStream) for t in tables):
        options["constant_memory"] = True  # ignored in memory (a served download)
    if isinstance(path, Path):
        workbook = xlsxwriter.Workbook(str(path), options)
    else:  # built in memory (a served session's download): no file on the server's disk
        workbook = xlsxwriter.Workbook(path, {**options, "in_memory": True})
    try:
        bold = workbook.add_format({"bold": True})
        header = workbook.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1})
        ws = workbook.add_worksheet("Summary")
        ws.set_column(0, 0, 30)
        ws.set_column(1, 1, 60)
        for r, (key, value) in enumerate(summary):
            ws.write_string(r, 0, key, bold)
            _write(ws, r, 1, value)
        if chart is not None and chart.categories:
            top = len(summary) + 2
            ws.write_row(top, 0, ["Section", "Met in full %", "CI low %", "CI high %"], header)
            for i, category in enumerate(chart.categories):
                _write(ws, top + 1 + i, 0, category)  # a section title: text from the data
                for j, figures in enumerate((chart.values, chart.ci_low, chart.ci_high), 1):
                    value = figures[i] if i < len(figures) else None
                    if value is not None:
                        ws.write_number(top + 1 + i, j, value)
            first, last = top + 1, top + len(chart.categories)
            bar = workbook.add_chart({"type": "bar"})
            series: dict[str, object] = {
                "name": chart.title,
                "categories": ["Summary", first, 0, last, 0],
                "values": ["Summary", first, 1, last, 1],
            }
            if chart.ci_low and chart.ci_high:
                minus = [
                    (v - lo) if v is not None and lo is not None else 0
                    for v, lo in zip(chart.values, chart.ci_low, strict=False)
                ]
                plus = [
                    (hi - v) if v is not None and hi is not None else 0
                    for v, hi in zip(chart.values, chart.ci_high, strict=False)
                ]
                series["x_error_bars"] = {
                    "type": "custom",
                    "minus_values": minus,
                    "plus_values": plus,
                }
            bar.add_series(series)
            bar.set_title({"name": chart.title})
            bar.set_x_axis({"min": 0, "max": 100, "name": "%"})
            bar.set_legend({"none": True})
            bar.set_size({"width": 720, "height": 60 + 36 * len(chart.categories)})
            ws.insert_chart(top, 5, bar)
        if line_charts:
            _line_charts(workbook, line_charts, bold, header)
        if funnel_charts:
            from casereview.io.exports.charts import funnel_sheet

            funnel_sheet(workbook, funnel_charts, bold, header)
        if control_charts:
            from casereview.io.exports.charts import control_sheet

            control_sheet(workbook, control_charts, bold, header)
        for table in tables:
            sheet = workbook.add_worksheet(sheet_name(table.name))
            for c, column in enumerate(table.columns):
                sheet.write_string(0, c, column, header)
                sheet.set_column(c, c, max(10, min(50, len(column) + 2)))
            n = 0
            for n, cells in enumerate(_cells(table), 1):
                for c, value in enumerate(cells):
                    _write(sheet, n, c, value)
                done += 1
                if progress and done % PROGRESS_EVERY == 0:
                    progress(done, max(total, done))
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(n, 1), max(len(table.columns) - 1, 0))
            written.append(n)
    finally:
        workbook.close()
    if progress:
        progress(done, done)
    return written


def _cells(table: Table | RowStream) -> Iterator[Sequence[Cell]]:
    """A table's rows as cells in column order."""
    if isinstance(table, RowStream):
        yield from table.rows
    else:
        columns = table.columns
        for row in table.rows:
            yield [row.get(column) for column in columns]


LINE_BLOCK = 18
"""Rows per line chart on the Charts sheet: the chart's height, whatever its figures."""


def _line_charts(
    workbook: object, charts: Sequence[LineChart], bold: object, header: object
) -> None:
    """A Charts sheet: per chart its title, a table (audit, %, CI, n) and a line chart of the
    % with the interval as error bars, beside the table."""
    ws = workbook.add_worksheet("Charts")  # type: ignore[attr-defined]
    ws.set_column(0, 0, 36)
    ws.set_column(1, 4, 11)
    for i, chart in enumerate(charts):
        top = i * max(LINE_BLOCK, len(chart.categories) + 3)
        ws.write_string(top, 0, neutralise(chart.title), bold)
        ws.write_row(top + 1, 0, ["Audit", "%", "CI low %", "CI high %", "n"], header)
        columns: tuple[Sequence[Cell], ...] = (chart.values, chart.ci_low, chart.ci_high, chart.n)
        for r, category in enumerate(chart.categories, top + 2):
            _write(ws, r, 0, category)
            for c, figures in enumerate(columns, 1):
                k = r - top - 2
                _write(ws, r, c, figures[k] if k < len(figures) else None)
        first, last = top + 2, top + 1 + len(chart.categories)
        line = workbook.add_chart({"type": "line"})  # type: ignore[attr-defined]
        series: dict[str, object] = {
            "name": chart.title,
            "categories": ["Charts", first, 0, last, 0],
            "values": ["Charts", first, 1, last, 1],
            "marker": {"type": "circle", "size": 6},
        }
        if chart.ci_low and chart.ci_high:
            series["y_error_bars"] = {
                "type": "custom",
                "minus_values": [
                    _gap(v, lo) for v, lo in zip(chart.values, chart.ci_low, strict=True)
                ],
                "plus_values": [
                    _gap(hi, v) for v, hi in zip(chart.values, chart.ci_high, strict=True)
                ],
            }
        line.add_series(series)
        line.set_title({"name": neutralise(chart.title)})
        line.set_y_axis({"min": 0, "max": 100, "name": "%"})
        line.set_legend({"none": True})
        line.set_size({"width": 640, "height": 320})
        ws.insert_chart(top, 6, line)


def _gap(a: float | None, b: float | None) -> float:
    """An error bar's length, none where either end is missing."""
    return a - b if a is not None and b is not None else 0


def _write(ws: object, row: int, col: int, value: Cell) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value)  # type: ignore[attr-defined]
    elif isinstance(value, int | float):
        ws.write_number(row, col, value)  # type: ignore[attr-defined]
    else:
        ws.write_string(row, col, neutralise(value))  # type: ignore[attr-defined]
