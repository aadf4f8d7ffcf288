"""An audit read for a format-3 bundle a bounded batch at a time (core.bundles.batching):
its header, its sample case by case, its own events, and its reviews one a line, each with
its answers and events, from SQLite cursors, never the whole audit at once."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from casereview.core.bundles.batching import REVIEWS_PER_BATCH, batched
from casereview.core.bundles.merge import Json
from casereview.core.fields import CASE_COLUMNS
from casereview.store.bundle_writes import EVENT_COLUMNS, REVIEW_COLUMNS
from casereview.store.bundles import CONTENT_VERSION, BundleStore
from casereview.store.records import now

_ROLE_ORDER = "CASE r.role WHEN 'primary' THEN 0 WHEN 'second' THEN 1 ELSE 2 END"
ANSWER_COLUMNS = ("question_id", "value", "note", "updated_by", "updated_at")


class BundleExportStore(BundleStore):
    """An audit as a format-3 bundle's lines."""

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

    def held_review_lines(self, audit_uuid: str, uuids: Sequence[str]) -> dict[str, Json]:
        """The database's own copy of these reviews of the audit, as a bundle's lines give
        them (by uuid; the ones it lacks left out): what a re-import compares a line with
        before doing any work for it."""
        if not uuids:
            return {}
        names = ["id", *REVIEW_COLUMNS, "force", "case_ref"]
        rows: list[Any] = []
        for at in range(0, len(uuids), REVIEWS_PER_BATCH * 2):
            part = list(uuids[at : at + REVIEWS_PER_BATCH * 2])
            rows += self.conn.execute(
                f"SELECT r.id, {', '.join('r.' + c for c in REVIEW_COLUMNS)}, c.force,"
                " c.case_ref FROM reviews r JOIN cases c ON c.id = r.case_id"
                " JOIN audits a ON a.id = r.audit_id"
                f" WHERE a.uuid = ? AND r.uuid IN ({', '.join('?' * len(part))})",
                [audit_uuid, *part],
            ).fetchall()
        if not rows:
            return {}
        lines = self._review_lines([dict(zip(names, row, strict=True)) for row in rows])
        return {line["uuid"]: line for line in lines}
