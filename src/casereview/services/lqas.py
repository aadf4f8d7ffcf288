"""LQAS verdicts per unit and question (core/stats/lqas.py): the design for a standard,
threshold and the risks accepted, applied to each unit's applicable files as the funnel
counts them (services/funnel.build). Shared by `casereview lqas` and the findings screen's
LQAS view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from casereview.core.stats import lqas
from casereview.core.tables import Cell
from casereview.services.funnel import FigureFunnel

DEFAULTS = (0.80, 0.50, 0.10, 0.10)
"""Standard, threshold, alpha, beta: the 80% / 50% design at 10% risks (n = 19, d = 6)."""
LQAS_COLUMNS = ("section_id", "question_id", "question", "unit", "n", "failures", "d", "verdict")


@dataclass(frozen=True)
class Row:
    section_id: str
    question_id: str
    question: str
    unit: str
    seen: lqas.Verdict

    def cells(self) -> dict[str, Cell]:
        return {
            "section_id": self.section_id,
            "question_id": self.question_id,
            "question": self.question,
            "unit": self.unit,
            "n": self.seen.n,
            "failures": self.seen.failures,
            "d": self.seen.d,
            "verdict": self.seen.verdict,
        }


def verdicts(
    figures: Sequence[FigureFunnel], design: lqas.Plan, alpha: float, beta: float
) -> list[Row]:
    """Each question's verdict per unit, in the checklist's order; sections are left out (a
    section's share met in full is not a pass/fail per file)."""
    rows = []
    for fig in figures:
        if fig.question_id is None:
            continue
        for p in fig.funnel.points:
            seen = lqas.verdict(design, p.credit, p.n, alpha, beta)
            rows.append(Row(fig.section_id, fig.question_id, fig.title, p.unit, seen))
    return rows
