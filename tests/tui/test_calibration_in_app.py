"""A calibration in the app: the moderator sets one up (n on the calibration screen) and
records the gold review on the review screen in calibration mode, with a reason; a reviewer
answers theirs blind, seeing neither the gold nor anyone's answers until all theirs are
recorded; then the results show each reviewer's lean and each question's answers and notes.
Every step is checked in the database, not on the screen alone."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Select, Static

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens.calibration import CalibrationScreen
from casereview.tui.screens.calibration_cases import CalibrationCasesScreen
from casereview.tui.screens.calibration_review import CalibrationReviewScreen
from casereview.tui.screens.new_calibration import NewCalibrationScreen
from casereview.tui.widgets.bars import KeyBar
from tests.tui.drawn import line
from tests.tui.waiting import until

GOLD: dict[str, str | None] = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
KEYS = ("y", "y", "y", "a")  # GOLD's answers, in checklist order


def screen_text(app: Any) -> str:
    """Everything the screen's Statics and tables show."""
    parts = [str(w.render()) for w in app.screen.query(Static)]
    for table in app.screen.query(DataTable):
        parts += [str(c) for r in range(table.row_count) for c in table.get_row_at(r)]
    return "\n".join(parts)


async def open_calibrations(pilot: Pilot[Any]) -> None:
    await pilot.press("k")
    await until(pilot, lambda: isinstance(pilot.app.screen, CalibrationScreen), "calibrations")


async def test_the_moderator_sets_up_a_calibration_and_records_the_gold(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, _audit = audited
    app = make_app(store, "mod")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_calibrations(pilot)
        bar = line(app.screen.query_one(KeyBar))
        assert " Your reviews " in bar and " n New " in bar and "Reviewers/questions" in bar
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewCalibrationScreen), "the form")
        await pilot.press(*"Spring")
        app.screen.query_one("#cases", Input).focus()
        await pilot.press(*"T/1,T/2")
        await pilot.press("ctrl+s")  # T/1 is a reference of two forces: which?
        await pilot.pause()
        assert "name its force" in str(app.screen.query_one("#cases-error", Label).render())
        assert store.calibrations() == []
        app.screen.query_one("#force", Select).focus()
        await pilot.press("enter", "down", "down", "enter")  # Otherton, Testshire
        await until(
            pilot, lambda: app.screen.query_one("#force", Select).value == "Testshire", "Testshire"
        )
        app.screen.query_one("#reviewers", Input).focus()
        await pilot.press(*"ann, bob")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, CalibrationScreen), "back to the list")
        info = store.calibration_named("Spring")
        assert (info.moderator, info.reviewers) == ("mod", ("ann", "bob"))
        assert [store.case(c).case_ref for c in info.case_ids] == ["T/1", "T/2"]
        # Enter: the moderator's reviews are the gold
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CalibrationCasesScreen), "cases")
        assert "GOLD" in screen_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CalibrationReviewScreen), "review")
        assert "GOLD review" in screen_text(app)
        assert "e gives each answer its reason" in screen_text(app)
        await pilot.press("e")  # the reason for REC-01's answer, then the answers
        await pilot.pause()
        await pilot.press(*"recorded same day", "ctrl+s")
        await until(
            pilot,
            lambda: store.own_calibration_review(info.id, info.case_ids[0], "mod").answers,
            "the reason saved",
        )
        await pilot.press(*KEYS)
        # each key saved at once, as a draft of the moderator's own
        own = store.own_calibration_review(info.id, info.case_ids[0], "mod")
        assert {q: a.value for q, a in own.answers.items()} == GOLD
        assert own.answers["REC-01"].note == "recorded same day"
        assert store.calibration_reviews(info.id) == []
        await pilot.press("c")
        await pilot.pause()
        (gold,) = store.calibration_reviews(info.id)
        assert (gold.role, gold.reviewer, gold.answers) == ("gold", "mod", GOLD)
        assert gold.notes == {"REC-01": "recorded same day"}
        # recorded once: R does not reopen it, and an answer key changes nothing
        await pilot.press("R", "n")
        await pilot.pause()
        assert store.calibration_reviews(info.id)[0].answers == GOLD
        kinds = [row[5] for row in store.calibration_event_rows(info.id)]
        assert kinds[0] == "calibration_created"
        assert kinds.count("calibration_answer") == 4 and "calibration_note" in kinds
        assert kinds[-1] == "calibration_gold"


async def test_a_reviewer_answers_blind_and_sees_nothing_of_others_until_done(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    ids = [ac.case.id for ac in store.audit_cases(audit.id)][:2]
    info = store.create_calibration("Spring", audit.checklist_pk, ids, "mod", ["ann", "bob"], "mod")
    for case_id in ids:  # the gold and ann's, with notes that must not reach bob
        store.record_calibration_reviews(
            info.id, "mod", "gold", {case_id: (GOLD, {"REC-01": "GOLD-REASON"})}
        )
        store.record_calibration_reviews(
            info.id,
            "ann",
            "reviewer",
            {case_id: ({**GOLD, "REC-02": "no"}, {"REC-02": "ANN-NOTE"})},
        )
    app = make_app(store, "bob")
    async with app.run_test(size=(160, 48)) as pilot:
        await open_calibrations(pilot)
        text = screen_text(app)
        assert "bob has recorded 0 of 2" in text
        assert "GOLD-REASON" not in text and "ANN-NOTE" not in text
        await pilot.press("v")  # the questions view: refused as well
        await pilot.pause()
        assert "ANN-NOTE" not in screen_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CalibrationCasesScreen), "cases")
        assert "BLIND" in screen_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CalibrationReviewScreen), "review")
        text = screen_text(app)
        assert "GOLD-REASON" not in text and "ANN-NOTE" not in text
        assert "BLIND" in text
        await pilot.press("y", "p")
        await pilot.pause()
        own = store.own_calibration_review(info.id, ids[0], "bob")
        assert {q: a.value for q, a in own.answers.items()} == {"REC-01": "yes", "REC-02": "partly"}
        assert "GOLD-REASON" not in screen_text(app)
        await pilot.press("y", "a", "c")
        await until(pilot, lambda: len(store.calibration_reviews(info.id)) == 5, "bob's first")
        await pilot.press("N")  # his next unrecorded case
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, CalibrationReviewScreen) and app.screen.case_id == ids[1]
            ),
            "the next case",
        )
        await pilot.press("y", "y", "y", "a", "c")
        await until(pilot, lambda: len(store.calibration_reviews(info.id)) == 6, "bob's second")
        await pilot.press("escape", "escape")
        await until(pilot, lambda: isinstance(app.screen, CalibrationScreen), "the results")
        await until(pilot, lambda: "bob has recorded" not in screen_text(app), "his figures")
        # still the questions view (v above): REC-02 splits them worst, first and highlighted,
        # with the answers each chose and their notes
        text = screen_text(app)
        assert "REC-02" in text.split("below 0.6")[0]
        assert "ann: no (ANN-NOTE)" in text
        assert "bob: partly" in text
        await pilot.press("v")  # the reviewers: ann's row first, her answers counted
        await pilot.pause()
        text = screen_text(app)
        assert "ann against the gold" in text
        assert "no 2 / 0" in text  # ann said no twice on REC-02, the gold never did


async def test_a_calibration_takes_its_cases_from_an_audits_sample(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    sample = [ac.case.id for ac in store.audit_cases(audit.id)]
    app = make_app(store, "mod")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_calibrations(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, NewCalibrationScreen), "the form")
        await pilot.press(*"From the audit")
        app.screen.query_one("#audit", Select).focus()
        await pilot.press("enter", "down", "enter")  # the prompt (the pool), then the audit
        await until(
            pilot, lambda: app.screen.query_one("#audit", Select).value == audit.id, "the audit"
        )
        count = app.screen.query_one("#count", Input)
        count.focus()
        await pilot.press("backspace", "backspace", "2")
        app.screen.query_one("#reviewers", Input).focus()
        await pilot.press(*"ann")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, CalibrationScreen), "back to the list")
    info = store.calibration_named("From the audit")
    assert list(info.case_ids) == sample[:2]  # its first two, in sample order
    assert (info.moderator, info.reviewers, info.checklist_pk) == (
        "mod",
        ("ann",),
        audit.checklist_pk,
    )
