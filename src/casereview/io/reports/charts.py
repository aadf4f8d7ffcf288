"""Charts as PNG pictures for the Word reports, drawn with matplotlib's Agg backend.

matplotlib is imported inside the functions, when a picture is asked for: every other
command starts without it. Figures are built with matplotlib's object API (Figure and an
Agg canvas), never pyplot, so no global backend or figure state is touched.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

from casereview.core.tables import BarChart, ControlChart, FunnelChart, LineChart

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 150
WIDTH_IN = 6.5
BAR = "#2f6f9f"


def _png(fig: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    # No timestamp or software name in the file: the same figures give the same bytes.
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _wrap(label: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def bar_png(chart: BarChart) -> bytes:
    """Horizontal bars (percentages) with their intervals as error bars, first category at
    the top; a category without a figure is named and left without a bar."""
    from matplotlib.figure import Figure

    n = len(chart.categories)
    fig = Figure(figsize=(WIDTH_IN, 1.2 + 0.55 * max(n, 1)), layout="constrained")
    ax = fig.add_subplot()
    ys = list(range(n))[::-1]
    for y, value, low, high in zip(
        ys, chart.values, _pad(chart.ci_low, n), _pad(chart.ci_high, n), strict=True
    ):
        if value is None:
            ax.text(1, y, "no figure", va="center", fontsize=8, color="#666666")
            continue
        ax.barh(y, value, color=BAR, height=0.6)
        if low is not None and high is not None:
            ax.errorbar(
                value,
                y,
                xerr=[[value - low], [high - value]],
                fmt="none",
                ecolor="#222222",
                capsize=4,
                linewidth=1,
            )
        ax.text(min(value, 100) + 1.5, y + 0.3, f"{value:.0f}%", fontsize=8, va="center")
    ax.set_yticks(ys, [_wrap(c) for c in chart.categories], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% (bars: the figure; lines: its 95% interval)", fontsize=8)
    ax.set_title(chart.title, fontsize=10)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    return _png(fig)


def line_png(chart: LineChart) -> bytes:
    """The figure over the audits as a line with markers, each point's 95% interval as an
    error bar; an audit without a figure leaves a gap in the line."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, 2.8), layout="constrained")
    ax = fig.add_subplot()
    xs = list(range(len(chart.categories)))
    n = len(xs)
    ys = [float("nan") if v is None else v for v in _pad(chart.values, n)]
    ax.plot(xs, ys, marker="o", color=BAR, linewidth=1.5, markersize=4)
    for x, value, low, high in zip(
        xs, _pad(chart.values, n), _pad(chart.ci_low, n), _pad(chart.ci_high, n), strict=True
    ):
        if value is not None and low is not None and high is not None:
            ax.errorbar(
                x,
                value,
                yerr=[[value - low], [high - value]],
                fmt="none",
                ecolor="#222222",
                capsize=4,
                linewidth=1,
            )
    ax.set_xticks(xs, [_wrap(c, 16) for c in chart.categories], fontsize=7)
    ax.set_xlim(-0.5, max(n - 0.5, 0.5))
    ax.set_ylim(0, 100)
    ax.set_ylabel("% (bars: 95% CI)", fontsize=8)
    ax.set_title(chart.title, fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    return _png(fig)


def funnel_png(chart: FunnelChart) -> bytes:
    """The units as points (their compliance against their n), labelled, around the target
    with the 95% (dashed) and 99.8% (solid) limits over n; a unit outside 99.8% in red."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, 3.6), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(chart.curve_n, [chart.target] * len(chart.curve_n), color="#555555", linewidth=1)
    for curve, style in ((chart.low95, "--"), (chart.high95, "--"), (chart.low998, "-"),
                         (chart.high998, "-")):  # fmt: skip
        ax.plot(chart.curve_n, curve, linestyle=style, color="#888888", linewidth=0.9)
    for unit, n, value in zip(chart.units, chart.n, chart.values, strict=True):
        i = min(range(len(chart.curve_n)), key=lambda k: abs(chart.curve_n[k] - n))
        outside = value < chart.low998[i] or value > chart.high998[i]
        ax.plot([n], [value], marker="o", color="#b22222" if outside else BAR, markersize=5)
        ax.annotate(unit, (n, value), xytext=(4, 3), textcoords="offset points", fontsize=7)
    ax.set_xlim(0, 1.2 * max(chart.curve_n) if chart.curve_n else 1)  # room for labels
    ax.set_ylim(0, 100)
    ax.set_xlabel("files (n)", fontsize=8)
    ax.set_ylabel("% (lines: target, 95% and 99.8% limits)", fontsize=8)
    ax.set_title(chart.title, fontsize=10)
    ax.tick_params(labelsize=8)
    ax.grid(color="#eeeeee", linewidth=0.5)
    return _png(fig)


def control_png(chart: ControlChart) -> bytes:
    """A p-chart: the % over the periods as a line with markers, the centre line, each
    period's lower and upper 3-sigma limits as steps; a point with a signal in red, its
    signals written beside it."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, 3.0), layout="constrained")
    ax = fig.add_subplot()
    xs = list(range(len(chart.categories)))
    ax.plot(xs, chart.centre, color="#555555", linewidth=1)
    for limit in (chart.low, chart.high):  # each period's own limits, over its width
        left, right = [x - 0.4 for x in xs], [x + 0.4 for x in xs]
        ax.hlines(limit, left, right, linestyles="--", colors="#888888", linewidth=0.9)
    ax.plot(xs, chart.values, marker="o", color=BAR, linewidth=1.5, markersize=4)
    signals = _pad(list(chart.signals), len(xs))  # type: ignore[arg-type]
    for x, value, said in zip(xs, chart.values, signals, strict=True):
        if said:
            ax.plot([x], [value], marker="o", color="#b22222", markersize=6)
            ax.annotate(
                str(said), (x, value), xytext=(4, 4), textcoords="offset points", fontsize=7
            )
    ax.set_xticks(xs, [_wrap(c, 16) for c in chart.categories], fontsize=7)
    ax.set_xlim(-0.5, max(len(xs) - 0.5, 0.5))
    ax.set_ylim(0, 105)
    ax.set_ylabel("% (line: centre; dashed: 3-sigma limits)", fontsize=8)
    ax.set_title(chart.title, fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", color="#dddddd", linewidth=0.5)
    return _png(fig)


def png(chart: BarChart | LineChart | FunnelChart | ControlChart) -> bytes:
    if isinstance(chart, FunnelChart):
        return funnel_png(chart)
    if isinstance(chart, ControlChart):
        return control_png(chart)
    return line_png(chart) if isinstance(chart, LineChart) else bar_png(chart)


def _pad(values: list[float | None], n: int) -> list[float | None]:
    return (list(values) + [None] * n)[:n]
