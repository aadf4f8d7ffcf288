"""Change between two proportions: Newcombe's hybrid score interval, and what it lets us say."""

from __future__ import annotations

import math
from dataclasses import dataclass

from casereview.core.stats.scoring import wilson_interval

IMPROVED, DECLINED, NO_CLEAR_CHANGE = "improved", "declined", "no clear change"
HIGHER, LOWER, NO_CLEAR_DIFFERENCE = "higher", "lower", "no clear difference"
ARROWS = {IMPROVED: "▲", DECLINED: "▼", HIGHER: "▲", LOWER: "▼"}  # only a clear change has one


def newcombe_interval(
    x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95
) -> tuple[float, float] | None:
    """The hybrid score interval for p1 - p2 (p1 = x1/n1, p2 = x2/n2, independent samples):
    Newcombe (1998), Statistics in Medicine 17:873-890, method 10.

    From the two Wilson intervals (l1, u1) and (l2, u2):
    lower = (p1 - p2) - sqrt((p1 - l1)^2 + (u2 - p2)^2),
    upper = (p1 - p2) + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    Successes may be fractional (partly counts half, as compliance does). None when either
    sample is empty.
    """
    first = wilson_interval(x1, n1, confidence)
    second = wilson_interval(x2, n2, confidence)
    if first is None or second is None:
        return None
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = first, second
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    # Each Wilson bound lies in [0, 1], so these hold in exact arithmetic; floats may stray
    # by 1e-16 (and would then put a difference of exactly 0 outside its own interval).
    return max(-1.0, min(low, d)), min(1.0, max(high, d))


@dataclass(frozen=True)
class Change:
    """p1 - p2 as a proportion (multiply by 100 for percentage points) with its interval."""

    difference: float
    low: float
    high: float

    @property
    def clear(self) -> bool:
        """The interval excludes 0: the data support a change, one way or the other."""
        return self.low > 0 or self.high < 0

    def say(self, up: str = IMPROVED, down: str = DECLINED, neither: str = NO_CLEAR_CHANGE) -> str:
        """`up` where the whole interval is above 0, `down` where it is below, else `neither`."""
        if self.low > 0:
            return up
        if self.high < 0:
            return down
        return neither


def change(x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95) -> Change | None:
    """x1/n1 - x2/n2 with its Newcombe interval; None when either sample is empty."""
    interval = newcombe_interval(x1, n1, x2, n2, confidence)
    if interval is None:
        return None
    return Change(x1 / n1 - x2 / n2, *interval)
