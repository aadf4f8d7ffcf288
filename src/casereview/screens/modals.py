"""Small typed modals: a note editor, a reason prompt, a yes/no question, the history."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, TextArea

from casereview.store import Event


class NoteScreen(ModalScreen[str | None]):
    """Edit the note on one question; ctrl+s saves, escape cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save note"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, question_id: str, note: str):
        super().__init__()
        self.question_id = question_id
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Note on {self.question_id}  (ctrl+s save, escape cancel)")
            yield TextArea(self.note, id="note-text")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question: y or Enter says yes, n or Escape says no."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, title: str, question: str):
        super().__init__()
        self.title_text = title
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # case refs and names are data, not markup
            yield Label(
                f"[b]{escape(self.title_text)}[/b]\n{escape(self.question)}\n\n"
                "[b]y[/b] yes   [b]n[/b] no"
            )

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ReasonScreen(ModalScreen[str | None]):
    """Ask for a reason that goes into the audit trail; empty means no."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, prompt: str, placeholder: str = "reason, then Enter"):
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"[b]{escape(self.title_text)}[/b]\n{escape(self.prompt)}")
            yield Input(placeholder=self.placeholder, id="reason")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HistoryScreen(ModalScreen[None]):
    """Every change to one question's answer and note: who, when, old, new, why."""

    BINDINGS = [Binding("escape,h,q", "close", "Close")]

    def __init__(self, title: str, events: list[Event]):
        super().__init__()
        self.title_text = title
        self.events = events

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"[b]History of {self.title_text}[/b]  (escape closes)")
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("When (UTC)", "Who", "What", "Old", "New", "Reason")
        for e in self.events:
            table.add_row(
                e.at[:19].replace("T", " "),
                e.actor,
                e.kind,
                e.old or "-",
                e.new or "-",
                e.reason or "",
            )
        if not self.events:
            table.add_row("-", "-", "no changes yet", "", "", "")
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
