"""Accounts, for an admin: add and remove accounts, reset a password; and, for everyone
with an account, their own password. Reached from the audits screen by `u` (an admin's) or
the palette (ctrl+p: "Accounts", "Change my password").

The rules (who may, old password first, hashing, the trail, ending sessions) are
serve.admin's; this screen only asks and shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from casereview.core.problems import CasereviewError
from casereview.serve import admin
from casereview.store.sign_ins import ACCOUNT_ROLES, DEFAULT_ROLE
from casereview.tui.dialogs.form import Field, FormDialog
from casereview.tui.screens._base import StoreScreen, highlighted_key
from casereview.tui.session import session
from casereview.tui.widgets.bars import KeyBar, TitleBar

ENDS_SESSIONS = "Their open sessions end; they sign in again."


def _attempt(action: Callable[[], object]) -> str | None:
    """Run an account change; its refusal as words (None: done)."""
    try:
        action()
    except CasereviewError as exc:
        return str(exc)
    return None


def _two_passwords(values: dict[str, str]) -> str | None:
    if values["new"] != values["again"]:
        return "the two new passwords differ; type them again"
    return None


def password_fields(own: bool) -> list[Field]:
    fields = [Field("old", "Your current password", secret=True)] if own else []
    return fields + [
        Field("new", "New password (8 characters or more)", secret=True),
        Field("again", "New password again", secret=True),
    ]


def change_my_password(app: App[Any]) -> None:
    """Ask the signed-in reviewer for their current and new password."""
    s = session(app)

    def check(values: dict[str, str]) -> str | None:
        return _two_passwords(values) or _attempt(
            lambda: admin.change_own_password(s.store, s.reviewer, values["old"], values["new"])
        )

    def told(message: str | None) -> None:
        if message:
            app.notify(message, title="Password changed", markup=False, timeout=10)

    app.push_screen(
        FormDialog(
            f"Change the password of {s.reviewer}",
            "Your open sessions end with the change: sign in again with the new password.",
            password_fields(own=True),
            check,
            "Your password is changed; sign in again with it.",
        ),
        told,
    )


def open_accounts(app: App[Any]) -> None:
    s = session(app)
    if not admin.is_admin(s.store, s.reviewer):
        app.notify(
            f"{s.reviewer} is not an admin: the server's owner names admins "
            "(casereview users role NAME admin).",
            title="Accounts closed to you",
            severity="warning",
            markup=False,
        )
        return
    app.push_screen(AccountsScreen())


def account_commands(app: App[Any], screen: Screen[Any]) -> Iterable[SystemCommand]:
    """The palette's "Change my password", for anyone with an account. (An admin's Accounts
    is the audits screen's `u`, in the palette as its hidden keys are.)"""
    s = session(app)
    if s.store.exact_account(s.reviewer) is not None:
        yield SystemCommand(
            "Change my password",
            "Your current password, then the new one twice",
            lambda: change_my_password(app),
        )


class AccountsScreen(StoreScreen):
    """Every account with its role and last sign-in; an admin's changes, each in the trail."""

    BINDINGS = [
        Binding("a", "add", "Add"),
        Binding("d", "remove", "Remove"),
        Binding("p", "reset", "Reset password"),
        Binding("m", "mine", "My password"),
        Binding("escape", "back", "Back"),
    ]

    def compose(self) -> Any:
        yield TitleBar()
        yield Static(
            Text(
                "Accounts that sign in to the served app. Roles: "
                + "; ".join(ACCOUNT_ROLES)
                + ". Removing an account or a new password ends its open sessions."
            ),
            id="accounts-intro",
        )
        yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Account", "Role", "Added by", "Last sign-in")
        self.action_refresh()

    def action_refresh(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for u in self.store.users():
            last = u.last_sign_in[:16].replace("T", " ") if u.last_sign_in else "never"
            table.add_row(Text(u.name), u.role, Text(u.created_by), last, key=u.name)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def _chosen(self) -> str | None:
        return highlighted_key(self.query_one(DataTable))

    def _after(self, message: str | None) -> None:
        if message:
            self.action_refresh()
            self.notify(message, title="Accounts", markup=False)

    def action_add(self) -> None:
        store, actor = self.store, self.reviewer

        def check(values: dict[str, str]) -> str | None:
            name = values["name"].strip()
            return _two_passwords(values) or _attempt(
                lambda: admin.add_account(store, actor, name, values["new"], values["role"])
            )

        fields = [
            Field("name", "Name (the reviewer name their reviews are under)"),
            Field("role", f"Role: {', '.join(ACCOUNT_ROLES)}", value=DEFAULT_ROLE),
            *password_fields(own=False),
        ]
        self.app.push_screen(
            FormDialog("Add an account", "Tell them the password yourself.", fields, check, ""),
            lambda done: self._after("Account added." if done is not None else None),
        )

    def action_remove(self) -> None:
        from casereview.tui.dialogs.modals import ConfirmScreen

        name = self._chosen()
        if name is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            refusal = _attempt(lambda: admin.remove_account(self.store, self.reviewer, name))
            if refusal:
                self.notify(refusal, title="Not removed", severity="error", markup=False)
            else:
                self._after(f"Removed the account {name}.")

        self.app.push_screen(
            ConfirmScreen(
                f"Remove the account {name}?",
                f"Their reviews and the trail stay. {ENDS_SESSIONS}",
            ),
            answered,
        )

    def action_reset(self) -> None:
        name = self._chosen()
        if name is None:
            return
        store, actor = self.store, self.reviewer

        def check(values: dict[str, str]) -> str | None:
            return _two_passwords(values) or _attempt(
                lambda: admin.reset_password(store, actor, name, values["new"])
            )

        self.app.push_screen(
            FormDialog(
                f"New password for {name}",
                f"Tell them the new password yourself. {ENDS_SESSIONS}",
                password_fields(own=False),
                check,
                f"New password set for {name}.",
            ),
            self._after,
        )

    def action_mine(self) -> None:
        change_my_password(self.app)

    def action_back(self) -> None:
        self.app.pop_screen()
