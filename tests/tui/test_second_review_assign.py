"""Issue 30, item 2: a blind second review chosen from the cases screen (`s`, or the palette),
for the highlighted case or a seeded share, under the rules `audit second` keeps: never the
case's primary reviewer, never a case that has a second reviewer already. A refusal stays in
the dialog with its reason and writes nothing."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from casereview.store import AuditInfo, Store
from casereview.tui.app import CaseReviewApp, make_app
from casereview.tui.dialogs.second import SecondReviewDialog
from casereview.tui.screens import AuditCasesScreen
from tests.tui.test_markup import screen_text
from tests.tui.waiting import until

SIZES = [(80, 24), (160, 48)]


def seconds(store: Store, audit: AuditInfo) -> dict[int, str | None]:
    return {ac.case.id: ac.second_reviewer for ac in store.audit_cases(audit.id)}


def second_events(store: Store) -> list[str]:
    return [f"{e.actor} {e.new} {e.reason}" for e in store.events() if e.kind == "second_assigned"]


async def open_dialog(app: CaseReviewApp, pilot: Pilot[None], *typed: str) -> SecondReviewDialog:
    """The cases screen, then `s` and `typed` (the dialog takes keys typed straight on)."""
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, AuditCasesScreen), "the cases")
    await pilot.press("s", *typed)
    await until(pilot, lambda: isinstance(app.screen, SecondReviewDialog), "the dialog")
    assert isinstance(app.screen, SecondReviewDialog)
    return app.screen


def message(dialog: SecondReviewDialog) -> str:
    return str(dialog.query_one("#second-message").render())


@pytest.fixture
def split(audited: tuple[Store, AuditInfo]) -> tuple[Store, AuditInfo, list[int]]:
    """The six cases' primary reviews: ann the first three, bob the last three."""
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    for i, case_id in enumerate(ids):
        store.assign(audit.id, case_id, "ann" if i < 3 else "bob", "lead")
    return store, audit, ids


@pytest.mark.parametrize("size", SIZES)
async def test_s_assigns_the_highlighted_case_and_the_row_shows_who(
    split: tuple[Store, AuditInfo, list[int]], size: tuple[int, int]
) -> None:
    store, audit, ids = split
    app = make_app(store, "lead")
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, AuditCasesScreen), "the cases")
        screen = app.screen
        assert isinstance(screen, AuditCasesScreen)
        key = screen.table.cursor_key
        assert key is not None
        await pilot.press("s", *"sue", "enter")  # typed straight on: the dialog takes them
        await until(pilot, lambda: app.screen is screen, "the dialog closed")
        ref = store.case(int(key)).case_ref
        await until(
            pilot,
            lambda: any(
                ref in row and "sue: to do" in row for row in screen_text(app).splitlines()
            ),
            "the row showing sue",
        )
    assert {c: s for c, s in seconds(store, audit).items() if s} == {int(key): "sue"}
    assert second_events(store) == [f"lead sue 1 cases: {store.case(int(key)).case_ref}"]


async def test_the_primary_reviewer_is_refused_in_the_dialog(
    split: tuple[Store, AuditInfo, list[int]],
) -> None:
    store, audit, ids = split
    app = make_app(store, "lead")
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(app, pilot)
        case = app.screen_stack[-2].table.cursor_key  # type: ignore[attr-defined]
        primary = store.audit_case(audit.id, int(case)).assigned_to
        assert primary is not None
        await pilot.press(*primary, "enter")
        await until(pilot, lambda: "Not assigned" in message(dialog), "the refusal")
        assert f"{primary} is assigned this case's primary review" in message(dialog)
        assert app.screen is dialog  # still open, to type another name
    assert set(seconds(store, audit).values()) == {None}
    assert second_events(store) == []


async def test_a_seeded_share_takes_only_cases_the_rules_allow(
    split: tuple[Store, AuditInfo, list[int]],
) -> None:
    """ann has the first three primaries: half the sample (ceil(0.5 x 6) = 3) for her can only
    be bob's three; then 4 more for anyone is more than the 3 left, and is refused whole."""
    store, audit, ids = split
    app = make_app(store, "lead")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_dialog(app, pilot)
        await pilot.press(*"ann", "tab", *"50%", "enter")
        await until(pilot, lambda: isinstance(app.screen, AuditCasesScreen), "the dialog closed")
        assert seconds(store, audit) == {i: ("ann" if n >= 3 else None) for n, i in enumerate(ids)}
        await pilot.press("s", *"sue", "tab", "4", "enter")
        await until(pilot, lambda: isinstance(app.screen, SecondReviewDialog), "the dialog")
        dialog = app.screen
        assert isinstance(dialog, SecondReviewDialog)
        await until(pilot, lambda: "Not assigned" in message(dialog), "the refusal")
        assert "asked for 4 second reviews but only 3 cases" in message(dialog)
    assert seconds(store, audit) == {i: ("ann" if n >= 3 else None) for n, i in enumerate(ids)}
    assert len(second_events(store)) == 1


async def test_a_case_keeps_its_second_reviewer(
    split: tuple[Store, AuditInfo, list[int]],
) -> None:
    store, audit, ids = split
    for case_id in ids:
        store.assign_second(audit.id, [case_id], "sue", "lead")
    app = make_app(store, "lead")
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(app, pilot, *"tom", "enter")
        case = app.screen_stack[-2].table.cursor_key  # type: ignore[attr-defined]
        ref = store.case(int(case)).case_ref
        await until(pilot, lambda: "Not assigned" in message(dialog), "the refusal")
        # named by its reference, as on the screen (not by its row id)
        assert f"case {ref} already has a second reviewer (sue)" in message(dialog)
    assert set(seconds(store, audit).values()) == {"sue"}


async def test_names_in_the_dialog_are_shown_as_typed(
    split: tuple[Store, AuditInfo, list[int]],
) -> None:
    """A name is data: `[b]eve[/b]` is shown with its brackets, not read as markup, among the
    names suggested and in the refusal."""
    store, audit, ids = split
    for case_id in ids:
        store.assign(audit.id, case_id, "[b]eve[/b]", "lead")
    app = make_app(store, "lead")
    async with app.run_test(size=(160, 48)) as pilot:
        dialog = await open_dialog(app, pilot, *"[b]eve[/b]", "enter")
        await until(pilot, lambda: "Not assigned" in message(dialog), "the refusal")
        shown = screen_text(app)
        assert "Reviewers here: [b]eve[/b]" in shown
        assert "[b]eve[/b] is assigned this case's primary review" in shown
