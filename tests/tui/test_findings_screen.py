"""Issue 17, the findings: from a figure to its cases, a bar that is what its legend says,
export as you see it, and the audit read once per change rather than once per key."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import DataTable, Input, Select

from casereview.core.fields import Role
from casereview.services import findings
from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.export import ExportScreen
from casereview.tui.dialogs.modals import ConfirmScreen
from casereview.tui.screens import FindingsScreen, ReviewScreen
from casereview.tui.screens.finding_cases import FlaggedScreen
from casereview.tui.widgets.figures import interval_bar

SIZE = (120, 36)


def parts(bar: Text) -> list[tuple[str, bool]]:
    """Each cell of a bar: its character, and whether it is dimmed."""
    out = []
    for i, char in enumerate(bar.plain):
        styles = [str(s.style) for s in bar.spans if s.start <= i < s.end]
        out.append((char, any("dim" in s for s in styles)))
    return out


def test_the_bar_draws_the_estimate_and_the_interval() -> None:
    """Wilson 95% intervals worked by hand (z = 1.96): 0 of 6 is 0-39.0%, 1 of 6 is
    3.0-56.4% around 16.7%, 6 of 6 is 61.0-100%. A cell is in a part when its middle is."""
    # 0%: no █ at all, the interval ▒ to 39%: the middles 5, 15, 25, 35% of 10 cells
    zero = parts(interval_bar(0.0, 0.0, 0.3903, width=10))
    assert [c for c, _ in zero] == list("▒▒▒▒░░░░░░")
    # 17% of 30 cells: 5 cells of █ (middles 1.7 .. 15%), the first (1.7% < 3.0%) bright
    # and four dimmed inside the interval; then ▒ to 56.4% (middles 18.3 .. 55%: 12 cells)
    one = parts(interval_bar(1 / 6, 0.0301, 0.5635, width=30))
    assert "".join(c for c, _ in one) == "█" * 5 + "▒" * 12 + "░" * 13
    assert [dim for c, dim in one if c == "█"] == [False, True, True, True, True]
    # 100%: all 30 █, bright below 61.0% (middles 1.7 .. 58.3%: 18 cells), then dimmed
    full = parts(interval_bar(1.0, 0.6097, 1.0, width=30))
    assert [c for c, _ in full] == ["█"] * 30
    assert [dim for _, dim in full] == [False] * 18 + [True] * 12
    # n = 0: no figure, no bar
    assert interval_bar(None, None, None, width=10).plain == "·" * 10


def build(store: Store, audit: AuditInfo) -> list[int]:
    """T/1 (Otherton): ann, REC-02 No with a note; T/1 (Testshire): bob, REC-01 Unknown,
    REC-03 Partly; T/2: cat, all Yes, and sue's second review of it says REC-03 No (a
    second review is never counted, so never listed)."""
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    plans: list[tuple[int, str, Role, dict[str, str]]] = [
        (ids[0], "ann", "primary", {"REC-01": "yes", "REC-02": "no", "REC-03": "yes"}),
        (ids[1], "bob", "primary", {"REC-01": "unknown", "REC-03": "partly"}),
        (ids[2], "cat", "primary", {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes"}),
        (ids[2], "sue", "second", {"REC-01": "yes", "REC-02": "yes", "REC-03": "no"}),
    ]
    for case_id, who, role, answers in plans:
        review = store.open_review(audit.id, case_id, who, role)
        for qid, value in {**answers, "SPO-01": "na"}.items():
            store.set_answer(review.id, qid, value, who)
        if who == "ann":
            store.set_note(review.id, "REC-02", "no link to the [b]2023[/b] report", who)
        store.complete_review(review.id, who)
    return ids


async def test_from_a_section_or_question_to_its_cases(audited: tuple[Store, AuditInfo]) -> None:
    store, audit = audited
    ids = build(store, audit)
    refs = {ac.case.id: ac.case.case_ref for ac in store.audit_cases(audit.id)}
    events = len(store.events(audit_id=audit.id))
    app = make_app(store, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        findings_screen = app.screen
        assert isinstance(findings_screen, FindingsScreen)
        await pilot.press("l")  # on the first section, Recording
        listed = app.screen
        assert isinstance(listed, FlaggedScreen)
        table = listed.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [
            [refs[ids[0]], "REC-02", "No", "ann", "no link to the [b]2023[/b] report"],
            [refs[ids[1]], "REC-01", "Unknown", "bob", ""],
            [refs[ids[1]], "REC-03", "Partly", "bob", ""],
        ]
        await pilot.press("escape", "enter", "down", "down", "l")  # REC-03 alone
        listed = app.screen
        assert isinstance(listed, FlaggedScreen)
        table = listed.query_one(DataTable)
        assert [str(c) for c in table.get_row_at(0)] == [
            refs[ids[1]],
            "REC-03",
            "Partly",
            "bob",
            "",
        ]
        assert table.row_count == 1  # sue's No on T/2 is a second review: not counted
        await pilot.press("enter")  # bob's case: the lead is asked before opening it
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.case_id == ids[1]
        assert review.review_id == store.reviews_of_case(audit.id, ids[1])[0].id
        await pilot.press("escape")
        assert app.screen is findings_screen  # back where the list was opened
    assert len(store.events(audit_id=audit.id)) == events  # looking changed nothing


async def test_the_audit_is_read_once_per_change(
    audited: tuple[Store, AuditInfo], monkeypatch: pytest.MonkeyPatch
) -> None:
    """v, g and Enter redraw from what was read; a write to the trail (here another
    reviewer's answer) makes the next redraw read the audit again."""
    store, audit = audited
    ids = build(store, audit)
    loads: list[str | None] = []
    real = findings.load

    def counting(store_: Store, name: str, by: str | None = None, **kw: bool) -> findings.AuditData:
        loads.append(by)
        return real(store_, name, by, **kw)

    monkeypatch.setattr(findings, "load", counting)
    app = make_app(store, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        assert loads == [None]
        await pilot.press("v", "v", "v", "v", "v", "enter", "escape")  # round the views
        assert loads == [None]
        await pilot.press("g", "g", "g", "g", "g")  # force, team, reviewer, stratum, none
        assert loads == [None, "force", "team", "reviewer", "stratum"]
        review = store.open_review(audit.id, ids[3], "dan")
        store.set_answer(review.id, "REC-01", "no", "dan")
        await pilot.press("v")
        assert loads[-1] is None and len(loads) == 6
        screen = app.screen
        assert isinstance(screen, FindingsScreen) and screen._ready


async def test_export_takes_the_view_the_group_and_the_last_folder(
    audited: tuple[Store, AuditInfo], tmp_path: Path
) -> None:
    store, audit = audited
    build(store, audit)
    out = tmp_path / "board" / "by-force.csv"
    out.parent.mkdir()
    app = make_app(store, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "g", "x")  # sections, grouped by force
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert dialog.query_one("#export-kind", Select).value == "sections"
        assert dialog.query_one("#export-by", Select).value == "force"
        dialog.query_one("#export-path", Input).value = str(out)
        await pilot.pause()
        await pilot.click("#export-go")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, FindingsScreen)
        assert out.read_bytes().startswith(b"\xef\xbb\xbfaudit,group,")
        await pilot.press("v", "v", "v", "v", "x")  # agreement; the folder remembered
        again = app.screen
        assert isinstance(again, ExportScreen)
        assert again.query_one("#export-kind", Select).value == "agreement"
        by = again.query_one("#export-by", Select)
        assert by.disabled and by.value is Select.NULL  # agreement is never grouped
        path = again.query_one("#export-path", Input).value
        assert Path(path).parent == out.parent and path.endswith("-agreement.xlsx")


async def test_the_new_audit_form_clears_the_name_error_and_says_dates_run_backwards(
    audited: tuple[Store, AuditInfo],
) -> None:
    from textual.widgets import Label

    from casereview.tui.screens.new_audit import NewAuditScreen

    store, _audit = audited
    app = make_app(store, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, NewAuditScreen)
        await pilot.press("ctrl+s")
        assert str(form.query_one("#name-error", Label).render()) == "an audit needs a name"
        await pilot.press(*"Q3")
        assert str(form.query_one("#name-error", Label).render()) == ""
        form.query_one("#from", Input).value = "2024-06-01"
        form.query_one("#to", Input).value = "01/03/2024"
        await pilot.pause()
        assert (
            str(form.query_one("#to-error", Label).render())
            == "the report dates run backwards: from 2024-06-01 to 2024-03-01"
        )
        await pilot.press("ctrl+s")
        assert [a.name for a in store.audits()] == ["Test audit"]  # nothing drawn
        form.query_one("#to", Input).value = "2024-12-31"
        await pilot.pause()
        assert str(form.query_one("#to-error", Label).render()) == ""


async def test_keys_typed_straight_after_l_belong_to_the_list(
    audited: tuple[Store, AuditInfo],
) -> None:
    """`l` then at once `down` and `enter`: the list moves and opens the second row's case;
    none of them reaches the findings behind (Enter there would drill into the section)."""
    from tests.tui.test_keys_into_dialogs import burst

    store, audit = audited
    ids = build(store, audit)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        findings_screen = app.screen
        assert isinstance(findings_screen, FindingsScreen)
        await burst(pilot, "l", "down", "enter")
        assert isinstance(app.screen, ConfirmScreen)  # bob's case: ann is asked first
        assert findings_screen.section is None  # the findings did not drill
        await pilot.press("n")
        assert app.screen is findings_screen
        assert store.reviews_of_case(audit.id, ids[1])[0].reviewer == "bob"
