"""The session screens read: the app's store and reviewer, typed without importing the app.

CaseReviewApp has these attributes; a screen, dialog or palette provider reads them through
session(self.app), and asks the app to open things by posting tui.messages to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from pathlib import Path

    from textual.app import App

    from casereview.store import Store
    from casereview.store.sign_ins import AccountRole


class Session(Protocol):
    """What the app that runs a screen holds for it."""

    store: Store
    reviewer: str
    role: AccountRole
    """The account's role: an admin manages accounts, a scrutiny panel member sees figures
    only (tui.access says what each role may open)."""
    export_folder: Path | None
    """Where this session's last export went (the export dialog starts there)."""


def session(app: App[object]) -> Session:
    """The session `app` (a screen's, dialog's or provider's self.app) holds."""
    return cast("Session", app)
