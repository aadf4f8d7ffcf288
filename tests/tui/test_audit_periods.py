"""Issue 30, item 4: an audit's period set in the new-audit form, changed later from the
audits screen (p), and shown by `audit list`."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from textual.widgets import Input

from casereview.cli import main
from casereview.core.periods import Period
from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.modals import ReasonScreen
from casereview.tui.screens import AuditCasesScreen
from casereview.tui.screens.new_audit import NewAuditScreen
from tests.factories import seed_store


async def test_the_new_audit_form_takes_a_period(audited: tuple[Store, AuditInfo]) -> None:
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, NewAuditScreen)
        form.query_one("#name", Input).value = "Q4"
        form.query_one("#size", Input).value = "3"
        form.query_one("#period", Input).value = "2024-13"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not a date" in str(form.query_one("#period-error").render())
        assert [a.name for a in store.audits()] == ["Test audit"]  # nothing created
        form.query_one("#period", Input).value = "2024-10..2024-12"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AuditCasesScreen)
    assert store.audit_named("Q4").period == Period("2024-10-01", "2024-12-31")


async def test_p_on_the_audits_screen_changes_the_period(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press(*"2024-02", "enter")
        await pilot.pause()
        assert "period 2024-02" in str(app.screen.query_one("#reviewer-progress").render())
    assert store.audit(audit.id).period == Period("2024-02-01", "2024-02-29")
    assert [e.kind for e in store.events()][-1].startswith("audit_period")


def test_audit_list_shows_the_period(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    store = Store.open(db)
    seed_store(store)
    store.close()
    listed = CliRunner().invoke(main, ["--db", str(db), "audit", "list"])
    assert listed.exit_code == 0
    header, row = listed.output.splitlines()[:2]
    assert header.split()[:3] == ["audit", "checklist", "period"]
    assert "2024-01" in row
