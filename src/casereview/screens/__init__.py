"""The full screens of the terminal app, one module each."""

from casereview.screens.audit_cases import AuditCasesScreen
from casereview.screens.audits import AuditsScreen
from casereview.screens.findings import FindingsScreen
from casereview.screens.help import HelpScreen
from casereview.screens.review import ReviewScreen

__all__ = ["AuditCasesScreen", "AuditsScreen", "FindingsScreen", "HelpScreen", "ReviewScreen"]
