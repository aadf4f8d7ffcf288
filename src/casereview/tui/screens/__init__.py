"""The full screens of the terminal app, one module each, loaded on first use.

`from casereview.tui.screens import ReviewScreen` works as usual, but a screen's module (and
the widgets and core modules it needs) is imported only when the screen is first asked
for: the first frame needs the audits screen alone, and starts that much sooner.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from casereview.tui.dialogs.help import HelpScreen
    from casereview.tui.screens.audit_cases import AuditCasesScreen
    from casereview.tui.screens.audits import AuditsScreen
    from casereview.tui.screens.findings import FindingsScreen
    from casereview.tui.screens.review import ReviewScreen

_MODULES = {
    "AuditCasesScreen": "casereview.tui.screens.audit_cases",
    "AuditsScreen": "casereview.tui.screens.audits",
    "FindingsScreen": "casereview.tui.screens.findings",
    "HelpScreen": "casereview.tui.dialogs.help",
    "ReviewScreen": "casereview.tui.screens.review",
}

__all__ = ["AuditCasesScreen", "AuditsScreen", "FindingsScreen", "HelpScreen", "ReviewScreen"]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(importlib.import_module(_MODULES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
