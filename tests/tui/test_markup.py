"""Text from the data is shown as text: never read as markup, on any screen.

An audit named `Mk [/b] audit` crashed the app at start (MarkupError), an offence of
`[/]Stalking` crashed the cases screen, `Harassment [s2]` showed as `Harassment ` and
`[link=file:///etc/passwd]click[/link]` became a live link. Here every field a user or a
file can fill holds such a string, every screen is opened, and the literal text must be on
the screen as drawn.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rich.console import Console
from textual.app import App
from textual.screen import Screen
from textual.widgets import DataTable, Select

from casereview.core.periods import parse as parse_period
from casereview.io.imports.cases import read_case_file
from casereview.store import Store
from casereview.tui.app import make_app
from casereview.tui.dialogs.export import ExportScreen
from casereview.tui.dialogs.modals import ConfirmScreen, HistoryScreen, NoteScreen, ReasonScreen
from casereview.tui.screens import (
    AuditCasesScreen,
    AuditsScreen,
    FindingsScreen,
    HelpScreen,
    ReviewScreen,
)
from casereview.tui.screens.moderation import ModerationScreen
from casereview.tui.screens.new_audit import NewAuditScreen
from casereview.tui.screens.pool import PoolScreen
from tests.factories import complete_review
from tests.tui.waiting import until

SIZE = (230, 50)  # wide enough for every column to show its value whole

AUDIT = "Mk [/b] audit"
CHECKLIST_TITLE = "Hostile [/] checklist"
FORCE = "Force [red]R[/red]"
TEAM_1 = "[link=file:///etc/passwd]click[/link]"
TEAM_2 = "Hub [s2]"
OFFENCE_1 = "[/]Stalking"
OFFENCE_2 = "Harassment [s2]"
OUTCOME = "Charged [/i]"
OFFICER = "PC [b]1"
SUMMARY = "[@click=app.quit]quit[/]"
RELATIONSHIP = "ex [/] partner"
REF_1, REF_2, REF_3 = "[T]/1", "T/2 [i]", "T/3"
ANN, BOB, MOD = "ann [/]", "bob [b]", "mod [@click=app.bell]x[/]"
NOTE = "note [/] [link=https://x]y[/link]"
REOPEN = "[/b] reopened"
SECTION = "Recording [s2]"
QUESTION_1 = "Was [/] recorded?"
QUESTION_2 = "Was it [b]stalking[/b]?"
GUIDANCE = "[link=file:///etc/passwd]guide[/link]"
CONCERN, THEME, RECOMMENDATION = "Concern [s2]", "Theme [/b]", "R[1]"
SPO_SECTION, SPO_QUESTION = "Orders [/]", "SPO [@click=app.quit]applied[/]?"
DECISION = "[/i] per the call log"

CHECKLIST = f"""\
id: hostile
version: "1"
title: "{CHECKLIST_TITLE}"
concerns:
  identification: "{CONCERN}"
themes:
  misidentification: "{THEME}"
sections:
  - id: rec
    title: "{SECTION}"
    questions:
      - id: REC-01
        text: "{QUESTION_1}"
        answers: [yes, no, unknown]
        guidance: "{GUIDANCE}"
        recommendations: ["{RECOMMENDATION}"]
        concerns: [identification]
        themes: [misidentification]
      - id: REC-02
        text: "{QUESTION_2}"
        answers: [yes, partly, no]
        concerns: [identification]
  - id: spo
    title: "{SPO_SECTION}"
    questions:
      - id: SPO-01
        text: "{SPO_QUESTION}"
        answers: [yes, no, na]
"""


def hostile_store(tmp_path: Path) -> Store:
    """Three cases with hostile text in every field; case 1 reviewed twice (a disagreement
    on REC-02 to moderate, a note, a reopening), case 2 half-way, case 3 complete."""
    cases = tmp_path / "cases.csv"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["case_ref", "force", "team", "offence", "reported_at", "recorded_at", "outcome"]
        + ["da_related", "repeat_victim", "officer", "summary", "relationship"]
    )
    for ref, team, offence in ((REF_1, TEAM_1, OFFENCE_1), (REF_2, TEAM_2, OFFENCE_2)):
        writer.writerow(
            [ref, FORCE, team, offence, "2024-01-05T10:00", "2024-01-05T12:00", OUTCOME]
            + ["yes", "no", OFFICER, SUMMARY, RELATIONSHIP]
        )
    writer.writerow(
        [REF_3, FORCE, TEAM_2, OFFENCE_2, "2024-02-01", "", OUTCOME, "", "", "", "", ""]
    )
    cases.write_text(out.getvalue(), encoding="utf-8")
    checklist = tmp_path / "hostile.yaml"
    checklist.write_text(CHECKLIST, encoding="utf-8")

    store = Store.open(tmp_path / "h.db")
    info = store.add_checklist(checklist.read_text(), str(checklist))
    store.insert_case_rows(read_case_file(cases).rows)
    ids = {c.case_ref: c.id for c in store.cases()}
    audit = store.create_audit(  # a period, or the trend leaves it out
        AUDIT, info.pk, list(ids.values()), created_by=MOD, seed=1, period=parse_period("2024")
    )
    for case_id in ids.values():
        store.assign(audit.id, case_id, ANN, MOD)
    first = {"REC-01": "yes", "REC-02": "yes", "SPO-01": "na"}
    primary = complete_review(store, audit.id, ids[REF_1], ANN, "primary", first)
    store.reopen_review(primary, ANN, REOPEN)
    store.set_note(primary, "REC-01", NOTE, ANN)
    store.complete_review(primary, ANN)
    store.assign_second(audit.id, [ids[REF_1]], BOB, MOD)
    complete_review(store, audit.id, ids[REF_1], BOB, "second", {**first, "REC-02": "partly"})
    half = store.open_review(audit.id, ids[REF_2], ANN)
    store.set_answer(half.id, "REC-01", "yes", ANN)
    store.set_note(half.id, "REC-01", NOTE, ANN)
    complete_review(store, audit.id, ids[REF_3], ANN, "primary", {**first, "REC-01": "no"})
    return store


def screen_text(app: App[None]) -> str:
    """The screen as drawn, as plain text (what a user reads)."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), record=True)
    console.print(app.screen._compositor.render_update(full=True))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def highlight(screen: Screen[None], key: int) -> None:
    """Put the screen's table cursor on the row with this key (an audit's or a case's id)."""
    if isinstance(screen, AuditCasesScreen):  # a paged table: the store knows the row
        index = screen.store.audit_case_index(screen.audit_id, key)
        assert index is not None
        screen.table.move_cursor(index)
        return
    table = screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(str(key)))


def assert_shown(app: App[None], *texts: str) -> None:
    drawn = screen_text(app)
    missing = [t for t in texts if t not in drawn]
    shown = "\n".join(line[:160] for line in drawn.splitlines() if line.strip(" ▁▔▊▎"))
    assert not missing, f"not on {type(app.screen).__name__}: {missing}\n{shown}"


async def test_hostile_text_is_shown_as_text_on_every_screen(tmp_path: Path) -> None:
    store = hostile_store(tmp_path)
    app = make_app(store, MOD)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        # audits: name, checklist, reviewers' progress
        await pilot.pause()
        assert isinstance(app.screen, AuditsScreen)
        assert_shown(app, AUDIT, f"Reviewer: {MOD}", f"{ANN} 2/3 done", f"{BOB} 1/1 done")

        # the palette: audits and cases, with the offence in the help line
        await pilot.press("ctrl+p")
        await pilot.press(*"T/2")
        hit = (f"Case {REF_2} in {AUDIT}", f"{OFFENCE_2} - in progress")
        await until(pilot, lambda: all(t in screen_text(app) for t in hit), "the palette's hit")
        await pilot.press("escape")

        # help
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")

        # the case pool, a case's details, and its filters' options
        await pilot.press("c")
        assert isinstance(app.screen, PoolScreen)
        assert_shown(app, REF_1, FORCE, TEAM_1, OFFENCE_1, TEAM_2, OFFENCE_2)
        assert_shown(app, OUTCOME, f"relationship: {RELATIONSHIP}", f"In audits: {AUDIT}")
        await pilot.click("#pool-offence")
        assert app.screen.query_one("#pool-offence", Select).expanded
        assert_shown(app, OFFENCE_1, OFFENCE_2)
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, AuditsScreen)

        # the new-audit form: its lists of checklists, forces, teams and offences; a
        # refusal that quotes the name; the notification when the sample is drawn
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, NewAuditScreen)
        assert_shown(app, "hostile@1")  # a checklist is shown by id@version, not its title
        for select, texts in (("#force", [FORCE]), ("#team", [TEAM_1, TEAM_2])):
            await pilot.click(select)
            assert form.query_one(select, Select).expanded
            assert_shown(app, *texts)
            await pilot.press("escape")
        await pilot.click("#name")
        await pilot.press(*AUDIT)
        form.query_one("#size").value = "1"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        assert_shown(app, "an audit with this name exists")
        form.query_one("#name").value = "[/] second [s2]"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, AuditCasesScreen)
        drew = "Drew 1 cases for '[/] second [s2]'"  # the notification's toast
        await until(pilot, lambda: drew in screen_text(app), "the toast")
        app.clear_notifications()  # toasts would cover what the next screens draw
        await pilot.press("escape")
        audits = app.screen
        assert isinstance(audits, AuditsScreen)

        # the audit's cases
        first = next(a for a in store.audits() if a.name == AUDIT)
        highlight(audits, first.id)
        await pilot.press("enter")
        cases = app.screen
        assert isinstance(cases, AuditCasesScreen)
        assert_shown(app, AUDIT, REF_1, REF_2, TEAM_1, OFFENCE_1, OFFENCE_2, ANN)
        assert_shown(app, f"{BOB}: done")

        # opening ann's case asks first, naming the case and ann
        refs = {c.case_ref: c.id for c in store.cases()}
        highlight(cases, refs[REF_2])
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        assert_shown(app, f"{REF_2} is being reviewed by {ANN}", f"Open it as {MOD}?")
        await pilot.press("y")

        # the review: case fields, checklist text, guidance, the note, the history
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert_shown(app, f"{AUDIT} - {REF_2}", REF_2, FORCE, TEAM_2, OFFENCE_2, OUTCOME)
        assert_shown(app, SECTION, SPO_SECTION, QUESTION_1, SPO_QUESTION)
        await pilot.press("k")  # back to REC-01, the question with the note and the guidance
        assert review.current == "REC-01"
        assert_shown(app, f"Note: {NOTE}", GUIDANCE)
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        assert_shown(app, ANN, NOTE)
        await pilot.press("escape", "e")
        assert isinstance(app.screen, NoteScreen)
        assert_shown(app, NOTE)
        await pilot.press("escape", "escape")
        assert app.screen is cases

        highlight(cases, refs[REF_1])
        # moderation: reviewers' names, notes, question text, the reason prompt and trail
        await pilot.press("o")
        moderation = app.screen
        assert isinstance(moderation, ModerationScreen)
        assert_shown(app, f"Primary ({ANN})", f"Second ({BOB})", QUESTION_2)
        await pilot.press("d")
        assert_shown(app, NOTE)
        await pilot.press("d", "2")
        assert isinstance(app.screen, ReasonScreen)
        assert_shown(app, f"REC-02: agree Partly - {QUESTION_2}")
        await pilot.press(*DECISION, "enter")
        decided = store.events(moderation.review_id)[-1]
        assert (decided.question_id, decided.reason) == ("REC-02", DECISION)
        await pilot.press("escape")

        # findings: sections, questions, each grouping, each view, the export dialog
        await pilot.press("f")
        findings = app.screen
        assert isinstance(findings, FindingsScreen)
        assert_shown(app, AUDIT, SECTION, SPO_SECTION)
        await pilot.press("enter")
        assert_shown(app, QUESTION_1, QUESTION_2)
        await pilot.press("escape")
        for group, texts in (
            ("force", [FORCE]),
            ("team", [TEAM_1, TEAM_2]),
            ("reviewer", [ANN]),
        ):
            await pilot.press("g")
            assert findings.group == group
            assert_shown(app, *texts, SECTION)
        await pilot.press("g", "g")
        assert findings.group is None
        for view, texts in (
            ("concerns", [CONCERN]),
            ("themes", [THEME]),
            ("recommendations", [RECOMMENDATION]),
            ("agreement", [SECTION, QUESTION_2]),
        ):
            await pilot.press("v")
            assert findings.view == view
            assert_shown(app, *texts)
        await pilot.press("x")
        assert isinstance(app.screen, ExportScreen)
        assert_shown(app, f"Export {AUDIT}")
        await pilot.press("escape")
        assert app.screen is findings

        # trends: the checklist's title, sections, questions and the audit's name
        await pilot.press("escape", "escape")
        assert app.screen is audits
        highlight(audits, first.id)
        await pilot.press("t")
        await pilot.pause()
        assert type(app.screen).__name__ == "TrendsScreen"
        assert_shown(app, CHECKLIST_TITLE, SECTION, SPO_SECTION, f"in {AUDIT} (")
        await pilot.press("enter")
        assert_shown(app, QUESTION_1, QUESTION_2)
    store.close()
