"""The chi-square upper tail, P(X >= x) for X ~ chi-square on df degrees of freedom, without
scipy (a test-only dependency): the regularised upper incomplete gamma Q(df / 2, x / 2), by
its series below a + 1 and its continued fraction above (Press et al., *Numerical Recipes*,
section 6.2, gammq)."""

from __future__ import annotations

import math

_EPS = 1e-15
_TINY = 1e-300
_MAX_STEPS = 10_000


def _lower_series(a: float, x: float) -> float:
    """P(a, x) by its series; converges fast for x < a + 1."""
    term = total = 1.0 / a
    denominator = a
    for _ in range(_MAX_STEPS):
        denominator += 1
        term *= x / denominator
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _upper_fraction(a: float, x: float) -> float:
    """Q(a, x) by its continued fraction (modified Lentz); converges fast for x >= a + 1."""
    b = x + 1 - a
    c = 1 / _TINY
    d = 1 / b
    h = d
    for i in range(1, _MAX_STEPS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        step = d * c
        h *= step
        if abs(step - 1) < _EPS:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


def survival(x: float, df: int) -> float:
    """P(X >= x) for X ~ chi-square(df)."""
    if df < 1:
        raise ValueError(f"chi-square needs at least 1 degree of freedom, not {df}")
    if x <= 0:
        return 1.0
    a, half = df / 2, x / 2
    if half < a + 1:
        return max(0.0, 1.0 - _lower_series(a, half))
    return _upper_fraction(a, half)
