"""Audit bundles in and out of the database: an audit's state read by identity, a bundle
planned (core.bundles.merge) and checked (core.bundles.rules, and here against the pool
and the checklists), then applied in one transaction (store.bundle_writes)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from casereview.core.fields import CASE_COLUMNS
from casereview.core.text import match_key
from casereview.store.bundle_writes import EVENT_COLUMNS, REVIEW_COLUMNS, BundleWriter
from casereview.store.records import now

if TYPE_CHECKING:
    from casereview.core.bundles.merge import Bundle, Json, Plan
    from casereview.core.checklist.models import Checklist


# The content's own version: 2 carries the audit's period (period_start, period_end), which
# a version-1 bundle lacks (its period then comes from report dates in the scope, as m013).
CONTENT_VERSION = 2


class BundleStore(BundleWriter):
    """An audit as a bundle holds it, and bundles checked and merged back."""

    # ------------------------------------------------------------------ reading

    def bundle_content(
        self, audit_id: int, reviewer: str | None = None, viewer: str | None = None
    ) -> tuple[Json, str]:
        """The audit as a bundle holds it, and its checklist's text.

        With `reviewer`, only that reviewer's reviews. A case on which `reviewer` or `viewer`
        (who exports it) is the blind second reviewer of an open pair carries only its second
        review: the primary's answers must not reach them (the store's blind rule)."""
        state = self._audit_state(audit_id)
        hidden = set()
        for person in {reviewer, viewer} - {None}:
            assert person is not None
            hidden |= {self._case_key(cid) for cid in self.blind_cases(audit_id, person)}
        kept = [
            r
            for r in state["reviews"]
            if (reviewer is None or r["reviewer"] == reviewer)
            and not ((r["force"], r["case_ref"]) in hidden and r["role"] != "second")
        ]
        uuids = {r["uuid"] for r in kept}
        state["reviews"] = kept
        state["events"] = [
            e for e in state["events"] if e["review_uuid"] is None or e["review_uuid"] in uuids
        ]
        state["exported_at"] = now()
        state["exported_by"] = viewer
        state["for_reviewer"] = reviewer
        from casereview import __version__  # the package metadata: read when needed, not at start

        state["casereview_version"] = __version__
        text = self.db.execute(
            "SELECT content FROM checklists WHERE id = (SELECT checklist_pk FROM audits"
            " WHERE id = ?)",
            [audit_id],
        ).fetchone()[0]
        return state, text

    def _case_key(self, case_id: int) -> tuple[str, str]:
        row = self.db.execute(
            "SELECT force, case_ref FROM cases WHERE id = ?", [case_id]
        ).fetchone()
        return (row[0], row[1])

    def _audit_state(self, audit_id: int) -> Json:
        """Everything of one audit, keyed by identities that mean the same in any file."""
        audit = next(
            self.db.query(
                "SELECT a.uuid, a.name, a.checklist_hash, a.seed, a.scope, a.created_by,"
                " a.created_at, a.period_start, a.period_end, c.checklist_id, c.version,"
                " c.title, c.content_hash, c.source"
                " FROM audits a JOIN checklists c ON c.id = a.checklist_pk WHERE a.id = ?",
                [audit_id],
            )
        )
        columns = ", ".join(f"c.{name}" for name in CASE_COLUMNS)
        cases = []
        for row in self.db.query(
            f"SELECT {columns}, c.extra, ac.position, ac.stratum, ac.assigned_to,"
            " ac.second_reviewer FROM audit_cases ac JOIN cases c ON c.id = ac.case_id"
            " WHERE ac.audit_id = ? ORDER BY ac.position",
            [audit_id],
        ):
            row["extra"] = json.loads(row["extra"] or "{}")
            cases.append(row)
        reviews: list[Json] = []
        by_id: dict[int, Json] = {}
        for row in self.db.query(
            f"SELECT r.id, {', '.join('r.' + c for c in REVIEW_COLUMNS)}, c.force, c.case_ref"
            " FROM reviews r JOIN cases c ON c.id = r.case_id WHERE r.audit_id = ?"
            " ORDER BY r.id",
            [audit_id],
        ):
            row["answers"] = []
            by_id[row.pop("id")] = row
            reviews.append(row)
        for row in self.db.query(
            "SELECT x.review_id, x.question_id, x.value, x.note, x.updated_by, x.updated_at"
            " FROM answers x JOIN reviews r ON r.id = x.review_id WHERE r.audit_id = ?"
            " ORDER BY x.review_id, x.question_id",
            [audit_id],
        ):
            by_id[row.pop("review_id")]["answers"].append(row)
        events = list(
            self.db.query(
                f"SELECT {', '.join('e.' + c for c in EVENT_COLUMNS)}, r.uuid AS review_uuid"
                " FROM events e LEFT JOIN reviews r ON r.id = e.review_id"
                " WHERE e.audit_id = ? OR r.audit_id = ? ORDER BY e.id",
                [audit_id, audit_id],
            )
        )
        return {
            "format_version": CONTENT_VERSION,
            "checklist": {
                "id": audit.pop("checklist_id"),
                "version": audit.pop("version"),
                "title": audit.pop("title"),
                "content_hash": audit.pop("content_hash"),
                "source": audit.pop("source"),
            },
            "audit": {**audit, "scope": json.loads(audit["scope"] or "{}")},
            "cases": cases,
            "reviews": reviews,
            "events": events,
        }

    def bundle_history(self, audit_id: int) -> tuple[str | None, str | None]:
        """(when this database made the audit from a bundle, when a bundle last merged into
        it), each None where it never happened."""
        row = self.conn.execute(
            "SELECT max(CASE WHEN kind = 'created' THEN at END),"
            " max(CASE WHEN kind = 'merged' THEN at END) FROM bundle_merges WHERE audit_id = ?",
            [audit_id],
        ).fetchone()
        return (row[0], row[1])

    # ------------------------------------------------------------------ merging

    def merge_bundle(
        self,
        bundle: Bundle,
        source: str,
        actor: str,
        dry_run: bool = False,
        settle: str | None = None,
        signed_by: str | None = None,
    ) -> Plan:
        """Merge a checked bundle: all of it in one transaction, or (a conflict, a clash, a
        rule broken) nothing. With dry_run, only the plan, and nothing written at all. An
        empty plan writes nothing either, so importing a bundle twice leaves the file as it
        was. `settle` is the importer's choice for reviews changed on both sides
        (bundle.plan).

        Every refusal is a BundleError naming `source`."""
        from casereview.core.bundles.merge import BundleError  # (the rules load on use)

        try:
            if dry_run:
                return self._plan_bundle(bundle, source, settle)
            with self._write():
                result = self._plan_bundle(bundle, source, settle, store_shipped=True)
                if not result.empty:
                    self._apply_bundle(bundle, result, source, actor, signed_by)
            return result
        except BundleError as exc:
            if str(exc).startswith(source):
                raise
            raise BundleError(f"{source}: {exc}") from None
        except sqlite3.IntegrityError as exc:  # a clash the checks above did not foresee
            raise BundleError(
                f"{source}: bundle.json clashes with this database ({exc}); nothing was imported"
            ) from None

    def _plan_bundle(
        self,
        bundle: Bundle,
        source: str,
        settle: str | None,
        store_shipped: bool = False,
        state: Callable[[int], Json] | None = None,
        pool_checked_by_caller: bool = False,
    ) -> Plan:
        """The plan, checked. An audit new here gets its checklist from the bundle unless
        this database has it; with `store_shipped` (a merge, not a dry run) the shipped
        checklists are stored first, as every command that offers them does, so that a
        bundle's other text under a shipped version is refused as it is elsewhere.
        (`pool_checked_by_caller`: the sample's cases against the pool are the caller's to
        check and add, a chunk at a time, before it applies the plan: store.bundle_stream.)"""
        from casereview.core.bundles.merge import BundleConflict, BundleError, plan, refusal
        from casereview.core.bundles.rules import merge_problems

        content = bundle.content
        warnings = []
        audit = content["audit"]
        audit_id = self._audit_by_uuid(audit["uuid"])
        local = None
        if audit_id is None:
            if self.db.execute("SELECT 1 FROM audits WHERE name = ?", [audit["name"]]).fetchone():
                raise BundleError(
                    f"this database has another audit named '{audit['name']}' (not the one "
                    "the bundle was made from); nothing was imported"
                )
            if store_shipped:
                warnings = self.ensure_shipped_checklists()
            checklist = self._bundle_checklist(bundle, shipped_stored=store_shipped)
            new_cases = [] if pool_checked_by_caller else self._check_bundle_cases(content["cases"])
            result = plan(None, content)
            result.new_cases = new_cases
        else:
            # built once: the whole audit, or what `state` gives (a streamed merge's part)
            local = (state or self._audit_state)(audit_id)
            result = plan(local, content, settle)
            checklist = self.audit_checklist(audit_id)  # its hash is the bundle's (plan)
        result.warnings = warnings
        if result.conflicts:
            raise BundleConflict(source, result.conflicts)
        wrong = merge_problems(content, checklist, local, result)
        wrong += self._taken_uuids(content, result)
        if wrong:
            raise BundleError(refusal(source, wrong))
        return result

    def _taken_uuids(self, content: Json, result: Plan) -> list[str]:
        """Reviews and events the bundle adds whose identity (UUID) another audit here has."""
        problems = []
        for part, adds in (("reviews", result.new_reviews), ("events", result.new_events)):
            at = {item["uuid"]: i for i, item in enumerate(content[part])}
            problems += [
                f"bundle.json: {part}.{at[uuid]}.uuid: the identity of one of another audit's "
                f"{part} in this database"
                for uuid in self._existing(part, [item["uuid"] for item in adds])
            ]
        return problems

    def _existing(self, table: str, uuids: list[str]) -> list[str]:
        found: list[str] = []
        for at in range(0, len(uuids), 500):
            part = uuids[at : at + 500]
            found += [
                u
                for (u,) in self.conn.execute(
                    f"SELECT uuid FROM {table} WHERE uuid IN ({', '.join('?' * len(part))})",
                    part,
                )
            ]
        return found

    def _bundle_checklist(self, bundle: Bundle, shipped_stored: bool) -> Checklist:
        """The bundle's checklist: the version this database stores or this casereview
        ships, when it is one of those (the same content, or refused: a version is
        immutable), else parsed from the bundle, whose text must be the version bundle.json
        names. (`shipped_stored`: every shipped version is stored, none to look for.)"""
        from casereview.core.bundles.merge import BundleError
        from casereview.core.checklist.loading import ChecklistError, parse_checklist
        from casereview.store.shipped import (
            content_hash,
            shipped_checklist_text,
            shipped_checklists,
        )

        info = bundle.content["checklist"]
        label = f"{info['id']}@{info['version']}"
        row = self._checklist_row(info["id"], info["version"])
        known: str | None = None
        shipped: set[str] = set()
        if row is not None:
            known = row["content_hash"]
            shipped = {content_hash(p.read_text(encoding="utf-8")) for p in shipped_checklists()}
        elif not shipped_stored:  # not stored, in a dry run: it may still be a shipped version
            text = shipped_checklist_text(info["id"], info["version"])
            if text is not None:
                known = content_hash(text)
                shipped = {known}
        if known is not None and known != info["content_hash"]:
            where = "ships with casereview" if known in shipped else "is stored in this database"
            raise BundleError(
                f"checklist.yaml is {label} with other content than the {label} that {where}; "
                "a version is immutable, so the bundle's is not that checklist (its own needs "
                "a new version); nothing was imported"
            )
        if row is not None:
            return self.checklist(int(row["id"]))
        try:
            checklist = parse_checklist(bundle.checklist_text, "<bundle checklist>")
        except ChecklistError as exc:
            raise BundleError(f"checklist.yaml does not load: {exc}") from None
        if (checklist.id, checklist.version) != (info["id"], info["version"]):
            raise BundleError(
                f"checklist.yaml is {checklist.id}@{checklist.version}, but bundle.json's "
                f"checklist (id, version) says {label}; nothing was imported"
            )
        return checklist

    def _check_bundle_cases(self, cases: list[Json]) -> list[Json]:
        """The bundle's cases the pool lacks; a case the pool holds with other details, or a
        look-alike reference, is a clash and nothing is imported."""
        from casereview.core.bundles.merge import BundleError

        new, clashes = self._pool_clashes(cases)
        if clashes:
            raise BundleError(pool_clash_refusal(clashes))
        return new

    def _pool_clashes(self, cases: list[Json], at: int = 0) -> tuple[list[Json], list[str]]:
        """Of these cases (the sample's from its `at`th), those the pool lacks, and each
        clash of one the pool holds with other details or a look-alike reference."""
        clashes, new = [], []
        keys = [match_key(case["force"], case["case_ref"]) for case in cases]
        held: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            for found in self.db.query(
                f"SELECT * FROM cases WHERE match_key IN ({', '.join('?' * len(part))})", part
            ):
                held.setdefault(found["match_key"], found)
        for i, (case, key) in enumerate(zip(cases, keys, strict=True), at):
            row = held.get(key)
            if row is None:
                new.append(case)
                continue
            where = f"bundle.json: cases.{i}: case {case['case_ref']} of '{case['force']}'"
            if (row["force"], row["case_ref"]) != (case["force"], case["case_ref"]):
                clashes.append(f"{where} looks like {row['case_ref']} of '{row['force']}' here")
                continue
            differ = [
                name
                for name in CASE_COLUMNS
                if _same_type(row[name], name) != _same_type(case[name], name)
            ]
            if json.loads(row["extra"] or "{}") != case["extra"]:
                differ.append("extra attributes")
            if differ:
                clashes.append(f"{where} is in this pool with other {', '.join(differ)}")
        return new, clashes


def pool_clash_refusal(clashes: list[str]) -> str:
    return "the bundle's cases clash with this database's pool; nothing was imported:\n" + (
        "\n".join(f"  {line}" for line in clashes)
    )


def _same_type(value: Any, name: str) -> Any:
    """A case value as compared across files (yes/no columns are 0/1 in SQLite, bools in
    JSON)."""
    if name in ("da_related", "repeat_victim") and value is not None:
        return bool(value)
    return value
