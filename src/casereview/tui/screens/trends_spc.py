"""The Trends screen's control-chart view (`c`): the highlighted figure as a p-chart over
the periods of one scope, its centre line and 3-sigma limits, run-rule signals named.

Only audits of one scope (case filters and sample design) form a series: the highlighted
audit's. A dip sample of another force beside a force's monthly self-audits is a point of
another process, not a wobble of this one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from casereview.core.stats import scoring

if TYPE_CHECKING:
    from casereview.core.stats.spc import Point
    from casereview.services.trend import Trend, TrendItem

NOTE = (
    "p-chart: % about the centre line (all periods of this scope pooled), limits at 3 sigma "
    "for each period's n. Signals: beyond limits, 8 on one side, 6 rising or falling."
)


def scope_points(trend: Trend, item: TrendItem, audit_index: int) -> list[tuple[int, Point]]:
    """The p-chart of the highlighted audit's scope: (index in the trend, point) pairs."""
    from casereview.services.trend_spc import series

    scope = trend.audits[audit_index].scope
    index = {a.name: i for i, a in enumerate(trend.audits)}
    for name, points in series(trend, item, None):
        if name == scope:
            return [(index[p.label], p) for p in points]
    return []


def words(trend: Trend, item: TrendItem, audit_index: int) -> Text:
    """The highlighted period on its p-chart: its figure, the centre and limits, signals."""
    if not item.scored:
        return Text("A fact about the cases: no control chart.", "dim")
    points = dict(scope_points(trend, item, audit_index))
    point = points.get(audit_index)
    if point is None:
        return Text("No applicable answers in this audit: not on the chart.", "dim")
    pct = scoring.percent
    text = Text(
        f"p-chart: {pct(point.compliance)}% against centre {pct(point.centre)}% "
        f"(limits {pct(point.low)}-{pct(point.high)}% for n={point.n:g}); ",
    )
    if point.signals:
        text.append("signal: " + ", ".join(point.signals), "bold red")
    else:
        text.append("no signal", "dim")
    if len(points) < len([f for f in item.figures if f is not None]):
        text.append(f" ({len(points)} audits of its scope)", "dim")
    return text


def draw(plt: Any, trend: Trend, item: TrendItem, audit_index: int) -> None:
    """The p-chart on a plotext figure: the %, the centre line, the limits as steps, and
    the points with a signal in red."""
    points = scope_points(trend, item, audit_index) if item.scored else []
    if not points:
        return
    xs = [i + 1 for i, _ in points]
    plt.plot(xs, [100 * p.centre for _, p in points], color="green", marker="braille")
    plt.plot(xs, [100 * p.high for _, p in points], color="gray", marker="braille")
    plt.plot(xs, [100 * p.low for _, p in points], color="gray", marker="braille")
    plt.plot(xs, [100 * p.compliance for _, p in points], color="cyan", marker="braille")
    calm = [(x, p) for x, (_, p) in zip(xs, points, strict=True) if not p.signals]
    loud = [(x, p) for x, (_, p) in zip(xs, points, strict=True) if p.signals]
    if calm:
        plt.scatter(
            [x for x, _ in calm], [100 * p.compliance for _, p in calm], marker="●", color="cyan"
        )
    if loud:
        plt.scatter(
            [x for x, _ in loud], [100 * p.compliance for _, p in loud], marker="✖", color="red"
        )
