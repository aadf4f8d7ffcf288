"""The demo ships a gold set and three reviewers' calibration reviews, one of whom drifts."""

from __future__ import annotations

from casereview.demo.build import DEMO_AUDIT, build_demo
from casereview.demo.calibration import DEMO_CALIBRATION, MODERATOR, REVIEWERS
from casereview.services import calibration
from casereview.store import Store


def test_the_demo_calibration_has_gold_reasons_and_one_reviewer_who_drifts() -> None:
    store = Store.memory()
    assert build_demo(store, "newcomer")
    info = store.calibration_named(DEMO_CALIBRATION)
    assert (info.moderator, info.reviewers, len(info.case_ids)) == (MODERATOR, REVIEWERS, 10)
    reviews = store.calibration_reviews(info.id)
    gold = [r for r in reviews if r.role == "gold"]
    assert len(gold) == 10 and all(r.notes for r in gold)  # the gold gives its reasons
    # none of the calibration's files is in the dip sample: it never touches its findings
    sampled = {ac.case.id for ac in store.audit_cases(store.audit_named(DEMO_AUDIT).id)}
    assert not sampled & set(info.case_ids)
    figs = calibration.read(store, DEMO_CALIBRATION, "newcomer")
    verdicts = {r.reviewer: r.passed for r in figs.reviewers}
    assert verdicts == {"insp.khan": True, "dc.morgan": True, "ps.osei": False}
    osei = next(r for r in figs.reviewers if r.reviewer == "ps.osei")
    assert osei.lean.above > 5 * osei.lean.below  # leans to Yes, which the counts show
    assert osei.lean.reviewer_counts["yes"] > osei.lean.gold_counts["yes"]
    store.close()
