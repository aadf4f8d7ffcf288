"""The highlighted row's whole text, under a table that must cut it to fit (a question's
text in moderation and the findings, a checklist's name): nothing has to be guessed."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class RowDetail(Static):
    """One to three lines under a table: what its highlighted row says, uncut."""

    DEFAULT_CSS = """
    RowDetail {
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $text;
        background: $boost;
    }
    """

    def show(self, *parts: str | tuple[str, str]) -> None:
        """Show these parts (data as plain strings: Text, never markup)."""
        self.update(Text.assemble(*parts))
