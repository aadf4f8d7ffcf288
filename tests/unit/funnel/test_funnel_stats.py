"""Funnel limits (Spiegelhalter 2005) against an independent oracle (scipy) and hand working."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom, norm  # type: ignore[import-untyped]

from casereview.core.stats import binomial
from casereview.core.stats.funnel import (
    ADDITIVE,
    ALARM,
    ALERT,
    MULTIPLICATIVE,
    dispersion,
    exact_limit,
    funnel,
    limits,
    winsorised,
    z_score,
)


def paper_limit(p: float, n: int, target: float) -> float:
    """The appendix formula with scipy's binomial: r_p = ppf(p), alpha = (F(r_p) - p) / f(r_p).
    At r_p = 0 the formula can fall below 0 (n = 1): a proportion's limit stops at 0."""
    r = binom.ppf(p, n, target)
    alpha = (binom.cdf(r, n, target) - p) / binom.pmf(r, n, target)
    return min(1.0, max(0.0, (r - alpha) / n))


@pytest.mark.parametrize("n", [1, 5, 10, 19, 40, 100, 350, 2000])
@pytest.mark.parametrize("target", [0.1, 0.5, 0.73, 0.9])
@pytest.mark.parametrize("p", [0.001, 0.025, 0.975, 0.999])
def test_exact_limits_match_the_paper_formula_on_scipy(n: int, target: float, p: float) -> None:
    assert exact_limit(p, n, target) == pytest.approx(paper_limit(p, n, target), abs=1e-9)


@pytest.mark.parametrize("k", [0, 3, 7, 19])
def test_binomial_pmf_and_cdf_agree_with_scipy(k: int) -> None:
    assert binomial.pmf(k, 19, 0.8) == pytest.approx(binom.pmf(k, 19, 0.8), rel=1e-12)
    assert binomial.cdf(k, 19, 0.8) == pytest.approx(binom.cdf(k, 19, 0.8), rel=1e-12)


def test_upper_95_limit_at_n_10_by_hand() -> None:
    # Binomial(10, 0.5): P(Y <= 7) = 968/1024 = 0.945 < 0.975 <= P(Y <= 8) = 1013/1024, so
    # r = 8; P(Y = 8) = 45/1024; alpha = (1013/1024 - 0.975) / (45/1024) = 14.6/45 = 0.32444;
    # limit = (8 - 0.32444) / 10 = 0.767556.
    assert exact_limit(0.975, 10, 0.5) == pytest.approx(0.767556, abs=1e-6)


def test_exact_limits_approach_the_normal_ones_for_large_n() -> None:
    # The paper (section 3) notes the exact limits tend to theta0 +- z_p sqrt(theta0(1-theta0)/n).
    sd = math.sqrt(0.8 * 0.2 / 10_000)
    assert exact_limit(0.999, 10_000, 0.8) == pytest.approx(0.8 + 3.090232 * sd, abs=2e-4)


def test_partly_enters_as_a_credit_proportion_not_rounded() -> None:
    # Binomial(20, 0.5): the 0.975-quantile is 14 (scipy below), and P(Y >= 15) < 0.025 <
    # P(Y >= 14). 14 yes + 1 partly = 14.5 credit, 0.725: above 14/20, an alert. Rounding
    # the half down (14 of 20) would leave it inside.
    assert binom.ppf(0.975, 20, 0.5) == 14
    assert binom.sf(14, 20, 0.5) < 0.025 < binom.sf(13, 20, 0.5)
    (point,) = funnel([("A", 14.5, 20)], target=0.5).points  # type: ignore[union-attr]
    assert point.compliance == 0.725
    assert point.band == ALERT
    (rounded,) = funnel([("A", 14.0, 20)], target=0.5).points  # type: ignore[union-attr]
    assert rounded.band == ""


def test_a_unit_on_the_discrete_limit_is_not_flagged() -> None:
    # 4 of 4 against 2/3: the smoothed 99.8% limit at n = 4 is (4 - 0.001/(16/81)) / 4 =
    # 0.9987, below 1, but P(Y >= 4) = (2/3)^4 = 0.198: no evidence at all, no band.
    at = limits(4, 2 / 3)
    assert at.high998 == pytest.approx((4 - 0.001 / (16 / 81)) / 4)
    assert binom.sf(3, 4, 2 / 3) == pytest.approx(16 / 81)
    assert at.band(1.0) == ""


def test_bands_alert_and_alarm() -> None:
    # n = 100 around 0.5, discrete quantiles from scipy: 95% 40-60, 99.8% 35-65
    assert (binom.ppf(0.975, 100, 0.5), binom.ppf(0.999, 100, 0.5)) == (60, 65)
    assert binom.ppf(0.001, 100, 0.5) == 35
    at = limits(100, 0.5)
    assert at.band(0.5) == "" and at.band(0.60) == ""
    assert at.band(0.62) == ALERT
    assert at.band(0.70) == ALARM
    assert at.band(0.30) == ALARM


def test_z_score() -> None:
    # (0.6 - 0.5) / sqrt(0.25 / 100) = 0.1 / 0.05 = 2
    assert z_score(0.6, 100, 0.5) == pytest.approx(2.0)


KNOWN_Z = [-3, -2, -1, -1, 0, 0, 1, 1, 2, 4]
"""Ten units of n = 100 about 0.5 (s = 0.05) with these z-scores. Winsorised at 10% (one
each end): -3 -> -2, 4 -> 2; squares 4+4+1+1+0+0+1+1+4+4 = 20; phi = 20/10 = 2.
tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w) with w = 100 / 0.25 = 400:
(20 - 9) / (4000 - 400) = 11 / 3600."""


def known_units() -> list[tuple[str, float, int]]:
    return [(f"U{i}", (0.5 + 0.05 * z) * 100, 100) for i, z in enumerate(KNOWN_Z)]


def test_winsorising_moves_one_each_end_of_ten() -> None:
    assert winsorised(KNOWN_Z) == [-2, -2, -1, -1, 0, 0, 1, 1, 2, 2]
    assert winsorised([1.0, 2.0, 3.0]) == [1.0, 2.0, 3.0]  # 10% of 3 rounds down to none


def test_phi_and_tau2_on_a_set_with_known_phi() -> None:
    spread = dispersion([(c / n, n) for _, c, n in known_units()], 0.5)
    assert spread is not None
    assert spread.phi == pytest.approx(2.0)
    assert spread.tau2 == pytest.approx(11 / 3600)
    assert spread.overdispersed


def test_multiplicative_and_additive_limits() -> None:
    shown = funnel(known_units(), target=0.5, adjustment=MULTIPLICATIVE)
    assert shown is not None
    top = shown.points[-1]  # z = 4
    assert top.limits.high95 == pytest.approx(0.5 + norm.ppf(0.975) * math.sqrt(2 * 0.0025))
    assert top.z == pytest.approx(4 / math.sqrt(2))
    added = funnel(known_units(), target=0.5, adjustment=ADDITIVE)
    assert added is not None
    sd = math.sqrt(0.0025 + 11 / 3600)
    assert added.points[-1].limits.high998 == pytest.approx(0.5 + norm.ppf(0.999) * sd)
    assert added.points[-1].z == pytest.approx(0.2 / sd)


def test_no_dispersion_with_one_unit_and_pooled_target() -> None:
    shown = funnel([("A", 8, 10), ("B", 2, 10), ("C", 0, 0)])
    assert shown is not None
    assert shown.target == pytest.approx(0.5)  # (8 + 2) / 20; C had nothing applicable
    assert [p.unit for p in shown.points] == ["A", "B"]
    assert dispersion([(0.5, 10)], 0.5) is None


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=1e-4, max_value=1 - 1e-4),
    st.integers(min_value=0, max_value=400),
    st.floats(min_value=0, max_value=1),
)
def test_the_one_pass_quantile_gives_what_quantile_pmf_and_cdf_give(
    q: float, n: int, p: float
) -> None:
    """quantile_and_tail (a funnel limit's one pass) against the three it stands for."""
    r = binomial.quantile(q, n, p)
    assert binomial.quantile_and_tail(q, n, p) == (r, binomial.pmf(r, n, p), binomial.cdf(r, n, p))
