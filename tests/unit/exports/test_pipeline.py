"""The one export pipeline: kinds and what they need, formats from names, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select

from casereview.io.exports import pipeline as outputs
from casereview.store import AuditInfo, Store, StoreError
from casereview.tui.app import make_app
from tests.factories import complete_review
from tests.tui.waiting import until


def test_the_kinds_and_what_each_needs() -> None:
    # Spelled out: the CLI's choices, the dialog's list and the workbook's sheets follow it.
    assert [(k.name, k.figures, k.groupable, k.needs_second) for k in outputs.KINDS.values()] == [
        ("questions", True, True, False),
        ("sections", True, True, False),
        ("cases", False, False, False),
        ("answers", False, False, False),
        ("agreement", True, False, True),
        ("events", False, False, False),
    ]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.csv", "csv"), ("B.XLSX", "xlsx"), ("dir.d/c.json", "json"), ("a.txt", None), ("a", None)],
)
def test_the_format_a_file_name_asks_for(name: str, fmt: str | None) -> None:
    assert outputs.format_named(Path(name)) == fmt


@pytest.fixture
def reviewed(audited: tuple[Store, AuditInfo]) -> tuple[Store, AuditInfo]:
    store, audit = audited
    case_id = store.audit_cases(audit.id)[0].case.id
    answers = {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"}
    complete_review(store, audit.id, case_id, "ann", "primary", answers)
    return store, audit


@pytest.mark.parametrize(
    ("kind", "by", "message"),
    [
        ("cases", "force", "--by applies to questions and sections, not cases"),
        ("questions", "nonesuch", "cannot group by 'nonesuch'"),
        ("agreement", None, "has no second reviews, so no agreement to export"),
    ],
)
def test_an_export_that_cannot_be_made_says_why(
    reviewed: tuple[Store, AuditInfo], kind: str, by: str | None, message: str
) -> None:
    store, audit = reviewed
    with pytest.raises(StoreError, match=message):
        outputs.prepare(store, audit.name, kind, "csv", by)


def test_a_workbook_holds_the_board_sheets_and_the_kind_asked_for(
    reviewed: tuple[Store, AuditInfo],
) -> None:
    store, audit = reviewed
    names = [t.name for t in outputs.prepare(store, audit.name, "events", "xlsx").tables]
    assert names == ["questions", "sections", "cases", "events"]
    names = [t.name for t in outputs.prepare(store, audit.name, "cases", "xlsx").tables]
    assert names == ["questions", "sections", "cases"]


async def test_the_dialog_refuses_what_the_command_line_refuses(
    reviewed: tuple[Store, AuditInfo], tmp_path: Path
) -> None:
    store, _audit = reviewed
    out = tmp_path / "agreement.csv"
    app = make_app(store, "ann")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f", "x")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#export-kind", Select).value = "agreement"
        dialog.query_one("#export-path", Input).value = str(out)
        await pilot.pause()
        await pilot.click("#export-go")
        message = dialog.query_one("#export-message")
        await until(pilot, lambda: "no second reviews" in str(message.render()), "the refusal")
        await app.workers.wait_for_complete()  # (nothing is being written)
    assert not out.exists()


def test_a_blind_second_reviewer_gets_no_export_or_report_from_the_command_line(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from casereview.cli import main
    from tests.factories import seed_store

    db = tmp_path / "b.db"
    store = Store.open(db)
    audit = seed_store(store)
    first, second = (ac.case.id for ac in store.audit_cases(audit.id)[:2])
    answers = {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"}
    complete_review(store, audit.id, first, "ann", "primary", answers)
    complete_review(store, audit.id, second, "ann", "primary", answers)
    store.assign_second(audit.id, [first], "bob", "lead")  # bob's pair is still open
    store.close()
    runner = CliRunner()
    for args in (["export", "answers"], ["export", "questions"], ["report"]):
        as_bob = runner.invoke(
            main, ["--db", str(db), "--reviewer", "bob", *args, "--audit", "Test audit"]
        )
        assert as_bob.exit_code == 2, args
        assert "bob is the blind second reviewer of 1 case(s) here" in as_bob.stderr
        assert as_bob.stdout == ""
        as_kim = runner.invoke(
            main, ["--db", str(db), "--reviewer", "kim", *args, "--audit", "Test audit"]
        )
        assert as_kim.exit_code == 0, (args, as_kim.output)
