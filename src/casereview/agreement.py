"""Agreement between primary and second reviewers, shaped for the export and the screen."""

from __future__ import annotations

from casereview import findings, scoring
from casereview.export import Cell, Table

AGREEMENT_COLUMNS = ("section_id", "question_id", "n_pairs", "agree_pct", "kappa", "kappa_band")


def agreement_figures(
    data: findings.AuditData,
) -> list[tuple[str, list[scoring.AgreementFigures], scoring.AgreementFigures]]:
    """Per section in checklist order: its questions' agreement and the section's own, which
    pools the answer pairs of all its questions."""
    findings.require_answered(data)
    per_question = {f.question_id: f for f in scoring.audit_agreement(data.checklist, data.reviews)}
    per_section = {
        f.question_id: f for f in scoring.section_agreement(data.checklist, data.reviews)
    }
    return [
        (s.id, [per_question[q.id] for q in s.questions], per_section[s.id])
        for s in data.checklist.sections
    ]


def agreement_table(data: findings.AuditData) -> Table:
    """A row per question, and after each section's questions a row for the section with an
    empty question_id, pooling the answer pairs of its questions (n_pairs counts them)."""

    def row(
        section_id: str, question_id: str | None, fig: scoring.AgreementFigures
    ) -> dict[str, Cell]:
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
