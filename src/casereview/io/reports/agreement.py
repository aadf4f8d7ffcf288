"""The findings report's agreement section: each section's pooled agreement between the
primary and the blind second reviewer, written as the findings screen writes it."""

from __future__ import annotations

from casereview.core.stats.agreement import MIN_PAIRS_FOR_BAND
from casereview.io.reports import blocks as reportdoc
from casereview.io.reports.blocks import Block, Heading
from casereview.services import agreement, findings


def agreement_blocks(data: findings.AuditData) -> list[Block]:
    """Nothing where no case has two completed reviews yet."""
    n_cases = len(agreement.review_pairs(data.checklist, data.reviews))
    if n_cases == 0:
        return []
    titles = {s.id: s.title for s in data.checklist.sections}
    rows = tuple(
        (titles[section.section_id], *agreement.figure_cells(section.pooled))
        for section in agreement.agreement_figures(data)
    )
    return [
        Heading("Agreement between reviewers", 2),
        reportdoc.paragraph(
            f"{n_cases} case files were reviewed blind by a second reviewer. Each section "
            "pools the answer pairs of its questions; a question skip logic hid from both "
            "reviewers is left out, one shown to only one of them counts as a disagreement. "
            "Kappa (Cohen 1960) is given with its 95% interval (asymptotic standard error, "
            "Fleiss, Cohen & Everitt 1969) and Gwet's AC1 (2008) beside it, which stays "
            "steady where one answer dominates and kappa collapses (Feinstein & Cicchetti "
            f"1990). Bands are Landis & Koch (1977), given on {MIN_PAIRS_FOR_BAND} pairs or "
            "more. Per question: casereview export agreement."
        ),
        reportdoc.Grid(
            ("Section", *agreement.CELL_HEADINGS),
            (False, True, False, True, True, False),  # kappa and its interval never broken
            rows,
        ),
    ]
