"""Issue 17, the review screen: the case file beside the questions, the next case and the
next gap, locked keys that say so, focus that cannot strand the arrow keys, and what 80
columns used to cut."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, Label, OptionList

from casereview.core.rules import my_role, my_status, next_in_queue
from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.export import ExportScreen
from casereview.tui.screens import AuditCasesScreen, ReviewScreen
from casereview.tui.screens.moderation import ModerationScreen
from casereview.tui.widgets.bars import KeyBar
from tests.factories import complete_review, moderated_audit
from tests.tui.drawn import key_colours

NARROW, WIDE = (80, 24), (160, 48)
FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


def side_text(screen: ReviewScreen, widget: str) -> str:
    return str(screen.query_one(widget).render())


async def test_the_case_file_is_beside_the_questions(audited: tuple[Store, AuditInfo]) -> None:
    """Summary, officer and the extra attributes (relationship) are in the side pane at both
    sizes; `i` opens it over the whole pane (the sections give way) and closes it again."""
    store, _audit = audited
    for size in (NARROW, WIDE):
        app = make_app(store, "ann")
        async with app.run_test(size=size) as pilot:
            await pilot.press("enter", "enter")
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            details = side_text(screen, "#case-details")
            # the first in sample order is Otherton's T/1: officer PC 6, a stranger
            for shown in ("T/1", "Otherton", "Officer PC 6", "Relationship stranger", "Summary"):
                assert shown in details
            assert "Same ref other force" in details
            assert screen.query_one("#section-progress").display
            await pilot.press("i")
            assert screen.has_class("case-open")
            assert not screen.query_one("#section-progress").display
            await pilot.press("i")
            assert screen.query_one("#section-progress").display


async def test_a_look_starts_nothing(audited: tuple[Store, AuditInfo]) -> None:
    """Opening a case and leaving at once leaves it "not started", in the list and in the
    database; the first answer is what starts the review."""
    store, audit = audited
    first = store.audit_cases(audit.id)[0].case
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("enter", "enter", "j", "escape")
        cases = app.screen
        assert isinstance(cases, AuditCasesScreen)
        assert str(cases.table.get_row_at(0)[2]) == "not started"
        assert store.reviews_of_case(audit.id, first.id) == []
        assert [e.kind for e in store.events(audit_id=audit.id)] == ["audit_created"]
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert "not started" in side_text(screen, "#review-role")
        await pilot.press("n")  # REC-01 No
        (review,) = store.reviews_of_case(audit.id, first.id)
        assert (review.reviewer, review.role, review.status) == ("ann", "primary", "in_progress")
        assert store.answer_values(review.id) == {"REC-01": "no"}
        assert "in progress" in side_text(screen, "#review-role")


async def test_next_gap_and_next_section(audited: tuple[Store, AuditInfo]) -> None:
    """g goes to the next unanswered shown question (round from here), s / S to the next and
    previous section's first question."""
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("j", "y")  # REC-03 yes: on to SPO-01
        assert screen.current == "SPO-01"
        await pilot.press("g")  # the next gap after SPO-01: REC-01, round the end
        assert screen.current == "REC-01"
        await pilot.press("s", "a", "g")  # SPO-01 N/A; the one gap left is REC-01
        assert screen.current == "REC-01"
        assert screen.query_one(OptionList).highlighted == screen.query_one(
            OptionList
        ).get_option_index("REC-01")
        await pilot.press("s")
        assert screen.current == "SPO-01"
        await pilot.press("s")  # round to the first section
        assert screen.current == "REC-01"
        await pilot.press("S")
        assert screen.current == "SPO-01"
        await pilot.press("s", "n", "g")  # REC-01 No: every shown question is answered
        assert "No unanswered question: c completes" in str(
            screen.query_one("#review-status").render()
        )


async def test_after_completing_one_key_opens_the_next_case_in_my_queue(
    audited: tuple[Store, AuditInfo],
) -> None:
    """c then N: the next of ann's unfinished cases (after this one, in sample order); when
    none is left, N says the queue is done and stays."""
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    for case_id, who in zip(ids[:4], ["ann", "bob", "ann", "ann"], strict=True):
        store.assign(audit.id, case_id, who, "lead")
    complete_review(store, audit.id, ids[3], "ann", "primary", FULL)
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.case_id == ids[0]
        await pilot.press("y", "y", "y", "a", "c")
        assert screen.locked
        assert store.reviews_of_case(audit.id, ids[0])[0].status == "complete"
        assert "N opens your next case" in str(screen.query_one("#review-status").render())
        await pilot.press("N")
        nxt = app.screen
        # ids[1] is bob's, ids[3] is done: ann's next is ids[2]
        assert isinstance(nxt, ReviewScreen) and nxt.case_id == ids[2]
        assert isinstance(app.screen_stack[-2], AuditCasesScreen)  # the stack stays shallow
        await pilot.press("y", "y", "y", "a", "c", "N")
        # ids[0], ids[2] and ids[3] done, ids[1] bob's: ids[4] is assigned to nobody, so
        # everyone's (issue 30)
        assert isinstance(app.screen, ReviewScreen) and app.screen.case_id == ids[4]
        complete_review(store, audit.id, ids[5], "sue", "primary", FULL)
        await pilot.press("y", "y", "y", "a", "c", "N")  # bob's ids[1] not started: not done
        said = str(app.screen.query_one("#review-status").render())
        assert "Nothing left for you: 1 case(s) nobody has started" in said
        complete_review(store, audit.id, ids[1], "bob", "primary", FULL)
        await pilot.press("N")
        assert "Your queue is done" in str(app.screen.query_one("#review-status").render())


async def test_locked_keys_are_grey_and_say_why(audited: tuple[Store, AuditInfo]) -> None:
    """On a completed review y n p a u, Delete and e change nothing, are greyed in the
    footer, and say "complete: R to reopen" when pressed."""
    store, audit = audited
    case_id = store.audit_cases(audit.id)[0].case.id
    review_id = complete_review(store, audit.id, case_id, "ann", "primary", FULL)
    events_before = len(store.events(review_id))
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("enter", "up", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.locked
        await pilot.pause()
        # as drawn on the screen: the locked keys in a duller colour than R and N
        colours = key_colours(screen.query_one(KeyBar))
        assert "R" in colours and "N" in colours and "c" not in colours
        assert colours["R"] == colours["N"]
        for key in ("y", "p", "n", "a", "u", "e"):
            assert colours[key] != colours["R"], key
        for key in ("y", "n", "delete", "e"):
            await pilot.press(key)
            assert app.screen_stack[-1] is screen  # e opened no note dialog
            status = str(screen.query_one("#review-status").render())
            assert "complete: R to reopen" in status
        assert store.answer_values(review_id) == FULL
        assert len(store.events(review_id)) == events_before
        assert "complete: R to reopen" in str(screen.query_one("#review-role").render())


async def test_tab_does_not_strand_the_arrow_keys(audited: tuple[Store, AuditInfo]) -> None:
    """Tab has nowhere to take focus but the question list, so Up and Down keep moving."""
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("tab", "down")
        assert screen.current == "REC-03"
        await pilot.press("tab", "tab", "down", "up", "up")
        assert screen.current == "REC-01"
        assert isinstance(app.focused, OptionList)


async def test_at_80_columns_the_role_state_and_note_mark_stay_in_view(
    audited: tuple[Store, AuditInfo],
) -> None:
    """A blind second review says so in the side pane; the note mark sits before the text
    (which is what gets cut), never after it."""
    store, audit = audited
    third = store.audit_cases(audit.id)[2].case
    store.assign_second(audit.id, [third.id], "bob", "lead")
    app = make_app(store, "bob")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.role == "second"
        role = screen.query_one("#review-role")
        assert str(role.render()).splitlines()[0] == "BLIND second review"
        assert role.size.width >= len("complete: R to reopen")  # the longest state fits
        await pilot.press("e", *"seen", "ctrl+s")
        prompt = str(screen.query_one(OptionList).get_option("REC-01").prompt)
        assert prompt.index("✎") < 4  # mark, note mark, then the id and the text
        review = store.review(screen.review_id or 0)
        assert (review.role, store.answers(review.id)["REC-01"].note) == ("second", "seen")


def test_which_role_is_mine_is_one_rule(audited: tuple[Store, AuditInfo]) -> None:
    """rules.my_role: the second reviewer's is the second review; assigned or started is
    primary; anything else is not theirs (and next_in_queue skips it)."""
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    store.assign(audit.id, ids[0], "ann", "lead")
    store.assign(audit.id, ids[1], "bob", "lead")
    store.assign_second(audit.id, [ids[1]], "ann", "lead")
    complete_review(store, audit.id, ids[2], "ann", "primary", FULL)
    rows = store.audit_cases(audit.id)
    assert [my_role(r, "ann") for r in rows] == ["primary", "second", "primary", None, None, None]
    assert [my_status(r, "ann") for r in rows][:4] == [None, None, "complete", False]
    assert next_in_queue(rows, "ann") is rows[0]  # nothing in progress: first not started
    assert next_in_queue(rows, "ann", 0) is rows[1]
    assert next_in_queue(rows, "ann", 1) is rows[0]  # round the end, past the complete one
    # cat has no case of their own: N takes the first case assigned to nobody and not
    # started (issue 30: those are everyone's queue)
    assert next_in_queue(rows, "cat", 0) is rows[3]
    assert next_in_queue(rows, "cat") is None  # where the cases screen's cursor starts


async def test_at_80_columns_the_second_reviewers_column_and_the_replace_prompt_fit(
    tmp_path: Path,
) -> None:
    """The moderation table's columns fit 80 columns ("Second (sue)" was cut to "Sec"), and
    the export dialog's "exists" prompt has the lines it needs ("...exists: Ex")."""
    store, audit, ids = moderated_audit(tmp_path / "m.db")
    store.reopen_review(store.reviews_of_case(audit.id, ids[0])[2].id, "mod", "look again")
    app = make_app(store, "mod")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("enter", "up", "up", "up", "up", "up", "o")
        screen = app.screen
        assert isinstance(screen, ModerationScreen)
        table = screen.query_one(DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[-1] == "Second (sue)"
        widths = sum(c.get_render_width(table) for c in table.columns.values())
        assert widths <= table.size.width
    out = tmp_path / "a-rather-long-file-name-for-the-performance-board.csv"
    out.write_text("keep me", encoding="utf-8")
    app = make_app(store, "mod")
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("f", "x")
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        dialog.query_one("#export-path", Input).value = str(out)
        await pilot.pause()
        await pilot.click("#export-go")
        message = dialog.query_one("#export-message", Label)
        text = str(message.render())
        assert text == f"{out.name} exists: Export again to replace it."
        assert message.size.height >= -(-len(text) // message.size.width)  # every line shown
        assert message.region.bottom <= NARROW[1] - 1
        assert out.read_text(encoding="utf-8") == "keep me"
