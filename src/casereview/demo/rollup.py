"""The demo's national roll-up: one inspection across seven forces of different sizes, as
the inspectorate holds it once each force's bundle is merged, so the findings screen's
funnel (f) has forces to set side by side, and one of them is genuinely out of line."""

from __future__ import annotations

import random

from casereview.core.periods import parse as parse_period
from casereview.demo.monthly import answers_for_case
from casereview.io.imports.answers import ImportedReview
from casereview.store import Store

ROLLUP_AUDIT = "National stalking inspection 2024"
ROLLUP_SEED = 2427
REVIEWER = "insp.khan"
OUT_OF_LINE = "Highfield Constabulary"
# (force, files read, share of files handled well): Highfield handles far fewer files well
# than the rest, beyond what its sixteen files leave to chance. Small samples, as a dip
# sample's are, and few enough that the demo still builds in a second or two.
FORCES = (
    ("Northmoor Police", 20, 0.7),
    ("Eastvale Police", 12, 0.75),
    ("Riverside Constabulary", 30, 0.7),
    ("Westmarch Police", 8, 0.65),
    (OUT_OF_LINE, 24, 0.0),
    ("Southport Police", 25, 0.72),
    ("Lakeland Police", 10, 0.7),
)
_NEW_FORCES = {"Westmarch Police": "WM", OUT_OF_LINE: "HF", "Southport Police": "SP",
               "Lakeland Police": "LK"}  # fmt: skip
"""Forces not in the sample pool: their files are added, synthetic as the pool's are."""


def _new_cases(rng: random.Random) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for force, prefix in _NEW_FORCES.items():
        size = next(n for f, n, _ in FORCES if f == force)
        for i in range(size):
            day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00"
            rows.append(
                (f"{prefix}/24/{i + 1:04d}", force, "Public Protection", "Stalking (s2A)",
                 day, day, None, None, None, None, None, {})
            )  # fmt: skip
    return rows


def rollup_audit(store: Store) -> None:
    """The inspection: each force's files read by the inspectorate, every review complete,
    stored in one transaction (the import path: the demo stays fast to build)."""
    rng = random.Random(ROLLUP_SEED)
    store.insert_case_rows(_new_cases(rng))
    info = store.find_checklist("stalking-casefile")
    checklist = store.checklist(info.pk)
    by_force: dict[str, list[int]] = {}
    cases = {case.id: case for case in store.cases()}
    for case in cases.values():
        by_force.setdefault(case.force or "", []).append(case.id)
    chosen: list[tuple[int, float]] = []
    for force, size, good in FORCES:
        pool = sorted(by_force[force])
        chosen += [(case_id, good) for case_id in rng.sample(pool, size)]
    audit = store.create_audit(
        ROLLUP_AUDIT,
        info.pk,
        [case_id for case_id, _ in chosen],
        "demo",
        seed=ROLLUP_SEED,
        period=parse_period("2024"),
    )
    reviews = [
        ImportedReview(
            case_id,
            "primary",
            REVIEWER,
            answers=answers_for_case(checklist, rng, rng.random() < good, cases[case_id].scope()),
            complete=True,
        )
        for case_id, good in chosen
    ]
    store.import_reviews(audit.id, reviews, "demo")
