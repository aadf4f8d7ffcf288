"""The stylesheet in two files (tui/styles.py): the start parses only the audits screen's
rules and what every screen shares; every other screen's and dialog's rules come with the
first of them to open, so none is ever drawn without its styles."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from typing import Any

from textual.screen import Screen

import casereview.tui
import casereview.tui.dialogs
import casereview.tui.screens
from casereview.store import AuditInfo, Store
from casereview.tui.app import CaseReviewApp, make_app
from casereview.tui.dialogs.modals import Dialog
from casereview.tui.screens import AuditsScreen, HelpScreen
from casereview.tui.screens._base import StoreScreen
from casereview.tui.styles import SCREENS_CSS

START_CSS = Path(casereview.tui.__file__).with_name(str(CaseReviewApp.CSS_PATH))
_NAMED = re.compile(r"\b([A-Z]\w*(?:Screen|Dialog))\b")


def _every_screen_module() -> None:
    """Import every screen and dialog module (the packages import them when first asked)."""
    for package in (casereview.tui.screens, casereview.tui.dialogs):
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")


def _subclasses(cls: type[Screen[Any]]) -> set[type[Screen[Any]]]:
    out: set[type[Screen[Any]]] = set(cls.__subclasses__())
    for sub in list(out):
        out |= _subclasses(sub)
    return out


def _named(css: str) -> set[str]:
    """The screen and dialog classes the rules' selectors name (comments left out)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors = re.findall(r"([^{}]+)\{", css)
    return {name for sel in selectors for name in _NAMED.findall(sel)}


def test_the_start_parses_the_audits_screens_rules_and_no_other_screens() -> None:
    assert _named(START_CSS.read_text(encoding="utf-8")) == {"AuditsScreen"}
    assert AuditsScreen.CSS_PATH is None  # it does not bring screens.tcss at the start


def test_every_screen_screens_css_styles_brings_it_when_it_opens() -> None:
    """Each class screens.tcss has rules for is a screen or dialog whose CSS_PATH is that
    file, so Textual reads it before the screen is drawn."""
    _every_screen_module()
    classes = {c.__name__: c for c in _subclasses(StoreScreen) | _subclasses(Dialog)}
    named = _named(SCREENS_CSS.read_text(encoding="utf-8"))
    assert named and named <= set(classes), named - set(classes)
    assert all(classes[n].CSS_PATH == SCREENS_CSS for n in named)


async def test_the_first_dialog_opened_is_drawn_with_its_styles(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=(120, 40)) as pilot:
        sources = {str(path) for path, _var in app.stylesheet.source}
        assert str(SCREENS_CSS) not in sources  # not parsed at the start
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        sources = {str(path) for path, _var in app.stylesheet.source}
        assert str(SCREENS_CSS) in sources
        # `HelpScreen #help { width: 90%; max-width: 100; ... border: thick $primary }`
        help_box = app.screen.query_one("#help")
        assert help_box.styles.max_width is not None and help_box.styles.max_width.value == 100
        assert help_box.styles.border_top[0] == "thick"
        assert help_box.region.width == 100  # 90% of 120 is 108, held to 100
