"""The demo database: the sample pool, the shipped checklist, an audit part-reviewed."""

from __future__ import annotations

import random

from casereview.core.checklist.models import Checklist
from casereview.core.periods import parse as parse_period
from casereview.demo.calibration import demo_calibration
from casereview.demo.monthly import monthly_audits
from casereview.demo.plan import demo_plan
from casereview.demo.rollup import rollup_audit
from casereview.io.imports.cases import read_case_file
from casereview.services.sampling import Scope, create_sampled_audit
from casereview.store import Store, StoreError
from casereview.store.shipped import sample_pool

DEMO_AUDIT = "Northmoor stalking dip sample 2024"
DEMO_SEED = 2024
DEMO_SIZE = 20
# The dip sample is drawn from every Northmoor file, all reported in 2024, with no report-date
# filter: its period is the year, given, not the day the demo was built. Stratified by team
# and spanning the monthly self-audits, it is a different scope: a trend shows it beside them
# and draws no change between them.
DEMO_PERIOD = "2024"
# An earlier self-audit on the first checklist version, complete, so that both versions (and,
# from one audit to the next, what changed) are there to be seen.
EARLIER_AUDIT = "Northmoor self-audit Q1 2024"
EARLIER_SIZE = 10
# Answer weights that make findings worth looking at: mostly good files, some gaps.
_WEIGHTS = {"yes": 6, "partly": 2, "no": 2, "na": 1, "unknown": 1}


def _walk(checklist: Checklist, answers: dict[str, str | None], rng: random.Random, case=None):  # type: ignore[no-untyped-def]
    for q in checklist.questions:
        if q.id not in checklist.visible(answers, case):
            continue
        options = list(q.answers)
        answers[q.id] = rng.choices(options, [_WEIGHTS[o] for o in options])[0]
        yield q.id


def build_demo(store: Store, reviewer: str) -> bool:
    """Fill an empty database with the demo; returns False when the demo audit exists already."""
    if any(a.name == DEMO_AUDIT for a in store.audits()):
        return False
    n_cases = store.count_cases()
    if n_cases:
        # Invented answers must never mix with real reviews: the demo only fills a new file.
        raise StoreError(
            f"this database already holds {n_cases} cases; the demo is built in a new file "
            "(give another --db, or none for demo.db here)"
        )
    store.ensure_shipped_checklists()
    store.insert_case_rows(read_case_file(sample_pool()).rows)
    force = "Northmoor Police"
    # Created first, so the audit list (newest first) still opens on the dip sample.
    rollup_audit(store)
    monthly_audits(store, force)
    demo_plan(store, force)
    _earlier_audit(store, force)
    info = store.find_checklist("stalking-casefile")  # the current version
    audit, sample, _pool = create_sampled_audit(
        store,
        DEMO_AUDIT,
        info.pk,
        DEMO_SIZE,
        DEMO_SEED,
        Scope({"force": force}),
        created_by="demo",
        stratify="team",
        reviewers=[reviewer, "insp.khan"],
        period=parse_period(DEMO_PERIOD),
    )
    ids = [c.id for c in sample.cases]
    checklist = store.checklist(info.pk)
    rng = random.Random(DEMO_SEED)
    # Five reviews complete, and one of the newcomer's own half-way through, so findings have
    # data and the newcomer can pick up a review where it stopped. Each case is reviewed by the
    # reviewer it was assigned to.
    for i, case_id in enumerate(ids[:6]):
        who = reviewer if i % 2 == 0 else "insp.khan"
        review = store.open_review(audit.id, case_id, who)
        answers: dict[str, str | None] = {}
        steps = list(_walk(checklist, answers, rng, store.case(case_id).scope()))
        finish = i != 4
        for qid in steps if finish else steps[: len(steps) // 2]:
            store.set_answer(review.id, qid, answers[qid], who)
        if finish:
            store.complete_review(review.id, who)
    # Two files blind second-reviewed, so agreement and moderation have something to show.
    store.assign_second(audit.id, ids[:2], "dc.morgan", "demo")
    for case_id in ids[:2]:
        review = store.open_review(audit.id, case_id, "dc.morgan", "second")
        primary = store.answer_values(store.reviews_of_case(audit.id, case_id)[0].id)
        answers = {}
        scope = store.case(case_id).scope()
        for q in checklist.questions:
            if q.id not in checklist.visible(answers, scope):
                continue
            value = primary.get(q.id)
            if value is None or rng.random() < 0.12:  # reviewers mostly agree, not always
                value = rng.choice(q.answers)
            answers[q.id] = value
            store.set_answer(review.id, q.id, value, "dc.morgan")
        store.complete_review(review.id, "dc.morgan")
    # A calibration on synthetic cases written for it: the gold and three blind reviews.
    demo_calibration(store, info.pk)
    return True


def _earlier_audit(store: Store, force: str) -> None:
    """A first-quarter self-audit on checklist 1.0, every review complete."""
    info = store.find_checklist("stalking-casefile@1.0")
    audit, sample, _pool = create_sampled_audit(
        store,
        EARLIER_AUDIT,
        info.pk,
        EARLIER_SIZE,
        DEMO_SEED - 1,
        Scope({"force": force}, "2024-01-01", "2024-03-31"),
        created_by="demo",
        reviewers=["insp.khan"],
    )
    checklist = store.checklist(info.pk)
    rng = random.Random(DEMO_SEED - 1)
    for case in sample.cases:
        review = store.open_review(audit.id, case.id, "insp.khan")
        answers: dict[str, str | None] = {}
        for qid in list(_walk(checklist, answers, rng)):
            store.set_answer(review.id, qid, answers[qid], "insp.khan")
        store.complete_review(review.id, "insp.khan")
