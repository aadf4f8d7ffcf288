"""What screens ask of the app, as messages the app handles (CaseReviewApp.on_open_*).

Screens, dialogs and the command palette never import the app: they post one of these to
it, and read the session (the store, the reviewer) through session.Session. The app owns
the screen stack, so how a case opens (asking first, reusing the cases screen) is decided
in one place.
"""

from __future__ import annotations

from textual.message import Message


class OpenAudit(Message):
    """Open an audit's cases screen."""

    def __init__(self, audit_id: int) -> None:
        super().__init__()
        self.audit_id = audit_id


class OpenFindings(Message):
    """Open an audit's findings, unless the reviewer still has blind second reviews there."""

    def __init__(self, audit_id: int) -> None:
        super().__init__()
        self.audit_id = audit_id


class OpenCase(Message):
    """Open this reviewer's review of a case; `stay` opens it over the current screen, and
    `at` at that question (where the review shows it) rather than where the reviewer left off."""

    def __init__(
        self, audit_id: int, case_id: int, stay: bool = False, at: str | None = None
    ) -> None:
        super().__init__()
        self.audit_id = audit_id
        self.case_id = case_id
        self.stay = stay
        self.at = at
