"""A Markdown findings report an inspector can paste: scope, method, findings, gaps, caveats."""

from __future__ import annotations

from casereview import findings, scoring
from casereview.store import Store

GAPS = 8  # how many of the weakest questions to list


def render(store: Store, audit_name: str) -> str:
    data = findings.load(store, audit_name)
    audit, checklist = data.audit, data.checklist
    counted = data.counted
    scope = audit.scope
    where = ", ".join(f"{k} = {v}" for k, v in (scope.get("where") or {}).items()) or "whole pool"
    period = (
        f"reported {scope.get('from') or 'any time'} to {scope.get('to') or 'any time'}"
        if scope.get("from") or scope.get("to")
        else "no date limits"
    )
    out: list[str] = [
        f"# Case-file review findings: {audit.name}",
        "",
        "## Scope and sample",
        "",
        f"- Checklist: {checklist.title} ({audit.checklist_label})",
        f"- Scope: {where}; {period}",
        f"- Sample: {audit.n_cases} case files drawn at random (seed {audit.seed})"
        + (f", stratified by {scope['stratify']}" if scope.get("stratify") else "")
        + (f", from a pool of {scope['pool']}" if scope.get("pool") else ""),
        f"- Reviews counted: {len(counted)} completed of {audit.n_cases} sampled"
        + (
            f" ({audit.n_cases - len(counted)} not complete and left out)"
            if len(counted) < audit.n_cases
            else ""
        ),
        "",
        "## Method",
        "",
        findings.method_text(checklist),
        "",
        "## Findings by section",
        "",
        "| Section | Cases | Mean score | Met in full | 95% CI |",
        "|---|---:|---:|---:|---:|",
    ]
    section_figs = scoring.audit_section_figures(checklist, data.reviews)
    for sfig in section_figs:
        title = next(s.title for s in checklist.sections if s.id == sfig.section_id)
        mean = f"{scoring.percent(sfig.mean_score)}%" if sfig.mean_score is not None else "-"
        full = scoring.share_words(sfig.n_full, sfig.n_cases)
        interval = scoring.interval_words(sfig.ci_low, sfig.ci_high)
        out.append(f"| {title} | {sfig.n_cases} | {mean} | {full} | {interval} |")
    question_figs = scoring.audit_question_figures(checklist, data.reviews)
    out += ["", "## Findings by question", ""]
    for section in checklist.sections:
        out += [f"### {section.title}", ""]
        in_section = [
            f for f in question_figs if checklist.section_of(f.question_id).id == section.id
        ]
        for fig in in_section:
            q = checklist.question(fig.question_id)
            if q.scored:
                flag = " **(critical)**" if q.critical else ""
                out.append(f"- {q.id}{flag} {q.text} {scoring.describe(fig)}")
        facts = [f for f in in_section if not f.scored]
        if facts:
            out += ["", "Context (facts about the cases, not scored):", ""]
            for fig in facts:
                q = checklist.question(fig.question_id)
                out.append(f"- Context: {q.id} {q.text} {scoring.describe(fig)}")
        out.append("")
    scored = [f for f in question_figs if f.compliance is not None]
    weakest = sorted(scored, key=lambda f: (f.compliance or 0.0, -f.n_applicable))[:GAPS]
    out += ["## Notable gaps", ""]
    if weakest:
        out.append("The questions with the lowest compliance:")
        out.append("")
        for fig in weakest:
            q = checklist.question(fig.question_id)
            out.append(f"1. {q.id} {q.text} {scoring.describe(fig)}")
    else:
        out.append("No question has applicable answers yet.")
    small = [f for f in question_figs if 0 < f.n_applicable < scoring.SMALL_N]
    out += [
        "",
        "## Caveats",
        "",
        f"This is a sample of {len(counted)} reviewed files. Intervals show the range the true "
        "rate is likely to lie in; where they overlap, a difference between sections or groups "
        "may be chance.",
    ]
    if small:
        out.append(
            f"{len(small)} question(s) have fewer than {scoring.SMALL_N} applicable answers; "
            "their percentages are too uncertain to quote on their own."
        )
    return "\n".join(out) + "\n"
