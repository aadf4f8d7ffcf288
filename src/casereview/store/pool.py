"""Checklists and the case pool."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from casereview.core.bulk import no_cycle_collection
from casereview.core.fields import BOOL_COLUMNS, CASE_COLUMNS, parse_bool
from casereview.core.text import match_key, natural_key
from casereview.store.errors import (
    CasesInPool,
    StoreError,
)
from casereview.store.records import (
    Case,
    ChecklistInfo,
    _case,
    now,
)
from casereview.store.shipped import content_hash, shipped_checklists

if TYPE_CHECKING:
    from casereview.core.checklist.models import Checklist
from casereview.store.pool_load import _INSERT_CASE, PoolLoad, _case_values


class Merged(NamedTuple):  # (a NamedTuple: a quarter of a dataclass's cost at start)
    """What merge_cases did: cases added, those the pool had (as (position in the stream,
    force, case_ref)), how many of those changed, and the positions of the changed ones."""

    inserted: int
    existing: list[tuple[int, str, str]]
    updated: int
    changed: frozenset[int] = frozenset()


def _extra_value(name: str) -> tuple[str, list[Any]]:
    """SQL for a case's extra attribute `name` (NULL when it has none), and its parameters.

    A JSON path names the attribute in double quotes, and SQLite before 3.45 reads no escape
    inside them: a name with a `"` in it (a spreadsheet column `my "unit"`) is looked up by
    key instead, which any name can use but costs more per case.
    """
    if '"' in name:
        return "(SELECT j.value FROM json_each(cases.extra) j WHERE j.key = ?)", [name]
    return "json_extract(extra, ?)", [f'$."{name}"']


class PoolStore(PoolLoad):
    """Checklist versions and the case pool."""

    # ------------------------------------------------------------------ checklists

    def add_checklist(self, text: str, source: str | None = None) -> ChecklistInfo:
        """Store a checklist version; the same id and version with other content is refused,
        and so is a version that reuses an id another version retired (a question id continued
        under another id: checklist_versions.retired_id_clashes)."""
        from casereview.core.checklist.loading import parse_checklist
        from casereview.core.checklist.versions import retired_id_clashes

        checklist = parse_checklist(text, source or "<checklist>")
        digest = content_hash(text)
        with self._write():
            existing = self._checklist_row(checklist.id, checklist.version)
            if existing is not None:
                if existing["content_hash"] != digest:
                    raise StoreError(
                        f"checklist {checklist.id} version {checklist.version} is already stored "
                        "with different content; a version is immutable once stored, so bump "
                        "`version` in the file"
                    )
                return self._checklist_info(existing)
            # beside its other versions: an id one of them retired names no new question
            stored = self.conn.execute(
                "SELECT id FROM checklists WHERE checklist_id = ?", [checklist.id]
            ).fetchall()
            clashes = retired_id_clashes(checklist, [self.checklist(pk) for (pk,) in stored])
            if clashes:
                raise StoreError(
                    f"checklist {checklist.id}@{checklist.version} cannot be stored beside the "
                    "versions this database has, or trends would count old answers twice:\n"
                    + "\n".join(c.message for c in clashes)
                )
            self.db.execute(
                "INSERT INTO checklists (checklist_id, version, title, content, content_hash,"
                " source, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [checklist.id, checklist.version, checklist.title, text, digest, source, now()],
            )
            row = self._checklist_row(checklist.id, checklist.version)
        assert row is not None
        return self._checklist_info(row)

    def ensure_shipped_checklists(self) -> list[str]:
        """Make the shipped checklists available without `checklist add`.

        Returns a warning for each shipped file that was edited without a new `version`:
        the stored version is kept (audits depend on it) and the edit is not used.
        """
        if self.readonly:
            return []  # nothing can be stored; the audits in the file carry their checklists
        warnings = []
        for path in shipped_checklists():
            text = path.read_text(encoding="utf-8")
            stored = self.conn.execute(
                "SELECT 1 FROM checklists WHERE content_hash = ?", [content_hash(text)]
            ).fetchone()
            if stored:
                continue  # the usual case at every start: no YAML parsed, no models built
            from casereview.core.checklist.loading import parse_checklist

            checklist = parse_checklist(text, str(path))
            if self._checklist_row(checklist.id, checklist.version) is not None:
                warnings.append(
                    f"{path}: changed since {checklist.id}@{checklist.version} was stored, but "
                    "its version was not bumped; the stored version is used (bump `version` to "
                    "use the edit)"
                )
                continue
            self.add_checklist(text, str(path))
        return warnings

    def _checklist_row(self, checklist_id: str, version: str) -> dict[str, Any] | None:
        rows = list(
            self.db.query(
                "SELECT * FROM checklists WHERE checklist_id = ? AND version = ?",
                [checklist_id, version],
            )
        )
        return rows[0] if rows else None

    def _checklist_info(self, row: Mapping[str, Any]) -> ChecklistInfo:
        return ChecklistInfo(
            pk=row["id"],
            checklist_id=row["checklist_id"],
            version=row["version"],
            title=row["title"],
            content_hash=row["content_hash"],
            source=row["source"],
            n_audits=row.get("n_audits", 0) or 0,
        )

    def checklists(self) -> list[ChecklistInfo]:
        rows = self.db.query(
            "SELECT c.*, (SELECT count(*) FROM audits a WHERE a.checklist_pk = c.id) AS n_audits"
            " FROM checklists c"
        )
        infos = [self._checklist_info(r) for r in rows]
        return sorted(infos, key=lambda c: (c.checklist_id, natural_key(c.version)))

    def find_checklist(self, spec: str) -> ChecklistInfo:
        """`ID` (its highest version, by number: 2.0 over 1.10 over 1.9) or `ID@VERSION`."""
        cid, _, version = spec.partition("@")
        sql = "SELECT * FROM checklists WHERE checklist_id = ?"
        params: list[Any] = [cid]
        if version:
            sql += " AND version = ?"
            params.append(version)
        rows = sorted(self.db.query(sql, params), key=lambda r: natural_key(r["version"]))
        rows = rows[-1:]
        if not rows:
            known = ", ".join(c.label for c in self.checklists()) or "none"
            raise StoreError(f"no checklist '{spec}' in this database (stored: {known})")
        return self._checklist_info(rows[0])

    def checklist(self, pk: int) -> Checklist:
        """The parsed checklist (cached: content is immutable)."""
        from casereview.core.checklist.loading import ChecklistError, parse_checklist

        if pk not in self._checklists:
            rows = self._rows("SELECT content, source FROM checklists WHERE id = ?", [pk])
            if not rows:
                raise StoreError(f"no checklist with id {pk}")
            try:
                text, source = rows[0]["content"], rows[0]["source"] or ""
                self._checklists[pk] = parse_checklist(text, source, stored=True)
            except ChecklistError as exc:  # pragma: no cover - stored content was validated
                raise StoreError(f"stored checklist {pk} no longer loads: {exc}") from None
        return self._checklists[pk]

    # ------------------------------------------------------------------ cases

    def insert_case_rows(self, rows: Sequence[Sequence[Any]]) -> int:
        """Add validated case rows in one transaction, all or none.

        Each row is the CASE_COLUMNS values in order, then a dict of extra attributes
        (importing.CaseFile.rows). Cases already in the pool are looked for inside the write
        transaction, so two imports of the same case at once cannot both pass the check: the
        later one is refused with CasesInPool, naming them, exactly as a plain duplicate is.
        """
        stamp = now()
        with no_cycle_collection(), self._write():
            clash = self.existing_case_keys((row[1] or "", row[0]) for row in rows)
            if clash:
                raise CasesInPool(clash)
            cursor = self.db.conn.executemany(
                _INSERT_CASE.format(""), (_case_values(row, stamp) for row in rows)
            )
        return cursor.rowcount

    def merge_cases(
        self,
        rows: Iterable[Sequence[Any]],
        columns: Sequence[str],
        extra_columns: Sequence[str],
        update: bool,
        actor: str,
        source: str,
    ) -> Merged:
        """Stream case rows into the pool in one transaction, keeping the cases it has.

        A row whose case the pool holds (look-alikes included) is not added; with `update`
        the stored case takes the row's values of the file's `columns` and `extra_columns`
        (a blank extra attribute is removed), and each changed case writes a `case_updated`
        event to the trail with the old and new values of what changed. The rows must not
        repeat a case among themselves (the reader refuses that).
        """
        stamp = now()
        inserted = updated = 0
        existing: list[tuple[int, str, str]] = []
        changed: set[int] = set()
        with no_cycle_collection(), self._write():
            before = self._last_case_id()
            batch: list[tuple[int, Sequence[Any]]] = []

            def flush() -> None:
                nonlocal inserted, updated
                keys = {match_key(row[1] or "", row[0]): None for _, row in batch}
                stored: dict[str, list[dict[str, Any]]] = {}
                for r in self.db.query(
                    f"SELECT * FROM cases WHERE id <= ? AND match_key IN"
                    f" ({', '.join('?' * len(keys))})",
                    [before, *keys],
                ):
                    stored.setdefault(r["match_key"], []).append(r)
                new = []
                for i, row in batch:
                    force = row[1] or ""
                    found = stored.get(match_key(force, row[0]))
                    if found is None:
                        new.append(_case_values(row, stamp))
                        continue
                    existing.append((i, force, row[0]))
                    if update:
                        n = sum(
                            self._update_case(old, row, columns, extra_columns, actor, source)
                            for old in found
                        )
                        updated += n
                        if n:
                            changed.add(i)
                if new:
                    inserted += self.db.conn.executemany(_INSERT_CASE.format(""), new).rowcount
                batch.clear()

            for i, row in enumerate(rows):
                batch.append((i, row))
                if len(batch) >= 800:
                    flush()
            if batch:
                flush()
        return Merged(inserted, existing, updated, frozenset(changed))

    def _update_case(
        self,
        old: Mapping[str, Any],
        row: Sequence[Any],
        columns: Sequence[str],
        extra_columns: Sequence[str],
        actor: str,
        source: str,
    ) -> int:
        """Give a stored case a file row's values; 1 and a trail event if anything changed."""
        place = {name: j for j, name in enumerate(CASE_COLUMNS)}
        was: dict[str, Any] = {}
        now_: dict[str, Any] = {}
        for name in columns:
            if name in ("case_ref", "force"):
                continue  # what the case is known by stays as the pool has it
            value = row[place[name]]
            stored = old[name]
            if name in BOOL_COLUMNS and stored is not None:
                stored = bool(stored)
            if stored != value:
                was[name], now_[name] = stored, value
        extra = json.loads(old["extra"] or "{}")
        merged = dict(extra)
        for name in extra_columns:
            if name in row[-1]:
                merged[name] = row[-1][name]
            else:
                merged.pop(name, None)
        for name in sorted(set(extra) | set(merged)):
            if extra.get(name) != merged.get(name):
                was[name], now_[name] = extra.get(name), merged.get(name)
        if not was:
            return 0
        sets = [name for name in now_ if name in place]
        params = [now_[name] for name in sets]
        sets.append("extra")
        params.append(json.dumps(merged, ensure_ascii=False, sort_keys=True) if merged else "{}")
        self.db.execute(
            f"UPDATE cases SET {', '.join(f'{name} = ?' for name in sets)} WHERE id = ?",
            [*params, old["id"]],
        )
        self._event(
            None,
            None,
            "case_updated",
            json.dumps({"case_ref": old["case_ref"], "force": old["force"], **was}, sort_keys=True),
            json.dumps(now_, ensure_ascii=False, sort_keys=True),
            f"cases import {source}",
            actor,
        )
        return 1

    def existing_case_keys(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (force, case_ref) pairs are already in the pool, look-alikes included: they
        are compared by text.match_key (NFKC), through the index on the stored key."""
        by_key: dict[str, list[tuple[str, str]]] = {}
        for pair in set(keys):
            by_key.setdefault(match_key(*pair), []).append(pair)
        wanted = sorted(by_key)
        found: set[tuple[str, str]] = set()
        chunk = 800  # parameters per statement, well under SQLite's limit
        for start in range(0, len(wanted), chunk):
            part = wanted[start : start + chunk]
            rows = self.conn.execute(
                f"SELECT match_key FROM cases WHERE match_key IN ({', '.join('?' * len(part))})",
                part,
            )
            for (key,) in rows:
                found.update(by_key[key])
        return found

    def cases(
        self,
        where: Mapping[str, str | Sequence[str]] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        search: str | None = None,
        limit: int | None = None,
    ) -> list[Case]:
        """The pool, filtered: `where` matches case columns or extra attributes exactly."""
        condition, params = self._case_filter(where, date_from, date_to, search)
        sql = f"SELECT * FROM cases{condition} ORDER BY force, case_ref"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [_case(r) for r in self.db.query(sql, params)]

    def count_cases(
        self,
        where: Mapping[str, str | Sequence[str]] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> int:
        """How many cases `cases()` would return, counted by SQLite (the new-audit form asks
        on every keystroke, and a national pool has 200,000)."""
        condition, params = self._case_filter(where, date_from, date_to, None)
        return int(
            self.conn.execute(f"SELECT count(*) FROM cases{condition}", params).fetchone()[0]
        )

    @staticmethod
    def _case_filter(
        where: Mapping[str, str | Sequence[str]] | None,
        date_from: str | None,
        date_to: str | None,
        search: str | None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for name, given in (where or {}).items():
            # several values for one field mean any of them (`--where offence=a --where
            # offence=b`); fields are all required (AND)
            values = [given] if isinstance(given, str) else list(given)
            if not values:
                continue
            either: list[str] = []
            for value in values:
                if name in BOOL_COLUMNS:
                    either.append(f"{name} IS ?")  # yes, no, or blank for not recorded
                    params.append(parse_bool(value))
                elif name in CASE_COLUMNS:
                    either.append(f"{name} = ?")
                    params.append(value)
                else:
                    sql, args = _extra_value(name)
                    either.append(f"{sql} = ?")
                    params.extend([*args, value])
            clauses.append(either[0] if len(either) == 1 else f"({' OR '.join(either)})")
        if date_from:
            clauses.append("substr(reported_at, 1, 10) >= ?")
            params.append(date_from)
        if date_to:
            clauses.append("substr(reported_at, 1, 10) <= ?")
            params.append(date_to)
        if search:
            clauses.append("(case_ref LIKE ? OR offence LIKE ? OR team LIKE ?)")
            params.extend([f"%{search}%"] * 3)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def case(self, case_id: int) -> Case:
        rows = list(self.db.query("SELECT * FROM cases WHERE id = ?", [case_id]))
        if not rows:
            raise StoreError(f"no case with id {case_id}")
        return _case(rows[0])

    def distinct_values(self, name: str, limit: int = 200) -> list[str]:
        """The values a case field or extra attribute takes in the pool, for pickers."""
        if name in CASE_COLUMNS:
            sql = f"SELECT DISTINCT {name} AS v FROM cases WHERE {name} IS NOT NULL ORDER BY v"
            params: list[Any] = []
        else:
            value, params = _extra_value(name)
            sql = f"SELECT DISTINCT {value} AS v FROM cases WHERE v IS NOT NULL ORDER BY v"
        return [str(r["v"]) for r in self.db.query(f"{sql} LIMIT {int(limit)}", params)]

    def case_attribute_names(self) -> list[str]:
        names = set(CASE_COLUMNS) - {"summary", "case_ref"}
        for row in self.db.query("SELECT DISTINCT extra FROM cases"):
            names.update(json.loads(row["extra"] or "{}"))
        return sorted(names)
