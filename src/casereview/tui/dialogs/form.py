"""A dialog of a few fields (an account's name, role, passwords): Enter moves to the next
field and, on the last, submits. What it submits is checked (and acted on) by the caller's
`check`, whose refusal is said inside the dialog, which stays open: nothing typed, and no
password, goes anywhere else. Secret fields are drawn masked and cleared after a refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from casereview.tui.dialogs.modals import Dialog


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    secret: bool = False
    value: str = ""
    placeholder: str = ""


class FormDialog(Dialog[str | None]):
    """Fields one under another; `check(values)` returns a refusal to show (the dialog stays)
    or None, and then the dialog closes with `done` (what to tell the reviewer). Escape
    cancels (None)."""

    FIELD = "#field-0"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        title: str,
        prompt: str,
        fields: list[Field],
        check: Callable[[dict[str, str]], str | None],
        done: str,
    ):
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.fields = fields
        self.check = check
        self.done = done

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form-dialog"):
            # names are data: Text, never markup
            yield Label(Text.assemble((self.title_text, "bold"), "\n", self.prompt))
            for i, field in enumerate(self.fields):
                yield Label(Text(field.label))
                yield Input(
                    field.value,
                    placeholder=field.placeholder,
                    password=field.secret,
                    id=f"field-{i}",
                )
            yield Static("", id="form-refusal")
            yield Label(Text("Enter: next field, then done   Escape: cancel", style="dim"))

    def values(self) -> dict[str, str]:
        return {
            f.key: self.query_one(f"#field-{i}", Input).value for i, f in enumerate(self.fields)
        }

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        at = int((event.input.id or "field-0").rsplit("-", 1)[1])
        if at + 1 < len(self.fields):
            self.query_one(f"#field-{at + 1}", Input).focus()
            return
        refusal = self.check(self.values())
        if refusal is None:
            self.dismiss(self.done)
            return
        self.query_one("#form-refusal", Static).update(Text(refusal, style="bold red"))
        first_secret = None
        for i, field in enumerate(self.fields):
            if field.secret:
                self.query_one(f"#field-{i}", Input).value = ""
                first_secret = i if first_secret is None else first_secret
        self.query_one(f"#field-{first_secret or 0}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
