"""The moderation screen's keys, each checked for the answer it records in the database, and
its list of disagreements held to the agreement rule the store moderates by (rules.py):
an answer is agreed only where both reviewers gave it (issue 23, items 16 and 17)."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from casereview.io.imports.cases import read_case_file
from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.modals import ReasonScreen
from casereview.tui.screens.moderation import ModerationScreen
from tests.factories import CASES, MINI, complete_review

SIZE = (120, 36)
BASE = {"REC-01": "yes", "REC-02": "yes", "SPO-01": "na"}


@pytest.mark.parametrize(
    ("key", "primary", "second", "recorded"),
    [
        # 1 and 2 take that reviewer's answer, whatever it is
        ("1", "partly", "no", "partly"),
        ("1", "unknown", "yes", "unknown"),
        ("2", "partly", "no", "no"),
        ("2", "unknown", "na", "na"),
        # the letters record their own answer, neither reviewer's
        ("y", "partly", "no", "yes"),
        ("p", "yes", "no", "partly"),
        ("n", "yes", "partly", "no"),
        ("a", "yes", "no", "na"),
        ("u", "yes", "no", "unknown"),
    ],
)
async def test_each_moderation_key_records_its_answer(
    audited: tuple[Store, AuditInfo], key: str, primary: str, second: str, recorded: str
) -> None:
    """REC-03 takes all five answers; the reviewers disagree on it alone."""
    store, audit = audited
    case = store.audit_cases(audit.id)[0].case
    complete_review(store, audit.id, case.id, "ann", "primary", {**BASE, "REC-03": primary})
    complete_review(store, audit.id, case.id, "bob", "second", {**BASE, "REC-03": second})
    app = make_app(store, "mod")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "o")
        screen = app.screen
        assert isinstance(screen, ModerationScreen) and screen.review_id is None  # a look
        assert [k.value for k in screen.query_one(DataTable).rows] == ["REC-03"]
        await pilot.press(key)
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press(*"file read again", "enter")
        assert app.screen is screen and screen.review_id is not None
        assert store.answer_values(screen.review_id) == {**BASE, "REC-03": recorded}
        last = store.events(screen.review_id)[-1]
        assert (last.kind, last.question_id, last.old, last.new, last.reason) == (
            "moderation",
            "REC-03",
            None,
            recorded,
            "file read again",
        )
        await pilot.press("c")
        assert store.review(screen.review_id).status == "complete"


async def test_an_answer_one_reviewer_gave_and_skip_logic_hid_for_the_other_is_decided(
    fresh_store: Store,
) -> None:
    """SPO-03 (shown when SPO-01 is no) takes `na` here. ann: SPO-01 no, SPO-03 na; bob:
    SPO-01 yes, SPO-02 yes, so SPO-03 was hidden for him (scored as N/A, but not his
    answer). Moderation did not take na as agreed, so the screen lists SPO-03 too, and
    after SPO-01 is settled as no it is the next to decide."""
    store = fresh_store
    text = MINI.read_text(encoding="utf-8").replace(
        "      - id: SPO-03\n        text: Is the reason for not applying recorded?\n"
        "        answers: [yes, no]\n",
        "      - id: SPO-03\n        text: Is the reason for not applying recorded?\n"
        "        answers: [yes, no, na]\n",
    )
    assert "answers: [yes, no, na]\n        show_if: {question: SPO-01, in: [no]}" in text
    info = store.add_checklist(text, "mini-na.yaml")
    store.insert_case_rows(read_case_file(CASES).rows)
    ids = [c.id for c in store.cases()]
    audit = store.create_audit("A", info.pk, ids, created_by="lead", seed=1)
    case_id = store.audit_cases(audit.id)[0].case.id
    rec = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes"}
    complete_review(
        store, audit.id, case_id, "ann", "primary", {**rec, "SPO-01": "no", "SPO-03": "na"}
    )
    complete_review(
        store, audit.id, case_id, "bob", "second", {**rec, "SPO-01": "yes", "SPO-02": "yes"}
    )
    app = make_app(store, "mod")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "o")
        screen = app.screen
        assert isinstance(screen, ModerationScreen)
        table = screen.query_one(DataTable)
        assert [k.value for k in table.rows] == ["SPO-01", "SPO-02", "SPO-03"]
        assert [c.plain for c in table.get_row("SPO-03")[2:]] == ["N/A", "hidden"]
        await pilot.press("1", *"ann is right", "enter")  # SPO-01 no: SPO-03 shown, SPO-02 not
        assert screen.review_id is not None  # started by that decision
        assert store.answer_values(screen.review_id)["SPO-01"] == "no"
        assert table.get_row_at(table.cursor_row)[0].plain.startswith("SPO-03")
        await pilot.press("1", *"nothing to record", "enter")  # ann's na
        values = store.answer_values(screen.review_id)
        assert values["SPO-03"] == "na"
        await pilot.press("c")
        assert store.review(screen.review_id).status == "complete"
