"""Funnel: one figure across units (forces, teams, reviewers, audits) against the noise its
number of cases allows: Spiegelhalter's exact binomial 95% and 99.8% limits about the pooled
figure, units labelled, alerts and alarms marked (services/funnel.py).

It pools the audits of this one's checklist version, period and design, forces aside (the
national roll-up: each force's bundle merged into one database, services.funnel.
pooled_audits); the title names them. On a
screen too small for the chart (under 100 x 40) the units are a ranked list alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from casereview.core.access import units_for
from casereview.core.stats import funnel as stats
from casereview.core.stats import scoring
from casereview.tui.screens._base import StoreScreen
from casereview.tui.screens.pooled import load_pooled, pooled_line
from casereview.tui.widgets.bars import KeyBar, TitleBar

if TYPE_CHECKING:
    from casereview.services.funnel import FigureFunnel

UNITS = ("force", "team", "reviewer", "audit")
BANDS = {stats.ALARM: ("alarm", "bold red"), stats.ALERT: ("alert", "yellow")}
CHART_MIN = (100, 40)
"""Width and height below which the chart gives way to the ranked list."""


def band_text(band: str) -> Text:
    word, style = BANDS.get(band, ("", ""))
    return Text(word, style)


class FunnelScreen(StoreScreen):
    """A figure's funnel across units; left and right step through the figures."""

    BINDINGS = [
        Binding("left", "figure(-1)", "Figure", priority=True),
        Binding("right", "figure(1)", "Figure", show=False, priority=True),
        Binding("g", "group", "Units"),
        Binding("escape", "back", "Back"),
    ]

    by: reactive[str] = reactive("force", init=False)
    index: reactive[int] = reactive(0, init=False)

    def __init__(self, audit_id: int, by: str | None = None, start: str | None = None):
        super().__init__()
        self.audit_id = audit_id
        self._start = start
        self.figures: list[FigureFunnel] = []
        self.audit_names: list[str] = []
        self.set_reactive(FunnelScreen.by, by if by in UNITS else "force")

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="funnel-title")
        yield PlotextPlot(id="funnel-chart")
        yield DataTable(id="funnel-units", cursor_type="row", zebra_stripes=True)
        yield Static(id="funnel-note")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "funnel"
        self._build()

    def _build(self) -> None:
        self.audit_names, self.figures = load_pooled(
            self.store,
            self.audit_id,
            self.by,
            self.reviewer,
            self.query_one("#funnel-title", Static),
            self.query_one(DataTable),
        )
        if not self.figures:
            return
        start = self._start
        if start is not None:
            key = start.removeprefix("section:")
            for i, fig in enumerate(self.figures):
                if fig.question_id == key or (fig.question_id is None and fig.section_id == key):
                    self.set_reactive(FunnelScreen.index, i)
            self._start = None
        self.set_reactive(FunnelScreen.index, min(self.index, len(self.figures) - 1))
        self.refresh_view()

    def watch_by(self) -> None:
        self._build()

    def watch_index(self) -> None:
        self.refresh_view()

    def on_resize(self, _event: events.Resize) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        if not self.figures:
            return
        fig = self.figures[self.index]
        f = fig.funnel
        what = fig.question_id or "section"
        title = Text.assemble((f"{what}: ", "bold"), (fig.title, "bold"))
        title.append(
            f"  ({self.index + 1} of {len(self.figures)}) by {self.by}, "
            f"target {scoring.percent(f.target)}%"
        )
        title.append(pooled_line(self.audit_names, fig.versions))
        self.query_one("#funnel-title", Static).update(title)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for column, width in (("Unit", 24), ("n", 5), ("%", 5), ("z", 6), ("band", 6)):
            table.add_column(column, width=width)
        ranked = sorted(f.points, key=lambda p: (p.z if p.z is not None else 0.0, p.unit))
        for p in ranked:
            table.add_row(
                Text(p.unit),
                Text(str(p.n)),
                Text(scoring.percent(p.compliance)),
                Text("" if p.z is None else f"{p.z:+.2f}"),
                band_text(p.band),
                key=p.unit,
            )
        spread = f.spread
        note = Text(
            "Ranked by z, lowest first. Outside 95%: alert; outside 99.8%: alarm "
            "(exact binomial limits, Spiegelhalter 2005).",
            "dim",
        )
        lined = [p.unit for p in ranked if p.on_the_line]
        if lined:
            note.append("\nAt the binomial quantile, judged by the exact test, not the line: ")
            note.append(", ".join(lined))  # names are data: plain Text
        if spread is not None:
            note.append(
                f"\nSpread: {spread.summary()}", "yellow" if spread.overdispersed else "dim"
            )
            if spread.overdispersed:
                note.append("; `export funnel --adjust` widens the limits.", "yellow")
        self.query_one("#funnel-note", Static).update(note)
        chart = self.query_one(PlotextPlot)
        fits = self.size.width >= CHART_MIN[0] and self.size.height >= CHART_MIN[1]
        chart.display = fits
        if fits:
            self._chart(fig)

    def _chart(self, fig: FigureFunnel) -> None:
        from casereview.services.funnel import curve_ns

        f = fig.funnel
        plt = self.query_one(PlotextPlot).plt
        plt.clear_data()
        plt.clear_figure()
        ns = curve_ns(max(p.n for p in f.points))
        bounds = [stats.limits(n, f.target, f.adjustment, f.spread) for n in ns]
        plt.plot(ns, [100 * f.target] * len(ns), color="green", marker="braille")
        for name in ("low95", "high95"):
            plt.plot(ns, [100 * getattr(b, name) for b in bounds], color="gray", marker="braille")
        for name in ("low998", "high998"):
            plt.plot(ns, [100 * getattr(b, name) for b in bounds], color="white", marker="braille")
        for p in f.points:
            colour = {stats.ALARM: "red", stats.ALERT: "yellow"}.get(p.band, "cyan")
            marker = "✖" if p.band == stats.ALARM else "●"
            plt.scatter([p.n], [100 * p.compliance], marker=marker, color=colour)
            plt.text(p.unit, p.n, 100 * p.compliance, color=colour, alignment="left")
        plt.ylim(0, 100)
        plt.xlabel("applicable cases (n)")
        self.query_one(PlotextPlot).refresh()

    def action_figure(self, step: int) -> None:
        if self.figures:
            self.index = (self.index + step) % len(self.figures)

    def action_group(self) -> None:
        units = units_for(self.session.role, UNITS)  # a scrutiny panel: no names
        self.by = units[(units.index(self.by) + 1) % len(units)]

    def action_back(self) -> None:
        self.app.pop_screen()
