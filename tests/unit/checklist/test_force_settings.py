"""Force settings (issue 26, item 15): a force's own time limits, given to an audit, stored
with it (text and hash) and shown in the questions that name them; the checklist keeps its
default, said to be its own."""

from __future__ import annotations

import hashlib
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.core.checklist.loading import ChecklistError, parse_checklist
from casereview.core.checklist.settings import (
    ForceSettings,
    SettingsError,
    parse_force_settings,
)
from casereview.core.checklist.versions import diff_checklists
from casereview.io.imports.cases import read_case_file
from casereview.services.findings import load, question_table
from casereview.store import Store
from tests.factories import CASES

LIMITED = """\
id: limited
version: "1"
title: Limited
sections:
  - id: s1
    title: S1
    questions:
      - id: Q1
        text: Was the suspect interviewed within {limit}?
        limit: {setting: interview_days, default: 7, unit: days}
        answers: [yes, no]
      - {id: Q2, text: 'b?', answers: [yes, no]}
"""

SETTINGS = "force: Testshire Police\nlimits:\n  interview_days: 3\n  first_contact_hours: 1\n"


def test_settings_are_read() -> None:
    assert parse_force_settings(SETTINGS) == ForceSettings(
        "Testshire Police", {"interview_days": 3, "first_contact_hours": 1}
    )


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("limits:\n  interview_days: 3\n", 1, "force: give the force's name"),
        ("force: X\nlimits:\n  interview_days: three\n", 3, "'three' is not a whole number"),
        ("force: X\nlimits:\n  interview_days: 0\n", 3, "0 is out of range"),
        ("force: X\nlimits:\n  Interview Days: 3\n", 3, "is not a setting name"),
        ("force: X\nlimits: {}\n", 2, "give at least one"),
        ("force: X\nlimit:\n  a: 1\n", 2, "unknown key 'limit'"),
        ("force: [X\n", 2, "YAML syntax error"),
    ],
)
def test_bad_settings_are_refused_at_their_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(SettingsError) as err:
        parse_force_settings(text, "s.yaml")
    assert any(p.line == line and fragment in p.message for p in err.value.problems), (
        err.value.problems
    )


def test_the_question_shows_the_checklists_default_or_the_forces_limit() -> None:
    checklist = parse_checklist(LIMITED)
    assert checklist.question("Q1").text == (
        "Was the suspect interviewed within 7 days (the checklist's default, not a national "
        "standard)?"
    )
    local = checklist.for_force(parse_force_settings(SETTINGS))
    assert local.question("Q1").text == (
        "Was the suspect interviewed within 3 days (Testshire Police's limit)?"
    )
    assert local.questions[0].text == local.question("Q1").text  # no stale index
    # settings without this limit leave the default
    other = checklist.for_force(ForceSettings("X", {"first_contact_hours": 2}))
    assert "checklist's default" in other.question("Q1").text


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("      - id: Q1\n        text: Within {limit}?\n", 8),
        (
            "      - id: Q1\n        text: Within a week?\n"
            "        limit: {setting: interview_days, default: 7, unit: days}\n",
            8,
        ),
    ],
)
def test_limit_and_its_place_in_the_text_go_together(question: str, line: int) -> None:
    head = LIMITED.split("      - id: Q1")[0]
    with pytest.raises(ChecklistError) as err:
        parse_checklist(head + question, "c.yaml")
    assert [p.line for p in err.value.problems] == [line]
    assert "says {limit} in its text" in err.value.problems[0].message


def test_the_diff_says_when_a_question_takes_a_force_limit() -> None:
    old = parse_checklist(LIMITED.replace("{limit}", "a week").replace(
        "        limit: {setting: interview_days, default: 7, unit: days}\n", ""
    ))  # fmt: skip
    lines = diff_checklists(old, parse_checklist(LIMITED))
    assert "changed   Q1  limit: (none) -> force setting interview_days, default 7 days" in lines


# ------------------------------------------------------------------ the audit


def _cli(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "qa", *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    with closing(Store.open(path)) as store:
        store.insert_case_rows(read_case_file(CASES).rows)
    (tmp_path / "limited.yaml").write_text(LIMITED, encoding="utf-8")
    (tmp_path / "testshire.yaml").write_text(SETTINGS, encoding="utf-8")
    return path


def test_an_audit_records_its_settings_and_shows_the_forces_limit(db: Path) -> None:
    folder = db.parent
    result = _cli(
        db, "audit", "create", "Local", "--checklist", str(folder / "limited.yaml"),
        "--sample", "2", "--seed", "1", "--settings", str(folder / "testshire.yaml"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with closing(Store.open(db)) as store:
        audit = store.audit_named("Local")
        assert (
            store.audit_force_settings_hash(audit.id)
            == hashlib.sha256(SETTINGS.encode("utf-8")).hexdigest()
        )
        assert (
            store.audit_checklist(audit.id)
            .question("Q1")
            .text.endswith("within 3 days (Testshire Police's limit)?")
        )
        case_id = store.audit_cases(audit.id)[0].case.id
        review = store.open_review(audit.id, case_id, "qa")
        store.set_answer(review.id, "Q1", "yes", "qa")
        store.set_answer(review.id, "Q2", "no", "qa")
        store.complete_review(review.id, "qa")
        rows = question_table(load(store, "Local")).rows
        # exports and the report take their question text from here
        assert rows[0]["question"] == (
            "Was the suspect interviewed within 3 days (Testshire Police's limit)?"
        )


def test_bad_settings_refuse_the_audit_and_write_nothing(db: Path) -> None:
    folder = db.parent
    (folder / "bad.yaml").write_text("force: X\nlimits:\n  interview_days: -1\n", "utf-8")
    result = _cli(
        db, "audit", "create", "Local", "--checklist", str(folder / "limited.yaml"),
        "--sample", "2", "--seed", "1", "--settings", str(folder / "bad.yaml"),
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"{folder / 'bad.yaml'}:3: interview_days: -1 is out of range" in result.output
    with closing(Store.open(db)) as store:
        assert store.audits() == []
        assert [c.checklist_id for c in store.checklists()] == []  # not stored either
