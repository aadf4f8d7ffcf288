"""A Markdown findings report an inspector can paste: scope, method, findings, gaps, caveats."""

from __future__ import annotations

from casereview.core.checklist.models import Checklist
from casereview.core.fields import where_text
from casereview.core.stats import scoring
from casereview.io.reports import blocks as reportdoc
from casereview.io.reports.agreement import agreement_blocks
from casereview.io.reports.blocks import FigureList, FigureRow, Heading
from casereview.io.reports.funnel import funnel_blocks
from casereview.services import findings
from casereview.store import Store

GAPS = 8  # how many of the weakest questions to list
SECTION_COLUMNS = ("Section", "Cases", "Mean score", "Met in full", "95% CI", "Unknown answers")


def render(store: Store, audit_name: str) -> str:
    """The findings report as Markdown."""
    return reportdoc.to_markdown(blocks(store, audit_name))


def blocks(store: Store, audit_name: str, officers: bool = True) -> list[reportdoc.Block]:
    """The findings report as blocks: scope, method, sections (with their chart, in Word
    only), questions, gaps, agreement between reviewers (where there are pairs) and
    caveats. Without `officers` (a redacted report), reviewers are counted, never named."""
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
        full += scoring.caveat_words(sfig.n_cases, 0)  # the mark; unknowns have their column
        interval = scoring.interval_words(sfig.ci_low, sfig.ci_high)
        rows.append((title, str(sfig.n_cases), mean, full, interval, str(sfig.unknown)))
    out += [
        reportdoc.Grid(SECTION_COLUMNS, (False, True, True, True, True, True), tuple(rows)),
        reportdoc.Chart(findings.section_chart(checklist, section_figs)),
    ]
    question_figs = data.question_figures  # counted once, at load
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
    out += _not_recorded(checklist, question_figs)
    small = [f for f in question_figs if scoring.small_sample(f.n_applicable)]
    caveats = [
        f"This is a sample of {len(counted)} reviewed files. Intervals show the range the true "
        "rate is likely to lie in; where they overlap, a difference between sections or groups "
        "may be chance."
    ]
    if small:
        caveats.append(
            f"{len(small)} question(s) have fewer than {scoring.SMALL_N} applicable answers, "
            f"marked {scoring.SMALL_MARK}: their percentages are too uncertain to quote on "
            "their own."
        )
    caveats += _calibration_caveat(store, audit.id, officers)
    out += funnel_blocks(store, audit.name)
    out += agreement_blocks(data)
    out += [Heading("Caveats", 2), reportdoc.paragraph(*caveats)]
    return out


def _calibration_caveat(store: Store, audit_id: int, officers: bool = True) -> list[str]:
    """Where the audit requires calibration: who of its reviewers has not passed one."""
    from casereview.services.calibration import not_calibrated

    missing = not_calibrated(store, audit_id)
    if missing is None:
        return []
    months = store.calibration_months(audit_id)
    required = (
        f"The audit requires its reviewers to have passed a calibration on this checklist "
        f"version within {months} months"
    )
    if not missing:
        return [f"{required}; all of them have."]
    if not officers:
        return [f"{required}; {len(missing)} of them have not."]
    return [f"{required}; not passed: {', '.join(missing)}."]


def _not_recorded(
    checklist: Checklist, figures: list[scoring.QuestionFigures]
) -> list[reportdoc.Block]:
    """The questions whose answers are largely unknown (QuestionFigures.not_recorded): the
    file does not say, which is itself a finding about recording. Nothing when none is."""
    flagged = [f for f in figures if f.not_recorded]
    if not flagged:
        return []
    limit = scoring.percent(float(scoring.UNKNOWN_FLAG))
    lines = []
    for f in flagged:
        applied = f.yes + f.partly + f.no + f.unknown
        share = scoring.percent(float(f.unknown_share or 0))
        text = checklist.question(f.question_id).text
        lines.append(f"{f.question_id} {text} unknown in {f.unknown} of {applied} ({share}%)")
    return [
        Heading("Not recorded in the file", 2),
        reportdoc.paragraph(
            f"Questions answered Unknown in {limit}% or more of the cases they applied to "
            "(their Yes, Partly, No and Unknown answers): the file does not say, and that "
            "is itself a finding about recording."
        ),
        reportdoc.items(*lines),
    ]


def _row(checklist: Checklist, fig: scoring.QuestionFigures) -> FigureRow:
    q = checklist.question(fig.question_id)
    return FigureRow(q.id, q.text, fig, critical=q.scored and q.critical)
