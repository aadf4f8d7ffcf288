"""importing.py's decoding, parsing and every refusal, message for message.

Pure functions on bytes and text: written so that mutation testing of importing.py finds
no change the suite misses.
"""

from __future__ import annotations

from typing import Any

import pytest

from casereview.core.checklist.loading import load_checklist
from casereview.core.fields import parse_bool
from casereview.core.problems import InputError
from casereview.core.rules import ExistingReview
from casereview.io.imports.answers import AnswerRow, parse_answer_rows, plan_answer_import
from casereview.io.imports.cases import parse_cases
from casereview.io.imports.csvfile import decode, parse_date, read_rows, read_table
from tests.factories import MINI

SRC = "in.csv"


def problems(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


# --------------------------------------------------------------------------- decoding


def test_decode_utf8_with_and_without_bom() -> None:
    assert decode("é,1\n".encode(), SRC).text == "é,1\n"
    got = decode(b"\xef\xbb\xbf" + "é\n".encode(), SRC)
    assert (got.text, got.warnings) == ("é\n", [])


def test_decode_cp1252_warns_with_the_first_bad_line() -> None:
    got = decode(b"a\nb\n\xe9t\xe9\n", SRC)
    assert got.text == "a\nb\nété\n"
    assert got.warnings == [
        "in.csv: not UTF-8 (first at line 3); read as Windows-1252, as Excel saves it. "
        "Check accented characters came through."
    ]


def test_decode_refuses_what_is_neither() -> None:
    # 0x81 is undefined in Windows-1252 (and a bare continuation byte in UTF-8)
    with pytest.raises(InputError) as caught:
        decode(b"ok\n\x81\n", SRC)
    assert problems(caught) == ["in.csv:2: the file is neither UTF-8 nor Windows-1252 text"]


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024-03-01", "2024-03-01"),
        (" 2024-03-01 ", "2024-03-01"),
        ("2024-03-01T09:05", "2024-03-01T09:05"),
        ("2024-03-01 09:05", "2024-03-01T09:05"),
        ("2024-03-01T09:05:07", "2024-03-01T09:05:07"),
        ("2024-03-01T09:05:07.250Z", "2024-03-01T09:05:07"),
        ("2024-03-01T09:05:00", "2024-03-01T09:05:00"),  # seconds given are kept
        ("2024-03-01Z", "2024-03-01"),
        ("2024-03-01T09:05Z", "2024-03-01T09:05"),  # 17 characters: not the fast path
        ("5/2/2024", "2024-02-05"),
        ("05/02/2024 9:30", "2024-02-05T09:30"),
        ("05/02/2024T09:30:15", "2024-02-05T09:30:15"),
        ("01/01/0999", "0999-01-01"),
        ("0999-01-01", "0999-01-01"),
    ],
)
def test_parse_date_forms(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    "text",
    ["2024-02-30", "2024-13-01", "30/02/2024", "2024/03/01", "1 March 2024", "2024-03-01T25:00",
     "2024-0301-01", "2024x03-01", "2024-03x01", "2024-03-01X09:05", "2024-03-01T09x05", "",
     # ISO forms datetime.fromisoformat takes but the README's formats do not: a week date,
     # a basic-format time, a lower-case separator. The fast path must not let them by.
     "2024-W10-1", "2024-03-01T0905Z", "2024-03-01t09:05"],
)  # fmt: skip
def test_parse_date_refusals(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(text)
    if not any(word in text for word in ("-02-30", "-13-", "30/02", "T25")):
        assert str(caught.value) == text.strip()  # a shape refused carries the text


@pytest.mark.parametrize(
    ("text", "value"),
    [("yes", True), ("Y", True), (" TRUE ", True), ("t", True), ("1", True),
     ("no", False), ("N", False), ("false", False), ("F", False), ("0", False), ("", None),
     ("  ", None)],
)  # fmt: skip
def test_parse_bool(text: str, value: bool | None) -> None:
    assert parse_bool(text) is value


def test_parse_bool_refuses_other_words() -> None:
    for text in ("maybe", "2", "yess"):
        with pytest.raises(ValueError, match=text):
            parse_bool(text)


# --------------------------------------------------------------------------- tables


def test_read_table_header_problems_all_at_once() -> None:
    with pytest.raises(InputError) as caught:
        read_table("Case_Ref,,Team,team,Extra\n", SRC, ("case_ref", "force"))
    assert problems(caught) == [
        "in.csv:1: the header has an empty column name",
        "in.csv:1: column 'team' appears twice",
        "in.csv:1: missing required column(s): force (header: Case_Ref, , Team, team, Extra)",
    ]


def test_read_table_lowers_known_names_only_and_skips_blank_rows() -> None:
    header, rows = read_table(
        ' CASE_REF , Channel\n\nA,x\n,\n  ,  \n"B\nC",y\nD,z\n', SRC, ("case_ref",)
    )
    assert header == ["case_ref", "Channel"]
    # the quoted field spans lines 6-7; the row after it starts on line 8
    assert rows == [(3, ["A", "x"]), (6, ["B\nC", "y"]), (8, ["D", "z"])]


def test_read_table_row_problems_by_line() -> None:
    with pytest.raises(InputError) as caught:
        read_table("case_ref,force\nA\nB,F,G\nC,F\n", SRC, ("case_ref",))
    assert problems(caught) == [
        "in.csv:2: 1 fields where the header has 2",
        "in.csv:3: 3 fields where the header has 2",
    ]


def test_read_table_empty_nul_and_bad_quoting() -> None:
    with pytest.raises(InputError) as caught:
        read_table("", SRC, ("case_ref",))
    assert problems(caught) == ["in.csv:1: the file is empty"]
    with pytest.raises(InputError) as caught:
        read_table("case_ref\nA\nB\x00\n", SRC, ("case_ref",))
    assert problems(caught) == [
        "in.csv:3: not valid CSV: the file contains NUL bytes (a binary file?)"
    ]
    with pytest.raises(InputError) as caught:
        read_table('case_ref,force\nA,"F\n', SRC, ("case_ref",))
    (message,) = problems(caught)
    assert message.startswith("in.csv:2: not valid CSV: ")


def test_read_table_field_limit() -> None:
    from casereview.io.imports.csvfile import MAX_FIELD, ensure_field_limit

    ensure_field_limit()
    ok = "a" * MAX_FIELD
    header, rows = read_table(f"case_ref,summary\nA,{ok}\n", SRC, ("case_ref",))
    assert rows == [(2, ["A", ok])]
    with pytest.raises(InputError) as caught:
        read_table(f"case_ref,summary\nA,{ok}b\nB,x\n", SRC, ("case_ref",))
    assert problems(caught) == ["in.csv:2: field summary is over 100,000 characters"]


def test_read_rows_gives_dicts_by_column() -> None:
    header, rows = read_rows("case_ref,force\nA,F\n", SRC, ("case_ref",))
    assert header == ["case_ref", "force"]
    assert [(r.line, r.values) for r in rows] == [(2, {"case_ref": "A", "force": "F"})]


# --------------------------------------------------------------------------- cases


def test_parse_cases_builds_rows_in_column_order() -> None:
    raw = (
        "case_ref,force,team,offence,reported_at,recorded_at,outcome,da_related,"
        "repeat_victim,officer,summary,Channel,blank\n"
        " A/1 , Northmoor , CID , Stalking ,05/02/2024 09:30,2024-02-06,"
        " NFA ,Yes,0, PC 1 ,  two  spaces ,online,\n"
        "A/2,,,,,,,,,,,,\n"
    ).encode()
    parsed = parse_cases(raw, SRC)
    assert parsed.lines == [2, 3] and parsed.warnings == []
    assert parsed.extra_columns == ["Channel", "blank"]
    first, second = parsed.cases
    assert first == {
        "case_ref": "A/1",
        "force": "Northmoor",
        "team": "CID",
        "offence": "Stalking",
        "reported_at": "2024-02-05T09:30",
        "recorded_at": "2024-02-06",
        "outcome": "NFA",
        "da_related": True,
        "repeat_victim": False,
        "officer": "PC 1",
        "summary": "  two  spaces ",  # a summary keeps its own spacing
        "extra": {"Channel": "online"},  # empty extras are not kept
    }
    assert second == {
        "case_ref": "A/2",
        "force": "",
        "team": None,
        "offence": None,
        "reported_at": None,
        "recorded_at": None,
        "outcome": None,
        "da_related": None,
        "repeat_victim": None,
        "officer": None,
        "summary": None,
        "extra": {},
    }


def test_parse_cases_without_optional_columns() -> None:
    parsed = parse_cases(b"case_ref\nX\n", SRC)
    assert parsed.cases == [
        {
            "case_ref": "X",
            "force": "",
            **dict.fromkeys(
                ("team", "offence", "reported_at", "recorded_at", "outcome", "da_related",
                 "repeat_victim", "officer", "summary"),
            ),
            "extra": {},
        }
    ]  # fmt: skip
    assert parsed.extra_columns == []


def test_parse_cases_every_bad_row_with_every_problem() -> None:
    raw = (
        "case_ref,force,reported_at,recorded_at,da_related,repeat_victim\n"
        "A,F,2024-01-01,,yes,no\n"
        ",F,,,,\n"
        "A,F,not a date,2024-13-01,maybe,perhaps\n"
        "A,G,,,,\n"
        "B,,,,,\n"
        "B,,,,,\n"
    ).encode()
    with pytest.raises(InputError) as caught:
        parse_cases(raw, SRC)
    assert problems(caught) == [
        "in.csv:3: case_ref is empty",
        "in.csv:4: case_ref A appears twice for force 'F' (first at line 2); "
        "reported_at 'not a date' is not a date (use YYYY-MM-DD or dd/mm/yyyy); "
        "recorded_at '2024-13-01' is not a date (use YYYY-MM-DD or dd/mm/yyyy); "
        "da_related 'maybe' is not yes or no; repeat_victim 'perhaps' is not yes or no",
        "in.csv:7: case_ref B appears twice for force '(none)' (first at line 6)",
    ]


def test_parse_cases_header_only_and_warnings_kept_on_refusal() -> None:
    with pytest.raises(InputError) as caught:
        parse_cases(b"case_ref,force\n\n", SRC)
    assert problems(caught) == ["in.csv:2: the file has a header but no cases"]
    with pytest.raises(InputError) as caught:
        parse_cases(b"case_ref,team\n,\xe9\n", SRC)
    assert problems(caught) == ["in.csv:2: case_ref is empty"]
    assert caught.value.warnings and "read as Windows-1252" in caught.value.warnings[0]
    assert caught.value.warnings[0].startswith("in.csv: not UTF-8 (first at line 2)")
    parsed = parse_cases(b"case_ref,team\nA,\xe9quipe\n", SRC)
    assert parsed.cases[0]["team"] == "équipe" and len(parsed.warnings) == 1


def test_read_case_file_names_an_unreadable_file(tmp_path: Any) -> None:
    from casereview.io.imports.cases import read_case_file

    missing = tmp_path / "nope.csv"
    with pytest.raises(InputError) as caught:
        read_case_file(missing)
    assert problems(caught) == [f"{missing}:1: cannot read the file: No such file or directory"]


# --------------------------------------------------------------------------- answers


def test_parse_answer_rows_normalises_case_and_space() -> None:
    raw = (
        "Case_Ref,Reviewer,ROLE,question_id,Answer,note,force\n"
        " T/1 , ann , Primary , REC-01 , YES ,  keep  spacing , Testshire \n"
        "T/2,bob,second,REC-03,no,,\n"
    ).encode()
    rows, warnings = parse_answer_rows(raw, SRC)
    assert warnings == []
    assert rows == [
        AnswerRow(2, "T/1", "Testshire", "ann", "primary", "REC-01", "yes", "  keep  spacing "),
        AnswerRow(3, "T/2", "", "bob", "second", "REC-03", "no", ""),
    ]
    rows, _ = parse_answer_rows(
        b"case_ref,reviewer,role,question_id,answer\nA,b,primary,Q,yes\n", SRC
    )
    assert (rows[0].force, rows[0].note) == ("", "")


def test_parse_answer_rows_refusals() -> None:
    with pytest.raises(InputError) as caught:
        parse_answer_rows(b"case_ref,reviewer,role,question_id,answer\n", SRC)
    assert problems(caught) == ["in.csv:2: the file has a header but no answers"]
    with pytest.raises(InputError) as caught:
        parse_answer_rows(b"case_ref,reviewer,role,answer\nA,b,primary,yes\n", SRC)
    assert problems(caught) == [
        "in.csv:1: missing required column(s): question_id "
        "(header: case_ref, reviewer, role, answer)"
    ]


CHECKLIST = load_checklist(MINI)
CASES = {("Testshire", "T/1"): 1, ("Otherton", "T/1"): 6, ("Testshire", "T/2"): 2}


def row(
    line: int,
    ref: str,
    who: str,
    role: str,
    qid: str,
    answer: str,
    force: str = "",
    reason: str = "",
) -> AnswerRow:
    return AnswerRow(line, ref, force, who, role, qid, answer, f"note {line}", reason)


def plan(rows: list[AnswerRow], existing: dict[tuple[int, str], str] | None = None,
         second: dict[int, str] | None = None) -> list[Any]:  # fmt: skip
    """Plan an import; `existing` gives the reviewer of each review already stored."""
    stored = {
        key: ExistingReview(i, reviewer, "in_progress")
        for i, (key, reviewer) in enumerate((existing or {}).items(), 1)
    }
    return plan_answer_import(rows, CHECKLIST, CASES, stored, SRC, second)


def test_plan_builds_reviews_and_says_which_are_complete() -> None:
    reviews = plan(
        [
            row(2, "T/2", "ann", "primary", "REC-01", "no"),
            row(3, "T/2", "ann", "primary", "REC-03", "yes"),
            row(4, "T/2", "ann", "primary", "SPO-01", "na"),
            row(5, "T/1", "bob", "primary", "REC-01", "yes", force="Otherton"),
        ]
    )
    assert [(r.case_id, r.role, r.reviewer, r.complete) for r in reviews] == [
        (2, "primary", "ann", True),
        (6, "primary", "bob", False),  # REC-02, REC-03 and SPO-01 unanswered
    ]
    assert reviews[0].answers == {
        "REC-01": ("no", "note 2"),
        "REC-03": ("yes", "note 3"),
        "SPO-01": ("na", "note 4"),
    }
    assert reviews[0].lines == {"REC-01": 2, "REC-03": 3, "SPO-01": 4}


def test_plan_row_problems_word_for_word() -> None:
    with pytest.raises(InputError) as caught:
        plan(
            [
                row(2, "T/9", "ann", "primary", "REC-01", "yes"),
                row(3, "T/1", "ann", "primary", "REC-01", "yes"),
                row(4, "T/2", "", "boss", "REC-99", "yes"),
                row(5, "T/2", "ann", "primary", "REC-01", "partly"),
                row(6, "T/1", "ann", "primary", "REC-01", "yes", force="Nowhere"),
            ]
        )
    assert problems(caught) == [
        "in.csv:2: case T/9 is not in this audit's sample",
        "in.csv:3: case T/1 is in more than one force here; add a force column",
        "in.csv:4: role 'boss' is not one of primary, second, moderated; reviewer is empty; "
        "question 'REC-99' is not in checklist mini",
        "in.csv:5: REC-01 does not allow 'partly' (allowed: yes, no, unknown)",
        "in.csv:6: case T/1 is not in this audit's sample",
    ]


def test_plan_review_problems_word_for_word() -> None:
    with pytest.raises(InputError) as caught:
        plan(
            [
                row(2, "T/2", "ann", "primary", "REC-01", "no"),
                row(3, "T/2", "kim", "primary", "REC-03", "yes"),
                row(4, "T/2", "ann", "primary", "REC-01", "yes"),
                row(5, "T/2", "ann", "primary", "REC-02", "yes"),
                row(6, "T/1", "bob", "primary", "REC-01", "yes", force="Testshire"),
            ],
            existing={(1, "primary"): "bob"},
        )
    assert problems(caught) == [
        "in.csv:3: case T/2 primary review is by ann on an earlier line, kim here; "
        "one reviewer per review",
        "in.csv:4: REC-01 answered twice for case T/2 primary (first at line 2)",
        "in.csv:5: REC-02 is hidden by skip logic here (REC-01 is 'no'), so it cannot be answered",
        "in.csv:6: case T/1 already has a primary review in this audit",
    ]


def test_plan_hidden_question_with_its_controller_unanswered() -> None:
    with pytest.raises(InputError) as caught:
        plan([row(7, "T/2", "ann", "primary", "SPO-02", "yes")])
    assert problems(caught) == [
        "in.csv:7: SPO-02 is hidden by skip logic here (SPO-01 is 'unanswered'), "
        "so it cannot be answered"
    ]


def test_plan_keeps_second_reviews_blind() -> None:
    # the same person on both sides of a pair in the file: reported once, at the second
    with pytest.raises(InputError) as caught:
        plan(
            [
                row(2, "T/2", "ann", "primary", "REC-01", "no"),
                row(3, "T/2", "ann", "second", "REC-01", "no"),
            ]
        )
    assert problems(caught) == [
        "in.csv:3: ann would do both the primary and the second review of this case; "
        "a second review must be by someone else"
    ]
    # against a primary already in the database, and a primary against a stored second
    with pytest.raises(InputError) as caught:
        plan([row(4, "T/2", "ann", "second", "REC-01", "no")], existing={(2, "primary"): "ann"})
    assert problems(caught) == [
        "in.csv:4: ann would do both the primary and the second review of this case; "
        "a second review must be by someone else"
    ]
    with pytest.raises(InputError) as caught:
        plan([row(5, "T/2", "bob", "primary", "REC-01", "no")], existing={(2, "second"): "bob"})
    assert problems(caught) == [
        "in.csv:5: bob would do both the primary and the second review of this case; "
        "a second review must be by someone else"
    ]
    # the one chosen for the second review may not also import the primary
    with pytest.raises(InputError) as caught:
        plan([row(6, "T/2", "sue", "primary", "REC-01", "no")], second={2: "sue"})
    assert "in.csv:6: sue would do both the primary and the second review" in problems(caught)[0]
    # a second review by someone other than the one chosen
    with pytest.raises(InputError) as caught:
        plan([row(8, "T/2", "kim", "second", "REC-01", "no")], second={2: "sue"})
    assert problems(caught) == [
        "in.csv:8: the second review of this case is sue's to do, not kim's"
    ]
    # by the one chosen, or on a case nobody was chosen for: fine
    assert plan([row(9, "T/2", "sue", "second", "REC-01", "no")], second={2: "sue"})
    assert plan([row(9, "T/2", "kim", "second", "REC-01", "no")], second={1: "sue"})
    # a moderated review is checked against the pair rule, not the blind one: an unfinished
    # pair is what refuses it here, not that ann reviewed the primary
    with pytest.raises(InputError) as caught:
        plan(
            [
                row(2, "T/2", "ann", "primary", "REC-01", "no"),
                row(3, "T/2", "ann", "moderated", "REC-01", "no", reason="panel"),
            ]
        )
    assert problems(caught) == [
        "in.csv:3: case T/2: moderation needs a completed primary and a completed second review"
    ]


def test_plan_problems_come_sorted_by_line() -> None:
    with pytest.raises(InputError) as caught:
        plan(
            [
                row(9, "T/2", "ann", "primary", "REC-02", "yes"),  # hidden: found last
                row(3, "T/9", "ann", "primary", "REC-01", "yes"),
            ]
        )
    assert [p.line for p in caught.value.problems] == [3, 9]


def test_plan_checks_pairs_after_a_moderated_review_too() -> None:
    with pytest.raises(InputError) as caught:
        plan(
            [
                row(2, "T/1", "mod", "moderated", "REC-01", "no", force="Otherton"),
                row(3, "T/2", "ann", "primary", "REC-01", "no"),
                row(4, "T/2", "ann", "second", "REC-01", "no"),
            ]
        )
    assert problems(caught) == [
        "in.csv:2: case T/1: moderation needs a completed primary and a completed second review",
        "in.csv:4: ann would do both the primary and the second review of this case; "
        "a second review must be by someone else",
    ]


def test_parse_answer_rows_warns_by_file_name() -> None:
    raw = b"case_ref,reviewer,role,question_id,answer,note\nA,b,primary,Q,yes,caf\xe9\n"
    rows, warnings = parse_answer_rows(raw, SRC)
    assert rows[0].note == "café"
    assert warnings == [
        "in.csv: not UTF-8 (first at line 2); read as Windows-1252, as Excel saves it. "
        "Check accented characters came through."
    ]


def test_read_table_keeps_line_ends_inside_quotes_and_names_the_first_nul() -> None:
    _header, rows = read_table('case_ref,summary\r\nA,"x\r\ny"\r\nB,z\r\n', SRC, ("case_ref",))
    assert rows == [(2, ["A", "x\r\ny"]), (4, ["B", "z"])]
    with pytest.raises(InputError) as caught:
        read_table("case_ref\nA\x00\nB\x00\n", SRC, ("case_ref",))
    assert [p.line for p in caught.value.problems] == [2]


def test_the_csv_field_limit_is_raised_for_long_summaries() -> None:
    import csv

    from casereview.io.imports.csvfile import MAX_FIELD

    before = csv.field_size_limit()
    try:
        csv.field_size_limit(131072)  # the csv module's default, as in a fresh process
        long = "a" * (2 * MAX_FIELD)  # over our limit, over the module's default
        with pytest.raises(InputError) as caught:
            parse_cases(f"case_ref,summary\nA,{long}\n".encode(), SRC)
        assert problems(caught) == ["in.csv:2: field summary is over 100,000 characters"]
        assert csv.field_size_limit() == 4 * MAX_FIELD
        # past four times our limit the csv module itself refuses, still by line
        huge = "a" * (4 * MAX_FIELD + 1)
        with pytest.raises(InputError) as caught:
            parse_cases(f"case_ref,summary\nA,x\nB,{huge}\n".encode(), SRC)
        (message,) = problems(caught)
        assert message.startswith("in.csv:3: not valid CSV: field larger than field limit")
    finally:
        csv.field_size_limit(before)


def test_read_table_takes_old_mac_line_ends() -> None:
    # a file saved with CR alone between lines (classic Mac Excel) reads line by line
    header, rows = read_table("case_ref,force\rA,F\rB,G\r", SRC, ("case_ref",))
    assert header == ["case_ref", "force"]
    assert rows == [(2, ["A", "F"]), (3, ["B", "G"])]


def test_read_table_long_fields_and_several_missing_columns() -> None:
    from casereview.io.imports.csvfile import MAX_FIELD, ensure_field_limit

    ensure_field_limit()
    exact, over = "a" * MAX_FIELD, "b" * (MAX_FIELD + 1)
    with pytest.raises(InputError) as caught:
        read_table(f"case_ref,summary,notes\nA,{exact},{over}\nB\nC,x,y\n", SRC, ("case_ref",))
    # the field named is the one over the limit, and the rows after it are still checked
    assert problems(caught) == [
        "in.csv:2: field notes is over 100,000 characters",
        "in.csv:3: 1 fields where the header has 3",
    ]
    with pytest.raises(InputError) as caught:
        read_table("case_ref,note\nA,x\n", SRC, ("case_ref", "question_id", "answer"))
    assert problems(caught) == [
        "in.csv:1: missing required column(s): question_id, answer (header: case_ref, note)"
    ]
