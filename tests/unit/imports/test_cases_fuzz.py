"""Fuzzing the case CSVs users feed casereview (answer CSVs: test_answers_fuzz.py;
checklists: tests/unit/checklist/test_fuzz.py).

The property everywhere: a file is either used correctly, or refused with an InputError whose
every problem names a line inside the file and says something; never any other exception, and
a refusal changes nothing in the database.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from casereview.cli import main
from casereview.core.fields import CASE_COLUMNS
from casereview.core.problems import InputError
from casereview.core.text import first_invisible, match_key, nfc
from casereview.io.imports.cases import parse_cases
from casereview.io.imports.csvfile import MAX_FIELD
from casereview.store import Store
from tests.factories import seed_store
from tests.fuzzing import BREAK, FORMULA, FUZZ, NO_NUL, assert_clean_refusal, csv_line, n_lines


def parse_cases_or_refuse(raw: bytes, max_line: int | None = None) -> Any:
    """parse_cases' result, or None after checking the refusal; any other exception fails."""
    try:
        return parse_cases(raw, "in.csv")
    except InputError as exc:
        assert_clean_refusal(exc, max_line)
        return None


# ----------------------------------------------------------------------- case CSV strategies

_LATIN = st.characters(
    codec="latin-1", exclude_characters=["\x00", *(chr(c) for c in range(0x80, 0xA0))]
)
ALPHABETS = {
    "utf-8": NO_NUL,
    "utf-8-sig": NO_NUL,
    "cp1252": st.characters(codec="cp1252", exclude_characters="\x00"),
    "latin-1": _LATIN,
}

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
        starts.append(len(BREAK.findall(out.getvalue())) + 1)
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
    draw: st.DrawFn, alphabet: st.SearchStrategy[str] = NO_NUL, max_rows: int = 6
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
    read: Callable[[str], str]
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
