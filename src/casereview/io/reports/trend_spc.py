"""The trend report's control charts: each section as a p-chart over the periods of one
scope (services/trend_spc.py), its centre line and each period's 3-sigma limits in a table,
the run rules' signals named in words (Markdown and Word) and the chart drawn (Word), then
the questions with a signal. Newcombe's change stays in the sections above: the two answer
different questions, and the method paragraph says which is which."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from casereview.core.stats import scoring
from casereview.io.reports import blocks as reportdoc
from casereview.io.reports.blocks import Block, Grid, Heading
from casereview.services.trend import Trend, TrendItem
from casereview.services.trend_spc import SPC_METHOD, series, spc_charts

HEADING = "Control charts (p-charts)"


def _label(trend: Trend, item: TrendItem, scope: str) -> str:
    several = len({a.scope for a in trend.audits}) > 1
    return f"{item.label} ({scope})" if several else item.label


def _signal_lines(
    trend: Trend, items: Sequence[TrendItem], baseline: Sequence[str] | None
) -> list[str]:
    """'<figure>: <period> (<audit>) <signals>' for each point with a signal."""
    periods = {a.name: a.period for a in trend.audits}
    lines = []
    for item in items:
        if not item.scored:
            continue
        name = item.label if item.kind == "section" else f"{item.key} {item.label}"
        for _scope, points in series(trend, item, baseline):
            for p in points:
                if p.signals:
                    lines.append(
                        f"{name}: {periods[p.label]} ({p.label}) "
                        f"{scoring.percent(p.compliance)}% against centre "
                        f"{scoring.percent(p.centre)}%: {', '.join(p.signals)}"
                    )
    return lines


def spc_blocks(trend: Trend, baseline: Sequence[str] | None = None) -> list[Block]:
    """The control-chart section: method, signals, a table and a chart per section."""
    out: list[Block] = [
        Heading(HEADING, 2),
        reportdoc.paragraph(
            SPC_METHOD
            + (
                f" Baseline: {', '.join(baseline)}."
                if baseline
                else " Baseline: all the periods shown."
            )
        ),
    ]
    signals = _signal_lines(trend, trend.sections, baseline)
    if signals:
        out += [reportdoc.paragraph("Signals on sections:"), reportdoc.items(*signals)]
    else:
        out.append(reportdoc.paragraph("No section shows a signal."))
    periods = {a.name: a.period for a in trend.audits}
    charts = iter(spc_charts(trend, baseline))
    for item in trend.sections:
        for scope, points in series(trend, item, baseline):
            if not points:
                continue
            out += [
                Heading(_label(trend, item, scope), 3),
                Grid(
                    ("Period", "n", "%", "Centre %", "Limits %", "Signals"),
                    (False, True, True, True, True, False),
                    tuple(
                        (
                            periods[p.label],
                            f"{p.n:g}",
                            scoring.percent(p.compliance),
                            scoring.percent(p.centre),
                            f"{scoring.percent(p.low)}-{scoring.percent(p.high)}",
                            ", ".join(p.signals),
                        )
                        for p in points
                    ),
                ),
                reportdoc.Chart(
                    replace(next(charts), title=f"p-chart: {_label(trend, item, scope)}")
                ),
            ]
    questions = _signal_lines(trend, trend.questions, baseline)
    if questions:
        out += [reportdoc.paragraph("Signals on questions:"), reportdoc.items(*questions)]
    return out
