"""The app's dialogs: a note editor, a reason prompt, a yes/no question, the history.

Every dialog is a `Dialog`, which owns the keyboard from the key that opened it (see there).
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, TextArea

from casereview.store.records import Event
from casereview.tui.styles import SCREENS_CSS

ResultT = TypeVar("ResultT")


class _TakeKeyboard(Message, bubble=False):
    """Posted by a dialog to itself on mount: give its field the focus."""


class _KeyboardTaken(Message, bubble=False):
    """Every key the app sent to the dialog itself before its field had the focus is ahead of
    this message in the dialog's queue; every key after it went to the field."""


class Dialog(ModalScreen[ResultT]):
    """A modal that owns the keyboard from the key that opened it.

    Open a dialog with `app.push_screen(dialog, callback)` from the action of the key that
    opens it, never from a worker that pushes it later: the keys typed before a worker ran
    went to the screen behind (answering questions, completing the review).

    Once pushed, the dialog is the screen the app sends keys to. Until its field has the
    focus, a key goes to the dialog screen itself, where Textual looks up bindings only and
    a typed character is lost. So the dialog gives `FIELD` the focus itself, at a known point
    in its queue (`_TakeKeyboard`), and hands every key that reached it before then to the
    field, in order: characters are typed into a text field, other keys run the binding the
    field (or the dialog, or the app) has for them, exactly as if the field had had the focus.
    Keys are handled here as they come, not posted on, so they keep their order with the keys
    that go straight to the field once it has the focus.
    """

    AUTO_FOCUS = ""  # not Textual's auto focus: that would give it mid-way through the keys
    CSS_PATH = SCREENS_CSS  # read when the first screen or dialog opens (tui/styles.py)
    FIELD: ClassVar[str | None] = None  # the widget that takes the keys (None: the dialog's own)

    _keyboard_taken = False  # focus given, and _KeyboardTaken posted
    _settled = False  # _KeyboardTaken handled: keys reaching the dialog now came up from a widget

    def _field(self) -> Widget | None:
        return self.query_one(self.FIELD, Widget) if self.FIELD else None

    @on(events.Mount)
    def _take_keyboard_soon(self) -> None:
        # After the subclass's own on_mount (Textual runs the most derived class's first).
        self.post_message(_TakeKeyboard())

    @on(_TakeKeyboard)
    def _take_keyboard_message(self) -> None:
        self._take_keyboard(typed_ahead=False)

    @on(_KeyboardTaken)
    def _keyboard_taken_message(self) -> None:
        self._settled = True

    def _take_keyboard(self, typed_ahead: bool) -> None:
        if self._keyboard_taken:
            return
        self._keyboard_taken = True
        field = self._field()
        if field is not None:
            if typed_ahead and isinstance(field, Input):
                # Input selects its text when the focus event arrives, which is after the keys
                # typed here: the next key would replace them all.
                field.select_on_focus = False
            self.set_focus(field)  # at once: Widget.focus() would wait for the app's queue
        self.post_message(_KeyboardTaken())

    async def _on_key(self, event: events.Key) -> None:
        if self._settled or self.FIELD is None:
            return  # a key that came up from a widget: Textual's usual handling
        event.stop()
        event.prevent_default()
        self._take_keyboard(typed_ahead=True)
        field = self._field()
        assert field is not None
        if self._type(field, event):
            return
        active = self.active_bindings.get(event.key)  # with the field focused, its own first
        if active is not None and active.enabled:
            await self.app.run_action(active.binding.action, active.node)

    @staticmethod
    def _type(field: Widget, event: events.Key) -> bool:
        """Type the key into a text field as the field's own key handler would."""
        if isinstance(field, Input) and event.is_printable and event.character:
            first, last = sorted(field.selection)
            field.replace(event.character, first, last)
            return True
        if isinstance(field, TextArea) and not field.read_only:
            text = "\n" if event.key == "enter" else event.character
            if event.is_printable or event.key == "enter":
                assert text is not None
                begin, end = field.selection
                field.replace(text, begin, end, maintain_selection_offset=False)
                return True
        return False


class NoteScreen(Dialog[str | None]):
    """Edit the note on one question; ctrl+s saves, escape cancels."""

    FIELD = "#note-text"
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
            yield Label(Text(f"Note on {self.question_id}  (ctrl+s save, escape cancel)"))
            yield TextArea(self.note, id="note-text")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(Dialog[bool]):
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
            # case refs and names are data: Text, never markup
            yield Label(
                Text.assemble(
                    (self.title_text, "bold"),
                    "\n",
                    self.question,
                    "\n\n",
                    ("y", "bold"),
                    " yes   ",
                    ("n", "bold"),
                    " no",
                )
            )

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ReasonScreen(Dialog[str | None]):
    """Ask for a reason that goes into the audit trail; empty means no."""

    FIELD = "#reason"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, prompt: str, placeholder: str = "reason, then Enter"):
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text.assemble((self.title_text, "bold"), "\n", self.prompt))
            yield Input(placeholder=self.placeholder, id="reason")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HistoryScreen(Dialog[None]):
    """Every change to one question's answer and note: who, when, old, new, why."""

    FIELD = "#history"
    BINDINGS = [Binding("escape,h,q", "close", "Close")]

    def __init__(self, title: str, events: list[Event]):
        super().__init__()
        self.title_text = title
        self.events = events

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Text.assemble((f"History of {self.title_text}", "bold"), "  (escape closes)")
            )
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("When (UTC)", "Who", "What", "Old", "New", "Reason")
        for e in self.events:
            # names, answers and reasons are data: Text cells, never markup
            table.add_row(
                *(
                    Text(cell)
                    for cell in (
                        e.at[:19].replace("T", " "),
                        e.actor,
                        e.kind,
                        e.old or "-",
                        e.new or "-",
                        e.reason or "",
                    )
                )
            )
        if not self.events:
            table.add_row("-", "-", "no changes yet", "", "", "")

    def action_close(self) -> None:
        self.dismiss(None)
