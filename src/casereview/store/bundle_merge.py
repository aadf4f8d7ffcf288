"""The merge of a format-3 bundle as store.bundle_stream runs it (its docstring says how):
the run over the bundle's members, a bounded batch of reviews at a time, and the names its
problems are given. Its own module, imported by BundleStreamStore.merge_streamed, so the
bundle rules load only when a bundle is merged."""

from __future__ import annotations

import hashlib
import itertools
import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from casereview.core.bundles.batching import Totals, batched
from casereview.core.bundles.merge import (
    Bundle,
    BundleConflict,
    BundleError,
    Json,
    Plan,
    plan,
    refusal,
)
from casereview.core.bundles.rules import content_problems, merge_problems
from casereview.store.bundle_export import Held
from casereview.store.bundles import pool_clash_refusal
from casereview.store.records import now
from casereview.store.shipped import content_hash

if TYPE_CHECKING:
    from casereview.core.checklist.models import Checklist
    from casereview.io.bundles.stream import Streamed
    from casereview.store.bundle_stream import BundleStreamStore, Key


_NAMED = re.compile(r"bundle\.json: (reviews|events|cases|audit|checklist)(?:\.(\d+))?")
_CHUNK = 200  # lines read, hashed and looked up at a time


class _Rollback(Exception):
    """A dry run, or a merge that adds nothing: its transaction is let go."""

    def __init__(self, totals: Totals):
        self.totals = totals


def _key(item: Json) -> Key:
    return (item["force"], item["case_ref"])


class _Line(NamedTuple):
    """A line of reviews.jsonl: its digest, and the review the database holds exactly as
    the line gives it (`held`), or else the line parsed (`review`)."""

    digest: bytes
    held: Held | None
    review: Any


def _line_key(line: _Line) -> Any:
    """A line's case, or None for a line that is not yet known to be a review's."""
    if line.held is not None:
        return (line.held.force, line.held.case_ref)
    review = line.review
    return (review.get("force"), review.get("case_ref")) if isinstance(review, dict) else None


class _Merge:
    """One streamed merge, inside the caller's transaction."""

    def __init__(
        self,
        store: BundleStreamStore,
        streamed: Streamed,
        source: str,
        actor: str,
        settle: str | None,
        signed_by: str | None,
    ):
        self.store, self.streamed, self.source = store, streamed, source
        self.actor, self.settle, self.signed_by = actor, settle, signed_by
        self.header = streamed.header
        self.totals = Totals()
        self.conflicts: list[str] = []
        self.case_at: dict[Key, int] = {}
        self.shared: dict[Any, Any] = {}  # one copy of each repeated value (_slim)

    def refuse(self, wrong: list[str], names: Callable[[str, int | None], str]) -> None:
        if wrong:
            raise BundleError(refusal(self.source, [_renamed(line, names) for line in wrong]))

    def run(self) -> Totals:
        audit_id = self._audit_part()
        checklist: Checklist | None = None  # parsed for the first batch with work to do
        # held for every line read, so each as 16 bytes (_tag): uuids seen, cases passed;
        # the roles of the current case only (a case's lines are side by side)
        seen: set[bytes] = set()
        slots: set[str] = set()
        done: set[bytes] = set()
        at = 0
        current: Key | None = None
        audit_uuid = self.header["audit"]["uuid"]
        for batch in batched(self._lines(audit_id), "import", _line_key):
            unknown = [line.review for line in batch if line.held is None]
            same = self.store.same_as_held(audit_uuid, unknown) if audit_id else set()
            wrong = []
            for i, line in enumerate(batch, at):
                if line.held is not None:  # the database holds this line's bytes as they are
                    uuid, role, reviewer = line.held.uuid, line.held.role, line.held.reviewer
                    key = (line.held.force, line.held.case_ref)
                else:
                    review = line.review
                    if not (isinstance(review, dict) and review.get("uuid") in same):
                        self.streamed.check_review(i, review)
                    key, uuid = _key(review), review["uuid"]
                    role, reviewer = review["role"], review["reviewer"]
                where = f"reviews.jsonl: reviews.{i}"
                about = f"({key[0]} {key[1]} {role} by {reviewer})"
                if key != current:
                    tag = _tag(*key)
                    if tag in done:
                        wrong.append(f"{where}.case_ref {about}: the reviews of a case are on "
                                     "lines side by side, this case's are not")  # fmt: skip
                    done.add(tag)
                    current, slots = key, set()
                tag = _tag(uuid)
                if tag in seen:
                    wrong.append(f"{where}.uuid {about}: the uuid of another line's review")
                if role in slots:
                    wrong.append(f"{where}.role {about}: another line holds this case's "
                                 f"{role} review (one of each)")  # fmt: skip
                seen.add(tag)
                slots.add(role)
            if wrong:
                raise BundleError(refusal(self.source, wrong))
            indexed = list(enumerate(batch, at))
            at += len(batch)
            if audit_id is None:  # the audit's part conflicts: it was not written
                continue
            changed = [
                (i, line.review)
                for i, line in indexed
                if line.held is None and line.review["uuid"] not in same
            ]
            if changed:
                checklist = checklist or self.store.audit_checklist(audit_id)
                self._batch(audit_id, checklist, changed)
            if not self.conflicts:  # every line now held whole, recorded for a re-import
                self.store.record_digests(
                    audit_id,
                    [(line.digest, line.review["uuid"]) for line in batch if line.held is None],
                )
        for merged in self.store.merge_bundle_plans(  # plans.jsonl (core.bundles.plans)
            self.streamed.plans(), self.settle, self.actor, self.source
        ):
            self.conflicts += merged.conflicts
            self.totals.add_plan(merged)
        if self.conflicts:
            raise BundleConflict(self.source, self.conflicts)
        if not self.totals.empty:
            self.store._record_merge(
                audit_id or 0, self.header, self.totals.create_audit, self.totals.summary(),
                self.source, self.actor, self.signed_by,
            )  # fmt: skip
        return self.totals

    def _lines(self, audit_id: int | None) -> Iterator[_Line]:
        """reviews.jsonl's lines, read a chunk at a time: a line whose digest the database
        has recorded for one of this audit's reviews (store.bundle_export.held_digests) is
        not parsed, the others are."""
        chunk: list[tuple[bytes, bytes]] = []
        at = 0
        for raw in itertools.chain(self.streamed.review_lines(), [None]):
            if raw is not None:
                chunk.append((hashlib.sha256(raw).digest(), raw))
                if len(chunk) < _CHUNK:
                    continue
            digests = [digest for digest, _raw in chunk]
            held = self.store.held_digests(audit_id, digests) if audit_id else {}
            for digest, line in chunk:
                known = held.get(digest)
                review = None if known else self.streamed.parse_review(at, line)
                yield _Line(digest, known, review)
                at += 1
            chunk = []

    def _audit_part(self) -> int | None:
        """The audit, its sample and its own events, checked and merged; the audit's id
        (None: they conflict with the database's, listed in self.conflicts).

        The sample is held only as the audit-level rules read it (SLIM_CASE: who a case is,
        where it stands, who reviews it); a new audit's cases are checked against the pool
        and added a chunk at a time from a second read of cases.jsonl (_pool_part)."""
        cases = [_slim(case, self.shared) for case in self.streamed.cases()]
        self.case_at = {_key(c): i for i, c in enumerate(cases)}
        content = {**self.header, "cases": cases, "reviews": [],
                   "events": list(self.streamed.audit_events())}  # fmt: skip
        self.refuse(content_problems(content), _first_names)
        text = self.streamed.checklist_text
        if content_hash(text) != self.header["checklist"]["content_hash"]:
            raise BundleError(
                f"{self.source}: checklist.yaml does not match its own hash (audit.json: "
                "checklist.content_hash); nothing was imported"
            )
        bundle = Bundle(content, text, self.streamed.signer)
        try:
            result = self.store._plan_bundle(
                bundle, self.source, self.settle, store_shipped=True,
                state=self.store._audit_level_state, pool_checked_by_caller=True,
            )  # fmt: skip
        except BundleConflict as exc:
            self.conflicts += exc.lines
            return None
        except BundleError as exc:
            raise BundleError(_renamed(str(exc), _first_names)) from None
        if result.create_audit:
            self._pool_part()
        self.store._apply_bundle(
            bundle, result, self.source, self.actor, self.signed_by, record=False
        )
        self.totals.add(result)
        self.totals.warnings = result.warnings
        found = self.store._audit_by_uuid(self.header["audit"]["uuid"])
        assert found is not None
        return found

    def _pool_part(self) -> None:
        """A new audit's sample against the pool, a chunk of cases at a time: each clash
        listed (nothing is imported), each case the pool lacks added."""
        clashes: list[str] = []
        stamp = now()
        chunk: list[Json] = []
        at = 0
        for case in itertools.chain(self.streamed.cases(), [None]):
            if case is not None:
                chunk.append(case)
                if len(chunk) < _CHUNK:
                    continue
            new, wrong = self.store._pool_clashes(chunk, at)
            clashes += wrong
            if not clashes:
                self.store._add_pool_cases(new, stamp)
                self.totals.new_cases += len(new)
            at += len(chunk)
            chunk = []
        if clashes:
            raise BundleError(_renamed(pool_clash_refusal(clashes), _first_names))

    def _batch(self, audit_id: int, checklist: Checklist, changed: list[tuple[int, Json]]) -> None:
        """These reviews (line number, line) planned against what the database holds of
        their cases, checked by the bundle rules, and written."""
        reviews, events, event_at = [], [], []
        for i, line in changed:
            reviews.append({k: v for k, v in line.items() if k != "events"})
            for k, event in enumerate(line["events"]):
                events.append({**event, "review_uuid": line["uuid"]})
                event_at.append(f"reviews.{i}.events.{k}")
        local = self.store._batch_state(
            audit_id, {_key(r) for r in reviews}, {r["uuid"] for r in reviews}
        )
        content = {**self.header, "cases": [dict(c) for c in local["cases"]],
                   "reviews": reviews, "events": events}  # fmt: skip

        def names(part: str, n: int | None) -> str:
            if part == "reviews" and n is not None:
                return f"reviews.jsonl: reviews.{changed[n][0]}"
            if part == "events" and n is not None:
                return f"reviews.jsonl: {event_at[n]}"
            if part == "cases" and n is not None:
                return f"cases.jsonl: cases.{self.case_at.get(_key(content['cases'][n]), n)}"
            return _first_names(part, n)

        self.refuse(content_problems(content), names)
        result: Plan = plan(local, content, self.settle)
        if result.conflicts:
            self.conflicts += result.conflicts
            return
        self.refuse(merge_problems(content, checklist, local, result), names)
        if not self.conflicts:
            bundle = Bundle(content, self.streamed.checklist_text, self.streamed.signer)
            try:
                self.store._apply_bundle(
                    bundle, result, self.source, self.actor, self.signed_by, record=False
                )
            except sqlite3.IntegrityError:  # a review's or an event's identity held by
                # another audit here, named where it is (looked for only when the unique
                # index refuses one: a lookup per event was a twentieth of the import)
                self.refuse(self.store._taken_uuids(content, result), names)
                raise
        self.totals.add(result)


def _tag(*parts: str) -> bytes:
    """16 bytes standing for these strings (BLAKE2b: two tags alike only for the same)."""
    return hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).digest()


def _first_names(part: str, n: int | None) -> str:
    """Where the audit's part names things: audit.json, cases.jsonl, events.jsonl."""
    member = {"cases": "cases.jsonl", "events": "events.jsonl", "reviews": "reviews.jsonl"}
    if n is None:
        return (
            f"audit.json: {part}" if part in ("audit", "checklist") else f"{member[part]}: {part}"
        )
    return f"{member[part]}: {part}.{n}"


def _renamed(line: str, names: Callable[[str, int | None], str]) -> str:
    """A rule's problem, written for the one-document formats (`bundle.json: reviews.3`),
    named as a format-3 bundle holds it (`reviews.jsonl: reviews.3`)."""

    def swap(match: Any) -> str:
        number = match.group(2)
        return names(match.group(1), None if number is None else int(number))

    return _NAMED.sub(swap, line)


SLIM_CASE = ("force", "case_ref", "position", "stratum", "assigned_to", "second_reviewer")


def _slim(case: Json, shared: dict[Any, Any]) -> Json:
    """A case of cases.jsonl as the audit-level rules read it (names, merge.plan's sample
    and assignments), its repeated values (force, stratum, people) held once."""
    slim = {k: case[k] for k in SLIM_CASE}
    for k in ("force", "stratum", "assigned_to", "second_reviewer"):
        slim[k] = shared.setdefault(slim[k], slim[k])
    return slim
