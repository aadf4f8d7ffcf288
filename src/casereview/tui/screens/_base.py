"""What every screen shares: typed access to the app's store and reviewer."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import events
from textual.screen import Screen
from textual.widgets import DataTable

from casereview.store import Store
from casereview.tui.widgets.bars import KeyBar

if TYPE_CHECKING:
    from casereview.tui.app import CaseReviewApp


class StoreScreen(Screen[None]):
    """A screen that reads and writes through the app's store."""

    @property
    def cr_app(self) -> CaseReviewApp:
        return cast("CaseReviewApp", self.app)

    @property
    def store(self) -> Store:
        return self.cr_app.store

    @property
    def reviewer(self) -> str:
        return self.cr_app.reviewer

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
