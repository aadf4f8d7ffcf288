"""The trend report (`report --trend`): a checklist's audits in time order, the clear changes
first, each section's figures audit by audit with their changes and intervals (and, in Word,
its chart), then every question across the audits. Blocks (reportdoc), so that the Markdown
and the Word forms say the same."""

from __future__ import annotations

from collections.abc import Sequence

from casereview.core.stats import scoring
from casereview.core.stats.change import ARROWS
from casereview.io.reports import blocks as reportdoc
from casereview.io.reports.blocks import Block, Grid, Heading, Run
from casereview.io.reports.trend_spc import spc_blocks
from casereview.services import trend_tables
from casereview.services.trend import Figure, Trend, TrendItem

CLEAR = tuple(ARROWS)
SMALL_NOTE = (
    f"{scoring.SMALL_MARK} fewer than {scoring.SMALL_N} cases: too uncertain to quote on its own."
)


def _figure(fig: Figure | None) -> str:
    if fig is None:
        return "not asked"
    if fig.share is None or fig.low is None or fig.high is None:
        return "-"
    return f"{scoring.percent(fig.share)}% ({scoring.interval_words(fig.low, fig.high)})"


def _cell(fig: Figure | None) -> str:
    """'63 (22-91) ▲': the figure and its interval in %, an arrow only for a clear change."""
    if fig is None or fig.share is None or fig.low is None or fig.high is None:
        return _figure(fig)
    arrow = ARROWS.get(fig.direction or "")
    text = f"{scoring.percent(fig.share)} ({scoring.percent(fig.low)}-{scoring.percent(fig.high)})"
    return text + (f" {arrow}" if arrow else "")


def _change(fig: Figure) -> str:
    if fig.change is None:
        return "-"
    c = fig.change
    return f"{100 * c.difference:+.1f} ({100 * c.low:+.1f} to {100 * c.high:+.1f})"


def _counts(fig: Figure | None) -> str:
    if fig is None:
        return "not asked"
    small = f" {scoring.SMALL_MARK}" if scoring.small_sample(fig.n) else ""
    return f"{fig.successes:g} of {fig.n}{small}"


def _label(item: TrendItem) -> str:
    if item.kind == "section":
        return item.label
    return f"{item.key} {item.label}" + ("" if item.scored else " (fact)")


def _sentence(warning: str) -> str:
    return warning[:1].upper() + warning[1:] + ("" if warning.endswith(".") else ".")


def blocks(trend: Trend, baseline: Sequence[str] | None = None) -> list[Block]:
    """The trend report as blocks; `baseline` names the audits of the p-charts' centre line
    (None: all)."""
    against = (
        "the other audits of its design pooled"
        if trend.compare
        else "the latest earlier audit of the same scope"
    )
    out: list[Block] = [
        Heading(f"Trends: {trend.title}", 1),
        Heading("Audits", 2),
        Grid(
            ("Audit", "Period", "Checklist", "Reviews counted"),
            (False, False, False, True),
            tuple((a.name, a.period, a.checklist_label, str(a.n_counted)) for a in trend.audits),
        ),
    ]
    out += [reportdoc.paragraph(_sentence(w)) for w in trend.warnings()]
    out += [Heading("Method", 2), reportdoc.paragraph(trend_tables.method_text(trend))]
    out += [Heading("Clear changes", 2), *_clear_changes(trend, against)]
    out.append(Heading("Sections", 2))
    for section, chart in zip(trend.sections, trend_tables.trend_charts(trend), strict=True):
        out += [
            Heading(section.label, 3),
            Grid(
                ("Period", "Cases met in full", "%", "95% CI", "Change, points (95% CI)", "Says"),
                (False, True, True, True, True, False),
                tuple(
                    (
                        audit.period,
                        _counts(fig),
                        f"{scoring.percent(fig.share)}%" if fig and fig.share is not None else "-",
                        scoring.interval_words(fig.low, fig.high) if fig else "-",
                        _change(fig) if fig else "-",
                        (fig.direction or "") if fig else "",
                    )
                    for audit, fig in zip(trend.audits, section.figures, strict=True)
                ),
            ),
        ]
        if any(f is not None and scoring.small_sample(f.n) for f in section.figures):
            out.append(reportdoc.paragraph(SMALL_NOTE))
        out.append(reportdoc.Chart(chart))
    out += [
        Heading("Questions", 2),
        reportdoc.paragraph(
            "Each question's compliance (a fact question's prevalence) audit by audit, in %, "
            f"with its 95% interval; ▲ or ▼ marks a clear change from {against}."
        ),
    ]
    # Columns headed by period, as on the screen; the Audits table above names each one.
    names = tuple(a.period for a in trend.audits)
    for section in trend.sections:
        questions = trend.questions_of(section.key)
        out += [
            Heading(section.label, 3),
            Grid(
                ("Question", *names),
                (False, *(True for _ in names)),
                tuple((_label(q), *(_cell(f) for f in q.figures)) for q in questions),
            ),
        ]
    return out + spc_blocks(trend, baseline)


def _clear_changes(trend: Trend, against: str) -> list[Block]:
    """Every figure whose change's interval excludes 0, sections first: what changed in bold
    (a run of its own, so Word has no asterisks and a question's '?' no colon after it),
    then how."""
    lines: list[tuple[Run, ...]] = []
    for item in (*trend.sections, *trend.questions):
        for audit, fig in zip(trend.audits, item.figures, strict=True):
            if fig is not None and fig.direction in CLEAR and fig.change is not None:
                when = f"{audit.period} ({audit.name})"
                how = f" \u2014 {fig.direction} in {when}, {_figure(fig)}, {_change(fig)}"
                lines.append(((_label(item), True), (how + " points", False)))
    if not lines:
        return [
            reportdoc.paragraph(
                f"No figure changed clearly from {against}: every change's 95% interval includes 0."
            )
        ]
    return [
        reportdoc.paragraph(
            f"Figures whose change from {against} has a 95% interval that excludes 0 "
            "(change in points, with that interval):"
        ),
        reportdoc.Items(tuple(lines)),
    ]


def render(trend: Trend) -> str:
    """The trend report as Markdown."""
    return reportdoc.to_markdown(blocks(trend))
