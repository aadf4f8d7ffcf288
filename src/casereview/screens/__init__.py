"""The full screens of the terminal app, one module each, loaded on first use.

`from casereview.screens import ReviewScreen` works as usual, but a screen's module (and
the widgets and core modules it needs) is imported only when the screen is first asked
for: the first frame needs the audits screen alone, and starts that much sooner.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from casereview.screens.audit_cases import AuditCasesScreen
    from casereview.screens.audits import AuditsScreen
    from casereview.screens.findings_screen import FindingsScreen
    from casereview.screens.help import HelpScreen
    from casereview.screens.review import ReviewScreen

_MODULES = {
    "AuditCasesScreen": "audit_cases",
    "AuditsScreen": "audits",
    "FindingsScreen": "findings_screen",
    "HelpScreen": "help",
    "ReviewScreen": "review",
}

__all__ = ["AuditCasesScreen", "AuditsScreen", "FindingsScreen", "HelpScreen", "ReviewScreen"]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
