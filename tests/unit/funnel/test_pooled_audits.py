"""Which audits the findings screen's funnel pools: one checklist version, one period, one
design with forces aside (each force's audit of one inspection), never a force's monthly
self-audits or a dip sample of another design."""

from __future__ import annotations

from casereview.core.periods import parse as parse_period
from casereview.services.funnel import pooled_audits
from casereview.store import Store
from tests.factories import TREND_ANSWERS, complete_review, trend_audits

ANSWERS = TREND_ANSWERS["Feb"][0]


def test_each_forces_audit_of_one_inspection_pools_and_nothing_else() -> None:
    store = Store.memory()
    audits = trend_audits(store)  # Feb and Mar: version 2, different periods
    assert pooled_audits(store, audits["Feb"].id) == ["Feb"]
    pk = store.audit(audits["Feb"].id).checklist_pk
    ids = [c.id for c in store.cases()]
    made = {}
    for name, force, scope in (
        ("Insp T", "Testshire", {"where": {"force": "Testshire"}}),
        ("Insp O", "Otherton", {"where": {"force": "Otherton"}}),
        ("Insp T by team", "Testshire", {"where": {"force": "Testshire"}, "stratify": "team"}),
        ("Insp T open", "Testshire", {"where": {"force": "Testshire"}}),  # none complete
    ):
        case_id = next(c.id for c in store.cases() if c.force == force)
        audit = store.create_audit(
            name, pk, [case_id], "qa", seed=1, scope=scope, period=parse_period("2024")
        )
        if name != "Insp T open":
            complete_review(store, audit.id, case_id, "qa", "primary", ANSWERS)
        made[name] = audit
    assert ids  # the fixture's cases
    assert pooled_audits(store, made["Insp T"].id) == ["Insp T", "Insp O"]
    assert pooled_audits(store, made["Insp T by team"].id) == ["Insp T by team"]
