"""A force's action plan carried in a bundle, merged by identity (no SQL, no I/O here).

A bundle's plan (io.bundles.stream: a line of plans.jsonl) and the database's plan of the same
force have one shape: the plan's identity and force, its recommendations and actions each
with its UUID, and its trail (events, each with its UUID and the item it is about: R1, R1.2).
What one side holds and the other lacks is added. A field of an action held on both sides is
decided by the trail, as a review is: the events of that action and field that each side
holds and the other lacks say who changed it since they last met. Changed on one side only,
that side's value stands; changed on both to different values, it is a conflict, listed,
and nothing is written, unless the importer settles it (`--settle`): the chosen side's value
stands, both sides' events stay, and one more event records the settling so the trail read
in order ends at the value that stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casereview.core.bundles.merge import SETTLE_SIDES, Json
from casereview.core.plans import trail_cell as cell
from casereview.core.rules import SETTLED_ON_IMPORT

ACTION_FIELDS = ("text", "owner", "due", "status", "reason", "questions", "tags")
"""An action's fields that change (store.plans.EDITABLE), each change an `action_<field>`
event about the action."""
RECOMMENDATION_FIELDS = ("ref", "text", "tag")
"""A recommendation's fields: set when it is added, never changed by an event."""


@dataclass
class PlanMerge:
    """What merging a bundle's plan into a database would do: all of it, or (conflicts)
    none."""

    force: str
    new_plan: Json | None = None  # the plan, new to this database
    new_recommendations: list[Json] = field(default_factory=list)
    new_actions: list[Json] = field(default_factory=list)
    updated_actions: list[tuple[Json, dict[str, Any]]] = field(default_factory=list)
    updated_recommendations: list[tuple[Json, dict[str, Any]]] = field(default_factory=list)
    new_events: list[Json] = field(default_factory=list)
    identity: Json | None = None  # settled whole: the plan takes the bundle's (uuid, maker)
    # What a plan replaced on the bundle's side (`plan import --replace`) removed there
    removed_recommendations: list[Json] = field(default_factory=list)
    removed_actions: list[Json] = field(default_factory=list)
    settle_events: list[Json] = field(default_factory=list)  # this database's: no uuid yet
    conflicts: list[str] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.new_plan
            or self.identity
            or self.new_recommendations
            or self.new_actions
            or self.updated_actions
            or self.updated_recommendations
            or self.removed_recommendations
            or self.removed_actions
            or self.new_events
            or self.settle_events
        )

    def summary(self) -> list[str]:
        """The import summary's lines for this plan (none: it adds nothing)."""
        if self.empty:
            return [f"settled: {line}" for line in self.settled]
        if self.new_plan is not None:
            return [
                f"action plan of {self.force}, new to this database: "
                f"{len(self.new_recommendations)} recommendation(s), "
                f"{len(self.new_actions)} action(s)"
            ]
        parts = []
        if self.new_recommendations:
            parts.append(f"{len(self.new_recommendations)} new recommendation(s)")
        if self.new_actions:
            parts.append(f"{len(self.new_actions)} new action(s)")
        for label, items in (
            ("action(s)", self.updated_actions),
            ("recommendation(s)", self.updated_recommendations),
        ):
            if items:
                changed = ", ".join(
                    f"{item['ref']} {' '.join(k for k in v if not k.startswith('updated_'))}"
                    for item, v in items
                )
                parts.append(f"{len(items)} {label} updated ({changed})")
        if self.removed_recommendations or self.removed_actions:
            parts.append(
                f"replaced as in the bundle ({len(self.removed_recommendations)} "
                f"recommendation(s) and {len(self.removed_actions)} action(s) of the old plan "
                "removed; their trail kept)"
            )
        lines = [f"action plan of {self.force}: " + (", ".join(parts) or "its trail")]
        lines += [f"settled: {line}" for line in self.settled]
        return lines


def merge_plan(local: Json | None, incoming: Json, settle: str | None = None) -> PlanMerge:
    """What merging `incoming` (a bundle's plan) into `local` (the database's plan of the same
    force, in the same shape, or None: it has none) would do."""
    if settle not in (None, *SETTLE_SIDES):
        raise ValueError(settle)
    force = incoming["force"]
    result = PlanMerge(force)
    if local is None:
        result.new_plan = incoming
        result.new_recommendations = list(incoming["recommendations"])
        result.new_actions = list(incoming["actions"])
        result.new_events = list(incoming["events"])
        return result
    where = f"{force} plan"
    ours_known = {e["uuid"] for e in local["events"]}
    theirs_known = {e["uuid"] for e in incoming["events"]}
    only_local = [e for e in local["events"] if e["uuid"] not in theirs_known]
    only_bundle = [e for e in incoming["events"] if e["uuid"] not in ours_known]
    here = [e for e in only_local if e["kind"] == REPLACED]
    there = [e for e in only_bundle if e["kind"] == REPLACED]
    if local["uuid"] != incoming["uuid"]:
        why = (
            f"two action plans of one force, each imported on its own side: this database's "
            f"(made by {local['created_by']} at {local['created_at']}), the bundle's (made by "
            f"{incoming['created_by']} at {incoming['created_at']})"
        )
        return _whole(result, where, why, local, incoming, only_bundle, settle)
    if here and there:
        why = (
            f"replaced on both sides since they last met (this database by "
            f"{here[-1]['actor']} at {here[-1]['at']}, the bundle by {there[-1]['actor']} at "
            f"{there[-1]['at']})"
        )
        return _whole(result, where, why, local, incoming, only_bundle, settle)
    ours, theirs = _replaced(result, where, local, incoming, only_local, only_bundle)
    _items(result, where, "recommendation", ours["recommendations"],
           theirs["recommendations"], RECOMMENDATION_FIELDS, ([], []), settle,
           lambda r: ("",))  # fmt: skip
    _items(result, where, "action", ours["actions"], theirs["actions"], ACTION_FIELDS,
           (only_local, only_bundle), settle,
           lambda a: (a["recommendation"],))  # fmt: skip
    result.new_events = only_bundle
    if result.conflicts:
        result.new_recommendations, result.new_actions, result.new_events = [], [], []
        result.updated_actions, result.updated_recommendations = [], []
        result.removed_recommendations, result.removed_actions = [], []
        result.settle_events, result.settled = [], []
    return result


REPLACED = "plan_replaced"
_ADDED = ("recommendation_added", "action_added")


def _replaced(
    result: PlanMerge,
    where: str,
    local: Json,
    incoming: Json,
    only_local: list[Json],
    only_bundle: list[Json],
) -> tuple[Json, Json]:
    """The two sides' recommendations and actions to merge, after a plan replaced on one
    side since they last met (`plan import --replace`: new items, each with its UUID, the old
    ones removed, the trail kept). Replaced here: the bundle's old items (known to both
    sides before) are left out. Replaced in the bundle: this database's old items are removed
    (result.removed_*). An old item the other side changed since is a conflict (a plan
    replaced on both sides is _whole's)."""
    here = [e for e in only_local if e["kind"] == REPLACED]
    there = [e for e in only_bundle if e["kind"] == REPLACED]
    if not (here or there):
        return local, incoming
    # old: the side whose items the other side's replace removed
    old, new = (incoming, local) if here else (local, incoming)
    old_trail, whose = (only_bundle, "the bundle") if here else (only_local, "this database")
    added = {e["item"] for e in old_trail if e["kind"] in _ADDED}
    changed = {e["item"] for e in old_trail if e["kind"] not in _ADDED}
    known = {item["uuid"] for part in ("recommendations", "actions") for item in new[part]}
    gone = {
        part: [i for i in old[part] if i["uuid"] not in known and i["ref"] not in added]
        for part in ("recommendations", "actions")
    }
    for part in ("recommendations", "actions"):
        for item in gone[part]:
            if item["ref"] in changed:
                result.conflicts.append(
                    f"{where} {item['ref']}: changed in {whose} since they last met, and "
                    f"the plan replaced on the other side without it; --settle does not "
                    "undo a replace: make the change again in the replaced plan"
                )
    gone_recs = {r["uuid"] for r in gone["recommendations"]}
    for action in old["actions"]:
        if action["recommendation"] in gone_recs and action not in gone["actions"]:
            result.conflicts.append(
                f"{where} {action['ref']}: added in {whose} under a recommendation the "
                "plan replaced on the other side removed"
            )
    kept = {
        part: [i for i in old[part] if i not in gone[part]]
        for part in ("recommendations", "actions")
    }
    if here:
        return local, {**incoming, **kept}
    result.removed_recommendations = gone["recommendations"]
    result.removed_actions = gone["actions"]
    return {**local, **kept}, incoming


def _whole(
    result: PlanMerge,
    where: str,
    why: str,
    local: Json,
    incoming: Json,
    only_bundle: list[Json],
    settle: str | None,
) -> PlanMerge:
    """Two plans of one force that cannot be merged item by item (`why`): a conflict, or
    settled whole. --settle bundle puts the bundle's plan in place of this database's (its
    identity, recommendations and actions; this database's rows removed, both trails kept,
    one more event saying so); --settle database keeps this database's plan and leaves the
    bundle's rows out (its trail joins this one's where it is the same plan)."""
    if settle is None:
        result.conflicts.append(
            f"{where}: {why}; import again with --settle bundle to put the bundle's plan in "
            "place of this database's, or --settle database to keep this one (both trails "
            "are kept)"
        )
        return result
    if settle == "database":
        if local["uuid"] == incoming["uuid"]:
            result.new_events = only_bundle
        result.settled.append(f"{where}: {why}: kept this database's plan")
        return result
    if local["uuid"] != incoming["uuid"]:
        result.identity = {k: incoming[k] for k in ("uuid", "created_by", "created_at")}
    for part, fields in (("recommendations", RECOMMENDATION_FIELDS), ("actions", ACTION_FIELDS)):
        theirs = {item["uuid"]: item for item in incoming[part]}
        held = {item["uuid"]: item for item in local[part]}
        removed = [item for item in local[part] if item["uuid"] not in theirs]
        added = [item for item in incoming[part] if item["uuid"] not in held]
        updated = [
            (held[uuid], {k: item[k] for k in (*fields, *_STAMP.get(part, ())) if k in item
                          and item[k] != held[uuid][k]})
            for uuid, item in theirs.items()
            if uuid in held and any(item[k] != held[uuid][k] for k in fields)
        ]  # fmt: skip
        if part == "actions":
            result.removed_actions, result.new_actions = removed, added
            result.updated_actions = updated
        else:
            result.removed_recommendations, result.new_recommendations = removed, added
            result.updated_recommendations = updated
    result.new_events = only_bundle
    result.settle_events.append(
        {
            "item": None,
            "kind": REPLACED,
            "old": None,
            "new": incoming["force"],
            "reason": f"{SETTLED_ON_IMPORT}: kept the bundle's",
        }  # fmt: skip
    )
    result.settled.append(f"{where}: {why}: took the bundle's plan")
    return result


_STAMP = {"actions": ("updated_by", "updated_at")}


def _items(
    result: PlanMerge,
    where: str,
    kind: str,
    ours: list[Json],
    theirs: list[Json],
    fields: tuple[str, ...],
    trails: tuple[list[Json], list[Json]],
    settle: str | None,
    parent: Any,
) -> None:
    """Recommendations or actions: those the database lacks added (unless another of that
    ref is held under the same parent: two of one), those held merged field by field."""
    held = {item["uuid"]: item for item in ours}
    by_ref = {(*parent(item), item["ref"]): item for item in ours}
    for item in theirs:
        mine = held.get(item["uuid"])
        if mine is None:
            clash = by_ref.get((*parent(item), item["ref"]))
            if clash is not None:
                result.conflicts.append(
                    f"{where} {item['ref']}: two {kind}s {item['ref']} in one plan: this "
                    f"database's ({_said(clash['text'])}), the bundle's "
                    f"({_said(item['text'])}); --settle does not choose between two {kind}s: "
                    "keep one (`casereview plan import --replace` on one side) before merging"
                )
                continue
            (result.new_recommendations if kind == "recommendation" else result.new_actions).append(
                item
            )
            continue
        taken = _fields(result, where, kind, mine, item, fields, trails, settle)
        if taken:
            if kind == "action":
                newer = item["updated_at"] >= mine["updated_at"]
                stamp = item if newer else mine
                taken.update(updated_by=stamp["updated_by"], updated_at=stamp["updated_at"])
                result.updated_actions.append((mine, taken))
            else:
                result.updated_recommendations.append((mine, taken))


def _fields(
    result: PlanMerge,
    where: str,
    kind: str,
    mine: Json,
    theirs: Json,
    fields: tuple[str, ...],
    trails: tuple[list[Json], list[Json]],
    settle: str | None,
) -> dict[str, Any]:
    """The fields of a held item whose bundle value is taken; conflicts (or, settled, the
    settling events) added to `result`."""
    only_local, only_bundle = trails
    ref = mine["ref"]
    taken: dict[str, Any] = {}
    for name in fields:
        if mine[name] == theirs[name]:
            continue
        event = f"{kind}_{name}"
        ours = [e for e in only_local if e["item"] == ref and e["kind"] == event]
        other = [e for e in only_bundle if e["item"] == ref and e["kind"] == event]
        if other and not ours:
            taken[name] = theirs[name]  # the database is behind: the bundle's newer value
            continue
        if ours and not other:
            continue  # the bundle is behind: the database's stands
        if settle is None:
            result.conflicts.append(
                f"{where} {ref} {name}: this database {_value(mine[name], ours)}; the bundle "
                f"{_value(theirs[name], other)}"
            )
            continue
        kept, was = (theirs, mine) if settle == "bundle" else (mine, theirs)
        whose = "the bundle's" if settle == "bundle" else "this database's"
        if settle == "bundle":
            taken[name] = theirs[name]
        result.settle_events.append(
            {
                "item": ref,
                "kind": event,
                "old": cell(was[name]),
                "new": cell(kept[name]),
                "reason": f"{SETTLED_ON_IMPORT}: kept {whose}",
            }
        )
        result.settled.append(f"{where} {ref} {name}: kept {whose} {_said(kept[name])}")
    return taken


def _said(value: object) -> str:
    text = cell(value)
    return "(none)" if text in (None, "") else str(text)


def _value(value: object, events: list[Json]) -> str:
    """A side's value, with who last changed it and when (its last event, where it has one
    the other side lacks)."""
    if not events:
        return f"{_said(value)} (no change recorded)"
    last = events[-1]
    return f"{_said(value)} (by {last['actor']} at {last['at']})"
