"""Choose a blind second review from the cases screen: who does it, and for the highlighted
case or a seeded share of the sample, as `casereview audit second` does."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label

from casereview.core.problems import CasereviewError
from casereview.tui.dialogs.modals import Dialog

Assign = Callable[[str, str], str]
"""(reviewer, which cases as typed) -> what was assigned; raises CasereviewError to refuse."""


class SecondReviewDialog(Dialog[str | None]):
    """The reviewer's name (Right takes the suggested known name), then Enter: the highlighted
    case, or what the second field says (`20%`, `0.2` or `5`). A refusal (the case's primary
    reviewer, a case that already has a second reviewer, more cases than can be taken) is
    shown here with its reason, and nothing is assigned; Escape closes."""

    FIELD = "#second-who"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, case_ref: str, known: Sequence[str], assign: Assign):
        super().__init__()
        self.case_ref = case_ref
        self.known = list(known)
        self.assign = assign

    def compose(self) -> ComposeResult:
        # names and case references are data: Text, never markup
        with Vertical(classes="dialog"):
            yield Label(
                Text.assemble(
                    ("Blind second review", "bold"),
                    "\nWho does it? Never the case's primary reviewer; they do not see the "
                    "primary's answers, and a case keeps the second reviewer it is given.",
                )
            )
            yield Label(
                Text.assemble(("Reviewers here: ", "dim"), ", ".join(self.known) or "none yet"),
                id="second-known",
            )
            yield Input(
                placeholder="reviewer's name, then Enter",
                id="second-who",
                compact=True,  # one line each: the dialog fits 80 x 24 with a refusal
                suggester=SuggestFromList(self.known, case_sensitive=False),
            )
            yield Label(
                Text.assemble(
                    "Which cases (Tab): empty is the highlighted case, ",
                    (self.case_ref, "bold"),
                    "; or a seeded share of the sample (20%) or a number of cases (5).",
                )
            )
            yield Input(placeholder=self.case_ref, id="second-which", compact=True)
            yield Label("", id="second-message")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        who = self.query_one("#second-who", Input)
        name = who.value.strip()
        if not name:
            self._say("Type the second reviewer's name first.")
            who.focus()
            return
        try:
            done = self.assign(name, self.query_one("#second-which", Input).value)
        except CasereviewError as exc:
            self._say(f"Not assigned: {exc}")
            return
        self.dismiss(done)

    def _say(self, text: str) -> None:
        self.query_one("#second-message", Label).update(Text(text, style="bold red"))

    def action_cancel(self) -> None:
        self.dismiss(None)
