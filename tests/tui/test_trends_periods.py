"""The Trends screen and periods (issue 25, item 1): columns headed by period, the audits'
names one key away (`n`), and an audit left out for having no period said on the screen."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from casereview.tui.app import make_app
from tests.factories import complete_review, monthly_trend


def text_of(app: object, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)  # type: ignore[attr-defined]
    return str(widget.render()) if widget.display else ""


async def test_periods_head_the_columns_names_are_one_key_away_and_undated_is_said(
    tmp_path: Path,
) -> None:
    store = monthly_trend(tmp_path / "t.db")
    v2 = store.find_checklist("trendy@2")
    undated = store.create_audit("Spot check", v2.pk, [1], "qa", seed=1)  # no period
    answers = {"A-1": "yes", "A-9": "yes", "B-1": "no", "B-2": "yes", "B-3": "yes"}
    complete_review(store, undated.id, 1, "qa", "primary", answers)
    app = make_app(store, "qa")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert type(app.screen).__name__ == "TrendsScreen"
        table = app.screen.query_one("#trends", DataTable)
        headers = [str(c.label).split("\n")[0] for c in table.columns.values()]
        assert headers[1:] == ["2024-01", "2024-02", "2024-03"]  # Spot check is not a column
        warning = text_of(app, "#trends-warnings")
        assert warning.startswith("left out (no period): Spot check; give one with")
        assert text_of(app, "#trends-names") == ""  # names hidden until asked for
        await pilot.press("n")
        names = text_of(app, "#trends-names")
        assert names.splitlines() == [
            "2024-01: Jan (trendy@1; every case; simple random sample)",
            "2024-02: Feb (trendy@2; every case; simple random sample)",
            "2024-03: Mar (trendy@2; every case; simple random sample)",
        ]
        await pilot.press("n")
        assert text_of(app, "#trends-names") == ""
