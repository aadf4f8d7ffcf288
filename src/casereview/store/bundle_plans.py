"""Action plans in and out of bundles: the plans of an audit's forces read as plans.jsonl's
lines (io.bundles.stream), and a bundle's plans merged by identity (core.bundles.plans),
inside the caller's transaction (store.bundle_stream's streamed merge)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from casereview.store.plans import PlanStore
from casereview.store.records import now

if TYPE_CHECKING:
    from casereview.core.bundles.merge import Json
    from casereview.core.bundles.plans import PlanMerge

_ACTION_KEYS = ("uuid", "recommendation", "ref", "text", "owner", "due", "status", "reason",
                "questions", "tags", "updated_by", "updated_at")  # fmt: skip
_EVENT_KEYS = ("uuid", "item", "kind", "old", "new", "reason", "actor", "at")
_LISTS = ("questions", "tags")  # stored as JSON text


class BundlePlanStore(PlanStore):
    """A force's plan as a bundle's line, and a bundle's plans merged."""

    def bundle_plans(self, audit_id: int) -> Iterator[Json]:
        """The plans of the forces of the audit's sample, one a line, in force order."""
        ids = [
            pid
            for (pid,) in self.conn.execute(
                "SELECT id FROM plans WHERE force IN (SELECT c.force FROM audit_cases ac"
                " JOIN cases c ON c.id = ac.case_id WHERE ac.audit_id = ?) ORDER BY force",
                [audit_id],
            ).fetchall()
        ]
        for plan_id in ids:
            yield self._plan_line(plan_id)

    def _plan_line(self, plan_id: int) -> Json:
        """A plan with its recommendations, actions and trail, as plans.jsonl holds it."""
        uuid, force, created_by, created_at = self.conn.execute(
            "SELECT uuid, force, created_by, created_at FROM plans WHERE id = ?", [plan_id]
        ).fetchone()
        recommendations = [
            dict(zip(("uuid", "ref", "text", "tag", "position"), row, strict=True))
            for row in self.conn.execute(
                "SELECT uuid, ref, text, tag, position FROM plan_recommendations"
                " WHERE plan_id = ? ORDER BY position, id",
                [plan_id],
            )
        ]
        actions = []
        for row in self.conn.execute(
            "SELECT a.uuid, r.uuid, a.ref, a.text, a.owner, a.due, a.status, a.reason,"
            " a.questions, a.tags, a.updated_by, a.updated_at FROM plan_actions a"
            " JOIN plan_recommendations r ON r.id = a.recommendation_id WHERE r.plan_id = ?"
            " ORDER BY r.position, r.id, a.id",
            [plan_id],
        ):
            action = dict(zip(_ACTION_KEYS, row, strict=True))
            for key in _LISTS:
                action[key] = json.loads(action[key])
            actions.append(action)
        events = [
            dict(zip(_EVENT_KEYS, row, strict=True))
            for row in self.conn.execute(
                "SELECT uuid, plan_item, kind, old, new, reason, actor, at FROM events"
                " WHERE plan_id = ? ORDER BY id",
                [plan_id],
            )
        ]
        return {"uuid": uuid, "force": force, "created_by": created_by,
                "created_at": created_at, "recommendations": recommendations,
                "actions": actions, "events": events}  # fmt: skip

    def merge_bundle_plans(
        self, lines: Sequence[Json], settle: str | None, actor: str, source: str
    ) -> list[PlanMerge]:
        """Each of a bundle's plans (checked lines of plans.jsonl) merged into the one this
        database holds of its force, written unless any conflicts (their lines are in each
        merge's `conflicts`: the caller lists and refuses them with the reviews'). Refused
        (BundleError), nothing written, where what it adds has the identity of something
        else here."""
        from casereview.core.bundles.merge import BundleError, refusal
        from casereview.core.bundles.plans import merge_plan

        merges = []
        for line in lines:
            row = self.conn.execute("SELECT id FROM plans WHERE force = ?", [line["force"]])
            found = row.fetchone()
            merges.append(
                merge_plan(None if found is None else self._plan_line(found[0]), line, settle)
            )
        if any(m.conflicts for m in merges):
            return merges
        wrong = [problem for i, m in enumerate(merges) for problem in self._taken(i, m)]
        if wrong:
            raise BundleError(refusal(source, wrong))
        for merged in merges:
            if not merged.empty:
                self._apply_plan(merged, actor)
        return merges

    def _taken(self, i: int, merged: PlanMerge) -> list[str]:
        """What the merge adds whose identity (UUID) another plan, or another trail, here has."""
        where = f"plans.jsonl: plans.{i}"
        parts: list[tuple[str, str, list[Json]]] = [
            ("plans", "uuid", [merged.new_plan] if merged.new_plan else []),
            ("plans", "uuid", [merged.identity] if merged.identity else []),
            ("plan_recommendations", "recommendations", merged.new_recommendations),
            ("plan_actions", "actions", merged.new_actions),
            ("events", "events", merged.new_events),
        ]
        out = []
        for table, part, items in parts:
            uuids = [item["uuid"] for item in items]
            for at in range(0, len(uuids), 500):
                chunk = uuids[at : at + 500]
                out += [
                    f"{where}{'' if part == 'uuid' else '.' + part} uuid {uuid}: the identity "
                    f"of another plan's {'plan' if part == 'uuid' else part} in this database"
                    for (uuid,) in self.conn.execute(
                        f"SELECT uuid FROM {table} WHERE uuid IN ({', '.join('?' * len(chunk))})",  # noqa: S608 (table is one of four above)
                        chunk,
                    )
                ]
        return out

    def _apply_plan(self, merged: PlanMerge, actor: str) -> None:
        """Write a checked merge of one plan, its trail kept in the order the bundle gives."""
        if merged.new_plan is not None:
            plan = merged.new_plan
            cursor = self.conn.execute(
                "INSERT INTO plans (uuid, force, created_by, created_at) VALUES (?, ?, ?, ?)",
                [plan["uuid"], plan["force"], plan["created_by"], plan["created_at"]],
            )
            plan_id = int(cursor.lastrowid or 0)
        else:
            (plan_id,) = self.conn.execute(
                "SELECT id FROM plans WHERE force = ?", [merged.force]
            ).fetchone()
        if merged.identity is not None:  # settled whole: the bundle's plan in this one's place
            made = merged.identity
            self.conn.execute(
                "UPDATE plans SET uuid = ?, created_by = ?, created_at = ? WHERE id = ?",
                [made["uuid"], made["created_by"], made["created_at"], plan_id],
            )
        for table, items in (  # a plan replaced on the bundle's side: its old items go
            ("plan_actions", merged.removed_actions),
            ("plan_recommendations", merged.removed_recommendations),
        ):
            self.conn.executemany(
                f"DELETE FROM {table} WHERE uuid = ?",  # noqa: S608 (one of two tables)
                [(item["uuid"],) for item in items],
            )
        self.conn.executemany(
            "INSERT INTO plan_recommendations (uuid, plan_id, ref, text, tag, position)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (r["uuid"], plan_id, r["ref"], r["text"], r["tag"], r["position"])
                for r in merged.new_recommendations
            ],  # fmt: skip
        )
        self.conn.executemany(
            "INSERT INTO plan_actions (uuid, recommendation_id, ref, text, owner, due, status,"
            " reason, questions, tags, updated_by, updated_at) SELECT ?, id, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ? FROM plan_recommendations WHERE uuid = ?",
            [
                (
                    a["uuid"],
                    a["ref"],
                    a["text"],
                    a["owner"],
                    a["due"],
                    a["status"],
                    a["reason"],
                    json.dumps(a["questions"]),
                    json.dumps(a["tags"]),
                    a["updated_by"],
                    a["updated_at"],
                    a["recommendation"],
                )
                for a in merged.new_actions
            ],  # fmt: skip
        )
        for table, updates in (
            ("plan_actions", merged.updated_actions),
            ("plan_recommendations", merged.updated_recommendations),
        ):
            for item, values in updates:
                stored = {k: json.dumps(v) if k in _LISTS else v for k, v in values.items()}
                self.conn.execute(
                    f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in stored)}"  # noqa: S608 (names are the merge's fields)
                    " WHERE uuid = ?",
                    [*stored.values(), item["uuid"]],
                )
        self.conn.executemany(
            "INSERT INTO events (uuid, kind, old, new, reason, actor, at, plan_id, plan_item)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e["uuid"],
                    e["kind"],
                    e["old"],
                    e["new"],
                    e["reason"],
                    e["actor"],
                    e["at"],
                    plan_id,
                    e["item"],
                )
                for e in merged.new_events
            ],  # fmt: skip
        )
        stamp = now()
        self.conn.executemany(  # the settling is this database's own: new UUIDs
            "INSERT INTO events (kind, old, new, reason, actor, at, plan_id, plan_item)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (e["kind"], e["old"], e["new"], e["reason"], actor, stamp, plan_id, e["item"])
                for e in merged.settle_events
            ],  # fmt: skip
        )
