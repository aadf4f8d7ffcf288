"""README promises about the app, driven with keys and checked in the database.

Expected figures are worked out by hand in the comments, never copied from the code.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, OptionList

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import AuditCasesScreen, AuditsScreen, FindingsScreen, ReviewScreen
from tests.factories import complete_review, seed_store

SIZE = (120, 40)


def cell(table: DataTable, row: int, col: int) -> str:  # type: ignore[type-arg]
    return str(table.get_row_at(row)[col])


def tag_rows(table: DataTable) -> dict[str, str]:  # type: ignore[type-arg]
    return {cell(table, r, 0): cell(table, r, 2) for r in range(table.row_count)}


# --------------------------------------------------------------------------- tags


async def test_pooled_tag_figures_credit_partly_as_half(audited: tuple[Store, AuditInfo]) -> None:
    """README: `v` shows concerns, themes and recommendations, questions pooled by tag."""
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    one = {"REC-01": "yes", "REC-02": "partly", "REC-03": "partly", "SPO-01": "no", "SPO-03": "yes"}
    two = {"REC-01": "yes", "REC-02": "yes", "REC-03": "no", "SPO-01": "yes", "SPO-02": "partly"}
    complete_review(store, audit.id, ids[0], "ann", "primary", one)
    complete_review(store, audit.id, ids[1], "ann", "primary", two)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "v")
        screen = app.screen
        assert isinstance(screen, FindingsScreen) and screen.view == "concerns"
        table = screen.query_one(DataTable)
        rows = tag_rows(table)
        # identification = REC-01..03. REC-01 yes, yes: 2 of 2; REC-02 partly, yes: 1.5 of 2;
        # REC-03 partly, no: 0.5 of 2. Pooled 4 of 6 = 66.7%. Wilson, z = 1.96, n = 6:
        # centre (0.6667 + 0.3201)/1.6403 = 0.6016, half 1.96 * sqrt(0.0370 + 0.0267)/1.6403
        # = 0.3016 -> 30.0-90.3%.  (Ignoring partly would give 3 of 6, 50%.)
        assert rows["Stalking not identified"].startswith("4 of 6, 67%, 95% CI 30-90%")
        # spo = SPO-01..03. SPO-01 no, yes: 1 of 2; SPO-02 (hidden in one) partly: 0.5 of 1;
        # SPO-03 (hidden in two) yes: 1 of 1. Pooled 2.5 of 4.
        assert rows["SPOs not considered"].startswith("2.5 of 4, ")
        await pilot.press("v")
        assert screen.view == "themes"
        rows = tag_rows(table)
        assert rows["Misidentifying stalking"].startswith("4 of 6, 67%")
        assert rows["Stalking Protection Orders"].startswith("2.5 of 4, ")
        await pilot.press("v")
        assert screen.view == "recommendations"
        # R7 = REC-02 alone: partly, yes -> 1.5 of 2, 75%
        assert tag_rows(table)["R7"].startswith("1.5 of 2, 75%")


async def test_findings_sections_count_cases_meeting_in_full(
    audited: tuple[Store, AuditInfo],
) -> None:
    """'14 of 20, 70%, 95% CI 48-85%': counts beside the percentage, and the \u2020 mark."""
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    part = {"REC-01": "yes", "REC-02": "partly", "REC-03": "yes", "SPO-01": "na"}
    for case_id, answers in zip(ids, (full, full, part), strict=False):
        complete_review(store, audit.id, case_id, "ann", "primary", answers)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        table = app.screen.query_one(DataTable)
        # Recording: two cases in full, one at (1 + 1 + 1)/4: 2 of 3, 66.7%.
        # Wilson n = 3: centre (0.6667 + 0.6403)/2.2805 = 0.5731, half
        # 1.96 * sqrt(0.0741 + 0.1067)/2.2805 = 0.3655 -> 20.8-93.9%; fewer than 10: marked
        assert cell(table, 0, 2) == "2 of 3, 67%, 95% CI 21-94% \u2020"
        # Protective orders: SPO-01 na everywhere, nothing applies
        assert cell(table, 1, 2) == "no applicable answers"


# --------------------------------------------------------------------------- resume


def _shown(screen: ReviewScreen) -> list[str]:
    options = screen.query_one(OptionList).options
    return [o.id for o in options if o.id and not o.id.startswith("section:")]


async def test_leaving_a_review_stores_where_the_reviewer_was(db_path: Path) -> None:
    """README: leaving a review and coming back (or restarting) resumes there."""
    store = Store.open(db_path)
    audit = seed_store(store)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert _shown(screen) == ["REC-01", "REC-03", "SPO-01"]
        # moved on to SPO-01 without answering: a look, so nothing saved, nothing started
        await pilot.press("j", "j")
        assert screen.current == "SPO-01"
        await pilot.press("escape")
        assert isinstance(app.screen, AuditCasesScreen)
        assert screen.case_id is not None
        assert store.find_review(audit.id, screen.case_id, "primary") is None
        # REC-03 answered No (the first answer starts the review), on to SPO-01, and left
        await pilot.press("enter", "j", "n")
        started = app.screen
        assert isinstance(started, ReviewScreen) and started.current == "SPO-01"
        review_id = started.review_id
        assert review_id is not None
        await pilot.press("escape")
        assert store.review(review_id).current_question == "SPO-01"
        assert store.answer_values(review_id) == {"REC-03": "no"}
        await pilot.press("enter")
        again = app.screen
        assert isinstance(again, ReviewScreen) and again.review_id == review_id
        assert again.current == "SPO-01"  # not REC-01, the first question
        # answer REC-03 (cursor then on SPO-01), go back up to REC-01 to read it, leave
        await pilot.press("k", "u", "k", "k", "escape")
        assert store.review(review_id).current_question == "REC-01"
    store.close()

    reopened = Store.open(db_path)
    app = make_app(reopened, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.review_id == review_id
        # from REC-01 (unanswered) onwards, REC-01 itself is the first unanswered
        assert screen.current == "REC-01"
        await pilot.press("y")  # REC-02 appears and comes next
        await pilot.press("escape")
    assert reopened.review(review_id).current_question == "REC-02"
    reopened.close()


async def test_resuming_wraps_round_to_an_earlier_unanswered_question(
    audited: tuple[Store, AuditInfo],
) -> None:
    """Left on SPO-01, the last question shown, with every question after REC-01 answered
    but REC-01 not: coming back puts the cursor on REC-01, round from the end (issue 23.17),
    and the question list shows it highlighted."""
    store, audit = audited
    case_id = store.audit_cases(audit.id)[0].case.id
    review = store.open_review(audit.id, case_id, "ann", "primary")
    for qid, value in (("REC-03", "yes"), ("SPO-01", "na")):  # REC-01 skipped, REC-02 hidden
        store.set_answer(review.id, qid, value, "ann")
    assert store.review(review.id).current_question == "SPO-01"
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.review_id == review.id
        assert _shown(screen) == ["REC-01", "REC-03", "SPO-01"]
        assert screen.current == "REC-01"
        questions = screen.query_one(OptionList)
        assert questions.highlighted is not None
        assert questions.get_option_at_index(questions.highlighted).id == "REC-01"
        await pilot.press("y")  # REC-02 appears after REC-01 and is the next to answer
        assert screen.current == "REC-02"


async def test_a_completed_review_reopens_where_it_was_left(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    first = store.audit_cases(audit.id)[0].case.id
    review_id = complete_review(
        store, audit.id, first, "ann", "primary", {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"}
    )
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.review_id == review_id
        assert screen.locked
        await pilot.press("k", "escape")  # looking at a locked review changes nothing
    assert store.review(review_id).current_question == "SPO-01"  # the last answer saved
    assert store.answer_values(review_id) == {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"}


# --------------------------------------------------------------------------- blind


async def test_findings_closed_to_a_blind_second_reviewer_from_the_cases_screen_too(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    answers = {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"}
    complete_review(store, audit.id, ids[0], "ann", "primary", answers)
    store.assign_second(audit.id, [ids[0]], "bob", "lead")
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, AuditCasesScreen)
        await pilot.press("f")
        assert isinstance(app.screen, AuditCasesScreen)  # not the findings, nor an export
        # bob's own second review started but unfinished: still closed
        review = store.open_review(audit.id, ids[0], "bob", "second")
        store.set_answer(review.id, "REC-01", "no", "bob")
        await pilot.press("f")
        assert isinstance(app.screen, AuditCasesScreen)
        await pilot.press("escape", "f")
        assert isinstance(app.screen, AuditsScreen)
    # the primary reviewer is never blocked
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, FindingsScreen)


# --------------------------------------------------------------------------- keys


async def test_delete_clears_an_answer_and_the_trail_says_so(
    audited: tuple[Store, AuditInfo],
) -> None:
    """README: `Delete` clears an answer (and skip logic follows: REC-02 disappears)."""
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("y")  # REC-01 yes: REC-02 appears
        assert "REC-02" in _shown(screen)
        await pilot.press("k", "delete")
        assert screen.review_id is not None
        assert store.answer_values(screen.review_id) == {"REC-01": None}
        assert "REC-02" not in _shown(screen)
        last = store.events(screen.review_id)[-1]
        assert (last.kind, last.question_id, last.old, last.new) == (
            "answer",
            "REC-01",
            "yes",
            None,
        )


async def test_help_opens_with_f1_and_question_mark_on_every_screen(
    audited: tuple[Store, AuditInfo],
) -> None:
    from casereview.tui.screens import HelpScreen

    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    complete_review(
        store, audit.id, ids[1], "ann", "primary", {"REC-01": "no", "REC-03": "no", "SPO-01": "na"}
    )
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        for opener in ((), ("enter",), ("enter",), ("escape", "escape", "f")):
            await pilot.press(*opener)
            behind = app.screen
            for key in ("f1", "question_mark"):
                await pilot.press(key)
                assert isinstance(app.screen, HelpScreen), (type(behind).__name__, key)
                await pilot.press("escape")
                assert app.screen is behind
        assert isinstance(app.screen, FindingsScreen)
    # looking at help answered nothing
    assert all(store.answer_values(r.id) == {} for r in store.reviews_of_case(audit.id, ids[0]))
