"""The title and key bars that stand in for Textual's Header and Footer: what they show, where,
that a click on a key presses it (a key that does not apply presses nothing) and a click on
the icon opens the palette. What they show is read from the screen as drawn (tests/tui/drawn),
so a bar that is not redrawn after a change fails."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable

from casereview.io.imports.cases import read_case_file
from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import AuditCasesScreen, ReviewScreen
from casereview.tui.screens.new_audit import NewAuditScreen
from casereview.tui.widgets.bars import KeyBar, TitleBar
from tests.factories import CASES, MINI, complete_review
from tests.tui.drawn import colour_at, line

NARROW, WIDE = (80, 24), (160, 48)
FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


def column_of(bar: KeyBar, words: str) -> int:
    """The column where `words` start on the bar."""
    at = line(bar).find(words)
    assert at >= 0, f"{words!r} not on the bar: {line(bar)!r}"
    return at


async def test_the_audits_keys_in_order_and_the_palette_only_when_wide(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, _audit = audited
    for size, palette in ((NARROW, False), (WIDE, True)):
        app = make_app(store, "ann")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            bar = app.screen.query_one(KeyBar)
            shown = line(bar)
            words = ["Open", "Findings", "Trends", "New audit", "Case pool", "Refresh", "Help"]
            places = [shown.find(w) for w in words]
            assert -1 not in places and places == sorted(places), shown
            assert " f Findings " in shown and " ? Help " in shown
            assert ("^p palette" in shown) is palette
            if palette:  # at the right edge, as the footer put it
                assert shown.endswith("▏ ^p palette ") and len(shown) == size[0]


async def test_a_click_on_a_key_presses_it(audited: tuple[Store, AuditInfo]) -> None:
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        assert bar.key_at(column_of(bar, "Refresh") - 3) == ("r", True)  # the key's own chip
        assert await pilot.click(KeyBar, offset=(column_of(bar, "New audit") + 2, 0))
        await pilot.pause()
        assert isinstance(app.screen, NewAuditScreen)


async def test_a_click_on_a_dimmed_key_answers_nothing(
    audited: tuple[Store, AuditInfo], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A completed review greys the answer keys: clicking one leaves the answers as they were."""
    store, audit = audited
    case_id = store.audit_cases(audit.id)[0].case.id
    review_id = complete_review(store, audit.id, case_id, "ann", "primary", FULL)
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("enter", "up", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.locked
        await pilot.pause()
        bar = screen.query_one(KeyBar)
        no, reopen = column_of(bar, " n "), column_of(bar, " R ")
        assert bar.key_at(no + 1) == ("n", False)
        # drawn dimmed: the answer key in another colour than R, which applies
        assert colour_at(bar, no + 1) != colour_at(bar, reopen + 1)
        pressed: list[str] = []
        bells: list[bool] = []
        monkeypatch.setattr(app, "simulate_key", pressed.append)
        monkeypatch.setattr(app, "bell", lambda: bells.append(True))
        await pilot.click(KeyBar, offset=(no + 1, 0))
        await pilot.pause()
        assert pressed == [] and bells == [True]  # a beep, and no key reaches the review
        assert store.answer_values(review_id) == FULL
        monkeypatch.undo()
        # Reopening changes the keys that apply: the bar is drawn again with them enabled,
        # the answer keys in the colour of a key that applies (on the screen, not only in
        # what the bar would draw if asked).
        await pilot.press("R", *"typo", "enter")  # R asks why first
        await pilot.pause()
        assert not screen.locked
        assert app.screen is screen
        no, complete = column_of(bar, " n "), column_of(bar, " c ")
        assert bar.key_at(no + 1) == ("n", True)
        assert colour_at(bar, no + 1) == colour_at(bar, complete + 1)


def centred(line: str, title: str) -> bool:
    """The bar's line is the icon's 8 columns, `title` centred in the middle, 10 spare."""
    middle = len(line) - 18
    left = (middle - len(title)) // 2
    expected = " ⭘".ljust(8) + " " * left + title + " " * (middle - left - len(title)) + " " * 10
    return line == expected


async def test_the_title_bar_names_the_audit_as_text_centred(fresh_store: Store) -> None:
    """The cases screen's subtitle is the audit's name, shown as typed (never as markup),
    centred between the icon's column and the clock's space; a click on the icon opens the
    command palette."""
    info = fresh_store.add_checklist(MINI.read_text(), str(MINI))
    fresh_store.insert_case_rows(read_case_file(CASES).rows)
    ids = [c.id for c in fresh_store.cases()]
    fresh_store.create_audit("[b]Q1[/b] dip", info.pk, ids, created_by="lead", seed=1)
    app = make_app(fresh_store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        shown = line(app.screen.query_one(TitleBar))
        assert centred(shown, "casereview — stalking case-file review"), shown
        await pilot.press("enter")
        assert isinstance(app.screen, AuditCasesScreen)
        await pilot.pause()
        shown = line(app.screen.query_one(TitleBar))
        assert centred(shown, "casereview — [b]Q1[/b] dip"), shown
        await pilot.click(TitleBar, offset=(1, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_the_keys_stay_when_a_widget_is_maximized(audited: tuple[Store, AuditInfo]) -> None:
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        screen = app.screen
        assert screen.maximize(screen.query_one(DataTable))
        await pilot.pause()
        bar = screen.query_one(KeyBar)
        assert bar.region.height == 1 and bar.region.width == 80
