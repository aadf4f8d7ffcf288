"""A review resumes where the reviewer was: leaving stores the place, resuming wraps round to
an earlier unanswered question, and a completed review reopens where it was left.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import AuditCasesScreen, ReviewScreen
from tests.factories import complete_review, seed_store

SIZE = (120, 40)


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
