"""The findings screen's funnel view (`f`): units ranked with their z and band, the chart
beside them when it fits (100 x 40 and over), the ranked list alone at 80 x 24."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from casereview.store import Store
from casereview.tui.app import make_app
from casereview.tui.widgets.bars import KeyBar
from tests.factories import complete, seed_store
from tests.tui.waiting import until


def funnel_store(path: Path) -> Store:
    """Six cases: Testshire's four meet Recording in full (REC-01, -02, -03 yes), Otherton's
    two do not (REC-01 no hides REC-02; REC-03 no)."""
    store = Store.open(path)
    audit = seed_store(store)
    for ac in store.audit_cases(audit.id):
        good = ac.case.force == "Testshire"
        answers = (
            {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes"}
            if good
            else {"REC-01": "no", "REC-03": "no"}
        )
        complete(store, audit, ac.case.id, "ann", "primary", {**answers, "SPO-01": "na"})
    return store


def rows(app: object) -> list[list[str]]:
    table = app.screen.query_one("#funnel-units", DataTable)  # type: ignore[attr-defined]
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.parametrize(("size", "chart"), [((80, 24), False), ((160, 48), True)])
async def test_f_shows_the_units_of_a_figure_ranked(
    tmp_path: Path, size: tuple[int, int], chart: bool
) -> None:
    app = make_app(funnel_store(tmp_path / "f.db"), "lead")
    async with app.run_test(size=size) as pilot:
        await pilot.press("f")
        await until(pilot, lambda: type(app.screen).__name__ == "FindingsScreen", "findings")
        # the key bar stays whole at 80 columns: the funnel is in the command palette
        assert "esc Back" in str(app.screen.query_one(KeyBar).render())
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Funnel (f)" in titles
        await pilot.press("f")
        await until(pilot, lambda: type(app.screen).__name__ == "FunnelScreen", "the funnel")
        await until(pilot, lambda: bool(rows(app)), "the units")
        # Recording met in full by force: Testshire 4 of 4, Otherton 0 of 2; target 4/6.
        # z = (0 - 2/3) / sqrt((2/9)/2) = -2.00 and (1 - 2/3) / sqrt((2/9)/4) = +1.41.
        # Neither is flagged: P(Y <= 0 | 2, 2/3) = 1/9 and P(Y >= 4 | 4, 2/3) = 0.198.
        assert rows(app) == [
            ["Otherton", "2", "0", "-2.00", ""],
            ["Testshire", "4", "100", "+1.41", ""],
        ]
        title = str(app.screen.query_one("#funnel-title", Static).render())
        assert "Recording" in title and "by force, target 67%" in title
        assert app.screen.query_one(PlotextPlot).display is chart
        # the chi-square test: z^2 = 4 + 2 = 6 on 2 - 1 = 1 df, p = 0.014 (scipy chi2.sf)
        note = str(app.screen.query_one("#funnel-note", Static).render())
        assert "phi 3.00; chi-square 6.00 on 1 df, p = 0.014: more spread than chance" in note
        # Testshire's 4 of 4 is drawn above the 99.8% line (0.9987) but P(Y >= 4) = 0.198
        assert "judged by the exact test, not the line: Testshire" in note
        await pilot.press("right")  # the next figure: REC-01, Testshire 4 of 4, Otherton 0 of 2
        await until(
            pilot,
            lambda: "REC-01" in str(app.screen.query_one("#funnel-title", Static).render()),
            "REC-01",
        )
        await pilot.press("escape")
        assert type(app.screen).__name__ == "FindingsScreen"
