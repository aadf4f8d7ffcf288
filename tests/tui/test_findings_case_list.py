"""Issue 25 on the findings screen: a figure says its unknown answers and carries the
small-sample mark (items 3, 4), and from a figure's list of cases (`l`) Enter opens the
review at the question the figure is about, not where the reviewer last was (item 7)."""

from __future__ import annotations

from textual.widgets import DataTable

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import FindingsScreen, ReviewScreen
from casereview.tui.screens.finding_cases import FlaggedScreen
from tests.factories import complete_review
from tests.tui.waiting import until

SIZE = (120, 36)
DAGGER = "\u2020"


def cell(table: DataTable, row: int, col: int) -> str:  # type: ignore[type-arg]
    return str(table.get_row_at(row)[col])


async def test_the_findings_screen_says_unknowns_and_marks_small_samples(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    unsure = {"REC-01": "unknown", "REC-03": "yes", "SPO-01": "na"}  # REC-02 hidden
    for case_id, answers in zip(ids, (full, full, unsure), strict=False):
        complete_review(store, audit.id, case_id, "ann", "primary", answers)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        screen = app.screen
        assert isinstance(screen, FindingsScreen)
        table = screen.query_one(DataTable)
        # Recording: every case meets it in full (C's unknown REC-01 is left out of its
        # score): 3 of 3, Wilson 43.9-100% (hand-worked in tests/unit/test_unknowns_said.py)
        assert cell(table, 0, 2) == f"3 of 3, 100%, 95% CI 44-100% {DAGGER}; 1 unknown answer"
        assert cell(table, 1, 2) == "no applicable answers"  # SPO-01 N/A everywhere
        assert f"{DAGGER} fewer than 10 applicable answers" in str(
            screen.query_one("#findings-note").render()
        )
        await pilot.press("enter")  # Recording's questions
        await until(pilot, lambda: screen.section == "rec", "the questions of Recording")
        # REC-01 yes, yes, unknown: 2 of 2 (Wilson 34.2-100%), the unknown said
        assert cell(table, 0, 2) == f"2 of 2, 100%, 95% CI 34-100% {DAGGER}; 1 unknown"
        assert cell(table, 1, 2) == f"2 of 2, 100%, 95% CI 34-100% {DAGGER}"  # REC-02


def _review_at(app: object) -> str | None:
    screen = app.screen  # type: ignore[attr-defined]
    return screen.current if isinstance(screen, ReviewScreen) else None


async def test_enter_in_a_figures_cases_opens_the_review_at_its_question(
    audited: tuple[Store, AuditInfo],
) -> None:
    """ann's review ended at SPO-01 (its last answer): that is where it would resume. From
    REC-03's cases, and from the Recording section's, it opens at REC-03."""
    store, audit = audited
    first = store.audit_cases(audit.id)[0].case.id
    answers = {"REC-01": "yes", "REC-02": "yes", "REC-03": "no", "SPO-01": "na"}
    complete_review(store, audit.id, first, "ann", "primary", answers)
    assert store.reviews_of_case(audit.id, first)[0].current_question == "SPO-01"
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        findings_screen = app.screen
        assert isinstance(findings_screen, FindingsScreen)
        # a section's figure: its list holds REC-03's No, and Enter opens the review there
        await pilot.press("l")
        assert isinstance(app.screen, FlaggedScreen)
        await pilot.press("enter")
        await until(pilot, lambda: _review_at(app) is not None, "the review")
        assert _review_at(app) == "REC-03"
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is findings_screen, "back to the findings")
        # a question's figure: Recording's questions, down to REC-03
        await pilot.press("enter", "down", "down")
        table = findings_screen.query_one(DataTable)
        await until(pilot, lambda: table.cursor_row == 2, "REC-03 highlighted")
        await pilot.press("l", "enter")
        await until(pilot, lambda: _review_at(app) is not None, "the review")
        assert _review_at(app) == "REC-03"
