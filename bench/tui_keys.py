"""Key-to-frame latency in the review screen on the big database, and in a minimal Textual app
that updates one widget on a key (the floor); JSON out.

    python -m bench.tui_keys casereview DB LIVE_AUDIT_ID NATIONAL_AUDIT_ID N
    python -m bench.tui_keys baseline DB NATIONAL_AUDIT_ID N

Each timed key is posted to the app as the terminal driver would, and timed to the first
frame it causes and to the last (frames then stop for 100 ms): one key can cause a burst,
the cursor first, then the panels it refills. Prints one JSON object of millisecond samples.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from bench.data import TUI_REVIEWER
from bench.frames import FrameClock
from casereview.core.checklist.models import Checklist
from casereview.store import Store

SIZE = (120, 40)
KEY_FOR = {"yes": "y", "partly": "p", "no": "n", "na": "a", "unknown": "u"}
CHAR = {"y": "y", "p": "p", "n": "n", "a": "a", "u": "u", "enter": "\r", "escape": "\x1b"}


async def timed_key(
    app: App[Any], clock: FrameClock, key: str, quiet: float = 0.1
) -> tuple[float, float]:
    """Milliseconds from posting `key` to the first frame and to the last frame it causes."""
    start = time.perf_counter()
    app.post_message(events.Key(key, CHAR.get(key)))
    end = await clock.settled(since=start, quiet=quiet, timeout=600)
    return (clock.first_after(start) - start) * 1000, (end - start) * 1000


def record(out: dict[str, Any], name: str, times: tuple[float, float]) -> None:
    out.setdefault(f"{name}_first", []).append(times[0])
    out.setdefault(name, []).append(times[1])


def answer_key(checklist: Checklist, qid: str) -> str:
    """`y` where the question allows Yes, else the key of its first allowed answer."""
    allowed = checklist.question(qid).answers
    return "y" if "yes" in allowed else KEY_FOR[allowed[0]]


# ------------------------------------------------------------------ casereview


async def casereview_keys(db: str, live_id: int, national_id: int, n: int) -> dict[str, Any]:
    from casereview.tui.app import make_app
    from casereview.tui.dialogs.modals import ConfirmScreen
    from casereview.tui.screens import AuditCasesScreen, AuditsScreen, ReviewScreen

    store = Store.open(db)
    store.ensure_shipped_checklists()
    app = make_app(store, TUI_REVIEWER)
    out: dict[str, Any] = {"answer": [], "down": [], "keys": []}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, AuditsScreen), app.screen
        await _choose_audit(pilot, live_id)
        await pilot.press("enter")  # the audit's cases
        opened: set[int] = set()
        await _open_fresh_case(pilot, store, live_id, opened)
        clock = FrameClock(app)
        while len(out["answer"]) < n or len(out["down"]) < n:
            screen = app.screen
            assert isinstance(screen, ReviewScreen), screen
            assert screen.checklist is not None and screen.current is not None
            if screen.current == screen.shown[-1]:
                await pilot.press("escape")  # end of this review: the next case
                await _open_fresh_case(pilot, store, live_id, opened)
                continue
            before = screen.current
            if len(out["answer"]) <= len(out["down"]):
                key = answer_key(screen.checklist, before)
                value = {v: k for k, v in KEY_FOR.items()}[key]
                record(out, "answer", await timed_key(app, clock, key))
                saved = store.answer_values(screen.review_id).get(before)
                assert saved == value, f"{before} not saved ({saved!r})"
            else:
                key = "down"
                record(out, "down", await timed_key(app, clock, key))
            assert screen.current != before, f"{key} did not move on from {before}"
            out["keys"].append(key)
        out["reviews_used"] = len(opened)

        # The national audit: its 25,000-row case list, and back to it from a review.
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, AuditsScreen), app.screen
        await _choose_audit(pilot, national_id)
        out["open_big_audit"] = (await timed_key(app, clock, "enter", quiet=0.3))[1]
        assert isinstance(app.screen, AuditCasesScreen), app.screen
        out["open_big_review"] = (await timed_key(app, clock, "enter", quiet=0.3))[1]
        if isinstance(app.screen, ConfirmScreen):  # the first case is another reviewer's
            out["open_big_review"] += (await timed_key(app, clock, "y", quiet=0.3))[1]
        assert isinstance(app.screen, ReviewScreen), app.screen
        out["back_to_big_audit"] = (await timed_key(app, clock, "escape", quiet=0.3))[1]
        assert isinstance(app.screen, AuditCasesScreen), app.screen
    store.close()
    return out


async def _open_fresh_case(
    pilot: Pilot[Any], store: Store, audit_id: int, opened: set[int]
) -> None:
    """From the audit's cases, open a case of the TUI reviewer's not yet started."""
    from casereview.tui.screens import AuditCasesScreen, ReviewScreen

    app = pilot.app
    assert isinstance(app.screen, AuditCasesScreen), app.screen
    fresh = [
        ac.case.id
        for ac in store.audit_cases(audit_id)
        if ac.assigned_to == TUI_REVIEWER and ac.status is None
    ]
    if not fresh:
        raise SystemExit("no unstarted cases left for the TUI: rebuild (run without --reuse)")
    # Opened as Enter on its row does (not timed: the list is a paged table now).
    app.open_case(audit_id, fresh[0])  # type: ignore[attr-defined]
    await pilot.pause()
    assert isinstance(app.screen, ReviewScreen), app.screen
    # By case: a review opened but not yet answered has no id (a look starts nothing).
    case_id = app.screen.case_id
    assert case_id is not None and case_id not in opened, "the case did not open"
    opened.add(case_id)


async def _choose_audit(pilot: Pilot[Any], audit_id: int) -> None:
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(str(audit_id)))
    await pilot.pause()


# ------------------------------------------------------------------ baseline


class MinimalScreen(Screen[None]):
    """The floor a key is compared with: a minimal Textual screen that updates one widget on
    a key (not a copy of the review screen: the target is absolute, under 50 ms at p50)."""

    BINDINGS = [Binding(k, "bump", k) for k in ("y", "p", "n", "a", "u", "down")]

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def compose(self) -> ComposeResult:
        yield Static("0 keys", id="count")

    def action_bump(self) -> None:
        self.count += 1
        self.query_one("#count", Static).update(f"{self.count} keys")


class BareCasesScreen(Screen[None]):
    """A DataTable of the big audit's rows (read beforehand): Textual's cost for the list."""

    def __init__(self, rows: list[tuple[str, ...]]):
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("National audit")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.add_columns("#", "Case", "Status", "Assigned", "2nd", "Team", "Offence", "Reported")
        for i, row in enumerate(self.rows):
            table.add_row(*row, key=str(i))


class BareApp(App[None]):
    BINDINGS = [Binding("enter", "cases", "Cases")]

    def __init__(self, rows: list[tuple[str, ...]]):
        super().__init__()
        self.rows = rows

    def on_mount(self) -> None:
        self.push_screen(MinimalScreen())

    def action_cases(self) -> None:
        self.push_screen(BareCasesScreen(self.rows))


async def baseline_keys(db: str, national_id: int, n: int) -> dict[str, Any]:
    store = Store.open(db)
    rows: list[tuple[str, ...]] = [
        (
            str(ac.position + 1),
            ac.case.case_ref,
            "complete" if ac.status == "complete" else "not started",
            ac.assigned_to or "",
            "",
            ac.case.team or "",
            (ac.case.offence or "")[:34],
            (ac.case.reported_at or "")[:10],
        )
        for ac in store.audit_cases(national_id)
    ]
    store.close()
    app = BareApp(rows)
    out: dict[str, Any] = {"answer": [], "down": []}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock = FrameClock(app)
        screen = app.screen
        assert isinstance(screen, MinimalScreen), screen
        while len(out["answer"]) < n or len(out["down"]) < n:
            before = screen.count
            if len(out["answer"]) <= len(out["down"]):
                record(out, "answer", await timed_key(app, clock, "y"))
            else:
                record(out, "down", await timed_key(app, clock, "down"))
            assert screen.count == before + 1
        app.screen.set_focus(None)  # Enter goes to the app binding, not the option list
        out["open_big_audit"] = (await timed_key(app, clock, "enter", quiet=0.3))[1]
        assert isinstance(app.screen, BareCasesScreen), app.screen
    return out


def main(argv: list[str]) -> None:
    if argv[:1] == ["casereview"] and len(argv) == 5:
        result = asyncio.run(casereview_keys(argv[1], int(argv[2]), int(argv[3]), int(argv[4])))
    elif argv[:1] == ["baseline"] and len(argv) == 4:
        result = asyncio.run(baseline_keys(argv[1], int(argv[2]), int(argv[3])))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
