"""The signing keys this database trusts: whose bundles it imports (io.bundles.signing)."""

from __future__ import annotations

from typing import NamedTuple

from casereview.store.connection import Connection
from casereview.store.errors import StoreError
from casereview.store.records import now


class TrustedKey(NamedTuple):  # (a NamedTuple: a quarter of a dataclass's cost at start)
    name: str
    public_key: str
    fingerprint: str
    added_by: str
    added_at: str


class KeyStore(Connection):
    """Trusted keys, each with a name: kept in this database, never carried in a bundle."""

    def trusted_keys(self) -> list[TrustedKey]:
        rows = self.conn.execute(
            "SELECT name, public_key, fingerprint, added_by, added_at FROM trusted_keys"
            " ORDER BY name"
        ).fetchall()
        return [TrustedKey(*row) for row in rows]

    def trusted_key(self, public_key: str) -> TrustedKey | None:
        row = self.conn.execute(
            "SELECT name, public_key, fingerprint, added_by, added_at FROM trusted_keys"
            " WHERE public_key = ?",
            [public_key],
        ).fetchone()
        return TrustedKey(*row) if row else None

    def trust_key(self, name: str, public_key: str, fingerprint: str, actor: str) -> None:
        """Trust a key under a name; refused (StoreError) where the name or the key is taken."""
        name = name.strip()
        if not name:
            raise StoreError("a trusted key needs a name")
        with self._write():
            for row in self.conn.execute(
                "SELECT name, public_key FROM trusted_keys WHERE name = ? OR public_key = ?",
                [name, public_key],
            ).fetchall():
                if row[1] == public_key:
                    raise StoreError(f"that key ({fingerprint}) is trusted already as '{row[0]}'")
                raise StoreError(f"there is already a trusted key named '{name}'")
            self.db.execute(
                "INSERT INTO trusted_keys (name, public_key, fingerprint, added_by, added_at)"
                " VALUES (?, ?, ?, ?, ?)",
                [name, public_key, fingerprint, actor, now()],
            )

    def forget_key(self, name: str) -> None:
        with self._write():
            gone = self.db.execute("DELETE FROM trusted_keys WHERE name = ?", [name]).rowcount
        if not gone:
            raise StoreError(f"there is no trusted key named '{name}'")
