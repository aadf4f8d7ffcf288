"""The cases screen of a long audit: it reads pages of the sample from the store, so what
is on screen, what Enter opens and where the cursor starts must follow the sample's order
far beyond the first page (PagedTable.PAGE rows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from casereview.io.imports.cases import read_case_file
from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import AuditCasesScreen, ReviewScreen
from casereview.tui.widgets.paged_table import PagedTable
from tests.factories import MINI
from tests.tui.test_markup import screen_text

SIZE = (120, 30)
N = 600  # three pages


def long_audit(tmp_path: Path) -> tuple[Store, AuditInfo, list[int]]:
    """N cases L/0001 .. L/0600, all sampled in that order; cases alternate ann and bob."""
    csv = tmp_path / "long.csv"
    lines = ["case_ref,force,team,offence,reported_at"]
    lines += [
        f"L/{i:04d},Longshire,Team {i % 7},Harassment,2024-01-01T09:00" for i in range(1, N + 1)
    ]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = Store.open(tmp_path / "long.db")
    info = store.add_checklist(MINI.read_text(), str(MINI))
    store.insert_case_rows(read_case_file(csv).rows)
    ids = [c.id for c in sorted(store.cases(), key=lambda c: c.case_ref)]
    assignments = {cid: ("ann" if i % 2 == 0 else "bob") for i, cid in enumerate(ids)}
    audit = store.create_audit("Long", info.pk, ids, "lead", seed=1, assignments=assignments)
    return store, audit, ids


def shown_refs(app: object) -> list[str]:
    return [
        word
        for line in screen_text(app).splitlines()  # type: ignore[arg-type]
        for word in line.split()
        if word.startswith("L/")
    ]


def test_the_store_pages_the_sample_in_order(tmp_path: Path) -> None:
    store, audit, ids = long_audit(tmp_path)
    assert store.audit_case_count(audit.id) == N
    assert store.audit_case_count(audit.id, assigned_to="bob") == N // 2
    page = store.audit_cases_page(audit.id, 450, 200)
    assert [ac.case.case_ref for ac in page] == [f"L/{i:04d}" for i in range(451, N + 1)]
    mine = store.audit_cases_page(audit.id, 10, 3, assigned_to="bob")
    assert [ac.case.case_ref for ac in mine] == ["L/0022", "L/0024", "L/0026"]
    assert store.audit_cases_page(audit.id, N, 10) == []
    assert store.audit_case_index(audit.id, ids[499]) == 499
    assert store.audit_case_index(audit.id, ids[499], assigned_to="bob") == 249
    assert store.audit_case_index(audit.id, ids[498], assigned_to="bob") is None  # ann's


def test_the_position_index_serves_the_pages(tmp_path: Path) -> None:
    store, audit, _ids = long_audit(tmp_path)
    sql = (
        "SELECT ac.position FROM audit_cases ac WHERE ac.audit_id = ?"
        " AND (ac.assigned_to = ? OR ac.second_reviewer = ?) ORDER BY ac.position LIMIT 1 OFFSET 9"
    )
    plan = " ".join(
        str(r[-1]) for r in store.db.execute("EXPLAIN QUERY PLAN " + sql, [audit.id, "a", "a"])
    )
    assert "COVERING INDEX audit_cases_by_position" in plan
    assert "TEMP B-TREE" not in plan


async def test_end_and_page_down_show_the_rows_far_down(tmp_path: Path) -> None:
    store, audit, _ids = long_audit(tmp_path)
    app = make_app(store, "lead")  # nobody's queue: the cursor starts on the first case
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        cases = app.screen
        assert isinstance(cases, AuditCasesScreen)
        table = cases.table
        assert table.cursor_row == 0 and shown_refs(app)[0] == "L/0001"
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == N - 1
        shown = shown_refs(app)
        assert shown[-1] == "L/0600"
        assert shown == [f"L/{i:04d}" for i in range(N + 1 - len(shown), N + 1)]
        await pilot.press("home", "pagedown", "pagedown")
        await pilot.pause()
        body = table.scrollable_content_region.height - 1
        assert table.cursor_row == 2 * body
        assert f"L/{2 * body + 1:04d}" in shown_refs(app)
        # a page the table has not read yet (rows 200-399) is asked of the store on the way
        table.move_cursor(350)
        await pilot.pause()
        assert f"L/{351:04d}" in shown_refs(app)
        await pilot.press("enter")  # lead opens a case assigned to bob: asked first
        await pilot.press("y")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.case_id == store.audit_cases_page(audit.id, 350, 1)[0].case.id


async def test_enter_on_row_n_opens_case_n_and_only_that_row_is_redrawn(tmp_path: Path) -> None:
    store, audit, ids = long_audit(tmp_path)
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        cases = app.screen
        assert isinstance(cases, AuditCasesScreen)
        table = cases.table
        assert table.cursor_row == 1  # bob's first case: L/0002
        table.move_cursor(421)  # L/0422, bob's
        await pilot.press("enter")
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.case_id == ids[421]
        await pilot.press("y", "escape")  # answer REC-01
        assert app.screen is cases
        assert store.find_review(audit.id, ids[421], "primary") is not None
        assert str(table.get_row_at(421)[2]) == "in progress (1 answered)"
        assert table.cursor_row == 421
        assert "1 in progress" in str(cases.query_one("#cases-summary").render())


@pytest.mark.parametrize("role", ["primary", "second"])
async def test_the_cursor_starts_on_my_next_case_beyond_the_first_page(
    tmp_path: Path, role: str
) -> None:
    store, audit, ids = long_audit(tmp_path)
    # cat's only cases are far down: a primary in progress at row 520 (cat has an
    # unstarted one before it, at 480), or, as second reviewer, a blind review at 530
    if role == "primary":
        store.assign(audit.id, ids[480], "cat", "lead")
        store.assign(audit.id, ids[520], "cat", "lead")
        review = store.open_review(audit.id, ids[520], "cat")
        store.set_answer(review.id, "REC-01", "yes", "cat")
        wanted = 520
    else:
        store.assign_second(audit.id, [ids[530]], "cat", "lead")
        wanted = 530
    app = make_app(store, "cat")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        cases = app.screen
        assert isinstance(cases, AuditCasesScreen)
        await pilot.pause()
        assert cases.table.cursor_row == wanted
        assert f"L/{wanted + 1:04d}" in shown_refs(app)
        await pilot.press("m")  # cat's queue: one or two rows, the cursor within them
        assert cases.table.row_count == (2 if role == "primary" else 1)
        await pilot.press("end", "enter")
        opened = app.screen
        assert isinstance(opened, ReviewScreen) and opened.case_id == ids[wanted]


async def test_a_click_moves_the_cursor_and_a_second_click_opens(tmp_path: Path) -> None:
    store, audit, ids = long_audit(tmp_path)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        cases = app.screen
        assert isinstance(cases, AuditCasesScreen)
        table = cases.query_one(PagedTable)
        assert table.cursor_row == 0
        await pilot.click("#cases", offset=(5, 5))  # the header is line 0: row 4
        assert table.cursor_row == 4
        await pilot.click("#cases", offset=(5, 5))
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.case_id == ids[4]


async def test_a_queue_that_shrinks_under_the_list_is_counted_again(tmp_path: Path) -> None:
    """Another session moves one of bob's cases to ann while bob's queue is open: the last
    row counted is gone. End and Enter neither crash nor open a wrong case; the list counts
    again and Enter opens bob's last case, L/0600."""
    store, audit, ids = long_audit(tmp_path)
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        cases = app.screen
        assert isinstance(cases, AuditCasesScreen)
        await pilot.press("m")
        await pilot.pause()
        assert cases.table.row_count == N // 2
        other = Store.open(tmp_path / "long.db")
        other.assign(audit.id, ids[1], "ann", "lead")  # L/0002, bob's first
        other.close()
        await pilot.press("end")
        await pilot.pause()
        await pilot.pause()
        assert cases.table.row_count == N // 2 - 1
        assert cases.table.cursor_key == str(ids[-1])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.case_id == ids[-1]  # L/0600


async def test_m_keeps_the_cursor_on_its_case(tmp_path: Path) -> None:
    """Bob has every second case (L/0002, L/0004, ...). On L/0400 (row 399 of all), `m`
    shows his queue with the cursor on L/0400 still (row 199 of his 300); `m` again, row 399."""
    store, _audit, ids = long_audit(tmp_path)
    app = make_app(store, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        cases = app.screen
        assert isinstance(cases, AuditCasesScreen)
        cases.table.move_cursor(399)
        await pilot.press("m")
        assert (cases.table.row_count, cases.table.cursor_row) == (N // 2, 199)
        assert cases.table.cursor_key == str(ids[399])
        await pilot.press("m")
        assert (cases.table.row_count, cases.table.cursor_row) == (N, 399)
