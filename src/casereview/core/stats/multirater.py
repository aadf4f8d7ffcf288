"""Agreement beyond two raters' plain kappa, as pure functions: Cohen's weighted kappa with
linear weights for the ordered answers, and Fleiss' kappa for many raters with its standard
error (calibration uses both; core.stats.agreement holds the unweighted two-rater figures)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from casereview.core.stats.agreement import Z_95

ORDERED = ("no", "partly", "yes")
"""The answers that have an order, lowest first: `partly` lies between `no` and `yes`. `na`
and `unknown` have no place on it, so weighted kappa leaves out a pair with either."""


def ordered_pairs(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs whose two answers both lie on the ordered scale (what weighted kappa counts)."""
    return [(a, b) for a, b in pairs if a in ORDERED and b in ORDERED]


def linear_weighted_kappa(
    pairs: Sequence[tuple[str, str]], scale: Sequence[str] = ORDERED
) -> float | None:
    """Cohen's (1968) weighted kappa with linear disagreement weights w_ij = |i - j| / (k - 1)
    over the ordered `scale` of k categories (i, j their places on it):

        kw = 1 - sum_ij w_ij p_ij / sum_ij w_ij p_i. p_.j

    so `yes` against `partly` counts half a disagreement and `yes` against `no` a whole one.
    Pairs with an answer off the scale are left out (see `ordered_pairs`). None with no such
    pairs or where the expected disagreement is 0 (both raters used one category only). With
    two categories used it is unweighted kappa. statsmodels' cohens_kappa(wt='linear') on
    the k x k table gives the same figure."""
    place = {c: i for i, c in enumerate(scale)}
    kept = [(place[a], place[b]) for a, b in pairs if a in place and b in place]
    n, k = len(kept), len(scale)
    if n == 0 or k < 2:
        return None
    rows = Counter(a for a, _ in kept)
    cols = Counter(b for _, b in kept)
    observed = sum(abs(a - b) for a, b in kept) / (k - 1) / n
    expected = (
        sum(abs(i - j) * rows[i] * cols[j] for i in range(k) for j in range(k)) / (k - 1) / n**2
    )
    if expected <= 1e-12:
        return None
    return 1 - observed / expected


class FleissKappa(NamedTuple):
    """Fleiss' kappa over `subjects` rated by `raters` each, with the standard error of
    Fleiss, Nee & Landis (1979) and the interval kappa +/- z * se (clipped to [-1, 1]); se
    None where undefined."""

    kappa: float | None
    se: float | None
    low: float | None
    high: float | None
    subjects: int
    raters: int


def fleiss_kappa(ratings: Sequence[Mapping[str, int]], z: float = Z_95) -> FleissKappa:
    """Fleiss' (1971) kappa for N subjects each rated by the same n >= 2 raters; `ratings`
    gives each subject's count of raters per category (n_ij). With p_j = sum_i n_ij / (N n):

        P_i = (sum_j n_ij^2 - n) / (n (n - 1)),  Pbar = mean P_i,  Pe = sum_j p_j^2
        kappa = (Pbar - Pe) / (1 - Pe)

    and the standard error of Fleiss, Nee & Landis (1979, Psychol Bull 86:974, eq. 12), the
    closed form the literature gives (it is kappa's error where raters agree no better than
    chance, so the interval is approximate, narrower or wider than the truth away from 0):

        se = sqrt(2) / (sum_j p_j q_j sqrt(N n (n - 1)))
             * sqrt((sum_j p_j q_j)^2 - sum_j p_j q_j (q_j - p_j)),  q_j = 1 - p_j

    Subjects must have the same number of raters (a ValueError otherwise). kappa is None
    with no subjects, fewer than two raters, or Pe = 1 (every rating one category)."""
    sizes = {sum(r.values()) for r in ratings}
    if len(sizes) > 1:
        raise ValueError(f"every subject needs the same number of raters, not {sorted(sizes)}")
    n_subjects = len(ratings)
    n = sizes.pop() if sizes else 0
    if n_subjects == 0 or n < 2:
        return FleissKappa(None, None, None, None, n_subjects, n)
    totals: Counter[str] = Counter()
    for r in ratings:
        totals.update(r)
    p = [v / (n_subjects * n) for v in totals.values()]
    p_bar = sum((sum(c * c for c in r.values()) - n) / (n * (n - 1)) for r in ratings) / n_subjects
    p_e = sum(x * x for x in p)
    if p_e >= 1 - 1e-12:
        return FleissKappa(None, None, None, None, n_subjects, n)
    kappa = (p_bar - p_e) / (1 - p_e)
    pq = sum(x * (1 - x) for x in p)
    spread = pq**2 - sum(x * (1 - x) * ((1 - x) - x) for x in p)
    se = math.sqrt(2) / (pq * math.sqrt(n_subjects * n * (n - 1))) * math.sqrt(max(spread, 0.0))
    return FleissKappa(
        kappa, se, max(-1.0, kappa - z * se), min(1.0, kappa + z * se), n_subjects, n
    )
