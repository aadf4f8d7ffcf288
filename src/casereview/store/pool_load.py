"""Loading cases into the pool in bulk: a national pool's 200,000 cases in one transaction.

Split from pool.py (checklists and the pool's other work): the rows are turned into the
values inserted a batch at a time, column by column, and into a pool that is still small
the secondary indexes are built once after the rows are in, rather than kept up row by row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain, islice, repeat
from typing import Any

from casereview.core.fields import BOOL_COLUMNS, CASE_COLUMNS
from casereview.core.text import match_key
from casereview.store.connection import Connection
from casereview.store.errors import CaseClash
from casereview.store.records import now

_INSERT_CASE = (
    "INSERT{} INTO cases (force, case_ref, team, offence, reported_at, recorded_at, outcome,"
    " da_related, repeat_victim, officer, summary, extra, imported_at, match_key)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_BATCH = 1000  # rows turned into values a column at a time
# Python's sqlite3 binds an exact int at once but looks a bool up as a type to adapt, which
# costs more than the row's other values together: the yes/no columns go as 1 and 0.
_FLAGS_AT = [CASE_COLUMNS.index(name) for name in BOOL_COLUMNS]
_AS_INT = {True: 1, False: 0}
# Below this many cases in the pool the indexes other than the unique key are dropped while
# rows stream in and built again after (a sort instead of a b-tree insert per row and index):
# rebuilding them over the pool's own cases then costs less than a few thousand inserts.
_REBUILD_BELOW = 20_000


def _case_values(row: Sequence[Any], stamp: str) -> tuple[Any, ...]:
    """A validated case row (CASE_COLUMNS values, then the extra attributes) as inserted."""
    extra = row[-1]
    text = json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else "{}"
    force = row[1] or ""
    return (force, row[0], *row[2:-1], text, stamp, match_key(force, row[0]))


def _batch_values(batch: Sequence[Sequence[Any]], stamp: str) -> tuple[list[tuple[Any, ...]], bool]:
    """[_case_values(row, stamp) for row in batch] told column by column, and whether every
    match key is plain ASCII (then it is the text itself: no look-alike of another key)."""
    columns = list(zip(*batch, strict=True))
    refs, forces, extras = columns[0], columns[1], columns[-1]
    if None in forces:
        forces = tuple(force or "" for force in forces)
    keys = list(map("{}\x1f{}".format, forces, refs))  # match_key's form of plain text
    if not "".join(keys).isascii():
        keys = list(map(match_key, forces, refs))
    plain = "".join(keys).isascii()
    texts: Iterable[str] = repeat("{}")
    if any(extras):
        texts = [json.dumps(e, ensure_ascii=False, sort_keys=True) if e else "{}" for e in extras]
    for j in _FLAGS_AT:  # bound as the 1 or 0 SQLite stores for them, as they are read
        columns[j] = tuple(map(_AS_INT.get, columns[j], columns[j]))
    values = zip(forces, refs, *columns[2:-1], texts, repeat(stamp), keys)
    return list(values), plain


class PoolLoad(Connection):
    """add_cases: validated rows streamed into the pool, all or none."""

    def add_cases(self, rows: Iterable[Sequence[Any]]) -> int:
        """Stream validated case rows (as insert_case_rows takes them) into the pool in one
        transaction, all or none; returns how many.

        Nothing is looked up first: each row goes in as it comes, and the unique key refuses
        a case the pool has. Once all are in, one query over the new rows' match keys finds
        look-alikes (of the pool's cases or of each other). Either way CaseClash is raised and
        nothing is written; the caller works out which lines (existing_case_keys) if it must.
        """
        stamp = now()
        given = 0
        plain = True  # every key the text itself: a look-alike is then the same text

        def batch_values(batch: list[Sequence[Any]]) -> list[tuple[Any, ...]]:
            nonlocal given, plain
            given += len(batch)
            out, plain_keys = _batch_values(batch, stamp)
            plain = plain and plain_keys
            return out

        rest = iter(rows)  # a batch at a time: no Python code runs for each row
        values = chain.from_iterable(
            map(batch_values, iter(lambda: list(islice(rest, _BATCH)), []))
        )

        with self._write(), self._big_cache():
            before = self._last_case_id()
            with self._indexes_built_after(before):
                cursor = self.db.conn.executemany(_INSERT_CASE.format(" OR IGNORE"), values)
            if cursor.rowcount != given:
                raise CaseClash()  # the unique key refused one: the same text twice
            # Look-alikes are different text with one match key. Two plain (ASCII) keys that
            # match are the same text, which the unique key refused: so only a new case not
            # plain, or any new case when the pool had cases, needs looking up.
            if (before or not plain) and self._look_alike_keys(before):
                raise CaseClash()
        return given

    @contextmanager
    def _indexes_built_after(self, last_id: int) -> Iterator[None]:
        """Inside the write transaction: the cases' secondary indexes dropped for the block
        and made again from their own definitions after it, when the pool is small (its last
        case id under _REBUILD_BELOW). The unique key stays, to refuse a case given twice.
        A block that raises leaves them dropped: the transaction's rollback restores them."""
        if last_id >= _REBUILD_BELOW:
            yield
            return
        indexes = self.conn.execute(
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name = 'cases' AND sql IS NOT NULL"
        ).fetchall()
        for name, _sql in indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        yield
        for _name, sql in indexes:
            self.conn.execute(sql)

    def _look_alike_keys(self, after: int) -> bool:
        """Whether any case past id `after` shares its match key with another case."""
        return bool(
            self.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM cases n WHERE n.id > ? AND EXISTS ("
                " SELECT 1 FROM cases o WHERE o.match_key = n.match_key AND o.id <> n.id))",
                [after],
            ).fetchone()[0]
        )

    @contextmanager
    def _big_cache(self) -> Iterator[None]:
        """A 32 MB page cache while cases stream in (the default is 2 MB): three indexes
        take the new keys in no order, and a small cache writes and rereads their pages
        over and over. Fixed in size, so memory still does not grow with the file."""
        (was,) = self.db.execute("PRAGMA cache_size").fetchone()
        self.db.execute("PRAGMA cache_size = -32768")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA cache_size = {int(was)}")

    def _last_case_id(self) -> int:
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM cases").fetchone()[0])
