"""The README's and the docs site's screenshot: the review screen on the demo database.

`.venv/bin/python scripts/docs_screenshot.py` writes docs/images/review-screen.svg (a
Textual SVG screenshot at 100x30, the app as `make run` opens it, `Enter` twice).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from casereview.demo.build import build_demo
from casereview.store import Store
from casereview.tui.app import make_app
from casereview.tui.screens.review import ReviewScreen

OUT = Path(__file__).resolve().parent.parent / "docs" / "images" / "review-screen.svg"
REVIEWER = "insp.khan"


async def shoot(db: Path) -> None:
    store = Store.open(db)
    store.ensure_shipped_checklists()
    build_demo(store, REVIEWER)
    app = make_app(store, REVIEWER)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "enter")
        for _ in range(200):  # at most 10 s for the review to open and settle
            if isinstance(app.screen, ReviewScreen):
                break
            await pilot.pause(0.05)
        else:
            raise SystemExit("the review screen did not open")
        await pilot.pause()
        app.save_screenshot(filename=OUT.name, path=str(OUT.parent))
    store.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(shoot(Path(tmp) / "demo.db"))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
