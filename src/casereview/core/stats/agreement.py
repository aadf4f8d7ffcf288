"""Agreement between two raters as pure functions: Cohen's kappa with its 95% interval from
the asymptotic standard error, Gwet's AC1, and the Landis-Koch band (given on 10 pairs or
more only).

Each function takes the answer pairs of one question (or the pooled pairs of a section), one
`AnswerPair` per case reviewed by both raters; the pairs are classified by their values, so
any labels serve as categories."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from casereview.core.stats.scoring import SMALL_N, small_sample

MIN_PAIRS_FOR_BAND = SMALL_N
"""Below this many pairs (the small-sample line every figure uses) no Landis-Koch band and no
interval is given: kappa on a handful of pairs swings from one verdict to another with a
single case, and the asymptotic standard error means nothing there (one disagreeing pair has
se 0)."""

Z_95 = 1.959963984540054
"""The standard normal quantile for a two-sided 95% interval (as statsmodels uses)."""


class AnswerPair(NamedTuple):
    """One case's answers to one question from its primary and its second reviewer."""

    primary: str
    second: str


class KappaInterval(NamedTuple):
    """Cohen's kappa, its asymptotic standard error and the 95% interval kappa +/- z * se,
    kept within kappa's range of -1 to 1."""

    kappa: float
    se: float
    low: float
    high: float


@dataclass(frozen=True)
class _Proportions:
    """The pairs as a contingency table of proportions (rows: primary, columns: second)."""

    n: int
    cells: dict[tuple[str, str], float]
    rows: dict[str, float]
    cols: dict[str, float]

    @property
    def observed(self) -> float:
        return sum(p for (a, b), p in self.cells.items() if a == b)

    @property
    def chance(self) -> float:
        """Cohen's chance agreement: sum over categories of row share x column share."""
        return sum(self.rows.get(c, 0.0) * self.cols.get(c, 0.0) for c in self.rows)


def _proportions(pairs: Sequence[tuple[str, str]]) -> _Proportions | None:
    n = len(pairs)
    if n == 0:
        return None
    cells = Counter((a, b) for a, b in pairs)
    rows = Counter(a for a, _ in pairs)
    cols = Counter(b for _, b in pairs)
    return _Proportions(
        n,
        {k: v / n for k, v in cells.items()},
        {k: v / n for k, v in rows.items()},
        {k: v / n for k, v in cols.items()},
    )


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Unweighted Cohen's kappa (Cohen 1960) over the categories either rater used:
    (po - pe) / (1 - pe). None where undefined (no pairs, or pe = 1: one category only)."""
    table = _proportions(pairs)
    if table is None:
        return None
    pe = table.chance
    if pe >= 1.0 - 1e-12:
        return None
    return (table.observed - pe) / (1 - pe)


def kappa_interval(pairs: Sequence[tuple[str, str]], z: float = Z_95) -> KappaInterval | None:
    """Kappa with the large-sample variance of Fleiss, Cohen & Everitt (1969), the one
    statsmodels.stats.inter_rater.cohens_kappa reports as `std_kappa`:

        var = [ sum_i p_ii (1 - (p_i. + p_.i)(1 - k))^2
                + (1 - k)^2 sum_{i != j} p_ij (p_.i + p_j.)^2
                - (k - pe (1 - k))^2 ] / ((1 - pe)^2 n)

    None where kappa is undefined. The interval is clipped to [-1, 1], kappa's range (the
    Wald interval itself can pass 1 when kappa is near it)."""
    table = _proportions(pairs)
    kappa = cohen_kappa(pairs)
    if table is None or kappa is None:
        return None
    pe = table.chance
    rows, cols = table.rows, table.cols
    term_a = sum(
        p * (1 - (rows.get(a, 0.0) + cols.get(a, 0.0)) * (1 - kappa)) ** 2
        for (a, b), p in table.cells.items()
        if a == b
    )
    term_b = (1 - kappa) ** 2 * sum(
        p * (cols.get(a, 0.0) + rows.get(b, 0.0)) ** 2
        for (a, b), p in table.cells.items()
        if a != b
    )
    term_c = (kappa - pe * (1 - kappa)) ** 2
    variance = (term_a + term_b - term_c) / ((1 - pe) ** 2 * table.n)
    se = math.sqrt(max(variance, 0.0))  # rounding can leave -1e-17 where it is 0
    return KappaInterval(kappa, se, max(-1.0, kappa - z * se), min(1.0, kappa + z * se))


def gwet_ac1(pairs: Sequence[tuple[str, str]], categories: Collection[str]) -> float | None:
    """Gwet's AC1 (Gwet 2008, Br J Math Stat Psychol 61:29-48) for two raters:
    (pa - pe) / (1 - pe) with pe = 1/(q - 1) * sum_k pi_k (1 - pi_k), pi_k the mean of the
    two raters' shares of category k and q the number of categories of the scale (given as
    `categories`; a value outside them, which validated answers never have, adds one).
    None with no pairs or a scale of one category."""
    table = _proportions(pairs)
    if table is None:
        return None
    scale = set(categories) | set(table.rows) | set(table.cols)
    q = len(scale)
    if q < 2:
        return None
    pi = [(table.rows.get(c, 0.0) + table.cols.get(c, 0.0)) / 2 for c in scale]
    pe = sum(p * (1 - p) for p in pi) / (q - 1)  # at most 1/q, so 1 - pe > 0
    return (table.observed - pe) / (1 - pe)


def landis_koch_band(kappa: float | None) -> str | None:
    """Landis & Koch (1977), Biometrics 33:159, Table 1: < 0.00 poor, 0.00-0.20 slight,
    0.21-0.40 fair, 0.41-0.60 moderate, 0.61-0.80 substantial, 0.81-1.00 almost perfect.
    So kappa 0 (agreement no better than chance) is slight, not poor."""
    if kappa is None:
        return None
    if kappa < 0:
        return "poor"
    for limit, band in (
        (0.20, "slight"),
        (0.40, "fair"),
        (0.60, "moderate"),
        (0.80, "substantial"),
    ):
        if kappa <= limit:
            return band
    return "almost perfect"


def too_few_pairs(n_pairs: int, n_cases: int | None = None) -> bool:
    """Some pairs, but fewer than MIN_PAIRS_FOR_BAND of them or (for pooled pairs, where
    one case gives several) of the cases they come from: no band, no interval. A section's
    pairs from 2 cases are not 16 independent observations."""
    return small_sample(n_pairs) or (n_cases is not None and small_sample(n_cases))


def band_text(n_pairs: int, kappa: float | None, n_cases: int | None = None) -> str | None:
    """What the band cell says: "too few pairs (n)" below MIN_PAIRS_FOR_BAND pairs, "too few
    cases (n)" where pooled pairs come from fewer cases than that, else the Landis-Koch band
    (None with no pairs or kappa undefined)."""
    if small_sample(n_pairs):
        return f"too few pairs ({n_pairs})"
    if n_cases is not None and small_sample(n_cases):
        return f"too few cases ({n_cases})"
    return landis_koch_band(kappa)
