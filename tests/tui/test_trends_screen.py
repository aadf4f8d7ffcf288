"""The Trends screen on three monthly audits whose figures are worked out by hand below:
the cells (percentage, 95% Wilson interval, an arrow only for a clear change), the drill
into a section's questions, the words for the highlighted cell, and snapshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from casereview.tui.app import CaseReviewApp, make_app
from tests.factories import monthly_trend as monthly

SIZES = [(80, 24), (160, 48)]


def cells(app: CaseReviewApp) -> list[list[str]]:
    table: DataTable[object] = app.screen.query_one("#trends", DataTable)
    return [
        [str(table.get_cell_at(Coordinate(r, c))).rstrip() for c in range(len(table.columns))]
        for r in range(table.row_count)
    ]


def detail(app: CaseReviewApp) -> str:
    return str(app.screen.query_one("#trends-detail", Static).render())


# Section A, met in full (both questions yes; A-1 partly scores half):
#   Jan: cases 1.0, 0.5, 0.75, 0.5 -> 1 of 4; Wilson 1/4 = 4.6-69.9% -> 5-70.
#   Feb: all yes -> 4 of 4; Wilson 4/4 = 51.0-100%. Change +75 points; Newcombe
#     lower = 0.75 - sqrt((1 - 0.510)^2 + (0.699 - 0.25)^2) = 0.75 - 0.665 = +8.5 > 0: improved.
#   Mar: cases (no, yes) 0.5 and (no, no) 0 -> 0 of 2; Wilson 0/2 = 0-65.8%. Change -100;
#     upper = -1 + sqrt(0.658^2 + (1 - 0.510)^2) = -1 + 0.820 = -18.0 < 0: declined.
# Section B (B-1 is a fact, never scored):
#   Jan: B-2 yes yes yes no -> 3 of 4; Wilson 3/4 = 30.1-95.4%.
#   Feb: (B-2, B-3) = (y, y) 1, (y, n) 0.5, (y, y) 1, (y, n) 0.5 -> 2 of 4; Wilson 15.0-85.0%;
#     -25 points, an interval far across 0: no arrow.
#   Mar: (y, y) twice -> 2 of 2; Wilson 2/2 = 34.2-100%; +50 points, lower
#     0.5 - sqrt((1 - 0.342)^2 + (0.850 - 0.5)^2) = 0.5 - 0.745 < 0: no arrow.
SECTIONS = [
    ["Section A", " 25  5-70", "100▲ 51-100", "  0▼ 0-66"],
    ["Section B", " 75  30-95", " 50  15-85", "100  34-100"],
]
# Section A's questions:
#   Jan yes yes partly no = 2.5 of 4 = 62.5% -> 63, Wilson 21.9-90.8%; Feb 4 of 4, +37.5
#     points, lower 0.375 - sqrt((1 - 0.510)^2 + (0.908 - 0.625)^2) = -19.1: no arrow; Mar
#     no, no = 0 of 2: declined as the section did.
#   A-9 (A-2 in version 1): Jan yes no yes yes = 3 of 4, 30.1-95.4%; Feb 4 of 4: +25, no
#     arrow; Mar yes, no = 1 of 2 = 50%, Wilson 9.45-90.55% -> 9-91; -50 points, upper
#     -0.5 + sqrt((0.905 - 0.5)^2 + (1 - 0.510)^2) = +13.6 > 0: no arrow.
QUESTIONS_A = [
    ["A-1 First standard?", " 63  22-91", "100  51-100", "  0▼ 0-66"],
    ["A-9 Second standard, reworded?", " 75  30-95", "100  51-100", " 50  9-91"],
]


async def test_trends_cells_arrows_and_the_questions_of_a_section(tmp_path: Path) -> None:
    app = make_app(monthly(tmp_path / "t.db"), "qa")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert type(app.screen).__name__ == "TrendsScreen"
        table = app.screen.query_one("#trends", DataTable)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers == [
            "Section\n% met in full",
            "2024-01\nn=4",
            "2024-02\nn=4",
            "2024-03\nn=2",
        ]
        assert cells(app) == SECTIONS
        # it opens on the latest audit: Section A in March, in words
        assert table.cursor_coordinate == Coordinate(0, 3)
        assert detail(app).splitlines() == [
            "Section A",
            "0 of 2 cases met it in full, 0%, 95% CI 0-66% (small sample) in Mar "
            "(2024-03, trendy@2)",
            "declined: -100.0 points (95% CI -100.0 to -18.0) since Feb",
        ]
        await pilot.press("left")
        assert detail(app).splitlines()[2] == (
            "improved: +75.0 points (95% CI +8.5 to +95.4) since Jan"
        )
        await pilot.press("left")
        assert detail(app).splitlines()[2] == "The first audit here: no change to show."
        await pilot.press("enter")
        await pilot.pause()
        assert cells(app) == QUESTIONS_A
        await pilot.press("escape", "down", "enter")
        await pilot.pause()
        # Section B's questions: the fact B-1 as prevalence (yes in 1 of 4 in January, yes
        # no no no; Wilson 1/4 5-70), never an arrow; B-3 is new in version 2.
        rows = cells(app)
        assert [r[0] for r in rows] == [
            "B-1 fact Did the fact hold?",
            "B-2 Third standard?",
            "B-3 A new standard?",
        ]
        assert rows[0][1] == " 25  5-70"
        assert "▲" not in "".join(rows[0]) and "▼" not in "".join(rows[0])
        assert rows[2][1] == "not asked"
        await pilot.press("escape")
        assert cells(app) == SECTIONS
        assert table.cursor_coordinate.row == 1  # back on the section it came from
        await pilot.press("escape")
        assert type(app.screen).__name__ == "AuditsScreen"


async def test_audits_left_out_of_the_trend_and_back(tmp_path: Path) -> None:
    """`a`, untick February, Enter: March is compared with January. Section A: Jan 1 of 4
    (Wilson 4.6-69.9%), Mar 0 of 2 (0-65.8%): -25 points, Newcombe upper
    -0.25 + sqrt((0.699 - 0.25)^2 + 0^2) = +0.199 > 0, so no arrow where February's -100
    had one. Section B: Jan 3 of 4, Mar 2 of 2, +25, lower
    0.25 - sqrt((1 - 0.342)^2 + (0.954 - 0.75)^2) < 0: no arrow."""
    from casereview.tui.screens.trends import TrendAuditsScreen, TrendsScreen
    from tests.tui.test_keys_into_dialogs import burst

    app = make_app(monthly(tmp_path / "t.db"), "qa")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        trends = app.screen
        assert isinstance(trends, TrendsScreen)
        # typed at once after `a`: the dialog takes them (down to February, untick, show)
        await burst(pilot, "a", "down", "space", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TrendsScreen)  # the dialog closed
        assert trends.trend is not None
        assert [a.name for a in trends.trend.audits] == ["Jan", "Mar"]
        assert cells(app) == [
            ["Section A", " 25  5-70", "  0  0-66"],
            ["Section B", " 75  30-95", "100  34-100"],
        ]
        title = str(trends.query_one("#trends-title", Static).render())
        assert title.endswith(", 2 of 3 audits oldest first")
        # Escape leaves the choice as it is; ticking February again restores all three
        await pilot.press("a", "escape")
        assert trends.trend is not None
        assert [a.name for a in trends.trend.audits] == ["Jan", "Mar"]
        await pilot.press("a")
        assert isinstance(app.screen, TrendAuditsScreen)
        await pilot.press("down", "space", "enter")
        await pilot.pause()
        assert cells(app) == SECTIONS
        assert str(trends.query_one("#trends-title", Static).render()).endswith(
            ", 3 audits oldest first"
        )


async def test_a_trend_of_no_audit_is_not_accepted(tmp_path: Path) -> None:
    from casereview.tui.screens.trends import TrendAuditsScreen

    app = make_app(monthly(tmp_path / "t.db"), "qa")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("a", "space", "down", "space", "down", "space", "enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, TrendAuditsScreen)  # still open, saying why
        assert "Tick at least one audit" in str(dialog.query_one("#trend-audits-note").render())
        await pilot.press("space", "enter")  # March ticked again
        await pilot.pause()
        assert [a.name for a in app.screen.trend.audits] == ["Mar"]  # type: ignore[attr-defined]


async def test_names_from_the_data_are_shown_as_text(tmp_path: Path) -> None:
    names = {"Jan": "Jan [/b] audit", "Feb": "Feb [red]x", "Mar": "Mar [bold]"}
    app = make_app(monthly(tmp_path / "t.db", names), "qa")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert "in Mar [bold] (2024-03" in detail(app)
        assert "since Feb [red]x" in detail(app)


async def test_a_blind_second_reviewer_sees_no_trend(tmp_path: Path) -> None:
    store = monthly(tmp_path / "t.db")
    feb = store.audit_named("Feb")
    store.assign_second(feb.id, [store.audit_cases(feb.id)[0].case.id], "bob", "lead")
    app = make_app(store, "bob")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        title = str(app.screen.query_one("#trends-title", Static).render())
        assert "bob is the blind second reviewer of 1 case(s)" in title
        assert app.screen.query_one("#trends", DataTable).row_count == 0


@pytest.mark.parametrize("size", SIZES)
def test_trends_screen(
    snap_compare: Callable[..., bool], tmp_path: Path, size: tuple[int, int]
) -> None:
    """Trends: sections by month with intervals, ▲ for A in February, ▼ in March, and the
    chart of section A."""
    app = make_app(monthly(tmp_path / "snap.db"), "qa")
    assert snap_compare(app, press=["t"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_trends_questions_screen(
    snap_compare: Callable[..., bool], tmp_path: Path, size: tuple[int, int]
) -> None:
    """Trends: section B's questions, the fact B-1 as prevalence, B-3 not asked in January."""
    app = make_app(monthly(tmp_path / "snap.db"), "qa")
    assert snap_compare(app, press=["t", "down", "enter"], terminal_size=size)
