"""The palette finds a case by any part of its reference, not only its start, and asks the
store for at most its cap of hits (so a keystroke costs the same in any size of audit)."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import OptionList

from casereview.store.migrations import m010_sampled_refs
from casereview.tui.app import make_app
from casereview.tui.screens import ReviewScreen
from tests.tui.test_cases_paged import long_audit


def brute(store, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    """Every sampled reference holding `query`, any case: what the palette must not miss."""
    return {
        ac.case.case_ref
        for audit in store.audits()
        for ac in store.audit_cases(audit.id)
        if query.lower() in ac.case.case_ref.lower()
    }


def test_a_middle_match_finds_what_a_scan_would_find(tmp_path: Path) -> None:
    store, _audit, _ids = long_audit(tmp_path)
    for query in ("0422", "/042", "042", "l/05", "L/0", "/00", "600", "59", "0001", "x/y"):
        hits = store.find_sampled_cases(query, 20)
        refs = [h[3] for h in hits]
        wanted = brute(store, query)
        if len(query) < 3 and not query.upper().startswith("L"):
            assert refs == []  # under three characters only the start of a reference counts
        elif len(wanted) <= 20:
            assert set(refs) == wanted, query
        else:
            assert len(refs) == 20 and set(refs) <= wanted, query
        assert len(refs) == len(set(refs))
    # in reference order, a case once however it was found (L/0600 also starts so)
    assert [h[3] for h in store.find_sampled_cases("060", 20)] == ["L/0060", "L/0600"]
    assert [h[3] for h in store.find_sampled_cases("L/060", 20)] == ["L/0600"]


def test_the_index_covers_cases_sampled_before_it_existed(tmp_path: Path) -> None:
    store, _audit, _ids = long_audit(tmp_path)
    with store.db.conn:
        store.db.execute("DELETE FROM sampled_refs")  # as a file from before m010
    assert store.find_sampled_cases("0422", 20) == []
    m010_sampled_refs(store.db)
    assert [h[3] for h in store.find_sampled_cases("0422", 20)] == ["L/0422"]


async def test_the_palette_opens_a_case_typed_from_the_middle_of_its_reference(
    tmp_path: Path,
) -> None:
    store, audit, ids = long_audit(tmp_path)
    app = make_app(store, "bob")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("ctrl+p", *"0422")
        for _ in range(200):  # the palette searches on a worker: wait for the hit, not a time
            await pilot.pause()
            palette = app.screen
            if isinstance(palette, CommandPalette) and any(
                "L/0422" in str(option.prompt) for option in palette.query_one(OptionList).options
            ):
                break
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.case_id == ids[421]
        await pilot.press("y")  # bob's own case: the answer is his
        review = store.find_review(audit.id, ids[421], "primary")
        assert review is not None and review.reviewer == "bob"
        assert store.answer_values(review.id) == {"REC-01": "yes"}
