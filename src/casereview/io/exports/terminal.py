"""Exports for a person at a terminal: aligned columns to read, not CSV to load.

`casereview trend` and `casereview export KIND` print these when standard output is a
terminal and no format was asked for; piped, redirected or with `--format csv` they write
CSV as before. Data's cells are written with their invisible characters escaped
(text.visible): a case file's cell may hold an escape sequence."""

from __future__ import annotations

from collections.abc import Sequence

from casereview.core.periods import short_label
from casereview.core.stats import scoring
from casereview.core.stats.change import ARROWS
from casereview.core.tables import Cell, Table
from casereview.core.text import visible
from casereview.services.trend import Figure, Trend, TrendItem

CELL = 12  # " 45▲ (30-61)": the figure, the arrow's place, the interval
MIN_TEXT = 12  # a text column is never cut narrower than this
GAP = "  "


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):  # percentages and scores: one decimal, as in the CSV
        return f"{value:.1f}"
    return visible(str(value))


def _numeric(values: Sequence[Cell]) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in present
    )


def _fit(widths: list[int], numeric: list[bool], width: int) -> list[int]:
    """Cut the widest text columns (never below MIN_TEXT) until the row fits `width`."""
    widths = list(widths)
    while sum(widths) + len(GAP) * (len(widths) - 1) > width:
        text = [i for i, w in enumerate(widths) if not numeric[i] and w > MIN_TEXT]
        if not text:
            break
        widest = max(text, key=lambda i: widths[i])
        over = sum(widths) + len(GAP) * (len(widths) - 1) - width
        widths[widest] = max(MIN_TEXT, widths[widest] - over)
    return widths


def table_text(table: Table, width: int = 80) -> str:
    """A table in aligned columns within `width` where it can be (long text cut with '…',
    never below MIN_TEXT; numbers right aligned; `_pct` headed `%`). A text column with one
    value in every row (the audit's name) is said once above."""
    columns = list(table.columns)
    rows = table.rows
    same = [  # text only: a count that happens to be the same in every row stays a column
        c
        for c in columns
        if len(rows) > 1
        and not _numeric([r.get(c) for r in rows])
        and len({_cell(r.get(c)) for r in rows}) == 1
    ]
    lines = [f"{c}: {_cell(rows[0].get(c))}" for c in same if _cell(rows[0].get(c))]
    shown = [c for c in columns if c not in same]
    cells = [[_cell(r.get(c)) for c in shown] for r in rows]
    numeric = [_numeric([r.get(c) for r in rows]) for c in shown]
    headings = [c.removesuffix("_pct") + ("%" if c.endswith("_pct") else "") for c in shown]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headings)]
    widths = _fit(widths, numeric, width)

    def line(values: Sequence[str]) -> str:
        return GAP.join(
            _cut(v, w).rjust(w) if num else _cut(v, w).ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    lines += [line(headings), line(["-" * w for w in widths])]
    lines += [line(row) for row in cells]
    lines.append(f"({len(rows)} rows; --format csv or a pipe for CSV)")
    return "\n".join(lines) + "\n"


def _figure(fig: Figure | None) -> str:
    """' 45▲ (30-61)': an arrow only on a clear change; '-' no applicable answers."""
    if fig is None:
        return "not asked"
    if fig.share is None or fig.low is None or fig.high is None:
        return "-"
    arrow = ARROWS.get(fig.direction or "", " ")
    small = scoring.SMALL_MARK if scoring.small_sample(fig.n) else " "
    low, high = scoring.percent(fig.low), scoring.percent(fig.high)
    return f"{scoring.percent(fig.share):>3}{arrow}{small}({low}-{high})"


def _label(item: TrendItem) -> str:
    if item.kind == "section":
        return visible(item.label)
    fact = " (fact)" if not item.scored else ""
    return f"  {visible(item.key)}{fact} {visible(item.label)}"


def trend_text(trend: Trend, by: str | None = None, width: int = 80) -> str:
    """The trend as a grid: a row per figure, a column per audit headed by its period, in
    period order; the audits' names and scopes below. What was left out and what is not
    compared is the command's warnings (stderr), as for CSV."""
    items = trend.items(by)
    periods = [short_label(visible(a.period), CELL) for a in trend.audits]
    label_width = max(MIN_TEXT, min(60, width - (CELL + len(GAP)) * len(periods)))
    label_width = min(label_width, max(len(_label(i)) for i in items))
    first = {None: "% met in full / % compliance", "section": "% met in full"}.get(
        by, "% compliance"
    )
    head = [_cut(first, label_width).ljust(label_width), *(p.rjust(CELL) for p in periods)]
    counts = ["".ljust(label_width), *(f"n={a.n_counted}".rjust(CELL) for a in trend.audits)]
    lines = [f"{visible(trend.title)} ({visible(trend.checklist_id)})", ""]
    lines += [GAP.join(head).rstrip(), GAP.join(counts).rstrip()]
    for item in items:
        cells = [_figure(f).rjust(CELL) for f in item.figures]
        lines.append(GAP.join([_cut(_label(item), label_width).ljust(label_width), *cells]))
    against = (
        "the others of its design pooled"
        if trend.compare
        else "the latest earlier audit of the same scope"
    )
    lines += [
        "",
        f"% (95% CI). ▲ ▼ only where the change from {against} is clear (its 95% Newcombe "
        f"interval excludes 0); {scoring.SMALL_MARK} fewer than {scoring.SMALL_N} cases.",
        "",
        "Audits:",
    ]
    for audit in trend.audits:
        lines.append(
            f"  {visible(audit.period)}: {visible(audit.name)} ({visible(audit.checklist_label)}; "
            f"{visible(audit.scope)})"
        )
    lines.append("(--format csv or a pipe for CSV: each change and the audit it is from)")
    return "\n".join(lines) + "\n"
