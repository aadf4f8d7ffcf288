"""Start a TUI headless, print when its first screen was drawn (time.time()), then exit.

python -m bench.tui_probe casereview DB   # as `casereview --db DB` opens the app
python -m bench.tui_probe baseline        # a bare Textual app showing one DataTable
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Any

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from bench.frames import FrameClock

if TYPE_CHECKING:
    from textual.pilot import Pilot
    from textual.screen import Screen

SIZE = (120, 40)


class BareApp(App[None]):
    """The issue's floor: a bare Textual app showing one DataTable (one row, no database).

    Only the DataTable: the audits screen's header, footer and texts are casereview's cost.
    Nothing else is imported for it (this module imports no other widget).
    """

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("Audit", "Cases", "Done", "Open", "Progress", "Checklist")
        table.add_row("Audit", "25000", "25000", "0", "██████████ 100%", "stalking-casefile@2.0")
        yield table


def first_frame(app: App[Any], wanted: type[Screen[Any]] | None) -> float:
    """Run the app until `wanted` (default: the app's own screen) is mounted and drawn."""
    clock = FrameClock(app)
    drawn: list[float] = []

    async def autopilot(pilot: Pilot[Any]) -> None:
        while not ((wanted is None or isinstance(app.screen, wanted)) and app.screen.is_mounted):
            await asyncio.sleep(0.001)  # not pilot.pause(): that forces a refresh
        last = await clock.settled(since=0.0)
        drawn.append(clock.wall[clock.perf.index(last)])
        app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=autopilot)
    if not drawn:
        raise SystemExit("the first screen was never drawn")
    return drawn[0]


def main(argv: list[str]) -> None:
    if argv[:1] == ["casereview"] and len(argv) == 2:
        from casereview.store import Store
        from casereview.tui.app import make_app
        from casereview.tui.screens import AuditsScreen

        # What `casereview --db DB` does before the app runs (casereview.cli._run_tui).
        store = Store.open(argv[1])
        store.ensure_shipped_checklists()
        at = first_frame(make_app(store, "bench"), AuditsScreen)
        store.close()
    elif argv == ["baseline"]:
        at = first_frame(BareApp(), None)
    else:
        raise SystemExit(__doc__)
    print(f"{at:.6f}")


if __name__ == "__main__":
    main(sys.argv[1:])
