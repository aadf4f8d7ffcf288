"""The shape of a line of a format-3 bundle's plans.jsonl (io.bundles.stream): one force's
action plan, its recommendations and actions each with its UUID, and its trail. Checked before
anything is merged, as every other line is; what is wrong is named by line and field
(`plans.jsonl: plans.0.actions.2.status: ...`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator

from casereview.core.plans import DraftAction, action_problems, ref_problem
from casereview.io.bundles.schema import Uuid, _day_or_none, _iso_or_none, _Part
from casereview.io.bundles.schema_lines import problems


class PlanRecommendation(_Part):
    uuid: Uuid
    ref: str
    text: str
    tag: str
    position: int


class PlanAction(_Part):
    uuid: Uuid
    recommendation: Uuid  # its recommendation's uuid, one of the line's
    ref: str
    text: str
    owner: str
    due: str | None
    status: Literal["planned", "in_progress", "done", "dropped"]  # core.plans.STATUSES
    reason: str
    questions: list[str]
    tags: list[str]
    updated_by: str
    updated_at: str

    _due = field_validator("due")(_day_or_none)


class PlanEvent(_Part):
    uuid: Uuid
    item: str | None  # R1, R1.2; None: the plan itself
    kind: str
    old: str | None
    new: str | None
    reason: str | None
    actor: str
    at: str

    _at = field_validator("at")(_iso_or_none)


class PlanLine(_Part):
    uuid: Uuid
    force: str
    created_by: str
    created_at: str
    recommendations: list[PlanRecommendation]
    actions: list[PlanAction]
    events: list[PlanEvent]


def plan_problems(line: Any, where: str) -> list[str]:
    """What is wrong with a line of plans.jsonl (`where`: `plans.jsonl: plans.0`): its shape,
    then what its parts mean together (every identity once, an action under one of the
    line's recommendations, an action as the plan's own rules allow)."""
    wrong = problems(PlanLine, line, where)
    if wrong:
        return wrong
    seen: set[str] = set()
    for part in ("recommendations", "actions", "events"):
        for i, item in enumerate(line[part]):
            if item["uuid"] in seen or item["uuid"] == line["uuid"]:
                wrong.append(f"{where}.{part}.{i}.uuid: the identity of another of its parts")
            seen.add(item["uuid"])
    recs = {r["uuid"] for r in line["recommendations"]}
    refs: set[str] = set()
    for i, rec in enumerate(line["recommendations"]):
        problem = ref_problem(rec["ref"])
        if problem is not None:
            wrong.append(f"{where}.recommendations.{i}.ref: {problem}")
        if rec["ref"] in refs:
            wrong.append(f"{where}.recommendations.{i}.ref: {rec['ref']} is another's id")
        refs.add(rec["ref"])
    actions: set[str] = set()
    for i, action in enumerate(line["actions"]):
        at = f"{where}.actions.{i}"
        if action["recommendation"] not in recs:
            wrong.append(f"{at}.recommendation: not one of the line's recommendations")
        if action["ref"] in actions:
            wrong.append(f"{at}.ref: {action['ref']} is another's id")
        actions.add(action["ref"])
        draft = DraftAction(
            action["text"], action["owner"], action["due"], action["status"], action["reason"],
            tuple(action["questions"]), tuple(action["tags"]),
        )  # fmt: skip
        wrong += [f"{at}: {problem}" for problem in action_problems(draft)]
    return wrong
