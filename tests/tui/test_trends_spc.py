"""The Trends screen's control-chart view (`c`) at 80x24 and 160x48: the words for the
highlighted period on its p-chart, the note, the key in the key bar, and back."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from casereview.tui.app import make_app
from casereview.tui.widgets.bars import KeyBar
from tests.factories import monthly_trend as monthly
from tests.tui.waiting import until


def text_of(app: object, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_c_switches_to_the_p_chart_and_back(tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(monthly(tmp_path / "t.db"), "qa")
    async with app.run_test(size=size) as pilot:
        await pilot.press("t")
        await until(pilot, lambda: type(app.screen).__name__ == "TrendsScreen", "the trends")
        assert "SPC" in str(app.screen.query_one(KeyBar).render())
        await pilot.press("c")
        # Section A met in full: Jan 1 of 4, Feb 4 of 4, Mar 0 of 2; centre 5/10 = 50%.
        # Mar (n = 2): 0.5 +- 3 sqrt(0.25/2) = 0.5 +- 1.06 -> 0-100%; 0% is inside.
        await until(pilot, lambda: "p-chart" in text_of(app, "#trends-detail"), "the p-chart")
        line = text_of(app, "#trends-detail").splitlines()[2]
        assert line == "p-chart: 0% against centre 50% (limits 0-100% for n=2); no signal"
        assert text_of(app, "#trends-note").startswith("p-chart:")
        await pilot.press("left")  # Feb, n = 4: 0.5 +- 0.75 -> 0-100%
        assert (
            text_of(app, "#trends-detail")
            .splitlines()[2]
            .startswith("p-chart: 100% against centre 50% (limits 0-100% for n=4)")
        )
        await pilot.press("c")
        await until(pilot, lambda: "p-chart" not in text_of(app, "#trends-detail"), "back")
        assert "since Jan" in text_of(app, "#trends-detail")
