"""Waiting in pilot tests for a condition, with a bound, never for a fixed time: on a loaded
machine (two cores, CI, `pytest -n 2`) the app takes longer, and a fixed pause fails at random."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

WAIT = 15.0  # seconds: far beyond what the app needs even under load; only a bug waits so long


async def until(
    pilot: Pilot[Any], condition: Callable[[], object], what: str, timeout: float = WAIT
) -> None:
    """Let the app run until `condition()` is true; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:g} s for {what}")
        await pilot.pause(0.02)
