"""Findings as tables: scoring applied to an audit, shaped for exports, the report and the TUI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from casereview.core.checklist.models import Checklist
from casereview.core.fields import answer_columns
from casereview.core.problems import CasereviewError
from casereview.core.stats import scoring
from casereview.core.tables import BarChart, Cell, Table
from casereview.core.text import natural_key
from casereview.services.answer_rows import answer_rows
from casereview.store import AuditInfo, Store

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


class FindingsError(CasereviewError):
    """An audit with nothing to report yet; the message says what is missing."""


@dataclass(frozen=True)
class AuditData:
    """Everything scoring needs about one audit, read once."""

    audit: AuditInfo
    checklist: Checklist
    reviews: list[scoring.ReviewRecord]
    problem: str | None = None
    """Why the figures cannot be computed (a completed review missing a shown answer)."""

    @property
    def counted(self) -> list[scoring.ReviewRecord]:
        return scoring.counted_reviews(self.reviews)


def load(
    store: Store, audit_name: str, by: str | None = None, require_complete: bool = True
) -> AuditData:
    """The audit's completed reviews, grouped `by` a field, ready for the table functions.

    With require_complete (every kind of figures), an audit without completed reviews, or
    with a completed review that lacks an answer to a shown question, is refused with a
    FindingsError. Without it (raw answers, cases, events) such an audit still loads, and
    only the figure tables refuse it.
    """
    audit = store.audit_named(audit_name)
    if audit.n_cases == 0:
        raise FindingsError(f"audit '{audit.name}' has no cases")
    checklist = store.audit_checklist(audit.id)  # with the force's limits, if given
    reviews = store.review_records(audit.id, by)
    if by == "reviewer":
        reviews = by_primary_reviewer(reviews, _primary_reviewers_from_store(store, audit, reviews))
    data = AuditData(
        audit, checklist, reviews, _unanswered_problem(store, audit, checklist, reviews)
    )
    if require_complete and not data.counted:
        raise FindingsError(
            f"audit '{audit.name}' has no completed reviews yet ({audit.n_in_progress} in "
            "progress); findings count completed reviews only"
        )
    if require_complete:
        require_answered(data)
    return data


def by_primary_reviewer(
    reviews: Sequence[scoring.ReviewRecord], known: Mapping[int, str | None] | None = None
) -> list[scoring.ReviewRecord]:
    """The reviews with each one's group set to its case's primary reviewer.

    Grouping by reviewer asks "how do each reviewer's cases score", so a case counts once,
    under the reviewer of its primary review: the moderated review that replaces it and the
    second review that checks it follow the case, and moderators and second reviewers get no
    group of their own. `known` gives the primary reviewer of cases whose primary review is
    not among `reviews` (not complete); failing both, a review keeps its own reviewer.
    """
    primary = {r.case_id: r.reviewer for r in reviews if r.role == "primary"}
    known = known or {}
    return [
        replace(r, group=primary.get(r.case_id) or known.get(r.case_id) or r.reviewer)
        for r in reviews
    ]


def _primary_reviewers_from_store(
    store: Store, audit: AuditInfo, reviews: Sequence[scoring.ReviewRecord]
) -> dict[int, str | None]:
    """Primary reviewers (else assignees) of cases whose primary review is not complete."""
    with_primary = {r.case_id for r in reviews if r.role == "primary"}
    if all(r.case_id in with_primary for r in reviews):
        return {}  # the usual case: no need to read the sample
    return {ac.case.id: ac.reviewer or ac.assigned_to for ac in store.audit_cases(audit.id)}


def _unanswered_problem(
    store: Store, audit: AuditInfo, checklist: Checklist, reviews: Sequence[scoring.ReviewRecord]
) -> str | None:
    """Why no figures can be computed, if a completed review lacks a shown answer.

    The app refuses to complete such a review, but a database from an older version (or
    answers loaded by hand) may hold one; scoring would otherwise stop on a ValueError.
    """
    missing: list[tuple[scoring.ReviewRecord, str]] = []
    for r in reviews:
        effective = checklist.effective_answers(r.answers, r.case)
        if None in effective.values():
            missing.append((r, next(q for q, v in effective.items() if v is None)))
    if not missing:
        return None
    first, question_id = missing[0]
    case = store.case(first.case_id)
    more = f" ({len(missing)} such reviews in all)" if len(missing) > 1 else ""
    return (
        f"audit '{audit.name}' cannot be scored: the {first.role} review of case "
        f"{case.case_ref} ({case.force}) by {first.reviewer} is complete but has no answer to "
        f"{question_id}, a question it shows{more}. Reopen the review, answer it and complete "
        "it again."
    )


def require_answered(data: AuditData) -> None:
    if data.problem:
        raise FindingsError(data.problem)


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
        for fig in scoring.audit_question_figures(data.checklist, reviews):
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
    figs = scoring.audit_question_figures(checklist, data.reviews)
    out = []
    for key, label in sorted(labels.items(), key=lambda kv: natural_key(kv[0])):
        tagged = [f for f in figs if key in getattr(checklist.question(f.question_id), view)]
        pooled = scoring.pooled_figures(tagged)
        if pooled.question_ids:
            out.append((label, pooled))
    return out
