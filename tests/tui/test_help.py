"""Help opens with F1 and ? on every screen, and looking at it answers nothing."""

from __future__ import annotations

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import FindingsScreen
from tests.factories import complete_review

SIZE = (120, 40)


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
