"""The force settings an audit was created with (core/checklist/settings.py): stored as given,
with their hash, by create_audit; read back here for the questions that show a force's limit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casereview.store.pool import PoolStore

if TYPE_CHECKING:
    from casereview.core.checklist.settings import ForceSettings


class ForceSettingsStore(PoolStore):
    def audit_force_settings(self, audit_id: int) -> ForceSettings | None:
        """The force settings the audit was created with (None: the checklist's defaults)."""
        from casereview.core.checklist.settings import parse_force_settings

        row = self.conn.execute(
            "SELECT force_settings FROM audits WHERE id = ?", [audit_id]
        ).fetchone()
        if row is None or row[0] is None:
            return None
        return parse_force_settings(row[0], "stored force settings")

    def audit_force_settings_hash(self, audit_id: int) -> str | None:
        row = self.conn.execute(
            "SELECT force_settings_hash FROM audits WHERE id = ?", [audit_id]
        ).fetchone()
        return None if row is None else row[0]
