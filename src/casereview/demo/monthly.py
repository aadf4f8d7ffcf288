"""The demo's monthly self-audits: one force, one checklist, three months, getting better."""

from __future__ import annotations

import random

from casereview.core.checklist.models import Checklist
from casereview.core.checklist.scope import CaseScope
from casereview.io.imports.answers import ImportedReview
from casereview.services.sampling import Scope, create_sampled_audit
from casereview.store import Store

REVIEWER = "qa.patel"
MONTHLY_SIZE = 10
MONTHLY_SEED = 2410
# (name, first day, last day, share of files handled well): the force's quality team checks
# ten files a month after its stalking action plan, and the share of well-handled files
# grows, so `casereview trend` and the Trends screen have a trend to show.
MONTHS = (
    ("Northmoor monthly audit Oct 2024", "2024-10-01", "2024-10-31", 0.2),
    ("Northmoor monthly audit Nov 2024", "2024-11-01", "2024-11-30", 0.5),
    ("Northmoor monthly audit Dec 2024", "2024-12-01", "2024-12-31", 0.9),
)
# A well-handled file meets nearly every standard; the others have the usual gaps.
_GOOD = {"yes": 40, "partly": 1, "no": 1, "na": 2, "unknown": 0}
_POOR = {"yes": 4, "partly": 2, "no": 4, "na": 1, "unknown": 1}
_FACT = {"yes": 1, "no": 1, "na": 1, "unknown": 0}


def answers_for_case(
    checklist: Checklist, rng: random.Random, good: bool, case: CaseScope
) -> dict[str, tuple[str, str]]:
    """Answers to every question shown for the case, skip logic applied as the reviewer goes."""
    given: dict[str, str | None] = {}
    for q in checklist.questions:
        if q.id not in checklist.visible(given, case):
            continue
        weights = _FACT if not q.scored else _GOOD if good else _POOR
        options = [o for o in q.answers if weights[o] > 0] or list(q.answers)
        given[q.id] = rng.choices(options, [weights[o] or 1 for o in options])[0]
    return {qid: (value, "") for qid, value in given.items() if value is not None}


def monthly_audits(store: Store, force: str) -> None:
    """Three monthly self-audits on the current checklist, every review complete, stored in
    one transaction each (the import path: the demo builds in well under a second)."""
    info = store.find_checklist("stalking-casefile")
    checklist = store.checklist(info.pk)
    for i, (name, start, end, good) in enumerate(MONTHS):
        seed = MONTHLY_SEED + i
        audit, sample, _pool = create_sampled_audit(
            store,
            name,
            info.pk,
            MONTHLY_SIZE,
            seed,
            Scope({"force": force}, start, end),
            created_by="demo",
            reviewers=[REVIEWER],
        )
        rng = random.Random(seed)
        reviews = [
            ImportedReview(
                case.id,
                "primary",
                REVIEWER,
                answers=answers_for_case(checklist, rng, rng.random() < good, case.scope()),
                complete=True,
            )
            for case in sample.cases
        ]
        store.import_reviews(audit.id, reviews, "demo")
