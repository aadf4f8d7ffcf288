"""Where the band (the exact one-sided binomial test) and the drawn, interpolated limits
(Spiegelhalter 2005's appendix) agree and where they differ, with scipy as the oracle: they
agree below the target for whole counts, and differ above it exactly at the quantile r_p."""

from __future__ import annotations

import pytest
from scipy.stats import binom  # type: ignore[import-untyped]

from casereview.core.stats.funnel import ALARM, ALERT, funnel, limits


def exact_band(y: int, n: int, target: float) -> str:
    """The exact one-sided test at 2.5% (0.1%) a side: P(Y <= y) or P(Y >= y) below it."""
    tail = min(binom.cdf(y, n, target), binom.sf(y - 1, n, target))
    return ALARM if tail < 0.001 else ALERT if tail < 0.025 else ""


@pytest.mark.parametrize("n", [1, 4, 10, 19, 50])
@pytest.mark.parametrize("target", [0.3, 0.5, 2 / 3, 0.9])
def test_band_is_the_exact_test_and_differs_from_the_line_only_at_the_upper_quantile(
    n: int, target: float
) -> None:
    upper = {binom.ppf(0.975, n, target), binom.ppf(0.999, n, target)}
    for y in range(n + 1):
        at = limits(n, target)
        assert at.band(y / n) == exact_band(y, n, target), (y, n, target)
        if at.drawn_band(y / n) != at.band(y / n):
            # the line is a whole count below the quantile's r_p / n only above the target
            assert y in upper and y / n > target, (y, n, target)


def test_ten_cases_about_a_half_at_and_near_the_limits() -> None:
    # Binomial(10, 0.5). Upper 95%: P(Y <= 8) = 1013/1024 >= 0.975 > P(Y <= 7), so r = 8,
    # alpha = (1013/1024 - 0.975) / (45/1024) = 0.324, line at 0.768. 8 of 10 is drawn above
    # it, but P(Y >= 8) = 56/1024 = 0.055 > 0.025: no alert. 9 of 10: P(Y >= 9) = 11/1024 =
    # 0.011, an alert; the 99.8% line is (9 - (1023/1024 - 0.999) / (10/1024)) / 10 = 0.8998,
    # so 9 of 10 is drawn above it too, yet P = 0.011 > 0.001: an alert, not an alarm.
    at = limits(10, 0.5)
    assert at.high95 == pytest.approx((8 - (1013 / 1024 - 0.975) / (45 / 1024)) / 10)
    assert (at.band(0.8), at.drawn_band(0.8)) == ("", ALERT)
    assert (at.band(0.9), at.drawn_band(0.9)) == (ALERT, ALARM)
    # Below: lower 95% r = 2 (P(Y <= 1) = 11/1024 < 0.025 <= P(Y <= 2) = 56/1024), line at
    # (2 - (56/1024 - 0.025)/(45/1024)) / 10 = 0.132: 2 of 10 inside both, 1 of 10 outside both.
    assert at.low95 == pytest.approx((2 - (56 / 1024 - 0.025) / (45 / 1024)) / 10)
    assert (at.band(0.2), at.drawn_band(0.2)) == ("", "")
    assert (at.band(0.1), at.drawn_band(0.1)) == (ALERT, ALERT)


def test_a_point_at_the_quantile_is_marked_as_on_the_line() -> None:
    # 4 of 4 against 2/3: drawn above the 99.8% line (0.9987), P(Y >= 4) = 16/81 = 0.198.
    shown = funnel([("A", 4, 4), ("B", 3, 4)], target=2 / 3)
    assert shown is not None
    a, b = shown.points
    assert a.band == "" and a.on_the_line
    assert b.band == "" and not b.on_the_line
