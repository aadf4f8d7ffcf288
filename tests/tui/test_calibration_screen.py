"""The calibration screen (k on the audits screen): each reviewer against the gold, the
questions ranked by Fleiss' kappa (v), and nothing for a reviewer who has not recorded every
case; at 80x24 and 160x48, its keys on its key bar (k, which opens it, in the help: the
audits bar has no room left at 80 columns)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens.calibration import CalibrationScreen
from casereview.tui.widgets.bars import KeyBar
from tests.tui.drawn import line

SIZES = [(80, 24), (160, 48)]
GOLD: dict[str, str | None] = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


def calibrated(store: Store, audit: AuditInfo, bob_done: bool = True) -> None:
    """Three cases; ann answers as the gold, bob partly on REC-02 everywhere and no on the
    first case's REC-03 (the worked figures are in tests/unit/calibration/test_commands.py:
    bob 8 of 12, kappa 7/15; REC-02 Fleiss -1, REC-03 -0.2)."""
    ids = [ac.case.id for ac in store.audit_cases(audit.id)][:3]
    info = store.create_calibration("Spring", audit.checklist_pk, ids, "mod", ["ann", "bob"], "mod")
    Reviews = dict[int, tuple[dict[str, str | None], dict[str, str]]]
    same: Reviews = {i: (dict(GOLD), {}) for i in ids}
    store.record_calibration_reviews(info.id, "mod", "gold", same)
    store.record_calibration_reviews(info.id, "ann", "reviewer", same)
    bob: Reviews = {i: ({**GOLD, "REC-02": "partly"}, {}) for i in ids}
    bob[ids[0]] = ({**GOLD, "REC-02": "partly", "REC-03": "no"}, {})
    if bob_done:
        store.record_calibration_reviews(info.id, "bob", "reviewer", bob)


def rows(app: object) -> list[list[str]]:
    table: DataTable[object] = app.screen.query_one("#calibration-figures", DataTable)  # type: ignore[attr-defined]
    return [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]


@pytest.mark.parametrize("size", SIZES)
async def test_results_per_reviewer_and_per_question(
    audited: tuple[Store, AuditInfo], size: tuple[int, int]
) -> None:
    store, audit = audited
    calibrated(store, audit)
    app = make_app(store, "ann")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        # the audits bar is full at 80 columns: k is in the help (and the bar stays whole)
        assert "? Help " in line(app.screen.query_one(KeyBar))
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, CalibrationScreen)
        by_reviewer = {r[0]: r for r in rows(app)}
        assert by_reviewer["ann"][1:3] == ["3/3", "12 of 12 (100%)"]
        assert by_reviewer["ann"][-1] == "pass"
        assert by_reviewer["bob"][2:4] == ["8 of 12 (67%)", "0.47"]  # 7/15
        assert by_reviewer["bob"][-2:] == ["+0 -4", "not passed"]
        bar = line(app.screen.query_one(KeyBar))
        assert (
            " Back " in bar
            and " v Reviewers/questions " in bar
            and " r Record " in bar
            and " ? Help " in bar
        )
        # r records each finished reviewer's verdict, dated, with a trail event
        assert store.calibration_results() == []
        await pilot.press("r")
        await pilot.pause()
        verdicts = {r.reviewer: r.passed for r in store.calibration_results()}
        assert verdicts == {"ann": True, "bob": False}
        info = store.calibration_named("Spring")
        kinds = [e[5] for e in store.calibration_event_rows(info.id)]
        assert kinds.count("calibration_result") == 2
        await pilot.press("v")
        await pilot.pause()
        ranked = rows(app)
        assert [r[1].split()[0] for r in ranked[:2]] == ["REC-02", "REC-03"]
        assert ranked[0][2:5] == ["-1.00", "3", "below 0.6"]
        assert ranked[1][2] == "-0.20"
        await pilot.press("escape")
        assert not isinstance(app.screen, CalibrationScreen)


async def test_a_reviewer_still_reviewing_sees_no_figures(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    calibrated(store, audit, bob_done=False)
    app = make_app(store, "bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("k")
        await pilot.pause()
        assert rows(app) == []
        detail = str(app.screen.query_one("#calibration-detail", Static).render())
        assert "bob has recorded 0 of 3" in detail
