"""Agreement between primary and second reviewers, shaped for the export and the screen:
per question and pooled per section, kappa with its 95% interval, Gwet's AC1 and the
Landis-Koch band (the formulas are pure, in core.stats.agreement).

Which pairs count is settled here, once: a case with a completed primary and a completed
second review gives a pair for each question shown in at least one of the two reviews. A
question skip logic hid in both is left out (their agreement is already counted on the
question that hid it); one shown to one reviewer only is a disagreement, the hidden side
counted as its own category, `hidden`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from casereview.core.stats import agreement as stats
from casereview.core.stats import scoring
from casereview.core.stats.agreement import AnswerPair
from casereview.core.stats.scoring import ReviewRecord
from casereview.core.tables import Cell, Table
from casereview.services import findings

if TYPE_CHECKING:
    from casereview.core.checklist.models import Checklist, Question
    from casereview.core.checklist.scope import CaseScope

HIDDEN = "hidden"
"""The category of a question skip logic hid in one review of a pair (shown in the other)."""


@dataclass(frozen=True)
class AgreementFigures:
    question_id: str
    """The question's id, or the section's for a section's pooled figures."""
    n_pairs: int
    n_cases: int
    """The cases the pairs come from (a section's pooled pairs: several per case)."""
    agree: int
    agree_pct: float | None
    kappa: float | None
    kappa_ci_low: float | None
    """95% interval from the asymptotic standard error; None where too few (pairs or cases)
    or where that error is 0 (every pair agrees: the interval would be the point itself)."""
    kappa_ci_high: float | None
    ac1: float | None
    band: str | None
    """The Landis-Koch band; None where kappa is undefined or the pairs are too few."""

    @property
    def too_few(self) -> bool:
        return stats.too_few_pairs(self.n_pairs, self.n_cases)

    @property
    def band_text(self) -> str | None:
        """The band cell: the band, or "too few pairs (n)" / "too few cases (n)"."""
        return stats.band_text(self.n_pairs, self.kappa, self.n_cases)


@dataclass(frozen=True)
class ReviewPair:
    """One case's completed primary and second review, each question's answer as compared:
    the answer given, or HIDDEN where skip logic hid the question."""

    case_id: int
    primary: Mapping[str, str]
    second: Mapping[str, str]

    def answers(self, question_id: str) -> AnswerPair | None:
        """The pair of answers to one question; None where it was hidden in both reviews."""
        a, b = self.primary[question_id], self.second[question_id]
        return None if a == b == HIDDEN else AnswerPair(a, b)


class SectionAgreement(NamedTuple):
    """A section's questions' agreement in checklist order, and the section's own, which
    pools the answer pairs of all its questions."""

    section_id: str
    questions: list[AgreementFigures]
    pooled: AgreementFigures


def scale(question: Question) -> tuple[str, ...]:
    """The categories AC1 counts for a question: the answer values it allows, and `hidden`
    where skip logic or its scope (applies_from, applies_to) can hide it."""
    can_hide = question.show_if or question.applies_from or question.applies_to
    return (*question.answers, HIDDEN) if can_hide else tuple(question.answers)


def compared(
    checklist: Checklist, answers: Mapping[str, str | None], case: CaseScope | None = None
) -> dict[str, str]:
    """Each question's answer as agreement compares it: HIDDEN where skip logic or the case's
    scope (a question not yet in force, a pilot elsewhere) hides it."""
    hidden = set(checklist.hidden_ids(answers, case))
    return {
        q.id: HIDDEN if q.id in hidden else str(answers.get(q.id) or "unanswered")
        for q in checklist.questions
    }


def review_pairs(checklist: Checklist, reviews: Iterable[ReviewRecord]) -> list[ReviewPair]:
    """The cases with both a completed primary and a completed second review, by case id."""
    by_case: dict[int, dict[str, ReviewRecord]] = defaultdict(dict)
    for r in reviews:
        if r.status == "complete" and r.role in ("primary", "second"):
            by_case[r.case_id][r.role] = r
    return [
        ReviewPair(
            case_id,
            compared(checklist, roles["primary"].answers, roles["primary"].case),
            compared(checklist, roles["second"].answers, roles["second"].case),
        )
        for case_id, roles in sorted(by_case.items())
        if "primary" in roles and "second" in roles
    ]


def pair_figures(
    label: str, cases: Sequence[ReviewPair], questions: Sequence[Question]
) -> AgreementFigures:
    """The agreement of these questions' answer pairs over the cases, hidden-in-both left
    out; AC1 over the union of the questions' scales (a calibration compares each reviewer
    with gold through it, gold as the primary)."""
    by_case = [[a for q in questions if (a := c.answers(q.id)) is not None] for c in cases]
    pairs = [a for case in by_case for a in case]
    n, n_cases = len(pairs), sum(1 for case in by_case if case)
    agree = sum(1 for a, b in pairs if a == b)
    kappa = stats.cohen_kappa(pairs)
    too_few = stats.too_few_pairs(n, n_cases)
    interval = None if too_few else stats.kappa_interval(pairs)
    if interval is not None and interval.se == 0:
        interval = None  # every pair agrees: se 0 would make the interval the point itself
    return AgreementFigures(
        question_id=label,
        n_pairs=n,
        n_cases=n_cases,
        agree=agree,
        agree_pct=100 * agree / n if n else None,
        kappa=kappa,
        kappa_ci_low=interval.low if interval else None,
        kappa_ci_high=interval.high if interval else None,
        ac1=stats.gwet_ac1(pairs, {c for q in questions for c in scale(q)}),
        band=None if too_few else stats.landis_koch_band(kappa),
    )


def audit_agreement(
    checklist: Checklist, reviews: Iterable[ReviewRecord]
) -> list[AgreementFigures]:
    """Per question, over cases with both a completed primary and a completed second review."""
    pairs = review_pairs(checklist, reviews)
    return [pair_figures(q.id, pairs, [q]) for q in checklist.questions]


def section_agreement(
    checklist: Checklist, reviews: Iterable[ReviewRecord]
) -> list[AgreementFigures]:
    """Per section, pooling the pairs of all its questions (AC1 over the union of their
    scales; a band only where the pairs come from enough cases)."""
    pairs = review_pairs(checklist, reviews)
    return [pair_figures(s.id, pairs, s.questions) for s in checklist.sections]


# --------------------------------------------------------------------------- for an audit

CELL_HEADINGS = ("Pairs", "Agree", "Kappa (95% CI)", "AC1", "Band")


def figure_cells(fig: AgreementFigures) -> tuple[str, str, str, str, str]:
    """How a figure reads on the screen and in the report, under CELL_HEADINGS: '18',
    '16 of 18 (89%)', '0.68 (0.27 to 1.00)', '0.88', 'substantial'. Below 10 pairs (or a
    section's pairs from fewer than 10 cases) kappa and AC1 are not shown and the band reads
    "too few pairs (n)" or "too few cases (n)": on so few they would read as a verdict they
    cannot carry (the export still gives their values)."""
    n = str(fig.n_pairs)
    if fig.n_pairs == 0:
        return n, "-", "-", "-", "no pairs"
    agree = scoring.share_words(fig.agree, fig.n_pairs)
    if fig.too_few:
        return n, agree, "-", "-", fig.band_text or ""
    kappa = "undefined" if fig.kappa is None else f"{fig.kappa:.2f}"
    if fig.kappa_ci_low is not None and fig.kappa_ci_high is not None:
        kappa += f" ({fig.kappa_ci_low:.2f} to {fig.kappa_ci_high:.2f})"
    ac1 = "-" if fig.ac1 is None else f"{fig.ac1:.2f}"
    return n, agree, kappa, ac1, fig.band_text or "-"


AGREEMENT_COLUMNS = (
    "section_id",
    "question_id",
    "n_pairs",
    "agree_pct",
    "kappa",
    "kappa_band",
    "kappa_ci_low",
    "kappa_ci_high",
    "ac1",
)


def agreement_figures(data: findings.AuditData) -> list[SectionAgreement]:
    """Per section in checklist order: its questions' agreement and the section's own."""
    findings.require_answered(data)
    per_question = {f.question_id: f for f in audit_agreement(data.checklist, data.reviews)}
    per_section = {f.question_id: f for f in section_agreement(data.checklist, data.reviews)}
    return [
        SectionAgreement(s.id, [per_question[q.id] for q in s.questions], per_section[s.id])
        for s in data.checklist.sections
    ]


def _three_places(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None


def agreement_table(data: findings.AuditData) -> Table:
    """A row per question, and after each section's questions a row for the section with an
    empty question_id, pooling the answer pairs of its questions (n_pairs counts them)."""

    def row(section_id: str, question_id: str | None, fig: AgreementFigures) -> dict[str, Cell]:
        return {
            "audit": data.audit.name,
            "section_id": section_id,
            "question_id": question_id,
            "n_pairs": fig.n_pairs,
            "agree_pct": scoring.pct(fig.agree_pct / 100) if fig.agree_pct is not None else None,
            "kappa": _three_places(fig.kappa),
            "kappa_band": fig.band_text,
            "kappa_ci_low": _three_places(fig.kappa_ci_low),
            "kappa_ci_high": _three_places(fig.kappa_ci_high),
            "ac1": _three_places(fig.ac1),
        }

    rows: list[dict[str, Cell]] = []
    for section_id, questions, pooled in agreement_figures(data):
        rows += [row(section_id, fig.question_id, fig) for fig in questions]
        rows.append(row(section_id, None, pooled))
    return Table("agreement", ("audit", *AGREEMENT_COLUMNS), rows)
