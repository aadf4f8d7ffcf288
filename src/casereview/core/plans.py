"""A force's action plan as plain data: recommendations (R1 ...) and the actions under them,
and the rules every way in (an import, an edit in the app, a draft from findings) checks.

An action is `planned`, `in_progress`, `done` or `dropped`; a dropped action says why. Its
due date is a day (YYYY-MM-DD); it is overdue when that day has passed and it is neither
done nor dropped. It names the checklist questions and tags it is meant to move."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from casereview.core.text import hidden_character

STATUSES = ("planned", "in_progress", "done", "dropped")
STATUS_WORDS = {
    "planned": "planned",
    "in_progress": "in progress",
    "done": "done",
    "dropped": "dropped",
}
CLOSED = ("done", "dropped")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")


def parse_status(text: str) -> str:
    """`in progress`, `In-Progress`, `in_progress` -> `in_progress`; ValueError naming the
    statuses for anything else."""
    key = re.sub(r"[\s-]+", "_", text.strip().lower())
    if key in STATUSES:
        return key
    raise ValueError(
        f"status '{text}' is not one of {', '.join(STATUS_WORDS[s] for s in STATUSES)}"
    )


def ref_problem(ref: str) -> str | None:
    """Why a recommendation id cannot be used (R1, R12, 3.2), or None."""
    if not ref:
        return "a recommendation needs an id (R1, R2 ...)"
    if not _REF.match(ref):
        return (
            f"recommendation id '{ref}' must be up to 20 letters, digits, '.', '_' or '-' "
            "(R1, R2 ...)"
        )
    return None


@dataclass(frozen=True)
class DraftAction:
    """An action as a file or a person gives it, before it is stored."""

    text: str
    owner: str = ""
    due: str | None = None
    """YYYY-MM-DD, or None: no date set."""
    status: str = "planned"
    reason: str = ""
    """Why it was dropped (required then, and only then)."""
    questions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class DraftRecommendation:
    ref: str
    text: str
    tag: str = ""
    actions: tuple[DraftAction, ...] = field(default=())


def action_problems(action: DraftAction) -> list[str]:
    """What is wrong with an action on its own (the checklist's questions aside)."""
    out = []
    if not action.text.strip():
        out.append("an action needs its text")
    for what, value in (("the action", action.text), ("the owner", action.owner)):
        if (problem := hidden_character(what, value)) is not None:
            out.append(problem)
    if action.status not in STATUSES:
        out.append(f"status '{action.status}' is not one of {', '.join(STATUSES)}")
    if action.status == "dropped" and not action.reason.strip():
        out.append("a dropped action needs its reason")
    if action.status != "dropped" and action.reason.strip():
        out.append("a reason is given only for a dropped action")
    return out


def link_problems(action: DraftAction, question_ids: set[str], tags: set[str]) -> list[str]:
    """Questions and tags the checklist(s) do not have."""
    out = [f"no question {q} in the checklist" for q in action.questions if q not in question_ids]
    out += [f"no tag {t} in the checklist" for t in action.tags if t not in tags]
    return out


def overdue(status: str, due: str | None, today: str) -> bool:
    """Due before today and neither done nor dropped."""
    return due is not None and due < today and status not in CLOSED


def split_list(text: str) -> tuple[str, ...]:
    """`Q1; Q2, Q3` -> (Q1, Q2, Q3): a file's list of question ids or tags."""
    return tuple(dict.fromkeys(p.strip() for p in re.split(r"[;,\s]+", text) if p.strip()))


def action_ref(recommendation: str, number: int) -> str:
    """An action's id in its plan: its recommendation's and its place under it (R1.2)."""
    return f"{recommendation}.{number}"


def next_number(refs: Sequence[str], recommendation: str) -> int:
    """The number of a new action under `recommendation`, after the ones it has."""
    taken = [
        int(r.rsplit(".", 1)[1])
        for r in refs
        if r.rsplit(".", 1)[0] == recommendation and r.rsplit(".", 1)[1].isdigit()
    ]
    return max(taken, default=0) + 1


def trail_cell(value: object) -> str | None:
    """A field's value as the trail writes it: a list joined by commas."""
    if value is None:
        return None
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)
