"""Agreement between primary and second reviewers: Cohen's kappa and its Landis-Koch band
(pure), then the figures shaped for the export and the screen."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from casereview.core.stats import scoring
from casereview.core.stats.scoring import ReviewRecord
from casereview.core.tables import Cell, Table
from casereview.services import findings


@dataclass(frozen=True)
class AgreementFigures:
    question_id: str
    n_pairs: int
    agree: int
    agree_pct: float | None
    kappa: float | None
    band: str | None


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Unweighted Cohen's kappa over the categories either rater used; None where undefined."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in set(first) | set(second)) / (n * n)
    if expected >= 1.0 - 1e-12:
        return None
    return (observed - expected) / (1 - expected)


def landis_koch_band(kappa: float | None) -> str | None:
    """Landis & Koch (1977), Biometrics 33:159, Table 1: < 0.00 poor, 0.00-0.20 slight,
    0.21-0.40 fair, 0.41-0.60 moderate, 0.61-0.80 substantial, 0.81-1.00 almost perfect.
    So kappa 0 (agreement no better than chance) is slight, not poor."""
    if kappa is None:
        return None
    if kappa < 0:
        return "poor"
    for limit, band in (
        (0.20, "slight"),
        (0.40, "fair"),
        (0.60, "moderate"),
        (0.80, "substantial"),
    ):
        if kappa <= limit:
            return band
    return "almost perfect"


def _pairs(checklist: Any, reviews: Iterable[ReviewRecord]) -> list[tuple[dict, dict]]:  # type: ignore[type-arg]
    by_case: dict[int, dict[str, ReviewRecord]] = defaultdict(dict)
    for r in reviews:
        if r.status == "complete" and r.role in ("primary", "second"):
            by_case[r.case_id][r.role] = r
    return [
        (
            checklist.effective_answers(roles["primary"].answers),
            checklist.effective_answers(roles["second"].answers),
        )
        for _case, roles in sorted(by_case.items())
        if "primary" in roles and "second" in roles
    ]


def _agreement(label: str, pairs: list[tuple[str, str]]) -> AgreementFigures:
    n = len(pairs)
    agree = sum(1 for a, b in pairs if a == b)
    kappa = cohen_kappa(pairs)
    return AgreementFigures(
        question_id=label,
        n_pairs=n,
        agree=agree,
        agree_pct=100 * agree / n if n else None,
        kappa=kappa,
        band=landis_koch_band(kappa),
    )


def audit_agreement(checklist: Any, reviews: Iterable[ReviewRecord]) -> list[AgreementFigures]:
    """Per question, over cases with both a completed primary and a completed second review."""
    pairs = _pairs(checklist, reviews)
    return [
        _agreement(q.id, [(str(p[q.id]), str(s[q.id])) for p, s in pairs])
        for q in checklist.questions
    ]


def section_agreement(checklist: Any, reviews: Iterable[ReviewRecord]) -> list[AgreementFigures]:
    """Per section, pooling the pairs of all its questions."""
    pairs = _pairs(checklist, reviews)
    return [
        _agreement(s.id, [(str(p[q.id]), str(sec[q.id])) for p, sec in pairs for q in s.questions])
        for s in checklist.sections
    ]


# --------------------------------------------------------------------------- for an audit

AGREEMENT_COLUMNS = ("section_id", "question_id", "n_pairs", "agree_pct", "kappa", "kappa_band")


def agreement_figures(
    data: findings.AuditData,
) -> list[tuple[str, list[AgreementFigures], AgreementFigures]]:
    """Per section in checklist order: its questions' agreement and the section's own, which
    pools the answer pairs of all its questions."""
    findings.require_answered(data)
    per_question = {f.question_id: f for f in audit_agreement(data.checklist, data.reviews)}
    per_section = {f.question_id: f for f in section_agreement(data.checklist, data.reviews)}
    return [
        (s.id, [per_question[q.id] for q in s.questions], per_section[s.id])
        for s in data.checklist.sections
    ]


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
            "kappa": round(fig.kappa, 3) if fig.kappa is not None else None,
            "kappa_band": fig.band,
        }

    rows: list[dict[str, Cell]] = []
    for section_id, questions, pooled in agreement_figures(data):
        rows += [row(section_id, fig.question_id, fig) for fig in questions]
        rows.append(row(section_id, None, pooled))
    return Table("agreement", ("audit", *AGREEMENT_COLUMNS), rows)
