"""A trend as p-charts (core/stats/spc.py): each figure over the periods of one scope, with
its centre line, 3-sigma limits for each period's own n and the run rules' signals named.

Only audits of one scope form a series (the same case filters and sample design): a force's
monthly self-audits make a chart; an inspectorate's dip-sample of another force sits in a
series of its own."""

from __future__ import annotations

from collections.abc import Sequence

from casereview.core.stats import scoring, spc
from casereview.core.tables import Cell, ControlChart, Table
from casereview.services.trend import Trend, TrendError, TrendItem

SPC_COLUMNS = (
    "checklist",
    "audit",
    "period",
    "scope",
    "section_id",
    "question_id",
    "question",
    "n_applicable",
    "compliance_pct",
    "centre_pct",
    "lcl_pct",
    "ucl_pct",
    "signals",
)


def series(
    trend: Trend, item: TrendItem, baseline: Sequence[str] | None
) -> list[tuple[str, list[spc.Point]]]:
    """Per scope (in order of first appearance), the p-chart of this item's figures. The
    baseline names audits; in a scope holding none of them, all its periods are the baseline."""
    scopes: dict[str, list[tuple[str, float, float]]] = {}
    for audit, fig in zip(trend.audits, item.figures, strict=True):
        if fig is not None and fig.scored and fig.n > 0:
            scopes.setdefault(audit.scope, []).append((audit.name, fig.successes, fig.n))
    out = []
    for scope, periods in scopes.items():
        names = {p[0] for p in periods}
        chosen = [b for b in baseline or () if b in names] or None
        out.append((scope, spc.p_chart(periods, chosen)))
    return out


def check_baseline(trend: Trend, baseline: Sequence[str] | None) -> None:
    """TrendError naming any baseline audit not in the trend."""
    known = {a.name for a in trend.audits}
    unknown = [b for b in baseline or () if b not in known]
    if unknown:
        raise TrendError(f"--baseline names audits not in the trend: {', '.join(unknown)}")


def spc_table(trend: Trend, by: str | None = None, baseline: Sequence[str] | None = None) -> Table:
    """One row per item and audit: compliance, centre line, limits and the signals."""
    check_baseline(trend, baseline)
    audits = {a.name: a for a in trend.audits}
    rows: list[dict[str, Cell]] = []
    for it in trend.items(by):
        if not it.scored:
            continue
        for scope, points in series(trend, it, baseline):
            for p in points:
                audit = audits[p.label]
                rows.append(
                    {
                        "checklist": audit.checklist_label,
                        "audit": audit.name,
                        "period": audit.period,
                        "scope": scope,
                        "section_id": it.section_id if it.kind == "question" else it.key,
                        "question_id": it.key if it.kind == "question" else None,
                        "question": it.label,
                        "n_applicable": p.n,
                        "compliance_pct": scoring.pct(p.compliance),
                        "centre_pct": scoring.pct(p.centre),
                        "lcl_pct": scoring.pct(p.low),
                        "ucl_pct": scoring.pct(p.high),
                        "signals": "; ".join(p.signals),
                    }
                )
    return Table("spc", SPC_COLUMNS, rows)


def spc_charts(trend: Trend, baseline: Sequence[str] | None = None) -> list[ControlChart]:
    """A p-chart per section and scope, for the workbook's Charts sheet."""
    charts = []
    for item in trend.sections:
        for scope, points in series(trend, item, baseline):
            if not points:
                continue
            title = (
                item.label
                if len({a.scope for a in trend.audits}) == 1
                else f"{item.label} ({scope})"
            )
            charts.append(
                ControlChart(
                    title=title,
                    categories=[p.label for p in points],
                    values=[100 * p.compliance for p in points],
                    centre=[100 * p.centre for p in points],
                    low=[100 * p.low for p in points],
                    high=[100 * p.high for p in points],
                    signals=["; ".join(p.signals) for p in points],
                )
            )
    return charts


SPC_METHOD = (
    "p-chart (Montgomery, Introduction to Statistical Quality Control): each period's "
    "compliance (partly half) about the centre line, the pooled compliance of the baseline "
    "periods, with limits at 3 sigma for the period's own n; run rules (Western Electric "
    "1956; Nelson 1984): a point beyond the limits, 8 in a row on one side of the centre, "
    "6 in a row rising or falling. Only audits of one scope (case filters and sample "
    "design) form a series. It asks whether a period is a change or a wobble given the "
    "process so far; the Newcombe change (trend without --chart) asks whether two audits "
    "differ."
)
