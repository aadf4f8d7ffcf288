"""A report made redacted (core/redaction.py): the notice as its first paragraph, and every
date in its text (scope, periods, charts' categories) cut to the month. What names officers
is left out where the report is built (markdown.blocks' calibration caveat gives a count);
a report holds no reference, note or summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from casereview.core.redaction import NOTICE, Redaction
from casereview.core.tables import BarChart, LineChart
from casereview.io.reports.blocks import (
    Block,
    Chart,
    FigureList,
    Grid,
    Heading,
    Items,
    Paragraph,
)


def redacted_blocks(blocks: Sequence[Block], redaction: Redaction) -> list[Block]:
    """The report's blocks, redacted: the notice first, then each block's text redacted."""
    text = redaction.text
    out: list[Block] = [Paragraph((NOTICE,))]
    for block in blocks:
        if isinstance(block, Heading):
            block = replace(block, text=text(block.text))
        elif isinstance(block, Paragraph):
            block = Paragraph(tuple(map(text, block.lines)))
        elif isinstance(block, Items):
            items = tuple(tuple((text(t), bold) for t, bold in item) for item in block.items)
            block = replace(block, items=items)
        elif isinstance(block, Grid):
            rows = tuple(tuple(map(text, row)) for row in block.rows)
            block = replace(block, columns=tuple(map(text, block.columns)), rows=rows)
        elif isinstance(block, FigureList):
            rows_ = tuple(replace(r, text=text(r.text)) for r in block.rows)
            block = replace(block, rows=rows_)
        elif isinstance(block, Chart):
            chart = block.chart
            if isinstance(chart, BarChart | LineChart):
                chart = replace(chart, categories=[text(c) for c in chart.categories])
            block = Chart(replace(chart, title=text(chart.title)))
        out.append(block)
    return out
