"""A scrutiny panel account in the app: findings, trends and counts, never a case file, a
note, a case reference or a name, however it asks (key, palette, message)."""

from __future__ import annotations

from textual.widgets import Static

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.messages import OpenCase
from casereview.tui.screens import AuditsScreen, FindingsScreen, ReviewScreen
from casereview.tui.screens.funnel import UNITS, FunnelScreen
from tests.factories import complete_review
from tests.tui.waiting import until

FULL = {"REC-01": "yes", "REC-02": "no", "REC-03": "yes", "SPO-01": "na"}


async def test_a_panel_sees_counts_and_findings_never_names_or_cases(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    case_id = store.audit_cases(audit.id)[0].case.id
    store.assign(audit.id, case_id, "ann", "lead")
    complete_review(store, audit.id, case_id, "ann", "primary", FULL)
    app = make_app(store, "pat", "scrutiny")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        progress = str(app.screen.query_one("#reviewer-progress", Static).render())
        assert "ann" not in progress and "All reviewers 1/1 done" in progress
        for action in ("new_audit", "pool", "calibration", "period", "export_bundle"):
            assert app.screen.check_action(action, ()) is False, action
        app.post_message(OpenCase(audit.id, case_id))  # as the palette or a finding would
        await until(pilot, lambda: app._notifications, "the refusal")
        assert isinstance(app.screen, AuditsScreen)
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FindingsScreen), "the findings")
        findings = app.screen
        assert isinstance(findings, FindingsScreen)
        groups = []
        for _ in range(6):  # g cycles the groupings: never by reviewer
            await pilot.press("g")
            await pilot.pause()
            groups.append(findings.group)
        assert "reviewer" not in groups and "force" in groups
        assert findings.check_action("flagged", ()) is False
        for action in ("export", "report"):  # redacted, always (test_redacted_from_the_app)
            assert findings.check_action(action, ()) is not False, action
        findings.action_flagged()  # run other than by its key: refused all the same
        await pilot.pause()
        assert app.screen is findings
        await pilot.press("f")
        await until(pilot, lambda: isinstance(app.screen, FunnelScreen), "the funnel")
        funnel = app.screen
        assert isinstance(funnel, FunnelScreen)
        seen = set()
        for _ in range(len(UNITS)):
            await pilot.press("g")
            await pilot.pause()
            seen.add(funnel.by)
        assert "reviewer" not in seen
    assert not any(isinstance(s, ReviewScreen) for s in app.screen_stack)
    assert [r.reviewer for r in store.reviews_of_case(audit.id, case_id)] == ["ann"]
