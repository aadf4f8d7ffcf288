"""An audit read for a format-3 bundle a bounded batch at a time (core.bundles.batching):
its header, its sample case by case, its own events, and its reviews one a line, each with
its answers and events, from SQLite cursors, never the whole audit at once."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from casereview.core.fields import CASE_COLUMNS
from casereview.store.bundle_plans import BundlePlanStore
from casereview.store.bundle_writes import EVENT_COLUMNS, REVIEW_COLUMNS, uuids_cte
from casereview.store.bundles import CONTENT_VERSION, BundleStore
from casereview.store.records import now

if TYPE_CHECKING:
    from casereview.core.bundles.merge import Json

_ROLE_ORDER = "CASE r.role WHEN 'primary' THEN 0 WHEN 'second' THEN 1 ELSE 2 END"
ANSWER_COLUMNS = ("question_id", "value", "note", "updated_by", "updated_at")


class BundleExportStore(BundleStore, BundlePlanStore):
    """An audit as a format-3 bundle's lines (its forces' plans: BundlePlanStore)."""

    def bundle_header(
        self, audit_id: int, reviewer: str | None = None, viewer: str | None = None
    ) -> tuple[Json, str]:
        """The bundle's audit.json (the audit, its checklist, who exported it) and the
        checklist's text."""
        audit = next(
            self.db.query(
                "SELECT a.uuid, a.name, a.checklist_hash, a.seed, a.scope, a.created_by,"
                " a.created_at, a.period_start, a.period_end, c.checklist_id, c.version,"
                " c.title, c.content_hash, c.source, c.content"
                " FROM audits a JOIN checklists c ON c.id = a.checklist_pk WHERE a.id = ?",
                [audit_id],
            )
        )
        from casereview import __version__

        text = audit.pop("content")
        header = {
            "format_version": CONTENT_VERSION,
            "checklist": {
                "id": audit.pop("checklist_id"),
                "version": audit.pop("version"),
                "title": audit.pop("title"),
                "content_hash": audit.pop("content_hash"),
                "source": audit.pop("source"),
            },
            "audit": {**audit, "scope": json.loads(audit["scope"] or "{}")},
            "exported_at": now(),
            "exported_by": viewer,
            "for_reviewer": reviewer,
            "casereview_version": __version__,
        }
        return header, text

    def bundle_cases(self, audit_id: int) -> Iterator[Json]:
        """The audit's sample in its order, one case at a time."""
        columns = ", ".join(f"c.{name}" for name in CASE_COLUMNS)
        cursor = self.conn.execute(
            f"SELECT {columns}, c.extra, ac.position, ac.stratum, ac.assigned_to,"
            " ac.second_reviewer FROM audit_cases ac JOIN cases c ON c.id = ac.case_id"
            " WHERE ac.audit_id = ? ORDER BY ac.position",
            [audit_id],
        )
        names = [*CASE_COLUMNS, "extra", "position", "stratum", "assigned_to", "second_reviewer"]
        for row in cursor:
            case = dict(zip(names, row, strict=True))
            case["extra"] = json.loads(case["extra"] or "{}")
            yield case

    def bundle_audit_events(self, audit_id: int) -> Iterator[Json]:
        """The audit's own events (assignments: no review's), in the order written."""
        cursor = self.conn.execute(
            f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE audit_id = ?"
            " AND review_id IS NULL ORDER BY id",
            [audit_id],
        )
        for row in cursor:
            yield {**dict(zip(EVENT_COLUMNS, row, strict=True)), "review_uuid": None}

    def bundle_reviews(
        self, audit_id: int, reviewer: str | None = None, viewer: str | None = None
    ) -> Iterator[Json]:
        """The reviews a bundle carries (bundle_content's choice: `reviewer`'s only, none a
        blind second reviewer must not see), case by case in the sample's order, each with
        its answers and events: read a batch at a time."""
        from casereview.core.bundles.batching import batched

        hidden: set[tuple[str, str]] = set()
        for person in {reviewer, viewer} - {None}:
            assert person is not None
            hidden |= {self._case_key(cid) for cid in self.blind_cases(audit_id, person)}
        cursor = self.conn.execute(
            f"SELECT r.id, {', '.join('r.' + c for c in REVIEW_COLUMNS)}, c.force, c.case_ref"
            " FROM reviews r JOIN cases c ON c.id = r.case_id JOIN audit_cases ac"
            " ON ac.audit_id = r.audit_id AND ac.case_id = r.case_id WHERE r.audit_id = ?"
            f" ORDER BY ac.position, {_ROLE_ORDER}, r.id",
            [audit_id],
        )
        names = ["id", *REVIEW_COLUMNS, "force", "case_ref"]
        kept = (
            dict(zip(names, row, strict=True))
            for row in cursor
            if (reviewer is None or row[3] == reviewer)
            and not ((row[-2], row[-1]) in hidden and row[2] != "second")
        )
        for batch in batched(kept, "export"):
            yield from self._review_lines(batch)

    def _review_lines(self, reviews: Sequence[Json]) -> list[Json]:
        """These reviews (with their database id) as a bundle's lines: answers and events
        added, the id let go."""
        by_id: dict[int, Json] = {}
        for review in reviews:
            review["answers"], review["events"] = [], []
            by_id[review.pop("id")] = review
        marks = ", ".join("?" * len(by_id))
        for row in self.conn.execute(
            f"SELECT review_id, {', '.join(ANSWER_COLUMNS)} FROM answers"
            f" WHERE review_id IN ({marks}) ORDER BY review_id, question_id",
            list(by_id),
        ):
            by_id[row[0]]["answers"].append(dict(zip(ANSWER_COLUMNS, row[1:], strict=True)))
        for row in self.conn.execute(
            f"SELECT review_id, {', '.join(EVENT_COLUMNS)} FROM events"
            f" WHERE review_id IN ({marks}) ORDER BY id",
            list(by_id),
        ):
            by_id[row[0]]["events"].append(dict(zip(EVENT_COLUMNS, row[1:], strict=True)))
        return list(by_id.values())

    def same_as_held(self, audit_uuid: str, lines: Sequence[Any]) -> set[str]:
        """The uuids of those `lines` (a bundle's, as read) that the database holds exactly
        as they are: the review's fields, its answers and its events, each in the order and
        with the keys the export writes. What a re-import compares a line with before doing
        any work for it; read as tuples, not built into dicts."""
        lines_of = {
            line["uuid"]: line
            for line in lines
            if isinstance(line, dict)
            and tuple(line) == _LINE_KEYS
            and isinstance(line["uuid"], str)
        }
        if not lines_of:
            return set()
        uuids = list(lines_of)
        ids: dict[int, str] = {}
        for rid, uuid, *fields in self.conn.execute(
            f"{uuids_cte(len(uuids))} SELECT r.id, r.uuid, {', '.join(_FIELD_SQL)} FROM u"
            " CROSS JOIN reviews r ON r.uuid = u.uuid JOIN cases c ON c.id = r.case_id"
            " JOIN audits a ON a.id = r.audit_id WHERE a.uuid = ?",
            [*uuids, audit_uuid],
        ):
            line = lines_of[uuid]
            if [line[k] for k in _FIELD_KEYS] == fields:
                ids[rid] = uuid
        if not ids:
            return set()
        order = sorted(ids)
        marks = ", ".join("?" * len(order))
        same = set(ids.values())
        for table, keys, by in (
            ("answers", _ANSWER_KEYS, "review_id, question_id"),
            ("events", _EVENT_KEYS, "review_id, id"),
        ):
            told = {rid: _rows(lines_of[ids[rid]][table], keys) for rid in order}
            held = self.conn.execute(
                f"SELECT {', '.join(keys)} FROM {table} WHERE review_id IN ({marks}) ORDER BY {by}",
                order,
            ).fetchall()
            flat: list[Any] = []
            for rid in order:
                rows = told[rid]
                flat += [None] if rows is None else rows  # other keys (None): never equal
            if flat == held:
                continue  # every review's rows as the database holds them (a re-import)
            for rid, uuid in ids.items():  # some differ: which, review by review
                rows = self.conn.execute(
                    f"SELECT {', '.join(keys)} FROM {table} WHERE review_id = ? ORDER BY {by}",
                    [rid],
                ).fetchall()
                if told[rid] != rows:
                    same.discard(uuid)
        return same

    def held_digests(self, audit_id: int, digests: Sequence[bytes]) -> dict[bytes, Held]:
        """Of these line digests (SHA-256 of a reviews.jsonl line's bytes), those recorded
        for one of this audit's reviews, each with the review's identity as the line holds
        it. A digest is recorded only when the database holds all its line brings
        (record_digests), dropped by trigger at any change to the review, its answers or its
        case's identity (m021_bundle_line_hashes), and passed over once the review has a new
        event or another number of answers (its fingerprint, m022): a line found here is one
        whose merge would add nothing now."""
        if not digests:
            return {}
        marks = ", ".join("?" * len(digests))
        return {
            digest: Held(*rest)
            for digest, *rest in self.conn.execute(  # from the digests (CROSS JOIN): not
                # from the audit's reviews, which the planner would read whole each chunk
                "SELECT h.sha256, r.uuid, c.force, c.case_ref, r.role, r.reviewer"
                " FROM review_line_hashes h CROSS JOIN reviews r ON r.id = h.review_id"
                f" JOIN cases c ON c.id = r.case_id WHERE h.sha256 IN ({marks})"
                f" AND r.audit_id = ? AND ({_FINGERPRINT}) IS (h.last_event, h.answers)",
                [*digests, audit_id],
            )
        }

    def record_digests(self, audit_id: int, lines: Sequence[tuple[bytes, str]]) -> None:
        """Record each of these (digest, review uuid) for its review of the audit: lines the
        database now holds all of, because it held the line as it is (same_as_held) or has
        just merged it whole (a new review, one the line was ahead on, one settled). Call it
        after the lines' merge is written, in the same transaction: importing such a line
        again would add nothing, so a re-import reads its digest and leaves it."""
        self.conn.executemany(
            "INSERT OR REPLACE INTO review_line_hashes (review_id, sha256, last_event, answers)"
            f" SELECT r.id, ?, {_FINGERPRINT} FROM reviews r WHERE r.uuid = ? AND r.audit_id = ?",
            [(digest, uuid, audit_id) for digest, uuid in lines],
        )


# A review's fingerprint (m022_line_hash_fingerprints): its last event's id (events are
# append-only and each new one takes a higher id) and its number of answers. With the
# triggers on the review, its answers' changes and its case, a digest whose fingerprint
# still holds is one the database has not changed since it was recorded.
_FINGERPRINT = (
    "(SELECT max(e.id) FROM events e WHERE e.review_id = r.id),"
    " (SELECT count(*) FROM answers x WHERE x.review_id = r.id)"
)


class Held(NamedTuple):
    """A review whose line's digest is recorded: its identity, as its line holds it."""

    uuid: str
    force: str
    case_ref: str
    role: str
    reviewer: str


# A line's keys as the export writes them (sorted), and the database's columns in that order.
_LINE_KEYS = ("answers", "case_ref", "completed_at", "current_question", "events", "force",
              "reviewer", "role", "started_at", "status", "updated_at", "uuid")  # fmt: skip
_FIELD_KEYS = [k for k in _LINE_KEYS if k not in ("answers", "events", "uuid")]
_FIELD_SQL = [f"c.{k}" if k in ("case_ref", "force") else f"r.{k}" for k in _FIELD_KEYS]
_ANSWER_KEYS = tuple(sorted(ANSWER_COLUMNS))
_EVENT_KEYS = tuple(sorted(EVENT_COLUMNS))


def _rows(items: Any, keys: tuple[str, ...]) -> list[tuple[Any, ...]] | None:
    """A line's answers or events as rows of `keys`, None when any has other keys."""
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and tuple(item) == keys for item in items
    ):
        return None
    return [tuple(item.values()) for item in items]
