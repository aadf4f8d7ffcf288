"""Calibrations: each one's progress, and its results per reviewer (against the gold, with
how their answers lean) or per question (Fleiss' kappa among the reviewers, worst first, and
the answers each chose with their notes). n sets one up (NewCalibrationScreen); Enter opens
your own reviews of its cases (the gold for its moderator). A reviewer who has not recorded
every case sees no figures and no answers (services.calibration.read refuses them)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
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
# The question's text last: at 80 columns it would push the figures off the screen (it is
# given in full below the table, with the answers each chose)
QUESTION_COLUMNS = ("Rank", "Question", "Fleiss' kappa (95% CI)", "Cases", "Mark", "Text")
VERDICT = {None: "not finished", True: "pass", False: "not passed"}


def _two(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _interval(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f" ({low:.2f} to {high:.2f})"


class CalibrationScreen(StoreScreen):
    """The calibrations, and the highlighted one's figures."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "open", "Your reviews", priority=True),
        Binding("n", "new", "New"),
        Binding("v", "view", "Reviewers/questions"),
        # the results, dated (the 80-column bar has no room for a longer name)
        Binding("r", "record", "Record"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "reviewers"
        self._shown: str | None = None
        self._figures: service.CalibrationFigures | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield DataTable(id="calibrations", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="calibration-figures", cursor_type="row", zebra_stripes=True)
        yield Static("", id="calibration-detail")
        with VerticalScroll(id="calibration-chosen-scroll", can_focus=False):
            yield Static("", id="calibration-chosen")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "calibration"
        table = self.query_one("#calibrations", DataTable)
        table.add_columns("Calibration", "Cases", "Gold", "Reviewers (recorded)")
        table.focus()

    def on_screen_resume(self) -> None:
        # on first showing too: filled once, not again on mount (a table refilled twice in
        # one frame keeps its header's widths, cutting every cell)
        self._list()

    def _list(self) -> None:
        """The calibrations with their progress (counts only: what anyone may see)."""
        table = self.query_one("#calibrations", DataTable)
        keep = highlighted_key(table)
        table.clear()
        for c in self.store.calibrations():
            done = self.store.calibration_progress(c.id)
            who = ", ".join(f"{r} {done.get(r, 0)}" for r in c.reviewers)
            gold = str(done.get(c.moderator, 0))
            table.add_row(Text(c.name), str(len(c.case_ids)), gold, Text(who), key=c.name)
        if not table.row_count:
            self.query_one("#calibration-detail", Static).update(
                Text("No calibrations yet: n sets one up (you are its moderator).")
            )
            return
        names = [str(table.get_row_at(r)[0]) for r in range(table.row_count)]
        row = names.index(keep) if keep in names else 0
        table.move_cursor(row=row)
        self._show(names[row])

    def action_new(self) -> None:
        from casereview.tui.screens.new_calibration import NewCalibrationScreen

        self.app.push_screen(NewCalibrationScreen())

    def action_open(self) -> None:
        from casereview.tui.screens.calibration_cases import CalibrationCasesScreen

        key = highlighted_key(self.query_one("#calibrations", DataTable))
        if key is not None:
            self.app.push_screen(CalibrationCasesScreen(key))

    @on(DataTable.RowHighlighted, "#calibrations")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None and event.row_key.value != self._shown:
            self._show(event.row_key.value)

    @on(DataTable.RowHighlighted, "#calibration-figures")
    def _figure_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._figures is not None and event.row_key.value is not None:
            self.query_one("#calibration-chosen", Static).update(
                chosen_text(self._figures, self.view, event.row_key.value)
            )

    def action_record(self) -> None:
        """Record the finished reviewers' verdicts at the default threshold, dated today
        (other limits: `casereview calibration result --kappa --agreement`)."""
        if self._figures is None:
            self.notify("No results to record here.", severity="warning", markup=False)
            return
        changed = service.record_results(self.store, self._figures, self.reviewer)
        finished = [r.reviewer for r in self._figures.reviewers if r.passed is not None]
        said = (
            f"Recorded for {', '.join(changed)}, dated today."
            if changed
            else "Recorded already: the first dates stand."
            if finished
            else "Nobody has finished: no result to record yet."
        )
        self.notify(said, title="Calibration results", markup=False)

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
        self._figures = None
        self.query_one("#calibration-chosen", Static).update("")
        try:
            figs = service.read(self.store, name, self.reviewer)
        except StoreError as exc:
            detail.update(Text(str(exc)))
            return
        self._figures = figs
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
                    key=r.reviewer,
                )
            words = (
                f"Against the gold ({figs.gold_done} of {n} cases recorded); pass at "
                f"{figs.threshold.words}. Lean: answers above / below the gold (counts)."
            )
        else:
            table.add_columns(*QUESTION_COLUMNS)
            for rank, s in enumerate(figs.questions, 1):
                table.add_row(
                    str(rank),
                    Text(s.question.id),
                    _two(s.fleiss.kappa) + _interval(s.fleiss.low, s.fleiss.high),
                    str(s.fleiss.subjects),
                    f"below {service.SPLIT_BELOW}" if s.split else "",
                    Text(s.question.text),
                    key=s.question.id,
                )
            words = (
                "Where reviewers split: Fleiss' kappa among the reviewers, lowest first; "
                "below, the answers each chose and their notes."
            )
        detail.update(Text(words))
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key is not None:
                self.query_one("#calibration-chosen", Static).update(
                    chosen_text(figs, self.view, key)
                )


def chosen_text(figs: service.CalibrationFigures, view: str, key: str) -> Text:
    """Under the figures: for a reviewer, their answers against the gold's, counted (how
    they lean, not a score); for a question, each case's gold answer and reason and the
    answers each reviewer chose, with their notes. Notes are data: Text, never markup."""
    if view == "reviewers":
        rev = next(r for r in figs.reviewers if r.reviewer == key)
        text = Text.assemble(
            (f"{rev.reviewer} against the gold", "bold"), " (their count / gold's):"
        )
        for answer in ("yes", "partly", "no", "na", "unknown", "hidden"):
            mine, gold = (
                rev.lean.reviewer_counts.get(answer, 0),
                rev.lean.gold_counts.get(answer, 0),
            )
            if mine or gold:
                text.append(f"  {answer} {mine} / {gold}")
        text.append(
            f"\nAbove the gold {rev.lean.above}, below it {rev.lean.below} (yes > partly > no)."
        )
        return text
    split = next(s for s in figs.questions if s.question.id == key)
    text = Text(f"{split.question.id} {split.question.text}", "bold")
    for c in split.chosen:
        text.append(f"\n{figs.case_refs.get(c.case_id, c.case_id)}  gold: {c.gold or '-'}")
        if c.gold_note:
            text.append(f" ({c.gold_note})", "italic")
        for who, (answer, note) in c.answers.items():
            text.append(f"\n    {who}: {answer}", "red" if answer != c.gold else "")
            if note:
                text.append(f" ({note})", "italic")
    return text
