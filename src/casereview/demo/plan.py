"""The demo's action plan for Northmoor: recommendations of the 2024 report as the force
numbers them, with actions linked to the super-complaint's concerns, set against the monthly
self-audits (demo/monthly.py). Their answers give, as the plan screen and the progress report
show them: one action done and shown to have moved (identification: Oct 46% of 70 answers,
Dec 89% of 90), one done and not shown to have moved (breaches: Nov 84% of 22, Dec 84% of
19), one overdue, and a recommendation with no action yet."""

from __future__ import annotations

from casereview.core.plans import DraftAction, DraftRecommendation
from casereview.store import Store

PLAN = (
    DraftRecommendation(
        "R1",
        "Identify and record stalking correctly from the first report",
        actions=(
            DraftAction(
                "Train control-room staff to recognise stalking (FOUR patterns)",
                owner="insp.khan",
                due="2024-10-31",
                status="done",
                tags=("identification",),
            ),
        ),
    ),
    DraftRecommendation(
        "R2",
        "Act on every breach of a protective order",
        actions=(
            DraftAction(
                "Breach reports flagged to the case officer within 24 hours",
                owner="dc.morgan",
                due="2024-11-30",
                status="done",
                tags=("breaches",),
            ),
        ),
    ),
    DraftRecommendation(
        "R3",
        "Apply for Stalking Protection Orders wherever the tests are met",
        actions=(
            DraftAction(
                "SPO champion in every investigation team",
                owner="supt.hale",
                due="2025-03-31",
                status="in_progress",
                tags=("spo",),
            ),
        ),
    ),
    DraftRecommendation("R4", "Refer every victim to a specialist stalking advocate"),
)


def demo_plan(store: Store, force: str) -> None:
    store.import_plan(force, PLAN, "demo", "demo")
