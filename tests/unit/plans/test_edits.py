"""Editing an action: each changed field one trail event with the old and new values, the
rules of a plan held (a dropped action says why), nothing written when refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from casereview.io.imports.plans import import_plan
from casereview.store import Store, StoreError
from tests.unit.plans.factories import FORCE, force_audits
from tests.unit.plans.test_import import GOOD_CSV, write


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.memory()
    force_audits(store, months=2)
    import_plan(store, write(tmp_path, "plan.csv", GOOD_CSV), FORCE, "qa.lead")
    return store


def test_each_changed_field_is_one_trail_event(store: Store) -> None:
    before = len(store.plan_events(FORCE))
    changed = store.update_action(
        FORCE, "R1.2", {"status": "done", "owner": "dc.morgan", "due": "2024-04-30"}, "qa.lead"
    )
    assert changed == ["status", "due"]  # the owner was dc.morgan already
    action = store.plan_of(FORCE).action("R1.2")
    assert (action.status, action.due, action.updated_by) == ("done", "2024-04-30", "qa.lead")
    events = store.plan_events(FORCE)[before:]
    assert [(e.kind, e.old, e.new, e.actor) for e in events] == [
        ("action_status", "in_progress", "done", "qa.lead"),
        ("action_due", "2024-03-31", "2024-04-30", "qa.lead"),
    ]
    assert store.plan_event_items(FORCE)[before:] == ["R1.2", "R1.2"]


def test_nothing_changed_writes_nothing(store: Store) -> None:
    before = len(store.plan_events(FORCE))
    assert store.update_action(FORCE, "R1.1", {"status": "done"}, "qa.lead") == []
    assert len(store.plan_events(FORCE)) == before


def test_dropping_needs_a_reason_and_the_reason_goes_in_the_trail(store: Store) -> None:
    before = len(store.plan_events(FORCE))
    with pytest.raises(StoreError, match="a dropped action needs its reason"):
        store.update_action(FORCE, "R1.1", {"status": "dropped"}, "qa.lead")
    assert store.plan_of(FORCE).action("R1.1").status == "done"
    assert len(store.plan_events(FORCE)) == before
    store.update_action(FORCE, "R1.1", {"status": "dropped", "reason": "Merged"}, "qa.lead")
    status = [e for e in store.plan_events(FORCE) if e.kind == "action_status"][-1]
    assert (status.old, status.new, status.reason) == ("done", "dropped", "Merged")
    # planned again: the reason goes, itself an event
    store.update_action(FORCE, "R1.1", {"status": "planned"}, "qa.lead")
    assert store.plan_of(FORCE).action("R1.1").reason == ""


def test_an_unknown_action_is_refused_naming_the_actions(store: Store) -> None:
    with pytest.raises(StoreError, match=r"no action R9.9 \(actions: R1.1, R1.2, R2.1\)"):
        store.update_action(FORCE, "R9.9", {"status": "done"}, "qa.lead")


def test_a_new_action_is_numbered_after_the_others(store: Store) -> None:
    from casereview.core.plans import DraftAction

    action = store.add_action(
        FORCE, "R1", DraftAction("Check A-1 monthly", questions=("A-1",)), "qa.lead", "findings"
    )
    assert (action.ref, action.status, action.questions) == ("R1.3", "planned", ("A-1",))
    last = store.plan_events(FORCE)[-1]
    assert (last.kind, last.new, last.reason) == ("action_added", "Check A-1 monthly", "findings")
