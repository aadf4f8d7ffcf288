"""The action plan screen (a on the audits screen): recommendations with their actions and
flags (overdue, done but not shown to have moved, no action), the highlighted action's
evidence, and its status, owner and due date changed from the keyboard with the trail
written, at 80x24 and 160x48. The figures are tests/unit/plans/test_evidence.py's."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from casereview.store import Store
from casereview.tui.app import make_app
from casereview.tui.screens.plan import PlanScreen
from casereview.tui.widgets.bars import KeyBar
from tests.tui.drawn import line
from tests.unit.plans.factories import FORCE, force_audits
from tests.unit.plans.test_evidence import PLAN

SIZES = [(80, 24), (160, 48)]


@pytest.fixture
def planned(tmp_path: Path) -> Store:
    from casereview.io.imports.plans import import_plan

    store = Store.memory()
    force_audits(store)
    path = tmp_path / "plan.csv"
    path.write_text(PLAN + "R3,Nothing yet,,,,,,,,\n", encoding="utf-8")
    import_plan(store, path, FORCE, "qa.lead")
    return store


def rows(app: object) -> dict[str, list[str]]:
    table: DataTable[object] = app.screen.query_one("#plan", DataTable)  # type: ignore[attr-defined]
    return {str(key.value): [str(c) for c in table.get_row(key)] for key in table.rows}


async def open_plan(pilot, app) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press("a")
    await pilot.pause()
    assert isinstance(app.screen, PlanScreen)


@pytest.mark.parametrize("size", SIZES)
async def test_flags_and_evidence(planned: Store, size: tuple[int, int]) -> None:
    app = make_app(planned, "qa.lead")
    async with app.run_test(size=size) as pilot:
        await open_plan(pilot, app)
        shown = rows(app)
        assert shown["R1.1"][:4] == ["moved", "done", "2024-02-29", "insp.khan"]
        assert shown["R1.2"][0] == "not moved"
        assert shown["R1.3"][0] == "overdue"
        assert shown["R3"][0] == "no action"
        bar = line(app.screen.query_one(KeyBar))
        assert " s Status " in bar and " o Owner " in bar and " d Due date " in bar
        await pilot.press("down", "down")  # R1, R1.1, R1.2
        await pilot.pause()
        detail = str(app.screen.query_one("#plan-detail", Static).render())
        assert "done: not shown to have moved" in detail
        assert "change +16.7 points (95% CI -31.5 to +55.9), no clear change" in detail.replace(
            "\n", " "
        )


@pytest.mark.parametrize("size", SIZES)
async def test_status_owner_and_due_date_from_the_keyboard(
    planned: Store, size: tuple[int, int]
) -> None:
    app = make_app(planned, "qa.lead")
    async with app.run_test(size=size) as pilot:
        await open_plan(pilot, app)
        await pilot.press("down", "down", "down")  # R1.3, planned and overdue
        await pilot.press("s", "x", *"No budget", "enter")
        await pilot.pause()
        await pilot.press("o", *"supt.hale", "enter")
        await pilot.pause()
        await pilot.press("d", *"31/12/2099", "enter")
        await pilot.pause()
        action = planned.plan_of(FORCE).action("R1.3")
        assert (action.status, action.reason, action.owner, action.due) == (
            "dropped",
            "No budget",
            "supt.hale",
            "2099-12-31",
        )
        trail = [(e.kind, e.old, e.new, e.actor) for e in planned.plan_events(FORCE)[-4:]]
        assert trail == [
            ("action_status", "planned", "dropped", "qa.lead"),
            ("action_reason", "", "No budget", "qa.lead"),
            ("action_owner", "insp.khan", "supt.hale", "qa.lead"),
            ("action_due", "2024-06-30", "2099-12-31", "qa.lead"),
        ]
        assert rows(app)["R1.3"][:4] == ["", "dropped", "2099-12-31", "supt.hale"]


async def test_a_recommendation_has_no_status(planned: Store) -> None:
    app = make_app(planned, "qa.lead")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(pilot, app)
        before = len(planned.plan_events(FORCE))
        await pilot.press("s")  # on R1, a recommendation
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        assert len(planned.plan_events(FORCE)) == before


async def test_the_palette_offers_the_plan_and_the_draft(planned: Store) -> None:
    app = make_app(planned, "qa.lead")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Action plan (a)" in titles
        await pilot.press("f")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Draft an action (a)" in titles and "Action plan (a)" not in titles
