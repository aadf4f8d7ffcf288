"""A force's action plan from the CSV or YAML file it keeps (docs/guide/action-plans.md).

CSV: one row per action, `recommendation` (R1), `recommendation_text` (on the first row of
each recommendation; later rows may leave it blank or repeat it), optional `tag`, `force`,
and the action's `action, owner, due, status, reason, questions, tags`; a row with no
action gives a recommendation that has none yet. YAML: `force`, then `recommendations`, each
with `id`, `text`, optional `tag` and `actions` (each `text, owner, due, status, reason,
questions, tags`).

All or nothing: every problem is listed by line and nothing is written if there is one.
Linked question ids and tags are checked against the checklists the force's audits use (or
the shipped checklist where it has none)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casereview.core.checklist.loading import read_yaml
from casereview.core.plans import (
    DraftAction,
    DraftRecommendation,
    action_problems,
    link_problems,
    parse_status,
    ref_problem,
    split_list,
)
from casereview.core.problems import InputError, Problem
from casereview.core.text import hidden_character
from casereview.io.imports.csvfile import decode, parse_day, read_rows

if TYPE_CHECKING:
    from casereview.store import Store

CSV_COLUMNS = ("recommendation", "recommendation_text")
"""Required; `tag`, `force`, `action`, `owner`, `due`, `status`, `reason`, `questions` and
`tags` are optional."""
ACTION_KEYS = ("text", "owner", "due", "status", "reason", "questions", "tags")
YAML_TOP = ("force", "recommendations")
YAML_RECOMMENDATION = ("id", "text", "tag", "actions")


@dataclass
class ReadPlan:
    force: str | None
    """The force the file names (None: it names none)."""
    recommendations: list[DraftRecommendation] = field(default_factory=list)


@dataclass
class _Rec:
    ref: str
    text: str
    tag: str
    line: int
    actions: list[tuple[int, DraftAction]] = field(default_factory=list)


def _action(
    values: Mapping[str, Any], source: str, line: int, problems: list[Problem]
) -> DraftAction | None:
    """An action from a row or a YAML mapping; its problems added by line."""

    def text(key: str) -> str:
        value = values.get(key)
        if value is None:
            return ""
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value).strip()

    found: list[str] = []
    due: str | None = None
    if text("due"):
        try:
            due = parse_day(text("due"))
        except ValueError:
            found.append(f"due '{text('due')}' is not a date (YYYY-MM-DD or dd/mm/yyyy)")
    status = "planned"
    if text("status"):
        try:
            status = parse_status(text("status"))
        except ValueError as exc:
            found.append(str(exc))
    action = DraftAction(
        text("text"),
        text("owner"),
        due,
        status,
        text("reason"),
        split_list(text("questions")),
        split_list(text("tags")),
    )
    found += [p for p in action_problems(action) if not p.startswith("status '")]
    problems += [Problem(source, line, p) for p in found]
    return None if found else action


def _from_csv(text: str, source: str, problems: list[Problem]) -> tuple[ReadPlan, dict[int, int]]:
    _, rows = read_rows(text, source, CSV_COLUMNS)
    recs: dict[str, _Rec] = {}
    forces: dict[str, int] = {}
    for row in rows:
        v = {k: (val or "").strip() for k, val in row.values.items()}
        ref = v.get("recommendation", "")
        if (problem := ref_problem(ref)) is not None:
            problems.append(Problem(source, row.line, problem))
            continue
        if v.get("force"):
            forces.setdefault(v["force"], row.line)
        if (
            hidden := hidden_character(f"{ref}'s text", v.get("recommendation_text", ""))
        ) is not None:
            problems.append(Problem(source, row.line, hidden))
            continue
        rec = recs.get(ref)
        if rec is None:
            if not v.get("recommendation_text"):
                problems.append(
                    Problem(source, row.line, f"{ref}: the recommendation's text is missing")
                )
                continue
            rec = recs[ref] = _Rec(ref, v["recommendation_text"], v.get("tag", ""), row.line)
        elif v.get("recommendation_text") and v["recommendation_text"] != rec.text:
            problems.append(
                Problem(
                    source,
                    row.line,
                    f"{ref}: its text differs from line {rec.line}'s (give it once, or the same)",
                )
            )
            continue
        if not any(v.get(k) for k in ("action", *ACTION_KEYS[1:])):
            continue  # a recommendation with no action yet
        action = _action({**v, "text": v.get("action", "")}, source, row.line, problems)
        if action is not None:
            rec.actions.append((row.line, action))
    if len(forces) > 1:
        problems.append(
            Problem(source, sorted(forces.values())[1], f"the file names {len(forces)} forces")
        )
    plan = ReadPlan(next(iter(forces), None), _drafts(recs))
    return plan, _lines(recs)


def _from_yaml(text: str, source: str, problems: list[Problem]) -> tuple[ReadPlan, dict[int, int]]:
    data, lines, _root = read_yaml(text, source, InputError, "plan", "(force, recommendations)")

    def line(*path: str | int) -> int:
        for cut in range(len(path), -1, -1):
            if path[:cut] in lines:
                return lines[path[:cut]]
        return 1

    for key in data:
        if key not in YAML_TOP:
            problems.append(Problem(source, line(key), f"unknown key '{key}'"))
    force = data.get("force")
    raw = data.get("recommendations")
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(source, line("recommendations"), "'recommendations' is required"))
        raw = []
    recs: dict[str, _Rec] = {}
    for i, item in enumerate(raw):
        at = line("recommendations", i)
        if not isinstance(item, dict):
            problems.append(Problem(source, at, "a recommendation is a mapping (id, text)"))
            continue
        unknown = [k for k in item if k not in YAML_RECOMMENDATION]
        problems += [Problem(source, at, f"unknown key '{k}'") for k in unknown]
        ref = str(item.get("id") or "").strip()
        if (problem := ref_problem(ref)) is not None:
            problems.append(Problem(source, at, problem))
            continue
        if ref in recs:
            problems.append(Problem(source, at, f"{ref} is given twice"))
            continue
        if not str(item.get("text") or "").strip():
            problems.append(Problem(source, at, f"{ref}: the recommendation's text is missing"))
            continue
        rec = recs[ref] = _Rec(ref, str(item["text"]).strip(), str(item.get("tag") or ""), at)
        raw_actions = item.get("actions") or []
        if not isinstance(raw_actions, list):
            problems.append(
                Problem(source, line("recommendations", i, "actions"), "'actions' is a list")
            )
            raw_actions = []
        for j, raw_action in enumerate(raw_actions):
            where = line("recommendations", i, "actions", j)
            if not isinstance(raw_action, dict):
                problems.append(Problem(source, where, "an action is a mapping (text, owner ...)"))
                continue
            problems += [
                Problem(source, where, f"unknown key '{k}'")
                for k in raw_action
                if k not in ACTION_KEYS
            ]
            action = _action(raw_action, source, where, problems)
            if action is not None:
                rec.actions.append((where, action))
    plan = ReadPlan(str(force).strip() if force else None, _drafts(recs))
    return plan, _lines(recs)


def _drafts(recs: Mapping[str, _Rec]) -> list[DraftRecommendation]:
    return [
        DraftRecommendation(r.ref, r.text, r.tag, tuple(a for _, a in r.actions))
        for r in recs.values()
    ]


def _lines(recs: Mapping[str, _Rec]) -> dict[int, int]:
    """id(action) -> its line, for the checks that need the checklist."""
    return {id(a): line for r in recs.values() for line, a in r.actions}


def read_plan(path: Path) -> tuple[ReadPlan, dict[int, int], list[Problem], list[str]]:
    """The plan in the file (CSV, or YAML by its .yaml/.yml suffix), its actions' lines,
    the problems found so far and the warnings (an encoding guessed)."""
    source = str(path)
    decoded = decode(path.read_bytes(), source)
    problems: list[Problem] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        plan, lines = _from_yaml(decoded.text, source, problems)
    else:
        plan, lines = _from_csv(decoded.text, source, problems)
    return plan, lines, problems, decoded.warnings


def import_plan(
    store: Store, path: Path, force: str | None, actor: str, replace: bool = False
) -> tuple[str, int, int]:
    """Import the plan of `force` (else the force the file names); returns (force,
    recommendations, actions). InputError with every problem by line, nothing written."""
    from casereview.services.plans import linkable

    plan, lines, problems, warnings = read_plan(path)
    source = str(path)
    if force and plan.force and force != plan.force:
        problems.append(Problem(source, 1, f"the file is the plan of {plan.force}, not of {force}"))
    chosen = force or plan.force
    if not chosen:
        problems.append(Problem(source, 1, "name the force: --force NAME, or `force` in the file"))
    else:
        question_ids, tags = linkable(store, chosen)
        for rec in plan.recommendations:
            for action in rec.actions:
                problems += [
                    Problem(source, lines[id(action)], p)
                    for p in link_problems(action, question_ids, tags)
                ]
    if not plan.recommendations and not problems:
        problems.append(Problem(source, 1, "no recommendations in the file"))
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line), warnings)
    assert chosen is not None
    stored = store.import_plan(chosen, plan.recommendations, actor, path.name, replace)
    return chosen, len(stored.recommendations), len(stored.actions())
