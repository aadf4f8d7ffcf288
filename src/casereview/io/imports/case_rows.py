"""A case file's rows checked into the store's shape: one row at a time (every problem worded,
by line) or a plain batch a column at a time (the national pool's path, the same answers).

Split from cases.py, which reads the file and streams the rows into the store.
"""

from __future__ import annotations

from itertools import chain, repeat
from typing import Any

from casereview.core.fields import BOOL_COLUMNS, BOOLS, CASE_COLUMNS, DATE_COLUMNS
from casereview.core.problems import Problem
from casereview.core.text import hidden_character, match_key
from casereview.io.imports.csvfile import MAX_FIELD, DateReader

_NOT_BOOL = object()


class _Checker:
    """Validates one case row at a time against the file's header, into the store's shape.

    With `seen` (match key -> first line and reference) a reference given twice is a
    problem of its line; without it the caller leaves that to the database's unique key
    (the streamed import, which must not hold a key per case).
    """

    def __init__(self, header: list[str], source: str, seen: dict[str, tuple[int, str]] | None):
        at = {name: i for i, name in enumerate(header)}
        self.source, self.seen, self.header = source, seen, header
        self.extras = [(h, at[h]) for h in header if h not in CASE_COLUMNS]
        self.columns = [c for c in CASE_COLUMNS if c in at]  # the known ones the file has
        # Each known column is read by its kind into its place in the row (CASE_COLUMNS
        # order); columns the file lacks stay None. (file column, row position) pairs:
        place = {name: j for j, name in enumerate(CASE_COLUMNS)}
        self.dates = [(c, at[c], place[c]) for c in DATE_COLUMNS if c in at]
        self.bools = [(c, at[c], place[c]) for c in BOOL_COLUMNS if c in at]
        special = ("case_ref", "force", "summary", *DATE_COLUMNS, *BOOL_COLUMNS)
        self.texts = [(at[c], place[c]) for c in CASE_COLUMNS if c in at and c not in special]
        self.summary, self.summary_place = at.get("summary"), place["summary"]
        self.width = len(CASE_COLUMNS) + 1  # and the extra attributes last
        self.ref_at, self.force_at = at["case_ref"], at.get("force")
        self.problems: list[Problem] = []
        self.read_date = DateReader()  # parse_date, remembering the days it has read

    def check(self, line: int, v: list[str]) -> list[Any] | None:
        """The row as the store takes it, or None (its problem is in self.problems)."""
        bad: list[str] = []
        ref = v[self.ref_at].strip()
        force = "" if self.force_at is None else v[self.force_at].strip()
        both = ref + force
        if not ref:
            bad.append("case_ref is empty")
        elif not (both.isascii() and both.isprintable()) and (
            hidden := [
                problem
                for col, text in (("case_ref", ref), ("force", force))
                if (problem := hidden_character(col, text)) is not None
            ]
        ):
            bad.extend(hidden)
        elif self.seen is not None:
            key = match_key(force, ref)
            if key in self.seen:
                first_line, first_ref = self.seen[key]
                alike = "" if first_ref == ref else f" as {first_ref}, which it looks like"
                bad.append(
                    f"case_ref {ref} appears twice for force '{force or '(none)'}' "
                    f"(first at line {first_line}{alike})"
                )
            else:
                self.seen[key] = (line, ref)
        row: list[Any] = [None] * self.width
        read_date = self.read_date
        row[0], row[1] = ref, force
        for i, j in self.texts:
            row[j] = v[i].strip() or None
        if self.summary is not None:
            row[self.summary_place] = v[self.summary] or None  # a summary keeps its spacing
        for col, i, j in self.dates:
            text = v[i].strip()
            if text:
                try:
                    row[j] = read_date(text)
                except ValueError:
                    bad.append(f"{col} '{text}' is not a date (use YYYY-MM-DD or dd/mm/yyyy)")
        for col, i, j in self.bools:
            flag = BOOLS.get(v[i].strip().lower(), _NOT_BOOL)  # parse_bool, inlined: hot loop
            if flag is _NOT_BOOL:
                bad.append(f"{col} '{v[i].strip()}' is not yes or no")
            else:
                row[j] = flag
        row[-1] = {c: v[i] for c, i in self.extras if v[i] != ""} if self.extras else {}
        if bad:
            self.problems.append(Problem(self.source, line, "; ".join(bad)))
            return None
        return row

    def plain_batch(self, batch: list[list[str]]) -> list[tuple[Any, ...]] | None:
        """check() of every row of `batch`, told column by column, or None when a row needs
        check()'s own reading: a blank row, a problem of any kind, a field that is not plain
        ASCII or is too long. The answer is check()'s or nothing (tests compare the two); a
        national pool's rows are all plain, and a column at a time is a third of the work.
        Only for a reader that leaves repeated references to the database (no `seen`)."""
        assert self.seen is None
        width = len(self.header)
        if set(map(len, batch)) != {width}:
            return None
        columns = list(zip(*batch, strict=True))
        joined = list(map("".join, columns))
        text = "".join(joined)
        if not text.isascii() or "\x00" in text:
            return None
        long = [c for j, c in zip(joined, columns, strict=True) if len(j) > MAX_FIELD]
        if long and max(map(len, chain.from_iterable(long))) > MAX_FIELD:
            return None
        n = len(batch)
        out: list[Any] = [[None] * n] * self.width  # (zip reads each list on its own)
        refs = list(map(str.strip, columns[self.ref_at]))
        forces = [""] * n if self.force_at is None else list(map(str.strip, columns[self.force_at]))
        if not all(refs) or not ("".join(refs) + "".join(forces)).isprintable():
            return None  # a blank row or an empty reference; a control character
        out[0], out[1] = refs, forces
        for i, j in self.texts:
            out[j] = _or_none(list(map(str.strip, columns[i])))
        if self.summary is not None:
            out[self.summary_place] = _or_none(list(columns[self.summary]))
        read_date = self.read_date
        for _col, i, j in self.dates:
            texts = list(map(str.strip, columns[i]))
            dates = read_date.column(texts)
            if dates is None:
                try:
                    dates = [read_date(t) if t else None for t in texts]
                except ValueError:
                    return None
            out[j] = dates
        for _col, i, j in self.bools:
            flags = list(
                map(BOOLS.get, map(str.lower, map(str.strip, columns[i])), repeat(_NOT_BOOL))
            )
            if _NOT_BOOL in flags:
                return None
            out[j] = flags
        if self.extras:
            out[-1] = [{c: v[i] for c, i in self.extras if v[i] != ""} for v in batch]
        else:
            out[-1] = [{}] * n  # one empty dict: the rows go straight to the store, unchanged
        return list(zip(*out, strict=True))


def _or_none(texts: list[str]) -> list[str | None]:
    """The texts with None for each empty one (a column with none empty as it is)."""
    return [t or None for t in texts] if "" in texts else texts  # type: ignore[return-value]
