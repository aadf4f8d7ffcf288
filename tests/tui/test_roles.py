"""Whose review is whose: taking over a colleague's case asks first; roles show on screen."""

from __future__ import annotations

import gc

from textual.widgets import Input, Select

from casereview.core.fields import Role
from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.modals import ConfirmScreen
from casereview.tui.screens import AuditCasesScreen, AuditsScreen, ReviewScreen
from casereview.tui.screens.new_audit import NewAuditScreen
from tests.factories import complete_review
from tests.tui.waiting import until

SIZE = (100, 32)


async def test_opening_a_colleagues_case_asks_before_taking_it(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    first = store.audit_cases(audit.id)[0].case
    store.assign(audit.id, first.id, "bob", "lead")
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert isinstance(app.screen, AuditCasesScreen)
        assert store.reviews_of_case(audit.id, first.id) == []  # looking started nothing
        await pilot.press("enter", "y")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        # the first answer starts the review, as ann's primary review
        await pilot.press("y")
        review = store.review(screen.review_id or 0)
        assert (review.case_id, review.reviewer, review.role) == (first.id, "ann", "primary")
        # back on the list, the row shows the answer given
        await pilot.press("escape")
        assert isinstance(app.screen, AuditCasesScreen)
        assert str(app.screen.table.get_row_at(0)[2]) == "in progress (1 answered)"


async def test_own_and_unassigned_cases_open_without_a_question(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    first, second = (ac.case for ac in store.audit_cases(audit.id)[:2])
    store.assign(audit.id, first.id, "ann", "lead")
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("escape", "down", "enter")  # the second case is nobody's yet
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.case_id == second.id and app.screen.role == "primary"


async def test_a_second_reviewer_starts_on_their_blind_review_and_is_told_so(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    third = store.audit_cases(audit.id)[2].case
    store.assign_second(audit.id, [third.id], "bob", "lead")
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        cases = app.screen
        assert isinstance(cases, AuditCasesScreen)
        assert cases.table.cursor_row == 2
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.role == "second" and screen.review_id is None  # not started by a look
        assert str(screen.sub_title).endswith("blind second review")
        # the side pane says so too, where the title is cut at 80 columns
        assert "BLIND second review" in str(screen.query_one("#review-role").render())
        await pilot.press("y")
        assert store.review(screen.review_id or 0).role == "second"


async def test_moderation_needs_a_finished_pair(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    app = make_app(store, "mod")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "o")
        await pilot.pause()
        assert isinstance(app.screen, AuditCasesScreen)  # no empty moderation screen
        assert any("no completed pair" in str(n.message) for n in app._notifications)


async def test_back_from_a_review_its_row_shows_the_progress(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "down", "enter")  # the second case
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("y", "y", "escape")
        cases = app.screen
        assert isinstance(cases, AuditCasesScreen)
        table = cases.table
        assert str(table.get_row_at(1)[2]) == "in progress (2 answered)"
        assert str(table.get_row_at(0)[2]) == "not started"
        assert "0 of 6 complete, 1 in progress" in str(cases.query_one("#cases-summary").render())
        # opening the next case reuses this cases screen rather than building another
        await pilot.press("enter")
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen_stack[-2] is cases


async def test_the_audits_screen_shows_each_reviewers_progress(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    for case_id, who in zip(ids[:3], ["ann", "ann", "bob"], strict=True):
        store.assign(audit.id, case_id, who, "lead")
    finished = {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"}
    complete_review(store, audit.id, ids[0], "ann", "primary", finished)
    store.assign_second(audit.id, [ids[0], ids[4]], "cat", "lead")
    store.open_review(audit.id, ids[0], "cat", "second")
    app = make_app(store, "lead")
    async with app.run_test(size=(120, 32)) as pilot:
        await pilot.pause()
        text = str(app.screen.query_one("#reviewer-progress").render())
        # ann: 2 assigned, 1 complete; bob: 1 assigned, none started; cat: 2 chosen, 1 open
        assert "By reviewer: ann 1/2 done  bob 0/1 done" in text
        assert "Second reviews: cat 0/2 done, 1 open" in text


async def test_leaving_a_half_filled_new_audit_form_asks_first(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, _audit = audited
    app = make_app(store, "lead")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("n", "escape")  # nothing typed: it just closes
        assert isinstance(app.screen, AuditsScreen)
        await pilot.press("n", *"Q3")
        form = app.screen
        assert isinstance(form, NewAuditScreen)
        strata = [value for _label, value in form.query_one("#stratify", Select)._options]
        # any field of the pool, its extra attributes too, but not one-per-case dates
        assert {"team", "relationship"} <= set(strata) and "reported_at" not in strata
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep editing: the name is still there
        assert app.screen is form and form.query_one("#name", Input).value == "Q3"
        await pilot.press("escape", "y")
        assert isinstance(app.screen, AuditsScreen)
        assert [a.name for a in store.audits()] == ["Test audit"]


async def test_findings_stay_closed_to_a_second_reviewer_until_their_pairs_are_done(
    audited: tuple[Store, AuditInfo],
) -> None:
    from casereview.tui.screens import FindingsScreen

    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    answers = {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"}

    def complete(case_id: int, who: str, role: Role) -> None:
        complete_review(store, audit.id, case_id, who, role, answers)

    complete(ids[0], "ann", "primary")
    complete(ids[1], "ann", "primary")
    store.assign_second(audit.id, [ids[0]], "bob", "lead")
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, AuditsScreen)  # ann's answers to ids[0] stay hidden
        assert store.blind_pairs_open(audit.id, "bob") == 1
        complete(ids[0], "bob", "second")
        await pilot.press("f")
        assert isinstance(app.screen, FindingsScreen)
    # anyone without an open blind pair sees the findings at once
    assert store.blind_pairs_open(audit.id, "ann") == 0


async def test_the_app_freezes_its_start_up_objects_and_hands_them_back(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, _audit = audited
    app = make_app(store, "ann")
    try:
        async with app.run_test(size=SIZE) as pilot:
            # Textual's and the first screen's objects, frozen once the first frame is drawn
            await until(pilot, lambda: gc.get_freeze_count() > 10_000, "the start-up freeze")
        assert gc.get_freeze_count() == 0  # nothing left out of collection once the app is gone
    finally:
        gc.unfreeze()  # a failure here must not leave the next tests' objects uncollected


async def test_a_warm_up_that_comes_as_the_app_closes_freezes_nothing(
    audited: tuple[Store, AuditInfo],
) -> None:
    """The warm-up's timer (WARM_AFTER_SECONDS) can fire while the app shuts down: Textual
    then runs its callback after on_unmount has handed the frozen objects back, and those
    of the closed app stayed frozen, never collected, for the rest of the process (seen
    under load as the test above failing with 80,000 objects still frozen)."""
    store, _audit = audited
    app = make_app(store, "ann")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: gc.get_freeze_count() > 0, "the start-up freeze")
        assert gc.get_freeze_count() == 0
        app._warm()  # what the timer's callback does when it is run after the unmount
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
