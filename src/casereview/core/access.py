"""What an account's role lets it see in the app (the roles are store.sign_ins').

A scrutiny panel member (role `scrutiny`) sees findings, trends and counts: never a case
file, a note, a case reference or a name (reviewers', officers'). The app and its screens ask
`panel_refusal` before they open anything of that kind, as they ask rules.blind_refusal for a
blind second reviewer; a refusal is said in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

PANEL = "scrutiny"
PANEL_SEES = "findings, trends and counts"
NAMED_UNITS = frozenset({"reviewer"})  # groupings whose labels are people's names

T = TypeVar("T")


def is_panel(role: str) -> bool:
    return role == PANEL


def panel_refusal(role: str, what: str) -> str | None:
    """Why `role` may not see `what` (None: it may)."""
    if not is_panel(role):
        return None
    return f"A scrutiny panel account sees {PANEL_SEES} only, never {what}."


def units_for(role: str, units: Sequence[T]) -> tuple[T, ...]:
    """The groupings `role` may choose (a scrutiny panel: none labelled by people's names)."""
    return tuple(u for u in units if not (is_panel(role) and u in NAMED_UNITS))
