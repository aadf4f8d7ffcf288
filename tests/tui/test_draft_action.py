"""Drafting an action from a finding (a on the findings screen, or the palette): the
highlighted question below 100% opens a dialog prefilled with the question and its figure;
Enter adds the action to the plan of the audit's force, linked to the question, its
recommendation (by tag) offered first; at 80x24 and 160x48."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from casereview.store import Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.plan import DraftActionScreen
from casereview.tui.screens import FindingsScreen
from tests.tui.test_plan_screen import planned  # noqa: F401 (the fixture)
from tests.unit.plans.factories import FORCE

SIZES = [(80, 24), (160, 48)]


async def to_question(pilot, app, question_id: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press("f")  # the findings of the highlighted audit: May, the newest
    await pilot.pause()
    assert isinstance(app.screen, FindingsScreen)
    await pilot.press("enter")  # section A's questions
    await pilot.pause()
    table = app.screen.query_one(DataTable)
    keys = [str(k.value) for k in table.rows]
    await pilot.press(*["down"] * keys.index(question_id))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
async def test_a_question_below_the_standard_drafts_a_linked_action(
    planned: Store,  # noqa: F811
    size: tuple[int, int],
) -> None:
    app = make_app(planned, "qa.lead")
    async with app.run_test(size=size) as pilot:
        await to_question(pilot, app, "A-9")
        before = len(planned.plan_of(FORCE).actions())
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, DraftActionScreen)
        # A-9 is tagged R7, which is R2's tag: R2 is offered first
        assert app.screen.recommendations == ["R2", "R1", "R3"]
        assert "May: 4 of 6" in app.screen.heading
        await pilot.press("enter")  # the prefilled text, as it is
        await pilot.pause()
        assert isinstance(app.screen, FindingsScreen)
        plan = planned.plan_of(FORCE)
        assert len(plan.actions()) == before + 1
        action = plan.action("R2.2")
        assert (action.text, action.questions, action.status) == (
            "Raise A-9 (Second standard, reworded?) from 67%",
            ("A-9",),
            "planned",
        )
        last = planned.plan_events(FORCE)[-1]
        assert (last.kind, last.actor) == ("action_added", "qa.lead")
        assert last.reason and last.reason.startswith("drafted from the findings of May: 4 of 6")


async def test_a_question_every_file_meets_drafts_nothing(planned: Store) -> None:  # noqa: F811
    app = make_app(planned, "qa.lead")
    async with app.run_test(size=(80, 24)) as pilot:
        await to_question(pilot, app, "A-1")  # May: 6 of 6
        before = len(planned.plan_events(FORCE))
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, FindingsScreen)
        assert len(planned.plan_events(FORCE)) == before


async def test_escape_cancels_the_draft(planned: Store) -> None:  # noqa: F811
    app = make_app(planned, "qa.lead")
    async with app.run_test(size=(80, 24)) as pilot:
        await to_question(pilot, app, "A-9")
        before = len(planned.plan_events(FORCE))
        await pilot.press("a", *" now", "escape")
        await pilot.pause()
        assert isinstance(app.screen, FindingsScreen)
        assert len(planned.plan_events(FORCE)) == before
