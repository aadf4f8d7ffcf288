"""The findings screen's LQAS view (`d`, and the command palette): meets / does not meet /
not enough files per unit and question, from a plan the user picks."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from casereview.tui.app import make_app
from casereview.tui.widgets.bars import KeyBar
from tests.tui.test_funnel_view import funnel_store
from tests.tui.waiting import until


def shown(app: object) -> list[list[str]]:
    table = app.screen.query_one("#lqas-verdicts", DataTable)  # type: ignore[attr-defined]
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text(app: object, widget: str) -> str:
    return str(app.screen.query_one(widget, Static).render())  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_d_gives_verdicts_from_the_plan_the_user_picks(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(funnel_store(tmp_path / "l.db"), "lead")
    async with app.run_test(size=size) as pilot:
        await pilot.press("f")
        await until(pilot, lambda: type(app.screen).__name__ == "FindingsScreen", "findings")
        # the key bar stays whole at 80 columns: LQAS is in the command palette and the help
        assert "esc Back" in str(app.screen.query_one(KeyBar).render())
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "LQAS verdicts (d)" in titles
        await pilot.press("d")
        await until(pilot, lambda: type(app.screen).__name__ == "LqasScreen", "the LQAS view")
        await until(pilot, lambda: bool(shown(app)), "the verdicts")
        # The default plan, 80% / 50% at alpha = beta = 0.10: n = 19, d = 6 (Grant and
        # Leavenworth's table). Testshire has 4 files, Otherton 2: not enough for a verdict.
        assert "Read 19 files per unit" in text(app, "#lqas-plan")
        assert "no more than 6 fail" in text(app, "#lqas-plan")
        assert {row[-1] for row in shown(app)} == {"not enough files"}
        assert "g Units" in str(app.screen.query_one(KeyBar).render())
        # A plan for 95% against 20%: n = 2, d = 0 (d = 0 at n = 2 runs alpha 1 - 0.95^2 =
        # 0.0975 and beta 0.2^2 = 0.04; n = 1 runs beta 0.2). Testshire's 4 files take the rule
        # for n = 4: d = 0 runs alpha 1 - 0.95^4 = 0.185, too much; d = 1 runs alpha 0.014,
        # beta 0.2^4 + 4 * 0.8 * 0.2^3 = 0.027. Testshire fails none: meets; Otherton fails
        # both of 2 (REC-01 and REC-03 no; REC-02 hidden there): does not meet.
        await pilot.press("tab")  # from the table round to the first field, text selected
        await until(pilot, lambda: app.focused is app.screen.query_one("#lqas-standard"), "tab")
        await pilot.press("9", "5", "tab", "2", "0")
        await until(pilot, lambda: "Read 2 files" in text(app, "#lqas-plan"), "the new plan")
        assert shown(app) == [
            ["REC-01", "Otherton", "2", "2", "0", "does not meet"],
            ["REC-01", "Testshire", "4", "0", "1", "meets"],
            ["REC-02", "Testshire", "4", "0", "1", "meets"],
            ["REC-03", "Otherton", "2", "2", "0", "does not meet"],
            ["REC-03", "Testshire", "4", "0", "1", "meets"],
        ]
        assert "meets 3, does not meet 2, not enough files 0" in text(app, "#lqas-note")
        # a threshold above the standard is refused in words, and no verdict is shown
        await pilot.press("backspace", "backspace", "9", "9")
        await until(pilot, lambda: "threshold" in text(app, "#lqas-plan"), "the refusal")
        assert app.screen.query_one("#lqas-threshold", Input).value == "99"
        assert shown(app) == []
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "FindingsScreen", "back")
