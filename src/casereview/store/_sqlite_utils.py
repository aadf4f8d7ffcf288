"""sqlite-utils, imported without numpy and pandas.

sqlite-utils imports numpy and pandas when they are installed, to map their number types to
column types. casereview never hands it a numpy or pandas value, but matplotlib (for the
report's charts) installs numpy, and importing it cost a quarter of the app's start-up. This
module is imported first by the store package, so sqlite-utils is imported here with the
two hidden; anything that imports numpy later (the charts) gets it as usual.
"""

from __future__ import annotations

import sys


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


_import_without_numpy()
