"""Trends: a checklist's sections (or one section's questions) across its audits in time
order, each figure with its 95% interval and an arrow only where the change is clear."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Label, SelectionList, Static
from textual_plotext import PlotextPlot

from casereview.core.access import is_panel
from casereview.core.periods import short_label
from casereview.core.problems import CasereviewError
from casereview.core.stats import change, scoring
from casereview.core.stats.change import DECLINED, IMPROVED
from casereview.tui.dialogs.modals import Dialog
from casereview.tui.screens import trends_spc
from casereview.tui.screens._base import StoreScreen
from casereview.tui.widgets.bars import KeyBar, TitleBar

if TYPE_CHECKING:
    from casereview.services.trend import Figure, Trend, TrendAudit, TrendItem

ARROWS = {
    IMPROVED: (change.ARROWS[IMPROVED], "bold green"),
    DECLINED: (change.ARROWS[DECLINED], "bold red"),
}
"""The only two arrows: a change whose 95% Newcombe interval excludes 0."""
CELL = 11  # "100▲ 84-100": a figure, the arrow's place and the interval


def cell_text(fig: Figure | None) -> Text:
    """' 45▲ 30-61': the percentage, an arrow only where the change from the audit before is
    clear, and the 95% interval (dim). A question not in that audit's checklist version:
    'not asked'; no applicable answers: '-'."""
    if fig is None:
        return Text("not asked", "grey42")
    if fig.share is None or fig.low is None or fig.high is None:
        return Text("  -", "grey50")
    text = Text(f"{scoring.percent(fig.share):>3}", "bold")
    arrow = ARROWS.get(fig.direction or "")
    text.append(arrow[0] if arrow else " ", arrow[1] if arrow else "")
    text.append(f" {scoring.percent(fig.low)}-{scoring.percent(fig.high)}", "dim")
    return text


def column_label(audit: TrendAudit) -> Text:
    """A column's two header lines: the audit's period (short) and how many reviews count."""
    return Text(f"{short_label(audit.period, CELL)}\nn={audit.n_counted}", "bold")


def change_words(fig: Figure, first: bool) -> Text:
    """What changed since the audit it is compared with (the latest earlier one of its
    scope), in points with its 95% interval, and the verdict."""
    if not fig.scored:
        return Text("A fact about the cases: its prevalence has no direction.", "dim")
    if first:
        return Text("The first audit here: no change to show.", "dim")
    change = fig.change
    if change is None or fig.against is None:
        return Text(
            "No change drawn: no audit of its scope (filters, sample design) before its "
            "period has this figure.",
            "dim",
        )
    arrow = ARROWS.get(fig.direction or "")
    text = Text(fig.direction or "no clear change", arrow[1] if arrow else "bold")
    text.append(
        f": {100 * change.difference:+.1f} points (95% CI {100 * change.low:+.1f} to "
        f"{100 * change.high:+.1f}) since "
    )
    text.append(fig.against)
    return text


class TrendsScreen(StoreScreen):
    """Sections as rows and audits as columns; Enter opens a section's questions."""

    BINDINGS = [
        # priority: the table's own Enter would shadow it, and the footer would not show it
        Binding("enter", "drill", "Questions", priority=True),
        Binding("a", "choose_audits", "Audits", priority=True),  # a dialog: see modals.Dialog
        Binding("n", "names", "Names"),
        Binding("c", "control", "SPC"),
        Binding("x", "report", "Report", priority=True),  # a dialog: see modals.Dialog
        Binding("escape", "back", "Back"),
    ]

    section: reactive[str | None] = reactive(None, init=False, bindings=True)
    show_names: reactive[bool] = reactive(False, init=False)
    """The audits' names under the table, period by period (`n`)."""
    spc: reactive[bool] = reactive(False, init=False)
    """The control-chart view (`c`): the highlighted figure as a p-chart (trends_spc.py)."""

    def __init__(self, checklist_id: str):
        super().__init__()
        self.checklist_id = checklist_id
        self.trend: Trend | None = None
        self.candidates: list[str] = []  # every audit the trend can show, oldest first

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="trends-title")
        yield Static(id="trends-warnings")
        yield DataTable(id="trends", cursor_type="cell", header_height=2, fixed_columns=1)
        yield Static(id="trends-note")
        yield Static(id="trends-names")
        yield Static(id="trends-detail")
        yield PlotextPlot(id="trends-chart")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "trends"
        if self._build(None):
            assert self.trend is not None
            self.candidates = [a.name for a in self.trend.audits]
            self.refresh_table()

    def _build(self, names: list[str] | None) -> bool:
        """The trend of these audits (None: every audit with a completed review)."""
        from casereview.services.trend import build_trend  # the trend core, loaded with this screen

        try:
            self.trend = build_trend(self.store, self.checklist_id, names, viewer=self.reviewer)
        except CasereviewError as exc:
            # Said in full, with nothing under it (no empty table or chart, no dead keys).
            self.trend = None
            self.add_class("refused")
            self.query_one("#trends-title", Static).update(Text(str(exc), "bold yellow"))
            self.query_one(DataTable).clear(columns=True)
            return False
        finally:
            self.refresh_bindings()
        self.remove_class("refused")
        return True

    def watch_section(self) -> None:
        self.refresh_table()

    def _rows(self) -> list[TrendItem]:
        assert self.trend is not None
        if self.section is None:
            return list(self.trend.sections)
        return self.trend.questions_of(self.section)

    def refresh_table(self) -> None:
        trend = self.trend
        if trend is None:
            return
        table = self.query_one(DataTable)
        table.clear(columns=True)
        # At 80 columns five audits fit beside a 13-character label; wider, the label grows.
        label_width = max(12, min(72, self.size.width - 2 - (CELL + 2) * len(trend.audits)))
        first = "Section\n% met in full" if self.section is None else "Question\n% compliance"
        table.add_column(Text(first), width=label_width)
        for audit in trend.audits:
            table.add_column(column_label(audit), width=CELL)
        for item in self._rows():
            table.add_row(
                self._label(item, label_width), *map(cell_text, item.figures), key=item.key
            )
        table.move_cursor(row=0, column=len(trend.audits))  # the latest audit first
        if self.section is None:
            title = Text.assemble(("Sections", "bold"), f" of {trend.title}")
        else:
            title = Text.assemble((self._section_title(), "bold"), ": its questions")
        of = f" of {len(self.candidates)}" if len(trend.audits) < len(self.candidates) else ""
        title.append(f", {len(trend.audits)}{of} audits oldest first")  # `a` chooses them
        if trend.skipped:
            title.append(f" ({len(trend.skipped)} without completed reviews left out)", "dim")
        self.query_one("#trends-title", Static).update(title)
        # audits left out (no period, no completed review) and scopes apart: never silent
        warnings = Text("\n".join(trend.warnings()), "yellow")
        self.query_one("#trends-warnings", Static).update(warnings)
        self.query_one("#trends-warnings", Static).display = bool(trend.warnings())
        self._show_names()
        self.query_one("#trends-note", Static).update(
            Text(
                trends_spc.NOTE
                if self.spc
                else "% and 95% CI. ▲ improved, ▼ declined: only where the change's 95% CI "
                "excludes 0. A fact: its prevalence, never an arrow.",
                "dim",
            )
        )
        self._show(table.cursor_row, table.cursor_column)

    def watch_show_names(self) -> None:
        self._show_names()

    def _show_names(self) -> None:
        names = self.query_one("#trends-names", Static)
        names.display = self.show_names and self.trend is not None
        # on a small screen the names take the chart's place while they are shown
        self.query_one(PlotextPlot).display = not (names.display and self.size.height < 40)
        if self.trend is not None:
            text = Text()
            for i, audit in enumerate(self.trend.audits):
                text.append(("\n" if i else "") + f"{audit.period}: ", "bold")
                text.append(audit.name)  # data: Text, never markup
                text.append(f" ({audit.checklist_label}; {audit.scope})", "dim")
            names.update(text)

    def action_names(self) -> None:
        self.show_names = not self.show_names

    def action_control(self) -> None:
        self.spc = not self.spc

    def watch_spc(self) -> None:
        table = self.query_one(DataTable)
        at = table.cursor_coordinate
        self.refresh_table()  # the note and the words change; the cell stays where it was
        table.cursor_coordinate = at
        self._show(at.row, at.column)

    def _section_title(self) -> str:
        assert self.trend is not None
        return next(s.label for s in self.trend.sections if s.key == self.section)

    @staticmethod
    def _label(item: TrendItem, width: int) -> Text:
        if item.kind == "section":
            return Text(item.label[:width], "bold")
        text = Text(item.key, "bold" if item.scored else "italic")
        if not item.scored:
            text.append(" fact", "italic grey50")  # before the text, which may be cut
        text.append(f" {item.label}"[: max(0, width - len(text))])
        return text

    @on(DataTable.CellHighlighted)
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._show(event.coordinate.row, event.coordinate.column)

    def _show(self, row: int, column: int) -> None:
        """The highlighted cell in three lines of words (what, the figure in which audit, the
        change), and the highlighted row's chart."""
        rows = self._rows()
        if not rows or self.trend is None:
            return
        item = rows[min(row, len(rows) - 1)]
        audits = self.trend.audits
        label = item.label if item.kind == "section" else f"{item.key} {item.label}"
        detail = Text(label, "bold")
        if column >= 1:
            i = column - 1
            audit, fig = audits[i], item.figures[i]
            detail.append("\n")
            detail.append_text(self._figure_words(item, fig))
            detail.append(" in ")
            detail.append(audit.name, "bold")
            detail.append(f" ({audit.period}, {audit.checklist_label})", "dim")
            detail.append("\n")
            if self.spc:
                detail.append_text(trends_spc.words(self.trend, item, i))
            elif fig is not None:
                detail.append_text(change_words(fig, i == 0))
        else:
            hint = "Enter: its questions. " if item.kind == "section" else ""
            detail.append(f"\n{hint}Left and right: the audits, oldest first.\n", "dim")
        self.query_one("#trends-detail", Static).update(detail)
        self._chart(item, max(0, column - 1) if column >= 1 else len(audits) - 1)

    @staticmethod
    def _figure_words(item: TrendItem, fig: Figure | None) -> Text:
        if fig is None:
            return Text("Not asked in this audit's checklist version.", "dim")
        if fig.share is None or fig.low is None or fig.high is None:
            return Text("No applicable answers.", "dim")
        unit = " cases met it in full" if item.kind == "section" else ""
        words = scoring.figure_words(fig.successes, fig.n, fig.share, fig.low, fig.high, 0, unit)
        if not fig.scored:
            words = "yes in " + words
        return Text(words + (" (small sample)" if scoring.small_sample(fig.n) else ""))

    def _chart(self, item: TrendItem, audit_index: int) -> None:
        assert self.trend is not None
        chart = self.query_one(PlotextPlot)
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        if self.spc:
            trends_spc.draw(plt, self.trend, item, audit_index)
        points = (
            []
            if self.spc
            else [
                (i + 1, 100 * f.share, 100 * f.low, 100 * f.high)
                for i, f in enumerate(item.figures)
                if f is not None
                and f.share is not None
                and f.low is not None
                and f.high is not None
            ]
        )
        for x, _y, low, high in points:
            plt.plot([x, x], [low, high], color="gray", marker="│")
        if points:
            plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille", color="cyan")
            plt.scatter([p[0] for p in points], [p[1] for p in points], marker="●", color="cyan")
        n = len(self.trend.audits)
        plt.xticks(
            list(range(1, n + 1)), [column_label(a).plain.split("\n")[0] for a in self.trend.audits]
        )
        plt.xlim(0.5, n + 0.5)
        plt.ylim(0, 100)
        plt.yticks([0, 25, 50, 75, 100])
        chart.refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if super().check_action(action, parameters) is False:
            return False  # closed to a scrutiny panel
        if action == "choose_audits":  # no audits to choose (a refusal): not offered
            return bool(self.candidates)
        if action in ("drill", "names", "report", "control") and self.trend is None:
            return False  # nothing shown: these would do nothing
        if action == "drill":  # greyed once a section's questions are shown
            return self.section is None or None
        return True

    def action_choose_audits(self) -> None:
        """Which audits the trend shows: a dip sample beside monthly self-audits, say, would
        otherwise be compared with the month before it."""
        if not self.candidates:
            return
        shown = {a.name for a in self.trend.audits} if self.trend else set(self.candidates)

        def chosen(names: list[str] | None) -> None:
            if names is not None and self._build(
                None if len(names) == len(self.candidates) else names
            ):
                self.refresh_table()

        self.app.push_screen(TrendAuditsScreen(self.candidates, shown), chosen)

    def action_report(self) -> None:
        """The trend report of the audits shown, Word or Markdown (served: a download)."""
        from casereview.io.reports import trend as report
        from casereview.tui.dialogs.report import ReportDialog

        trend = self.trend
        if trend is None:
            return
        self.app.push_screen(
            ReportDialog(
                self.store,
                trend.title,
                f"{self.checklist_id}-trend",
                lambda _officers: report.blocks(trend),
                redacted_only=is_panel(self.session.role),  # a scrutiny panel's: redacted
            )
        )

    def action_drill(self) -> None:
        if self.trend is None or self.section is not None:
            return
        rows = self._rows()
        if rows:
            table = self.query_one(DataTable)
            self.section = rows[min(table.cursor_row, len(rows) - 1)].key

    def action_back(self) -> None:
        if self.section is not None:
            key = self.section
            self.section = None
            keys = [s.key for s in self._rows()]
            self.query_one(DataTable).move_cursor(row=keys.index(key) if key in keys else 0)
        else:
            self.app.pop_screen()


class AuditChoice(SelectionList[int]):
    """The audits to tick; Enter here says "show these" (a SelectionList's own Enter ticks).

    Enter is the list's binding, not a priority one of the dialog's: the list handles its keys
    in order, so a space typed just before Enter has ticked its line when Enter is read."""

    BINDINGS = [Binding("enter", "submit", "Show these")]

    class Submitted(Message):
        """Enter in the list: show the ticked audits."""

    def action_submit(self) -> None:
        self.post_message(self.Submitted())


class TrendAuditsScreen(Dialog[list[str] | None]):
    """Tick the audits the trend shows: space ticks, Enter shows them, Escape cancels."""

    FIELD = "#trend-audits"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, names: list[str], shown: set[str]):
        super().__init__()
        self.names = names
        self.shown = shown

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Text.assemble(
                    ("Audits in the trend", "bold"),
                    " (oldest first). Space ticks or unticks, Enter shows the ticked, "
                    "Escape cancels. Each is compared with the ticked audit before it.",
                )
            )
            yield AuditChoice(
                # audit names are data: Text prompts, never markup
                *((Text(name), i, name in self.shown) for i, name in enumerate(self.names)),
                id="trend-audits",
            )
            yield Static(id="trend-audits-note")

    @on(AuditChoice.Submitted)
    def _apply(self) -> None:
        ticked = sorted(self.query_one(AuditChoice).selected)
        if not ticked:
            self.query_one("#trend-audits-note", Static).update(
                Text("Tick at least one audit.", "bold yellow")
            )
            return
        self.dismiss([self.names[i] for i in ticked])

    def action_cancel(self) -> None:
        self.dismiss(None)
