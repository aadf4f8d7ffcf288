"""The findings report's funnel section: each section's share of files met in full, force by
force, against the noise each force's number of files allows (Spiegelhalter 2005); the
picture in Word only, the forces outside the limits in words in both."""

from __future__ import annotations

from casereview.core.stats import funnel as stats
from casereview.core.stats import scoring
from casereview.io.reports import blocks as reportdoc
from casereview.io.reports.blocks import Heading
from casereview.services.findings import FindingsError
from casereview.store import Store

UNITS = "force"
MIN_UNITS = 3
"""Fewer forces make no funnel: two are a difference of two, which `trend --compare` gives
with its interval."""


def funnel_blocks(store: Store, audit_name: str) -> list[reportdoc.Block]:
    """Nothing unless the audit's completed files come from MIN_UNITS forces or more."""
    from casereview.services.funnel import build, funnel_charts

    try:
        figures = build(store, [audit_name], UNITS, sections_only=True)
    except FindingsError:
        return []
    figures = [f for f in figures if len(f.funnel.points) >= MIN_UNITS]
    if not figures:
        return []
    out: list[reportdoc.Block] = [
        Heading("Forces compared (funnel plots)", 2),
        reportdoc.paragraph(
            "Each force's share of files meeting a section in full, against its number of "
            "files, around the figure of all forces together. The limits are exact binomial "
            "(Spiegelhalter 2005, Statistics in Medicine 24:1185-1202): a force outside 95% "
            "is an alert, outside 99.8% an alarm; inside, its difference from the rest is "
            "what chance alone would give with that many files. It is not a league table."
        ),
    ]
    flagged = [
        f"{fig.title}: {p.unit} {scoring.percent(p.compliance)}% of {p.n} files against "
        f"{scoring.percent(fig.funnel.target)}% (z {p.z:+.1f}), {p.band}"
        for fig in figures
        for p in fig.funnel.points
        if p.band in (stats.ALERT, stats.ALARM) and p.z is not None
    ]
    if flagged:
        out.append(reportdoc.items(*flagged))
    else:
        out.append(reportdoc.paragraph("No force lies outside the 95% limits on any section."))
    spreads = [
        f"{fig.title}: {fig.funnel.spread.summary()}"
        for fig in figures
        if fig.funnel.spread is not None
    ]
    if spreads:
        out.append(
            reportdoc.paragraph(
                "Do the forces vary more than chance allows? The sum of the squared z-scores "
                "(10% Winsorised) against chi-square on forces - 1 degrees of freedom "
                "(Spiegelhalter 2005, section 5.1); phi is that sum divided by the number of "
                "forces."
            )
        )
        out.append(reportdoc.items(*spreads))
    out += [reportdoc.Chart(chart) for chart in funnel_charts(figures)]
    return out
