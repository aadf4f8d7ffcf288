"""p-chart limits and each run rule on constructed series that do and do not trigger it."""

from __future__ import annotations

import pytest

from casereview.core.stats.spc import BEYOND, FALLING, RISING, SHIFT, p_chart

BASE = [(f"B{i}", 80.0, 100.0) for i in range(4)]
"""Four baseline periods at exactly 0.80 on n = 100: centre 320/400 = 0.8, sigma at n = 100
sqrt(0.16/100) = 0.04, limits 0.68 and 0.92. On the centre line: no side, no rise."""
BASELINE = [b[0] for b in BASE]


def series(*values: float, n: float = 100.0) -> list[tuple[str, float, float]]:
    return BASE + [(f"P{i}", v * n, n) for i, v in enumerate(values)]


def signals(points, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.label for p in points if name in p.signals]


def test_limits_use_each_periods_own_n_and_clip() -> None:
    points = p_chart([("A", 20.0, 25.0), ("B", 60.0, 75.0)])
    # centre 80/100 = 0.8; n = 25: 0.8 +- 3 sqrt(0.16/25) = 0.8 +- 0.24 -> 0.56, 1.04 -> 1.0
    assert points[0].low == pytest.approx(0.56)
    assert points[0].high == 1.0
    # n = 75: 0.8 +- 3 sqrt(0.16/75) = 0.8 +- 0.138564
    assert points[1].low == pytest.approx(0.8 - 0.138564, abs=1e-6)


def test_beyond_limits() -> None:
    points = p_chart(series(0.80, 0.67, 0.91, 0.93), baseline=BASELINE)
    assert signals(points, BEYOND) == ["P1", "P3"]


def test_eight_on_one_side_and_seven_not() -> None:
    eight = p_chart(series(*[0.83] * 8), baseline=BASELINE)
    assert signals(eight, SHIFT) == [f"P{i}" for i in range(8)]
    seven = p_chart(series(*[0.77] * 7), baseline=BASELINE)
    assert signals(seven, SHIFT) == []
    broken = p_chart(series(*[0.83] * 4, 0.80, *[0.83] * 4), baseline=BASELINE)
    assert signals(broken, SHIFT) == []  # a point on the centre line breaks the run
    below = p_chart(series(*[0.77] * 8), baseline=BASELINE)
    assert signals(below, SHIFT) == [f"P{i}" for i in range(8)]


def test_six_rising_six_falling_and_five_not() -> None:
    rising = p_chart(series(0.75, 0.77, 0.79, 0.81, 0.83, 0.85), baseline=BASELINE)
    assert signals(rising, RISING) == [f"P{i}" for i in range(6)]
    assert signals(rising, SHIFT) == [] and signals(rising, FALLING) == []
    five = p_chart(series(0.75, 0.77, 0.79, 0.81, 0.83), baseline=BASELINE)
    assert signals(five, RISING) == []
    falling = p_chart(series(0.85, 0.83, 0.81, 0.79, 0.77, 0.75), baseline=BASELINE)
    assert signals(falling, FALLING) == [f"P{i}" for i in range(6)]
    flat = p_chart(series(0.75, 0.77, 0.77, 0.79, 0.81, 0.83), baseline=BASELINE)
    assert signals(flat, RISING) == []  # a tie breaks a rise


def test_default_baseline_is_all_periods_and_unknown_is_refused() -> None:
    points = p_chart([("A", 7.0, 10.0), ("B", 9.0, 10.0), ("C", 0.0, 0.0)])
    assert [p.label for p in points] == ["A", "B"]
    assert points[0].centre == pytest.approx(0.8)
    with pytest.raises(ValueError, match="Z"):
        p_chart([("A", 7.0, 10.0)], baseline=["Z"])
