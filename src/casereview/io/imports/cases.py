"""Reading case-pool CSV files and adding them to the pool: streamed, all or nothing.

A national pool is 200,000 cases (a big force's extract a million): the file is read row by
row straight into the one write transaction, so memory does not grow with it. A file with a
problem is read a second time to list every bad line, as a file is always refused.
"""

from __future__ import annotations

import csv
import io
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from casereview.core.bulk import no_cycle_collection
from casereview.core.fields import CASE_COLUMNS
from casereview.core.problems import InputError, Problem
from casereview.core.text import nfc, utf16_codec
from casereview.io.files import refuse_the_database
from casereview.io.imports.case_rows import _Checker
from casereview.io.imports.csvfile import (
    decode,
    ensure_field_limit,
    stream_table,
    well_shaped,
)

if TYPE_CHECKING:
    from casereview.store import Store

_BATCH = 1000  # rows checked a column at a time
_HEAD = 1 << 20  # bytes read to tell the encoding; a file this small is decoded whole
Existing = Literal["refuse", "skip", "update"]
Progress = Callable[[int, int], None]  # (bytes read, file size)


@dataclass
class CaseFile:
    """A validated case pool file, held whole (the demo, tests; imports stream instead).

    `rows` hold each case as the store inserts it: the CASE_COLUMNS values in order, then
    the dict of extra attributes; `cases` gives the same as dicts by column name.
    """

    rows: list[list[Any]]
    lines: list[int]
    warnings: list[str]
    extra_columns: list[str]

    @cached_property
    def cases(self) -> list[dict[str, Any]]:
        names = (*CASE_COLUMNS, "extra")
        return [dict(zip(names, row, strict=True)) for row in self.rows]


class _CaseStream:
    """A case file being read: its header's checker and its valid rows as (line, row)."""

    def __init__(self, text: Iterable[str], source: str, seen: dict[str, tuple[int, str]] | None):
        ensure_field_limit()
        self.source = source
        self.shape_problems: list[Problem] = []
        self._reader = csv.reader(text, strict=True)
        header, self._table = stream_table(
            text, source, ("case_ref",), self.shape_problems, compose=True, reader=self._reader
        )
        self.checker = _Checker(header, source, seen)

    def fast(self) -> Iterator[Sequence[Any]]:
        """The rows as the store takes them, read straight from the csv reader with no line
        kept: the first problem of any kind raises _Refused, and the file is read again
        (_diagnose) to word them all. A national pool has no problem, and this is its path.
        (A batch at a time: no Python code runs for each row on the way to the store.)"""
        return chain.from_iterable(map(self._checked, self._batches()))

    def _batches(self) -> Iterator[list[list[str]]]:
        try:
            while batch := list(islice(self._reader, _BATCH)):
                yield batch
        except csv.Error:
            raise _Refused from None

    def _checked(self, batch: list[list[str]]) -> Sequence[Sequence[Any]]:
        plain = self.checker.plain_batch(batch)
        if plain is not None:
            return plain
        check, width = self.checker.check, len(self.checker.header)
        rows = []
        for values in batch:  # row by row: check() says what plain_batch would not
            joined = "".join(values)
            if not joined or joined.isspace():
                continue  # blank line, or a row of empty cells as spreadsheets leave
            if not well_shaped(values, width):
                raise _Refused
            if not joined.isascii():
                values = [nfc(v) for v in values]  # composed, as __iter__ reads them
            row = check(0, values)
            if row is None:
                raise _Refused
            rows.append(row)
        return rows

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        check = self.checker.check
        for line, values in self._table:
            if not "".join(values).isascii():
                # Every field in the composed form (NFC), so `é` stored one way matches `é`
                # typed the other (composing never touches commas, quotes or line breaks).
                values = [nfc(v) for v in values]
            row = check(line, values)
            if row is not None:
                yield line, row

    @property
    def problems(self) -> list[Problem]:
        # A row of the wrong shape is the file's problem first: as a file held whole is
        # refused on them alone, the rows' own problems are told once the shape is right.
        return self.shape_problems or self.checker.problems


def parse_cases(raw: bytes, source: str) -> CaseFile:
    """Validate a case-pool CSV completely, held in memory; InputError lists every bad row."""
    decoded = decode(raw, source)
    try:
        with no_cycle_collection():
            stream = _CaseStream(io.StringIO(decoded.text, newline=""), source, {})
            rows, lines = [], []
            for line, row in stream:
                rows.append(row)
                lines.append(line)
        if stream.problems:
            raise InputError(stream.problems)
        if not rows:
            raise InputError([Problem(source, 2, "the file has a header but no cases")])
    except InputError as exc:
        # A refused file still says how it was read: the encoding may be why rows are bad.
        raise InputError(exc.problems, decoded.warnings + exc.warnings) from None
    extras = [name for name, _ in stream.checker.extras]
    return CaseFile(rows, lines, decoded.warnings, extras)


def read_case_file(path: str | Path) -> CaseFile:
    return parse_cases(_read_bytes(Path(path)), str(path))


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), 1, f"cannot read the file: {exc.strerror}")]) from None


# --------------------------------------------------------------------------- into the store


@dataclass(frozen=True)
class Imported:
    """What an import added, and what its reader had to say about the file."""

    n: int
    warnings: list[str]
    extra_columns: list[str] = field(default_factory=list)
    reviews: int = 0
    complete: int = 0
    existing: list[Problem] = field(default_factory=list)  # cases skipped or updated, by line
    updated: int = 0


class _Refused(Exception):
    """The streamed pass met a bad row: stop writing, then read again to list them all."""


@contextmanager
def _text_of(path: Path, encoding: str) -> Iterator[tuple[IO[str], IO[bytes] | None, list[str]]]:
    """The file as text lines, its binary handle (for progress) and the reader's warnings.

    UTF-8 (with or without BOM) or Windows-1252 is decoded as it is read; a small file, or
    one in UTF-16/32, is decoded whole by csvfile.decode, which tells them apart.
    """
    source = str(path)
    try:
        binary = path.open("rb")
    except OSError as exc:
        raise InputError([Problem(source, 1, f"cannot read the file: {exc.strerror}")]) from None
    with binary:
        head = binary.read(_HEAD)
        if len(head) < _HEAD or utf16_codec(head) or head.startswith(b"\x00\x00\xfe\xff"):
            decoded = decode(head + binary.read(), source)
            yield io.StringIO(decoded.text, newline=""), None, decoded.warnings
            return
        binary.seek(3 if head.startswith(b"\xef\xbb\xbf") else 0)
        text = io.TextIOWrapper(binary, encoding, newline="")  # type: ignore[type-var]
        yield text, binary, []


def _first_bad_utf8_line(path: Path) -> int:
    with path.open("rb") as fh:
        for n, line in enumerate(fh, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return n
    return 1  # pragma: no cover - only called once decoding failed


def import_cases(
    store: Store,
    path: Path,
    existing: Existing = "refuse",
    actor: str = "",
    progress: Progress | None = None,
) -> Imported:
    """Read a case file and add it to the pool in one transaction, all or nothing.

    A case already in the pool (looked for inside the write transaction, look-alikes
    included) is refused by line, as a bad row is; with `existing="skip"` it is reported and
    left as it is, with "update" its metadata is replaced from the file and the change
    written to the trail. A file that is not UTF-8 is read as Windows-1252, with a warning.
    """
    refuse_the_database(path, store.files())
    warnings: list[str] = []
    encoding = "utf-8"
    while True:
        try:
            return _import(store, path, encoding, warnings, existing, actor, progress)
        except UnicodeDecodeError:
            first_bad = _first_bad_utf8_line(path)
            if encoding != "utf-8":
                neither = "the file is neither UTF-8 nor Windows-1252 text"
                raise InputError([Problem(str(path), first_bad, neither)]) from None
            encoding = "cp1252"
            warnings = [
                f"{path}: not UTF-8 (first at line {first_bad}); read as Windows-1252, as Excel "
                "saves it. Check accented characters came through."
            ]
        except InputError as exc:
            raise InputError(exc.problems, warnings + exc.warnings) from None


def _import(
    store: Store,
    path: Path,
    encoding: str,
    warnings: list[str],
    existing: Existing,
    actor: str,
    progress: Progress | None,
) -> Imported:
    from casereview.store import CaseClash

    source = str(path)
    size = path.stat().st_size if progress else 0
    # Where each streamed row came from, for the cases the pool already has (4 bytes a case).
    lines = array("l")
    with _text_of(path, encoding) as (text, binary, read_warnings):
        warnings.extend(read_warnings)
        # Skipping or updating needs a reference given twice told from one the pool has: the
        # keys are held then. A plain import leaves both to the database (CaseClash).
        stream = _CaseStream(text, source, None if existing == "refuse" else {})

        def rows() -> Iterator[list[Any]]:  # skipping or updating: each row's line kept
            for n, (line, row) in enumerate(stream):
                if stream.shape_problems or stream.checker.problems:
                    raise _Refused
                if existing != "refuse":
                    lines.append(line)
                if progress is not None and binary is not None and n % 4096 == 0:
                    progress(binary.tell(), size)
                yield row
            if stream.shape_problems or stream.checker.problems:
                raise _Refused

        try:
            with no_cycle_collection():
                if existing == "refuse":
                    n, found, updated, changed = (
                        store.add_cases(_progressed(stream.fast(), binary, size, progress)),
                        [],
                        0,
                        frozenset[int](),
                    )
                else:
                    merged = store.merge_cases(
                        rows(),
                        columns=stream.checker.columns,
                        extra_columns=[name for name, _ in stream.checker.extras],
                        update=existing == "update",
                        actor=actor,
                        source=source,
                    )
                    n, found, updated = merged.inserted, merged.existing, merged.updated
                    changed = merged.changed
        except (_Refused, CaseClash):
            pass
        else:
            if n == 0 and not found:
                raise InputError([Problem(source, 2, "the file has a header but no cases")])
            if progress is not None:
                progress(size, size)

            def done(i: int) -> str:
                if existing != "update":
                    return "left as it is"
                return "updated from the file" if i in changed else "the file changes nothing"

            report = [
                Problem(
                    source,
                    lines[i],
                    f"case {ref} of '{force or '(none)'}' is already in the pool; {done(i)}",
                )
                for i, force, ref in found
            ]
            extras = [name for name, _ in stream.checker.extras]
            return Imported(n, warnings, extras, existing=report, updated=updated)
    raise InputError(_diagnose(store, path, encoding))


def _progressed(
    rows: Iterator[Sequence[Any]], binary: IO[bytes] | None, size: int, progress: Progress | None
) -> Iterator[Sequence[Any]]:
    if progress is None or binary is None:
        return rows

    def counted() -> Iterator[Sequence[Any]]:
        for n, row in enumerate(rows):
            if n % 4096 == 0:
                progress(binary.tell(), size)
            yield row

    return counted()


def _diagnose(store: Store, path: Path, encoding: str) -> list[Problem]:
    """Every problem of a file the streamed pass refused: bad rows first (a reference given
    twice among them), else the cases the pool already holds (Store.existing_case_keys)."""
    source = str(path)
    with _text_of(path, encoding) as (text, _binary, _warnings):
        stream = _CaseStream(text, source, {})
        clashes: list[Problem] = []
        batch: list[tuple[int, str, str]] = []

        def look_up() -> None:
            found = store.existing_case_keys((force, ref) for _, force, ref in batch)
            clashes.extend(
                Problem(source, line, f"case {ref} of '{force or '(none)'}' is already in the pool")
                for line, force, ref in batch
                if (force, ref) in found
            )
            batch.clear()

        for line, row in stream:
            batch.append((line, row[1] or "", row[0]))
            if len(batch) >= 2000:
                look_up()
        look_up()
    if stream.problems:
        return stream.problems
    # (Another import may have added or removed them since the streamed pass: still refused.)
    return clashes or [Problem(source, 1, "cases in the file were added to the pool meanwhile")]
