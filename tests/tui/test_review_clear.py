"""`Delete` clears an answer in the review: skip logic follows and the trail says so."""

from __future__ import annotations

from textual.widgets import OptionList

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import ReviewScreen

SIZE = (120, 40)


def _shown(screen: ReviewScreen) -> list[str]:
    options = screen.query_one(OptionList).options
    return [o.id for o in options if o.id and not o.id.startswith("section:")]


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
