"""The plan merge's rules on their own (core.bundles.plans: pure), on plans built by hand."""

from __future__ import annotations

import copy
from typing import Any

from casereview.core.bundles.plans import merge_plan

P, R1, A1 = (f"00000000-0000-4000-8000-00000000000{n}" for n in (1, 2, 3))


def event(n: int, item: str | None, kind: str, new: str | None, actor: str = "lead") -> Any:
    return {"uuid": f"00000000-0000-4000-8000-0000000001{n:02d}", "item": item, "kind": kind,
            "old": None, "new": new, "reason": None, "actor": actor,
            "at": f"2025-01-{n:02d}T09:00:00"}  # fmt: skip


def base() -> Any:
    return {
        "uuid": P, "force": "Testshire", "created_by": "lead", "created_at": "2025-01-01",
        "recommendations": [{"uuid": R1, "ref": "R1", "text": "Record it", "tag": "",
                             "position": 0}],
        "actions": [{"uuid": A1, "recommendation": R1, "ref": "R1.1", "text": "Train",
                     "owner": "ann", "due": None, "status": "planned", "reason": "",
                     "questions": [], "tags": [], "updated_by": "lead",
                     "updated_at": "2025-01-01"}],
        "events": [event(1, None, "plan_imported", "Testshire"),
                   event(2, "R1", "recommendation_added", "Record it"),
                   event(3, "R1.1", "action_added", "Train")],
    }  # fmt: skip


def changed(plan: Any, n: int, field: str, value: Any, actor: str) -> Any:
    out = copy.deepcopy(plan)
    out["actions"][0][field] = value
    out["events"].append(event(n, "R1.1", f"action_{field}", str(value), actor))
    return out


def test_a_plan_held_the_same_adds_nothing() -> None:
    merged = merge_plan(base(), base())
    assert merged.empty and not merged.conflicts and merged.summary() == []


def test_fields_changed_on_different_sides_both_stand() -> None:
    """The bundle changed the owner, the database the status: the bundle's owner is taken,
    the database's status kept, no conflict."""
    ours = changed(base(), 4, "status", "in_progress", "lead")
    theirs = changed(base(), 5, "owner", "bob", "ann")
    merged = merge_plan(ours, theirs)
    assert not merged.conflicts
    [(item, taken)] = merged.updated_actions
    assert item["ref"] == "R1.1" and taken["owner"] == "bob" and "status" not in taken
    assert [e["kind"] for e in merged.new_events] == ["action_owner"]


def test_a_field_that_differs_with_no_change_recorded_is_a_conflict() -> None:
    """Neither trail says who changed it (a hand-edited file): never decided silently."""
    theirs = copy.deepcopy(base())
    theirs["recommendations"][0]["text"] = "Record it properly"
    merged = merge_plan(base(), theirs)
    assert merged.conflicts == [
        "Testshire plan R1 text: this database Record it (no change recorded); the bundle "
        "Record it properly (no change recorded)"
    ]
    assert merged.empty  # nothing planned when anything conflicts


def test_two_actions_of_one_ref_is_a_conflict_settle_does_not_choose() -> None:
    theirs = copy.deepcopy(base())
    theirs["actions"][0]["uuid"] = "00000000-0000-4000-8000-000000000009"
    merged = merge_plan(base(), theirs, settle="bundle")
    assert len(merged.conflicts) == 1
    assert merged.conflicts[0].startswith("Testshire plan R1.1: two actions R1.1 in one plan")
