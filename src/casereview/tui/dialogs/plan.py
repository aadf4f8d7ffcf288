"""Dialogs of the action plan: an action's status (and a dropped one's reason), and a new
action drafted from a finding. Each owns the keyboard from the key that opened it
(modals.Dialog); the data they show is Text, never markup."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Select

from casereview.core.plans import STATUS_WORDS
from casereview.tui.dialogs.modals import Dialog


class StatusScreen(Dialog[str | None]):
    """An action's new status: p planned, i in progress, d done, x dropped; escape cancels."""

    BINDINGS = [
        Binding("p", "choose('planned')", "Planned"),
        Binding("i", "choose('in_progress')", "In progress"),
        Binding("d", "choose('done')", "Done"),
        Binding("x", "choose('dropped')", "Dropped"),
        Binding("escape", "choose(None)", "Cancel"),
    ]

    def __init__(self, action: str, status: str):
        super().__init__()
        self.action_text = action
        self.status = status

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Text.assemble(
                    (f"Status of {self.action_text}", "bold"),
                    f"\nnow {STATUS_WORDS[self.status]}\n\n",
                    ("p", "bold"),
                    " planned   ",
                    ("i", "bold"),
                    " in progress   ",
                    ("d", "bold"),
                    " done   ",
                    ("x", "bold"),
                    " dropped   ",
                    ("escape", "bold"),
                    " cancel",
                )
            )

    def action_choose(self, status: str | None) -> None:
        self.dismiss(status)


class DraftActionScreen(Dialog[tuple[str, str] | None]):
    """A new action linked to a finding: its recommendation (chosen) and its text
    (prefilled with the question and its figure); Enter saves, escape cancels."""

    FIELD = "#draft-text"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, force: str, heading: str, text: str, recommendations: list[tuple[str, str]]):
        super().__init__()
        self.force = force
        self.heading = heading
        self.text = text
        self.recommendations = [ref for ref, _ in recommendations]
        self.labels = dict(recommendations)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Text.assemble(
                    (f"New action in the plan of {self.force}", "bold"),
                    "\n",
                    self.heading,
                    "\nUnder recommendation (tab to change), then Enter saves; escape cancels.",
                )
            )
            yield Select(
                [(Text(f"{r} {self.labels[r]}"), r) for r in self.recommendations],
                value=self.recommendations[0],
                allow_blank=False,
                id="draft-recommendation",
            )
            yield Input(self.text, id="draft-text")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text:
            chosen = self.query_one("#draft-recommendation", Select).value
            self.dismiss((str(chosen), text))

    def action_cancel(self) -> None:
        self.dismiss(None)
