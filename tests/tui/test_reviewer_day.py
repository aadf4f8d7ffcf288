"""Issue 30, the snags in a reviewer's day: unassigned cases are everyone's queue, looking
at a moderation pair starts nothing, the trends refusal said in full, and whole question
text where a column must cut it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, DataTable, Input
from textual.widgets._toast import Toast

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.export import ExportScreen
from casereview.tui.screens import ReviewScreen
from casereview.tui.screens.moderation import ModerationScreen
from casereview.tui.widgets.bars import KeyBar
from casereview.tui.widgets.paged_table import PagedTable
from tests.factories import complete_review, moderated_audit, monthly_trend
from tests.tui.waiting import until

NARROW, WIDE = (80, 24), (160, 48)
FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


def status_of(screen: ReviewScreen) -> str:
    return str(screen.query_one("#review-status").render())


async def test_unassigned_cases_are_everyones_queue(audited: tuple[Store, AuditInfo]) -> None:
    """An audit made with Reviewers blank assigns nobody: after the first c, N opens the
    next case nobody has started (not "Your queue is done" with the rest untouched)."""
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    assert all(ac.assigned_to is None for ac in store.audit_cases(audit.id))
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.case_id == ids[0]
        await pilot.press("y", "y", "y", "a", "c", "N")
        nxt = app.screen
        assert isinstance(nxt, ReviewScreen) and nxt.case_id == ids[1]
        # looking starts nothing: the next case is still nobody's in the database
        assert store.audit_case(audit.id, ids[1]).status is None


async def test_n_never_says_done_while_others_cases_are_unstarted(
    audited: tuple[Store, AuditInfo],
) -> None:
    """Every case but ann's first is bob's and unstarted: N says ann's own queue is empty
    and how many cases nobody has started, never plainly "done"."""
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    store.assign(audit.id, ids[0], "ann", "lead")
    for case_id in ids[1:]:
        store.assign(audit.id, case_id, "bob", "lead")
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("enter", "enter", "y", "y", "y", "a", "c", "N")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.case_id == ids[0]
        said = status_of(screen)
        assert "queue is done" not in said
        assert f"Nothing left for you: {len(ids) - 1} case(s) nobody has started" in said


async def test_looking_at_a_pair_starts_no_moderation(audited: tuple[Store, AuditInfo]) -> None:
    """o on a pair shows the disagreements and the answers agreed; leaving at once leaves
    no moderated review in the database. The first decision starts it."""
    store, audit = audited
    case = store.audit_cases(audit.id)[0].case
    base = {"REC-01": "yes", "REC-02": "yes", "SPO-01": "na"}
    complete_review(store, audit.id, case.id, "ann", "primary", {**base, "REC-03": "yes"})
    complete_review(store, audit.id, case.id, "bob", "second", {**base, "REC-03": "no"})
    app = make_app(store, "mod")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("enter", "o")
        screen = app.screen
        assert isinstance(screen, ModerationScreen)
        title = str(screen.query_one("#moderation-title").render())
        assert "1 disagreement(s)" in title and "moderated review not started" in title
        await pilot.press("d")  # all questions: the agreed ones show as agreed
        assert "Yes" in str(screen.query_one(DataTable).get_row("REC-01")[1])
        await pilot.press("escape")
        roles = [r.role for r in store.reviews_of_case(audit.id, case.id)]
        assert "moderated" not in roles
        await pilot.press("o", "n", *"read it", "enter")
        moderated = [r for r in store.reviews_of_case(audit.id, case.id) if r.role == "moderated"]
        assert len(moderated) == 1
        assert store.answer_values(moderated[0].id) == {**base, "REC-03": "no"}


async def test_exports_default_to_the_documents_or_data_folder(
    audited: tuple[Store, AuditInfo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export dialog suggests the reviewer's documents folder, else casereview's data
    folder (made by the export), never the current folder (the repository under make run)."""
    store, audit = audited
    case = store.audit_cases(audit.id)[0].case
    complete_review(store, audit.id, case.id, "ann", "primary", FULL)
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    for name, value in (("HOME", home), ("XDG_DATA_HOME", data), ("XDG_CONFIG_HOME", home)):
        monkeypatch.setenv(name, str(value))
    monkeypatch.chdir(tmp_path)
    for folder in (data / "casereview" / "exports", home / "Documents"):
        app = make_app(store, "ann")
        async with app.run_test(size=WIDE) as pilot:
            await pilot.press("f", "x")
            dialog = app.screen
            assert isinstance(dialog, ExportScreen)
            path = Path(dialog.query_one("#export-path", Input).value)
            assert path == folder / "test-audit-sections.xlsx"  # the view on screen
            await pilot.click("#export-go")
            await until(pilot, path.is_file, "the export")
        assert path.is_file()
        (home / "Documents").mkdir(exist_ok=True)  # the second round: a documents folder
    assert not list(tmp_path.glob("*.xlsx"))  # nothing in the current folder


async def test_the_notes_checkbox_says_its_state_in_words(
    audited: tuple[Store, AuditInfo],
) -> None:
    """Ticked or not, the export dialog's notes line says which, not only the X's colour."""
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("f", "x")
        box = app.screen.query_one("#export-notes", Checkbox)
        assert not box.value and "left out" in str(box.label)
        box.focus()
        await pilot.press("space")
        assert box.value and "INCLUDED" in str(box.label)


async def test_the_trends_refusal_is_said_in_full_with_no_dead_keys(tmp_path: Path) -> None:
    """A blind second reviewer's trends: the whole reason, no empty chart or table under
    it, and no key offered that would do nothing (Questions, Audits, Names)."""
    store = monthly_trend(tmp_path / "t.db")
    feb = store.audit_named("Feb")
    store.assign_second(feb.id, [store.audit_cases(feb.id)[0].case.id], "bob", "lead")
    app = make_app(store, "bob")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("t")
        screen = app.screen
        await until(pilot, lambda: screen.has_class("refused"), "the refusal")
        title = screen.query_one("#trends-title")
        assert title.region.height >= 2  # wrapped, not cut at one line
        said = " ".join(str(title.render()).split())
        assert said.endswith("so that nothing shows the primary answers first")
        assert not screen.query_one("#trends-chart").display
        assert not screen.query_one("#trends").display
        shown = [k.key for entry in screen.query_one(KeyBar).entries()[0] for k in entry.keys]
        assert set(shown) <= {"escape", "f1"}  # back, and help


async def test_no_screens_keys_overflow_the_80_column_key_bar(tmp_path: Path) -> None:
    """Every screen a reviewer reaches, at 80 columns: the keys it shows fit the bar (a key
    that does not fit belongs in the palette)."""
    store, _audit, ids = moderated_audit(tmp_path / "m.db")
    app = make_app(store, "mod")
    overflowing: dict[str, int] = {}

    async def measure() -> None:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        width = bar.render().cell_len
        if width > NARROW[0]:
            overflowing[type(app.screen).__name__] = width

    async with app.run_test(size=NARROW) as pilot:
        await measure()  # audits
        for keys in (("enter",), ("f",), ("t",), ("n",), ("c",)):
            await pilot.press(*keys)
            await measure()
            await pilot.press("escape")
        await pilot.press("enter")
        await measure()  # cases
        await pilot.press("o")
        await measure()  # moderation
        await pilot.press("escape", "enter", "y")  # someone else's case: asked, and taken
        await measure()  # review
    assert overflowing == {}


async def test_toasts_hide_no_answer_key_or_status_line(audited: tuple[Store, AuditInfo]) -> None:
    """At 80x24 a toast on the review screen covers neither the question with its answer
    keys, nor the status line, nor the key bar."""
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        app.notify("Saved somewhere\nsecond line\nthird line", title="A toast")
        await until(pilot, lambda: screen.query(Toast), "the toast")
        await pilot.pause()
        toast = screen.query_one(Toast).region
        for needed in ("#question", "#review-status", "KeyBar", "TitleBar"):
            assert not toast.overlaps(screen.query_one(needed).region), needed


async def test_the_highlighted_audits_checklist_is_shown_whole(
    audited: tuple[Store, AuditInfo],
) -> None:
    """The audits table's Checklist column is cut at 80 columns: the line under it names
    the highlighted audit's checklist (and period) in full."""
    store, audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        line = str(app.screen.query_one("#reviewer-progress").render())
        assert f"Checklist {audit.checklist_label}, period 2024-01" in line


async def test_the_pools_choices_stay_on_one_line(audited: tuple[Store, AuditInfo]) -> None:
    """At 80 columns the pool's force and offence choices are one line each, not broken
    over two ("any / force")."""
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("c")
        await until(pilot, lambda: app.screen.query("#pool-filters"), "the pool")
        await pilot.pause()
        labels = app.screen.query("#pool-filters SelectCurrent #label")
        assert labels and all(label.region.height == 1 for label in labels)
        assert any("any force" in str(label.render()) for label in labels)


async def test_my_queue_lists_the_cases_assigned_to_nobody(
    audited: tuple[Store, AuditInfo],
) -> None:
    """`m` (My queue) on the cases screen: ann's cases and those assigned to nobody, not
    bob's."""
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    store.assign(audit.id, ids[0], "bob", "lead")
    store.assign(audit.id, ids[1], "ann", "lead")
    mine = [ac.case.id for ac in store.audit_cases(audit.id, assigned_to="ann")]
    assert mine == ids[1:]
    assert store.audit_case_count(audit.id, assigned_to="ann") == len(ids) - 1
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("enter", "m")
        await pilot.pause()
        assert "your queue" in str(app.screen.query_one("#cases-summary").render())
        assert app.screen.query_one("#cases", PagedTable).row_count == len(ids) - 1
