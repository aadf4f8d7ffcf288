"""Calibrations: each one's progress, and its results per reviewer (against the gold) or per
question (Fleiss' kappa among the reviewers, worst first). Read only: calibrations are set up
and recorded with `casereview calibration`; a reviewer who has not recorded every case sees
no figures (core.rules.calibration_blind_refusal)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from casereview.core.stats import scoring
from casereview.services import calibration as service
from casereview.store import StoreError
from casereview.tui.screens._base import StoreScreen, highlighted_key
from casereview.tui.widgets.bars import KeyBar, TitleBar

REVIEWER_COLUMNS = (
    "Reviewer",
    "Cases",
    "Agree",
    "Kappa (95% CI)",
    "AC1",
    "wKappa",
    "Lean",
    "Result",
)
QUESTION_COLUMNS = ("Rank", "Question", "Fleiss' kappa (95% CI)", "Cases", "Mark")
VERDICT = {None: "not finished", True: "pass", False: "not passed"}


def _two(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _interval(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f" ({low:.2f} to {high:.2f})"


class CalibrationScreen(StoreScreen):
    """The calibrations, and the highlighted one's figures."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("v", "view", "Reviewers/questions"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "reviewers"
        self._shown: str | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield DataTable(id="calibrations", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="calibration-figures", cursor_type="row", zebra_stripes=True)
        yield Static("", id="calibration-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "calibration"
        table = self.query_one("#calibrations", DataTable)
        table.add_columns("Calibration", "Cases", "Gold", "Reviewers (recorded)")
        for c in self.store.calibrations():
            reviews = self.store.calibration_reviews(c.id)
            gold = sum(1 for r in reviews if r.role == "gold")
            done = ", ".join(
                f"{who} {sum(1 for r in reviews if r.reviewer == who)}" for who in c.reviewers
            )
            table.add_row(Text(c.name), str(len(c.case_ids)), str(gold), Text(done), key=c.name)
        if not table.row_count:
            self.query_one("#calibration-detail", Static).update(
                Text("No calibrations yet: set one up with `casereview calibration create`.")
            )
        else:
            self._show(str(table.get_row_at(0)[0]))

    @on(DataTable.RowHighlighted, "#calibrations")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None and event.row_key.value != self._shown:
            self._show(event.row_key.value)

    def action_view(self) -> None:
        self.view = "questions" if self.view == "reviewers" else "reviewers"
        key = highlighted_key(self.query_one("#calibrations", DataTable))
        if key is not None:
            self._show(key)

    def _show(self, name: str) -> None:
        self._shown = name
        table = self.query_one("#calibration-figures", DataTable)
        table.clear(columns=True)
        detail = self.query_one("#calibration-detail", Static)
        try:
            figs = service.read(self.store, name, self.reviewer)
        except StoreError as exc:
            detail.update(Text(str(exc)))
            return
        n = len(figs.info.case_ids)
        if self.view == "reviewers":
            table.add_columns(*REVIEWER_COLUMNS)
            for r in figs.reviewers:
                fig = r.overall
                table.add_row(
                    Text(r.reviewer),
                    f"{r.done}/{n}",
                    scoring.share_words(fig.agree, fig.n_pairs) if fig.n_pairs else "-",
                    _two(fig.kappa) + _interval(fig.kappa_ci_low, fig.kappa_ci_high),
                    _two(fig.ac1),
                    _two(r.weighted_kappa),
                    f"+{r.lean.above} -{r.lean.below}",
                    VERDICT[r.passed],
                )
            words = (
                f"Against the gold ({figs.gold_done} of {n} cases recorded); pass at "
                f"{figs.threshold.words}. Lean: answers above / below the gold (counts). "
                "v: per question."
            )
        else:
            table.add_columns(*QUESTION_COLUMNS)
            for rank, s in enumerate(figs.questions, 1):
                table.add_row(
                    str(rank),
                    Text(f"{s.question.id} {s.question.text}"),
                    _two(s.fleiss.kappa) + _interval(s.fleiss.low, s.fleiss.high),
                    str(s.fleiss.subjects),
                    f"below {service.SPLIT_BELOW}" if s.split else "",
                )
            words = (
                "Where reviewers split: Fleiss' kappa among the reviewers, lowest first; the "
                "answers and notes: casereview report --calibration. v: per reviewer."
            )
        detail.update(Text(words))
