"""The review screen's keys and labels: its bindings, the answer keys and their marks, the
keys a completed review locks, the roles' labels."""

from __future__ import annotations

from textual.binding import Binding, BindingType

ANSWER_GROUP = Binding.Group("Answer")
KEYS = {"yes": "y", "partly": "p", "no": "n", "na": "a", "unknown": "u"}
LOCKED_ACTIONS = ("answer", "note", "clear")
LOCKED_KEYS = ("y", "p", "n", "a", "u", "e", "delete")
ROLE_LABELS = {
    "primary": "Primary review",
    "second": "BLIND second review",
    "moderated": "Moderated review",
}
MARK = {
    "yes": ("✓", "green"),
    "partly": ("◐", "yellow"),
    "no": ("✗", "red"),
    "na": ("–", "grey50"),
    "unknown": ("?", "magenta"),
}


BINDINGS: list[BindingType] = [
    # One footer entry for the five answers ("y p n a u Answer"), so the keys that matter
    # after them (Complete, Reopen, Next case) still fit at 80 columns.
    Binding("y", "answer('yes')", "Yes", group=ANSWER_GROUP),
    Binding("p", "answer('partly')", "Partly", group=ANSWER_GROUP),
    Binding("n", "answer('no')", "No", group=ANSWER_GROUP),
    Binding("a", "answer('na')", "N/A", group=ANSWER_GROUP),
    Binding("u", "answer('unknown')", "Unknown", group=ANSWER_GROUP),
    # Keys that open a dialog are priority bindings: the app runs them as it takes the key
    # from the terminal, before it hands the next key on, so the keys typed after them go
    # to the dialog and none to this screen (see modals.Dialog).
    Binding("e", "note", "Note", priority=True),
    Binding("c", "complete", "Complete"),
    Binding("R", "reopen", "Reopen", priority=True),
    Binding("N", "next_case", "Next case"),
    Binding("g", "next_gap", "Next gap"),
    Binding("s", "next_section(1)", "Next section", show=False),
    Binding("S", "next_section(-1)", "Previous section", show=False),
    Binding("i", "case_file", "Case file", show=False),
    Binding("h", "history", "History", show=False, priority=True),
    Binding("delete", "clear", "Clear", show=False),
    Binding("shift+down", "scroll_guidance(1)", "Scroll guidance", show=False),
    Binding("shift+up", "scroll_guidance(-1)", "Scroll guidance", show=False),
    # Up and Down as screen keys too: wherever focus is, they move between questions.
    Binding("down,j", "move(1)", "Next", show=False),
    Binding("up,k", "move(-1)", "Previous", show=False),
    Binding("escape", "back", "Cases"),
]
