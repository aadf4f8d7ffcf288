"""The import's fast path reads a batch of rows a column at a time (`_Checker.plain_batch`)
and its dates through `csvfile.DateReader`: both must give exactly what the row-by-row
check and parse_date give, or stand aside (None; parse_date's own ValueError)."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casereview.io.imports.case_rows import _Checker
from casereview.io.imports.csvfile import DateReader, parse_date

DATES = st.one_of(
    st.sampled_from(
        [
            "",
            "  ",
            "2024-01-01",
            "2024-02-29",
            "2023-02-29",
            "2024-13-01",
            "2024-01-01T09:00",
            "2024-01-01 09:00",
            "2024-01-01T24:00",
            "2024-01-01T09:60",
            "2024-01-01T09:00:00",
            "2024-01-01T09:00:59",
            "2024-01-01T09:00:60",
            "2024-01-01T09:00:00Z",
            "2024-01-01T09:00:00.5",
            "01/01/2024",
            "31/12/2024 23:59",
            "31/02/2024 09:00",
            "01/01/2024T09:00",
            "01/01/2024 09:00:00",
            "1/1/2024 9:00",
            "01/13/2024 09:00",
            "0001-01-01",
            "9999-12-31T23:59:59",
            "never",
            "\u0661\u0669/04/2024 21:40",  # Arabic-Indic digits
            "2024-0\u0661-01",
            " 09/04/2024 21:40 ",
        ]
    ),
    st.builds(
        "{:02d}/{:02d}/{:04d} {:02d}:{:02d}".format,
        st.integers(0, 32),
        st.integers(0, 13),
        st.integers(1, 9999),
        st.integers(0, 25),
        st.integers(0, 61),
    ),
    st.builds(
        "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}".format,
        st.integers(1, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.integers(0, 61),
    ),
    st.text(alphabet="0123456789-/:T Z.", max_size=20),
)


def _parsed(read: object, value: str) -> str | None:
    try:
        return read(value)  # type: ignore[operator, no-any-return]
    except ValueError:
        return None


@settings(max_examples=400, deadline=None)
@given(st.lists(DATES, min_size=1, max_size=30))
def test_the_date_reader_answers_as_parse_date(values: list[str]) -> None:
    read = DateReader()
    for value in values * 2:  # the second time its days are remembered
        text = value.strip()
        assert _parsed(read, text) == _parsed(parse_date, text), text


@settings(max_examples=400, deadline=None)
@given(st.lists(DATES, min_size=1, max_size=30))
def test_a_column_of_dates_reads_as_each_date_alone(values: list[str]) -> None:
    read = DateReader()
    texts = [value.strip() for value in values]
    for _ in range(2):  # the second time its days are remembered
        column = read.column(texts)
        if column is not None:  # None: the caller reads them one by one
            assert column == [parse_date(text) if text else None for text in texts]


def test_common_columns_of_dates_are_read_a_column_at_a_time() -> None:
    read = DateReader()
    assert read.column(["2024-01-01T09:00:00", "", "2024-02-29T23:59:59"]) == [
        "2024-01-01T09:00:00",
        None,
        "2024-02-29T23:59:59",
    ]
    assert read.column(["01/01/2024 09:00", "31/12/2024", "2024-04-09T21:40"]) == [
        "2024-01-01T09:00",
        "2024-12-31",
        "2024-04-09T21:40",
    ]
    # one field holding two dates on two lines is not a date, whatever the column looks like
    assert read.column(["2024-01-01T09:00\n2024-01-01T09:00"]) is None
    assert read.column(["31/02/2024 09:00"]) is None  # not a day: read alone, to be refused
    assert read.column(["29/02/2024 09:00", "2024-02-29"]) == ["2024-02-29T09:00", "2024-02-29"]
    assert read.column(["2024-02-29", "2023-02-29"]) is None  # 2023 is not a leap year
    assert read.column(["29/02/1900"]) is None  # nor is 1900


def test_the_date_reader_forgets_days_past_its_limit() -> None:
    read = DateReader()
    for n in range(6000):
        day = datetime.fromordinal(700_000 + n).date().isoformat()
        assert read(f"{day}T09:00") == f"{day}T09:00"
    assert 0 < len(read._days) <= 4096


HEADERS = [
    ["case_ref", "force", "reported_at", "da_related", "summary", "team", "unit"],
    ["case_ref", "recorded_at", "repeat_victim", "officer"],
    ["force", "case_ref", "summary"],
]
CELLS = st.sampled_from(
    ["A1", "NM/24/1", " B2 ", "", "  ", "x\u200by", "caf\u00e9", "tab\there", "two\nlines"]
)
BOOLS = st.sampled_from(["yes", "No", " y ", "TRUE", "0", "", "maybe", "si"])


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    header = draw(st.sampled_from(HEADERS))
    kinds = {"reported_at": DATES, "recorded_at": DATES, "da_related": BOOLS}
    kinds["repeat_victim"] = BOOLS
    plain = draw(st.booleans())  # mostly plain rows, as pools are, or anything at all
    cell = st.sampled_from(["A1", "NM/24/1", " B2 ", "Hub"]) if plain else CELLS
    row = st.tuples(*(kinds.get(name, cell) for name in header)).map(list)
    rows = draw(st.lists(row, min_size=1, max_size=8, unique_by=lambda r: tuple(r)))
    if draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), draw(st.sampled_from([[], [""] * 3])))
    return header, rows


@settings(max_examples=400, deadline=None)
@given(batches())
def test_a_batch_read_by_column_is_the_rows_read_one_by_one(
    drawn: tuple[list[str], list[list[str]]],
) -> None:
    header, rows = drawn
    fast = _Checker(header, "in.csv", None).plain_batch(rows)
    slow = _Checker(header, "in.csv", None)
    if fast is None:
        return  # the caller reads the batch row by row, with check() itself
    one_by_one = [slow.check(0, values) for values in rows]
    assert slow.problems == []
    assert [list(row) for row in fast] == one_by_one


def test_plain_rows_do_take_the_column_path() -> None:
    header = HEADERS[0]
    rows = [
        ["NM/24/1", "Northmoor Police", "09/04/2024 21:40", "yes", " keeps  spacing ", " Hub ", ""],
        ["NM/24/2", "Northmoor Police", "2024-04-10T16:31:00", "", "", "", "blue"],
    ]
    fast = _Checker(header, "in.csv", None).plain_batch(rows)
    assert fast is not None
    assert [list(row) for row in fast] == [
        # CASE_COLUMNS order: case_ref, force, team, offence, reported_at, recorded_at,
        # outcome, da_related, repeat_victim, officer, summary; then the extra attributes
        ["NM/24/1", "Northmoor Police", "Hub", None, "2024-04-09T21:40", None, None, True]
        + [None, None, " keeps  spacing ", {}],
        ["NM/24/2", "Northmoor Police", None, None, "2024-04-10T16:31:00", None, None, None]
        + [None, None, None, {"unit": "blue"}],
    ]


@pytest.mark.parametrize(
    "row",
    [
        ["NM/24/3", "F", "31/02/2024 09:00", "yes", "", "", ""],  # not a date
        ["NM/24/3", "F", "", "maybe", "", "", ""],  # not yes or no
        ["", "F", "", "", "", "", ""],  # no reference
        ["NM/24/3\u200b", "F", "", "", "", "", ""],  # an invisible character
        ["NM/24/3", "F", "", ""],  # too few fields
    ],
)
def test_a_row_with_a_problem_sends_its_batch_row_by_row(row: list[str]) -> None:
    ok = ["NM/24/1", "F", "", "", "", "", ""]
    assert _Checker(HEADERS[0], "in.csv", None).plain_batch([ok, row]) is None
