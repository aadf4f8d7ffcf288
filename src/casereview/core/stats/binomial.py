"""The exact binomial distribution without scipy: pmf, cdf and the discrete quantile."""

from __future__ import annotations

import math


def _check(n: int, p: float) -> None:
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    if not 0 <= p <= 1:
        raise ValueError(f"a probability must be between 0 and 1, not {p}")


def pmf(k: int, n: int, p: float) -> float:
    """P(Y = k) for Y ~ Binomial(n, p), summed in logs (lgamma) so large n does not overflow."""
    _check(n, p)
    if k < 0 or k > n:
        return 0.0
    if p == 0:
        return 1.0 if k == 0 else 0.0
    if p == 1:
        return 1.0 if k == n else 0.0
    log = (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
    )
    return math.exp(log)


def cdf(k: int, n: int, p: float) -> float:
    """P(Y <= k) for Y ~ Binomial(n, p)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return min(1.0, math.fsum(pmf(i, n, p) for i in range(k + 1)))


def quantile(q: float, n: int, p: float) -> int:
    """The discrete q-quantile: the smallest r with P(Y <= r) >= q (scipy's binom.ppf)."""
    if not 0 < q < 1:
        raise ValueError(f"a quantile level must be between 0 and 1, not {q}")
    _check(n, p)
    total = 0.0
    for r in range(n + 1):
        total += pmf(r, n, p)
        # 1e-12: a cumulative sum that should equal q exactly may fall short by float noise
        if total >= q - 1e-12:
            return r
    return n


def quantile_and_tail(q: float, n: int, p: float) -> tuple[int, float, float]:
    """quantile(q, n, p) with P(Y = r) and P(Y <= r) at it, in the one pass over the terms
    that finds it: the same three numbers as quantile, pmf and cdf give (a funnel's limit
    needs all three, and each was a pass over up to n terms)."""
    if not 0 < q < 1:
        raise ValueError(f"a quantile level must be between 0 and 1, not {q}")
    _check(n, p)
    terms: list[float] = []
    total = 0.0
    # pmf's own sum, its constant parts worked out once (the same operations in the same
    # order, so each term is the same float): a national audit's limits are millions of terms
    whole, log_p, log_q = math.lgamma(n + 1), math.log(p or 1), math.log1p(-p if p < 1 else 0)
    lgamma, exp = math.lgamma, math.exp
    for r in range(n + 1):
        if 0 < p < 1:
            term = exp(whole - lgamma(r + 1) - lgamma(n - r + 1) + r * log_p + (n - r) * log_q)
        else:
            term = pmf(r, n, p)
        terms.append(term)
        total += term
        if total >= q - 1e-12:
            break
    else:
        r = n
    below = 1.0 if r >= n else min(1.0, math.fsum(terms))
    return r, pmf(r, n, p), below
