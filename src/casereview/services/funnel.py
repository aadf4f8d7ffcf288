"""Funnel plots across units (forces, teams, reviewers, an attribute, or the audits
themselves): each question's and section's figure per unit, pooled over the audits named,
with Spiegelhalter's exact binomial limits (core/stats/funnel.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from casereview.core.checklist.models import Checklist
from casereview.core.rules import blind_refusal
from casereview.core.stats import funnel as stats
from casereview.core.stats import scoring
from casereview.core.tables import Cell, FunnelChart, Table
from casereview.core.text import natural_key
from casereview.services import findings
from casereview.services.findings import FindingsError
from casereview.store import Store

BY_AUDIT = "audit"
"""--by audit: each audit is a unit (a force's own audits, or one per force merged)."""
FUNNEL_COLUMNS = (
    "section_id",
    "question_id",
    "figure",
    "unit",
    "n",
    "compliance_pct",
    "target_pct",
    "z",
    "low95_pct",
    "high95_pct",
    "low998_pct",
    "high998_pct",
    "band",
    "adjustment",
    "phi",
    "chi2",
    "chi2_df",
    "chi2_p",
)


@dataclass(frozen=True)
class FigureFunnel:
    """One figure (a question, or a section's share met in full) across the units."""

    section_id: str
    question_id: str | None
    title: str
    funnel: stats.Funnel
    versions: tuple[str, ...] = ()
    """The checklist versions pooled (labels, oldest first); more than one: only the
    questions that carry over from version to version are compared (services.trend.lineage)."""


@dataclass(frozen=True)
class Counts:
    credit: float
    n: int


def _add(
    into: dict[tuple[str, str | None, str], Counts],
    key: tuple[str, str | None, str],
    credit: float,
    n: int,
) -> None:
    old = into.get(key, Counts(0.0, 0))
    into[key] = Counts(old.credit + credit, old.n + n)


def build(
    store: Store,
    audit_names: Sequence[str],
    by: str,
    target: float | None = None,
    adjustment: str = stats.NONE,
    question: str | None = None,
    viewer: str | None = None,
    sections_only: bool = False,
) -> list[FigureFunnel]:
    """Each scored question's (and each section's) funnel across the units of `by`; with
    `sections_only`, the sections' alone (a report's: each question's funnel is a hundred
    exact limits for a national audit, worked out for nothing).

    The audits must share one checklist version (a figure pools like with like); their
    completed reviews are counted as the findings count them (moderated over primary,
    partly half). `target` is a proportion (None: the pooled figure). FindingsError when the
    audits cannot be pooled or there is nothing to plot; for `viewer`, refused while they
    have blind second reviews open in any of the audits.
    """
    if not audit_names:
        raise FindingsError("name one or more audits")
    if adjustment not in stats.ADJUSTMENTS:
        raise FindingsError(
            f"'{adjustment}' is not an adjustment (use {', '.join(stats.ADJUSTMENTS)})"
        )
    if viewer is not None:
        for name in audit_names:
            refusal = blind_refusal(store, store.audit_named(name).id, viewer)
            if refusal:
                raise FindingsError(refusal)
    group_by = None if by == BY_AUDIT else by
    datas = [findings.load(store, name, group_by) for name in audit_names]
    if len({d.checklist.id for d in datas}) > 1:
        labels = ", ".join(f"{d.audit.name} ({d.audit.checklist_label})" for d in datas)
        raise FindingsError(
            "a funnel pools audits of one checklist (its versions follow one another by "
            f"`replaces:`); these differ: {labels}"
        )
    if (
        group_by
        and group_by not in findings.GROUP_FIELDS_BUILTIN
        and (group_by not in store.case_attribute_names())
    ):
        raise FindingsError(f"cannot group by '{by}': not a case field or attribute")
    carry = _carried_over([d.checklist for d in datas])
    checklist = carry.newest
    if question is not None and not checklist.has_question(question):
        raise FindingsError(f"no question '{question}' in checklist {checklist.id}")
    counts: dict[tuple[str, str | None, str], Counts] = {}
    for data in datas:
        newest_id = carry.newest_ids[data.checklist.version]
        for group, reviews in findings.groups(data, group_by):
            unit = data.audit.name if group_by is None else str(group)
            questions = (
                [] if sections_only else scoring.audit_question_figures(data.checklist, reviews)
            )
            for fig in questions:
                qid = newest_id.get(fig.question_id)
                if qid is not None and fig.scored and fig.n_applicable > 0:
                    home = checklist.section_of(qid).id
                    _add(counts, (home, qid, unit), fig.credit, fig.n_applicable)
            if question is None and carry.sections:
                for sfig in scoring.audit_section_figures(data.checklist, reviews):
                    _add(counts, (sfig.section_id, None, unit), sfig.n_full, sfig.n_cases)
    figures: list[FigureFunnel] = []
    for section in checklist.sections:
        wanted: list[str | None] = [None]
        if not sections_only:
            wanted += [item.id for item in section.questions]
        for qid in wanted:
            if question is not None and qid != question:
                continue
            units = [
                (unit, c.credit, c.n)
                for (sid, fid, unit), c in counts.items()
                if sid == section.id and fid == qid
            ]
            shown = stats.funnel(units, target, adjustment) if units else None
            if shown is None:
                continue
            title = section.title if qid is None else checklist.question(qid).text
            figures.append(FigureFunnel(section.id, qid, title, shown, carry.labels))
    if not figures:
        raise FindingsError("no applicable answers to plot in these audits")
    return figures


@dataclass(frozen=True)
class CarriedOver:
    """What a funnel over several versions of one checklist compares."""

    newest: Checklist
    newest_ids: dict[str, dict[str, str]]
    """Per version: a question id in that version -> the newest version's id for it, for
    the scored questions that carry over into every version pooled."""
    labels: tuple[str, ...]
    sections: bool
    """Whether sections are compared: only within one version (a section's share met in
    full rests on its questions, which differ between versions)."""


def _carried_over(checklists: Sequence[Checklist]) -> CarriedOver:
    """The questions that carry over across the versions, as a trend follows them
    (services.trend.lineage: by id, or the question a later one `replaces:`), kept only
    where the question is in every version and scored in each."""
    from casereview.services.trend import lineage

    versions = {c.version: c for c in checklists}
    in_order = sorted(versions.values(), key=lambda c: natural_key(c.version))
    newest = in_order[-1]
    ids = lineage(newest, in_order[:-1])
    kept = [
        q.id
        for q in newest.questions
        if all(
            q.id in ids[v] and c.question(ids[v][q.id]).scored == q.scored
            for v, c in versions.items()
        )
    ]
    newest_ids = {v: {ids[v][k]: k for k in kept} for v in versions}
    labels = tuple(f"{c.id}@{c.version}" for c in in_order)
    return CarriedOver(newest, newest_ids, labels, sections=len(versions) == 1)


def versions_note(figures: Sequence[FigureFunnel]) -> str:
    """Which versions were pooled, in words; empty for one version."""
    labels = figures[0].versions if figures else ()
    if len(labels) < 2:
        return ""
    return (
        f"Checklist versions pooled: {', '.join(labels)}. Only the questions that carry over "
        "into every one (the same id, or the one a later question `replaces:`; scored in "
        "each) are compared, under the newest version's ids; sections are not (their "
        "questions differ)."
    )


def _pct(x: float | None) -> float | None:
    return scoring.pct(x)


def funnel_table(figures: Sequence[FigureFunnel]) -> Table:
    """One row per figure and unit: compliance, target, z, the limits and the band."""
    rows: list[dict[str, Cell]] = []
    for fig in figures:
        spread = fig.funnel.spread
        for p in fig.funnel.points:
            rows.append(
                {
                    "section_id": fig.section_id,
                    "question_id": fig.question_id,
                    "figure": fig.title,
                    "unit": p.unit,
                    "n": p.n,
                    "compliance_pct": _pct(p.compliance),
                    "target_pct": _pct(p.target),
                    "z": None if p.z is None else round(p.z, 3),
                    "low95_pct": _pct(p.limits.low95),
                    "high95_pct": _pct(p.limits.high95),
                    "low998_pct": _pct(p.limits.low998),
                    "high998_pct": _pct(p.limits.high998),
                    "band": p.band,
                    "adjustment": fig.funnel.adjustment,
                    "phi": None if spread is None else round(spread.phi, 3),
                    "chi2": None if spread is None else round(spread.chi2, 3),
                    "chi2_df": None if spread is None else spread.df,
                    "chi2_p": None if spread is None else round(spread.p_value, 4),
                }
            )
    return Table("funnel", FUNNEL_COLUMNS, rows)


CURVE_POINTS = 40


def curve_ns(largest: int, points: int = CURVE_POINTS) -> list[int]:
    """n values to draw the limits at: 1 to a little past the largest unit, denser where the
    funnel bends (small n)."""
    top = max(2, round(largest * 1.1))
    ns = {max(1, round(top ** (i / (points - 1)))) for i in range(points)}
    return sorted(ns | {top})


def funnel_charts(figures: Sequence[FigureFunnel]) -> list[FunnelChart]:
    """A scatter with limit lines per figure, for the workbook's Charts sheet."""
    charts = []
    for fig in figures:
        f = fig.funnel
        ns = curve_ns(max(p.n for p in f.points))
        bounds = [stats.limits(n, f.target, f.adjustment, f.spread) for n in ns]
        charts.append(
            FunnelChart(
                title=f"{fig.question_id or fig.section_id}: {fig.title}",
                units=[p.unit for p in f.points],
                n=[p.n for p in f.points],
                values=[100 * p.compliance for p in f.points],
                target=100 * f.target,
                curve_n=ns,
                low95=[100 * b.low95 for b in bounds],
                high95=[100 * b.high95 for b in bounds],
                low998=[100 * b.low998 for b in bounds],
                high998=[100 * b.high998 for b in bounds],
            )
        )
    return charts


def method_text(figures: Sequence[FigureFunnel]) -> str:
    """The method in a sentence or two, for a workbook's summary and JSON's meta."""
    adjustment = figures[0].funnel.adjustment if figures else stats.NONE
    words = {
        stats.NONE: "exact binomial limits",
        stats.MULTIPLICATIVE: "limits widened by the overdispersion factor phi "
        "(10% Winsorised z-scores)",
        stats.ADDITIVE: "limits widened by a random-effects variance tau^2 (DerSimonian-Laird)",
    }[adjustment]
    return (
        "Funnel plot (Spiegelhalter 2005, Statistics in Medicine 24:1185-1202): each unit's "
        f"compliance against its applicable cases, around the target, with {words} at 95% "
        "(alert outside) and 99.8% (alarm outside). Partly counts half; the limits depend "
        "only on n and the target. Overdispersion: chi2 is the sum of the squared "
        "(10% Winsorised) z-scores, tested against chi-square on chi2_df = units - 1 "
        "degrees of freedom; chi2_p below 0.05 means more spread than chance alone."
        + (f" {versions_note(figures)}" if versions_note(figures) else "")
    )


def pooled_audits(store: Store, audit_id: int) -> list[str]:
    """The audits a funnel of this one pools (the national roll-up): this audit, then every
    other of its checklist (any version: `build` compares the questions that carry over)
    with completed reviews, of the same period and the same
    design with forces aside (the same filters but the force, the same stratification), as
    each force's audit of one inspection is. A force's monthly self-audits or a dip sample
    of another design stay out: like with like (trend_scope.Scope)."""
    from casereview.services.trend_scope import Scope

    audit = store.audit(audit_id)
    key = Scope.of(audit.scope).key(forces_aside=True)
    checklist_id = store.checklist(audit.checklist_pk).id
    others = [
        a.name
        for a in store.audits()
        if a.id != audit.id
        and a.n_complete > 0
        and a.period is not None
        and a.period == audit.period
        and Scope.of(a.scope).key(forces_aside=True) == key
        and (
            a.checklist_pk == audit.checklist_pk
            or store.checklist(a.checklist_pk).id == checklist_id
        )
    ]
    return [audit.name, *sorted(others)]
