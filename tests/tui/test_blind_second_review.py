"""The findings stay closed to a blind second reviewer from the cases screen too, and never to
the primary reviewer.
"""

from __future__ import annotations

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import AuditCasesScreen, AuditsScreen, FindingsScreen
from tests.factories import complete_review

SIZE = (120, 40)


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
