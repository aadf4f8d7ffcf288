"""Bundles read and written a bounded batch of reviews at a time (no SQL, no I/O here).

A format-3 bundle (io.bundles.stream) holds one review a line; the export builds its lines
and the import checks and merges them `REVIEWS_PER_BATCH` reviews at a time, never a whole
audit. A batch closes only between cases, so the reviews of one case (at most three: primary,
second, moderated) are always checked together. `LARGEST` records the largest batch either
side built, so a test can hold the streaming to its bound.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from casereview.core.bundles.merge import Plan
    from casereview.core.bundles.plans import PlanMerge

T = TypeVar("T")
REVIEWS_PER_BATCH = 200
LISTED = 100  # reviews named one by one in an import's summary; beyond them, counts
LARGEST: dict[str, int] = {"export": 0, "import": 0}  # side -> most reviews in one batch


def batched(
    items: Iterable[T], side: str, together: Callable[[T], Any] | None = None
) -> Iterator[list[T]]:
    """`items` in lists of about REVIEWS_PER_BATCH, a list closed only where `together`
    (if given) changes, each list's length recorded in LARGEST[side]."""
    batch: list[T] = []
    last: Any = object()
    for item in items:
        key = together(item) if together is not None else object()
        if len(batch) >= REVIEWS_PER_BATCH and key != last:
            yield _noted(batch, side)
            batch = []
        batch.append(item)
        last = key
    if batch:
        yield _noted(batch, side)


def _noted(batch: list[T], side: str) -> list[T]:
    LARGEST[side] = max(LARGEST[side], len(batch))
    return batch


@dataclass
class Totals:
    """What a streamed merge did, batch by batch, as one Plan would say it: the lines of
    Plan.summary kept (short text) for the first LISTED reviews and counted after them (a
    national audit's 25,000 lines would be noise, and held to the end), the reviews
    themselves let go."""

    create_audit: bool = False
    new_cases: int = 0
    reviews: list[str] = field(default_factory=list)  # the first LISTED reviews' lines
    more: dict[str, int] = field(default_factory=dict)  # the rest, counted by kind
    settled: list[str] = field(default_factory=list)
    assignments: int = 0
    events: int = 0
    settle_events: int = 0
    warnings: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)  # PlanMerge.summary's lines

    def add(self, plan: Plan) -> None:
        from casereview.core.bundles.merge import review_lines

        self.create_audit = self.create_audit or plan.create_audit
        self.new_cases += len(plan.new_cases)
        for line in review_lines(plan):
            if len(self.reviews) < LISTED:
                self.reviews.append(line)
            else:
                kind = line.split(":", 1)[0]
                self.more[kind] = self.more.get(kind, 0) + 1
        self.settled += plan.settled
        self.assignments += len(plan.assignments)
        self.events += len(plan.new_events)
        self.settle_events += len(plan.settle_events)

    def add_plan(self, merged: PlanMerge) -> None:
        self.plans += merged.summary()
        self.events += len(merged.new_events)
        self.settle_events += len(merged.settle_events)

    @property
    def empty(self) -> bool:
        return not (
            self.create_audit
            or self.plans
            or self.reviews
            or self.events
            or self.assignments
            or self.settle_events
        )

    def summary(self) -> list[str]:
        lines = []
        if self.create_audit:
            lines.append(f"the audit, new to this database ({self.new_cases} new pool cases)")
        lines += self.reviews
        if self.more:
            counts = ", ".join(f"{n:,} {kind}" for kind, n in self.more.items())
            lines.append(f"and {sum(self.more.values()):,} more review(s) not listed: {counts}")
        lines += [f"settled: {line}" for line in self.settled]
        if self.assignments:
            lines.append(f"assignment of {self.assignments} case(s)")
        lines += self.plans
        lines.append(f"{self.events} event(s) for the trail")
        return lines
