"""A checked bundle's merge plan written to the database: the audit created from it where it
is new, assignments, reviews with their answers, and the trail's events, each row keeping the
bundle's identity (UUID). The caller holds the write transaction and has checked the plan
(store.bundles)."""

from __future__ import annotations

import json
from operator import itemgetter
from typing import TYPE_CHECKING

from casereview.core.fields import CASE_COLUMNS
from casereview.core.periods import from_scope, stored
from casereview.core.text import match_key
from casereview.store.errors import StoreError
from casereview.store.records import now
from casereview.store.reviews import ReviewStore

if TYPE_CHECKING:
    from casereview.core.bundles.merge import Bundle, Json, Plan

REVIEW_COLUMNS = (
    "uuid",
    "role",
    "reviewer",
    "status",
    "current_question",
    "started_at",
    "updated_at",
    "completed_at",
)
EVENT_COLUMNS = ("uuid", "question_id", "kind", "old", "new", "reason", "actor", "at")
# a row's values from its dict in one C call each (a national import binds three million)
_event_values = itemgetter(*EVENT_COLUMNS)
_answer_values = itemgetter("question_id", "value", "note", "updated_by", "updated_at")


def keys_cte(n: int) -> str:
    """A WITH clause naming `n` (force, case_ref) pairs, bound in order, as table `k`, to
    drive a lookup by them (`FROM k CROSS JOIN cases c ON ...`): with a row-value IN the
    planner reads every case of the audit instead, for each batch."""
    return f"WITH k(force, case_ref) AS (VALUES {', '.join(['(?, ?)'] * n)})"


def uuids_cte(n: int) -> str:
    """A WITH clause naming `n` distinct uuids, bound in order, as table `u`, to drive a
    lookup by them (`FROM u CROSS JOIN reviews r ON r.uuid = u.uuid`): with `r.uuid IN
    (...)` beside `r.audit_id = ?` the planner reads every review of the audit instead, for
    each batch (a national import read its reviews 125 times)."""
    return f"WITH u(uuid) AS (VALUES {', '.join(['(?)'] * n)})"


class BundleWriter(ReviewStore):
    """Writes a checked bundle's plan (BundleStore plans and checks it)."""

    def _audit_by_uuid(self, uuid: str) -> int | None:
        row = self.db.execute("SELECT id FROM audits WHERE uuid = ?", [uuid]).fetchone()
        return None if row is None else int(row[0])

    def _apply_bundle(
        self,
        bundle: Bundle,
        result: Plan,
        source: str,
        actor: str,
        signed_by: str | None,
        record: bool = True,
    ) -> None:
        """Write the plan. `record`: and the merge's row in bundle_merges (a streamed merge,
        written a batch at a time, records the whole once: store.bundle_stream)."""
        content = bundle.content
        stamp = now()
        if result.create_audit:
            audit_id = self._create_bundled_audit(bundle, result.new_cases, stamp)
        else:
            found = self._audit_by_uuid(content["audit"]["uuid"])
            assert found is not None
            audit_id = found
        case_ids = self._case_ids(
            audit_id,
            {*result.assignments, *((r["force"], r["case_ref"]) for r in result.new_reviews)},
        )
        for key, (assigned, second) in result.assignments.items():
            self.db.execute(
                "UPDATE audit_cases SET assigned_to = ?, second_reviewer = ?"
                " WHERE audit_id = ? AND case_id = ?",
                [assigned, second, audit_id, case_ids[key]],
            )
        self.db.conn.executemany(
            f"INSERT INTO reviews (audit_id, case_id, {', '.join(REVIEW_COLUMNS)})"
            f" VALUES (?, ?, {', '.join('?' * len(REVIEW_COLUMNS))})",
            [
                (
                    audit_id,
                    case_ids[(review["force"], review["case_ref"])],
                    *(review[c] for c in REVIEW_COLUMNS),
                )
                for review in result.new_reviews
            ],
        )
        for review in result.updated_reviews:
            self.db.execute(
                "UPDATE reviews SET reviewer = ?, status = ?, current_question = ?,"
                " updated_at = ?, completed_at = ? WHERE uuid = ?",
                [
                    review["reviewer"],
                    review["status"],
                    review["current_question"],
                    review["updated_at"],
                    review["completed_at"],
                    review["uuid"],
                ],
            )
        review_ids = self._review_ids(
            audit_id,
            {r["uuid"] for r in result.new_reviews + result.updated_reviews}
            | {e["review_uuid"] for e in result.new_events + result.settle_events} - {None},
        )
        # a new review has no answers yet; an updated one's are replaced whole
        self.db.conn.executemany(
            "DELETE FROM answers WHERE review_id = ?",
            [(review_ids[r["uuid"]],) for r in result.updated_reviews],
        )
        self.db.conn.executemany(
            "INSERT INTO answers (review_id, question_id, value, note, updated_by,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (rid, *_answer_values(a))
                for review in result.new_reviews + result.updated_reviews
                for rid in (review_ids[review["uuid"]],)
                for a in review["answers"]
            ],
        )
        self.db.conn.executemany(
            f"INSERT INTO events (review_id, audit_id, {', '.join(EVENT_COLUMNS)})"
            f" VALUES (?, ?, {', '.join('?' * len(EVENT_COLUMNS))})",
            [
                (
                    None if e["review_uuid"] is None else review_ids[e["review_uuid"]],
                    audit_id if e["review_uuid"] is None else None,
                    *_event_values(e),
                )
                for e in result.new_events
            ],
        )
        self.db.conn.executemany(  # the settling is this database's own: new UUIDs
            "INSERT INTO events (review_id, question_id, kind, old, new, reason, actor, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    review_ids[e["review_uuid"]],
                    e["question_id"],
                    e["kind"],
                    e["old"],
                    e["new"],
                    e["reason"],
                    actor,
                    stamp,
                )
                for e in result.settle_events
            ],
        )
        if record:
            self._record_merge(
                audit_id, content, result.create_audit, result.summary(), source, actor,
                signed_by,
            )  # fmt: skip

    def _record_merge(
        self,
        audit_id: int,
        header: Json,
        created: bool,
        summary: list[str],
        source: str,
        actor: str,
        signed_by: str | None,
    ) -> None:
        self.db.execute(
            "INSERT INTO bundle_merges (audit_id, kind, file, exported_by, exported_at, added,"
            " actor, at, signed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                audit_id,
                "created" if created else "merged",
                source,
                header.get("exported_by"),
                header.get("exported_at"),
                "; ".join(summary),
                actor,
                now(),
                signed_by,
            ],
        )
        if signed_by is not None and signed_by.endswith("--trust-once"):  # cli/bundle._trusted
            # taken on trust this once: in the audit's trail, as every other change to it is
            self._event(None, None, "bundle_trust_once", None, signed_by, source, actor, audit_id)

    def _case_ids(self, audit_id: int, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The audit's cases by (force, case_ref), these only."""
        wanted, found = sorted(keys), {}
        for at in range(0, len(wanted), 400):
            part = wanted[at : at + 400]
            for force, ref, case_id in self.db.execute(
                f"{keys_cte(len(part))} SELECT c.force, c.case_ref, c.id FROM k CROSS JOIN"
                " cases c ON c.force = k.force AND c.case_ref = k.case_ref JOIN audit_cases ac"
                " ON ac.case_id = c.id WHERE ac.audit_id = ?",
                [*(value for key in part for value in key), audit_id],
            ):
                found[(force, ref)] = int(case_id)
        return found

    def _review_ids(self, audit_id: int, uuids: set[str]) -> dict[str, int]:
        """The audit's reviews by uuid, these only."""
        wanted, found = sorted(uuids), dict[str, int]()
        for at in range(0, len(wanted), 500):
            part = wanted[at : at + 500]
            found.update(
                (uuid, int(rid))
                for rid, uuid in self.db.execute(
                    f"{uuids_cte(len(part))} SELECT r.id, r.uuid FROM u CROSS JOIN reviews r"
                    " ON r.uuid = u.uuid WHERE r.audit_id = ?",
                    [*part, audit_id],
                )
            )
        return found

    def _add_pool_cases(self, cases: list[Json], stamp: str) -> None:
        """A bundle's cases the pool lacks (checked: store.bundles._pool_clashes), added."""
        self.db.conn.executemany(
            f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}, extra, imported_at, match_key)"
            f" VALUES ({', '.join('?' * len(CASE_COLUMNS))}, ?, ?, ?)",
            [
                (
                    *(c[name] for name in CASE_COLUMNS),
                    json.dumps(c["extra"], ensure_ascii=False, sort_keys=True)
                    if c["extra"]
                    else "{}",
                    stamp,
                    match_key(c["force"], c["case_ref"]),
                )
                for c in cases
            ],
        )

    def _create_bundled_audit(self, bundle: Bundle, new_cases: list[Json], stamp: str) -> int:
        content = bundle.content
        checklist = content["checklist"]
        row = self._checklist_row(checklist["id"], checklist["version"])
        if row is None:
            pk = self.add_checklist(bundle.checklist_text, checklist["source"]).pk
        else:
            pk = int(row["id"])
        self._add_pool_cases(new_cases, stamp)
        audit = content["audit"]
        self.check_audit_name(audit["name"])  # (bundle_rules said so first, naming the member)
        # a bundle of content version 2 carries the period; an older one the scope only,
        # whose report dates give it, as m013 did
        if "period_start" in audit or "period_end" in audit:
            period = stored(audit.get("period_start"), audit.get("period_end"))
        else:
            period = from_scope(audit["scope"])
        cursor = self.db.execute(
            "INSERT INTO audits (uuid, name, checklist_pk, checklist_hash, seed, scope,"
            " created_by, created_at, period_start, period_end)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                audit["uuid"],
                audit["name"],
                pk,
                audit["checklist_hash"],
                audit["seed"],
                json.dumps(audit["scope"], sort_keys=True),
                audit["created_by"],
                audit["created_at"],
                period.start if period else None,
                period.end if period else None,
            ],
        )
        audit_id = int(cursor.lastrowid or 0)
        sample = content["cases"]
        added = self.db.conn.executemany(
            "INSERT INTO audit_cases (audit_id, case_id, position, stratum, assigned_to,"
            " second_reviewer) SELECT ?, id, ?, ?, ?, ? FROM cases"
            " WHERE force = ? AND case_ref = ?",
            [
                (
                    audit_id,
                    c["position"],
                    c["stratum"],
                    c["assigned_to"],
                    c["second_reviewer"],
                    c["force"],
                    c["case_ref"],
                )  # fmt: skip
                for c in sample
            ],
        ).rowcount
        if added != len(sample):  # pragma: no cover - checked and inserted above
            raise StoreError(
                f"{len(sample) - added} of the sample's cases missing after the import"
            )
        return audit_id
