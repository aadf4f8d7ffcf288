"""Every key a screen hides from its key bar (no room at 80 columns) is in the command palette,
and choosing it there does what the key does."""

from __future__ import annotations

from pathlib import Path

from textual.screen import Screen

from casereview.tui.app import CaseReviewApp, make_app
from casereview.tui.dialogs.modals import ReasonScreen
from tests.factories import moderated_audit
from tests.tui.waiting import palette_highlights, until

NARROW = (80, 24)


def hidden_keys(app: CaseReviewApp, screen: Screen[object]) -> dict[str, str]:
    """What the palette must offer for the screen's own keys that its bar leaves out:
    title -> action."""
    out = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        action = getattr(screen, f"action_{binding.action.partition('(')[0]}", None)
        ours = getattr(action, "__module__", "").startswith("casereview.")  # not Textual's copy
        if ours and active.node is screen and not binding.show and binding.description:
            out[f"{binding.description} ({app.get_key_display(binding)})"] = binding.action
    return out


async def test_every_key_hidden_from_the_main_screens_bars_is_in_the_palette(
    tmp_path: Path,
) -> None:
    store, _audit, _ids = moderated_audit(tmp_path / "m.db")
    app = make_app(store, "mod")
    missing: dict[str, list[str]] = {}
    seen: set[str] = set()

    async def check() -> None:
        await until(pilot, lambda: app.screen.is_current, "the screen")
        screen = app.screen
        titles = {c.title for c in app.get_system_commands(screen)}
        wanted = hidden_keys(app, screen)
        seen.update(wanted)
        lost = sorted(set(wanted) - titles)
        if lost:
            missing[type(screen).__name__] = lost

    async with app.run_test(size=NARROW) as pilot:
        await check()  # audits
        for key in ("f", "t", "enter"):  # findings, trends, the cases
            await pilot.press(key)
            await until(pilot, lambda: type(app.screen).__name__ != "AuditsScreen", key)
            await check()
            await pilot.press("escape")
    # the keys the bars leave out today: all in the palette
    assert {"Calibration (k)", "Period (p)", "Report (w)", "Funnel (f)"} <= seen
    assert missing == {}


async def test_the_palette_runs_a_hidden_key(tmp_path: Path) -> None:
    """`Period` chosen in the palette opens the period dialog, as `p` does."""
    store, _audit, _ids = moderated_audit(tmp_path / "m.db")
    app = make_app(store, "mod")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("ctrl+p", *"period")
        await until(pilot, lambda: palette_highlights(app, "Period (p)"), "the palette's hit")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReasonScreen), "the period dialog")
        await pilot.press(*"2024-02", "enter")
        await until(pilot, lambda: not isinstance(app.screen, ReasonScreen), "the dialog")
        period = store.audits()[0].period
        assert period is not None and period.label == "2024-02"  # it was 2024-01
