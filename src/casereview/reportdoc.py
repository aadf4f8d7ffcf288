"""A report as a list of blocks (headings, paragraphs, lists, tables, figure lists, charts),
written out as Markdown here and as a Word document by docx_report: one statement of what a
report says, two forms of it, so the two cannot drift apart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from casereview import scoring
from casereview.export import BarChart, LineChart

Run = tuple[str, bool]
"""A piece of text and whether it is bold."""


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Lines of one paragraph: Markdown keeps the line breaks, Word runs them together."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Items:
    """A bulleted (or numbered) list; each item is a sequence of runs."""

    items: tuple[tuple[Run, ...], ...]
    numbered: bool = False


@dataclass(frozen=True)
class Grid:
    """A table: column headings, which columns hold numbers (right-aligned), the rows."""

    columns: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class FigureRow:
    question_id: str
    text: str
    figures: scoring.QuestionFigures
    critical: bool = False


@dataclass(frozen=True)
class FigureList:
    """Questions with their figures: a list in Markdown ('- ID text 3 of 4, 75.0%, ...'), a
    table with a column per figure in Word. `prefix` starts each Markdown item."""

    rows: tuple[FigureRow, ...]
    prefix: str = ""


@dataclass(frozen=True)
class Chart:
    """A picture: in Word only (the Markdown report has none)."""

    chart: BarChart | LineChart


Block = Heading | Paragraph | Items | Grid | FigureList | Chart


def items(*texts: str, numbered: bool = False) -> Items:
    """A list of plain-text items."""
    return Items(tuple(((t, False),) for t in texts), numbered)


def paragraph(*lines: str) -> Paragraph:
    return Paragraph(tuple(lines))


# --------------------------------------------------------------------------- Markdown


def _runs(runs: Sequence[Run]) -> str:
    return "".join(f"**{text}**" if bold else text for text, bold in runs)


def figure_runs(row: FigureRow, prefix: str = "") -> tuple[Run, ...]:
    """'ID (critical) text 3 of 4, 75.0%, 95% CI ...' as runs, the flag in bold."""
    runs: list[Run] = [(f"{prefix}{row.question_id}", False)]
    if row.critical:
        runs += [(" ", False), ("(critical)", True)]
    runs.append((f" {row.text} {scoring.describe(row.figures)}", False))
    return tuple(runs)


def _cell(text: str) -> str:
    """Data in a table cell or a heading stays one cell, one line: a `|` in an audit name
    or a line break in a question's text would otherwise break the table apart."""
    return " ".join(text.splitlines()).replace("|", "\\|")


def _markdown(block: Block) -> list[str] | None:
    if isinstance(block, Heading):
        return [f"{'#' * block.level} {_cell(block.text)}"]
    if isinstance(block, Paragraph):
        return list(block.lines)
    if isinstance(block, Items):
        mark = "1. " if block.numbered else "- "
        return [mark + _runs(item) for item in block.items]
    if isinstance(block, Grid):
        align = "|".join("---:" if n else "---" for n in block.numeric)
        return [
            "| " + " | ".join(map(_cell, block.columns)) + " |",
            f"|{align}|",
            *("| " + " | ".join(map(_cell, row)) + " |" for row in block.rows),
        ]
    if isinstance(block, FigureList):
        return ["- " + _runs(figure_runs(row, block.prefix)) for row in block.rows]
    return None  # a chart: Word only


def to_markdown(blocks: Sequence[Block]) -> str:
    """The blocks as Markdown, a blank line between blocks (an empty list still takes its
    place), a newline at the end."""
    lines: list[str] = []
    rendered = [b for b in (_markdown(block) for block in blocks) if b is not None]
    for i, block_lines in enumerate(rendered):
        if i:
            lines.append("")
        lines.extend(block_lines)
    return "\n".join(lines) + "\n"
