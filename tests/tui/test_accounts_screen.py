"""Accounts from the app: an admin adds, removes and resets; everyone changes their own
password (the old one first). Each change is in the database and the trail, ends the
account's stored sessions, and nothing typed shows on screen."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from casereview.serve import accounts
from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.form import FormDialog
from casereview.tui.dialogs.modals import ConfirmScreen
from casereview.tui.screens import AuditsScreen
from casereview.tui.screens.accounts import AccountsScreen, change_my_password
from casereview.tui.widgets.bars import KeyBar
from tests.served import PASSWORD, add_account
from tests.tui.waiting import until

NARROW, WIDE = (80, 24), (160, 48)
NEW = "brandnewpw42"


def team(store: Store) -> None:
    add_account(store, "khan")
    store.set_role("khan", "admin", "owner")
    add_account(store, "ana")
    store.start_session("ana-token", "ana", 2e9, 1e9)  # ana is signed in somewhere
    _BEFORE[id(store)] = len(store.events())


_BEFORE: dict[int, int] = {}


async def type_in(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)
    await pilot.press("enter")


def events(store: Store) -> list[tuple[str, str, str | None, str | None]]:
    return [(e.kind, e.actor, e.old, e.new) for e in store.events()][_BEFORE[id(store)] :]


def rows(app: Any) -> int:
    tables = app.screen.query(DataTable)
    return tables.first().row_count if tables else 0


def drawn(app: Any) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query("Static, Label, Input, DataTable"))


async def test_an_admin_adds_an_account_with_a_role(audited: tuple[Store, AuditInfo]) -> None:
    store, _audit = audited
    team(store)
    app = make_app(store, "khan")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen), "the accounts")
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, FormDialog), "the add dialog")
        await type_in(pilot, "carol")
        for _ in range(len("reviewer")):
            await pilot.press("backspace")
        await type_in(pilot, "scrutiny")
        await type_in(pilot, NEW)
        await pilot.press(*NEW)
        assert NEW not in drawn(app)  # masked as it is typed
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen), "back")
        table = app.screen.query_one(DataTable)
        assert "carol" in [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
    carol = store.exact_account("carol")
    assert carol is not None and carol.role == "scrutiny"
    assert accounts.verify(carol.password_hash, NEW)
    assert events(store) == [("user_added", "khan", None, "carol")]


async def test_two_different_new_passwords_are_refused_in_the_dialog(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, _audit = audited
    team(store)
    app = make_app(store, "khan")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen), "the accounts")
        await pilot.press("p")  # ana, khan (by name): ana
        await until(pilot, lambda: isinstance(app.screen, FormDialog), "the dialog")
        await type_in(pilot, NEW)
        await type_in(pilot, NEW + "x")
        refusal = app.screen.query_one("#form-refusal", Static)
        assert "differ" in str(refusal.render())
        assert all(i.value == "" for i in app.screen.query(Input))  # cleared, not kept
    assert accounts.verify(store.password_hash("ana"), PASSWORD)  # unchanged
    assert events(store) == []


async def test_an_admin_resets_a_password_and_ends_its_sessions(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, _audit = audited
    team(store)
    app = make_app(store, "khan")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen), "the accounts")
        await until(pilot, lambda: rows(app) == 2, "the rows")
        await pilot.press("p")  # ana, khan (by name): ana
        await until(pilot, lambda: isinstance(app.screen, FormDialog), "the dialog")
        await type_in(pilot, NEW)
        await type_in(pilot, NEW)
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen), "back")
    assert accounts.verify(store.password_hash("ana"), NEW)
    assert store.sessions_of("ana") == 0
    assert events(store) == [("password_changed", "khan", None, "ana")]


async def test_an_admin_removes_an_account_but_not_their_own(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, _audit = audited
    team(store)
    app = make_app(store, "khan")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("u")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen), "the accounts")
        await until(pilot, lambda: rows(app) == 2, "the rows")
        await pilot.press("down", "d")  # ana, khan (by name): khan, their own
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen), "back")
        assert store.exact_account("khan") is not None
        await pilot.press("up", "d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await until(pilot, lambda: rows(app) == 1, "removed")
    assert store.exact_account("ana") is None
    assert store.sessions_of("ana") == 0
    assert events(store) == [("user_removed", "khan", "ana", None)]


async def test_a_reviewer_changes_their_own_password_giving_the_old_one(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, _audit = audited
    team(store)
    app = make_app(store, "ana")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        change_my_password(app)  # the palette's "Change my password"
        await until(pilot, lambda: isinstance(app.screen, FormDialog), "the dialog")
        await type_in(pilot, "wrongoldpw1")
        await type_in(pilot, NEW)
        await type_in(pilot, NEW)
        assert "current password is wrong" in str(app.screen.query_one("#form-refusal").render())
        assert accounts.verify(store.password_hash("ana"), PASSWORD)
        assert app.screen.focused is app.screen.query_one("#field-0")  # cleared, from the top
        await pilot.press(*[("space" if c == " " else c) for c in PASSWORD], "enter")
        await type_in(pilot, NEW)
        await type_in(pilot, NEW)
        await until(pilot, lambda: isinstance(app.screen, AuditsScreen), "the dialog closed")
    assert accounts.verify(store.password_hash("ana"), NEW)
    assert store.sessions_of("ana") == 0  # signed out everywhere: sign in with the new one
    assert events(store) == [("password_changed", "ana", None, "ana")]


async def test_a_reviewer_is_not_let_into_the_accounts(audited: tuple[Store, AuditInfo]) -> None:
    store, _audit = audited
    team(store)
    app = make_app(store, "ana")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, AuditsScreen)
        app.push_screen(AccountsScreen())  # even shown, its changes are refused
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen), "the screen")
        await until(pilot, lambda: rows(app) == 2, "the rows")
        await pilot.press("down", "d")  # khan
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the question")
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen), "back")
    assert store.exact_account("khan") is not None
    assert events(store) == []


async def test_the_accounts_keys_fit_the_80_column_bar(audited: tuple[Store, AuditInfo]) -> None:
    store, _audit = audited
    team(store)
    for size in (NARROW, WIDE):
        app = make_app(store, "khan")
        async with app.run_test(size=size) as pilot:
            await pilot.press("u")
            await until(pilot, lambda: isinstance(pilot.app.screen, AccountsScreen), "accounts")
            await pilot.pause()
            assert app.screen.query_one(KeyBar).render().cell_len <= size[0]


async def test_the_palette_offers_accounts_to_an_admin_only(
    audited: tuple[Store, AuditInfo],
) -> None:
    """Nothing offered that would only refuse: a reviewer's palette has no Accounts entry
    (pressed anyway, `u` does nothing), an admin's has one, once; both change their password."""
    store, _audit = audited
    team(store)
    for who, offered in (("ana", False), ("khan", True)):
        app = make_app(store, who)
        async with app.run_test(size=NARROW) as pilot:
            await pilot.pause()
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert (titles.count("Accounts (u)") == 1) is offered, (who, titles)
            assert "Change my password" in titles
