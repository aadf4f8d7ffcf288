"""Keys typed at full speed after the key that opens a dialog belong to the dialog.

`pilot.press` waits for the app to go idle after every key, which hides the bug these
tests are about: a dialog that appears a moment after its key, while the keys typed after
it still reach the screen behind (answering questions, completing the review). `burst`
sends every key before the app has handled the first, as a fast typist or a paste does.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from textual import events
from textual.app import App
from textual.keys import _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Select, TextArea

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.export import ExportScreen
from casereview.tui.dialogs.modals import HistoryScreen, NoteScreen, ReasonScreen
from casereview.tui.screens import AuditCasesScreen, AuditsScreen, FindingsScreen, ReviewScreen
from casereview.tui.screens.moderation import ModerationScreen
from casereview.tui.screens.new_audit import NewAuditScreen
from tests.factories import complete_review

SIZE = (100, 32)
FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


def key_event(key: str) -> events.Key:
    """The Key event a terminal sends for `key` (a character or a key name), as Pilot builds it."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(key))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


def on_top(app: App[None], screen: Screen[Any]) -> bool:
    """The screen is the one the app shows (a function: `app.screen is x` would narrow x)."""
    return app.screen is screen


def forward(screen: Screen[Any], key: str) -> None:
    """What the app does with a key while nothing on its top screen has the focus (see
    App.on_event): the screen gets it, marked as forwarded (so it is not routed again)."""
    screen._forward_event(key_event(key))


async def burst(pilot: Pilot[None], *keys: str) -> None:
    """Queue every key with no pause between them, then let the app catch up."""
    app: App[None] = pilot.app
    assert app._driver is not None
    for key in keys:
        app._driver.send_message(key_event(key))
    await pilot.pause()
    await pilot.pause()


async def test_a_note_typed_straight_after_e_goes_into_the_note(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.current == "REC-01"
        # n answers No, c completes, y answers Yes, h opens the history: all on the review
        await burst(pilot, "e", *"no contact, yes checked")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("ctrl+s")
        assert on_top(app, screen)
        review = store.review(screen.review_id or 0)  # the note started the review
        assert store.answers(review.id)["REC-01"].note == "no contact, yes checked"
        assert store.answer_values(review.id) == {"REC-01": None}  # a note, no answer
        assert review.status == "in_progress"
        kinds = [(e.kind, e.question_id) for e in store.events(review.id)]
        assert ("answer", "REC-01") not in kinds and ("complete", None) not in kinds


async def test_keys_sent_to_a_dialog_before_its_field_has_the_focus_go_to_the_field(
    audited: tuple[Store, AuditInfo],
) -> None:
    """The dialog's own safety net, driven directly: keys that reach the dialog screen while
    nothing in it has the focus (Textual hands those to the screen, where typed characters
    are dropped) are typed into its field, editing keys included, in order."""
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        notes: list[str | None] = []
        dialog = NoteScreen("REC-01", "")
        app.push_screen(dialog, notes.append)
        assert dialog.focused is None  # not even composed yet
        for key in (*"nox", "backspace", *"t seen", "enter", *"yes"):
            forward(dialog, key)
        await pilot.pause()
        assert dialog.query_one(TextArea).text == "not seen\nyes"
        await pilot.press(*" ok", "ctrl+s")  # and the field has the focus for what follows
        assert notes == ["not seen\nyes ok"]
        assert on_top(app, review)
        assert review.review_id is None  # nothing reached the review: not even started

        reasons: list[str | None] = []
        prompt = ReasonScreen("Reopen", "why?")
        app.push_screen(prompt, reasons.append)
        for key in (*"wrong casx", "backspace", "e", "enter"):
            forward(prompt, key)
        await pilot.pause()
        assert reasons == ["wrong case"]
        assert on_top(app, review)


async def test_a_reopen_reason_typed_straight_after_r_is_the_reason(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    case = store.audit_cases(audit.id)[0].case
    review_id = complete_review(store, audit.id, case.id, "ann", "primary", FULL)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.review_id == review_id
        assert screen.locked
        # h on the locked review opens the history; nothing of this may reach it
        await burst(pilot, "R", *"wrong case, checked the history", "enter")
        assert on_top(app, screen)
        assert store.review(review_id).status == "in_progress"
        reopened = [e for e in store.events(review_id) if e.new == "in_progress"]
        assert [e.reason for e in reopened] == ["wrong case, checked the history"]
        assert store.answer_values(review_id) == FULL
        assert not screen.locked


async def test_an_assignee_typed_straight_after_a_is_the_assignee(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, AuditCasesScreen)
        # m (my queue) and f (findings) are keys of the cases screen
        await burst(pilot, "a", *"fam", "enter")
        assert isinstance(app.screen, AuditCasesScreen)
        assert not app.screen.only_mine
        first = store.audit_cases(audit.id)[0]
        assert first.assigned_to == "fam"


def three_disagreements(store: Store, audit: AuditInfo) -> int:
    """A completed pair on the first case disagreeing on REC-02, REC-03 and SPO-03."""
    case = store.audit_cases(audit.id)[0].case
    primary = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "no", "SPO-03": "yes"}
    second = {**primary, "REC-02": "partly", "REC-03": "no", "SPO-03": "no"}
    complete_review(store, audit.id, case.id, "ann", "primary", primary)
    complete_review(store, audit.id, case.id, "bob", "second", second)
    return case.id


async def test_a_moderation_reason_typed_straight_after_the_decision_key(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    case_id = three_disagreements(store, audit)
    app = make_app(store, "mod")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("enter", "o")
        screen = app.screen
        assert isinstance(screen, ModerationScreen)
        assert screen.review_id is None  # looking starts nothing
        # y, p, n, a, u, 1, 2, c and d are all keys of the moderation screen
        await burst(pilot, "2", *"the second reviewer read the call log, 1 and 2", "enter")
        assert on_top(app, screen) and screen.review_id is not None
        events = store.events(screen.review_id)
        decided = [e for e in events if e.kind == "moderation" and e.reason != "agreed"]
        assert [(e.kind, e.question_id, e.new, e.reason) for e in decided] == [
            ("moderation", "REC-02", "partly", "the second reviewer read the call log, 1 and 2")
        ]
        assert store.review(screen.review_id).status == "in_progress"
    assert store.reviews_of_case(audit.id, case_id)[-1].role == "moderated"


async def test_moderation_moves_to_the_next_disagreement_after_each_decision(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    three_disagreements(store, audit)
    app = make_app(store, "mod")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("enter", "o")
        screen = app.screen
        assert isinstance(screen, ModerationScreen) and screen.review_id is None
        table = screen.query_one(DataTable)
        assert [k.value for k in table.rows] == ["REC-02", "REC-03", "SPO-03"]
        titles = []
        for key, reason in (("1", "primary is right"), ("2", "second is right"), ("n", "none")):
            await pilot.press(key)
            dialog = app.screen
            assert isinstance(dialog, ReasonScreen)
            titles.append(dialog.title_text)
            await pilot.press(*reason, "enter")
            assert on_top(app, screen)
        assert [t.split(":")[0] for t in titles] == ["REC-02", "REC-03", "SPO-03"]
        assert titles[2] == "SPO-03: agree No - Is the reason for not applying recorded?"
        assert screen.review_id is not None  # started by the first decision
        events = store.events(screen.review_id)
        decided = [e for e in events if e.kind == "moderation" and e.reason != "agreed"]
        assert [(e.kind, e.question_id, e.new, e.reason) for e in decided] == [
            ("moderation", "REC-02", "yes", "primary is right"),
            ("moderation", "REC-03", "no", "second is right"),
            ("moderation", "SPO-03", "no", "none"),
        ]
        values = store.answer_values(screen.review_id)
        assert (values["REC-02"], values["REC-03"], values["SPO-03"]) == ("yes", "no", "no")
        # every disagreement decided: the cursor stays on the last one rather than wrap
        await pilot.press("c")
        assert store.review(screen.review_id).status == "complete"


async def test_keys_after_h_and_x_stay_in_the_history_and_the_export_dialog(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    complete_review(store, audit.id, store.audit_cases(audit.id)[1].case.id, "ann", "primary", FULL)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "enter")
        review = app.screen
        assert isinstance(review, ReviewScreen)
        # y and n would answer REC-01 on the review, c would try to complete it
        await burst(pilot, "h", "down", *"ync")
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape")
        assert on_top(app, review)
        assert review.review_id is None  # nothing answered, so nothing started
        assert review.case_id is not None
        assert store.find_review(audit.id, review.case_id, "primary") is None
        await pilot.press("escape", "f")
        findings = app.screen
        assert isinstance(findings, FindingsScreen)
        # g groups, v changes the view, enter drills into a section
        await burst(pilot, "x", *"gv", "enter")
        assert isinstance(app.screen, ExportScreen)
        assert (findings.group, findings.view, findings.section) == (None, "sections", None)


async def test_the_y_straight_after_escape_on_the_new_audit_form_answers_the_question(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, _audit = audited
    app = make_app(store, "lead")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("n", *"Q3")
        form = app.screen
        assert isinstance(form, NewAuditScreen)
        await burst(pilot, "escape", "y")  # the name field has the focus: y would be typed there
        assert isinstance(app.screen, AuditsScreen)
        assert [a.name for a in store.audits()] == ["Test audit"]
        # escape on an open list closes the list and leaves the form open
        await pilot.press("n")
        await pilot.click("#force")
        again = app.screen
        assert isinstance(again, NewAuditScreen) and again.query_one("#force", Select).expanded
        await pilot.press("escape")
        assert on_top(app, again) and not again.query_one("#force", Select).expanded
