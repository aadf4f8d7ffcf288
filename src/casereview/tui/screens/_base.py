"""What every screen shares: typed access to the app's store and reviewer."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import events
from textual.screen import Screen
from textual.widgets import DataTable

from casereview.core.access import panel_refusal
from casereview.store import Store
from casereview.tui.session import Session, session
from casereview.tui.styles import SCREENS_CSS
from casereview.tui.widgets.bars import KeyBar


class StoreScreen(Screen[None]):
    """A screen that reads and writes through the app's store; it asks the app to open
    audits, findings and cases by posting tui.messages to it.

    PANEL_CLOSED names the actions a scrutiny panel account may not run here, and what each
    would show it (core.access): they are neither offered nor run, whatever the key."""

    PANEL_CLOSED: ClassVar[dict[str, str]] = {}
    CSS_PATH: ClassVar[Path | None] = SCREENS_CSS  # read when the first screen or dialog opens

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.panel_refusal(action) is None

    def panel_refusal(self, action: str) -> str | None:
        """Why this session may not run `action` here (None: it may)."""
        what = self.PANEL_CLOSED.get(action)
        return None if what is None else panel_refusal(self.session.role, what)

    def panel_refused(self, action: str, what: str | None = None) -> bool:
        """For an action run other than by its key (the palette, Enter on a row): True, and
        the refusal said, when this session may not run it (`what` it would show, if it is
        not in PANEL_CLOSED)."""
        refusal = panel_refusal(self.session.role, what) if what else self.panel_refusal(action)
        if refusal:
            self.notify(refusal, title="Closed to a scrutiny panel", severity="warning")
        return refusal is not None

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
