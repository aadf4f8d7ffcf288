"""A format-3 bundle merged as it is read (io.bundles.stream): the audit, its sample and its
own events first, then its reviews a bounded batch at a time (core.bundles.batching), each
batch planned (core.bundles.merge) and checked by the same rules (core.bundles.rules) against
what the database holds of the batch's cases, all in one transaction: a bundle refused
anywhere, or whose member fails its manifest at its end, writes nothing.

A review the database already holds exactly as its line gives it (the same fields, answers
and events, compared as rows: store.bundle_export.same_as_held) is left at once, unchecked:
the full merge would add nothing for it. So a bundle imported again is decided by reading it
and comparing, without planning, checking or writing anything.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from casereview.core.fields import CASE_COLUMNS
from casereview.store.bundle_export import BundleExportStore
from casereview.store.bundle_writes import EVENT_COLUMNS, keys_cte, uuids_cte
from casereview.store.bundle_writes import REVIEW_COLUMNS as _REVIEW_COLUMNS

if TYPE_CHECKING:
    from casereview.core.bundles.batching import Totals
    from casereview.core.bundles.merge import Json
    from casereview.io.bundles.stream import Streamed

Key = tuple[str, str]
_SLIM = ("uuid", "role", "reviewer", "status", "started_at")


class BundleStreamStore(BundleExportStore):
    """Format-3 bundles merged a batch of reviews at a time."""

    def merge_streamed(
        self,
        streamed: Streamed,
        source: str,
        actor: str,
        dry_run: bool = False,
        settle: str | None = None,
        signed_by: str | None = None,
    ) -> Totals:
        """merge_bundle for a format-3 bundle: all of it in one transaction, or nothing (a
        dry run, and a merge that adds nothing, roll theirs back)."""
        # The merge's machinery (and the bundle rules under it) is imported here, by the one
        # method that merges: every command builds a Store, few import a bundle.
        from casereview.store.bundle_merge import BundleError, _Merge, _Rollback

        try:
            with self._write():
                totals = _Merge(self, streamed, source, actor, settle, signed_by).run()
                if dry_run or totals.empty:
                    raise _Rollback(totals)
            return totals
        except _Rollback as done:
            return done.totals
        except BundleError as exc:
            if str(exc).startswith(source):
                raise
            raise BundleError(f"{source}: {exc}") from None
        except sqlite3.IntegrityError as exc:  # a clash the checks did not foresee
            raise BundleError(
                f"{source}: the bundle clashes with this database ({exc}); nothing was imported"
            ) from None

    # ------------------------------------------------------------------ the database's part

    def _audit_level_state(self, audit_id: int) -> Json:
        """The audit as plan reads it, without its reviews' answers and events: its sample,
        its own events, and each review's identity, person and status (the second-review
        and moderation rules read them)."""
        state = self._cases_state(audit_id, None, slim=True)
        state["events"] = [
            {**dict(zip(EVENT_COLUMNS, row, strict=True)), "review_uuid": None}
            for row in self.conn.execute(
                f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE audit_id = ?"
                " AND review_id IS NULL ORDER BY id",
                [audit_id],
            )
        ]
        state["reviews"] = [
            dict(zip((*_SLIM, "force", "case_ref"), row, strict=True))
            for row in self.conn.execute(
                f"SELECT {', '.join('r.' + c for c in _SLIM)}, c.force, c.case_ref"
                " FROM reviews r JOIN cases c ON c.id = r.case_id WHERE r.audit_id = ?",
                [audit_id],
            )
        ]
        return state

    def _cases_state(self, audit_id: int, keys: set[Key] | None, slim: bool = False) -> Json:
        """The audit's checklist hash and its cases (these only, when `keys` is given), as
        _audit_state gives them (`slim`: only what the audit-level rules read,
        bundle_merge.SLIM_CASE)."""
        (hash_,) = self.conn.execute(
            "SELECT c.content_hash FROM audits a JOIN checklists c ON c.id = a.checklist_pk"
            " WHERE a.id = ?",
            [audit_id],
        ).fetchone()
        columns = ["force", "case_ref"] if slim else [*CASE_COLUMNS, "extra"]
        names = [*columns, "position", "stratum", "assigned_to", "second_reviewer"]
        select = f"SELECT {', '.join('c.' + n for n in columns)}, ac.position, ac.stratum,"
        select += " ac.assigned_to, ac.second_reviewer"
        if keys is None:
            rows = self.conn.execute(
                f"{select} FROM audit_cases ac JOIN cases c ON c.id = ac.case_id"
                " WHERE ac.audit_id = ? ORDER BY ac.position",
                [audit_id],
            ).fetchall()
        else:
            rows = []
            for part in _parts(sorted(keys)):
                rows += self.conn.execute(
                    f"{keys_cte(len(part))} {select} FROM k CROSS JOIN cases c"
                    " ON c.force = k.force AND c.case_ref = k.case_ref JOIN audit_cases ac"
                    " ON ac.case_id = c.id WHERE ac.audit_id = ?",
                    [*(value for key in part for value in key), audit_id],
                ).fetchall()
            rows.sort(key=lambda row: row[len(columns)])

        cases = []
        for row in rows:
            case = dict(zip(names, row, strict=True))
            if not slim:
                case["extra"] = json.loads(case["extra"] or "{}")
            cases.append(case)
        return {"checklist": {"content_hash": hash_}, "cases": cases}

    def _batch_state(self, audit_id: int, keys: set[Key], uuids: set[str]) -> Json:
        """What the database holds of these cases: the cases, every review of them (and any
        other review of these uuids) with its answers, and their events (not the audit's
        own: the audit's part is merged first)."""
        state = self._cases_state(audit_id, keys)
        names = ["id", *_REVIEW_COLUMNS, "force", "case_ref"]
        select = f"SELECT r.id, {', '.join('r.' + c for c in _REVIEW_COLUMNS)}, c.force, c.case_ref"
        found: dict[int, Json] = {}
        for part in _parts(sorted(keys)):
            for row in self.conn.execute(
                f"{keys_cte(len(part))} {select} FROM k CROSS JOIN cases c ON c.force = k.force"
                " AND c.case_ref = k.case_ref JOIN reviews r ON r.case_id = c.id"
                " WHERE r.audit_id = ?",
                [*(value for key in part for value in key), audit_id],
            ):
                found[row[0]] = dict(zip(names, row, strict=True))
        for part in _parts(sorted(uuids)):  # the database's copy of each, wherever it is
            for row in self.conn.execute(
                f"{uuids_cte(len(part))} {select} FROM u CROSS JOIN reviews r ON r.uuid = u.uuid"
                " JOIN cases c ON c.id = r.case_id WHERE r.audit_id = ?",
                [*part, audit_id],
            ):
                found.setdefault(row[0], dict(zip(names, row, strict=True)))
        rows = [found[rid] for rid in sorted(found)]
        reviews = self._review_lines(rows) if rows else []
        state["events"] = [
            {**event, "review_uuid": review["uuid"]}
            for review in reviews
            for event in review.pop("events")
        ]
        state["reviews"] = reviews
        return state


def _parts(items: list[Any], size: int = 400) -> Iterator[list[Any]]:
    """`items` in slices of `size`: bound parameters kept under SQLite's limit."""
    for at in range(0, len(items), size):
        yield items[at : at + size]
