"""Waiting in pilot tests for a condition, with a bound, never for a fixed time: on a loaded
machine (two cores, CI, `pytest -n 2`) the app takes longer, and a fixed pause fails at random."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Button

WAIT = 30.0  # seconds: far beyond what the app needs even under load; only a bug waits so long


async def until(
    pilot: Pilot[Any], condition: Callable[[], object], what: str, timeout: float = WAIT
) -> None:
    """Let the app run until `condition()` is true; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:g} s for {what}")
        await pilot.pause(0.02)


def palette_highlights(app: App[Any], text: str) -> bool:
    """Whether the command palette is open with `text` in its highlighted hit (it searches
    on a worker, and Enter takes the highlighted one)."""
    palette = app.screen
    if not isinstance(palette, CommandPalette):
        return False
    hits = palette.query_one(CommandList)
    return hits.highlighted is not None and text in str(
        hits.get_option_at_index(hits.highlighted).prompt
    )


async def click_button(pilot: Pilot[Any], selector: str) -> None:
    """Click a button once it takes a click: a Button ignores clicks during its 0.2 s press
    effect, so a second click straight after the first is lost (a fixed pause of 0.2 s
    is not enough on a loaded machine, where the effect's timer fires late)."""
    button = pilot.app.screen.query_one(selector, Button)
    await until(pilot, lambda: not button.has_class("-active"), f"{selector} to take a click")
    await pilot.click(selector)
