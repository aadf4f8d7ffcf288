"""The findings' figures on screen, driven with keys: pooled tag figures credit partly as half,
and sections count the cases meeting them in full.
"""

from __future__ import annotations

from textual.widgets import DataTable

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import FindingsScreen
from tests.factories import complete_review

SIZE = (120, 40)


def cell(table: DataTable, row: int, col: int) -> str:  # type: ignore[type-arg]
    return str(table.get_row_at(row)[col])


def tag_rows(table: DataTable) -> dict[str, str]:  # type: ignore[type-arg]
    return {cell(table, r, 0): cell(table, r, 2) for r in range(table.row_count)}


async def test_pooled_tag_figures_credit_partly_as_half(audited: tuple[Store, AuditInfo]) -> None:
    """README: `v` shows concerns, themes and recommendations, questions pooled by tag."""
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    one = {"REC-01": "yes", "REC-02": "partly", "REC-03": "partly", "SPO-01": "no", "SPO-03": "yes"}
    two = {"REC-01": "yes", "REC-02": "yes", "REC-03": "no", "SPO-01": "yes", "SPO-02": "partly"}
    complete_review(store, audit.id, ids[0], "ann", "primary", one)
    complete_review(store, audit.id, ids[1], "ann", "primary", two)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "v")
        screen = app.screen
        assert isinstance(screen, FindingsScreen) and screen.view == "concerns"
        table = screen.query_one(DataTable)
        rows = tag_rows(table)
        # identification = REC-01..03. REC-01 yes, yes: 2 of 2; REC-02 partly, yes: 1.5 of 2;
        # REC-03 partly, no: 0.5 of 2. Pooled 4 of 6 = 66.7%. Wilson, z = 1.96, n = 6:
        # centre (0.6667 + 0.3201)/1.6403 = 0.6016, half 1.96 * sqrt(0.0370 + 0.0267)/1.6403
        # = 0.3016 -> 30.0-90.3%.  (Ignoring partly would give 3 of 6, 50%.)
        assert rows["Stalking not identified"].startswith("4 of 6, 67%, 95% CI 30-90%")
        # spo = SPO-01..03. SPO-01 no, yes: 1 of 2; SPO-02 (hidden in one) partly: 0.5 of 1;
        # SPO-03 (hidden in two) yes: 1 of 1. Pooled 2.5 of 4.
        assert rows["SPOs not considered"].startswith("2.5 of 4, ")
        await pilot.press("v")
        assert screen.view == "themes"
        rows = tag_rows(table)
        assert rows["Misidentifying stalking"].startswith("4 of 6, 67%")
        assert rows["Stalking Protection Orders"].startswith("2.5 of 4, ")
        await pilot.press("v")
        assert screen.view == "recommendations"
        # R7 = REC-02 alone: partly, yes -> 1.5 of 2, 75%
        assert tag_rows(table)["R7"].startswith("1.5 of 2, 75%")


async def test_findings_sections_count_cases_meeting_in_full(
    audited: tuple[Store, AuditInfo],
) -> None:
    """'14 of 20, 70%, 95% CI 48-85%': counts beside the percentage, and the \u2020 mark."""
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    part = {"REC-01": "yes", "REC-02": "partly", "REC-03": "yes", "SPO-01": "na"}
    for case_id, answers in zip(ids, (full, full, part), strict=False):
        complete_review(store, audit.id, case_id, "ann", "primary", answers)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        table = app.screen.query_one(DataTable)
        # Recording: two cases in full, one at (1 + 1 + 1)/4: 2 of 3, 66.7%.
        # Wilson n = 3: centre (0.6667 + 0.6403)/2.2805 = 0.5731, half
        # 1.96 * sqrt(0.0741 + 0.1067)/2.2805 = 0.3655 -> 20.8-93.9%; fewer than 10: marked
        assert cell(table, 0, 2) == "2 of 3, 67%, 95% CI 21-94% \u2020"
        # Protective orders: SPO-01 na everywhere, nothing applies
        assert cell(table, 1, 2) == "no applicable answers"
