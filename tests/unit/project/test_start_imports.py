"""What the app's first screen imports: nothing it does not need (no timing here, only the
modules a fresh process has loaded once the app module and its first screen are imported)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from casereview.store import Store
from tests.factories import seed_store

# Each was measured on the start-up path (issue 14): numpy and pandas through sqlite-utils
# (about a quarter of the start), importlib.metadata through the version in the bundle
# module, the bundle dialog (and the modals under it) through the audits screen's palette.
NOT_AT_START = ("numpy", "pandas", "importlib.metadata", "casereview.tui.dialogs.bundle")


def test_the_first_screen_imports_no_numpy_metadata_or_bundle_dialog() -> None:
    code = (
        "import json, sys\n"
        "import casereview.tui.app\n"
        "from casereview.tui.screens import AuditsScreen\n"
        f"print(json.dumps([m for m in {NOT_AT_START!r} if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_sqlite_utils_still_works_and_numpy_still_imports_later() -> None:
    code = (
        "import casereview.store, sqlite_utils\n"
        "db = sqlite_utils.Database(memory=True)\n"
        "db['t'].insert({'n': 1, 'x': 1.5, 's': 'a'})\n"
        "print(db.execute('select n, x, s from t').fetchone())\n"
        "import numpy\n"
        "print(numpy.int64(2) + 1)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["(1, 1.5, 'a')", "3"]


# `audit list` loaded the calibration service (and with it pydantic, yaml and the findings
# layer) and sqlite-utils for every audit, about 0.4 s of a 0.5 s command (issue 32): only
# an audit that requires calibration needs them.
# And the other commands' modules (issue 32: the main group imported all sixteen).
NOT_FOR_AUDIT_LIST = (
    "casereview.services.calibration",
    "pydantic",
    "sqlite_utils",
    "casereview.cli.bundle",
    "casereview.cli.outputs",
    "casereview.cli.serve",
    "casereview.cli.users",
)


def test_audit_list_loads_no_calibration_service_pydantic_sqlite_utils_or_other_commands(
    tmp_path: Path,
) -> None:
    db = _seeded(tmp_path)  # an audit that requires no calibration
    run = (
        "from casereview.cli import main\n"
        f"main(['--db', {str(db)!r}, 'audit', 'list'], standalone_mode=False)\n"
    )
    shown, loaded = _loaded_after(run, NOT_FOR_AUDIT_LIST)
    assert "Test audit" in shown
    assert loaded == []


def _seeded(tmp_path: Path) -> Path:
    db = tmp_path / "t.db"
    store = Store.open(db)
    seed_store(store)
    store.close()
    return db


def _loaded_after(code: str, modules: tuple[str, ...]) -> tuple[str, list[str]]:
    """What a fresh process running `code` prints, and which of `modules` it then holds."""
    code += f"import json, sys\nprint(json.dumps([m for m in {modules!r} if m in sys.modules]))\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    *shown, last = done.stdout.splitlines()
    return "\n".join(shown), json.loads(last)


# What opening a Store (every command does) loaded until issue 32's start-up work: the
# bundle merge and its rules, the plan rules, the redaction tables, the records of plans,
# calibrations and accounts, and hashlib, difflib and calendar (each imported where used).
NOT_FOR_A_STORE = (
    "casereview.store.bundle_merge",
    "casereview.core.bundles.merge",
    "casereview.core.bundles.rules",
    "casereview.core.plans",
    "casereview.core.tables",
    "casereview.store.plan_records",
    "casereview.store.calibration_records",
    "casereview.store.user_records",
    "sqlite_utils",
    "hashlib",
    "difflib",
    "calendar",
)


def test_opening_a_store_and_reading_its_audits_loads_none_of_what_only_some_commands_use(
    tmp_path: Path,
) -> None:
    db = _seeded(tmp_path)
    run = (
        "from casereview.store import Store\n"
        f"print([a.name for a in Store.open({str(db)!r}).audits()])\n"
    )
    shown, loaded = _loaded_after(run, NOT_FOR_A_STORE)
    assert "Test audit" in shown
    assert loaded == []


def test_every_name_the_store_package_offers_resolves_and_the_package_alone_loads_none() -> None:
    code = (
        "import json, sys\n"
        "import casereview.store as store\n"
        "loaded = [m for m in sys.modules if m.startswith('casereview.store.')]\n"
        "values = {name: getattr(store, name) is not None for name in store.__all__}\n"
        "print(json.dumps([loaded, values]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, values = json.loads(done.stdout)
    assert loaded == []
    assert values and all(values.values())
