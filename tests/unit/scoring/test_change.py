"""Newcombe's interval for a change, against the published table and by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casereview.core.stats.change import Change, change, newcombe_interval

# Newcombe RG (1998). Interval estimation for the difference between independent proportions:
# comparison of eleven methods. Statistics in Medicine 17:873-890. Table II, examples (a) to
# (h), method 10 (the hybrid score interval from the two Wilson intervals, no continuity
# correction), p1 - p2 to four decimals. (d) has a zero count; (e) and (f) are equal
# proportions (both zero); (g) and (h) put one proportion at 1, so the upper limit is 1.
TABLE_II = [
    ((56, 70, 48, 80), 0.2, (0.0524, 0.3339)),  # (a)
    ((9, 10, 3, 10), 0.6, (0.1705, 0.8090)),  # (b)
    ((6, 7, 2, 7), 4 / 7, (0.0582, 0.8062)),  # (c)
    ((5, 56, 0, 29), 5 / 56, (-0.0381, 0.1926)),  # (d)
    ((0, 10, 0, 20), 0.0, (-0.1611, 0.2775)),  # (e)
    ((0, 10, 0, 10), 0.0, (-0.2775, 0.2775)),  # (f)
    ((10, 10, 0, 20), 1.0, (0.6791, 1.0)),  # (g)
    ((10, 10, 0, 10), 1.0, (0.6075, 1.0)),  # (h)
]


@pytest.mark.parametrize(("counts", "difference", "interval"), TABLE_II)
def test_newcombe_table_ii_method_10(
    counts: tuple[int, int, int, int], difference: float, interval: tuple[float, float]
) -> None:
    got = change(*counts)
    assert got is not None
    assert got.difference == pytest.approx(difference, abs=1e-12)
    assert got.low == pytest.approx(interval[0], abs=5e-5)
    assert got.high == pytest.approx(interval[1], abs=5e-5)


def test_equal_zero_proportions_by_hand() -> None:
    # (f) 0/10 - 0/10: each Wilson interval is [0, z^2/(n + z^2)] = [0, 3.841459/13.841459]
    # = [0, 0.277533]; the difference is 0, so the limits are -0.277533 and +0.277533.
    low, high = newcombe_interval(0, 10, 0, 10) or (9, 9)
    assert low == pytest.approx(-0.277533, abs=1e-6)
    assert high == pytest.approx(0.277533, abs=1e-6)


def test_reversing_the_samples_mirrors_the_interval() -> None:
    # (a) the other way round: 48/80 - 56/70 = -0.2, interval -0.3339 to -0.0524
    got = change(48, 80, 56, 70)
    assert got is not None
    assert (got.difference, got.low, got.high) == pytest.approx((-0.2, -0.3339, -0.0524), abs=5e-5)


def test_partly_counts_half() -> None:
    # 7 yes and 2 partly of 10 is 8 of 10; the same interval as 8/10 against 4/10.
    assert newcombe_interval(7 + 0.5 * 2, 10, 4, 10) == newcombe_interval(8, 10, 4, 10)


def test_an_empty_sample_has_no_change() -> None:
    assert newcombe_interval(0, 0, 3, 10) is None
    assert change(3, 10, 0, 0) is None


@pytest.mark.parametrize(
    ("low", "high", "said"),
    [
        (0.0524, 0.3339, "improved"),
        (-0.3339, -0.0524, "declined"),
        (-0.0381, 0.1926, "no clear change"),
        (0.0, 0.2775, "no clear change"),  # touching 0 is not excluding it
        (-0.2775, 0.0, "no clear change"),
    ],
)
def test_direction_only_where_the_interval_excludes_zero(
    low: float, high: float, said: str
) -> None:
    assert Change((low + high) / 2, low, high).say() == said
    side = {"improved": "higher", "declined": "lower", "no clear change": "no clear difference"}
    assert Change(0, low, high).say("higher", "lower", "no clear difference") == side[said]


def test_table_ii_directions() -> None:
    # (a) excludes 0: a clear change; (d) spans 0: none, whatever the point estimate says.
    assert (change(56, 70, 48, 80) or Change(0, 0, 0)).say() == "improved"
    assert (change(5, 56, 0, 29) or Change(0, 1, 1)).say() == "no clear change"
    assert (change(48, 80, 56, 70) or Change(0, 0, 0)).say() == "declined"


counts = st.integers(min_value=1, max_value=400).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=2 * n).map(lambda h: h / 2), st.just(n))
)


@given(counts, counts)
def test_the_interval_holds_the_difference_within_minus_one_and_one(
    first: tuple[float, int], second: tuple[float, int]
) -> None:
    (x1, n1), (x2, n2) = first, second
    got = change(x1, n1, x2, n2)
    assert got is not None
    assert -1.0 <= got.low <= got.difference <= got.high <= 1.0
    assert got.difference == pytest.approx(x1 / n1 - x2 / n2)
    mirrored = change(x2, n2, x1, n1)
    assert mirrored is not None
    assert (mirrored.low, mirrored.high) == pytest.approx((-got.high, -got.low))
