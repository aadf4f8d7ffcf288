"""The funnel's chi-square test for overdispersion (Spiegelhalter 2005, section 5): I * phi,
the sum of the squared (Winsorised) z-scores, against chi-square on I - 1 degrees of freedom,
with scipy.stats.chi2 as the oracle."""

from __future__ import annotations

import pytest
from scipy.stats import chi2  # type: ignore[import-untyped]

from casereview.core.stats.chisq import survival
from casereview.core.stats.funnel import dispersion


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 9, 10, 17, 30, 99])
@pytest.mark.parametrize("x", [0.0, 0.01, 0.5, 1.0, 3.0, 8.0, 11.5, 20.0, 45.0, 150.0])
def test_chi_square_tail_agrees_with_scipy(df: int, x: float) -> None:
    assert survival(x, df) == pytest.approx(chi2.sf(x, df), rel=1e-9, abs=1e-15)


def test_chi_square_refuses_no_degrees_of_freedom() -> None:
    with pytest.raises(ValueError, match="at least 1 degree of freedom"):
        survival(1.0, 0)


def units(zs: list[float]) -> list[tuple[float, int]]:
    """Units of n = 100 about 0.5 (s = 0.05) with these z-scores."""
    return [(0.5 + 0.05 * z, 100) for z in zs]


def test_known_spread_is_more_than_chance() -> None:
    # z = -3 -2 -1 -1 0 0 1 1 2 4; Winsorised (one each end of ten): -3 -> -2, 4 -> 2;
    # squares 4+4+1+1+0+0+1+1+4+4 = 20 = I * phi; chi-square on 9 df: p = 0.018 < 0.05.
    spread = dispersion(units([-3, -2, -1, -1, 0, 0, 1, 1, 2, 4]), 0.5)
    assert spread is not None
    assert spread.chi2 == pytest.approx(20.0)
    assert spread.df == 9
    assert spread.p_value == pytest.approx(chi2.sf(20.0, 9))
    assert spread.p_value < 0.05
    assert spread.overdispersed


def test_some_excess_but_within_chance_is_not_called_overdispersed() -> None:
    # z = -2 -1.5 -1 -0.5 0 0 0.5 1 1.5 2; Winsorised: -2 -> -1.5, 2 -> 1.5; squares
    # 2.25+2.25+1+0.25+0+0+0.25+1+2.25+2.25 = 11.5 above its expectation I - 1 = 9 (phi 1.15),
    # yet chi-square on 9 df gives p = 0.24: no more spread than chance alone.
    spread = dispersion(units([-2, -1.5, -1, -0.5, 0, 0, 0.5, 1, 1.5, 2]), 0.5)
    assert spread is not None
    assert spread.phi == pytest.approx(1.15)
    assert spread.chi2 == pytest.approx(11.5)
    assert spread.p_value == pytest.approx(chi2.sf(11.5, 9))
    assert spread.p_value > 0.05
    assert not spread.overdispersed


def test_the_words_say_more_spread_only_below_five_percent() -> None:
    wide = dispersion(units([-3, -2, -1, -1, 0, 0, 1, 1, 2, 4]), 0.5)
    narrow = dispersion(units([-2, -1.5, -1, -0.5, 0, 0, 0.5, 1, 1.5, 2]), 0.5)
    assert wide is not None and narrow is not None
    assert wide.summary() == (
        "phi 2.00; chi-square 20.00 on 9 df, p = 0.018: more spread than chance alone"
    )
    assert narrow.summary() == (
        "phi 1.15; chi-square 11.50 on 9 df, p = 0.243: no more spread than chance alone"
    )


def test_a_tiny_p_reads_below_a_thousandth() -> None:
    # z = -4 -4 0 0 0 0 0 0 4 4: Winsorised (one each end) unchanged in value, squares
    # 16 * 4 = 64 on 9 df: p = 3e-10 (scipy), written as below 0.001, not as 0.000
    spread = dispersion(units([-4, -4, 0, 0, 0, 0, 0, 0, 4, 4]), 0.5)
    assert spread is not None
    assert spread.chi2 == pytest.approx(64.0)
    assert chi2.sf(64.0, 9) < 1e-6
    assert spread.summary().endswith("on 9 df, p < 0.001: more spread than chance alone")
