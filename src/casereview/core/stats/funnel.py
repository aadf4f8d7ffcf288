"""Funnel plots for comparing units (forces, teams, reviewers): Spiegelhalter (2005),
"Funnel plots for comparing institutional performance", Statistics in Medicine 24:1185-1202.

Each unit's compliance is set against its number of applicable cases n, around a target
theta0 (the pooled compliance, or a standard the user gives). The control limits are the
exact binomial ones of the paper's appendix, smoothed by its interpolation (so the funnel is a
curve in n, not a staircase): with r_p the p-quantile of Binomial(n, theta0) (the smallest r
with P(Y <= r) >= p),

    alpha = (P(Y <= r_p) - p) / P(Y = r_p),    limit_p = (r_p - alpha) / n.

p = 0.025 / 0.975 give the 95% limits, p = 0.001 / 0.999 the 99.8% ones.

**Partly counts half.** A unit's compliance is its credit over n (yes 1, partly 0.5, no 0),
as everywhere in casereview. The limits depend only on n and theta0; the observed credit
proportion is compared with them as a proportion, without rounding: 14 yes and 1 partly of
20 is 0.725, above the discrete 95% quantile 14/20 around 0.5, so an alert, where 14 of 20
is not. The band is the exact binomial test (a unit beyond the discrete quantile r_p / n,
see Limits.band); the interpolated limits are what is drawn and exported.

Overdispersion (the paper's section 5): z_i = (y_i - theta0) / sqrt(theta0 (1 - theta0) / n_i);
phi is the mean of the squared z-scores after 10% Winsorisation at each end; the
multiplicative adjustment widens each limit by sqrt(phi) about theta0 (a normal limit), the
additive random-effects one adds tau^2 (DerSimonian-Laird) to each unit's variance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

from casereview.core.stats import binomial, chisq

ALERT, ALARM, IN_CONTROL = "alert", "alarm", ""
"""Outside 95% is an alert; outside 99.8% an alarm; inside both, no band."""
P95 = (0.025, 0.975)
P998 = (0.001, 0.999)
NONE, MULTIPLICATIVE, ADDITIVE = "none", "multiplicative", "additive"
ADJUSTMENTS = (NONE, MULTIPLICATIVE, ADDITIVE)
WINSOR = 0.10


def exact_limit(p: float, n: int, target: float) -> float:
    """The paper's interpolated exact binomial p-limit for a proportion on n cases."""
    if n < 1:
        raise ValueError(f"a funnel limit needs n of at least 1, not {n}")
    if target <= 0 or target >= 1:
        # A target of 0 or 1 leaves no room for noise: the limits sit on the target.
        return target
    r, at_r, below = _quantile(p, n, target)
    alpha = (below - p) / at_r
    return min(1.0, max(0.0, (r - alpha) / n))


@lru_cache(maxsize=4096)
def _quantile(p: float, n: int, target: float) -> tuple[int, float, float]:
    # A funnel asks for the same four levels at the same n and target for its curve, its
    # units and their discrete limits: each pass is up to n terms (25,000 in a national
    # audit), so each is made once.
    return binomial.quantile_and_tail(p, n, target)


def discrete_limit(p: float, n: int, target: float) -> float:
    """r_p / n, the discrete binomial p-quantile as a proportion (no interpolation)."""
    if target <= 0 or target >= 1:
        return target
    return _quantile(p, n, target)[0] / n


def z_score(compliance: float, n: int, target: float) -> float | None:
    """(y - theta0) / sqrt(theta0 (1 - theta0) / n); None where the target leaves no variance."""
    variance = target * (1 - target) / n
    if variance <= 0:
        return None
    return (compliance - target) / math.sqrt(variance)


def winsorised(values: Sequence[float], share: float = WINSOR) -> list[float]:
    """The values with the lowest and highest floor(share * I) set to the next value inward
    (the paper's "10% Winsorised" z-scores); order as given."""
    k = math.floor(share * len(values))
    if k == 0:
        return list(values)
    ordered = sorted(values)
    low, high = ordered[k], ordered[-k - 1]
    return [min(max(v, low), high) for v in values]


OVERDISPERSION_LEVEL = 0.05
"""The chi-square test's p below which the units are said to vary more than chance allows."""


@dataclass(frozen=True)
class Dispersion:
    """phi (the mean squared Winsorised z), the number of units it rests on, and tau^2."""

    phi: float
    units: int
    tau2: float

    @property
    def chi2(self) -> float:
        """I * phi: the sum of the squared (Winsorised) z-scores, the paper's test statistic."""
        return self.units * self.phi

    @property
    def df(self) -> int:
        """I - 1 degrees of freedom (the target is estimated from the units)."""
        return self.units - 1

    @property
    def p_value(self) -> float:
        """P(chi-square on I - 1 df >= I * phi): the chance of this much spread, or more, from
        binomial noise alone."""
        return chisq.survival(self.chi2, self.df)

    @property
    def overdispersed(self) -> bool:
        """The chi-square test rejects binomial noise alone at 5% (Spiegelhalter 2005,
        section 5.1). I * phi above I - 1 alone is not enough: it is so half the time."""
        return self.p_value < OVERDISPERSION_LEVEL

    def summary(self) -> str:
        """phi, the statistic, its df and p, and the verdict in words."""
        verdict = "more spread" if self.overdispersed else "no more spread"
        p = "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"
        return (
            f"phi {self.phi:.2f}; chi-square {self.chi2:.2f} on {self.df} df, "
            f"{p}: {verdict} than chance alone"
        )


def dispersion(units: Sequence[tuple[float, int]], target: float) -> Dispersion | None:
    """phi and tau^2 from (compliance, n) pairs; None with fewer than two units.

    tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w), w_i = 1 / s_i^2,
    s_i^2 = theta0 (1 - theta0) / n_i; 0 when I phi <= I - 1 (the paper's section 5.2).
    """
    zs = [z_score(y, n, target) for y, n in units if n > 0]
    kept = [z for z in zs if z is not None]
    if len(kept) < 2:
        return None
    count = len(kept)
    phi = math.fsum(z * z for z in winsorised(kept)) / count
    weights = [n / (target * (1 - target)) for _, n in units if n > 0]
    spread = math.fsum(weights) - math.fsum(w * w for w in weights) / math.fsum(weights)
    excess = count * phi - (count - 1)
    tau2 = excess / spread if excess > 0 and spread > 0 else 0.0
    return Dispersion(phi, count, tau2)


@dataclass(frozen=True)
class Limits:
    """Lower and upper limits at 95% and 99.8% for one n (the plotted, smoothed ones), and
    for exact binomial limits the discrete quantiles r_p / n the band is judged by."""

    low95: float
    high95: float
    low998: float
    high998: float
    discrete: tuple[float, float, float, float] | None = None

    def band(self, compliance: float) -> str:
        """alarm outside 99.8%, alert outside 95%, else empty.

        Exact limits: a unit is outside when its compliance is below the lower discrete
        quantile or above the upper one (r_p / n): the exact one-sided binomial test at
        2.5% (0.1%) a side. A unit exactly on r_p / n lies just beyond the smoothed curve
        (r_p - alpha) / n, which interpolates for plotting, but its tail probability
        P(Y >= r_p) is above the level, so it is not flagged: 4 of 4 against a target of
        2/3 is not an alarm (P = 0.198). Adjusted limits are continuous: compared as they are.
        """
        return _band(compliance, self.discrete or self.drawn)

    @property
    def drawn(self) -> tuple[float, float, float, float]:
        return (self.low95, self.high95, self.low998, self.high998)

    def drawn_band(self, compliance: float) -> str:
        """The band the drawn (smoothed) lines would give. It differs from `band` only for
        exact limits and a point between a curve (r_p - alpha) / n and its quantile r_p / n:
        on the upper side a whole count of r_p (drawn outside, not flagged), on either side
        a half credit in that gap; see docs/methods.md."""
        return _band(compliance, self.drawn)


def _band(compliance: float, bounds: tuple[float, float, float, float]) -> str:
    low95, high95, low998, high998 = bounds
    if compliance < low998 or compliance > high998:
        return ALARM
    if compliance < low95 or compliance > high95:
        return ALERT
    return IN_CONTROL


def _normal_limit(p: float, target: float, sd: float) -> float:
    return min(1.0, max(0.0, target + NormalDist().inv_cdf(p) * sd))


def limits(
    n: int,
    target: float,
    adjustment: str = NONE,
    spread: Dispersion | None = None,
) -> Limits:
    """The funnel's limits at n: exact binomial, or widened for overdispersion
    (multiplicative: theta0 +- z_p sqrt(phi s^2); additive: theta0 +- z_p sqrt(s^2 + tau^2))."""
    if adjustment not in ADJUSTMENTS:
        raise ValueError(f"adjustment must be one of {', '.join(ADJUSTMENTS)}, not {adjustment}")
    if adjustment == NONE or spread is None:
        lo95, hi95, lo998, hi998 = P95[0], P95[1], P998[0], P998[1]
        return Limits(
            exact_limit(lo95, n, target),
            exact_limit(hi95, n, target),
            exact_limit(lo998, n, target),
            exact_limit(hi998, n, target),
            discrete=(
                discrete_limit(lo95, n, target),
                discrete_limit(hi95, n, target),
                discrete_limit(lo998, n, target),
                discrete_limit(hi998, n, target),
            ),
        )
    variance = target * (1 - target) / n
    if adjustment == MULTIPLICATIVE:
        sd = math.sqrt(spread.phi * variance)
    else:
        sd = math.sqrt(variance + spread.tau2)
    return Limits(
        _normal_limit(P95[0], target, sd),
        _normal_limit(P95[1], target, sd),
        _normal_limit(P998[0], target, sd),
        _normal_limit(P998[1], target, sd),
    )


@dataclass(frozen=True)
class FunnelPoint:
    """One unit on the funnel."""

    unit: str
    n: int
    credit: float
    target: float
    z: float | None
    limits: Limits

    @property
    def compliance(self) -> float:
        return self.credit / self.n

    @property
    def band(self) -> str:
        return self.limits.band(self.compliance)

    @property
    def on_the_line(self) -> bool:
        """Drawn beyond a line yet not flagged: at the discrete quantile, where the exact
        test's tail probability is still above the level (Limits.drawn_band)."""
        return self.limits.drawn_band(self.compliance) != self.band


@dataclass(frozen=True)
class Funnel:
    target: float
    adjustment: str
    spread: Dispersion | None
    points: tuple[FunnelPoint, ...]


def pooled(units: Sequence[tuple[str, float, int]]) -> float | None:
    """The pooled compliance: all credit over all applicable cases; None with none."""
    total = sum(n for _, _, n in units)
    if total <= 0:
        return None
    return math.fsum(credit for _, credit, _ in units) / total


def funnel(
    units: Sequence[tuple[str, float, int]],
    target: float | None = None,
    adjustment: str = NONE,
) -> Funnel | None:
    """The funnel for (unit, credit, n) triples around `target` (default: pooled).

    Units with n = 0 are left out (nothing applied there). With an adjustment, z-scores are
    divided by sqrt(phi) (multiplicative) or taken over sqrt(s^2 + tau^2) (additive). None
    when no unit has an applicable case.
    """
    if adjustment not in ADJUSTMENTS:
        raise ValueError(f"adjustment must be one of {', '.join(ADJUSTMENTS)}, not {adjustment}")
    kept = [(u, c, n) for u, c, n in units if n > 0]
    centre = pooled(kept) if target is None else target
    if centre is None:
        return None
    if not 0 <= centre <= 1:
        raise ValueError(f"the target must be a proportion between 0 and 1, not {centre}")
    spread = dispersion([(c / n, n) for _, c, n in kept], centre)
    points = []
    for unit, credit, n in kept:
        z = z_score(credit / n, n, centre)
        if z is not None and spread is not None and adjustment == MULTIPLICATIVE:
            z = z / math.sqrt(spread.phi) if spread.phi > 0 else z
        elif z is not None and spread is not None and adjustment == ADDITIVE:
            z = (credit / n - centre) / math.sqrt(centre * (1 - centre) / n + spread.tau2)
        points.append(
            FunnelPoint(unit, n, credit, centre, z, limits(n, centre, adjustment, spread))
        )
    return Funnel(centre, adjustment, spread, tuple(points))
