"""LQAS: a pass/fail verdict per unit and question from small samples (lot quality
assurance sampling, core/stats/lqas.py): meets / does not meet / not enough files.

The plan is the user's: the standard and the lower threshold (in %), and the risks accepted
(alpha at the standard, beta at the threshold); defaults 80% / 50% / 0.10 / 0.10 (n = 19,
d = 6). It pools the audits the funnel pools (services.funnel.pooled_audits) and counts
files as the funnel does (partly half a failure). Reached from the findings screen (`d`, in
the help and the command palette: the 80-column key bar is full)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import DataTable, Input, Label, Static

from casereview.core.stats import lqas
from casereview.tui.screens._base import StoreScreen
from casereview.tui.screens.funnel import UNITS
from casereview.tui.screens.pooled import load_pooled, pooled_line
from casereview.tui.widgets.bars import KeyBar, TitleBar

if TYPE_CHECKING:
    from casereview.services.funnel import FigureFunnel

FIELDS = (  # id, label, default as typed
    ("standard", "Standard %", "80"),
    ("threshold", "Threshold %", "50"),
    ("alpha", "alpha", "0.10"),
    ("beta", "beta", "0.10"),
)
VERDICT_STYLES = {
    lqas.MEETS: "green",
    lqas.DOES_NOT_MEET: "bold red",
    lqas.NOT_ENOUGH: "dim",
}


def read_plan(values: dict[str, str]) -> tuple[lqas.Plan, float, float]:
    """The design from the four fields as typed (standard and threshold in %); ValueError
    with a message for the screen when a field is not a number or the design is refused."""
    numbers = {}
    for key, label, _ in FIELDS:
        try:
            numbers[key] = float(values[key].strip().rstrip("%"))
        except ValueError:
            raise ValueError(f"{label}: '{values[key]}' is not a number") from None
    alpha, beta = numbers["alpha"], numbers["beta"]
    design = lqas.plan(numbers["standard"] / 100, numbers["threshold"] / 100, alpha, beta)
    return design, alpha, beta


class LqasScreen(StoreScreen):
    """The verdicts of one plan, per question and unit; tab reaches the plan's fields."""

    AUTO_FOCUS = "#lqas-verdicts"  # the keys act on the table; tab reaches the fields
    BINDINGS = [
        Binding("g", "group", "Units"),
        Binding("escape", "back", "Back"),
    ]

    by: reactive[str] = reactive("force", init=False)

    def __init__(self, audit_id: int, by: str | None = None):
        super().__init__()
        self.audit_id = audit_id
        self.figures: list[FigureFunnel] = []
        self.audit_names: list[str] = []
        self.set_reactive(LqasScreen.by, by if by in UNITS else "force")

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="lqas-title")
        with Horizontal(id="lqas-fields"):
            for key, label, default in FIELDS:
                yield Label(label)
                yield Input(default, id=f"lqas-{key}", select_on_focus=True)
        yield Static(id="lqas-plan")
        yield DataTable(id="lqas-verdicts", cursor_type="row", zebra_stripes=True)
        yield Static(id="lqas-note")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "LQAS"
        self._build()

    def _build(self) -> None:
        title = self.query_one("#lqas-title", Static)
        self.audit_names, self.figures = load_pooled(
            self.store, self.audit_id, self.by, self.reviewer, title, self.query_one(DataTable)
        )
        if not self.figures:
            return
        heading = Text(f"LQAS verdicts by {self.by}", "bold")
        heading.append(pooled_line(self.audit_names, self.figures[0].versions))
        title.update(heading)
        self.refresh_view()

    def watch_by(self) -> None:
        self._build()

    @on(Input.Changed)
    def _replan(self, _event: Input.Changed) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        if not self.figures:
            return
        from casereview.services.lqas import verdicts

        values = {key: self.query_one(f"#lqas-{key}", Input).value for key, _, _ in FIELDS}
        table = self.query_one(DataTable)
        table.clear(columns=True)
        note = self.query_one("#lqas-note", Static)
        try:
            design, alpha, beta = read_plan(values)
        except ValueError as exc:
            self.query_one("#lqas-plan", Static).update(Text(str(exc), "bold yellow"))
            note.update("")
            return
        self.query_one("#lqas-plan", Static).update(
            Text(
                f"Read {design.n} files per unit: it meets the standard when no more than "
                f"{design.d} fail (partly half). Risks run: alpha {design.alpha:.3f}, "
                f"beta {design.beta:.3f}."
            )
        )
        for column, width in (
            ("Question", 9),
            ("Unit", 24),
            ("n", 4),
            ("fail", 5),
            ("d", 3),
            ("verdict", 16),
        ):
            table.add_column(column, width=width)
        rows = verdicts(self.figures, design, alpha, beta)
        for i, row in enumerate(rows):
            seen = row.seen
            table.add_row(
                Text(row.question_id),
                Text(row.unit),
                Text(str(seen.n)),
                Text(f"{seen.failures:g}"),
                Text("" if seen.d is None else str(seen.d)),
                Text(seen.verdict, VERDICT_STYLES[seen.verdict]),
                key=str(i),
            )
        counts = {v: sum(r.seen.verdict == v for r in rows) for v in VERDICT_STYLES}
        note.update(
            Text(
                f"meets {counts[lqas.MEETS]}, does not meet {counts[lqas.DOES_NOT_MEET]}, "
                f"not enough files {counts[lqas.NOT_ENOUGH]}. A unit with more files than n is "
                "judged by the rule for its own number at the same risks.",
                "dim",
            )
        )

    def action_group(self) -> None:
        self.by = UNITS[(UNITS.index(self.by) + 1) % len(UNITS)]

    def action_back(self) -> None:
        self.app.pop_screen()
