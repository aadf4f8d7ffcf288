"""Fuzzing the three ways users feed casereview files: case CSVs, answer CSVs, checklists.

The property everywhere: a file is either used correctly, or refused with an InputError whose
every problem names a line inside the file and says something; never any other exception, and
a refusal changes nothing in the database.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from casereview.answers_import import parse_answer_rows, plan_answer_import
from casereview.checklist import Checklist
from casereview.checklist_loading import ChecklistError, parse_checklist
from casereview.cli import main
from casereview.csvfile import MAX_FIELD
from casereview.fields import CASE_COLUMNS
from casereview.importing import parse_cases
from casereview.problems import InputError
from casereview.store import Store
from casereview.text import first_invisible, match_key, nfc
from tests.factories import MINI, seed_store

FUZZ = settings(
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Line breaks as the csv reader (and most editors) count them.
_BREAK = re.compile(r"\r\n|\r|\n")


def n_lines(text: str) -> int:
    return len(_BREAK.findall(text)) + (0 if text == "" or _BREAK.match(text[-1]) else 1)


def assert_clean_refusal(exc: InputError, max_line: int | None = None) -> None:
    """Every problem is located inside the file and says something."""
    assert exc.problems, "an InputError with no problems"
    for p in exc.problems:
        assert isinstance(p.line, int) and p.line >= 1, p
        assert p.message.strip(), p
        if max_line is not None:
            assert p.line <= max_line, (p, max_line)


def parse_cases_or_refuse(raw: bytes, max_line: int | None = None) -> Any:
    """parse_cases' result, or None after checking the refusal; any other exception fails."""
    try:
        return parse_cases(raw, "in.csv")
    except InputError as exc:
        assert_clean_refusal(exc, max_line)
        return None


# ----------------------------------------------------------------------- case CSV strategies

_NO_NUL = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))  # type: ignore[arg-type]
_LATIN = st.characters(
    codec="latin-1", exclude_characters=["\x00", *(chr(c) for c in range(0x80, 0xA0))]
)
ALPHABETS = {
    "utf-8": _NO_NUL,
    "utf-8-sig": _NO_NUL,
    "cp1252": st.characters(codec="cp1252", exclude_characters="\x00"),
    "latin-1": _LATIN,
}
FORMULA = st.builds(
    lambda lead, rest: lead + rest,
    st.sampled_from(["=", "+", "-", "@", "\t", "=cmd|' /C calc'!A0", "=HYPERLINK(", "-2+3"]),
    st.text(st.sampled_from("ABC123()!|'\",;= \n"), max_size=12),
)

_DATE_FORMS: list[tuple[str, Callable[[datetime], str], Callable[[datetime], str]]] = [
    # (name, how the file writes it, what the importer must store)
    ("iso-date", lambda d: d.strftime("%Y-%m-%d"), lambda d: d.strftime("%Y-%m-%d")),
    ("iso-min", lambda d: d.strftime("%Y-%m-%dT%H:%M"), lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    (
        "iso-sec",
        lambda d: d.strftime("%Y-%m-%d %H:%M:%S"),
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%S"),
    ),
    ("uk-date", lambda d: d.strftime("%d/%m/%Y"), lambda d: d.strftime("%Y-%m-%d")),
    (
        "uk-short",
        lambda d: f"{d.day}/{d.month}/{d.year} {d.hour}:{d.minute:02d}",
        lambda d: d.strftime("%Y-%m-%dT%H:%M"),
    ),
]
_BOOLS = {
    "yes": True,
    "Y": True,
    "TRUE": True,
    "1": True,
    "no": False,
    "n": False,
    "False": False,
    "0": False,
    "": None,
    " yes ": True,
}
_EXTRA_NAME = st.text(st.sampled_from("abcdefghijkXYZ_ 0123456789é"), min_size=1, max_size=10).map(
    str.strip
)


def csv_line(cells: list[str], terminator: str = "\r\n", quote_all: bool = False) -> str:
    """One RFC 4180 record. (Python's csv.writer leaves a lone CR unquoted: not RFC 4180.)"""
    quoted = [
        '"' + c.replace('"', '""') + '"' if quote_all or re.search(r'[",\r\n]', c) else c
        for c in cells
    ]
    return ",".join(quoted) + terminator


class Reading(NamedTuple):
    cases: list[dict[str, Any]]
    lines: list[int]
    refused: list[int]


class CaseText(NamedTuple):
    """A valid case CSV as written: its text, each row's cells by column, the dates and
    flags each row must give (their cells are ASCII), the extra columns, each row's line."""

    text: str
    cells: list[dict[str, str]]
    typed: list[dict[str, Any]]
    extras: list[str]
    starts: list[int]

    def read_as(self, read: Callable[[str], str] = str) -> Reading:
        """What the importer must make of the file when each cell's text reads as read(cell).

        A reference and a force are stripped and may hold nothing invisible, and no two
        rows are one case (match_key); a row of blank cells is skipped; every field is
        composed (NFC). The refused lines are those the importer must name."""
        cases: list[dict[str, Any]] = []
        lines: list[int] = []
        refused: list[int] = []
        seen: set[str] = set()
        for cells, typed, line in zip(self.cells, self.typed, self.starts, strict=True):
            if "".join(map(read, cells.values())).strip() == "":
                continue  # a row of blank cells, as spreadsheets leave
            v = {nfc(read(col)): nfc(read(value)) for col, value in cells.items()}
            case: dict[str, Any] = dict.fromkeys(CASE_COLUMNS)
            for col in CASE_COLUMNS:
                if col == "summary" and col in v:
                    case[col] = v[col] or None  # a summary keeps its spacing
                elif col in v:
                    case[col] = v[col].strip() or None
            case.update(typed)
            case["case_ref"], case["force"] = v["case_ref"].strip(), v.get("force", "").strip()
            case["extra"] = {c: v[c] for c in map(nfc, map(read, self.extras)) if v[c] != ""}
            ref, force = case["case_ref"], case["force"]
            key = match_key(force, ref)
            if not ref or first_invisible(ref) or first_invisible(force) or key in seen:
                refused.append(line)
            else:
                seen.add(key)
                cases.append(case)
                lines.append(line)
        if not refused and not cases:
            refused = [2]  # a header but no cases
        return Reading(cases, lines, refused)


def write_case_file(
    shown: list[str],
    columns: list[str],
    cells: list[dict[str, str]],
    typed: list[dict[str, Any]] | None = None,
    terminator: str = "\r\n",
    quote_all: bool = False,
    blank_end: bool = False,
) -> CaseText:
    """The CSV of these rows (cells by column) under the header `shown` (columns as written)."""
    out = io.StringIO(newline="")
    out.write(csv_line(shown, terminator, quote_all))
    starts = []
    for row in cells:
        starts.append(len(_BREAK.findall(out.getvalue())) + 1)
        out.write(csv_line([row[c] for c in columns], terminator, quote_all))
    if blank_end:  # spreadsheets leave empty rows at the end
        out.write(("," * (len(columns) - 1)) + terminator)
    extras = [c for c in columns if c not in CASE_COLUMNS]
    typed = typed if typed is not None else [{} for _ in cells]
    return CaseText(out.getvalue(), cells, typed, extras, starts)


def refs_file(*refs: str) -> CaseText:
    """A file of references alone."""
    return write_case_file(["case_ref"], ["case_ref"], [{"case_ref": r} for r in refs])


@st.composite
def case_files(
    draw: st.DrawFn, alphabet: st.SearchStrategy[str] = _NO_NUL, max_rows: int = 6
) -> CaseText:
    """A valid case CSV: its text and, by read_as(), the cases it must give."""
    text = st.text(alphabet, max_size=15)
    optional = draw(st.lists(st.sampled_from(CASE_COLUMNS[1:]), unique=True))
    extras = draw(
        st.lists(
            _EXTRA_NAME.filter(lambda n: n != "" and n.lower() not in CASE_COLUMNS),
            unique=True,
            max_size=3,
        )
    )
    columns = draw(st.permutations(["case_ref", *optional, *extras]))
    shown = [
        draw(st.sampled_from([c, c.upper(), f" {c} ", c.title()])) if c in CASE_COLUMNS else c
        for c in columns
    ]
    refs = draw(
        st.lists(
            st.one_of(st.text(alphabet, min_size=1, max_size=12), FORMULA).filter(_usable_ref),
            min_size=1,
            max_size=max_rows,
            unique_by=lambda r: match_key("", nfc(r.strip())),  # look-alikes are one case
        )
    )
    rows: list[dict[str, str]] = []
    typed: list[dict[str, Any]] = []
    for ref in refs:
        cells: dict[str, str] = {}
        kinds: dict[str, Any] = {}
        for col in columns:
            if col == "case_ref":
                cells[col] = ref
            elif col in ("reported_at", "recorded_at"):
                when = draw(st.none() | st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1)))
                if when is None:
                    cells[col] = draw(st.sampled_from(["", " "]))
                    kinds[col] = None
                else:
                    _name, write, stored = draw(st.sampled_from(_DATE_FORMS))
                    cells[col] = write(when)
                    kinds[col] = stored(when)
            elif col in ("da_related", "repeat_victim"):
                cells[col] = draw(st.sampled_from(sorted(_BOOLS)))
                kinds[col] = _BOOLS[cells[col]]
            elif col == "summary":
                cells[col] = draw(st.one_of(text, FORMULA, st.just('line 1\r\nline 2, "quoted"')))
            elif col == "force":  # a force, like a reference, has no invisible characters
                cells[col] = draw(
                    st.one_of(text, FORMULA).filter(lambda f: _usable_ref(f) or not f)
                )
            else:
                cells[col] = draw(st.one_of(text, FORMULA))
        rows.append(cells)
        typed.append(kinds)
    terminator = draw(st.sampled_from(["\r\n", "\n"]))
    return write_case_file(
        shown, columns, rows, typed, terminator, draw(st.booleans()), draw(st.booleans())
    )


def _usable_ref(ref: str) -> bool:
    """A reference the importer takes: not blank, nothing invisible in it."""
    ref = nfc(ref.strip())
    return ref != "" and first_invisible(ref) is None


def assert_same_cases(got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g == e


# ----------------------------------------------------------------------- case CSV: properties


@settings(FUZZ, max_examples=300)
@given(st.binary(max_size=400))
def test_cases_random_bytes(raw: bytes) -> None:
    parse_cases_or_refuse(raw)


@settings(FUZZ, max_examples=200)
@given(
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]),
    st.text(st.sampled_from('case_ref,force\r\n"=+-@ aé€\x85\u2028'), max_size=80),
    st.text(max_size=40),
)
def test_cases_random_text_in_any_encoding(encoding: str, csvish: str, anything: str) -> None:
    for text in (csvish, "case_ref," + anything, anything):
        raw = text.encode(encoding, errors="ignore")
        parse_cases_or_refuse(raw, max_line=max(2, n_lines(text) + 1))


@st.composite
def encoded_case_files(draw: st.DrawFn) -> tuple[str, CaseText]:
    """An encoding and a valid case file in characters it can write."""
    encoding = draw(st.sampled_from(sorted(ALPHABETS)))
    return encoding, draw(case_files(ALPHABETS[encoding]))


@settings(FUZZ, max_examples=200)
@given(encoded_case_files())
# Windows-1252 text whose bytes are also UTF-8 is read as UTF-8 (the importer cannot tell,
# and UTF-8 is by far the likelier): `Â€` is C2 80, U+0080, a control character...
@example(("cp1252", refs_file("Â€1")))
# ... `AÂ` + NBSP is `A` and a no-break space, the same case as `A` once stripped ...
@example(("cp1252", refs_file("A", "AÂ\xa0")))
# ... a cell `Â` + NBSP is blank, so its row is skipped; and `Ã©` is é, taken with no warning.
@example(("latin-1", refs_file("Â\xa0", "Ã©")))
@example(("cp1252", refs_file("Â\xa0")))
def test_cases_valid_files_round_trip(encoded: tuple[str, CaseText]) -> None:
    encoding, file = encoded
    raw = codecs.encode(file.text, encoding)
    try:
        raw.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8: read as Windows-1252, which gives the text back (the Latin-1 alphabet
        # leaves out 0x80-0x9F, where the two differ), with a warning.
        read, warnings = str, ["Windows-1252"]
    else:
        # UTF-8 bytes are read as UTF-8, whatever wrote them: each cell as its bytes decode
        # (a UTF-8 sequence never holds an ASCII byte, so never a comma, quote or newline).
        codec = "utf-8" if encoding == "utf-8-sig" else encoding
        read, warnings = (lambda cell: cell.encode(codec).decode("utf-8")), []
    want = file.read_as(read)
    if want.refused:
        with pytest.raises(InputError) as caught:
            parse_cases(raw, "in.csv")
        assert_clean_refusal(caught.value)
        assert [p.line for p in caught.value.problems] == want.refused
        got_warnings = caught.value.warnings
    else:
        got = parse_cases(raw, "in.csv")
        assert_same_cases(got.cases, want.cases)
        assert got.lines == want.lines
        got_warnings = got.warnings
    assert len(got_warnings) == len(warnings)
    assert all(w in g for w, g in zip(warnings, got_warnings, strict=True)), got_warnings


@settings(FUZZ, max_examples=200)
@given(st.data())
def test_cases_truncated_files(data: st.DataObject) -> None:
    file = data.draw(case_files(max_rows=5))
    text, expected = file.text, file.read_as().cases
    raw = text.encode("utf-8")
    cut = data.draw(st.integers(0, len(raw)))
    part = raw[:cut]
    shown = part.decode("utf-8", errors="replace")
    got = parse_cases_or_refuse(part, max_line=max(2, n_lines(shown) + 1))
    if got is None or not part.startswith(raw[: raw.index(b"\n")]):
        return
    try:
        part.decode("utf-8")
    except UnicodeDecodeError:
        return  # cut inside a character: read as Windows-1252, values may differ
    # Whole rows before the cut come through unchanged; the cut row (if kept) is the last.
    assert len(got.cases) <= len(expected)
    assert_same_cases(got.cases[:-1], expected[: len(got.cases) - 1])


@settings(FUZZ, max_examples=10)
@given(st.integers(MAX_FIELD + 1, 4 * MAX_FIELD + 50), st.sampled_from(["summary", "notes"]))
def test_cases_huge_field_is_refused_at_its_line(size: int, column: str) -> None:
    huge = "x" * (size - 1) + "é"
    text = f'case_ref,{column}\r\nA/1,short\r\nA/2,"{huge}"\r\nA/3,fine\r\n'
    with pytest.raises(InputError) as caught:
        parse_cases(text.encode("utf-8"), "in.csv")
    assert_clean_refusal(caught.value, max_line=4)
    assert [p.line for p in caught.value.problems] == [3]
    message = caught.value.problems[0].message
    assert "100,000" in message or "field limit" in message, message


def test_cases_field_of_exactly_the_limit_is_kept() -> None:
    text = f"case_ref,summary\nA/1,{'y' * MAX_FIELD}\n"
    got = parse_cases(text.encode(), "in.csv")
    assert got.cases[0]["summary"] == "y" * MAX_FIELD


@settings(FUZZ, max_examples=150)
@given(st.lists(FORMULA, min_size=1, max_size=5, unique=True), FORMULA, FORMULA)
def test_cases_formula_like_text_is_kept_verbatim(refs: list[str], team: str, extra: str) -> None:
    assume(all(_usable_ref(r) for r in refs) and len({r.strip() for r in refs}) == len(refs))
    text = csv_line(["case_ref", "team", "summary", "Formula"])
    text += "".join(csv_line([ref, team, extra, extra]) for ref in refs)
    got = parse_cases(text.encode("utf-8"), "in.csv")
    assert [c["case_ref"] for c in got.cases] == [r.strip() for r in refs]
    for case in got.cases:
        assert case["team"] == (team.strip() or None)
        assert case["summary"] == (extra or None)
        assert case["extra"] == ({"Formula": extra} if extra else {})


@settings(FUZZ, max_examples=200)
@given(
    st.integers(1, 5),
    st.lists(st.integers(0, 8), min_size=1, max_size=10),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_cases_random_row_shapes_name_every_bad_line(
    width: int, lengths: list[int], terminator: str
) -> None:
    header = ["case_ref", *(f"c{i}" for i in range(1, width))]
    lines = [",".join(header)]
    bad: list[int] = []
    good = 0
    for i, n in enumerate(lengths):
        cells = [f"R{i}", *(f"v{j}" for j in range(1, n))][:n]
        lines.append(",".join(cells))
        line_no = i + 2
        if n == 0:
            continue  # an empty line is skipped
        if n != width:
            bad.append(line_no)
        else:
            good += 1
    raw = terminator.join(lines).encode("ascii")
    try:
        got = parse_cases(raw, "in.csv")
    except InputError as exc:
        assert_clean_refusal(exc, max_line=len(lines) + 1)
        if bad:
            assert [p.line for p in exc.problems] == bad
        else:
            assert good == 0 and [p.line for p in exc.problems] == [2]
    else:
        assert not bad
        assert len(got.cases) == good


# ----------------------------------------------------------------------- case CSV: the CLI


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "cases.db"
    store = Store.open(path)
    seed_store(store)
    store.close()
    return path


def count_cases(db: Path) -> int:
    store = Store.open(db)
    try:
        return store.count_cases()
    finally:
        store.close()


_CLI_INPUTS = st.one_of(
    st.binary(max_size=200),
    case_files(max_rows=3).map(lambda f: f.text.encode("utf-8")),
    case_files(ALPHABETS["cp1252"], max_rows=3).map(lambda f: f.text.encode("cp1252")),
    st.just(b"case_ref,force\nT/1,Testshire\n"),  # already in the pool
    st.just(("case_ref,summary\nZ/1," + "s" * (MAX_FIELD + 1) + "\n").encode()),
    st.just("case_ref,summary\n\"Z/2,=cmd|' /C calc'!A0\n".encode()),
)


@settings(FUZZ, max_examples=40, suppress_health_check=list(HealthCheck))
@given(raw=_CLI_INPUTS)
def test_cli_cases_import_exits_cleanly(cli_db: Path, raw: bytes) -> None:
    path = cli_db.parent / "in.csv"
    path.write_bytes(raw)
    before = count_cases(cli_db)
    result = CliRunner().invoke(main, ["--db", str(cli_db), "cases", "import", str(path)])
    output = result.output + result.stderr
    assert result.exit_code in (0, 2), output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert "Traceback" not in output
    after = count_cases(cli_db)
    if result.exit_code == 2:
        assert after == before, output
        assert "nothing was written" in result.stderr or "casereview:" in result.stderr
    else:
        assert after > before


# ----------------------------------------------------------------------- answers CSV

_MINI: Checklist = parse_checklist(MINI.read_text(), str(MINI))
_CASES = [("Testshire", "T/1"), ("Testshire", "T/2"), ("Testshire", "T/3"), ("Testshire", "T/4")]
_CASES += [("Otherton", "T/5"), ("Otherton", "T/1")]
_NOTE = st.one_of(st.text(_NO_NUL, max_size=20), FORMULA, st.just('a, "b"\r\nc'))
_ANSWER_HEAD = ["case_ref", "force", "reviewer", "role", "question_id", "answer", "note"]
_BAD_VALUES = {
    "case_ref": ["T/9", "", "t/1"],
    "force": ["Nowhere"],
    "reviewer": ["", "   "],
    "role": ["boss", "", "primary second"],
    "question_id": ["XX-99", "", "rec-01", "REC-01 "],
    "answer": ["maybe", "", "y", "n/a"],
}


@st.composite
def answer_batches(draw: st.DrawFn) -> list[list[str]]:
    """Rows for a few reviews that follow the checklist's skip logic, then maybe spoilt."""
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(_CASES), st.sampled_from(["primary", "second", "moderated"])),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    rows: list[list[str]] = []
    for (force, ref), role in keys:
        reviewer = draw(st.sampled_from(["ann", "bob", "kim"]))
        given_answers: dict[str, str] = {}
        for q in _MINI.questions:
            if q.id not in _MINI.visible(given_answers) or not draw(st.integers(0, 3)):
                continue
            given_answers[q.id] = draw(st.sampled_from(q.answers))
        for qid, value in given_answers.items():
            # T/1 is in both forces and needs its force; a unique ref may leave it out
            shown_force = force if ref == "T/1" else draw(st.sampled_from([force, force, ""]))
            rows.append(
                [
                    draw(st.sampled_from([ref, f" {ref} "])),
                    shown_force,
                    reviewer,
                    draw(st.sampled_from([role, role.title(), role.upper()])),
                    qid,
                    draw(st.sampled_from([value, value.upper(), f" {value}"])),
                    draw(_NOTE),
                ]
            )
    rows = draw(st.permutations(rows))
    for _ in range(draw(st.integers(0, 2))):  # spoil some rows
        if not rows:
            break
        i = draw(st.integers(0, len(rows) - 1))
        how = draw(st.sampled_from(["value", "duplicate", "shape", "hidden"]))
        if len(rows[i]) != len(_ANSWER_HEAD):
            continue  # already cut short
        if how == "value":
            col = draw(st.sampled_from(sorted(_BAD_VALUES)))
            rows[i][_ANSWER_HEAD.index(col)] = draw(st.sampled_from(_BAD_VALUES[col]))
        elif how == "duplicate":
            rows.insert(i, list(rows[i]))
        elif how == "shape":
            rows[i] = rows[i][: draw(st.integers(1, 6))]
        else:
            rows[i][4], rows[i][5] = draw(st.sampled_from([("REC-02", "yes"), ("SPO-03", "no")]))
    return rows


def _csv_bytes(rows: list[list[str]], header: list[str] = _ANSWER_HEAD) -> bytes:
    return "".join(csv_line(r) for r in [header, *rows]).encode("utf-8")


def _import_answers(store: Store, audit_id: int, raw: bytes) -> int:
    rows, _warnings = parse_answer_rows(raw, "answers.csv")
    in_audit = {(ac.case.force, ac.case.case_ref): ac.case.id for ac in store.audit_cases(audit_id)}
    plan = plan_answer_import(
        rows,
        store.audit_checklist(audit_id),
        in_audit,
        store.existing_reviews(audit_id),
        "answers.csv",
    )
    return store.import_reviews(audit_id, plan, "importer")


def _stored_reviews(store: Store, audit_id: int) -> dict[tuple[str, str, str], Any]:
    out: dict[tuple[str, str, str], Any] = {}
    for ac in store.audit_cases(audit_id):
        for review in store.reviews_of_case(audit_id, ac.case.id):
            answers = {q: (a.value, a.note) for q, a in store.answers(review.id).items()}
            out[(ac.case.force, ac.case.case_ref, review.role)] = (
                review.reviewer,
                review.status,
                answers,
            )
    return out


def _expected_reviews(raw: bytes) -> dict[tuple[str, str, str], Any]:
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))[1:]
    out: dict[tuple[str, str, str], Any] = {}
    for ref, force, reviewer, role, qid, answer, note in rows:
        if not force:
            force = next(f for f, r in _CASES if r == ref.strip())
        key = (force, ref.strip(), role.strip().lower())
        entry = out.setdefault(key, (reviewer.strip(), {}))
        entry[1][qid.strip()] = (answer.strip().lower(), note)
    return {
        key: (
            reviewer,
            "in_progress" if _MINI.unanswered({q: v for q, (v, _) in a.items()}) else "complete",
            a,
        )
        for key, (reviewer, a) in out.items()
    }


@settings(FUZZ, max_examples=80)
@given(st.lists(answer_batches(), min_size=1, max_size=2), st.booleans())
def test_answers_import_is_all_or_nothing(batches: list[list[list[str]]], bom: bool) -> None:
    store = Store.memory()
    try:
        audit = seed_store(store)
        imported: dict[tuple[str, str, str], Any] = {}
        for rows in batches:
            raw = (b"\xef\xbb\xbf" if bom else b"") + _csv_bytes(rows)
            before = list(store.db.conn.iterdump())
            try:
                _import_answers(store, audit.id, raw)
            except InputError as exc:
                event("refused")
                assert_clean_refusal(exc, max_line=n_lines(raw.decode("utf-8-sig")) + 1)
                assert list(store.db.conn.iterdump()) == before
            else:
                event("imported")
                imported.update(_expected_reviews(raw[3:] if bom else raw))
            assert _stored_reviews(store, audit.id) == imported
    finally:
        store.close()


@settings(FUZZ, max_examples=80)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode)), st.booleans())
def test_answers_import_random_files(raw: bytes, with_header: bool) -> None:
    store = Store.memory()
    try:
        audit = seed_store(store)
        if with_header:
            raw = ",".join(_ANSWER_HEAD).encode() + b"\n" + raw
        before = list(store.db.conn.iterdump())
        try:
            _import_answers(store, audit.id, raw)
        except InputError as exc:
            assert_clean_refusal(exc)
            assert list(store.db.conn.iterdump()) == before
    finally:
        store.close()


# ----------------------------------------------------------------------- checklists

MINI_TEXT = MINI.read_text(encoding="utf-8")


def parse_checklist_or_refuse(text: str) -> Checklist | None:
    limit = len(text.splitlines()) + 1
    try:
        checklist = parse_checklist(text, "x.yaml")
    except ChecklistError as exc:
        assert_clean_refusal(exc, max_line=limit)
        return None
    assert all(math.isfinite(q.weight) for q in checklist.questions)  # weights feed every mean
    return checklist


_YAMLISH = st.text(
    st.sampled_from(list("abcdeiqsnyt -:[]{},#&*!|>'\"%@`?\n\t\r\\0123456789.~") + ["é", "\u2028"]),
    max_size=120,
)
_FRAGMENTS = st.sampled_from(
    [
        "id: x\n",
        "version: 1\n",
        "title: T\n",
        "sections:\n",
        "  - id: s\n",
        "    title: S\n",
        "    questions:\n",
        "      - id: Q\n",
        "        text: t\n",
        "        answers: [yes, no]\n",
        "        show_if: {question: Q, in: [yes]}\n",
        "        weight: -1\n",
        "  - \n",
        "- a\n",
        "? k\n",
        "&a ",
        "*a\n",
        "!!str ",
        "---\n",
        "...\n",
    ]
)


@settings(FUZZ, max_examples=300)
@given(st.one_of(_YAMLISH, st.lists(_FRAGMENTS, max_size=14).map("".join)))
def test_checklist_random_yamlish_text(text: str) -> None:
    parse_checklist_or_refuse(text)


def _mutate(lines: list[str], data: st.DataObject) -> list[str]:
    lines = list(lines)
    how = data.draw(st.sampled_from(["delete", "duplicate", "swap", "chars", "indent", "cut"]))
    i = data.draw(st.integers(0, len(lines) - 1))
    if how == "delete":
        del lines[i]
    elif how == "duplicate":
        lines.insert(i, lines[i])
    elif how == "swap":
        j = data.draw(st.integers(0, len(lines) - 1))
        a, b = lines[i].partition(": "), lines[j].partition(": ")
        if a[1] and b[1]:
            lines[i], lines[j] = a[0] + ": " + b[2], b[0] + ": " + a[2]
        else:
            lines[i], lines[j] = lines[j], lines[i]
    elif how == "chars":
        at = data.draw(st.integers(0, len(lines[i])))
        junk = data.draw(st.text(st.characters(exclude_categories=("Cs",)), max_size=4))  # type: ignore[arg-type]
        lines[i] = lines[i][:at] + junk + lines[i][at + data.draw(st.integers(0, 3)) :]
    elif how == "indent":
        lines[i] = data.draw(st.sampled_from(["", " ", "  ", "\t"])) + lines[i].lstrip(" ")
    else:
        lines = lines[:i]
    return lines or [""]


@settings(FUZZ, max_examples=300)
@given(st.data())
def test_checklist_mutations_of_mini(data: st.DataObject) -> None:
    lines = MINI_TEXT.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 3))):
        lines = _mutate(lines, data)
    parse_checklist_or_refuse("".join(lines))


@settings(FUZZ, max_examples=100, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_checklist_random_bytes_through_the_cli(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    raw = bytearray(MINI_TEXT.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw)))
        junk = data.draw(st.binary(min_size=1, max_size=6))
        raw[at : at + data.draw(st.integers(0, 6))] = junk
    path = tmp_path_factory.getbasetemp() / "fuzzed.yaml"
    path.write_bytes(bytes(raw))
    result = CliRunner().invoke(main, ["checklist", "validate", str(path)])
    output = result.output + result.stderr
    assert result.exit_code in (0, 2), output
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert "Traceback" not in output
    if result.exit_code == 2:
        n = len(bytes(raw).decode("utf-8", errors="replace").splitlines()) + 1
        for line in result.stderr.splitlines()[:-1]:
            match = re.match(re.escape(str(path)) + r":(\d+): \S", line)
            if match:  # multi-line messages continue on the next lines
                assert 1 <= int(match.group(1)) <= n, line


# Files found by fuzzing and by reading the loader: each must be refused with a
# ChecklistError that names a line, never crash with another exception.
_HOSTILE = {
    "recursive alias": "id: &x [*x]\n",
    "deep nesting": "id: " + "[" * 2000 + "]" * 2000 + "\n",
    "unhashable key": "id: x\n? [a, b]\n: c\n",
    "python tag": "id: !!python/object/apply:os.system [echo hi]\n",
    "impossible date": "id: x\nversion: 2024-02-30\n",
    "bad binary": "id: !!binary '@@@'\n",
    "infinite weight": MINI_TEXT.replace("weight: 2", "weight: .inf"),
    "merge key duplicate": MINI_TEXT.replace(
        "      - id: REC-03\n",
        "      - &again {id: REC-01, text: again}\n      - <<: *again\n      - id: REC-03\n",
    ),
}


@pytest.mark.parametrize("text", list(_HOSTILE.values()), ids=list(_HOSTILE))
def test_checklist_hostile_yaml_is_refused_cleanly(text: str) -> None:
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, "x.yaml")
    assert_clean_refusal(caught.value, max_line=len(text.splitlines()) + 1)


def test_checklist_alias_bomb_is_refused_quickly() -> None:
    """Seven lines of nested aliases expand to 10 million nodes; refusing must not take minutes."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        bomb += f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]\n"
    script = textwrap.dedent(
        """
        import sys
        from casereview.checklist_loading import ChecklistError, parse_checklist
        try:
            parse_checklist(sys.stdin.read(), "bomb.yaml")
        except ChecklistError:
            print("refused")
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=bomb,
            capture_output=True,
            text=True,
            timeout=8,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("parse_checklist spent over 8 s on a 7-line alias bomb (billion laughs)")
    assert done.stdout.strip() == "refused", done.stderr


# ----------------------------------------------------------------------- dates


@settings(FUZZ, max_examples=100)
@given(st.dates(date(1, 1, 1), date(9999, 12, 31)), st.booleans())
def test_dates_are_stored_as_iso_or_refused(when: date, uk: bool) -> None:
    """A stored date is ISO 8601 `YYYY-MM-DD`, which is what `--from`/`--to` compare as text."""
    text = (
        f"{when.day:02d}/{when.month:02d}/{when.year:04d}"
        if uk
        else f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
    )
    got = parse_cases_or_refuse(f"case_ref,reported_at\nA/1,{text}\n".encode(), max_line=2)
    if got is not None:
        assert got.cases[0]["reported_at"] == when.isoformat(), (text, got.cases[0])
