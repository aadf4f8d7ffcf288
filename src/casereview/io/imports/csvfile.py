"""Reading CSV files as people save them: the encoding, the table, dates; every problem by line.

Shared by the case-pool reader (importing) and the answers reader (answers_import). The
table is read as a stream of rows (`stream_table`), so a national pool is never held whole.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from casereview.core.fields import CASE_COLUMNS
from casereview.core.problems import InputError, Problem
from casereview.core.text import nfc, utf16_codec

MAX_FIELD = 100_000  # a summary longer than this is a pasted file, not a summary
ANSWER_COLUMNS = ("reviewer", "role", "question_id", "answer", "note", "reason")

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?Z?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


@dataclass
class Decoded:
    text: str
    warnings: list[str] = field(default_factory=list)


def decode(raw: bytes, source: str) -> Decoded:
    """UTF-8 (with or without BOM); UTF-16 (with or without BOM, as Excel's "Unicode text"
    saves); else Windows-1252, as Excel saves, with a warning."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError([Problem(source, 1, "the file is UTF-32 text; save it as UTF-8")])
    codec = utf16_codec(raw)
    if codec is not None:
        try:
            return Decoded(raw.decode(codec))
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].decode(codec, errors="replace").count("\n") + 1
            raise InputError(
                [
                    Problem(
                        source,
                        line,
                        "the file looks like UTF-16 but is not valid UTF-16 "
                        "text from here; save it as UTF-8",
                    )
                ]
            ) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return Decoded(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        first_bad = raw[: exc.start].count(b"\n") + 1
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(
            [Problem(source, first_bad, "the file is neither UTF-8 nor Windows-1252 text")]
        ) from None
    return Decoded(
        text,
        [
            f"{source}: not UTF-8 (first at line {first_bad}); read as Windows-1252, as Excel "
            "saves it. Check accented characters came through."
        ],
    )


def parse_day(value: str) -> str:
    """A day as a person types it (ISO or dd/mm/yyyy, a time allowed) -> `YYYY-MM-DD`;
    ValueError if not a date. The one reading of --from/--to and the screens' date fields."""
    return parse_date(value)[:10]


def parse_date(value: str) -> str:
    """ISO 8601 or UK dd/mm/yyyy[ hh:mm] -> ISO `YYYY-MM-DD[THH:MM[:SS]]`; ValueError if not."""
    value = value.strip()
    fast = _shaped_iso(value)
    if fast is not None:
        # The common shapes, 400,000 times in a national import, are told by slicing and
        # the C parser checks the digits and the calendar (it takes ASCII digits only).
        # What it refuses gets the full check below (and its message).
        try:
            datetime.fromisoformat(fast)
            return fast
        except ValueError:
            pass
    m = _ISO.match(value)
    if m:
        y, mo, d, hh, mi, ss = m.groups()
    else:
        m = _UK.match(value)
        if not m:
            raise ValueError(value)
        d, mo, y, hh, mi, ss = m.groups()
    parsed = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
    # isoformat, not strftime: strftime drops the leading zeros of years before 1000
    text = parsed.isoformat()
    if hh is None:
        return text[:10]
    return text if ss else text[:16]


def _shaped_iso(value: str) -> str | None:
    """The ISO text of a value in one of the shapes files hold most, found by slicing, or
    None: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]` (as written) and the UK `DD/MM/YYYY[ HH:MM]`.
    (Whether the digits are digits and the date a date is left to datetime.fromisoformat,
    which accepts nothing else of these lengths and shapes.)"""
    n = len(value)
    if n < 10:
        return None
    if value[4] == "-" and value[7] == "-":
        if n == 10 or (value[10] == "T" and value[13:14] == ":" and n in (16, 19)):
            return value if n != 19 or value[16] == ":" else None
        return None
    if value[2] == "/" and value[5] == "/":
        day = f"{value[6:10]}-{value[3:5]}-{value[0:2]}"
        if n == 10:
            return day
        if n == 16 and value[10] in " T" and value[13] == ":":
            return f"{day}T{value[11:16]}"
    return None


_HOURS_MINUTES = frozenset(f"{h:02d}:{m:02d}" for h in range(24) for m in range(60))
_SECONDS = frozenset(f"{s:02d}" for s in range(60))
_DAYS_KEPT = 4096  # the days a DateReader remembers (a pool's dates span a few years)
# The common shapes of a date, every day of them a real one (the 29th of February aside: its
# year is told apart by calendar.isleap), so a column that matches holds nothing to refuse.
_HH_MM = "(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_YEAR = "(?!0000)[0-9]{4}"
_TO_29, _MONTHS_30 = "(?:0[1-9]|1[0-9]|2[0-9])", "(?:0[13-9]|1[0-2])"
_MONTHS_31 = "(?:0[13578]|1[02])"
_ISO_MD = f"(?:(?:0[1-9]|1[0-2])-{_TO_29}|{_MONTHS_30}-30|{_MONTHS_31}-31)"
_UK_DM = f"(?:{_TO_29}/(?:0[1-9]|1[0-2])|30/{_MONTHS_30}|31/{_MONTHS_31})"
_COMMON_DATE = f"{_YEAR}-{_ISO_MD}(?:T{_HH_MM}(?::[0-5][0-9])?)?|{_UK_DM}/{_YEAR}(?: {_HH_MM})?"
_COMMON_DATES = re.compile(f"(?:{_COMMON_DATE})?(?:\n(?:{_COMMON_DATE})?)*")  # one a line


def _leap_years(joined: str) -> bool:
    """Whether each 29th of February in dates of the common shapes falls in a leap year."""
    for mark, year_at in (("-02-29", -4), ("29/02/", 6)):  # where the year is from the mark
        at = joined.find(mark)
        while at >= 0:
            if not calendar.isleap(int(joined[at + year_at : at + year_at + 4])):
                return False
            at = joined.find(mark, at + 1)
    return True


class _Heads(dict[str, str]):
    """A date's first 11 characters (its day, and the separator before a time) -> their ISO
    form, worked out when first asked for: "31/12/2024 " is "2024-12-31T"."""

    def __missing__(self, head: str) -> str:
        if len(self) >= 2 * _DAYS_KEPT:
            self.clear()
        if head[2:3] == "/":
            self[head] = f"{head[6:10]}-{head[3:5]}-{head[0:2]}{'T' if len(head) == 11 else ''}"
        else:
            self[head] = head
        return self[head]


class DateReader:
    """parse_date for the many dates of one file: the same answers, told faster.

    A national pool holds 400,000 dates in a few thousand distinct days. The day part of
    each is read once (by the same `datetime.fromisoformat` as parse_date) and remembered;
    a time of the common `HH:MM[:SS]` shape is told by set membership. Anything else, and
    any day that is not a date, goes to parse_date itself, for its answer or its ValueError.
    """

    def __init__(self) -> None:
        self._days: dict[str, str] = {}  # a valid day as written -> its ISO form
        self._heads = _Heads()  # for column()

    def __call__(self, value: str) -> str:
        """parse_date(value) of a value already stripped."""
        n = len(value)
        if n in (10, 16, 19):
            day = self._days.get(value[:10])
            if day is None:
                day = self._learn(value[:10])
            if day is not None:
                if n == 10:
                    return day
                if value[11:16] in _HOURS_MINUTES:
                    if day == value[:10]:  # ISO, kept as written (a UK day never reads so)
                        if value[10] == "T" and (
                            n == 16 or (value[16] == ":" and value[17:19] in _SECONDS)
                        ):
                            return value
                    elif n == 16 and value[10] in " T":
                        return f"{day}T{value[11:16]}"
        return parse_date(value)

    def column(self, texts: Sequence[str]) -> list[str | None] | None:
        """[self(t) if t else None for t in texts] (each stripped) told a column at a time,
        or None when a value is not of the common shapes (YYYY-MM-DD[THH:MM[:SS]] and
        DD/MM/YYYY[ HH:MM]) or its day is not a date: the caller then reads them one by one.
        A national pool's dates are all common: one pattern over the whole column tells
        them (and that every day is a real one), leaving a UK day's reordering the only
        work per date."""
        joined = "\n".join(texts)
        if joined.count("\n") != len(texts) - 1 or _COMMON_DATES.fullmatch(joined) is None:
            return None  # (a value with a line break of its own is never common)
        if not _leap_years(joined):
            return None
        if "/" not in joined:
            read: Sequence[str] = texts  # ISO values are kept as written
        else:
            heads = self._heads
            read = [heads[t[:11]] + t[11:] for t in texts]
        return [t or None for t in read] if "" in texts else list(read)

    def _learn(self, text: str) -> str | None:
        """The ISO day of `text` (YYYY-MM-DD or DD/MM/YYYY) if it is a date, remembered."""
        day = _iso_day(text)
        if day is None:
            return None
        if len(self._days) >= _DAYS_KEPT:
            self._days.clear()
        self._days[text] = day
        return day


def _iso_day(text: str) -> str | None:
    """The ISO day of `text` (YYYY-MM-DD or DD/MM/YYYY) if it is a date, else None."""
    if text[4:5] == "-" and text[7:8] == "-":
        day = text
    elif text[2:3] == "/" and text[5:6] == "/":
        day = f"{text[6:10]}-{text[3:5]}-{text[0:2]}"
    else:
        return None
    try:
        datetime.fromisoformat(day)
    except ValueError:
        return None
    return day


class CsvRow(NamedTuple):
    """A data row and the line it starts on (a tuple: a national pool has 200,000 of them)."""

    line: int
    values: dict[str, str]


def read_rows(text: str, source: str, required: tuple[str, ...]) -> tuple[list[str], list[CsvRow]]:
    """Header and rows of a CSV text, each row by column name; InputError lists every bad row."""
    header, table = read_table(text, source, required)
    return header, [CsvRow(line, dict(zip(header, values, strict=True))) for line, values in table]


def read_table(
    text: str, source: str, required: tuple[str, ...]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows of a CSV text as (line, cells), every row as wide as the header."""
    if "\x00" in text:
        raise InputError([_nul(source, text[: text.index("\x00")].count("\n") + 1)])
    problems: list[Problem] = []
    header, rows = stream_table(io.StringIO(text, newline=""), source, required, problems)
    table = list(rows)
    if problems:
        raise InputError(problems)
    return header, table


def stream_table(
    text: Iterable[str],
    source: str,
    required: tuple[str, ...],
    problems: list[Problem],
    compose: bool = False,
    reader: Any = None,
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (checked: InputError now) and an iterator of the rows as (line, cells).

    Rows of the wrong width, or with a field too long, are not yielded: their problems are
    appended to `problems` as the rows go by, so the caller knows the file is bad once the
    iterator is spent. A NUL byte raises InputError where it is found. `text` yields the
    file's lines as csv.reader takes them (a file opened with newline=""). With `compose`
    the header's names are read in the composed form (NFC), as the caller reads the rows.
    A caller may pass the csv.reader over `text` itself, to read the rows from it directly.
    """
    if reader is None:
        reader = csv.reader(text, strict=True)
    lines = _rows_with_lines(reader, source, problems)
    # The header is the first row with something in it: blank lines before it (after a BOM,
    # say) are skipped, so problems with it name its real line.
    found = next((row for row in lines if "".join(row[1]).strip()), None)
    if found is None:
        raise InputError(problems or [Problem(source, 1, "the file is empty")])
    header_line, header = found
    _refuse_nul(source, header_line, header)
    names = [(nfc(h) if compose else h).strip() for h in header]
    lowered = [n.lower() if n.lower() in CASE_COLUMNS + ANSWER_COLUMNS else n for n in names]
    seen: set[str] = set()
    for n in lowered:
        if n == "":
            problems.append(Problem(source, header_line, "the header has an empty column name"))
        elif n in seen:
            problems.append(Problem(source, header_line, f"column '{n}' appears twice"))
        seen.add(n)
    missing = [c for c in required if c not in seen]
    if missing:
        problems.append(
            Problem(
                source,
                header_line,
                f"missing required column(s): {', '.join(missing)} (header: {', '.join(names)})",
            )
        )
    if problems:
        raise InputError(problems)
    return lowered, _shaped(lines, lowered, source, problems)


def well_shaped(values: list[str], width: int) -> bool:
    """Whether a non-blank row passes _shaped's checks: as wide as the header, no NUL, no
    field over MAX_FIELD (the fast path's test; the problems are _shaped's to word)."""
    if len(values) != width:
        return False
    joined = "".join(values)
    return "\x00" not in joined and (len(joined) <= MAX_FIELD or max(map(len, values)) <= MAX_FIELD)


def _shaped(
    lines: Iterator[tuple[int, list[str]]], names: list[str], source: str, problems: list[Problem]
) -> Iterator[tuple[int, list[str]]]:
    width = len(names)
    for line, values in lines:
        joined = "".join(values)
        if not joined or joined.isspace():
            continue  # blank line, or a row of empty cells as spreadsheets leave
        if "\x00" in joined:
            _refuse_nul(source, line, values)
        if len(values) != width:
            problems.append(
                Problem(source, line, f"{len(values)} fields where the header has {width}")
            )
            continue
        if len(joined) > MAX_FIELD and max(map(len, values)) > MAX_FIELD:
            name = next(n for n, v in zip(names, values, strict=True) if len(v) > MAX_FIELD)
            problems.append(Problem(source, line, f"field {name} is over {MAX_FIELD:,} characters"))
            continue
        yield line, values


def _nul(source: str, line: int) -> Problem:
    return Problem(source, line, "not valid CSV: the file contains NUL bytes (a binary file?)")


def _refuse_nul(source: str, line: int, values: list[str]) -> None:
    """A streamed file is refused at its first NUL, named by its own line (the row's start
    plus the line breaks inside its fields before it), as the whole-text check names it."""
    joined = ",".join(values)
    if "\x00" in joined:
        raise InputError([_nul(source, line + joined[: joined.index("\x00")].count("\n"))])


def _rows_with_lines(
    reader: Any, source: str, problems: list[Problem]
) -> Iterator[tuple[int, list[str]]]:
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(source, reader.line_num, f"not valid CSV: {exc}"))


def ensure_field_limit() -> None:
    # The csv module's own limit (128 KiB) raises mid-file; ours is checked per row instead.
    if csv.field_size_limit() < MAX_FIELD * 4:
        csv.field_size_limit(MAX_FIELD * 4)
