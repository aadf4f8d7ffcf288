"""Snapshots of the main screens at 80x24 and 160x48 (look at snapshot_report.html to update)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from casereview.store import Store
from casereview.tui.app import CaseReviewApp, make_app
from tests.factories import seed_store

SIZES = [(80, 24), (160, 48)]


def build(tmp_path: Path) -> CaseReviewApp:
    """The test audit with one case half reviewed, another complete."""
    store = Store.open(tmp_path / "snap.db")
    audit = seed_store(store)
    first, second = [ac.case.id for ac in store.audit_cases(audit.id)[:2]]
    r1 = store.open_review(audit.id, first, "ann")
    store.set_answer(r1.id, "REC-01", "yes", "ann")
    store.set_answer(r1.id, "REC-02", "partly", "ann")
    store.set_note(r1.id, "REC-02", "Recorded as harassment first; changed after 9 days", "ann")
    r2 = store.open_review(audit.id, second, "bob")
    for qid, value in (("REC-01", "no"), ("REC-03", "yes"), ("SPO-01", "na")):
        store.set_answer(r2.id, qid, value, "bob")
    store.complete_review(r2.id, "bob")
    return make_app(store, "ann")


@pytest.mark.parametrize("size", SIZES)
def test_audits_screen(
    snap_compare: Callable[..., bool], tmp_path: Path, size: tuple[int, int]
) -> None:
    """Home: the audit with cases, done and open counts and a progress bar."""
    assert snap_compare(build(tmp_path), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_cases_screen(
    snap_compare: Callable[..., bool], tmp_path: Path, size: tuple[int, int]
) -> None:
    """The audit's sample: one in progress (2 answered), one complete, four not started."""
    assert snap_compare(build(tmp_path), press=["enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_review_screen(
    snap_compare: Callable[..., bool], tmp_path: Path, size: tuple[int, int]
) -> None:
    """The review resumed at REC-03: case details, sections, questions, guidance, note mark."""
    assert snap_compare(build(tmp_path), press=["enter", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_findings_screen(
    snap_compare: Callable[..., bool], tmp_path: Path, size: tuple[int, int]
) -> None:
    """Findings: section bars with intervals and counts; one completed review, so † small n."""
    assert snap_compare(build(tmp_path), press=["f"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog(
    snap_compare: Callable[..., bool],
    tmp_path: Path,
    size: tuple[int, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Export from the findings: one line per choice (what, by, format, file), set to the
    view on screen (sections), in the reviewer's data folder (a home with no Documents;
    pinned, so the drawing is the same on every machine); notes left out, in words."""
    for name, value in (("HOME", "/home/reviewer"), ("XDG_CONFIG_HOME", "/home/reviewer/.c")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("XDG_DATA_HOME", "/home/reviewer/.local/share")
    assert snap_compare(build(tmp_path), press=["f", "x"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_flagged_cases(
    snap_compare: Callable[..., bool], tmp_path: Path, size: tuple[int, int]
) -> None:
    """From the Recording section to its cases: bob's REC-01 No, the one counted shortfall."""
    assert snap_compare(build(tmp_path), press=["f", "l"], terminal_size=size)
