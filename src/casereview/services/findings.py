"""Findings as tables: scoring applied to an audit, shaped for exports, the report and the TUI."""

from __future__ import annotations

from collections.abc import Sequence

from casereview.core.checklist.models import Checklist
from casereview.core.fields import answer_columns
from casereview.core.stats import scoring
from casereview.core.tables import BarChart, Cell, Table
from casereview.core.text import natural_key
from casereview.services.answer_rows import answer_rows
from casereview.services.audit_data import AuditData as AuditData
from casereview.services.audit_data import FindingsError as FindingsError
from casereview.services.audit_data import by_primary_reviewer as by_primary_reviewer
from casereview.services.audit_data import load as load
from casereview.services.audit_data import require_answered
from casereview.store import Store

QUESTION_COLUMNS = (
    "section_id",
    "question_id",
    "question",
    "n_reviews",
    "n_applicable",
    "yes",
    "partly",
    "no",
    "na",
    "unknown",
    "compliance_pct",
    "ci_low_pct",
    "ci_high_pct",
)
CONTEXT_COLUMNS = (
    "section_id",
    "question_id",
    "question",
    "n_reviews",
    "n_known",
    "yes",
    "no",
    "na",
    "unknown",
    "prevalence_pct",
    "ci_low_pct",
    "ci_high_pct",
)
SECTION_COLUMNS = (
    "section_id",
    "section",
    "n_cases",
    "mean_score_pct",
    "n_full",
    "full_pct",
    "ci_low_pct",
    "ci_high_pct",
    "unknown",
)
SMALL_COLUMN = "small_sample"
"""The workbook's own column (not the CSV's): the small-sample mark on a figure's row."""
GROUP_FIELDS_BUILTIN = ("force", "team", "reviewer", "stratum", "offence", "outcome")


def method_text(checklist: Checklist) -> str:
    """How the figures were computed, right for the checklist's `unknown_scores_as`.

    The report's Method section and the XLSX summary both say this, so they cannot differ.
    """
    if checklist.unknown_scores_as == "no":
        scoring_rule = (
            "Answers score yes 1, partly 0.5 and no 0, and an answer of 'unknown' scores as "
            "no (0): this checklist counts missing information against compliance. Questions "
            "that did not apply to a case (including those skipped because an earlier answer "
            "made them irrelevant) are left out."
        )
    else:
        scoring_rule = (
            "Answers score yes 1, partly 0.5 and no 0. Questions that did not apply to a case "
            "(including those skipped because an earlier answer made them irrelevant) are left "
            "out, and so are answers of 'unknown', which are counted separately."
        )
    facts = (
        " Questions that record a fact about the case rather than a standard (whether the "
        "victim withdrew support, say) are not scored: they are reported as context, the share "
        "of the cases recording the fact in which it holds."
        if any(not q.scored for q in checklist.questions)
        else ""
    )
    return (
        f"Each file was reviewed against the checklist. {scoring_rule}{facts} Where a file was "
        "moderated, the moderated answer counts. Percentages are given with their counts and "
        f"95% Wilson score intervals, and the number of unknown answers after them. A figure "
        f"resting on fewer than {scoring.SMALL_N} applicable answers is marked "
        f"{scoring.SMALL_MARK}: too uncertain to quote on its own. A question answered Unknown "
        f"in {scoring.percent(float(scoring.UNKNOWN_FLAG))}% or more of the cases it applied "
        "to is listed as not recorded: the file does not say."
    )


def groups(data: AuditData, by: str | None) -> list[tuple[str | None, list[scoring.ReviewRecord]]]:
    """The reviews split by group (one (None, all) pair when not grouped), groups sorted.

    Every group is a set of cases with all their reviews: load() gives each review its
    case's group, by the primary reviewer when grouping by reviewer.
    """
    if not by:
        return [(None, data.reviews)]
    return list(scoring.grouped(data.reviews, key=lambda r: r.group).items())


def _with_group(columns: Sequence[str], by: str | None) -> tuple[str, ...]:
    return ("audit", *(("group",) if by else ()), *columns)


def _question_rows(
    data: AuditData, by: str | None, facts_only: bool = False
) -> list[tuple[dict[str, Cell], scoring.QuestionFigures]]:
    """Each question's figures per group (only the fact questions with facts_only), with the
    cells every question table opens with."""
    require_answered(data)
    out = []
    for group, reviews in groups(data, by):
        notes = data.checklist.scope_notes(r.case for r in scoring.counted_reviews(reviews))
        figures = (
            data.question_figures
            if group is None
            else scoring.audit_question_figures(data.checklist, reviews)
        )
        for fig in figures:
            if facts_only and fig.scored:
                continue
            q = data.checklist.question(fig.question_id)
            note = notes.get(q.id)
            head: dict[str, Cell] = {
                "audit": data.audit.name,
                "group": group,
                "section_id": data.checklist.section_of(q.id).id,
                "question_id": q.id,
                "question": f"{q.text} ({note})" if note else q.text,
                "n_reviews": fig.n_reviews,
            }
            out.append((head, fig))
    return out


def question_table(data: AuditData, by: str | None = None) -> Table:
    """Every question, fact questions with their counts and empty compliance cells."""
    rows: list[dict[str, Cell]] = [
        {
            **head,
            "n_applicable": fig.n_applicable,
            "yes": fig.yes,
            "partly": fig.partly,
            "no": fig.no,
            "na": fig.na,
            "unknown": fig.unknown,
            "compliance_pct": scoring.pct(fig.compliance),
            "ci_low_pct": scoring.pct(fig.ci_low),
            "ci_high_pct": scoring.pct(fig.ci_high),
        }
        for head, fig in _question_rows(data, by)
    ]
    return Table("questions", _with_group(QUESTION_COLUMNS, by), rows)


def context_table(data: AuditData, by: str | None = None) -> Table:
    """The fact questions (scored: false) as prevalence: in how many of the cases that record
    the fact it holds, with a Wilson interval. They describe the sample; they are no
    compliance figure, so they are reported apart."""
    rows: list[dict[str, Cell]] = [
        {
            **head,
            "n_known": fig.n_applicable,
            "yes": fig.yes,
            "no": fig.no,
            "na": fig.na,
            "unknown": fig.unknown,
            "prevalence_pct": scoring.pct(fig.prevalence),
            "ci_low_pct": scoring.pct(fig.prevalence_low),
            "ci_high_pct": scoring.pct(fig.prevalence_high),
        }
        for head, fig in _question_rows(data, by, facts_only=True)
    ]
    return Table("context", _with_group(CONTEXT_COLUMNS, by), rows)


def section_table(data: AuditData, by: str | None = None) -> Table:
    require_answered(data)
    rows: list[dict[str, Cell]] = []
    for group, reviews in groups(data, by):
        for fig in scoring.audit_section_figures(data.checklist, reviews):
            section = next(s for s in data.checklist.sections if s.id == fig.section_id)
            rows.append(
                {
                    "audit": data.audit.name,
                    "group": group,
                    "section_id": section.id,
                    "section": section.title,
                    "n_cases": fig.n_cases,
                    "mean_score_pct": scoring.pct(fig.mean_score),
                    "n_full": fig.n_full,
                    "full_pct": scoring.pct(fig.share_full),
                    "ci_low_pct": scoring.pct(fig.ci_low),
                    "ci_high_pct": scoring.pct(fig.ci_high),
                    "unknown": fig.unknown,
                }
            )
    return Table("sections", _with_group(SECTION_COLUMNS, by), rows)


def small_marked(table: Table) -> Table:
    """A figure table with the small-sample column (SMALL_COLUMN) added: the mark where the
    row's figure rests on fewer than SMALL_N (n_applicable, a fact's n_known, a section's
    n_cases). The workbook's sheets carry it; the CSV columns stay as documented."""
    n_column = next(c for c in ("n_applicable", "n_known", "n_cases") if c in table.columns)
    rows: list[dict[str, Cell]] = [
        {
            **row,
            SMALL_COLUMN: scoring.SMALL_MARK
            if scoring.small_sample(int(row[n_column] or 0))
            else None,
        }
        for row in table.rows
    ]
    return Table(table.name, (*table.columns, SMALL_COLUMN), rows)


def workbook_tables(
    store: Store, data: AuditData, by: str | None, include_notes: bool
) -> list[Table]:
    """The sheets every workbook has, whatever kind was asked: questions, sections (and the
    fact questions' context), each figure with the small-sample mark, then the cases."""
    sheets = [question_table(data, by), section_table(data, by)]
    if any(not q.scored for q in data.checklist.questions):
        sheets.append(context_table(data, by))
    return [*map(small_marked, sheets), case_table(store, data, include_notes)]


def section_chart(checklist: Checklist, figures: Sequence[scoring.SectionFigures]) -> BarChart:
    """The sections' share of cases met in full, with intervals: the workbook's chart and
    the report's, drawn from the section figures."""
    titles = {s.id: s.title for s in checklist.sections}
    return BarChart(
        title="Cases meeting each section in full (95% CI)",
        categories=[titles[f.section_id] for f in figures],
        values=[scoring.pct(f.share_full) for f in figures],
        ci_low=[scoring.pct(f.ci_low) for f in figures],
        ci_high=[scoring.pct(f.ci_high) for f in figures],
    )


def case_table(store: Store, data: AuditData, include_notes: bool = False) -> Table:
    """One row per sampled case: its counted review and a score per section."""
    counted = {r.case_id: r for r in data.counted}
    sections = data.checklist.sections
    columns = [
        "audit",
        "position",
        "case_ref",
        "force",
        "team",
        "offence",
        "reported_at",
        "recorded_at",
        "outcome",
        "stratum",
        "assigned_to",
        "reviewer",
        "review_role",
        "status",
        "overall_pct",
        *(f"{s.id}_pct" for s in sections),
    ]
    if include_notes:
        columns.append("summary")
    rows: list[dict[str, Cell]] = []
    unknown_as = data.checklist.unknown_scores_as
    for ac in store.audit_cases(data.audit.id):
        review = counted.get(ac.case.id)
        row: dict[str, Cell] = {
            "audit": data.audit.name,
            "position": ac.position + 1,
            "case_ref": ac.case.case_ref,
            "force": ac.case.force,
            "team": ac.case.team,
            "offence": ac.case.offence,
            "reported_at": ac.case.reported_at,
            "recorded_at": ac.case.recorded_at,
            "outcome": ac.case.outcome,
            "stratum": ac.stratum,
            "assigned_to": ac.assigned_to,
            "reviewer": review.reviewer if review else ac.reviewer,
            "review_role": review.role if review else None,
            "status": "complete" if review else (ac.status or "not started"),
            "summary": ac.case.summary,
        }
        if review:
            effective = data.checklist.effective_answers(review.answers, review.case)
            for s in sections:
                row[f"{s.id}_pct"] = scoring.pct(
                    scoring.case_section_score(s, effective, unknown_as)
                )
            overall = scoring.case_overall_score(data.checklist, effective, unknown_as)
            row["overall_pct"] = scoring.pct(overall)
        rows.append(row)
    return Table("cases", tuple(columns), rows)


def answer_table(store: Store, data: AuditData, include_notes: bool = False) -> Table:
    """Every answer of every review (all roles), hidden questions as na, for other tools:
    answer_rows' rows, which the exports written as they are read stream instead."""
    rows: list[dict[str, Cell]] = [
        r._asdict() for r in answer_rows(store, data.audit, data.checklist)
    ]
    return Table("answers", answer_columns(include_notes), rows)


EVENT_COLUMNS = (
    "audit",
    "event_id",
    "at",
    "actor",
    "case_ref",
    "force",
    "role",
    "question_id",
    "kind",
    "old",
    "new",
    "reason",
)


def event_table(store: Store, data: AuditData, include_notes: bool = False) -> Table:
    """The audit trail, oldest first. Note texts are free text: shown only with the flag."""
    cases = {ac.case.id: ac.case for ac in store.audit_cases(data.audit.id)}
    reviews = {r.id: r for case_id in cases for r in store.reviews_of_case(data.audit.id, case_id)}
    rows: list[dict[str, Cell]] = []
    for e in store.events(audit_id=data.audit.id):
        review = reviews.get(e.review_id or -1)
        case = cases.get(review.case_id) if review else None
        hide = e.kind == "note" and not include_notes
        rows.append(
            {
                "audit": data.audit.name,
                "event_id": e.id,
                "at": e.at,
                "actor": e.actor,
                "case_ref": case.case_ref if case else None,
                "force": case.force if case else None,
                "role": review.role if review else None,
                "question_id": e.question_id,
                "kind": e.kind,
                "old": "(note)" if hide and e.old else e.old,
                "new": "(note)" if hide and e.new else e.new,
                "reason": e.reason,
            }
        )
    return Table("events", EVENT_COLUMNS, rows)


TAG_VIEWS = ("concerns", "themes", "recommendations")


def tag_figures(data: AuditData, view: str) -> list[tuple[str, scoring.PooledFigures]]:
    """The answers to every question with a tag pooled, one (label, figures) per concern,
    theme or recommendation (`view`); recommendations in number order (R7 before R10), and
    tags whose questions have no scored answers left out."""
    if view not in TAG_VIEWS:
        raise ValueError(f"{view!r} is not one of {', '.join(TAG_VIEWS)}")
    checklist = data.checklist
    labels: dict[str, str]
    if view == "concerns":
        labels = dict(checklist.concerns)
    elif view == "themes":
        labels = dict(checklist.themes)
    else:
        labels = {r: r for q in checklist.questions for r in q.recommendations}
    figs = data.question_figures
    out = []
    for key, label in sorted(labels.items(), key=lambda kv: natural_key(kv[0])):
        tagged = [f for f in figs if key in getattr(checklist.question(f.question_id), view)]
        pooled = scoring.pooled_figures(tagged)
        if pooled.question_ids:
            out.append((label, pooled))
    return out
