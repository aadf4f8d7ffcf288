"""A report's blocks (reportdoc) as a Word document: real headings, real tables with a
header row that repeats across pages, lists, and charts as pictures with alternative text.

python-docx is imported with this module, which only `report --out FILE.docx` loads.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Row
from docx.text.paragraph import Paragraph as DocxParagraph

from casereview.core.stats import scoring
from casereview.io.reports import charts
from casereview.io.reports.blocks import (
    Block,
    Chart,
    FigureList,
    FigureRow,
    Grid,
    Heading,
    Items,
    Paragraph,
    Run,
)

# XML 1.0 has no place for most control characters; python-docx refuses them. Text from the
# data (an audit's name, say) is kept readable with a replacement mark instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The figure and its interval share a column, one above the other: on A4 portrait a column
# each would leave the question's text some 30 characters a line.
FIGURE_COLUMNS = ("Question", "Standard", "Answers", "Compliance, 95% CI")
FACT_COLUMNS = ("Question", "Fact", "Yes in", "Prevalence, 95% CI")
_FIGURE_NUMERIC = (False, False, True, True)
SMALL_NOTE = f"{scoring.SMALL_MARK} {scoring.SMALL_WORDS}."
PAGE_MM = (210, 297)  # A4 portrait
MARGIN_MM = 20
TEXT_IN = (PAGE_MM[0] - 2 * MARGIN_MM) / 25.4  # the width tables and charts fill: 6.69 in
# Inches per character at 10 pt, enough for a wide font (DejaVu, where LibreOffice has no
# Calibri) so that no figure breaks in any of them; Calibri's digits take 0.07.
CHAR_IN = 0.09
HEAD_IN = 0.1  # the same in a bold heading
PAD_IN = 0.2  # a cell's margins (0.08 in each side), and a little to spare


def clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def write(blocks: Sequence[Block], path: Path) -> None:
    """Write the blocks to `path` as a .docx file (the caller replaces the target with it)."""
    doc = Document()
    props = doc.core_properties
    title = next((b.text for b in blocks if isinstance(b, Heading)), "casereview report")
    props.title = clean(title)
    props.author = props.last_modified_by = "casereview"
    props.created = props.modified = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    props.comments = ""
    doc.styles["Normal"].font.size = Pt(10)
    for section in doc.sections:  # python-docx's template is US Letter
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.left_margin = section.right_margin = Mm(MARGIN_MM)
        section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
    for block in blocks:
        _add(doc, block)
    doc.save(str(path))


def _add(d: DocxDocument, block: Block) -> None:
    if isinstance(block, Heading):
        d.add_heading(clean(block.text), level=min(block.level, 9))
    elif isinstance(block, Paragraph):
        d.add_paragraph(clean(" ".join(block.lines)))
    elif isinstance(block, Items):
        style = "List Number" if block.numbered else "List Bullet"
        for item in block.items:
            _runs(d.add_paragraph(style=style), item)
    elif isinstance(block, Grid):
        _table(d, block.columns, block.numeric, [[((c, False),) for c in r] for r in block.rows])
    elif isinstance(block, FigureList):
        if block.rows:
            facts = not block.rows[0].figures.scored
            _table(
                d,
                FACT_COLUMNS if facts else FIGURE_COLUMNS,
                _FIGURE_NUMERIC,
                [_figure_cells(row) for row in block.rows],
                SMALL_NOTE
                if any(scoring.small_sample(r.figures.n_applicable) for r in block.rows)
                else None,
            )
    elif isinstance(block, Chart):
        _picture(d, block)


def _runs(paragraph: DocxParagraph, runs: Sequence[Run]) -> None:
    for text, bold in runs:
        run = paragraph.add_run(clean(text))
        run.bold = bold or None


def _table(
    doc: DocxDocument,
    columns: Sequence[str],
    numeric: Sequence[bool],
    rows: Sequence[Sequence[Sequence[Run]]],
    note: str | None = None,
) -> DocxTable:
    table: DocxTable = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, name, right in zip(header.cells, columns, numeric, strict=True):
        paragraph = cell.paragraphs[0]
        _runs(paragraph, ((name, True),))
        if right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in rows:
        added = table.add_row()
        _keep_together(added)
        cells = added.cells
        for cell, runs, right in zip(cells, row, numeric, strict=True):
            paragraph = cell.paragraphs[0]
            _runs(paragraph, runs)
            if right:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    texts = [columns, *(["".join(t for t, _ in runs) for runs in r] for r in rows)]
    _widths(table, texts, numeric)
    doc.add_paragraph(note or "")  # a table's note, or its space after it
    return table


def _widths(table: DocxTable, texts: Sequence[Sequence[str]], numeric: Sequence[bool]) -> None:
    """Column widths that fill the A4 text width. A figure's column is as wide as its
    longest line, so that no figure breaks; a text column at least its longest word. The
    rest of the width goes to the text columns by how much of their text would otherwise
    wrap (summed over the rows), none beyond its longest line: a short id column stays
    narrow and the question's text gets the room. Left to itself Word makes every column
    the same width, and with autofit on it may squeeze one as it likes: autofit is off,
    and every cell has its width."""
    widths: list[float] = []
    wants: list[float] = []
    weights: list[float] = []
    for i, is_number in enumerate(numeric):
        head, lines = texts[0][i], [row[i].splitlines() or [""] for row in texts[1:]]
        body = [line for cell in lines for line in cell]
        longest = max(map(len, body), default=0)
        word = max((len(w) for text in body for w in text.split()), default=0)
        head_word = max(map(len, head.split()), default=0)
        need = CHAR_IN * (longest if is_number else word + 1)
        widths.append(PAD_IN + max(need, HEAD_IN * head_word))
        wants.append(widths[-1] if is_number else PAD_IN + CHAR_IN * (longest + 1))
        weights.append(0 if is_number else sum(max(len(x) - word, 0) for x in body))
    if sum(widths) > TEXT_IN:  # figures on one line each would run off the page (a trend
        # across many audits): they break at their spaces instead ('63' over '(22-91) ▲')
        for i, is_number in enumerate(numeric):
            if is_number:
                words = [w for row in texts[1:] for w in row[i].split()]
                heading = HEAD_IN * max(map(len, texts[0][i].split()), default=0)
                longest_word = CHAR_IN * (max(map(len, words), default=0) + 1)
                widths[i] = wants[i] = PAD_IN + max(longest_word, heading)
    left = TEXT_IN - sum(widths)
    while left > 1e-6 and any(w > 0 and widths[i] < wants[i] for i, w in enumerate(weights)):
        open_ = [i for i, w in enumerate(weights) if w > 0 and widths[i] < wants[i]]
        total = sum(weights[i] for i in open_)
        given = {i: min(left * weights[i] / total, wants[i] - widths[i]) for i in open_}
        for i, extra in given.items():
            widths[i] += extra
        left -= sum(given.values())
    if left > 1e-6:  # every text fits on one line: the widest text column takes the rest
        text_columns = [i for i, is_number in enumerate(numeric) if not is_number]
        widths[max(text_columns or [0], key=lambda i: wants[i])] += left
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        inches = Inches(width)
        column.width = inches  # the grid (LibreOffice reads it) and each cell (Word does)
        for cell in column.cells:
            cell.width = inches


def _row_mark(row: _Row, name: str) -> None:
    mark = OxmlElement(name)
    mark.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(mark)


def _repeat_as_header(row: _Row) -> None:
    """Mark a table's first row as its header: Word repeats it on every page."""
    _row_mark(row, "w:tblHeader")


def _keep_together(row: _Row) -> None:
    """A row is never split across two pages."""
    _row_mark(row, "w:cantSplit")


def _pct_cell(value: float | None) -> str:
    return "-" if value is None else f"{scoring.pct(value)}%"


def _ci_cell(low: float | None, high: float | None) -> str:
    return "-" if low is None or high is None else f"{scoring.pct(low)}-{scoring.pct(high)}%"


def _figure_cells(row: FigureRow) -> list[tuple[Run, ...]]:
    """A question's row: id (critical in bold), text, counts (marked when the sample is
    small, with the unknown answers on a line below), the figure with its interval below."""
    fig = row.figures
    ident: tuple[Run, ...] = ((row.question_id, False),)
    if row.critical:
        ident += ((" (critical)", True),)
    mark = scoring.caveat_words(fig.n_applicable, 0)
    # the unknown answers left out (or scored as no) under the counts: '2 of 2 †' / '1 unknown'
    said = scoring.unknown_words(fig.unknown, fig.unknown_scored).removeprefix("; ")
    if fig.scored:
        counts = f"{fig.credit:g} of {fig.n_applicable}" if fig.n_applicable else "none apply"
        share, low, high = fig.compliance, fig.ci_low, fig.ci_high
    else:
        counts = f"{fig.yes} of {fig.n_applicable}" if fig.n_applicable else "not known"
        share, low, high = fig.prevalence, fig.prevalence_low, fig.prevalence_high
    figure = _pct_cell(share) + ("" if low is None else f"\n{_ci_cell(low, high)}")
    return [
        ident,
        ((row.text, False),),
        ((counts + mark + (f"\n{said}" if said else ""), False),),
        ((figure, False),),
    ]


def _picture(doc: DocxDocument, block: Chart) -> None:
    png = charts.png(block.chart)
    doc.add_picture(io.BytesIO(png), width=Inches(min(charts.WIDTH_IN, TEXT_IN)))
    shape = doc.inline_shapes[-1]
    shape._inline.docPr.set("descr", clean(block.chart.title))  # alternative text
    caption = doc.add_paragraph(clean(block.chart.title), style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
