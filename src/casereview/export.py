"""File writers for findings: Excel-safe CSV, one XLSX workbook with a chart, and JSON."""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

from casereview.problems import CasereviewError, InputError, Problem
from casereview.text import invisible, skip_blank_start

Cell = str | int | float | bool | None
ProgressFn = Callable[[int, int], None]
FORMULA_START = ("=", "+", "-", "@")
RISKY_START = (*FORMULA_START, "\t", "\r")
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class Table:
    """Rows under named columns; a missing key is an empty cell."""

    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Cell]] = field(default_factory=list)


@dataclass(frozen=True)
class RowStream:
    """A table whose rows come as they are read (an export of a million answers): each row
    its cells in column order, read once, as the workbook is written; `expected` rows at
    most (for the progress)."""

    name: str
    columns: tuple[str, ...]
    rows: Iterable[Sequence[Cell]]
    expected: int = 0


@dataclass(frozen=True)
class BarChart:
    """A native bar chart for the workbook's summary sheet (percentages, 0-100)."""

    title: str
    categories: list[str]
    values: list[float | None]
    ci_low: list[float | None] = field(default_factory=list)
    ci_high: list[float | None] = field(default_factory=list)


@dataclass(frozen=True)
class LineChart:
    """A native line chart for a trend workbook: one figure over audits (percentages, 0-100),
    its interval as error bars, written beside the figures it draws."""

    title: str
    categories: list[str]
    values: list[float | None]
    ci_low: list[float | None] = field(default_factory=list)
    ci_high: list[float | None] = field(default_factory=list)
    n: list[int | None] = field(default_factory=list)


class UnsafeTarget(CasereviewError):
    """An export target that writing would destroy: the database, a folder, a device."""


def safe_target(path: Path, protect: Iterable[Path] = ()) -> Path:
    """The file an export to `path` writes (symlinks followed), or UnsafeTarget.

    Refused: the open database or a file SQLite keeps beside it (`protect`, by name and, for
    hard links, by inode), anything that exists and is not a regular file (a folder, /dev/null,
    a pipe), and a file in a folder that does not exist. Writing replaces the file by renaming
    a new one over it, which would turn any of these into a plain file of export rows.
    """
    target = Path(os.path.realpath(path))
    if is_protected(target, protect):
        raise UnsafeTarget(
            f"{path} is the open database (or a file SQLite keeps beside it); an export there "
            "would replace every review: choose another file name"
        )
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise UnsafeTarget(f"{path}: there is no folder {target.parent}") from None
        return target
    if stat.S_ISDIR(mode):
        raise UnsafeTarget(f"{path} is a folder; give a file name for the export")
    if not stat.S_ISREG(mode):
        raise UnsafeTarget(
            f"{path} is not a regular file (a device, pipe or socket) and would be replaced by "
            "one; leave out the file name to write to the terminal"
        )
    return target


def is_protected(path: Path, protect: Iterable[Path]) -> bool:
    """Whether `path` is one of the files `protect` (the open database and the files SQLite
    keeps beside it): by name, symlinks followed, or by inode (a hard link)."""
    target = Path(os.path.realpath(path))
    guarded = [Path(os.path.realpath(p)) for p in protect]
    return target in guarded or any(_same_file(target, p) for p in guarded)


def refuse_the_database(path: Path, protect: Iterable[Path]) -> None:
    """An input file (cases, answers, a checklist) that is the open database or a file
    beside it is refused before it is read: a mistake, and reading it would close a
    descriptor of it, which on POSIX drops every lock this process holds on it (another
    process could then checkpoint and delete the -wal under this one's connection)."""
    if is_protected(path, protect):
        raise InputError(
            [
                Problem(
                    str(path),
                    1,
                    "this is the open database (or a file SQLite keeps beside it), not a file "
                    "to import; nothing was read",
                )
            ]
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # either is missing: not the same file
        return False


@contextmanager
def replacing(path: Path, protect: Iterable[Path] = ()) -> Iterator[Path]:
    """A temporary file beside `path` to write the export to, renamed over `path` only when
    the block finishes and removed when it fails: no half-written file is ever left. The
    target is checked first (safe_target: never the database, a folder or a device). It is
    created owner-only (mkstemp), and the rename keeps that: exports hold case data. The new
    file is flushed to disk before the rename, so a power cut leaves the old file or the new
    one, never an empty one under the old name."""
    target = safe_target(path, protect)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


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


def write_csv(table: Table, out: BinaryIO, progress: ProgressFn | None = None) -> int:
    """UTF-8 with BOM, CRLF, RFC 4180 quoting, text neutralised, numbers as plain numbers."""
    total = len(table.rows)
    out.write(b"\xef\xbb\xbf")
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


def write_json(
    tables: Sequence[Table], out: TextIO, meta: Mapping[str, object] | None = None
) -> None:
    """One object: `meta`, then each table's rows by name. For other tools; not neutralised."""
    payload: dict[str, object] = {"meta": dict(meta or {})}
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
) -> int:
    """write_json of one table whose rows come as they are read, a row at a time: the same
    text (json's indent is the same at every depth, and its strings never hold a line
    break, so each part dumped alone and indented to its depth is what one dump writes)."""
    meta_text = json.dumps(dict(meta or {}), indent=2, ensure_ascii=False)
    out.write('{\n  "meta": ' + meta_text.replace("\n", "\n  ") + ",\n  ")
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
