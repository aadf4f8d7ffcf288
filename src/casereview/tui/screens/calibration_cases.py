"""A calibration's cases as one person reviews them: the moderator's gold review of each, or
a reviewer's blind one; Enter opens it (the review screen in calibration mode). Only the
person's own state is read (Store.own_calibration_review): nothing here says what anyone
else answered."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from casereview.store import StoreError
from casereview.tui.screens._base import StoreScreen, highlighted_key
from casereview.tui.widgets.bars import KeyBar, TitleBar


class CalibrationCasesScreen(StoreScreen):
    """Your reviews of a calibration's cases; Enter answers one."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "open", "Review case", priority=True),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.calibration = name

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="calibration-whose")
        yield DataTable(id="calibration-cases", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = f"{self.calibration} - your calibration reviews"
        table = self.query_one("#calibration-cases", DataTable)
        table.add_columns("Case", "Yours", "Offence")  # the offence last: it runs long
        table.focus()

    def on_screen_resume(self) -> None:
        # on first showing too (see CalibrationScreen.on_screen_resume), and back from a case
        self.refresh_cases()

    def refresh_cases(self) -> None:
        info = self.store.calibration_named(self.calibration)
        table = self.query_one("#calibration-cases", DataTable)
        whose = self.query_one("#calibration-whose", Static)
        keep = table.cursor_row
        table.clear()
        try:
            role = self.store.calibration_role(info, self.reviewer)
        except StoreError as exc:
            whose.update(Text(f"{exc}: nothing for you to review here."))
            return
        whose.update(
            Text(
                "Your GOLD review (the moderator's): give each answer its reason (e, a note)."
                if role == "gold"
                else "Your BLIND review: the gold and the others' answers open once all "
                "yours are recorded."
            )
        )
        for case_id in info.case_ids:
            case = self.store.case(case_id)
            own = self.store.own_calibration_review(info.id, case_id, self.reviewer)
            answered = sum(1 for a in own.answers.values() if a.value)
            state = (
                "recorded"
                if own.completed_at
                else (f"{answered} answered" if answered else "not started")
            )
            table.add_row(Text(case.case_ref), state, Text(case.offence or ""), key=str(case_id))
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    def action_open(self) -> None:
        from casereview.tui.screens.calibration_review import CalibrationReviewScreen

        key = highlighted_key(self.query_one("#calibration-cases", DataTable))
        if key is None:
            return
        info = self.store.calibration_named(self.calibration)
        try:
            self.store.calibration_role(info, self.reviewer)
        except StoreError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.app.push_screen(CalibrationReviewScreen(info, int(key)))
