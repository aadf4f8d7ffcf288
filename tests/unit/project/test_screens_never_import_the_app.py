"""The app is above its screens: screens, dialogs, widgets and the palette ask the app for
things by posting tui.messages, and never import tui/app.py, not even for a type (an
import under TYPE_CHECKING is a cycle the import contracts cannot see)."""

from __future__ import annotations

import ast
from pathlib import Path

TUI = Path(__file__).parents[3] / "src" / "casereview" / "tui"
APP = "casereview.tui.app"


def _imports_of_the_app(path: Path) -> list[int]:
    """The lines of `path` that import the app module, wherever they sit."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        if any(n == APP or n.startswith(APP + ".") for n in names):
            lines.append(node.lineno)
    return lines


def test_no_screen_dialog_widget_or_palette_imports_the_app() -> None:
    below = [p for p in TUI.rglob("*.py") if p != TUI / "app.py"]
    assert len(below) > 20  # the glob found the screens (else this would pass vacuously)
    found = {
        p.relative_to(TUI).as_posix(): lines for p in below if (lines := _imports_of_the_app(p))
    }
    assert found == {}


def test_the_check_sees_an_import_under_type_checking(tmp_path: Path) -> None:
    planted = tmp_path / "screen.py"
    planted.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from casereview.tui.app import CaseReviewApp\n"
        "def f() -> None:\n"
        "    from casereview.tui import app\n"
    )
    assert _imports_of_the_app(planted) == [3, 5]
