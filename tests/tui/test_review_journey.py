"""The review journey driven as a user: keys in, database state out."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, OptionList

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import AuditCasesScreen, AuditsScreen, HelpScreen, ReviewScreen
from tests.factories import seed_store
from tests.tui.waiting import palette_highlights, until

SIZE = (100, 32)


def shown_ids(screen: ReviewScreen) -> list[str]:
    options = screen.query_one(OptionList).options
    return [o.id for o in options if o.id and not o.id.startswith("section:")]


async def test_the_whole_journey(db_path: Path) -> None:
    store = Store.open(db_path)
    audit = seed_store(store)
    first_case = store.audit_cases(audit.id)[0].case
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, AuditsScreen)
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("enter")
        assert isinstance(app.screen, AuditCasesScreen)
        assert app.screen.table.row_count == 6
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        # a look starts nothing: the review starts with its first answer (issue 17)
        assert screen.review_id is None
        assert (screen.case_id, screen.role) == (first_case.id, "primary")
        assert store.find_review(audit.id, first_case.id, "primary") is None
        assert screen.current == "REC-01"
        assert shown_ids(screen) == ["REC-01", "REC-03", "SPO-01"]

        # answer: saved, and the newly shown REC-02 comes next
        await pilot.press("y")
        review = store.review(screen.review_id or 0)
        assert (review.case_id, review.reviewer, review.role) == (first_case.id, "ann", "primary")
        assert store.answer_values(review.id) == {"REC-01": "yes"}
        assert screen.current == "REC-02"
        assert shown_ids(screen) == ["REC-01", "REC-02", "REC-03", "SPO-01"]
        await pilot.press("p")
        assert store.answer_values(review.id)["REC-02"] == "partly"

        # change an answer: move back with k and answer again
        await pilot.press("k", "y")
        assert store.answer_values(review.id)["REC-02"] == "yes"
        trail = [
            (e.question_id, e.old, e.new) for e in store.events(review.id) if e.kind == "answer"
        ]
        assert trail[-1] == ("REC-02", "partly", "yes")

        # a value the question does not allow is refused, nothing saved
        assert screen.current == "REC-03"
        await pilot.press("k", "a")  # REC-02 has no N/A
        assert store.answer_values(review.id)["REC-02"] == "yes"

        # skip logic: REC-01 = no hides REC-02 and clears its answer, logged
        await pilot.press("k", "n")
        assert store.answer_values(review.id) == {"REC-01": "no", "REC-02": None}
        assert "REC-02" not in shown_ids(screen)
        cleared = store.events(review.id)[-1]
        assert (cleared.question_id, cleared.old, cleared.new) == ("REC-02", "yes", None)

        # a note
        assert screen.current == "REC-03"
        await pilot.press("e")
        await pilot.press(*"No link to 2023 report")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.answers(review.id)["REC-03"].note == "No link to 2023 report"

        # completing is refused while SPO-01 and REC-03 are unanswered, and says which
        await pilot.press("c")
        assert store.review(review.id).status == "in_progress"
        assert screen.current == "REC-03"
        assert "REC-03, SPO-01" in str(screen.query_one("#review-status").render())

        await pilot.press("u")  # REC-03 unknown -> SPO-01
        await pilot.press("y")  # SPO-01 yes -> SPO-02 appears
        assert screen.current == "SPO-02"
        await pilot.press("c")
        assert store.review(review.id).status == "in_progress"
        await pilot.press("n", "c")
        assert store.review(review.id).status == "complete"
        assert store.answer_values(review.id) == {
            "REC-01": "no",
            "REC-02": None,
            "REC-03": "unknown",
            "SPO-01": "yes",
            "SPO-02": "no",
        }
        # locked: answer keys do nothing
        await pilot.press("y")
        assert store.answer_values(review.id)["SPO-02"] == "no"
        await pilot.press("escape")
        assert isinstance(app.screen, AuditCasesScreen)


async def test_resume_after_restart(db_path: Path) -> None:
    store = Store.open(db_path)
    seed_store(store)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "down", "enter")  # second case
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("y", "y", "down")
        review_id = screen.review_id
        assert review_id is not None
    store.close()

    reopened = Store.open(db_path)
    assert reopened.answer_values(review_id) == {"REC-01": "yes", "REC-02": "yes"}
    app = make_app(reopened, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        cases = app.screen
        assert isinstance(cases, AuditCasesScreen)
        table = cases.table
        assert str(table.get_row_at(1)[2]) == "in progress (2 answered)"
        assert table.cursor_row == 1  # the cases screen starts on ann's unfinished review
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.review_id == review_id
        assert screen.current == "REC-03"  # the first unanswered question after the last answer


async def test_help_and_palette(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, AuditsScreen)
        # the palette jumps straight to a case's review
        await pilot.press("ctrl+p")
        await pilot.press(*"Case T/4")
        await until(pilot, lambda: palette_highlights(app, "T/4"), "the palette's hit for T/4")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.case_id is not None and store.case(screen.case_id).case_ref == "T/4"
        # a jump from the palette is a look too: left at once, the case is still not started
        await pilot.press("escape")
        assert store.reviews_of_case(audit.id, screen.case_id) == []


def prompt(screen: ReviewScreen, option_id: str) -> str:
    return str(screen.query_one(OptionList).get_option(option_id).prompt)


async def test_the_list_and_panel_follow_each_key(audited: tuple[Store, AuditInfo]) -> None:
    """An answer redraws its own line and section count; the panel follows the cursor."""
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert "Recording  0/2" in prompt(screen, "section:rec")
        await pilot.press("j")  # REC-03: no skip logic changes when it is answered
        assert screen.current == "REC-03"
        assert "Were earlier reports linked?" in str(screen.query_one("#question").render())
        await pilot.press("n")
        assert screen.review_id is not None
        assert store.answer_values(screen.review_id) == {"REC-03": "no"}
        assert "REC-03" in prompt(screen, "REC-03") and "No" in prompt(screen, "REC-03")
        assert "Recording  1/2" in prompt(screen, "section:rec")
        assert screen.current == "SPO-01"
        panel = str(screen.query_one("#question").render())
        # SPO-02 and SPO-03 wait on the answer to SPO-01, so the section shows one question
        assert "Was an SPO applied for?" in panel and "Protective orders, 1 of 1" in panel
