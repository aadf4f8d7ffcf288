"""Lot quality assurance sampling (LQAS): a pass/fail verdict per unit from a small sample.

A unit "meets the standard" when no more than d of its n files fail. The design (n, d) is the
smallest n for which some d keeps both risks within what the user accepts, exactly from the
binomial (Valadez 1991, *Assessing Child Survival Programs in Developing Countries*; the
table reproduced in Robertson & Valadez 2006 and, for 80% / 50%, in Grant & Leavenworth 1988):

- alpha, the provider's risk: a unit at the standard (compliance P) is judged not to meet it,
  P(more than d fail | failure rate 1 - P);
- beta, the consumer's risk: a unit at the lower threshold (compliance Q) is judged to meet it,
  P(at most d fail | failure rate 1 - Q).

For P = 0.80, Q = 0.50, alpha = beta = 0.10 this gives n = 19, d = 6 (alpha 0.068, beta 0.084).

Partly counts half a failure (its credit is 0.5), as in compliance: a unit's failures are
n - credit, and it meets the standard when that is no more than d.
"""

from __future__ import annotations

from dataclasses import dataclass

from casereview.core.stats import binomial

MEETS, DOES_NOT_MEET, NOT_ENOUGH = "meets", "does not meet", "not enough files"
MAX_N = 1000


@dataclass(frozen=True)
class Plan:
    """n files, at most d failures to meet the standard; the risks this design actually runs."""

    standard: float
    threshold: float
    n: int
    d: int
    alpha: float
    beta: float

    def operating_characteristic(self, compliance: float) -> float:
        """The chance a unit with this true compliance is judged to meet the standard."""
        return binomial.cdf(self.d, self.n, 1 - compliance)


def risks(n: int, d: int, standard: float, threshold: float) -> tuple[float, float]:
    """(alpha, beta) of the rule "meets when at most d of n fail"."""
    alpha = 1 - binomial.cdf(d, n, 1 - standard)
    beta = binomial.cdf(d, n, 1 - threshold)
    return alpha, beta


def rule_for(
    n: int, standard: float, threshold: float, alpha: float = 0.10, beta: float = 0.10
) -> Plan | None:
    """The decision rule for n files keeping both risks within bounds (of those that do, the
    one with the smallest alpha + beta); None when no d does."""
    best: Plan | None = None
    for d in range(n + 1):
        a, b = risks(n, d, standard, threshold)
        if a <= alpha and b <= beta and (best is None or a + b < best.alpha + best.beta):
            best = Plan(standard, threshold, n, d, a, b)
    return best


def plan(standard: float, threshold: float, alpha: float = 0.10, beta: float = 0.10) -> Plan:
    """The smallest design (n, d) within both risks."""
    if not 0 < threshold < standard < 1:
        raise ValueError(
            "the standard and the threshold must be proportions with 0 < threshold < standard"
            f" < 1, not standard {standard} and threshold {threshold}"
        )
    for name, risk in (("alpha", alpha), ("beta", beta)):
        if not 0 < risk < 0.5:
            raise ValueError(f"{name} must be between 0 and 0.5, not {risk}")
    for n in range(1, MAX_N + 1):
        found = rule_for(n, standard, threshold, alpha, beta)
        if found is not None:
            return found
    raise ValueError(f"no design of {MAX_N} files or fewer keeps both risks within bounds")


@dataclass(frozen=True)
class Verdict:
    verdict: str
    n: int
    failures: float
    d: int | None


def verdict(
    design: Plan, credit: float, n: int, alpha: float = 0.10, beta: float = 0.10
) -> Verdict:
    """meets / does not meet / not enough files for one unit with `credit` over n applicable.

    Fewer files than the design's n: not enough files. More: the rule for the unit's own n
    within the same risks (alpha, beta: those the design was made with), so reading more
    files never costs the verdict; where the discrete binomial leaves no rule at that n, the
    unit has not enough files for a verdict at those risks.
    """
    failures = n - credit
    if n < design.n:
        return Verdict(NOT_ENOUGH, n, failures, None)
    rule = design if n == design.n else rule_for(n, design.standard, design.threshold, alpha, beta)
    if rule is None:
        return Verdict(NOT_ENOUGH, n, failures, None)
    return Verdict(MEETS if failures <= rule.d else DOES_NOT_MEET, n, failures, rule.d)
