"""When a Textual app puts a frame on screen: a hook on App._display, for timing redraws."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual.app import App


class FrameClock:
    """Records the time of every frame an app displays.

    Headless apps (run_test, run(headless=True)) build each frame but skip encoding it for
    the terminal; the hook encodes it too, so a timed frame costs what a real one does.
    """

    def __init__(self, app: App[Any]):
        self.app = app
        self.perf: list[float] = []  # time.perf_counter(), for timing within the process
        self.wall: list[float] = []  # time.time(), comparable with the parent process
        self._new_frame = asyncio.Event()
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            render = getattr(renderable, "render_segments", None)
            if app.is_headless and render is not None:
                render(app.console)
            self.perf.append(time.perf_counter())
            self.wall.append(time.time())
            self._new_frame.set()

        setattr(app, "_display", display)  # noqa: B010 - an instance hook, not a method edit

    def first_after(self, since: float) -> float:
        """perf_counter of the first frame drawn after `since`."""
        return next(t for t in self.perf if t > since)

    async def settled(self, since: float, quiet: float = 0.1, timeout: float = 30.0) -> float:
        """perf_counter of the last frame after `since` once frames stop for `quiet` seconds.

        One key can cause a burst of frames (the cursor moves first, the panels it refills are
        laid out and drawn in later frames); the last frame is the finished state.
        """
        deadline = time.perf_counter() + timeout
        while True:
            self._new_frame.clear()
            try:
                await asyncio.wait_for(self._new_frame.wait(), quiet)
            except TimeoutError:
                if self.perf and self.perf[-1] > since:
                    return self.perf[-1]
            if time.perf_counter() > deadline:
                raise TimeoutError("no frame was drawn")
