"""Weighted kappa and Fleiss' kappa: worked by hand, and against statsmodels as the oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import (  # type: ignore[import-untyped]
    cohens_kappa,
    fleiss_kappa,
)

from casereview.core.stats.multirater import ORDERED, linear_weighted_kappa
from casereview.core.stats.multirater import fleiss_kappa as ours_fleiss


def test_weighted_kappa_worked_by_hand() -> None:
    # places: no 0, partly 1, yes 2; linear disagreement weight |i - j| / 2.
    # observed: (yes, partly) and (no, partly) each weigh 0.5 -> (0.5 + 0.5) / 5 = 0.2
    # gold shares no .4, partly .2, yes .4; reviewer's no .2, partly .6, yes .2
    # expected, one step apart (w .5): .4*.6 + .2*.2 + .2*.2 + .4*.6 = .56 -> .28
    #           two steps apart (w 1): .4*.2 + .4*.2 = .16 -> .16;  total .44
    # kw = 1 - .2 / .44 = 6/11
    pairs = [
        ("yes", "yes"),
        ("yes", "partly"),
        ("partly", "partly"),
        ("no", "partly"),
        ("no", "no"),
    ]
    assert linear_weighted_kappa(pairs) == pytest.approx(6 / 11)


def test_weighted_kappa_leaves_out_answers_off_the_scale_and_is_none_on_one_category() -> None:
    assert linear_weighted_kappa([("yes", "na"), ("unknown", "no")]) is None
    assert linear_weighted_kappa([("yes", "yes"), ("yes", "yes")]) is None


def test_weighted_kappa_on_two_categories_is_unweighted_kappa() -> None:
    # yes/no only: every disagreement weighs 1, so kw = Cohen's kappa.
    # po = 3/4; shares a: yes .5 no .5, b: yes .75 no .25; pe = .375 + .125 = .5; k = .5
    pairs = [("yes", "yes"), ("yes", "yes"), ("no", "no"), ("no", "yes")]
    assert linear_weighted_kappa(pairs) == pytest.approx(0.5)


answer = st.sampled_from(ORDERED)


@pytest.mark.filterwarnings(
    "ignore::RuntimeWarning"
)  # statsmodels' own variance on a degenerate table
@given(st.lists(st.tuples(answer, answer), min_size=2, max_size=40))
def test_weighted_kappa_matches_statsmodels(pairs: list[tuple[str, str]]) -> None:
    table = np.zeros((3, 3))
    for a, b in pairs:
        table[ORDERED.index(a), ORDERED.index(b)] += 1
    ours = linear_weighted_kappa(pairs)
    if ours is None:
        return  # statsmodels divides by zero there
    assert ours == pytest.approx(cohens_kappa(table, wt="linear").kappa, abs=1e-9)


def test_fleiss_kappa_and_its_error_worked_by_hand() -> None:
    # 4 cases, 3 raters, yes/no: counts (3,0) (0,3) (2,1) (1,2)
    # p_yes = 6/12 = .5, p_no = .5; P_i = 1, 1, (4+1-3)/6 = 1/3, 1/3; Pbar = 2/3; Pe = .5
    # kappa = (2/3 - .5) / .5 = 1/3
    # se: sum pq = .5; sum pq(q - p) = 0; sqrt(N n (n-1)) = sqrt(24)
    #     se = sqrt(2) / (.5 sqrt(24)) * sqrt(.25) = sqrt(1/12)
    ratings = [{"yes": 3}, {"no": 3}, {"yes": 2, "no": 1}, {"yes": 1, "no": 2}]
    got = ours_fleiss(ratings)
    assert got.kappa == pytest.approx(1 / 3)
    assert got.se == pytest.approx(math.sqrt(1 / 12))
    assert got.low == pytest.approx(1 / 3 - 1.959963984540054 * math.sqrt(1 / 12))
    assert (got.subjects, got.raters) == (4, 3)


def test_fleiss_error_with_unequal_shares_worked_by_hand() -> None:
    # 2 cases, 2 raters: (yes 2) and (yes 1, no 1); p_yes = 3/4, p_no = 1/4
    # P_i = (4-2)/2 = 1, (1+1-2)/2 = 0; Pbar = .5; Pe = 9/16 + 1/16 = 10/16
    # kappa = (.5 - .625) / .375 = -1/3
    # pq = 3/16 each, sum 6/16; sum pq(q-p) = 3/16 (1/4 - 3/4) + 3/16 (3/4 - 1/4) = 0
    # se = sqrt(2) / (6/16 * sqrt(2*2*1)) * 6/16 = sqrt(2)/2
    got = ours_fleiss([{"yes": 2}, {"yes": 1, "no": 1}])
    assert got.kappa == pytest.approx(-1 / 3)
    assert got.se == pytest.approx(math.sqrt(2) / 2)
    assert got.low == -1.0  # clipped to kappa's range


def test_fleiss_refuses_unequal_raters_and_is_none_on_one_category() -> None:
    with pytest.raises(ValueError, match="same number of raters"):
        ours_fleiss([{"yes": 2}, {"yes": 3}])
    assert ours_fleiss([{"yes": 3}, {"yes": 3}]).kappa is None


category = st.sampled_from(("yes", "partly", "no", "na", "hidden"))


@given(
    st.integers(2, 6).flatmap(
        lambda n: st.lists(st.lists(category, min_size=n, max_size=n), min_size=1, max_size=25)
    )
)
def test_fleiss_kappa_matches_statsmodels(subjects: list[list[str]]) -> None:
    cats = sorted({c for s in subjects for c in s})
    ratings = [{c: s.count(c) for c in set(s)} for s in subjects]
    ours = ours_fleiss(ratings).kappa
    if ours is None:
        return  # one category only: statsmodels divides by zero
    table = np.array([[s.count(c) for c in cats] for s in subjects])
    assert ours == pytest.approx(fleiss_kappa(table, method="fleiss"), abs=1e-9)


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    from datetime import date

    from casereview.services.calibration import months_before

    assert months_before(date(2025, 1, 15), 12) == date(2024, 1, 15)
    assert months_before(date(2025, 3, 31), 1) == date(2025, 2, 28)  # February has no 31st
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)  # a leap year
    assert months_before(date(2025, 1, 31), 2) == date(2024, 11, 30)  # across the year
