"""An audit bundle's merge by identity: the plan of what it adds to a database, and its
refusals. Pure: the store checks and applies a plan (store.bundles), the archive reads
and writes the file (io.bundles.archive)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from casereview.core.problems import CasereviewError
from casereview.core.rules import SETTLED_ON_IMPORT

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


# Audit events that change who reviews what; their sets say which side knows more.
ASSIGNMENT_KINDS = frozenset(("assigned", "second_assigned"))
Json = dict[str, Any]


class BundleError(CasereviewError):
    """A bundle that cannot be read or used; nothing was written. Exit status 2."""

    exit_status = 2


class BundleConflict(BundleError):
    """The bundle and the database both changed the same reviews: every clash, listed."""

    def __init__(self, path: str, lines: Sequence[str]):
        self.lines = list(lines)
        listed = "\n".join(f"  {line}" for line in self.lines)
        super().__init__(
            f"{path} conflicts with this database in {len(self.lines)} place(s); nothing was "
            f"imported:\n{listed}\nTo settle reviews, assignments and plan actions changed on "
            "both sides, import again with --settle database (this database's answers and "
            "values stand) or --settle bundle (the bundle's); both sides' events stay in the "
            "trail"
        )


@dataclass(frozen=True)
class Bundle:
    """A bundle read and checked: its content, the checklist's text, and the public key
    whose signature over it verified (None: the bundle is not signed)."""

    content: Json
    checklist_text: str
    signer: str | None = None


def refusal(name: str, problems: Sequence[str]) -> str:
    """The message refusing bundle `name` for what it holds, every problem listed."""
    return f"{name} holds what casereview's rules do not allow; nothing was imported:\n" + _listed(
        problems
    )


def _listed(lines: Sequence[str], most: int = 20) -> str:
    more = f"\n  ... and {len(lines) - most} more" if len(lines) > most else ""
    return "\n".join(f"  {line}" for line in lines[:most]) + more


@dataclass
class Plan:
    """What merging a bundle into a database would do: all of it, or (conflicts) none."""

    create_audit: bool = False
    new_cases: list[Json] = field(default_factory=list)  # pool cases the database lacks
    new_reviews: list[Json] = field(default_factory=list)
    updated_reviews: list[Json] = field(default_factory=list)  # the bundle's newer state
    new_events: list[Json] = field(default_factory=list)
    assignments: dict[tuple[str, str], tuple[str | None, str | None]] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    # Events this database writes to say how a conflict was settled (no uuid yet: each gets
    # a new one), and the reviews settled, by the side kept.
    settle_events: list[Json] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # for the person importing

    @property
    def empty(self) -> bool:
        return not (
            self.create_audit
            or self.new_reviews
            or self.updated_reviews
            or self.new_events
            or self.assignments
            or self.settle_events
        )

    def summary(self) -> list[str]:
        """One line per kind of change, for the person importing."""
        lines = []
        if self.create_audit:
            lines.append(f"the audit, new to this database ({len(self.new_cases)} new pool cases)")
        lines += review_lines(self)
        for line in self.settled:
            lines.append(f"settled: {line}")
        if self.assignments:
            lines.append(f"assignment of {len(self.assignments)} case(s)")
        lines.append(f"{len(self.new_events)} event(s) for the trail")
        return lines


def review_lines(plan: Plan) -> list[str]:
    """The summary's line for each review a plan adds or brings up to date."""
    return [
        f"{label}: {r['force']} {r['case_ref']} {r['role']} by {r['reviewer']} "
        f"({r['status'].replace('_', ' ')}, {len(r['answers'])} answers)"
        for label, items in (("new review", plan.new_reviews), ("updated", plan.updated_reviews))
        for r in items
    ]


def _case_key(item: Mapping[str, Any]) -> tuple[str, str]:
    return (item["force"], item["case_ref"])


def _who(answer: Mapping[str, Any] | None) -> str:
    if answer is None:
        return "no answer"
    value = answer["value"] if answer["value"] is not None else "(none)"
    note = f", note {answer['note']!r}" if answer["note"] else ""
    return f"{value}{note} by {answer['updated_by']} at {answer['updated_at']}"


SETTLE_SIDES = ("database", "bundle")


def plan(local: Json | None, incoming: Json, settle: str | None = None) -> Plan:
    """What merging `incoming` (a bundle's content) into `local` (the database's state of the
    same audit, in the same shape, or None when the database lacks the audit) would do.

    `settle` ("database" or "bundle") is the importer's explicit choice for reviews changed
    on both sides: that side's answers stand, both sides' events go into the trail, and an
    event per answer that differed records the settling. Without it they are conflicts."""
    if settle not in (None, *SETTLE_SIDES):
        raise ValueError(settle)
    result = Plan()
    if local is None:
        result.create_audit = True
        result.new_reviews = list(incoming["reviews"])
        result.new_events = list(incoming["events"])
        return result
    if local["checklist"]["content_hash"] != incoming["checklist"]["content_hash"]:
        raise BundleError(
            f"the bundle's audit '{incoming['audit']['name']}' uses checklist "
            f"{incoming['checklist']['id']}@{incoming['checklist']['version']} with content "
            f"hash {incoming['checklist']['content_hash'][:12]}..., the database's "
            f"{local['checklist']['content_hash'][:12]}...; nothing was imported"
        )
    sample = [(_case_key(c), c["position"]) for c in local["cases"]]
    if sample != [(_case_key(c), c["position"]) for c in incoming["cases"]]:
        raise BundleError(
            f"the bundle's sample of '{incoming['audit']['name']}' is not the database's "
            "(other cases, or another order); nothing was imported"
        )
    known_events = {e["uuid"] for e in local["events"]}
    local_reviews = {r["uuid"]: r for r in local["reviews"]}
    by_slot = {(_case_key(r), r["role"]): r for r in local["reviews"]}
    events_of: dict[str | None, list[Json]] = {}
    for e in local["events"]:
        events_of.setdefault(e["review_uuid"], []).append(e)
    incoming_events_of: dict[str | None, list[Json]] = {}
    for e in incoming["events"]:
        incoming_events_of.setdefault(e["review_uuid"], []).append(e)

    settled_by: list[Json] = []  # reviews settled, whose bundle events join the trail
    for review in incoming["reviews"]:
        uuid = review["uuid"]
        theirs = incoming_events_of.get(uuid, [])
        ours = local_reviews.get(uuid)
        where = f"{review['force']} {review['case_ref']} {review['role']}"
        if ours is None:
            clash = by_slot.get((_case_key(review), review["role"]))
            if clash is not None:
                result.conflicts.append(
                    f"{where}: two reviews of one case in one role: this database's by "
                    f"{clash['reviewer']} (started {clash['started_at']}), the bundle's by "
                    f"{review['reviewer']} (started {review['started_at']}); --settle does not "
                    "choose between two reviews: leave one out of the bundle (--reviewer)"
                )
                continue
            result.new_reviews.append(review)
            continue
        mine = {e["uuid"] for e in events_of.get(uuid, [])}
        new_here = [e for e in theirs if e["uuid"] not in mine]
        if not new_here:
            continue  # the database holds all the bundle knows of this review
        other = {e["uuid"] for e in theirs}
        only_local = [e for e in events_of.get(uuid, []) if e["uuid"] not in other]
        if not only_local:
            result.updated_reviews.append(review)  # behind: take the bundle's newer state
            continue
        if settle is None:
            result.conflicts.extend(_review_conflicts(where, ours, review, only_local, new_here))
            continue
        settled_by.append(review)
        if settle == "bundle":
            result.updated_reviews.append(review)
            result.settle_events.extend(_settling(ours, review, "the bundle's"))
        else:
            result.settle_events.extend(_settling(review, ours, "this database's"))
        result.settled.append(f"{where} by {review['reviewer']}: kept {settle}'s answers")

    taken = {r["uuid"] for r in result.new_reviews + result.updated_reviews + settled_by}
    result.new_events = [  # (the set built once: per event, it made the plan quadratic)
        e
        for e in incoming["events"]
        if e["uuid"] not in known_events and (e["review_uuid"] is None or e["review_uuid"] in taken)
    ]
    _plan_assignments(local, incoming, result, settle)
    if result.conflicts:
        result.new_reviews, result.updated_reviews, result.new_events = [], [], []
        result.assignments, result.settle_events, result.settled = {}, [], []
    return result


def _settling(was: Json, kept: Json, whose: str) -> list[Json]:
    """Events that take a review from `was` to `kept` answer by answer (and status), so that
    the trail, read in order, ends at the answers that stand."""
    reason = f"{SETTLED_ON_IMPORT}: kept {whose}"
    kind = "moderation" if kept["role"] == "moderated" else "answer"
    old = {a["question_id"]: a for a in was["answers"]}
    new = {a["question_id"]: a for a in kept["answers"]}
    events = []
    for qid in sorted(set(old) | set(new)):
        before, after = old.get(qid), new.get(qid)
        value_was, value = (before or {}).get("value"), (after or {}).get("value")
        note_was, note = (before or {}).get("note", ""), (after or {}).get("note", "")
        if value_was != value:
            events.append(_event(kept, qid, kind, value_was, value, reason))
        if note_was != note:
            events.append(_event(kept, qid, "note", note_was or None, note, reason))
    if was["status"] != kept["status"]:
        events.append(_event(kept, None, "status", was["status"], kept["status"], reason))
    return events


def _event(review: Json, qid: str | None, kind: str, old: Any, new: Any, reason: str) -> Json:
    return {
        "uuid": None,  # a new event of this database: SQLite gives it its UUID
        "review_uuid": review["uuid"],
        "question_id": qid,
        "kind": kind,
        "old": old,
        "new": new,
        "reason": reason,
    }


def _review_conflicts(
    where: str, ours: Json, theirs: Json, only_local: list[Json], only_bundle: list[Json]
) -> list[str]:
    """Every answer either side changed since they last met, with both values and who/when."""
    lines = []
    questions = sorted(
        {e["question_id"] for e in only_local + only_bundle if e["question_id"] is not None}
    )
    mine = {a["question_id"]: a for a in ours["answers"]}
    other = {a["question_id"]: a for a in theirs["answers"]}
    for qid in questions:
        lines.append(
            f"{where} {qid}: this database {_who(mine.get(qid))}; the bundle {_who(other.get(qid))}"
        )
    if any(e["kind"] == "status" for e in only_local + only_bundle) or not lines:
        lines.append(
            f"{where} status: this database {ours['status'].replace('_', ' ')} "
            f"(by {ours['reviewer']}, updated {ours['updated_at']}); the bundle "
            f"{theirs['status'].replace('_', ' ')} (by {theirs['reviewer']}, updated "
            f"{theirs['updated_at']})"
        )
    return lines


def _plan_assignments(local: Json, incoming: Json, result: Plan, settle: str | None) -> None:
    """Who reviews what: the side that knows every assignment the other made wins; where each
    made one the other has not seen, a case set on one side only takes it, and a case set
    differently on both is a conflict (or, settled, the chosen side's)."""

    def assignment_events(state: Json) -> set[str]:
        return {
            e["uuid"]
            for e in state["events"]
            if e["review_uuid"] is None and e["kind"] in ASSIGNMENT_KINDS
        }

    ours, theirs = assignment_events(local), assignment_events(incoming)
    mine = {_case_key(c): (c["assigned_to"], c["second_reviewer"]) for c in local["cases"]}
    for case in incoming["cases"]:
        key = _case_key(case)
        want = (case["assigned_to"], case["second_reviewer"])
        have = mine[key]
        if want == have or theirs < ours:  # the database knows more: it keeps its own
            continue
        if ours < theirs:
            result.assignments[key] = want
            continue
        merged = []
        for label, a, b in zip(("assigned to", "second reviewer"), have, want, strict=True):
            if a is not None and b is not None and a != b:
                if settle is None:
                    result.conflicts.append(
                        f"{key[0]} {key[1]} {label}: this database {a}; the bundle {b}"
                    )
                merged.append(b if settle == "bundle" else a)
                continue
            merged.append(a if a is not None else b)
        if tuple(merged) != have:
            result.assignments[key] = (merged[0], merged[1])
