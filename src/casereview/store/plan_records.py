"""What a force's action plan reads as (store/plans.py builds them): the plan, its
recommendations and their actions. Their own module, loaded when a plan is read, so a command
that never reads one does not build these classes (issue 32: the start)."""

from __future__ import annotations

from dataclasses import dataclass

from casereview.core.plans import DraftAction
from casereview.store.errors import StoreError


@dataclass(frozen=True)
class Action:
    id: int
    ref: str
    """R1.2: its recommendation's id and its place under it."""
    recommendation: str
    text: str
    owner: str
    due: str | None
    status: str
    reason: str
    questions: tuple[str, ...]
    tags: tuple[str, ...]
    updated_by: str
    updated_at: str

    def draft(self) -> DraftAction:
        return DraftAction(
            self.text, self.owner, self.due, self.status, self.reason, self.questions, self.tags
        )


@dataclass(frozen=True)
class Recommendation:
    id: int
    ref: str
    text: str
    tag: str
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Plan:
    id: int
    force: str
    created_at: str
    recommendations: tuple[Recommendation, ...]

    def actions(self) -> list[Action]:
        return [a for r in self.recommendations for a in r.actions]

    def action(self, ref: str) -> Action:
        for a in self.actions():
            if a.ref == ref:
                return a
        known = ", ".join(a.ref for a in self.actions()) or "none"
        raise StoreError(f"the plan of {self.force} has no action {ref} (actions: {known})")
