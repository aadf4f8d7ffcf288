"""Exports read back: Excel-safe CSV, the workbook and its chart, JSON, notes only on request."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from casereview.cli import main
from casereview.core.tables import Table
from casereview.io.exports.writers import neutralise, write_csv
from casereview.io.imports.cases import read_case_file
from casereview.services import findings
from casereview.services.findings import QUESTION_COLUMNS
from casereview.store import Store
from tests.factories import CASES, MINI, complete, moderated_audit, seed_store

RISKY = ["=1+1", "+44 7700", "-2", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The test audit: three completed primary reviews with notes, one in progress."""
    path = tmp_path / "x.db"
    store = Store.open(path)
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    plans = [
        {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "no", "SPO-03": "yes"},
        {"REC-01": "yes", "REC-02": "partly", "REC-03": "no", "SPO-01": "yes", "SPO-02": "no"},
        {"REC-01": "no", "REC-03": "unknown", "SPO-01": "na"},
    ]
    for case_id, answers in zip(ids, plans, strict=False):
        review = store.open_review(audit.id, case_id, "ann")
        for qid, value in answers.items():
            store.set_answer(review.id, qid, value, "ann")
        store.set_note(review.id, "REC-01", '=HYPERLINK("http://x")', "ann")
        store.complete_review(review.id, "ann")
    store.open_review(audit.id, ids[3], "bob")
    store.close()
    return path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:]
    assert body.count(b"\n") == body.count(b"\r\n")  # every line ends CRLF
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


def test_questions_csv(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "q.csv"
    result = run(db, "export", "questions", "--audit", "Test audit", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    rows = read_csv(out)
    assert rows[0] == ["audit", *QUESTION_COLUMNS]
    by_id = {r[2]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    # REC-02 over 3 completed reviews: yes, partly, hidden (REC-01 = no) -> na
    # n_applicable 2, compliance (1 + 0.5)/2 = 75.0%
    rec02 = by_id["REC-02"]
    assert (
        rec02["n_reviews"],
        rec02["n_applicable"],
        rec02["yes"],
        rec02["partly"],
        rec02["na"],
    ) == (
        "3",
        "2",
        "1",
        "1",
        "1",
    )
    assert rec02["compliance_pct"] == "75.0"
    # REC-03: yes, no, unknown -> n_applicable 2, 1 of 2 = 50.0%
    assert by_id["REC-03"]["compliance_pct"] == "50.0"
    # SPO-02 shown only once (answered no): 0 of 1
    assert by_id["SPO-02"]["compliance_pct"] == "0.0" and by_id["SPO-02"]["na"] == "2"
    assert by_id["REC-01"]["question"] == "Was a crime recorded?"
    # numbers are unquoted plain numbers
    assert b",3,2,1,1,0,1,0,75.0," in out.read_bytes()


def test_notes_only_with_the_flag_and_neutralised(db: Path, tmp_path: Path) -> None:
    plain = tmp_path / "a.csv"
    assert run(db, "export", "answers", "--audit", "Test audit", "--out", str(plain)).exit_code == 0
    rows = read_csv(plain)
    assert "note" not in rows[0]
    assert b"HYPERLINK" not in plain.read_bytes()
    noted = tmp_path / "n.csv"
    result = run(
        db, "export", "answers", "--audit", "Test audit", "--out", str(noted), "--include-notes"
    )
    assert result.exit_code == 0
    rows = read_csv(noted)
    notes = [
        r[rows[0].index("note")] for r in rows[1:] if r[rows[0].index("question_id")] == "REC-01"
    ]
    assert notes[:3] == ['\'=HYPERLINK("http://x")'] * 3
    cases = tmp_path / "c.csv"
    assert run(db, "export", "cases", "--audit", "Test audit", "--out", str(cases)).exit_code == 0
    assert "summary" not in read_csv(cases)[0]
    # the fixture summary "=cmd|' /C calc'!A0" appears only with the flag, and neutralised
    assert (
        run(
            db,
            "export",
            "cases",
            "--audit",
            "Test audit",
            "--out",
            str(cases),
            "--include-notes",
            "--force",  # the same file again: replacing it is asked for (issue 17)
        ).exit_code
        == 0
    )
    assert "'=cmd|' /C calc'!A0" in [r[-1] for r in read_csv(cases)]


def test_sections_by_group(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    result = run(
        db, "export", "sections", "--audit", "Test audit", "--by", "force", "--out", str(out)
    )
    assert result.exit_code == 0, result.stderr
    rows = read_csv(out)
    assert rows[0][:3] == ["audit", "group", "section_id"]
    # the first three sampled cases: Otherton T/1, Otherton T/5 (both Otherton), Testshire T/1
    assert {r[1] for r in rows[1:]} == {"Otherton", "Testshire"}


def test_xlsx_workbook(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "board.xlsx"
    result = run(db, "export", "questions", "--audit", "Test audit", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["Summary", "questions", "sections", "cases"]
    sheet = book["questions"]
    # the CSV columns, then the workbook's own small-sample mark column
    assert [c.value for c in sheet[1]] == ["audit", *QUESTION_COLUMNS, "small_sample"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None
    numbers = [c.value for c in sheet["L"][1:]]  # compliance_pct
    assert 75.0 in numbers and all(isinstance(v, float | int) or v is None for v in numbers)
    with zipfile.ZipFile(out) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in chart and "<c:errBars>" in chart


def test_json(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "q.json"
    assert run(db, "export", "questions", "--audit", "Test audit", "--out", str(out)).exit_code == 0
    data = json.loads(out.read_text())
    assert data["meta"]["audit"] == "Test audit"
    assert {r["question_id"] for r in data["questions"]} == {
        "REC-01",
        "REC-02",
        "REC-03",
        "SPO-01",
        "SPO-02",
        "SPO-03",
    }


def test_stdout_when_no_out(db: Path) -> None:
    result = run(db, "export", "sections", "--audit", "Test audit")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfaudit,section_id,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["questions", "--audit", "Nope"], "no audit named 'Nope'"),
        (["agreement", "--audit", "Test audit"], "no second reviews"),
        (
            ["questions", "--audit", "Test audit", "--by", "shoe_size"],
            "cannot group by 'shoe_size'",
        ),
        (["questions", "--audit", "Test audit", "--format", "xlsx"], "xlsx needs --out"),
    ],
)
def test_clear_refusals(db: Path, args: list[str], message: str) -> None:
    result = run(db, "export", *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_no_completed_reviews(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    store = Store.open(path)
    seed_store(store)
    store.close()
    out = tmp_path / "q.csv"
    result = run(path, "export", "questions", "--audit", "Test audit", "--out", str(out))
    assert result.exit_code == 2 and "no completed reviews yet" in result.stderr
    assert not out.exists()


def test_report(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    assert run(db, "report", "--audit", "Test audit", "--out", str(out)).exit_code == 0
    text = out.read_text()
    assert text.startswith("# Case-file review findings: Test audit")
    assert "- REC-02 Was it recorded as stalking? 1.5 of 2, 75.0%" in text
    assert "Reviews counted: 3 completed of 6 sampled" in text
    assert "too uncertain to quote" in text  # every question has n < 10 here


@pytest.mark.parametrize("text", RISKY)
def test_neutralise(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert neutralise("plain") == "plain"


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_csv_round_trip(cells: list[str]) -> None:
    columns = tuple(f"c{i}" for i in range(len(cells)))
    buffer = io.BytesIO()
    write_csv(Table("t", columns, [dict(zip(columns, cells, strict=True))]), buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue()[3:].decode("utf-8"), newline="")))
    assert rows[1] == [("'" + c if _formula_like(c) else c) for c in cells]


def _formula_like(cell: str) -> bool:
    """The rule, stated apart from the code: tab or CR first, or `= + - @` first once
    whitespace and characters that draw nothing (controls, format characters) are skipped."""
    if cell.startswith(("\t", "\r")):
        return True
    rest = cell
    while rest and (rest[0].isspace() or _draws_nothing(rest[0])):
        rest = rest[1:]
    return rest.startswith(("=", "+", "-", "@"))


def _draws_nothing(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    marks = ["VARIATION SELECTOR", "HANGUL FILLER", "HANGUL CHOSEONG FILLER"]
    marks += ["HANGUL JUNGSEONG FILLER", "KHMER VOWEL INHERENT", "GRAPHEME JOINER"]
    return unicodedata.category(ch)[0] in "CZ" or any(m in name for m in marks)


def test_by_reviewer_counts_each_case_once_under_its_primary_reviewer(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    moderated_audit(db)[0].close()
    out = tmp_path / "q.csv"
    result = run(
        db, "export", "questions", "--audit", "Test audit", "--by", "reviewer", "--out", str(out)
    )
    assert result.exit_code == 0, result.stderr
    rows = read_csv(out)
    got = {(r[1], r[3]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    # only the primary reviewers have groups: no "mod" (moderator), no "sue" (second reviewer)
    assert {group for group, _ in got} == {"ann", "bob"}
    # ann: case 1 counts its moderated review (REC-03 no), case 2 its primary (REC-03 yes):
    # 2 reviews, yes 1, no 1 -> 1 of 2 = 50.0%. (Counting ann's own primary of case 1 would
    # give 2 of 2 = 100%.)
    rec03 = got[("ann", "REC-03")]
    assert (rec03["n_reviews"], rec03["yes"], rec03["no"], rec03["compliance_pct"]) == (
        "2",
        "1",
        "1",
        "50.0",
    )
    # ann REC-02: case 1 yes (agreed, so taken into the moderated review), case 2 partly:
    # (1 + 0.5) / 2 = 75.0%
    assert got[("ann", "REC-02")]["compliance_pct"] == "75.0"
    # bob: case 3 only, REC-03 yes -> 1 of 1; REC-02 hidden by REC-01 = no -> na, no figure
    assert (got[("bob", "REC-03")]["n_reviews"], got[("bob", "REC-03")]["compliance_pct"]) == (
        "1",
        "100.0",
    )
    assert (got[("bob", "REC-02")]["na"], got[("bob", "REC-02")]["compliance_pct"]) == ("1", "")
    # each of the 3 completed cases counted once over the groups: 2 + 1 = 3 for every question
    for qid in ("REC-01", "REC-02", "REC-03", "SPO-01", "SPO-02", "SPO-03"):
        assert int(got[("ann", qid)]["n_reviews"]) + int(got[("bob", qid)]["n_reviews"]) == 3
    sections = tmp_path / "s.csv"
    result = run(
        db,
        "export",
        "sections",
        "--audit",
        "Test audit",
        "--by",
        "reviewer",
        "--out",
        str(sections),
    )
    assert result.exit_code == 0, result.stderr
    srows = read_csv(sections)
    rec = {r[1]: dict(zip(srows[0], r, strict=True)) for r in srows[1:] if r[2] == "rec"}
    # ann's Recording scores: case 1 moderated yes (w1), yes (w2), no (w1) -> 3/4 = 0.75;
    # case 2 yes (1), partly (2 x 0.5), yes (1) -> 3/4 = 0.75: mean 75.0%, none in full.
    # bob's case 3: REC-01 no (0), REC-02 hidden, REC-03 yes (1) -> 1/2 = 50.0%
    assert set(rec) == {"ann", "bob"}
    assert (rec["ann"]["n_cases"], rec["ann"]["mean_score_pct"], rec["ann"]["n_full"]) == (
        "2",
        "75.0",
        "0",
    )
    assert (rec["bob"]["n_cases"], rec["bob"]["mean_score_pct"]) == ("1", "50.0")


def test_by_reviewer_when_the_primary_review_was_reopened(tmp_path: Path) -> None:
    store, audit, ids = moderated_audit(tmp_path / "r.db")
    primary = next(r for r in store.reviews_of_case(audit.id, ids[0]) if r.role == "primary")
    store.reopen_review(primary.id, "ann", "wrong date")
    # case 1's completed reviews are now mod's moderated and sue's second: both still belong
    # to ann, whose (reopened) primary review it is, not to groups of their own
    data = findings.load(store, "Test audit", "reviewer")
    groups = {
        g: sorted((r.case_id, r.role) for r in rs) for g, rs in findings.groups(data, "reviewer")
    }
    assert groups == {
        "ann": sorted([(ids[0], "moderated"), (ids[0], "second"), (ids[1], "primary")]),
        "bob": [(ids[2], "primary")],
    }
    store.close()


def unknown_audit(path: Path, unknown_scores_as: str) -> None:
    """The mini checklist with the given unknown_scores_as; REC-03 unknown in one of two."""
    store = Store.open(path)
    text = MINI.read_text().replace(
        'version: "1"\n', f'version: "1"\nunknown_scores_as: {unknown_scores_as}\n'
    )
    info = store.add_checklist(text, str(MINI))
    assert store.checklist(info.pk).unknown_scores_as == unknown_scores_as
    store.insert_case_rows(read_case_file(CASES).rows)
    audit = store.create_audit(
        "Test audit", info.pk, [c.id for c in store.cases()], "tester", seed=1
    )
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    complete(store, audit, ids[0], "ann", "primary", full)
    complete(store, audit, ids[1], "ann", "primary", {**full, "REC-03": "unknown"})
    store.close()


@pytest.mark.parametrize(
    ("setting", "says", "never_says", "rec03"),
    [
        # REC-03 yes and unknown. Left out: 1 of 1 applicable = 100.0%
        ("excluded", "and so are answers of 'unknown'", "scores as no", "1 of 1, 100.0%"),
        # scored as no: yes 1 + unknown 0 over 2 applicable = 50.0%
        ("no", "an answer of 'unknown' scores as no (0)", "answers of 'unknown'", "1 of 2, 50.0%"),
    ],
)
def test_method_says_how_unknown_was_scored(
    tmp_path: Path, setting: str, says: str, never_says: str, rec03: str
) -> None:
    db = tmp_path / "u.db"
    unknown_audit(db, setting)
    report = tmp_path / "r.md"
    assert run(db, "report", "--audit", "Test audit", "--out", str(report)).exit_code == 0
    text = report.read_text()
    method = text.split("## Method\n\n")[1].split("\n")[0]
    assert says in method and never_says not in method
    assert f"- REC-03 Were earlier reports linked? {rec03}" in text
    book_path = tmp_path / "b.xlsx"
    result = run(db, "export", "questions", "--audit", "Test audit", "--out", str(book_path))
    assert result.exit_code == 0, result.stderr
    summary = {
        row[0].value: row[1].value for row in load_workbook(book_path)["Summary"].iter_rows()
    }
    # the workbook and the report say the same thing
    assert summary["Method"] == method


def test_a_completed_review_missing_an_answer_is_a_message_not_a_traceback(
    db: Path, tmp_path: Path
) -> None:
    # Legacy data: a completed review without its answer to REC-03, which it shows
    store = Store.open(db)
    first = store.audit_cases(store.audit_named("Test audit").id)[0]
    with store.db.conn:
        store.db.conn.execute(
            "DELETE FROM answers WHERE review_id = ? AND question_id = 'REC-03'", [first.review_id]
        )
    store.close()
    expected = (
        "audit 'Test audit' cannot be scored: the primary review of case "
        f"{first.case.case_ref} ({first.case.force}) by ann is complete but has no answer to REC-03"
    )
    for args in (
        ["export", "questions", "--audit", "Test audit"],
        ["export", "sections", "--audit", "Test audit"],
        ["export", "agreement", "--audit", "Test audit"],
        ["export", "answers", "--audit", "Test audit", "--out", str(tmp_path / "a.xlsx")],
        ["report", "--audit", "Test audit"],
    ):
        result = run(db, *args)
        assert result.exit_code == 2, args
        assert expected in result.stderr and "Traceback" not in result.stderr, args
    # the raw answers still export, so the gap can be found: REC-03 of that review is empty
    out = tmp_path / "a.csv"
    assert run(db, "export", "answers", "--audit", "Test audit", "--out", str(out)).exit_code == 0
    rows = read_csv(out)
    head = rows[0]
    gap = [
        r
        for r in rows[1:]
        if r[head.index("case_ref")] == first.case.case_ref
        and r[head.index("force")] == first.case.force
        and r[head.index("question_id")] == "REC-03"
    ]
    assert [(r[head.index("answer")], r[head.index("hidden")]) for r in gap] == [("", "false")]


# Formulas behind blanks (issue 10.10): spreadsheets skip leading spaces, no-break spaces,
# zero-width characters and line breaks before reading `=`, `+`, `-` or `@`.
HIDDEN_FORMULAS = [
    " =1+1",
    "\n=1+1",
    "\r\n=1+1",
    "\u00a0=1+1",
    "\u200b=1+1",
    "\ufeff@SUM(A1)",
    "  +1",
    " \u2003-2",
    '\u200b \u00a0\n=HYPERLINK("http://x")',
]


@pytest.mark.parametrize("text", HIDDEN_FORMULAS)
def test_neutralise_looks_past_leading_blanks_and_invisible_characters(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", [" plain", "\u00a0note", "\u200bx=1", "a=1", " 1-2", ""])
def test_neutralise_leaves_other_text_alone(text: str) -> None:
    assert neutralise(text) == text


def test_hidden_formulas_leave_csv_and_xlsx_neutralised(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    store = Store.open(db)
    audit = seed_store(store)
    case_id = store.audit_cases(audit.id)[0].case.id
    review = store.open_review(audit.id, case_id, "ann")
    for i, note in enumerate(HIDDEN_FORMULAS[:6]):
        qid = ["REC-01", "REC-02", "REC-03", "SPO-01", "SPO-02", "SPO-03"][i]
        store.set_note(review.id, qid, note, "ann")
    store.close()
    before = (db.read_bytes(), sorted(p.name for p in tmp_path.iterdir()))
    out = tmp_path / "a.csv"
    args = ["export", "answers", "--audit", "Test audit", "--include-notes", "--out"]
    result = run(db, *args, str(out))
    assert result.exit_code == 0, result.stderr
    raw = out.read_bytes()  # (a note's own line break is inside its quoted cell)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
    notes = {r[rows[0].index("question_id")]: r[rows[0].index("note")] for r in rows[1:]}
    assert notes == {
        "REC-01": "' =1+1",
        "REC-02": "'\n=1+1",
        "REC-03": "'\r\n=1+1",
        "SPO-01": "'\u00a0=1+1",
        "SPO-02": "'\u200b=1+1",
        "SPO-03": "'\ufeff@SUM(A1)",
    }
    book = tmp_path / "a.xlsx"
    assert run(db, *args, str(book)).exit_code == 0
    sheet = load_workbook(book)["answers"]
    header = [c.value for c in sheet[1]]
    cells = {
        r[header.index("question_id")]: r[header.index("note")]
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert cells["REC-01"] == "' =1+1" and cells["SPO-02"] == "'\u200b=1+1"
    # the export wrote its files and left the database as it was
    assert db.read_bytes() == before[0]
