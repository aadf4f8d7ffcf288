"""`export answers` written as it is read (streams.py), and its --question/--answer filter:
from a figure to the cases behind it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.io.exports import writers as export
from casereview.services import findings
from tests.factories import moderated_audit


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "lead", *args])


def rows(result: Result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.stderr
    text = result.stdout_bytes.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_streamed_csv_is_the_tables_bytes_notes_and_formulas_included(
    tmp_path: Path,
) -> None:
    db = tmp_path / "t.db"
    store, audit, ids = moderated_audit(db)
    review = store.open_review(audit.id, ids[3], "zed", "primary")  # in progress, a note
    store.set_answer(review.id, "REC-01", "no", "zed")
    store.set_note(review.id, "REC-01", '=HYPERLINK("x") said, "no"\r\nnext line', "zed")
    data = findings.load(store, audit.name, require_complete=False)
    for notes in (False, True):
        expected = io.BytesIO()
        export.write_csv(findings.answer_table(store, data, notes), expected)
        args = ["export", "answers", "--audit", audit.name] + (["--include-notes"] * notes)
        streamed = run(db, *args)
        assert streamed.exit_code == 0, streamed.stderr
        assert streamed.stdout_bytes == expected.getvalue()
        out = tmp_path / f"answers-{notes}.csv"
        written = run(db, *args, "--out", str(out))
        assert written.exit_code == 0, written.stderr
        assert out.read_bytes() == expected.getvalue()
        assert f"wrote {len(data.checklist.questions) * 6} answers rows" in written.stderr
    assert b"'=HYPERLINK" in streamed.stdout_bytes  # neutralised, as the table writer does
    store.close()


def test_question_and_answer_choose_the_cases_behind_a_figure(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    store, audit, ids = moderated_audit(db)
    ref = {ac.case.id: ac.case.case_ref for ac in store.audit_cases(audit.id)}
    store.close()
    # REC-03: ann's primary said yes on the first case, sue's second and the moderation no
    got = rows(
        run(
            db,
            "export",
            "answers",
            "--audit",
            "Test audit",
            "--question",
            "REC-03",
            "--answer",
            "no",
        )
    )
    assert [(r["case_ref"], r["reviewer"], r["role"], r["answer"]) for r in got] == [
        (ref[ids[0]], "sue", "second", "no"),
        (ref[ids[0]], "mod", "moderated", "no"),
    ]
    # REC-02 partly on ann's second case; on bob's, REC-01 no hides it: na, hidden
    got = rows(
        run(
            db,
            "export",
            "answers",
            "--audit",
            "Test audit",
            "--question",
            "REC-02",
            "--answer",
            "Partly, na",
        )
    )
    assert [(r["case_ref"], r["answer"], r["hidden"]) for r in got] == [
        (ref[ids[1]], "partly", "false"),
        (ref[ids[2]], "na", "true"),
    ]
    # the same filter on a workbook's sheet and in JSON
    out = tmp_path / "a.json"
    result = run(
        db, "export", "answers", "--audit", "Test audit", "--answer", "no", "--out", str(out)
    )
    assert result.exit_code == 0, result.stderr
    assert "wrote 3 answers rows" in result.stderr
    picked = json.loads(out.read_text(encoding="utf-8"))["answers"]
    # bob's REC-01; sue's and the moderated REC-03
    assert sorted((r["reviewer"], r["question_id"]) for r in picked) == [
        ("bob", "REC-01"),
        ("mod", "REC-03"),
        ("sue", "REC-03"),
    ]


def test_the_filter_refuses_what_it_cannot_mean(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    moderated_audit(db)[0].close()
    for args, message in (
        (["questions", "--question", "REC-01"], "export answers only"),
        (["answers", "--question", "REC-99"], "no question 'REC-99' in checklist mini"),
        (["answers", "--answer", "no,maybe"], "'maybe' is not an answer"),
        (["answers", "--answer", " , "], "--answer needs one or more answers"),
        (["answers", "--answer", ""], "--answer needs one or more answers"),
    ):
        result = run(db, "export", *args[:1], "--audit", "Test audit", *args[1:])
        assert result.exit_code == 2
        assert message in result.stderr, result.stderr


def test_the_streamed_events_csv_is_the_tables_bytes_notes_hidden_or_shown(
    tmp_path: Path,
) -> None:
    db = tmp_path / "t.db"
    store, audit, ids = moderated_audit(db)
    review = store.open_review(audit.id, ids[3], "zed", "primary")
    store.set_answer(review.id, "REC-01", "no", "zed")
    store.set_note(review.id, "REC-01", "=1+1, a formula", "zed")
    data = findings.load(store, audit.name, require_complete=False)
    for notes in (False, True):
        expected = io.BytesIO()
        export.write_csv(findings.event_table(store, data, notes), expected)
        args = ["export", "events", "--audit", audit.name] + (["--include-notes"] * notes)
        streamed = run(db, *args)
        assert streamed.exit_code == 0, streamed.stderr
        assert streamed.stdout_bytes == expected.getvalue()
        assert (b"'=1+1" in streamed.stdout_bytes) is notes  # shown only when asked, neutralised
    store.close()
