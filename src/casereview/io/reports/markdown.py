"""A Markdown findings report an inspector can paste: scope, method, findings, gaps, caveats."""

from __future__ import annotations

from casereview.core.checklist.models import Checklist
from casereview.core.fields import where_text
from casereview.core.stats import scoring
from casereview.io.reports import blocks as reportdoc
from casereview.io.reports.blocks import FigureList, FigureRow, Heading
from casereview.services import findings
from casereview.store import Store

GAPS = 8  # how many of the weakest questions to list
SECTION_COLUMNS = ("Section", "Cases", "Mean score", "Met in full", "95% CI")


def render(store: Store, audit_name: str) -> str:
    """The findings report as Markdown."""
    return reportdoc.to_markdown(blocks(store, audit_name))


def blocks(store: Store, audit_name: str) -> list[reportdoc.Block]:
    """The findings report as blocks: scope, method, sections (with their chart, in Word
    only), questions, gaps and caveats."""
    data = findings.load(store, audit_name)
    audit, checklist = data.audit, data.checklist
    counted = data.counted
    scope = audit.scope
    where = where_text(scope.get("where"), " = ") or "whole pool"
    period = (
        f"reported {scope.get('from') or 'any time'} to {scope.get('to') or 'any time'}"
        if scope.get("from") or scope.get("to")
        else "no date limits"
    )
    out: list[reportdoc.Block] = [
        Heading(f"Case-file review findings: {audit.name}", 1),
        Heading("Scope and sample", 2),
        reportdoc.items(
            f"Checklist: {checklist.title} ({audit.checklist_label})",
            f"Scope: {where}; {period}",
            f"Sample: {audit.n_cases} case files drawn at random (seed {audit.seed})"
            + (f", stratified by {scope['stratify']}" if scope.get("stratify") else "")
            + (f", from a pool of {scope['pool']}" if scope.get("pool") else ""),
            f"Reviews counted: {len(counted)} completed of {audit.n_cases} sampled"
            + (
                f" ({audit.n_cases - len(counted)} not complete and left out)"
                if len(counted) < audit.n_cases
                else ""
            ),
        ),
        Heading("Method", 2),
        reportdoc.paragraph(findings.method_text(checklist)),
        Heading("Findings by section", 2),
    ]
    section_figs = scoring.audit_section_figures(checklist, data.reviews)
    rows = []
    for sfig in section_figs:
        title = next(s.title for s in checklist.sections if s.id == sfig.section_id)
        mean = f"{scoring.percent(sfig.mean_score)}%" if sfig.mean_score is not None else "-"
        full = scoring.share_words(sfig.n_full, sfig.n_cases)
        interval = scoring.interval_words(sfig.ci_low, sfig.ci_high)
        rows.append((title, str(sfig.n_cases), mean, full, interval))
    out += [
        reportdoc.Grid(SECTION_COLUMNS, (False, True, True, True, True), tuple(rows)),
        reportdoc.Chart(findings.section_chart(checklist, section_figs)),
    ]
    question_figs = scoring.audit_question_figures(checklist, data.reviews)
    out.append(Heading("Findings by question", 2))
    for section in checklist.sections:
        out.append(Heading(section.title, 3))
        in_section = [
            f for f in question_figs if checklist.section_of(f.question_id).id == section.id
        ]
        out.append(FigureList(tuple(_row(checklist, f) for f in in_section if f.scored)))
        facts = [f for f in in_section if not f.scored]
        if facts:
            out += [
                reportdoc.paragraph("Context (facts about the cases, not scored):"),
                FigureList(tuple(_row(checklist, f) for f in facts), prefix="Context: "),
            ]
    scored = [f for f in question_figs if f.compliance is not None]
    weakest = sorted(scored, key=lambda f: (f.compliance or 0.0, -f.n_applicable))[:GAPS]
    out.append(Heading("Notable gaps", 2))
    if weakest:
        out += [
            reportdoc.paragraph("The questions with the lowest compliance:"),
            reportdoc.items(
                *(
                    f"{f.question_id} {checklist.question(f.question_id).text} "
                    f"{scoring.describe(f)}"
                    for f in weakest
                ),
                numbered=True,
            ),
        ]
    else:
        out.append(reportdoc.paragraph("No question has applicable answers yet."))
    small = [f for f in question_figs if 0 < f.n_applicable < scoring.SMALL_N]
    caveats = [
        f"This is a sample of {len(counted)} reviewed files. Intervals show the range the true "
        "rate is likely to lie in; where they overlap, a difference between sections or groups "
        "may be chance."
    ]
    if small:
        caveats.append(
            f"{len(small)} question(s) have fewer than {scoring.SMALL_N} applicable answers; "
            "their percentages are too uncertain to quote on their own."
        )
    out += [Heading("Caveats", 2), reportdoc.paragraph(*caveats)]
    return out


def _row(checklist: Checklist, fig: scoring.QuestionFigures) -> FigureRow:
    q = checklist.question(fig.question_id)
    return FigureRow(q.id, q.text, fig, critical=q.scored and q.critical)
