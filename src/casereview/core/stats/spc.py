"""Control charts for audits in time order: the p-chart with run rules.

Each period's compliance (credit over its applicable n, partly counting half) is plotted
about a centre line p-bar, the pooled compliance of the baseline periods (default: all), with
limits p-bar +- 3 sqrt(p-bar (1 - p-bar) / n_i) for each period's own n_i, clipped to [0, 1]
(Montgomery, *Introduction to Statistical Quality Control*, the p-chart with variable sample
size). Run rules (Western Electric 1956; Nelson 1984, J Quality Technology 16:237-239):

- beyond limits: a point above the upper or below the lower limit;
- 8 on one side: eight points in a row above the centre line, or eight below (a point on the
  line breaks the run);
- 6 rising / 6 falling: six points in a row each higher (lower) than the one before.

A p-chart asks "is this month a change or a wobble, given the process so far?"; Newcombe's
interval on the change from the previous audit asks "did these two audits differ?". A slow
drift shows in the run rules long before any two adjacent audits differ clearly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

BEYOND, SHIFT, RISING, FALLING = "beyond limits", "8 on one side", "6 rising", "6 falling"
SIGNALS = (BEYOND, SHIFT, RISING, FALLING)
SHIFT_RUN, TREND_RUN = 8, 6


@dataclass(frozen=True)
class Point:
    label: str
    n: float
    credit: float
    centre: float
    low: float
    high: float
    signals: tuple[str, ...] = field(default=())

    @property
    def compliance(self) -> float:
        return self.credit / self.n


def centre_line(
    periods: Sequence[tuple[str, float, float]], baseline: Sequence[str] | None = None
) -> float | None:
    """Pooled compliance over the baseline periods (all when None); None with no cases."""
    chosen = [p for p in periods if baseline is None or p[0] in baseline]
    total = sum(n for _, _, n in chosen)
    if total <= 0:
        return None
    return math.fsum(c for _, c, _ in chosen) / total


def _runs(values: Sequence[float], length: int, test) -> set[int]:  # type: ignore[no-untyped-def]
    """Indices in any window of `length` consecutive values where test(i) holds throughout."""
    hits: set[int] = set()
    run = 0
    for i, _ in enumerate(values):
        run = run + 1 if test(i) else 0
        if run >= length:
            hits.update(range(i - length + 1, i + 1))
    return hits


def p_chart(
    periods: Sequence[tuple[str, float, float]], baseline: Sequence[str] | None = None
) -> list[Point]:
    """(label, credit, n) in time order -> points with limits and named signals.

    Periods with n = 0 are left out (nothing to plot). An unknown baseline label is an error.
    """
    if baseline is not None:
        unknown = [b for b in baseline if b not in {p[0] for p in periods}]
        if unknown:
            raise ValueError(f"baseline periods not in the series: {', '.join(unknown)}")
    kept = [p for p in periods if p[2] > 0]
    centre = centre_line(kept, baseline)
    if centre is None:
        return []
    values = [c / n for _, c, n in kept]
    bounds = []
    for _, _, n in kept:
        sigma = math.sqrt(centre * (1 - centre) / n)
        bounds.append((max(0.0, centre - 3 * sigma), min(1.0, centre + 3 * sigma)))
    beyond = {i for i, v in enumerate(values) if v < bounds[i][0] or v > bounds[i][1]}
    above = _runs(values, SHIFT_RUN, lambda i: values[i] > centre)
    below = _runs(values, SHIFT_RUN, lambda i: values[i] < centre)
    # a rise of 6 points is 5 steps up: the first point of the run has no step before it
    up = _runs(values, TREND_RUN - 1, lambda i: i > 0 and values[i] > values[i - 1])
    down = _runs(values, TREND_RUN - 1, lambda i: i > 0 and values[i] < values[i - 1])
    rising = up | {i - 1 for i in up}
    falling = down | {i - 1 for i in down}
    points = []
    for i, (label, credit, n) in enumerate(kept):
        named = [
            name
            for name, hit in (
                (BEYOND, beyond),
                (SHIFT, above | below),
                (RISING, rising),
                (FALLING, falling),
            )
            if i in hit
        ]
        points.append(Point(label, n, credit, centre, *bounds[i], tuple(named)))
    return points
