"""Pilot tests for the findings, new-audit, queue and pool screens: keys in, state out."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import AuditCasesScreen, AuditsScreen, FindingsScreen
from casereview.tui.screens.new_audit import NewAuditScreen
from casereview.tui.screens.pool import PoolScreen
from tests.factories import complete_review, moderated_audit, seed_store
from tests.tui.waiting import click_button, until

SIZE = (120, 40)


def complete_reviews(store: Store, audit: AuditInfo) -> None:
    """Two complete reviews: REC-03 yes in one, no in the other."""
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    for case_id, rec03 in zip(ids, ("yes", "no"), strict=False):
        answers = {"REC-01": "no", "REC-03": rec03, "SPO-01": "na"}
        complete_review(store, audit.id, case_id, "ann", "primary", answers)


def cell_text(table: DataTable, row: int, col: int) -> str:  # type: ignore[type-arg]
    return str(table.get_row_at(row)[col])


async def test_findings_sections_drill_and_views(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    complete_reviews(store, audit)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        screen = app.screen
        assert isinstance(screen, FindingsScreen)
        table = screen.query_one(DataTable)
        # Recording: each case (0 + 1)/2 = 0.5 or (0 + 0)/2 = 0 -> 0 of 2 meet it in full
        assert cell_text(table, 0, 0) == "Recording"
        assert cell_text(table, 0, 2).startswith("0 of 2, 0%, 95% CI 0-66%")
        await pilot.press("enter")  # into Recording's questions
        assert screen.section == "rec"
        rows = {
            cell_text(table, r, 0).split()[0]: cell_text(table, r, 2)
            for r in range(table.row_count)
        }
        # REC-03: yes and no -> 1 of 2, 50%; Wilson 9.5-90.5%
        assert rows["REC-03"].startswith("1 of 2, 50%, 95% CI 9-91%")
        assert rows["REC-02"] == "no applicable answers"
        await pilot.press("escape")
        assert screen.section is None
        await pilot.press("v")  # concerns
        assert screen.view == "concerns"
        labels = [cell_text(table, r, 0) for r in range(table.row_count)]
        assert labels == ["Stalking not identified", "SPOs not considered"]
        await pilot.press("v", "v", "v")  # themes, recommendations, agreement
        assert screen.view == "agreement"
        assert "No case has both" in str(screen.query_one("#findings-note").render())
        await pilot.press("escape")
        assert isinstance(app.screen, AuditsScreen)


async def test_findings_group_by_side_by_side(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    complete_reviews(store, audit)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "g")
        screen = app.screen
        assert isinstance(screen, FindingsScreen) and screen.group == "force"
        table = screen.query_one(DataTable)
        # the first two sampled cases are both Otherton's (sorted by force, then ref)
        assert [str(c.label) for c in table.columns.values()] == ["Section", "Otherton"]


async def test_findings_by_reviewer_counts_a_moderated_case_once(tmp_path: Path) -> None:
    store, _audit, _ids = moderated_audit(tmp_path / "m.db")
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "g", "g", "g")  # force, team, reviewer
        screen = app.screen
        assert isinstance(screen, FindingsScreen) and screen.group == "reviewer"
        table = screen.query_one(DataTable)
        # case 1 (ann primary, sue second, mod moderated) sits under ann alone: no column for
        # the moderator or the second reviewer
        assert [str(c.label) for c in table.columns.values()] == ["Section", "ann", "bob"]
        # Recording, ann: case 1 (moderated) (1 + 2 + 0)/4 = 0.75, case 2 (1 + 1 + 1)/4 = 0.75,
        # so 0 of 2 in full; Wilson upper = 1.920729 / 2.920729 = 65.8%
        assert cell_text(table, 0, 1).startswith("0 of 2, 0%, 95% CI 0-66%")
        await pilot.press("enter")  # Recording's questions, still by reviewer
        rows = {
            cell_text(table, r, 0).split()[0]: [cell_text(table, r, c) for c in (1, 2)]
            for r in range(table.row_count)
        }
        # REC-03, ann: case 1's moderated no and case 2's yes -> 1 of 2, 50%, Wilson 9.5-90.5%
        # (ann's own primary of case 1 said yes: counting it would give 2 of 2)
        # bob: case 3 yes -> 1 of 1, Wilson lower 1 - 3.841459/4.841459 = 20.7%
        assert rows["REC-03"][0].startswith("1 of 2, 50%, 95% CI 9-91%")
        assert rows["REC-03"][1].startswith("1 of 1, 100%, 95% CI 21-100%")
    store.close()


async def test_findings_with_a_completed_review_missing_an_answer(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    complete_reviews(store, audit)
    first = store.audit_cases(audit.id)[0]
    with store.db.conn:  # legacy data: a completed review lost its REC-03 answer
        store.db.conn.execute(
            "DELETE FROM answers WHERE review_id = ? AND question_id = 'REC-03'", [first.review_id]
        )
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        title = str(app.screen.query_one("#findings-title").render())
        assert "audit 'Test audit' cannot be scored" in title and "REC-03" in title


async def test_findings_without_completed_reviews(audited: tuple[Store, AuditInfo]) -> None:
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        assert "no completed reviews yet" in str(app.screen.query_one("#findings-title").render())


async def test_new_audit_form(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "n.db")
    seed_store(store)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, NewAuditScreen)
        # six cases in scope: +-5% needs all six (384.15 / (1 + 383.15/6) = 5.9 -> 6)
        assert "Scope: 6 cases" in str(form.query_one("#scope-line").render())
        assert "need 6 cases" in str(form.query_one("#scope-line").render())
        # invalid: no name, a bad date, a size larger than the scope
        form.query_one("#from", Input).value = "31/02/2024"
        form.query_one("#size", Input).value = "3"
        await pilot.press("ctrl+s")
        assert "needs a name" in str(form.query_one("#name-error").render())
        assert "not a date" in str(form.query_one("#from-error").render())
        assert len(store.audits()) == 1
        form.query_one("#from", Input).value = ""
        form.query_one("#name", Input).value = "Testshire only"
        form.query_one("#force", Select).value = "Testshire"
        await pilot.pause()
        assert "Scope: 4 cases" in str(form.query_one("#scope-line").render())
        form.query_one("#size", Input).value = "9"
        await pilot.press("ctrl+s")
        assert "scope holds only 4" in str(form.query_one("#size-error").render())
        form.query_one("#size", Input).value = "3"
        form.query_one("#seed", Input).value = "11"
        form.query_one("#reviewers", Input).value = "ann, bob"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AuditCasesScreen)
    audit = store.audit_named("Testshire only")
    assert audit.seed == 11 and audit.n_cases == 3
    sampled = store.audit_cases(audit.id)
    assert {ac.case.force for ac in sampled} == {"Testshire"}
    assert [ac.assigned_to for ac in sampled] == ["ann", "bob", "ann"]


@pytest.mark.parametrize("hidden", ["\n", "\x1b[31m", "\u200b"])
async def test_new_audit_form_refuses_a_control_character_in_the_name(
    audited: tuple[Store, AuditInfo], hidden: str
) -> None:
    """The rule `audit create` holds (tests/unit/cli/test_control_characters.py)."""
    store, _audit = audited
    before = (store.audits(), store.last_event_id())
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, NewAuditScreen)
        form.query_one("#name", Input).value = f"Q3{hidden}audit"  # pasted
        form.query_one("#size", Input).value = "3"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # still on the form, the name to retype
        error = str(form.query_one("#name-error").render())
        assert "invisible or control character" in error
        assert f"U+{ord(hidden[0]):04X}" in error
    assert (store.audits(), store.last_event_id()) == before


async def test_reviewer_queue(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "q.db")
    seed_store(store)
    from casereview.services.sampling import Scope, create_sampled_audit

    info = store.find_checklist("mini")
    create_sampled_audit(
        store, "Queued", info.pk, 6, 3, Scope({}), "lead", reviewers=["ann", "bob"]
    )
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # the newest audit is first
        screen = app.screen
        assert isinstance(screen, AuditCasesScreen)
        table = screen.table
        assert table.row_count == 6
        await pilot.press("m")
        assert table.row_count == 3
        assert {str(table.get_row_at(r)[3]) for r in range(3)} == {"bob"}


async def test_pool_search_and_audits_of_a_case(audited: tuple[Store, AuditInfo]) -> None:
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, PoolScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 6
        assert screen.focused is screen.query_one("#pool-search", Input)  # type straight away
        await pilot.press("T", "slash", "1")
        await pilot.pause()
        assert table.row_count == 2  # T/1 in two forces
        screen.query_one("#pool-force", Select).value = "Otherton"
        await pilot.pause()
        assert table.row_count == 1
        table.focus()
        await pilot.pause()
        assert "In audits: Test audit" in str(screen.query_one("#pool-detail").render())


async def test_assign_by_hand(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    app = make_app(store, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "down", "a", *"kim", "enter")
        await pilot.pause()
    assert [ac.assigned_to for ac in store.audit_cases(audit.id)] == [
        None,
        "kim",
        None,
        None,
        None,
        None,
    ]


async def test_assigning_a_case_to_its_second_reviewer_is_refused_on_screen(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    second_case = store.audit_cases(audit.id)[1].case.id
    store.assign_second(audit.id, [second_case], "sue", "lead")
    app = make_app(store, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "down", "a", *"sue", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AuditCasesScreen)  # still running, the list shown
        shown = [str(n.message) for n in app._notifications]
    assert any("sue is this case's blind second reviewer" in m for m in shown)
    assert store.audit_case(audit.id, second_case).assigned_to is None


async def test_export_from_the_app(
    audited: tuple[Store, AuditInfo], tmp_path: Path, monkeypatch: object
) -> None:
    store, audit = audited
    complete_reviews(store, audit)
    app = make_app(store, "ann")
    out = tmp_path / "from-app.csv"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "x")
        await pilot.pause()
        dialog = app.screen
        # the sections view opens the dialog on sections (issue 17): ask for questions
        dialog.query_one("#export-kind", Select).value = "questions"
        dialog.query_one("#export-format", Select).value = "csv"
        await pilot.pause()
        dialog.query_one("#export-path", Input).value = str(out)
        await pilot.click("#export-go")
        # the dialog closes itself once the file is written
        await until(pilot, lambda: isinstance(app.screen, FindingsScreen), "the export")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfaudit,section_id,question_id,")
    assert b"Test audit,rec,REC-03," in raw


async def test_export_from_the_app_follows_the_file_name_and_asks_before_replacing(
    audited: tuple[Store, AuditInfo], tmp_path: Path
) -> None:
    store, audit = audited
    complete_reviews(store, audit)
    app = make_app(store, "ann")
    out = tmp_path / "mine.csv"
    out.write_text("keep me", encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "x")
        await pilot.pause()
        dialog = app.screen
        assert dialog.query_one("#export-format", Select).value == "xlsx"
        dialog.query_one("#export-kind", Select).value = "questions"
        await pilot.pause()
        dialog.query_one("#export-path", Input).value = str(out)
        await pilot.click("#export-go")
        message = dialog.query_one("#export-message")
        await until(pilot, lambda: "exists" in str(message.render()), "the question")
        await app.workers.wait_for_complete()
        assert out.read_text(encoding="utf-8") == "keep me"  # not replaced without a second go
        await click_button(pilot, "#export-go")
        await until(pilot, lambda: isinstance(app.screen, FindingsScreen), "the export")
    # a .csv name wrote CSV, though the format said workbook
    assert out.read_bytes().startswith(b"\xef\xbb\xbfaudit,section_id,question_id,")


async def test_a_served_export_delivers_what_a_local_one_writes_group_by_included(
    audited: tuple[Store, AuditInfo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a served session the file goes to the browser (deliver_binary), not to disk; it
    # must be the same export the dialog asks for, grouped by force as the screen shows.
    from textual.app import App

    store, audit = audited
    complete_reviews(store, audit)
    sent: list[tuple[bytes, str]] = []
    monkeypatch.setattr(App, "is_web", property(lambda _self: True))
    monkeypatch.setattr(
        App,
        "deliver_binary",
        lambda _self, data, save_filename, **_kw: sent.append((data.read(), save_filename)),
    )
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "g", "x")  # sections, grouped by force
        await pilot.pause()
        dialog = app.screen
        assert dialog.query_one("#export-by", Select).value == "force"
        dialog.query_one("#export-path", Input).value = "sections.csv"
        await pilot.click("#export-go")
        await until(pilot, lambda: sent, "the download")
    ((data, name),) = sent
    assert name == "sections.csv"
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("audit,group,section_id,"), lines[0]
    # rows per section and force (the forces of the completed reviews' cases)
    assert lines[1:] and {line.split(",")[1] for line in lines[1:]} <= {"Otherton", "Testshire"}
    assert not list(tmp_path.iterdir())  # nothing written on the server's disk
