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
    # synthetic cases written for it, said so, in a force of their own that no audit samples
    cases = [store.case(c) for c in info.case_ids]
    assert [c.case_ref for c in cases] == [f"SYN-CAL-{i:02d}" for i in range(1, 11)]
    assert {c.force for c in cases} == {"Calibration (synthetic)"}
    assert all((c.summary or "").startswith("SYNTHETIC.") for c in cases)
    assert all(store.case(ac.case.id).force != "Calibration (synthetic)"
               for a in store.audits() for ac in store.audit_cases(a.id))  # fmt: skip
    # the gold's answers and reasons as written for the case, where it turns on them
    first = next(r for r in gold if r.case_id == info.case_ids[0])
    assert first.answers["RISK-01"] == "yes"
    assert first.notes["RISK-01"] == "DASH completed at first contact, scored high."
    assert first.notes["SPO-01"].startswith("An interim SPO is discussed")
    figs = calibration.read(store, DEMO_CALIBRATION, "newcomer")
    verdicts = {r.reviewer: r.passed for r in figs.reviewers}
    assert verdicts == {"insp.khan": True, "dc.morgan": True, "ps.osei": False}
    osei = next(r for r in figs.reviewers if r.reviewer == "ps.osei")
    assert osei.lean.above > 5 * osei.lean.below  # leans to Yes, which the counts show
    assert osei.lean.reviewer_counts["yes"] > osei.lean.gold_counts["yes"]
    store.close()
