"""LQAS designs against a published table and the binomial (scipy as the oracle)."""

from __future__ import annotations

import pytest
from scipy.stats import binom  # type: ignore[import-untyped]

from casereview.core.stats.lqas import DOES_NOT_MEET, MEETS, NOT_ENOUGH, plan, rule_for, verdict


def test_80_50_at_ten_percent_is_19_files_at_most_6_failing() -> None:
    # Published: Grant & Leavenworth (1988), Statistical Quality Control, pp. 391-425, as
    # tabulated in Table 1 of PMC3013262 (80% adequate, 50% inadequate): n = 19, d = 6
    # unimmunised, provider risk 0.07, consumer risk 0.08 (the optimal rule at n = 19); at
    # n = 14 the best rule (d = 4) runs a provider risk of 0.13, over 10%.
    design = plan(0.80, 0.50, alpha=0.10, beta=0.10)
    assert (design.n, design.d) == (19, 6)
    assert round(design.alpha, 2) == 0.07
    assert round(design.beta, 2) == 0.08
    assert rule_for(14, 0.80, 0.50) is None


def test_operating_characteristic_is_the_binomial() -> None:
    design = plan(0.80, 0.50)
    for compliance in (0.5, 0.65, 0.8, 0.95):
        expected = binom.cdf(6, 19, 1 - compliance)
        assert design.operating_characteristic(compliance) == pytest.approx(expected)
    assert design.alpha == pytest.approx(1 - binom.cdf(6, 19, 0.2))
    assert design.beta == pytest.approx(binom.cdf(6, 19, 0.5))


def test_verdicts_with_partly_as_half_a_failure() -> None:
    design = plan(0.80, 0.50)
    assert verdict(design, 13, 19).verdict == MEETS  # 6 fail
    assert verdict(design, 12, 19).verdict == DOES_NOT_MEET  # 7 fail
    # 12 yes, 1 partly, 6 no: 6.5 failures, over d = 6 (counting the partly a pass: meets)
    assert verdict(design, 12.5, 19).verdict == DOES_NOT_MEET
    assert verdict(design, 18, 18).verdict == NOT_ENOUGH


def test_more_files_use_the_rule_for_their_own_n() -> None:
    # n = 21 within 10%/10%: d = 7 (alpha 0.043, beta 0.095), checked against scipy.
    design = plan(0.80, 0.50)
    seen = verdict(design, 14, 21)
    assert seen.d == 7
    assert 1 - binom.cdf(7, 21, 0.2) <= 0.10 and binom.cdf(7, 21, 0.5) <= 0.10
    assert seen.verdict == MEETS


@pytest.mark.parametrize(
    ("standard", "threshold", "alpha"),
    [(0.5, 0.8, 0.1), (0.8, 0.8, 0.1), (1.0, 0.5, 0.1), (0.8, 0.5, 0.0), (0.8, 0.5, 0.6)],
)
def test_bad_designs_are_refused(standard: float, threshold: float, alpha: float) -> None:
    with pytest.raises(ValueError):
        plan(standard, threshold, alpha=alpha)
