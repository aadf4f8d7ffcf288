"""A force's action plan (core/plans.py): its recommendations and the actions under them, each
change written to the trail. The tables are store/schema_plans.py's; every plan event carries
the plan and the item (R1, R1.2) it is about.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from casereview.store.connection import Connection
from casereview.store.errors import StoreError
from casereview.store.records import Event, now

if TYPE_CHECKING:
    from casereview.core.plans import DraftAction, DraftRecommendation
    from casereview.store.plan_records import Action, Plan

# The plan's rules (core.plans) and records (plan_records) are imported by the methods that
# use them: every command builds a Store, few read a plan (issue 32: the start).

EDITABLE = ("text", "owner", "due", "status", "reason", "questions", "tags")
"""What an edit may change in an action; each change is its own trail event."""


class PlanStore(Connection):
    """Action plans, one per force."""

    def plan_forces(self) -> list[str]:
        return [f for (f,) in self.conn.execute("SELECT force FROM plans ORDER BY force")]

    def plan(self, force: str) -> Plan | None:
        """The force's plan, recommendations in their order, actions in theirs; None: none."""
        from casereview.store.plan_records import Action, Plan, Recommendation

        row = self.conn.execute(
            "SELECT id, force, created_at FROM plans WHERE force = ?", [force]
        ).fetchone()
        if row is None:
            return None
        plan_id, force, created_at = row
        recs = []
        for rec_id, ref, text, tag in self.conn.execute(
            "SELECT id, ref, text, tag FROM plan_recommendations WHERE plan_id = ?"
            " ORDER BY position",
            [plan_id],
        ).fetchall():
            actions = tuple(
                Action(
                    id=a[0],
                    ref=a[1],
                    recommendation=ref,
                    text=a[2],
                    owner=a[3],
                    due=a[4],
                    status=a[5],
                    reason=a[6],
                    questions=tuple(json.loads(a[7])),
                    tags=tuple(json.loads(a[8])),
                    updated_by=a[9],
                    updated_at=a[10],
                )
                for a in self.conn.execute(
                    "SELECT id, ref, text, owner, due, status, reason, questions, tags,"
                    " updated_by, updated_at FROM plan_actions WHERE recommendation_id = ?"
                    " ORDER BY id",
                    [rec_id],
                ).fetchall()
            )
            recs.append(Recommendation(rec_id, ref, text, tag, actions))
        return Plan(plan_id, force, created_at, tuple(recs))

    def plan_of(self, force: str) -> Plan:
        """The force's plan; StoreError naming the forces that have one."""
        plan = self.plan(force)
        if plan is None:
            known = ", ".join(self.plan_forces()) or "none yet"
            raise StoreError(
                f"{force} has no action plan (plans: {known}; `casereview plan import`)"
            )
        return plan

    def import_plan(
        self,
        force: str,
        recommendations: Sequence[DraftRecommendation],
        actor: str,
        source: str,
        replace: bool = False,
    ) -> Plan:
        """Store a force's plan in one transaction, each recommendation and action an event.
        A force with a plan already is refused (StoreError) unless `replace`, which removes
        the old one (its trail stays) and records that it did."""
        with self._write():
            old = self.conn.execute("SELECT id FROM plans WHERE force = ?", [force]).fetchone()
            if old is not None and not replace:
                raise StoreError(
                    f"{force} has an action plan already: edit it in the app or with "
                    "`casereview plan set`, or give --replace to import this file in its place"
                )
            if old is not None:
                plan_id = old[0]
                self.db.execute(
                    "DELETE FROM plan_actions WHERE recommendation_id IN"
                    " (SELECT id FROM plan_recommendations WHERE plan_id = ?)",
                    [plan_id],
                )
                self.db.execute("DELETE FROM plan_recommendations WHERE plan_id = ?", [plan_id])
                self._plan_event(plan_id, None, "plan_replaced", None, None, source, actor)
            else:
                cursor = self.db.execute(
                    "INSERT INTO plans (uuid, force, created_by, created_at) VALUES (?, ?, ?, ?)",
                    [str(uuid.uuid4()), force, actor, now()],
                )
                plan_id = int(cursor.lastrowid or 0)
                self._plan_event(plan_id, None, "plan_imported", None, force, source, actor)
            for position, rec in enumerate(recommendations):
                rec_id = self._add_recommendation(plan_id, rec, position, actor)
                for number, action in enumerate(rec.actions, 1):
                    self._add_action(plan_id, rec_id, rec.ref, number, action, actor, source)
        return self.plan_of(force)

    def _add_recommendation(
        self, plan_id: int, rec: DraftRecommendation, position: int, actor: str
    ) -> int:
        cursor = self.db.execute(
            "INSERT INTO plan_recommendations (uuid, plan_id, ref, text, tag, position)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [str(uuid.uuid4()), plan_id, rec.ref, rec.text, rec.tag, position],
        )
        self._plan_event(plan_id, rec.ref, "recommendation_added", None, rec.text, None, actor)
        return int(cursor.lastrowid or 0)

    def _add_action(
        self,
        plan_id: int,
        rec_id: int,
        rec_ref: str,
        number: int,
        action: DraftAction,
        actor: str,
        reason: str | None,
    ) -> str:
        from casereview.core.plans import action_problems, action_ref

        problems = action_problems(action)
        if problems:
            raise StoreError("; ".join(problems))
        ref = action_ref(rec_ref, number)
        self.db.execute(
            "INSERT INTO plan_actions (uuid, recommendation_id, ref, text, owner, due, status,"
            " reason, questions, tags, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                str(uuid.uuid4()),
                rec_id,
                ref,
                action.text,
                action.owner,
                action.due,
                action.status,
                action.reason,
                json.dumps(list(action.questions)),
                json.dumps(list(action.tags)),
                actor,
                now(),
            ],
        )
        self._plan_event(plan_id, ref, "action_added", None, action.text, reason, actor)
        return ref

    def add_action(
        self, force: str, recommendation: str, action: DraftAction, actor: str, why: str
    ) -> Action:
        """A new action under the force's recommendation, numbered after its others."""
        from casereview.core.plans import next_number

        plan = self.plan_of(force)
        rec = next((r for r in plan.recommendations if r.ref == recommendation), None)
        if rec is None:
            known = ", ".join(r.ref for r in plan.recommendations) or "none"
            raise StoreError(
                f"the plan of {force} has no recommendation {recommendation} ({known})"
            )
        with self._write():
            refs = [
                r
                for (r,) in self.conn.execute(
                    "SELECT ref FROM plan_actions WHERE recommendation_id = ?", [rec.id]
                )
            ]
            number = next_number(refs, rec.ref)
            ref = self._add_action(plan.id, rec.id, rec.ref, number, action, actor, why)
        return self.plan_of(force).action(ref)

    def update_action(
        self, force: str, ref: str, changes: Mapping[str, object], actor: str
    ) -> list[str]:
        """Change an action's fields (EDITABLE), one trail event per field that changes;
        returns the fields changed (none: nothing written). Refused (StoreError), nothing
        written, where the action as changed breaks a rule (a dropped action with no reason)."""
        from casereview.core.plans import DraftAction, action_problems, trail_cell

        unknown = [k for k in changes if k not in EDITABLE]
        if unknown:
            raise StoreError(f"an action has no field {', '.join(unknown)}")
        plan = self.plan_of(force)
        before = plan.action(ref)
        fields = {k: getattr(before, k) for k in EDITABLE}
        new: dict[str, object] = {
            k: tuple(v) if k in ("questions", "tags") and isinstance(v, list | tuple) else v
            for k, v in changes.items()
        }
        if new.get("status", fields["status"]) != "dropped" and "reason" not in new:
            new["reason"] = ""  # a reason goes with a dropped action only
        changed = [k for k, v in new.items() if fields[k] != v]
        if not changed:
            return []
        after = DraftAction(**{**fields, **{k: new[k] for k in changed}})  # type: ignore[arg-type]
        problems = action_problems(after)
        if problems:
            raise StoreError("; ".join(problems))
        stamp = now()
        with self._write():
            for k in changed:
                value = new[k]
                stored = json.dumps(list(value)) if isinstance(value, tuple) else value
                self.db.execute(
                    f"UPDATE plan_actions SET {k} = ?, updated_by = ?, updated_at = ?"  # noqa: S608 (k is one of EDITABLE)
                    " WHERE id = ?",
                    [stored, actor, stamp, before.id],
                )
                reason = after.reason if k == "status" and after.status == "dropped" else None
                self._plan_event(
                    plan.id,
                    ref,
                    f"action_{k}",
                    trail_cell(fields[k]),
                    trail_cell(value),
                    reason,
                    actor,
                )
        return changed

    def plan_events(self, force: str) -> list[Event]:
        """The plan's trail, oldest first."""
        plan = self.plan_of(force)
        return [
            Event(**{k: r[k] for k in Event._fields})
            for r in self.db.query("SELECT * FROM events WHERE plan_id = ? ORDER BY id", [plan.id])
        ]

    def plan_event_items(self, force: str) -> list[str | None]:
        """Each plan event's item (R1, R1.2; None for the plan), in plan_events' order."""
        plan = self.plan_of(force)
        return [
            item
            for (item,) in self.conn.execute(
                "SELECT plan_item FROM events WHERE plan_id = ? ORDER BY id", [plan.id]
            )
        ]

    def _plan_event(
        self,
        plan_id: int,
        item: str | None,
        kind: str,
        old: str | None,
        new: str | None,
        reason: str | None,
        actor: str,
    ) -> None:
        self.db.execute(
            "INSERT INTO events (kind, old, new, reason, actor, at, plan_id, plan_item)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [kind, old, new, reason, actor, now(), plan_id, item],
        )
