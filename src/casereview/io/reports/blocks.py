"""A report as a list of blocks (headings, paragraphs, lists, tables, figure lists, charts),
written out as Markdown here and as a Word document by docx_report: one statement of what a
report says, two forms of it, so the two cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from casereview.core.stats import scoring
from casereview.core.tables import BarChart, ControlChart, FunnelChart, LineChart

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

    chart: BarChart | LineChart | FunnelChart | ControlChart


Block = Heading | Paragraph | Items | Grid | FigureList | Chart


def items(*texts: str, numbered: bool = False) -> Items:
    """A list of plain-text items."""
    return Items(tuple(((t, False),) for t in texts), numbered)


def paragraph(*lines: str) -> Paragraph:
    return Paragraph(tuple(lines))


# --------------------------------------------------------------------------- Markdown


def figure_runs(row: FigureRow, prefix: str = "") -> tuple[Run, ...]:
    """'ID (critical) text 3 of 4, 75.0%, 95% CI ...' as runs, the flag in bold."""
    runs: list[Run] = [(f"{prefix}{row.question_id}", False)]
    if row.critical:
        runs += [(" ", False), ("(critical)", True)]
    runs.append((f" {row.text} {scoring.describe(row.figures)}", False))
    return tuple(runs)


# Characters that make Markdown anywhere in a line, each as it is written to show itself:
# code, emphasis, strikethrough, links and images (a `(` right after a `]` too, so no
# `](` is left), table cells (a `\|` is the bar itself), backslash escapes, and the `#`s a
# heading would drop from its end get a backslash; raw HTML and autolinks (`<`) and an
# entity (`&amp;`) are written as entities, which every Markdown reads, not only CommonMark.
_INLINE = re.compile(r"[\\`*_~\[\]|]|(?<=\])\(|#(?=[#\s]*$)|<|&(?=#?[0-9A-Za-z]+;)")
_ENTITIES = {"<": "&lt;", "&": "&amp;", ">": "&gt;"}
# What makes a block when it starts a line: a heading, a quote, a setext underline, a list
# item (`- `, `+ `, `1. `, `1) `) or a thematic break (`---`; `*` and `_` are escaped
# already). A list number keeps its digits and has its `.` or `)` escaped.
_LINE_START = re.compile(r"^(?:>|[#=]|[+-](?=\s|$)|-(?=-)|\d{1,9}(?=[.)](?:\s|$)))")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _escaped(mark: str) -> str:
    return _ENTITIES.get(mark, "\\" + mark)


def markdown_text(text: str, line_start: bool = False) -> str:
    """Plain text as Markdown that shows exactly that text: the one escape for everything a
    report writes, since data from users and files is in every kind of block (audit names,
    checklist text, scope values, reviewer names).

    Line breaks (any: LF, CR, U+2028 ...) and tabs become spaces, so data stays on its line
    and in its table cell; other control characters become U+FFFD, as in the Word form.
    Syntax characters are escaped, so `<img ...>` and `[x](javascript:...)` are text, not
    HTML or a link. `line_start`: the text begins a line (a paragraph line, a list item, a
    heading), so its leading spaces are dropped (four would make code) and a block marker
    it starts with (`#`, `- `, `1. `, `>` ...) is escaped too."""
    flat = _CONTROL.sub("\ufffd", " ".join(text.replace("\t", " ").splitlines()))
    out = _INLINE.sub(lambda m: _escaped(m.group()), flat)
    if not line_start:
        return out
    out = out.lstrip(" ")
    marker = _LINE_START.match(out)
    if marker is None:
        return out
    at = marker.end() if out[0].isdigit() else 0  # `1\. ` after the digits, else `\- `
    return out[:at] + _escaped(out[at]) + out[at + 1 :]


def _runs(runs: Sequence[Run]) -> str:
    """Runs that start a line, each escaped, the bold ones in `**`."""
    out = []
    for i, (text, bold) in enumerate(runs):
        escaped = markdown_text(text, line_start=i == 0)
        out.append(f"**{escaped}**" if bold and escaped.strip() else escaped)
    return "".join(out)


def _markdown(block: Block) -> list[str] | None:
    if isinstance(block, Heading):
        return [f"{'#' * block.level} {markdown_text(block.text, line_start=True)}"]
    if isinstance(block, Paragraph):
        return [markdown_text(line, line_start=True) for line in block.lines]
    if isinstance(block, Items):
        mark = "1. " if block.numbered else "- "
        return [mark + _runs(item) for item in block.items]
    if isinstance(block, Grid):
        align = "|".join("---:" if n else "---" for n in block.numeric)
        return [
            "| " + " | ".join(map(markdown_text, block.columns)) + " |",
            f"|{align}|",
            *("| " + " | ".join(map(markdown_text, row)) + " |" for row in block.rows),
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
