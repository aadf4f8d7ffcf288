"""The rules a bundle's content keeps, checked before anything of it is written (no SQL here).

A bundle's seal proves only that the bytes were not damaged: anyone who edits the file can
seal it again. So what a bundle brings is checked as any input is, by the statements the app
and `answers import` hold (rules.py; text.py for references), never restated here:

- the content agrees with itself: one case per reference, each review of a case in the
  sample, every identity once, every event of a review the bundle holds;
- every answer, note and completion is backed by its events: the trail, read in order,
  ends at what the review says (an answer nobody gave is not in the trail);
- merged with the database's state: answers its checklist allows (skip logic, completion),
  a review kept by the reviewer who started it, the second-review rule for every case whose
  people the bundle sets, a moderated review only of a completed pair, each decision with
  its reason.

Every problem names the member and the field (`bundle.json: reviews.3.status`) and the case,
so the person importing can find it; the caller refuses the whole bundle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from casereview.core.bundles.names import MEMBER, invisible_problems
from casereview.core.rules import (
    DECISION_NEEDS_REASON,
    REOPEN_NEEDS_REASON,
    change_refusal,
    moderation_refusal,
    needs_reason,
    reopen_refusal,
    second_review_refusal,
    settled_on_import,
)
from casereview.core.text import match_key

if TYPE_CHECKING:
    from casereview.core.bundles.merge import Plan
    from casereview.core.checklist.models import Checklist

Json = dict[str, Any]
Key = tuple[str, str]  # (force, case_ref)
VALUE_KINDS = frozenset(("answer", "moderation"))  # events that set an answer's value


def _key(item: Mapping[str, Any]) -> Key:
    return (item["force"], item["case_ref"])


class Where:
    """Where an item of the content is, as a problem names it: the member, the field path,
    and the case it is about."""

    def __init__(self, content: Json):
        self.reviews = {r["uuid"]: i for i, r in enumerate(content["reviews"])}
        self.cases = {_key(c): i for i, c in enumerate(content["cases"])}

    def review(self, review: Json, field: str = "") -> str:
        i = self.reviews[review["uuid"]]
        return (
            f"{MEMBER}: reviews.{i}{field} ({review['force']} {review['case_ref']} "
            f"{review['role']} by {review['reviewer']})"
        )

    def case(self, key: Key, field: str = "") -> str:
        return f"{MEMBER}: cases.{self.cases[key]}{field} ({key[0]} {key[1]})"


# --------------------------------------------------------------------- the content alone


def content_problems(content: Json) -> list[str]:
    """What is wrong with the content by itself, before any database is looked at."""
    problems = invisible_problems(content)
    if problems:
        return problems  # the messages below echo these: none may hold a terminal's escapes
    problems = _identity_problems(content)
    if problems:
        return problems  # the checks below read the content by these identities
    problems += _trail_problems(content, Where(content))
    if content["audit"]["checklist_hash"] != content["checklist"]["content_hash"]:
        problems.append(
            f"{MEMBER}: audit.checklist_hash: not the hash of the bundle's checklist "
            "(checklist.content_hash)"
        )
    return problems


def _identity_problems(content: Json) -> list[str]:
    problems: list[str] = []
    cases: dict[str, int] = {}
    for i, case in enumerate(content["cases"]):
        if not case["case_ref"].strip():
            problems.append(f"{MEMBER}: cases.{i}.case_ref: case_ref is empty")
        first = cases.setdefault(match_key(case["force"], case["case_ref"]), i)
        if first != i:
            problems.append(
                f"{MEMBER}: cases.{i}.case_ref: {case['case_ref']} of '{case['force']}' is "
                f"cases.{first}'s case (a case is sampled once)"
            )
    problems += _repeated(content["cases"], "cases", lambda c: c["position"], "position")
    problems += _repeated(content["reviews"], "reviews", lambda r: r["uuid"], "uuid")
    problems += _repeated(content["events"], "events", lambda e: e["uuid"], "uuid")
    problems += _repeated(
        content["reviews"], "reviews", lambda r: (_key(r), r["role"]), "role", "its case's"
    )
    sampled = {_key(c) for c in content["cases"]}
    for i, review in enumerate(content["reviews"]):
        if _key(review) not in sampled:
            problems.append(
                f"{MEMBER}: reviews.{i} ({review['force']} {review['case_ref']} "
                f"{review['role']} by {review['reviewer']}): its case is not in the bundle's "
                "sample (cases)"
            )
        problems += _repeated(
            review["answers"], f"reviews.{i}.answers", lambda a: a["question_id"], "question_id"
        )
    reviews = {r["uuid"] for r in content["reviews"]}
    problems += [
        f"{MEMBER}: events.{i}.review_uuid: an event of a review the bundle does not hold"
        for i, event in enumerate(content["events"])
        if event["review_uuid"] is not None and event["review_uuid"] not in reviews
    ]
    return problems


def _repeated(
    items: Iterable[Json], path: str, identity: Any, field: str, whose: str = "the"
) -> list[str]:
    """Items that repeat an identity an earlier one has: each is one of a kind."""
    seen: dict[Any, int] = {}
    problems = []
    for i, item in enumerate(items):
        first = seen.setdefault(identity(item), i)
        if first != i:
            problems.append(
                f"{MEMBER}: {path}.{i}.{field}: {whose} {field} is {path}.{first}'s already "
                "(one of each)"
            )
    return problems


class Replay:
    """A review's trail read in order as the store wrote it: its answers (question -> the
    event that last set its value, the last that set its note), its status, and the events
    the store would have refused (position in the trail, field, why).

    Each event is held to the store's state machine (ReviewStore: rules.change_refusal,
    rules.reopen_refusal): no answer, note or completion while the review is complete, a
    reopen only of a completed review and with its reason. A conflict settled on import
    joins two copies' events, each kept to the rules on its own copy, one after the other:
    the events before a review's last settling are not held to the order (the settling, the
    importer's choice, says what stands), and the settling itself changes even a completed
    review, as the database that settled it wrote it."""

    def __init__(self, events: Sequence[Json]):
        self.last: dict[str, Json] = {}
        self.status = "in_progress"
        self.refused: list[tuple[int, str, str]] = []
        settled = [i for i, e in enumerate(events) if settled_on_import(e["reason"])]
        checked_from = settled[-1] + 1 if settled else 0
        for i, event in enumerate(events):
            refusal = self._apply(event)
            if refusal and i >= checked_from:
                self.refused.append((i, *refusal))

    def _apply(self, event: Json) -> tuple[str, str] | None:
        kind, qid = event["kind"], event["question_id"]
        refusal: tuple[str, str] | None = None
        if kind == "status":
            if event["new"] == "in_progress":
                why = reopen_refusal(self.status, event["reason"])
                refusal = (".reason" if why == REOPEN_NEEDS_REASON else ".kind", why or "")
            else:
                refusal = (".kind", change_refusal(self.status) or "")
            self.status = event["new"]
        elif (kind in VALUE_KINDS or kind == "note") and qid is not None:
            self.last.setdefault(qid, {})["value" if kind != "note" else "note"] = event
            refusal = (".kind", change_refusal(self.status) or "")
        if refusal is None or not refusal[1] or settled_on_import(event["reason"]):
            return None
        return refusal


def replay(events: Sequence[Json]) -> tuple[dict[str, Json], str]:
    """A review's answers and status as its trail, in order, leaves them (Replay)."""
    done = Replay(events)
    return done.last, done.status


def events_by_review(content: Json) -> dict[str | None, list[Json]]:
    out: dict[str | None, list[Json]] = {}
    for event in content["events"]:
        out.setdefault(event["review_uuid"], []).append(event)
    return out


def _trail_problems(content: Json, where: Where) -> list[str]:
    """Every answer, note and status of every review is where its events leave it, each
    event one the store would have written."""
    at = {id(e): i for i, e in enumerate(content["events"])}
    trails = events_by_review(content)
    problems = []
    for review in content["reviews"]:
        trail = trails.get(review["uuid"], [])
        problems += review_trail_problems(review, trail, [at[id(e)] for e in trail], where)
    return problems


def review_trail_problems(
    review: Json,
    trail: Sequence[Json],
    index: Sequence[int | None],
    where: Where,
    order: str = "",
) -> list[str]:
    """What is wrong with `review` as its `trail` backs it: each event the store would have
    refused (`index`: its place in bundle.json's events, None for the database's own), and
    each answer, note or status the events, read in order, do not leave (`order`: whose
    order that is, when it is not the bundle's)."""
    done = Replay(trail)
    last, status = done.last, done.status
    problems = [
        f"{MEMBER}: events.{index[i]}{field} ({review['force']} {review['case_ref']} "
        f"{review['role']} by {review['reviewer']}: {trail[i]['kind']}"
        f"{' of ' + trail[i]['question_id'] if trail[i]['question_id'] else ''} by "
        f"{trail[i]['actor']}): {why}"
        for i, field, why in done.refused
        if index[i] is not None
    ]
    given = set()
    for j, answer in enumerate(review["answers"]):
        qid = answer["question_id"]
        given.add(qid)
        told = last.get(qid, {})
        value = told["value"]["new"] if "value" in told else None
        note = (told["note"]["new"] if "note" in told else None) or ""
        if answer["value"] != value:
            problems.append(
                f"{where.review(review, f'.answers.{j}.value')}: {qid} "
                f"'{answer['value'] or '(none)'}' is not backed by its events{order} (they "
                f"leave it '{value or '(none)'}')"
            )
        if answer["note"] != note:
            problems.append(
                f"{where.review(review, f'.answers.{j}.note')}: {qid}'s note is not "
                f"backed by its events{order} (they leave another)"
            )
    for qid, told in last.items():
        if qid not in given and (
            ("value" in told and told["value"]["new"] is not None)
            or ("note" in told and told["note"]["new"])
        ):
            problems.append(
                f"{where.review(review, '.answers')}: its events{order} answer {qid}, the "
                "review has no answer to it"
            )
    if review["status"] != status:
        problems.append(
            f"{where.review(review, '.status')}: {review['status'].replace('_', ' ')}, "
            f"not backed by its events{order} (they leave it {status.replace('_', ' ')})"
        )
    return problems


# --------------------------------------------------------------------- with the database


def merge_problems(
    content: Json, checklist: Checklist, local: Json | None, result: Plan
) -> list[str]:
    """What the bundle would bring (the plan) against its checklist and the database's own
    state of the audit (`local`, None when the audit is new here)."""
    where = Where(content)
    problems = _known_problems(content, local)
    if problems:
        return problems  # the checks below read the database's copies as the bundle's
    problems += _merged_trail_problems(content, local, result, where)
    problems += _answer_problems(checklist, result, local, where)
    state = _merged(content, local, result)
    problems += _people_problems(state, result, where)
    problems += _moderation_problems(content, state, result, where)
    return list(dict.fromkeys(problems))  # one clash found from two sides is said once


# What a review is, as a bundle names it: the rest of it (answers, status, times) is what
# its events make it, and a copy apart may be behind.
_REVIEW_IDENTITY = ("force", "case_ref", "role", "started_at")


def _known_problems(content: Json, local: Json | None) -> list[str]:
    """Events and reviews the database holds, as the bundle holds them. The merge keeps the
    database's copy of each (an event is never changed; a new one is added), so a bundle
    whose copy differs would be checked by what it says and merged as what it does not."""
    if local is None:
        return []
    problems = []
    for part, fields, rule in (
        ("events", None, "an event is never changed (a change is a new event)"),
        ("reviews", _REVIEW_IDENTITY, "a review keeps its case, role and start"),
    ):
        held = {item["uuid"]: item for item in local[part]}
        for i, item in enumerate(content[part]):
            mine = held.get(item["uuid"])
            if mine is None:
                continue
            problems += [
                f"{MEMBER}: {part}.{i}.{name}: this database holds that "
                f"{part[:-1]} (uuid {item['uuid']}) with {name} "
                f"{'(none)' if mine[name] is None else repr(mine[name])}: {rule}"
                for name in (fields or sorted(mine))
                if item.get(name) != mine[name]
            ]
    return problems


def _merged_trail_problems(
    content: Json, local: Json | None, result: Plan, where: Where
) -> list[str]:
    """A review the merge updates, read as the database will hold its trail: the database's
    events in its order (the order every reader and later export of it reads), then the
    bundle's new ones in the bundle's order, then any settling. The bundle's own order of the
    database's events, checked in content_problems, is not what the database keeps."""
    if local is None:
        return []
    at = {e["uuid"]: i for i, e in enumerate(content["events"])}
    problems = []
    for review in result.updated_reviews:
        trail = [e for e in local["events"] if e["review_uuid"] == review["uuid"]]
        index: list[int | None] = [None] * len(trail)
        for e in result.new_events:
            if e["review_uuid"] == review["uuid"]:
                trail.append(e)
                index.append(at[e["uuid"]])
        settling = [e for e in result.settle_events if e["review_uuid"] == review["uuid"]]
        trail += settling
        index += [None] * len(settling)
        problems += review_trail_problems(
            review, trail, index, where, " (in this database's order)"
        )
    return problems


def _answer_problems(
    checklist: Checklist, result: Plan, local: Json | None, where: Where
) -> list[str]:
    """Every answer one its checklist allows, none to a question skip logic hides, a
    completed review with every shown question answered, and a review kept by the reviewer
    who started it."""
    problems = []
    started_by = {r["uuid"]: r["reviewer"] for r in (local or {"reviews": []})["reviews"]}
    for review in result.new_reviews + result.updated_reviews:
        values: dict[str, str | None] = {}
        for j, answer in enumerate(review["answers"]):
            qid, value = answer["question_id"], answer["value"]
            if not checklist.has_question(qid):
                at = where.review(review, f".answers.{j}")
                problems.append(f"{at}: no question {qid} in the checklist")
            elif value is not None and value not in checklist.question(qid).answers:
                at = where.review(review, f".answers.{j}")
                problems.append(f"{at}: {qid} does not allow '{value}'")
            else:
                values[qid] = value
        hidden = set(checklist.hidden_ids(values))
        problems += [
            f"{where.review(review, '.answers')}: {qid} is answered, but its skip logic hides it"
            for qid, value in values.items()
            if qid in hidden and value is not None
        ]
        if review["status"] == "complete" and checklist.unanswered(values):
            missing = ", ".join(checklist.unanswered(values)[:5])
            problems.append(
                f"{where.review(review, '.status')}: complete, but shown questions are "
                f"unanswered ({missing})"
            )
        was = started_by.get(review["uuid"])
        if was is not None and was != review["reviewer"]:
            problems.append(
                f"{where.review(review, '.reviewer')}: the review was {was}'s, the bundle "
                f"says {review['reviewer']}'s (a review keeps its reviewer)"
            )
    return problems


class _State:
    """The audit as it would be after the merge: each case's people and reviews, and which
    of them the bundle brings."""

    def __init__(self) -> None:
        self.people: dict[Key, tuple[str | None, str | None]] = {}  # assigned, second chosen
        self.reviews: dict[tuple[Key, str], Json] = {}
        self.brought: set[str] = set()  # uuids of the reviews the bundle brings


def _merged(content: Json, local: Json | None, result: Plan) -> _State:
    state = _State()
    for case in (local or content)["cases"]:
        state.people[_key(case)] = (case["assigned_to"], case["second_reviewer"])
    state.people.update(result.assignments)
    for review in (local or {"reviews": []})["reviews"]:
        state.reviews[(_key(review), review["role"])] = review
    for review in result.new_reviews + result.updated_reviews:
        state.reviews[(_key(review), review["role"])] = review
        state.brought.add(review["uuid"])
    return state


def _people_problems(state: _State, result: Plan, where: Where) -> list[str]:
    """The second-review rule (rules.second_review_refusal) for every case whose people the
    bundle sets: the one chosen for its second review and whoever does it are neither its
    assignee nor its primary's reviewer. Copies apart could each have been right alone."""
    set_here = set(state.people) if result.create_audit else set(result.assignments)
    touched = set_here | {key for (key, _role), r in state.reviews.items()
                          if r["uuid"] in state.brought}  # fmt: skip
    problems = []
    for key in sorted(touched):
        assigned, chosen = state.people[key]
        primary, second = state.reviews.get((key, "primary")), state.reviews.get((key, "second"))
        by = primary["reviewer"] if primary else None
        for person, blame in (
            (chosen, [key] if key in set_here else [primary, key]),
            (second["reviewer"] if second else None, [second, primary, key]),
        ):
            refusal = second_review_refusal(person, assigned, by)
            if refusal:
                problems.append(f"{_blame(blame, state, where)}: {refusal}")
    return problems


def _blame(candidates: list[Any], state: _State, where: Where) -> str:
    """The first of the bundle's reviews among `candidates`, else the case (the last of
    them): its second reviewer."""
    for item in candidates:
        if isinstance(item, dict) and item["uuid"] in state.brought:
            return where.review(item, ".reviewer")
    key = next(item for item in candidates if isinstance(item, tuple))
    return where.case(key, ".second_reviewer")


def _moderation_problems(content: Json, state: _State, result: Plan, where: Where) -> list[str]:
    """A moderated review settles a completed pair and nothing less (rules.moderation_refusal);
    each of its answers was set by a decision with its reason (rules.needs_reason), as the app
    records it ("agreed" where both reviewers gave it)."""
    problems = []
    trails = events_by_review(content)
    for review in result.new_reviews + result.updated_reviews:
        if review["role"] != "moderated":
            continue
        key = _key(review)
        pair = [state.reviews.get((key, role)) for role in ("primary", "second")]
        refusal = moderation_refusal(*(r["status"] if r else None for r in pair))
        if refusal:
            problems.append(f"{where.review(review)}: {refusal}")
        last, _status = replay(trails.get(review["uuid"], []))
        for j, answer in enumerate(review["answers"]):
            told = last.get(answer["question_id"], {}).get("value")
            if answer["value"] is not None and told and needs_reason(told["reason"]):
                problems.append(
                    f"{where.review(review, f'.answers.{j}')}: {answer['question_id']}: "
                    f"{DECISION_NEEDS_REASON}"
                )
    return problems
