"""What every screen shares: typed access to the app's store and reviewer."""

from __future__ import annotations

from textual import events
from textual.screen import Screen
from textual.widgets import DataTable

from casereview.store import Store
from casereview.tui.session import Session, session
from casereview.tui.widgets.bars import KeyBar


class StoreScreen(Screen[None]):
    """A screen that reads and writes through the app's store; it asks the app to open
    audits, findings and cases by posting tui.messages to it."""

    @property
    def session(self) -> Session:
        return session(self.app)

    @property
    def store(self) -> Store:
        return self.session.store

    @property
    def reviewer(self) -> str:
        return self.session.reviewer

    def on_resize(self, event: events.Resize) -> None:
        # Below 100 columns the screen's keys need the whole footer; ctrl+p is in the help.
        for bar in self.query(KeyBar):
            bar.show_command_palette = event.size.width >= 100


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """A text bar for tables: '███████░░░' ."""
    if total <= 0:
        return "░" * width
    filled = round(width * done / total)
    return "█" * filled + "░" * (width - filled)


def highlighted_key(table: DataTable) -> str | None:  # type: ignore[type-arg]
    """The key of the table's highlighted row; None when the table is empty."""
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
