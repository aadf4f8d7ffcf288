"""Audit bundles in and out of the database: an audit's state read by identity, a merge
plan (casereview.bundle) applied in one transaction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from casereview.bundle import Bundle, BundleConflict, BundleError, Json, Plan, plan
from casereview.fields import CASE_COLUMNS
from casereview.rules import second_review_refusal
from casereview.store.errors import StoreError
from casereview.store.records import now
from casereview.store.reviews import ReviewStore
from casereview.text import match_key

if TYPE_CHECKING:
    from casereview.checklist import Checklist

_REVIEW_COLUMNS = (
    "uuid",
    "role",
    "reviewer",
    "status",
    "current_question",
    "started_at",
    "updated_at",
    "completed_at",
)
_EVENT_COLUMNS = ("uuid", "question_id", "kind", "old", "new", "reason", "actor", "at")


class BundleStore(ReviewStore):
    """An audit as a bundle holds it, and bundles merged back."""

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
                " a.created_at, c.checklist_id, c.version, c.title, c.content_hash, c.source"
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
            f"SELECT r.id, {', '.join('r.' + c for c in _REVIEW_COLUMNS)}, c.force, c.case_ref"
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
                f"SELECT {', '.join('e.' + c for c in _EVENT_COLUMNS)}, r.uuid AS review_uuid"
                " FROM events e LEFT JOIN reviews r ON r.id = e.review_id"
                " WHERE e.audit_id = ? OR r.audit_id = ? ORDER BY e.id",
                [audit_id, audit_id],
            )
        )
        return {
            "format_version": 1,
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
    ) -> Plan:
        """Merge a checked bundle: all of it in one transaction, or (a conflict, a clash)
        nothing. With dry_run, only the plan. An empty plan writes nothing at all, so
        importing a bundle twice leaves the file as it was. `settle` is the importer's choice
        for reviews changed on both sides (bundle.plan)."""
        if dry_run:
            return self._plan_bundle(bundle, source, settle)
        with self._write():
            result = self._plan_bundle(bundle, source, settle)
            if not result.empty:
                self._apply_bundle(bundle, result, source, actor)
        return result

    def _audit_by_uuid(self, uuid: str) -> int | None:
        row = self.db.execute("SELECT id FROM audits WHERE uuid = ?", [uuid]).fetchone()
        return None if row is None else int(row[0])

    def _plan_bundle(self, bundle: Bundle, source: str, settle: str | None) -> Plan:
        content = bundle.content
        audit = content["audit"]
        audit_id = self._audit_by_uuid(audit["uuid"])
        if audit_id is None:
            if self.db.execute("SELECT 1 FROM audits WHERE name = ?", [audit["name"]]).fetchone():
                raise BundleError(
                    f"this database has another audit named '{audit['name']}' (not the one "
                    "the bundle was made from); nothing was imported"
                )
            checklist = self._bundle_checklist(bundle)
            new_cases = self._check_bundle_cases(content["cases"])
            result = plan(None, content)
            result.new_cases = new_cases
        else:
            local = self._audit_state(audit_id)  # built once: it is the whole audit
            result = plan(local, content, settle)
            checklist = self.audit_checklist(audit_id)  # its hash is the bundle's (plan)
        if result.conflicts:
            raise BundleConflict(source, result.conflicts)
        self._check_bundle_answers(checklist, result, None if audit_id is None else local)
        self._check_bundle_roles(content, None if audit_id is None else local, result)
        return result

    def _check_bundle_roles(self, content: Json, local: Json | None, result: Plan) -> None:
        """A review the bundle adds keeps the second-review rule (rules.py) with the reviews
        this database already holds: copies apart could each have been right alone."""
        cases = {(c["force"], c["case_ref"]): c for c in (local or content)["cases"]}
        for key, (assigned, second) in result.assignments.items():
            cases[key] = {**cases[key], "assigned_to": assigned, "second_reviewer": second}
        reviewers = {((r["force"], r["case_ref"]), r["role"]): r["reviewer"]
                     for r in (local or {"reviews": []})["reviews"]}  # fmt: skip
        for r in result.new_reviews:
            reviewers[((r["force"], r["case_ref"]), r["role"])] = r["reviewer"]
        problems = []
        for r in result.new_reviews:
            key = (r["force"], r["case_ref"])
            if r["role"] == "second":
                refusal = second_review_refusal(
                    r["reviewer"], cases[key]["assigned_to"], reviewers.get((key, "primary"))
                )
            elif r["role"] == "primary":
                refusal = second_review_refusal(reviewers.get((key, "second")), None, r["reviewer"])
            else:
                continue
            if refusal:
                problems.append(f"{r['force']} {r['case_ref']} {r['role']}: {refusal}")
        if problems:
            raise BundleError(
                "the bundle's reviews break the second-review rule with this database's; "
                "nothing was imported:\n" + "\n".join(f"  {p}" for p in problems)
            )

    def _bundle_checklist(self, bundle: Bundle) -> Checklist:
        """The bundle's checklist: the stored version when this database has it (the same
        content, or refused), else parsed from the bundle."""
        from casereview.checklist_loading import ChecklistError, parse_checklist

        info = bundle.content["checklist"]
        row = self._checklist_row(info["id"], info["version"])
        if row is not None:
            if row["content_hash"] != info["content_hash"]:
                raise BundleError(
                    f"checklist {info['id']}@{info['version']} is stored here with other "
                    "content than the bundle's; a version is immutable, so the two cannot be "
                    "the same audit; nothing was imported"
                )
            return self.checklist(int(row["id"]))
        try:
            return parse_checklist(bundle.checklist_text, "<bundle checklist>")
        except ChecklistError as exc:
            raise BundleError(f"the bundle's checklist does not load: {exc}") from None

    def _check_bundle_cases(self, cases: list[Json]) -> list[Json]:
        """The bundle's cases the pool lacks; a case the pool holds with other details, or a
        look-alike reference, is a clash and nothing is imported."""
        clashes, new = [], []
        for case in cases:
            rows = list(
                self.db.query(
                    "SELECT * FROM cases WHERE match_key = ?",
                    [match_key(case["force"], case["case_ref"])],
                )
            )
            if not rows:
                new.append(case)
                continue
            row = rows[0]
            where = f"case {case['case_ref']} of '{case['force']}'"
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
        if clashes:
            raise BundleError(
                "the bundle's cases clash with this database's pool; nothing was imported:\n"
                + "\n".join(f"  {line}" for line in clashes)
            )
        return new

    def _check_bundle_answers(self, checklist: Checklist, result: Plan, local: Json | None) -> None:
        """What the bundle brings keeps the app's rules (a bundle is checked by its seal,
        but a seal can be recomputed by anyone who edits the file): every answer one its
        checklist allows, none to a question skip logic hides, a completed review with
        every shown question answered, and a review kept by the reviewer who started it."""
        problems = []
        started_by = {r["uuid"]: r["reviewer"] for r in (local or {"reviews": []})["reviews"]}
        for review in result.new_reviews + result.updated_reviews:
            ref = review["case_ref"]
            values: dict[str, str | None] = {}
            for answer in review["answers"]:
                qid, value = answer["question_id"], answer["value"]
                if not checklist.has_question(qid):
                    problems.append(f"{ref}: no question {qid} in the checklist")
                elif value is not None and value not in checklist.question(qid).answers:
                    problems.append(f"{ref}: {qid} does not allow '{value}'")
                else:
                    values[qid] = value
            hidden = set(checklist.hidden_ids(values))
            problems += [
                f"{ref}: {qid} is answered, but its skip logic hides it"
                for qid, value in values.items()
                if qid in hidden and value is not None
            ]
            if review["status"] == "complete" and checklist.unanswered(values):
                missing = ", ".join(checklist.unanswered(values)[:5])
                problems.append(f"{ref}: complete, but shown questions are unanswered ({missing})")
            was = started_by.get(review["uuid"])
            if was is not None and was != review["reviewer"]:
                problems.append(
                    f"{ref}: the {review['role']} review was {was}'s, the bundle says "
                    f"{review['reviewer']}'s (a review keeps its reviewer)"
                )
        if problems:
            raise BundleError(
                "the bundle holds answers its checklist does not allow; nothing was imported:\n"
                + "\n".join(f"  {p}" for p in problems)
            )

    def _apply_bundle(self, bundle: Bundle, result: Plan, source: str, actor: str) -> None:
        content = bundle.content
        stamp = now()
        if result.create_audit:
            audit_id = self._create_bundled_audit(bundle, result.new_cases, stamp)
        else:
            found = self._audit_by_uuid(content["audit"]["uuid"])
            assert found is not None
            audit_id = found
        case_ids = {
            (force, ref): int(cid)
            for cid, force, ref in self.db.execute(
                "SELECT c.id, c.force, c.case_ref FROM audit_cases ac JOIN cases c"
                " ON c.id = ac.case_id WHERE ac.audit_id = ?",
                [audit_id],
            )
        }
        for key, (assigned, second) in result.assignments.items():
            self.db.execute(
                "UPDATE audit_cases SET assigned_to = ?, second_reviewer = ?"
                " WHERE audit_id = ? AND case_id = ?",
                [assigned, second, audit_id, case_ids[key]],
            )
        for review in result.new_reviews:
            self.db.execute(
                f"INSERT INTO reviews (audit_id, case_id, {', '.join(_REVIEW_COLUMNS)})"
                f" VALUES (?, ?, {', '.join('?' * len(_REVIEW_COLUMNS))})",
                [
                    audit_id,
                    case_ids[(review["force"], review["case_ref"])],
                    *(review[c] for c in _REVIEW_COLUMNS),
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
        review_ids = {
            uuid: int(rid)
            for rid, uuid in self.db.execute(
                "SELECT id, uuid FROM reviews WHERE audit_id = ?", [audit_id]
            )
        }
        for review in result.new_reviews + result.updated_reviews:
            review_id = review_ids[review["uuid"]]
            self.db.execute("DELETE FROM answers WHERE review_id = ?", [review_id])
            self.db.conn.executemany(
                "INSERT INTO answers (review_id, question_id, value, note, updated_by,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        review_id,
                        a["question_id"],
                        a["value"],
                        a["note"],
                        a["updated_by"],
                        a["updated_at"],
                    )
                    for a in review["answers"]
                ],
            )
        self.db.conn.executemany(
            f"INSERT INTO events (review_id, audit_id, {', '.join(_EVENT_COLUMNS)})"
            f" VALUES (?, ?, {', '.join('?' * len(_EVENT_COLUMNS))})",
            [
                (
                    None if e["review_uuid"] is None else review_ids[e["review_uuid"]],
                    audit_id if e["review_uuid"] is None else None,
                    *(e[c] for c in _EVENT_COLUMNS),
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
        self.db.execute(
            "INSERT INTO bundle_merges (audit_id, kind, file, exported_by, exported_at, added,"
            " actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                audit_id,
                "created" if result.create_audit else "merged",
                source,
                content.get("exported_by"),
                content.get("exported_at"),
                "; ".join(result.summary()),
                actor,
                stamp,
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
                for c in new_cases
            ],
        )
        audit = content["audit"]
        cursor = self.db.execute(
            "INSERT INTO audits (uuid, name, checklist_pk, checklist_hash, seed, scope,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                audit["uuid"],
                audit["name"],
                pk,
                audit["checklist_hash"],
                audit["seed"],
                json.dumps(audit["scope"], sort_keys=True),
                audit["created_by"],
                audit["created_at"],
            ],
        )
        audit_id = int(cursor.lastrowid or 0)
        for c in content["cases"]:
            case_id = self.db.execute(
                "SELECT id FROM cases WHERE force = ? AND case_ref = ?",
                [c["force"], c["case_ref"]],
            ).fetchone()
            if case_id is None:  # pragma: no cover - checked and inserted above
                raise StoreError(f"case {c['case_ref']} missing after the import")
            self.db.execute(
                "INSERT INTO audit_cases (audit_id, case_id, position, stratum, assigned_to,"
                " second_reviewer) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    audit_id,
                    case_id[0],
                    c["position"],
                    c["stratum"],
                    c["assigned_to"],
                    c["second_reviewer"],
                ],
            )
        return audit_id


def _same_type(value: Any, name: str) -> Any:
    """A case value as compared across files (yes/no columns are 0/1 in SQLite, bools in
    JSON)."""
    if name in ("da_related", "repeat_victim") and value is not None:
        return bool(value)
    return value
