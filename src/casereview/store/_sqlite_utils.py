"""sqlite-utils over an open connection, imported on first use and without numpy and pandas.

sqlite-utils imports numpy and pandas when they are installed, to map their number types to
column types. casereview never hands it a numpy or pandas value, but matplotlib (for the
report's charts) installs numpy, and importing it cost a quarter of the app's start-up. So
sqlite-utils is imported here with the two hidden; anything that imports numpy later (the
charts) gets it as usual.

Even so its import (click, pluggy, dateutil) is 60 ms, a sixth of the app's start. The store
imports it when it first needs it (a write, a migration), not when it opens: the first
screen's reads go to sqlite3 itself.
"""

from __future__ import annotations

import sqlite3
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database


def _import_without_numpy() -> None:
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # an import of it now fails
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


def load() -> None:
    """Import sqlite-utils (numpy and pandas hidden) unless it is imported already."""
    if "sqlite_utils.db" not in sys.modules:
        _import_without_numpy()


def database(conn: sqlite3.Connection) -> Database:
    """sqlite-utils' Database over `conn` (no plugins: nothing may change our connection)."""
    load()
    from sqlite_utils import Database

    # recursive_triggers is set when the connection opens (Connection), not here, so the
    # connection behaves the same before and after this wrapper exists.
    return Database(conn, recursive_triggers=False, execute_plugins=False)
