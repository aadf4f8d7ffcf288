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

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from casereview.rules import (
    DECISION_NEEDS_REASON,
    moderation_refusal,
    needs_reason,
    second_review_refusal,
)
from casereview.text import hidden_character, match_key

if TYPE_CHECKING:
    from casereview.bundle import Plan
    from casereview.checklist import Checklist

Json = dict[str, Any]
Key = tuple[str, str]  # (force, case_ref)
MEMBER = "bundle.json"
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
    problems = _invisible_problems(content)
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


# The fields that name something (a case, a person, a question, a kind of event): held to
# the rule `cases import` holds references to (text.hidden_character), so that two never
# look alike and none carries a terminal's escape sequences into a message. Free text
# (notes, summaries, reasons) may hold line breaks, and is never echoed.
_NAMES = {
    "cases": ("case_ref", "force", "assigned_to", "second_reviewer"),
    "reviews": ("force", "case_ref", "reviewer"),
    "events": ("actor", "question_id", "kind"),
}


def _invisible_problems(content: Json) -> list[str]:
    problems = []
    name = content["audit"]["name"]  # held to the rule every audit's name is (store.audits)
    if not name.strip():
        problems.append(f"{MEMBER}: audit.name: an audit needs a name")
    elif refusal := hidden_character("the audit name", name):
        problems.append(f"{MEMBER}: audit.name: {refusal}")
    for part, names in _NAMES.items():
        for i, item in enumerate(content[part]):
            problems += [
                f"{MEMBER}: {part}.{i}.{name}: {refusal}"
                for name in names
                if item[name] is not None and (refusal := hidden_character(name, item[name]))
            ]
    for i, review in enumerate(content["reviews"]):
        for j, answer in enumerate(review["answers"]):
            problems += [
                f"{MEMBER}: reviews.{i}.answers.{j}.{name}: {refusal}"
                for name in ("question_id", "updated_by")
                if (refusal := hidden_character(name, answer[name]))
            ]
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


def replay(events: Iterable[Json]) -> tuple[dict[str, Json], str]:
    """A review's answers (question -> the event that last set its value, the last that set
    its note) and its status, as its trail in order leaves them."""
    last: dict[str, Json] = {}
    status = "in_progress"
    for event in events:
        qid = event["question_id"]
        if event["kind"] in VALUE_KINDS and qid is not None:
            last.setdefault(qid, {})["value"] = event
        elif event["kind"] == "note" and qid is not None:
            last.setdefault(qid, {})["note"] = event
        elif event["kind"] == "status":
            status = event["new"]
    return last, status


def events_by_review(content: Json) -> dict[str | None, list[Json]]:
    out: dict[str | None, list[Json]] = {}
    for event in content["events"]:
        out.setdefault(event["review_uuid"], []).append(event)
    return out


def _trail_problems(content: Json, where: Where) -> list[str]:
    """Every answer, note and status of every review is where its events leave it."""
    problems = []
    trails = events_by_review(content)
    for review in content["reviews"]:
        last, status = replay(trails.get(review["uuid"], []))
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
                    f"'{answer['value'] or '(none)'}' is not backed by its events (they leave "
                    f"it '{value or '(none)'}')"
                )
            if answer["note"] != note:
                problems.append(
                    f"{where.review(review, f'.answers.{j}.note')}: {qid}'s note is not "
                    "backed by its events (they leave another)"
                )
        for qid, told in last.items():
            if qid not in given and (
                ("value" in told and told["value"]["new"] is not None)
                or ("note" in told and told["note"]["new"])
            ):
                problems.append(
                    f"{where.review(review, '.answers')}: its events answer {qid}, the review "
                    "has no answer to it"
                )
        if review["status"] != status:
            problems.append(
                f"{where.review(review, '.status')}: {review['status'].replace('_', ' ')}, "
                f"not backed by its events (they leave it {status.replace('_', ' ')})"
            )
    return problems


# --------------------------------------------------------------------- with the database


def merge_problems(
    content: Json, checklist: Checklist, local: Json | None, result: Plan
) -> list[str]:
    """What the bundle would bring (the plan) against its checklist and the database's own
    state of the audit (`local`, None when the audit is new here)."""
    where = Where(content)
    problems = _answer_problems(checklist, result, local, where)
    state = _merged(content, local, result)
    problems += _people_problems(state, result, where)
    problems += _moderation_problems(content, state, result, where)
    return list(dict.fromkeys(problems))  # one clash found from two sides is said once


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
            at = where.review(review, f".answers.{j}")
            if not checklist.has_question(qid):
                problems.append(f"{at}: no question {qid} in the checklist")
            elif value is not None and value not in checklist.question(qid).answers:
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
