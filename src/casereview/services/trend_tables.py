"""A trend shaped for what leaves the machine: export rows, the workbook's line charts and
summary, and the method text the reports quote."""

from __future__ import annotations

from casereview.core.stats import scoring
from casereview.core.tables import Cell, LineChart, Table
from casereview.services.trend import Trend

TREND_COLUMNS = (
    "checklist",
    "audit",
    "period",
    "section_id",
    "question_id",
    "question",
    "n_applicable",
    "compliance_pct",
    "ci_low_pct",
    "ci_high_pct",
    "change_pts",
    "change_ci_low_pts",
    "change_ci_high_pts",
    "direction",
    "compared_with",
)


def _pts(x: float | None) -> float | None:
    return scoring.pct(x)


def trend_table(trend: Trend, by: str | None = None) -> Table:
    """The trend as export rows (TREND_COLUMNS): item by item, each over the audits in time
    order. A section's row (and a tag's) has an empty question_id; its `question` cell holds
    the section title (or the tag's label), and with a tag `section_id` holds the tag."""
    audits = {a.name: a for a in trend.audits}
    rows: list[dict[str, Cell]] = []
    for it in trend.items(by):
        for fig in it.figures:
            if fig is None:
                continue
            audit = audits[fig.audit]
            ch = fig.change
            rows.append(
                {
                    "checklist": audit.checklist_label,
                    "audit": audit.name,
                    "period": audit.period,
                    "section_id": it.section_id if it.kind == "question" else it.key,
                    "question_id": it.key if it.kind == "question" else None,
                    "question": it.label,
                    "n_applicable": fig.n,
                    "compliance_pct": _pts(fig.share),
                    "ci_low_pct": _pts(fig.low),
                    "ci_high_pct": _pts(fig.high),
                    "change_pts": _pts(ch.difference) if ch else None,
                    "change_ci_low_pts": _pts(ch.low) if ch else None,
                    "change_ci_high_pts": _pts(ch.high) if ch else None,
                    "direction": fig.direction,
                    "compared_with": fig.against,
                }
            )
    return Table("trend", TREND_COLUMNS, rows)


def trend_charts(trend: Trend) -> list[LineChart]:
    """A line chart per section: the share of cases meeting it in full, audit by audit."""
    return [
        LineChart(
            title=s.label,
            categories=[a.name for a in trend.audits],
            values=[_pts(f.share) if f else None for f in s.figures],
            ci_low=[_pts(f.low) if f else None for f in s.figures],
            ci_high=[_pts(f.high) if f else None for f in s.figures],
            n=[f.n if f else None for f in s.figures],
        )
        for s in trend.sections
    ]


def method_text(trend: Trend) -> str:
    """How the changes were computed, for the workbook's summary and the reports."""
    base = (
        "the same figure pooled over the other audits of its sample design, forces aside "
        "(their successes over their applicable answers)"
        if trend.compare
        else "the same figure in the latest earlier audit of the same scope (the same case "
        "filters and sample design) whose period does not overlap its own"
    )
    words = (
        "'higher' or 'lower' than the others, else 'no clear difference'"
        if trend.compare
        else "'improved' or 'declined', else 'no clear change'"
    )
    return (
        "A section's figure is the share of cases meeting it in full; a question's is its "
        "compliance (yes 1, partly 0.5, no 0, over the applicable answers); a fact question's "
        f"is its prevalence. Each is compared with {base}: the change is in percentage points "
        "with a 95% Newcombe hybrid score interval for the difference of two independent "
        "proportions (Newcombe 1998, method 10, from the two Wilson intervals). Only where "
        f"that interval excludes 0 is a figure called {words}; fact questions get no such "
        "word. Audits of another scope are shown but never compared."
    )


def summary_pairs(trend: Trend, by: str | None) -> list[tuple[str, Cell]]:
    """What a trend workbook's summary sheet opens with."""
    return [
        ("Checklist", trend.checklist_id),
        ("Title", trend.title),
        ("Audits (in period order)", ", ".join(f"{a.name} ({a.period})" for a in trend.audits)),
        ("Versions", ", ".join(dict.fromkeys(a.checklist_label for a in trend.audits))),
        ("Compared side by side", "yes" if trend.compare else "no"),
        ("Rows", by or "sections and questions"),
        ("Left out (no completed review)", ", ".join(trend.skipped) or None),
        ("Left out (no period)", ", ".join(trend.undated) or None),
        ("Comparing", "; ".join(trend.notes) or None),
        ("Method", method_text(trend)),
    ]
