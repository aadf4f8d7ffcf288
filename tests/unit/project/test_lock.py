"""The lock check that `make lint` runs: a venv that drifted from requirements-dev.lock is
reported before the suite runs against versions nobody locked."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[3]


def _check_lock() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_lock", ROOT / "scripts/check_lock.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_lock"] = module
    spec.loader.exec_module(module)
    return module


LOCK_TEXT = """\
#    pip-compile ...
Textual==8.2.8 \\
    --hash=sha256:00
    # via casereview
sqlite_utils==4.2.1 \\
    --hash=sha256:11
# The following packages are considered to be unsafe in a requirements file:
pip==26.3 \\
    --hash=sha256:22
"""


def test_pins_are_read_with_canonical_names(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    lock.write_text(LOCK_TEXT, encoding="utf-8")
    assert _check_lock().pins(lock) == {
        "textual": "8.2.8",
        "sqlite-utils": "4.2.1",
        "pip": "26.3",
    }


def test_a_drifted_or_missing_package_is_named() -> None:
    check = _check_lock()
    locked = {"textual": "8.2.8", "sqlite-utils": "4.2.1", "pip": "26.3"}
    installed = {"textual": "8.3.0", "pip": "26.3", "extra-tool": "1.0"}
    assert check.mismatches(locked, installed) == [
        "sqlite-utils==4.2.1 is locked but not installed",
        "textual==8.2.8 is locked but 8.3.0 is installed",
    ]
    matching = {**installed, "textual": "8.2.8", "sqlite-utils": "4.2.1"}
    assert check.mismatches(locked, matching) == []


def test_the_repository_lock_pins_every_dependency_with_hashes() -> None:
    """Each pin carries a hash (pip then refuses anything else), and textual is among them."""
    text = (ROOT / "requirements-dev.lock").read_text(encoding="utf-8")
    pins = _check_lock().pins(ROOT / "requirements-dev.lock")
    assert {"textual", "sqlite-utils", "pytest", "setuptools"} <= set(pins)
    assert text.count("--hash=sha256:") >= len(pins)
    assert "file://" not in text and "/tmp/" not in text  # nothing of one machine's
