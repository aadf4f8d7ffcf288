"""The findings agreement view: kappa with its 95% interval and AC1 where there are enough
pairs, "too few pairs (n)" where there are not, and no row for a question skip logic hid
from both reviewers in every pair."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa  # type: ignore[import-untyped]
from textual.widgets import DataTable, Static

from casereview.store import Store
from casereview.tui.app import make_app
from casereview.tui.screens import FindingsScreen
from tests.tui.waiting import until
from tests.unit.agreement.pairs import REC03_TABLE, RECORDING_TABLE, twelve_pairs

SIZE = (140, 40)


def row(table: DataTable, key: str) -> list[str]:  # type: ignore[type-arg]
    return [str(cell) for cell in table.get_row(key)]


async def test_the_agreement_view_shows_the_interval_ac1_and_too_few(tmp_path: Path) -> None:
    store = Store.open(twelve_pairs(tmp_path / "a.db"))
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "v", "v", "v", "v")
        screen = app.screen
        assert isinstance(screen, FindingsScreen)
        await until(pilot, lambda: screen.view == "agreement", "the agreement view")
        table = screen.query_one(DataTable)
        header = [str(c.label) for c in table.ordered_columns]
        assert header == ["Section / question", "Pairs", "Agree", "Kappa (95% CI)", "AC1", "Band"]
        # Worked by hand in tests.unit.agreement.pairs.py; the intervals from statsmodels,
        # their tops (1.02, 1.06) clipped to kappa's range.
        rec = sm_cohens_kappa(np.array(RECORDING_TABLE))
        assert row(table, "section:rec")[1:] == [
            "33",
            "30 of 33 (91%)",
            f"0.79 ({rec['kappa_low']:.2f} to 1.00)",
            "0.90",
            "substantial",
        ]
        rec03 = sm_cohens_kappa(np.array(REC03_TABLE))
        assert row(table, "REC-03")[1:] == [
            "12",
            "10 of 12 (83%)",
            f"0.67 ({rec03['kappa_low']:.2f} to 1.00)",
            "0.81",
            "substantial",
        ]
        # REC-02: 9 pairs once the 3 cases that hid it from both are left out
        assert row(table, "REC-02")[1:] == ["9", "8 of 9 (89%)", "-", "-", "too few pairs (9)"]
        # REC-01: all 12 pairs agree: kappa 1 with se 0, so no interval to give
        assert row(table, "REC-01")[1:] == [
            "12",
            "12 of 12 (100%)",
            "1.00",
            "1.00",
            "almost perfect",
        ]
        # SPO-02 and SPO-03 were hidden from both reviewers in every pair: no row
        keys = [k.value for k in table.rows]
        assert "SPO-02" not in keys and "SPO-03" not in keys
        note = str(screen.query_one("#findings-note", Static).render())
        assert "Gwet (2008)" in note and "given on 10 pairs or more" in note
    store.close()
