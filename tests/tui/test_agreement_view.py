"""The findings agreement view: kappa with its 95% interval and AC1 where there are enough
pairs, "too few pairs (n)" where there are not, and no row for a question skip logic hid
from both reviewers in every pair."""

from __future__ import annotations

import numpy as np
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa  # type: ignore[import-untyped]
from textual.widgets import DataTable, Static

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import FindingsScreen
from tests.tui.waiting import until
from tests.unit.agreement_pairs import RECORDING_TABLE, six_pairs

SIZE = (140, 40)


def row(table: DataTable, key: str) -> list[str]:  # type: ignore[type-arg]
    return [str(cell) for cell in table.get_row(key)]


async def test_the_agreement_view_shows_the_interval_ac1_and_too_few(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    six_pairs(store, audit)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "v", "v", "v", "v")
        screen = app.screen
        assert isinstance(screen, FindingsScreen)
        await until(pilot, lambda: screen.view == "agreement", "the agreement view")
        table = screen.query_one(DataTable)
        header = [str(c.label) for c in table.ordered_columns]
        assert header == ["Section / question", "Pairs", "Agree", "Kappa (95% CI)", "AC1", "Band"]
        # Worked by hand in tests/unit/agreement_pairs.py: kappa 0.68, AC1 0.88.
        oracle = sm_cohens_kappa(np.array(RECORDING_TABLE))
        low, high = oracle["kappa_low"], min(1.0, oracle["kappa_upp"])  # 0.27, 1.09 -> 1
        assert row(table, "section:rec")[1:] == [
            "18",
            "16 of 18 (89%)",
            f"0.68 ({low:.2f} to {high:.2f})",
            "0.88",
            "substantial",
        ]
        # Protective orders: SPO-01 (na, na) x6; SPO-02 and SPO-03 hidden from both
        # reviewers in every pair, so left out: 6 pairs, too few for kappa to say anything.
        assert row(table, "section:spo")[1:] == [
            "6",
            "6 of 6 (100%)",
            "-",
            "-",
            "too few pairs (6)",
        ]
        # REC-03 alone: 5 of 6 pairs agree, kappa 0.67 on paper, but no verdict on 6 pairs
        assert row(table, "REC-03")[1:] == ["6", "5 of 6 (83%)", "-", "-", "too few pairs (6)"]
        keys = [k.value for k in table.rows]
        assert "SPO-02" not in keys and "SPO-03" not in keys
        note = str(screen.query_one("#findings-note", Static).render())
        assert "Gwet (2008)" in note and "given on 10 pairs or more" in note
