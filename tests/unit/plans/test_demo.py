"""The demo's plan for Northmoor against its monthly audits: one action done and shown to have
moved, one done and not shown to have moved, one overdue, a recommendation with no action."""

from __future__ import annotations

from casereview.demo.build import build_demo
from casereview.services.plans import MOVED, NOT_SHOWN, plan_evidence
from casereview.store import Store


def test_the_demo_plan_shows_each_kind_of_progress() -> None:
    store = Store.memory()
    assert build_demo(store, "newcomer")
    plan = store.plan_of("Northmoor Police")
    assert [r.ref for r in plan.recommendations if not r.actions] == ["R4"]
    found = {e.action.ref: e for e in plan_evidence(store, plan, "2026-01-01")}
    assert (found["R1.1"].verdict, found["R1.1"].overdue) == (MOVED, False)
    (identification,) = found["R1.1"].links
    assert identification.before and identification.after
    assert (identification.before.audit, identification.after.audit) == (
        "Northmoor monthly audit Oct 2024",
        "Northmoor monthly audit Dec 2024",
    )
    assert identification.change and identification.change.low > 0
    assert found["R2.1"].verdict == NOT_SHOWN
    (breaches,) = found["R2.1"].links
    assert breaches.change and breaches.change.low < 0 < breaches.change.high
    assert found["R3.1"].overdue and found["R3.1"].verdict is None
