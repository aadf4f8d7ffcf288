"""The only module that talks SQL: a small API over one SQLite file, through sqlite-utils."""

from __future__ import annotations

import json
import os
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from casereview.bulk import no_cycle_collection
from casereview.fields import ANSWER_VALUES, BOOL_COLUMNS, CASE_COLUMNS
from casereview.importing import parse_bool
from casereview.migrations import KNOWN, REQUIRED_TABLES, REQUIRED_TRIGGERS, migrations
from casereview.problems import CasereviewError
from casereview.rules import (
    DECISION_NEEDS_REASON,
    ExistingReview,
    agreed_answer,
    moderation_refusal,
    needs_reason,
    second_review_refusal,
)
from casereview.shipped import content_hash, shipped_checklists
from casereview.text import match_key, natural_key

if TYPE_CHECKING:
    from casereview.checklist import Checklist
    from casereview.scoring import ReviewRecord

# casereview.checklist (pydantic models) is imported where it is used, not here: a command
# that never reads a checklist, such as `audit list`, then starts without pydantic's ~40 ms.

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000  # how long a write waits for another writer before giving up


class StoreError(CasereviewError):
    """A database file that cannot be used, or a request the data refuses; the message says why.

    `exit_status` is what the command line exits with: 2 for a request or file that is wrong
    as given, 1 for a database that cannot be used just now (busy, full, read-only)."""

    exit_status = 2


class DatabaseUnavailable(StoreError):
    """The database is fine but cannot take this request now: busy, disk full, read-only, or
    an I/O error. Nothing was changed; saying "damaged" here would send people to a backup."""

    exit_status = 1


class ReadOnlyDatabase(DatabaseUnavailable):
    """A write asked of a database this process cannot write (file, folder or mount)."""

    def __init__(self, path: Path | None = None):
        where = f" {path}" if path else ""
        super().__init__(
            f"the database{where} is read-only (the file or its folder cannot be written); "
            "it can be listed, exported and reported on, but nothing can be changed in it"
        )


class CasesInPool(StoreError):
    """Cases being added that the pool already holds, as (force, case_ref) keys."""

    def __init__(self, keys: set[tuple[str, str]]):
        self.keys = keys
        super().__init__(f"{len(keys)} case(s) already in the pool")


class DatabaseDamaged(StoreError):
    """SQLite found the file itself unreadable."""


def explain(exc: sqlite3.Error, path: Path | None = None) -> StoreError:
    """What a SQLite error means for the person who ran the command, by its result code."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    where = f" {path}" if path else ""
    seconds = BUSY_TIMEOUT_MS / 1000
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return DatabaseUnavailable(
            f"the database{where} is busy: another casereview (or another program) held it "
            f"for more than {seconds:g} s; nothing was changed, try again"
        )
    if name == "SQLITE_FULL":
        return DatabaseUnavailable(
            f"the disk holding the database{where} is full; nothing was changed (free some "
            "space and try again)"
        )
    if name.startswith("SQLITE_READONLY"):
        return ReadOnlyDatabase(path)
    if name.startswith("SQLITE_CANTOPEN"):
        return DatabaseUnavailable(
            f"cannot open the database{where}: check that the file and its folder exist and "
            "that you may read them (SQLite also needs to write its -wal and -shm files there)"
        )
    if name.startswith("SQLITE_IOERR"):
        return DatabaseUnavailable(
            f"reading or writing the database{where} failed at the disk ({exc}); nothing was "
            "changed; check the disk and try again"
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return DatabaseDamaged(
            f"the database file{where} is damaged or unreadable ({exc}); restore it from a backup"
        )
    return DatabaseUnavailable(f"the database{where} refused the request: {exc}")


class ReviewIncomplete(StoreError):
    """Completing a review while shown questions are unanswered."""

    def __init__(self, unanswered: list[str]):
        self.unanswered = unanswered
        listed = ", ".join(unanswered[:8]) + (" ..." if len(unanswered) > 8 else "")
        super().__init__(f"{len(unanswered)} shown question(s) unanswered: {listed}")


class ReviewLocked(StoreError):
    """Changing a completed review without reopening it."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class ChecklistInfo:
    pk: int
    checklist_id: str
    version: str
    title: str
    content_hash: str
    source: str | None
    n_audits: int = 0

    @property
    def label(self) -> str:
        return f"{self.checklist_id}@{self.version}"


@dataclass(frozen=True)
class Case:
    id: int
    case_ref: str
    force: str
    team: str | None = None
    offence: str | None = None
    reported_at: str | None = None
    recorded_at: str | None = None
    outcome: str | None = None
    da_related: bool | None = None
    repeat_victim: bool | None = None
    officer: str | None = None
    summary: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def attribute(self, name: str) -> str | None:
        """A case field or extra attribute as text, for filters and grouping."""
        if name in CASE_COLUMNS:
            value = getattr(self, name)
            if isinstance(value, bool):
                return "yes" if value else "no"
            return None if value is None else str(value)
        return self.extra.get(name)


@dataclass(frozen=True)
class AuditInfo:
    id: int
    name: str
    checklist_pk: int
    checklist_label: str
    seed: int | None
    scope: dict[str, Any]
    created_by: str
    created_at: str
    n_cases: int = 0
    n_complete: int = 0
    n_in_progress: int = 0


@dataclass(frozen=True)
class AuditCase:
    """A sampled case with the state of its primary review."""

    case: Case
    position: int
    stratum: str | None
    assigned_to: str | None
    second_reviewer: str | None
    review_id: int | None
    reviewer: str | None
    status: str | None  # None: not started
    n_answered: int
    second_status: str | None = None
    moderated_status: str | None = None


@dataclass(frozen=True)
class Review:
    id: int
    audit_id: int
    case_id: int
    role: str
    reviewer: str
    status: str
    current_question: str | None
    completed_at: str | None


@dataclass(frozen=True)
class Answer:
    question_id: str
    value: str | None
    note: str
    updated_by: str
    updated_at: str


@dataclass(frozen=True)
class Event:
    id: int
    review_id: int | None
    question_id: str | None
    kind: str
    old: str | None
    new: str | None
    reason: str | None
    actor: str
    at: str


def _bool_or_none(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _case(row: Mapping[str, Any]) -> Case:
    return Case(
        id=row["id"],
        case_ref=row["case_ref"],
        force=row["force"],
        team=row["team"],
        offence=row["offence"],
        reported_at=row["reported_at"],
        recorded_at=row["recorded_at"],
        outcome=row["outcome"],
        da_related=_bool_or_none(row["da_related"]),
        repeat_victim=_bool_or_none(row["repeat_victim"]),
        officer=row["officer"],
        summary=row["summary"],
        extra=json.loads(row["extra"] or "{}"),
    )


# The ASCII record and unit separators, which review_records packs answers with (question
# ids are letters, digits, `_`, `.` and `-`, and answer values are words).
_RS, _US = "\x1e", "\x1f"
_SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private_dirs(folder: Path) -> None:
    """Create `folder` and any missing parents owner-only (0700), whatever the umask: another
    local user must not be able to swap a database or an export in a folder we made."""
    missing = []
    for parent in (folder, *folder.parents):
        if parent.exists():
            break
        missing.append(parent)
    for parent in reversed(missing):
        parent.mkdir(mode=0o700)
        os.chmod(parent, 0o700)  # mkdir's mode is masked by the umask; say it exactly


def _extra_value(name: str) -> tuple[str, list[Any]]:
    """SQL for a case's extra attribute `name` (NULL when it has none), and its parameters.

    A JSON path names the attribute in double quotes, and SQLite before 3.45 reads no escape
    inside them: a name with a `"` in it (a spreadsheet column `my "unit"`) is looked up by
    key instead, which any name can use but costs more per case.
    """
    if '"' in name:
        return "(SELECT j.value FROM json_each(cases.extra) j WHERE j.key = ?)", [name]
    return "json_extract(extra, ?)", [f'$."{name}"']


def _create_private(path: Path) -> None:
    """Create an empty file readable by its owner only (SQLite gives -wal/-shm the same mode)."""
    make_private_dirs(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _can_write(path: Path) -> bool:
    """Whether this process may change the file and create its -wal/-shm files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that never writes. In a folder we cannot write, SQLite cannot make the
    -shm file WAL readers need; a file with no live WAL is then read as immutable (nobody can
    be writing it: writers need that folder too)."""
    uri = "file:" + urllib.parse.quote(str(path.resolve()))
    try:
        conn = sqlite3.connect(uri + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        wal = path.with_name(path.name + "-wal")
        if not str(getattr(exc, "sqlite_errorname", "")).startswith(
            ("SQLITE_CANTOPEN", "SQLITE_READONLY")
        ) or (wal.exists() and wal.stat().st_size > 0):
            raise
    return sqlite3.connect(uri + "?mode=ro&immutable=1", uri=True)


class Store:
    """A casereview database. Build one with `Store.open(path)` or `Store.memory()`."""

    def __init__(self, db: Database, path: Path | None = None, readonly: bool = False):
        self.db = db
        self.path = path  # None for an in-memory store
        self.readonly = readonly
        self._checklists: dict[int, Checklist] = {}
        try:
            # Check what the file is before changing anything in it (WAL mode rewrites the
            # header), so a refused file is left exactly as it was.
            self.db.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._check_schema()
            if readonly:
                if migrations.pending(self.db):
                    raise DatabaseUnavailable(
                        f"{path} was written by an older casereview and needs upgrading, but "
                        "it is read-only; open it once where it can be written"
                    )
            else:
                self._configure()
                migrations.apply(self.db)
        except sqlite3.Error as exc:
            self.db.close()
            raise explain(exc, path) from None
        except BaseException:
            self.db.close()
            raise

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating owner-only if absent) and migrate a database file."""
        p = Path(path)
        if p.is_dir():
            raise StoreError(f"{p} is a folder, not a database file")
        if p.exists():
            with p.open("rb") as fh:
                header = fh.read(len(SQLITE_HEADER))
            if header and header != SQLITE_HEADER:
                raise StoreError(f"{p} is not a SQLite database (is it the right file?)")
        else:
            _create_private(p)
        try:
            if _can_write(p):
                try:
                    conn = sqlite3.connect(str(p), timeout=BUSY_TIMEOUT_MS / 1000)
                    return cls(Database(conn, execute_plugins=False), p)
                except ReadOnlyDatabase:
                    pass  # a read-only mount, where even root cannot write: read it as such
            conn = _connect_read_only(p)
            return cls(Database(conn, execute_plugins=False), p, readonly=True)
        except sqlite3.Error as exc:
            raise explain(exc, p) from None

    def files(self) -> list[Path]:
        """The database file and the files SQLite keeps beside it: never an export target."""
        if self.path is None:
            return []
        return [self.path] + [self.path.with_name(self.path.name + s) for s in _SIDE_FILES]

    @classmethod
    def memory(cls) -> Store:
        return cls(Database(memory=True, execute_plugins=False))

    def close(self) -> None:
        self.db.close()

    def _configure(self) -> None:
        conn = self.db.conn
        # Two reviewers on one file: busy_timeout (set first) waits for the other writer.
        if not self.db.memory:
            self.db.enable_wal()
        # FULL: in WAL mode every commit is synced, so an answer shown saved survives a crash.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")

    def _check_schema(self) -> None:
        applied = {m.name for m in migrations.applied(self.db)}
        unknown = sorted(applied - set(KNOWN))
        if unknown:
            raise StoreError(
                "this database was written by a newer casereview (schema step "
                f"{unknown[-1]}); upgrade casereview to open it"
            )
        tables = set(self.db.table_names())
        if tables - {"_sqlite_migrations"} and not applied:
            raise StoreError("this SQLite file is not a casereview database")
        if applied:
            triggers = {
                name
                for (name,) in self.db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                )
            }
            missing = [f"table {t}" for t in sorted(REQUIRED_TABLES - tables)]
            missing += [f"trigger {t}" for t in sorted(REQUIRED_TRIGGERS - triggers)]
            if missing:
                raise StoreError(
                    "this file is not a complete casereview database (missing: "
                    f"{', '.join(missing)}); it may have been edited by another tool, so it "
                    "is not used: open a backup"
                )

    @contextmanager
    def _write(self) -> Iterator[Database]:
        """One write transaction, taken IMMEDIATE.

        sqlite-utils' atomic() begins DEFERRED; a transaction that reads (say, the old
        answer) before writing can then fail at once with "database is locked" when another
        process wrote in between, because SQLite cannot wait for a snapshot to become current.
        Taking the write lock up front lets busy_timeout do its job.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():  # nested: a savepoint inside the outer transaction
                yield self.db
            return
        if self.readonly:
            raise ReadOnlyDatabase(self.path)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.IntegrityError):
                raise  # a broken rule is a bug to see, not the disk's fault
            # busy past the timeout, disk full, read-only, I/O: the transaction is rolled back
            # and the message says which, so nobody restores a backup over a busy file
            raise explain(exc, self.path) from exc

    # ------------------------------------------------------------------ checklists

    def add_checklist(self, text: str, source: str | None = None) -> ChecklistInfo:
        """Store a checklist version; the same id and version with other content is refused."""
        from casereview.checklist import parse_checklist

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
            stored = self.db.execute(
                "SELECT 1 FROM checklists WHERE content_hash = ?", [content_hash(text)]
            ).fetchone()
            if stored:
                continue  # the usual case at every start: no YAML parsed, no models built
            from casereview.checklist import parse_checklist

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
        from casereview.checklist import ChecklistError, parse_checklist

        if pk not in self._checklists:
            rows = list(self.db.query("SELECT content, source FROM checklists WHERE id = ?", [pk]))
            if not rows:
                raise StoreError(f"no checklist with id {pk}")
            try:
                self._checklists[pk] = parse_checklist(rows[0]["content"], rows[0]["source"] or "")
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

        def values(row: Sequence[Any]) -> tuple[Any, ...]:
            extra = row[-1]
            text = json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else "{}"
            force = row[1] or ""
            key = match_key(force, row[0])
            return (force, row[0], *row[2:-1], text, stamp, key)  # force, case_ref, ...

        with no_cycle_collection(), self._write():
            clash = self.existing_case_keys((row[1] or "", row[0]) for row in rows)
            if clash:
                raise CasesInPool(clash)
            cursor = self.db.conn.executemany(
                "INSERT INTO cases (force, case_ref, team, offence, reported_at, recorded_at,"
                " outcome, da_related, repeat_victim, officer, summary, extra, imported_at,"
                " match_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                map(values, rows),
            )
        return cursor.rowcount

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
            rows = self.db.execute(
                f"SELECT match_key FROM cases WHERE match_key IN ({', '.join('?' * len(part))})",
                part,
            )
            for (key,) in rows:
                found.update(by_key[key])
        return found

    def cases(
        self,
        where: Mapping[str, str] | None = None,
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
        where: Mapping[str, str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> int:
        """How many cases `cases()` would return, counted by SQLite (the new-audit form asks
        on every keystroke, and a national pool has 200,000)."""
        condition, params = self._case_filter(where, date_from, date_to, None)
        return int(self.db.execute(f"SELECT count(*) FROM cases{condition}", params).fetchone()[0])

    @staticmethod
    def _case_filter(
        where: Mapping[str, str] | None,
        date_from: str | None,
        date_to: str | None,
        search: str | None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for name, value in (where or {}).items():
            if name in BOOL_COLUMNS:
                clauses.append(f"{name} IS ?")  # yes, no, or blank for not recorded
                params.append(parse_bool(value))
            elif name in CASE_COLUMNS:
                clauses.append(f"{name} = ?")
                params.append(value)
            else:
                sql, args = _extra_value(name)
                clauses.append(f"{sql} = ?")
                params.extend([*args, value])
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

    # ------------------------------------------------------------------ audits

    def create_audit(
        self,
        name: str,
        checklist_pk: int,
        case_ids: Sequence[int],
        created_by: str,
        seed: int | None = None,
        scope: Mapping[str, Any] | None = None,
        strata: Mapping[int, str] | None = None,
        assignments: Mapping[int, str] | None = None,
    ) -> AuditInfo:
        """Record an audit and its sample (in sample order) in one transaction."""
        if not name.strip():
            raise StoreError("an audit needs a name")
        if not case_ids:
            raise StoreError("an audit needs at least one case")
        info = self._checklist_info(
            next(self.db.query("SELECT * FROM checklists WHERE id = ?", [checklist_pk]))
        )
        with self._write():
            if list(self.db.query("SELECT 1 FROM audits WHERE name = ?", [name])):
                raise StoreError(f"an audit named '{name}' already exists")
            cursor = self.db.execute(
                "INSERT INTO audits (name, checklist_pk, checklist_hash, seed, scope, created_by,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    name,
                    checklist_pk,
                    info.content_hash,
                    seed,
                    json.dumps(dict(scope or {}), sort_keys=True),
                    created_by,
                    now(),
                ],
            )
            audit_id = cursor.lastrowid
            self.db.conn.executemany(
                "INSERT INTO audit_cases (audit_id, case_id, position, stratum, assigned_to)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (audit_id, cid, i, (strata or {}).get(cid), (assignments or {}).get(cid))
                    for i, cid in enumerate(case_ids)
                ],
            )
            self._event(
                None,
                None,
                "audit_created",
                None,
                name,
                f"{len(case_ids)} cases, seed {seed}",
                created_by,
                audit_id,
            )
        return self.audit(name)

    def _audit_query(self) -> str:
        return """
            SELECT a.*, c.checklist_id || '@' || c.version AS checklist_label,
              (SELECT count(*) FROM audit_cases ac WHERE ac.audit_id = a.id) AS n_cases,
              (SELECT count(*) FROM reviews r WHERE r.audit_id = a.id AND r.role = 'primary'
                 AND r.status = 'complete') AS n_complete,
              (SELECT count(*) FROM reviews r WHERE r.audit_id = a.id AND r.role = 'primary'
                 AND r.status = 'in_progress') AS n_in_progress
            FROM audits a JOIN checklists c ON c.id = a.checklist_pk
        """

    def _audit_info(self, row: Mapping[str, Any]) -> AuditInfo:
        return AuditInfo(
            id=row["id"],
            name=row["name"],
            checklist_pk=row["checklist_pk"],
            checklist_label=row["checklist_label"],
            seed=row["seed"],
            scope=json.loads(row["scope"] or "{}"),
            created_by=row["created_by"],
            created_at=row["created_at"],
            n_cases=row["n_cases"],
            n_complete=row["n_complete"],
            n_in_progress=row["n_in_progress"],
        )

    def audits(self) -> list[AuditInfo]:
        rows = self.db.query(self._audit_query() + " ORDER BY a.created_at DESC, a.id DESC")
        return [self._audit_info(r) for r in rows]

    def audit(self, name_or_id: str | int) -> AuditInfo:
        column = "a.id" if isinstance(name_or_id, int) else "a.name"
        rows = list(self.db.query(self._audit_query() + f" WHERE {column} = ?", [name_or_id]))
        if not rows:
            known = ", ".join(a.name for a in self.audits()) or "none yet"
            raise StoreError(f"no audit named '{name_or_id}' (audits: {known})")
        return self._audit_info(rows[0])

    def audit_checklist(self, audit_id: int) -> Checklist:
        # On the answer-saving path: one indexed lookup, not audit()'s progress counts.
        row = self.db.execute("SELECT checklist_pk FROM audits WHERE id = ?", [audit_id]).fetchone()
        if row is None:
            raise StoreError(f"no audit with id {audit_id}")
        return self.checklist(int(row[0]))

    def audit_case(self, audit_id: int, case_id: int) -> AuditCase:
        found = self.audit_cases(audit_id, case_id=case_id)
        if not found:
            raise StoreError("that case is not in this audit's sample")
        return found[0]

    def audit_cases(
        self, audit_id: int, assigned_to: str | None = None, case_id: int | None = None
    ) -> list[AuditCase]:
        """The sample in order, with each case's primary review state."""
        sql = """
            SELECT ac.position, ac.stratum, ac.assigned_to, ac.second_reviewer, c.*,
                   r.id AS review_id, r.reviewer, r.status,
                   (SELECT count(*) FROM answers x WHERE x.review_id = r.id
                      AND x.value IS NOT NULL) AS n_answered,
                   (SELECT status FROM reviews s WHERE s.audit_id = ac.audit_id
                      AND s.case_id = ac.case_id AND s.role = 'second') AS second_status,
                   (SELECT status FROM reviews m WHERE m.audit_id = ac.audit_id
                      AND m.case_id = ac.case_id AND m.role = 'moderated') AS moderated_status
            FROM audit_cases ac
            JOIN cases c ON c.id = ac.case_id
            LEFT JOIN reviews r ON r.audit_id = ac.audit_id AND r.case_id = ac.case_id
                 AND r.role = 'primary'
            WHERE ac.audit_id = ?
        """
        params: list[Any] = [audit_id]
        if assigned_to is not None:
            sql += " AND (ac.assigned_to = ? OR ac.second_reviewer = ?)"
            params.extend([assigned_to, assigned_to])
        if case_id is not None:
            sql += " AND ac.case_id = ?"
            params.append(case_id)
        return [
            AuditCase(
                case=_case(r),
                position=r["position"],
                stratum=r["stratum"],
                assigned_to=r["assigned_to"],
                second_reviewer=r["second_reviewer"],
                review_id=r["review_id"],
                reviewer=r["reviewer"],
                status=r["status"],
                n_answered=r["n_answered"] or 0,
                second_status=r["second_status"],
                moderated_status=r["moderated_status"],
            )
            for r in self.db.query(sql + " ORDER BY ac.position", params)
        ]

    def reviewer_progress(
        self, audit_id: int, role: str = "primary"
    ) -> list[tuple[str, int, int, int]]:
        """Per reviewer: (name, cases assigned, reviews complete, in progress), for primary
        reviews or (role="second") blind second reviews."""
        assigned = "assigned_to" if role == "primary" else "second_reviewer"
        rows = self.db.execute(
            f"""
            SELECT who, sum(assigned), sum(done), sum(open) FROM (
              SELECT {assigned} AS who, 1 AS assigned, 0 AS done, 0 AS open
                FROM audit_cases WHERE audit_id = ? AND {assigned} IS NOT NULL
              UNION ALL
              SELECT reviewer, 0, status = 'complete', status = 'in_progress'
                FROM reviews WHERE audit_id = ? AND role = ?
            ) GROUP BY who ORDER BY who
            """,
            [audit_id, audit_id, role],
        )
        return [(who, int(a), int(d), int(o)) for who, a, d, o in rows]

    def blind_pairs_open(self, audit_id: int, reviewer: str) -> int:
        """Cases of this audit where `reviewer` is the blind second reviewer and the pair is
        not finished (either review still open): until then they must not see the primary's
        answers anywhere, findings and exports included."""
        row = self.db.execute(
            """
            SELECT count(*) FROM audit_cases ac
            WHERE ac.audit_id = ? AND ac.second_reviewer = ? AND (
              SELECT count(*) FROM reviews r  -- one review per role: UNIQUE(audit, case, role)
              WHERE r.audit_id = ac.audit_id AND r.case_id = ac.case_id
                AND r.role IN ('primary', 'second') AND r.status = 'complete') < 2
            """,
            [audit_id, reviewer],
        ).fetchone()
        return int(row[0])

    def assign(self, audit_id: int, case_id: int, reviewer: str | None, actor: str) -> None:
        """Assign one sampled case to a reviewer by hand (None: unassigned)."""
        with self._write():
            cursor = self.db.execute(
                "UPDATE audit_cases SET assigned_to = ? WHERE audit_id = ? AND case_id = ?",
                [reviewer, audit_id, case_id],
            )
            if cursor.rowcount != 1:
                raise StoreError("that case is not in this audit's sample")
            ref = self.case(case_id).case_ref
            self._event(None, None, "assigned", None, reviewer, f"case {ref}", actor, audit_id)

    def assign_second(
        self,
        audit_id: int,
        case_ids: Sequence[int],
        reviewer: str,
        actor: str,
        note: str | None = None,
    ) -> None:
        """Select cases for a blind second review by `reviewer`.

        A case keeps the second reviewer it was given: handing it to another would give them
        a review someone else started, or a second opinion that is not independent.
        """
        with self._write():
            for case_id in case_ids:
                people = self._people(audit_id, case_id)
                if people is None:
                    raise StoreError(f"case {case_id} is not in this audit")
                assigned, chosen, primary, second = people
                if (chosen or second) not in (None, reviewer):
                    raise StoreError(
                        f"case {case_id} already has a second reviewer ({chosen or second}); "
                        "it keeps them"
                    )
                refusal = second_review_refusal(reviewer, assigned, primary)
                if refusal:
                    raise StoreError(f"case {case_id}: {refusal}")
                self.db.execute(
                    "UPDATE audit_cases SET second_reviewer = ? WHERE audit_id = ? AND case_id = ?",
                    [reviewer, audit_id, case_id],
                )
            refs = ", ".join(self.case(case_id).case_ref for case_id in case_ids)
            self._event(
                None,
                None,
                "second_assigned",
                None,
                reviewer,
                f"{len(case_ids)} cases{f' ({note})' if note else ''}: {refs}",
                actor,
                audit_id,
            )

    def start_moderation(self, audit_id: int, case_id: int, actor: str) -> Review:
        """The moderated review of a double-reviewed case; on first opening it takes every answer
        the two reviewers agree on, leaving the disagreements for the moderator."""
        with self._write():
            reviews = {r.role: r for r in self.reviews_of_case(audit_id, case_id)}
            if "moderated" in reviews:
                return reviews["moderated"]
            first, second = reviews.get("primary"), reviews.get("second")
            refusal = moderation_refusal(
                first.status if first else None, second.status if second else None
            )
            if refusal:
                raise StoreError(refusal)
            assert first is not None and second is not None  # as the rule requires
            a, b = self.answer_values(first.id), self.answer_values(second.id)
            stamp = now()
            cursor = self.db.execute(
                "INSERT INTO reviews (audit_id, case_id, role, reviewer, status, started_at,"
                " updated_at) VALUES (?, ?, 'moderated', ?, 'in_progress', ?, ?)",
                [audit_id, case_id, actor, stamp, stamp],
            )
            review_id = int(cursor.lastrowid or 0)
            self._event(review_id, None, "review_started", None, "moderated", None, actor)
            for qid in sorted(set(a) | set(b)):
                agreed = agreed_answer(a.get(qid), b.get(qid))
                if agreed is not None:
                    self.db.execute(
                        "INSERT INTO answers (review_id, question_id, value, updated_by,"
                        " updated_at) VALUES (?, ?, ?, ?, ?)",
                        [review_id, qid, agreed, actor, stamp],
                    )
                    self._event(review_id, qid, "moderation", None, agreed, "agreed", actor)
        return self.review(review_id)

    def audits_of_case(self, case_id: int) -> list[str]:
        rows = self.db.query(
            "SELECT a.name FROM audit_cases ac JOIN audits a ON a.id = ac.audit_id"
            " WHERE ac.case_id = ? ORDER BY a.name",
            [case_id],
        )
        return [r["name"] for r in rows]

    # ------------------------------------------------------------------ reviews

    def open_review(
        self, audit_id: int, case_id: int, reviewer: str, role: str = "primary"
    ) -> Review:
        """The review of this case in this role, started now if there is none.

        An existing review is found without taking the write lock, so a read-only database
        still opens the reviews it holds (and a busy one does not hold up a look)."""
        found = self._review_of(audit_id, case_id, role)
        if found is not None:
            return found
        with self._write():
            found = self._review_of(audit_id, case_id, role)  # started meanwhile elsewhere?
            if found is not None:
                return found
            people = self._people(audit_id, case_id)
            if people is None:
                raise StoreError("that case is not in this audit's sample")
            assigned, chosen, primary, second = people
            if role == "second":
                refusal = second_review_refusal(reviewer, assigned, primary)
            elif role == "primary":  # the one blind to it may not take the primary over
                refusal = second_review_refusal(second or chosen, None, reviewer)
            else:
                refusal = "a moderated review is started by moderation, not opened"
            if refusal:
                raise StoreError(refusal)
            stamp = now()
            cursor = self.db.execute(
                "INSERT INTO reviews (audit_id, case_id, role, reviewer, status, started_at,"
                " updated_at) VALUES (?, ?, ?, ?, 'in_progress', ?, ?)",
                [audit_id, case_id, role, reviewer, stamp, stamp],
            )
            review_id = int(cursor.lastrowid or 0)
            self._event(review_id, None, "review_started", None, role, None, reviewer)
        return self.review(review_id)

    def _people(
        self, audit_id: int, case_id: int
    ) -> tuple[str | None, str | None, str | None, str | None] | None:
        """Who a sampled case belongs to: (assigned to, chosen second reviewer, primary
        reviewer, second review's reviewer); None when the case is not in the sample."""
        row = self.db.execute(
            "SELECT ac.assigned_to, ac.second_reviewer,"
            " (SELECT reviewer FROM reviews r WHERE r.audit_id = ac.audit_id"
            "  AND r.case_id = ac.case_id AND r.role = 'primary'),"
            " (SELECT reviewer FROM reviews r WHERE r.audit_id = ac.audit_id"
            "  AND r.case_id = ac.case_id AND r.role = 'second')"
            " FROM audit_cases ac WHERE ac.audit_id = ? AND ac.case_id = ?",
            [audit_id, case_id],
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def _review_of(self, audit_id: int, case_id: int, role: str) -> Review | None:
        rows = list(
            self.db.query(
                "SELECT * FROM reviews WHERE audit_id = ? AND case_id = ? AND role = ?",
                [audit_id, case_id, role],
            )
        )
        return self._review(rows[0]) if rows else None

    def _review(self, row: Mapping[str, Any]) -> Review:
        return Review(
            id=row["id"],
            audit_id=row["audit_id"],
            case_id=row["case_id"],
            role=row["role"],
            reviewer=row["reviewer"],
            status=row["status"],
            current_question=row["current_question"],
            completed_at=row["completed_at"],
        )

    def review(self, review_id: int) -> Review:
        rows = list(self.db.query("SELECT * FROM reviews WHERE id = ?", [review_id]))
        if not rows:
            raise StoreError(f"no review with id {review_id}")
        return self._review(rows[0])

    def reviews_of_case(self, audit_id: int, case_id: int) -> list[Review]:
        rows = self.db.query(
            "SELECT * FROM reviews WHERE audit_id = ? AND case_id = ? ORDER BY id",
            [audit_id, case_id],
        )
        return [self._review(r) for r in rows]

    def answers(self, review_id: int) -> dict[str, Answer]:
        return {
            r["question_id"]: Answer(
                r["question_id"], r["value"], r["note"], r["updated_by"], r["updated_at"]
            )
            for r in self.db.query(
                "SELECT * FROM answers WHERE review_id = ? ORDER BY question_id", [review_id]
            )
        }

    def answer_values(self, review_id: int) -> dict[str, str | None]:
        return {qid: a.value for qid, a in self.answers(review_id).items()}

    def _event(
        self,
        review_id: int | None,
        question_id: str | None,
        kind: str,
        old: str | None,
        new: str | None,
        reason: str | None,
        actor: str,
        audit_id: int | None = None,
    ) -> None:
        """Append to the trail; audit_id only for events about an audit, not one review."""
        self.db.execute(
            "INSERT INTO events (review_id, question_id, kind, old, new, reason, actor, at,"
            " audit_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [review_id, question_id, kind, old, new, reason, actor, now(), audit_id],
        )

    def _require_open(self, review_id: int) -> Review:
        review = self.review(review_id)
        if review.status == "complete":
            raise ReviewLocked(
                "this review is complete and locked; reopen it (with a reason) to change it"
            )
        return review

    def set_answer(
        self,
        review_id: int,
        question_id: str,
        value: str | None,
        actor: str,
        reason: str | None = None,
    ) -> list[str]:
        """Save one answer durably, log it, and clear answers that skip logic now hides.

        Returns the ids of questions whose answers were cleared because they are hidden.
        """
        if value is not None and value not in ANSWER_VALUES:
            raise StoreError(f"'{value}' is not an answer value")
        with self._write():
            review = self._require_open(review_id)
            if review.role == "moderated" and needs_reason(reason):
                raise StoreError(DECISION_NEEDS_REASON)
            checklist = self.audit_checklist(review.audit_id)
            if not checklist.has_question(question_id):
                raise StoreError(f"no question {question_id} in this checklist")
            question = checklist.question(question_id)
            if value is not None and value not in question.answers:
                raise StoreError(f"{question_id} does not allow '{value}'")
            current = self.answer_values(review_id)
            if question_id not in checklist.visible(current):
                raise StoreError(f"{question_id} is hidden by skip logic for this review")
            old = current.get(question_id)
            stamp = now()
            if old != value:
                self.db.execute(
                    "INSERT INTO answers (review_id, question_id, value, updated_by, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (review_id, question_id) DO UPDATE SET"
                    " value = excluded.value, updated_by = excluded.updated_by,"
                    " updated_at = excluded.updated_at",
                    [review_id, question_id, value, actor, stamp],
                )
                kind = "moderation" if review.role == "moderated" else "answer"
                self._event(review_id, question_id, kind, old, value, reason, actor)
            current[question_id] = value
            cleared = []
            shown = set(checklist.visible(current))
            for qid, was in current.items():
                if was is not None and qid not in shown:
                    self.db.execute(
                        "UPDATE answers SET value = NULL, updated_by = ?, updated_at = ?"
                        " WHERE review_id = ? AND question_id = ?",
                        [actor, stamp, review_id, qid],
                    )
                    self._event(
                        review_id,
                        qid,
                        "answer",
                        was,
                        None,
                        f"hidden by skip logic ({question_id})",
                        actor,
                    )
                    cleared.append(qid)
            self.db.execute(
                "UPDATE reviews SET updated_at = ?, current_question = ? WHERE id = ?",
                [stamp, question_id, review_id],
            )
        return cleared

    def set_note(self, review_id: int, question_id: str, note: str, actor: str) -> None:
        with self._write():
            review = self._require_open(review_id)
            if not self.audit_checklist(review.audit_id).has_question(question_id):
                raise StoreError(f"no question {question_id} in this checklist")
            old = self.answers(review_id).get(question_id)
            if old is not None and old.note == note:
                return
            stamp = now()
            self.db.execute(
                "INSERT INTO answers (review_id, question_id, note, updated_by, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (review_id, question_id) DO UPDATE SET"
                " note = excluded.note, updated_by = excluded.updated_by,"
                " updated_at = excluded.updated_at",
                [review_id, question_id, note, actor, stamp],
            )
            self._event(
                review_id,
                question_id,
                "note",
                old.note if old and old.note else None,
                note,
                None,
                actor,
            )

    def set_position(self, review_id: int, question_id: str) -> None:
        """Remember where the reviewer is, so leaving and coming back resumes there (not on
        a read-only database, where the place is only a convenience lost)."""
        if self.readonly:
            return
        self.db.execute(
            "UPDATE reviews SET current_question = ? WHERE id = ?", [question_id, review_id]
        )

    def complete_review(self, review_id: int, actor: str) -> None:
        with self._write():
            review = self._require_open(review_id)
            checklist = self.audit_checklist(review.audit_id)
            missing = checklist.unanswered(self.answer_values(review_id))
            if missing:
                raise ReviewIncomplete(missing)
            stamp = now()
            self.db.execute(
                "UPDATE reviews SET status = 'complete', completed_at = ?, updated_at = ?"
                " WHERE id = ?",
                [stamp, stamp, review_id],
            )
            self._event(review_id, None, "status", "in_progress", "complete", None, actor)

    def reopen_review(self, review_id: int, actor: str, reason: str) -> None:
        if not reason.strip():
            raise StoreError("reopening a completed review needs a reason")
        with self._write():
            review = self.review(review_id)
            if review.status != "complete":
                raise StoreError("this review is not complete")
            self.db.execute(
                "UPDATE reviews SET status = 'in_progress', completed_at = NULL, updated_at = ?"
                " WHERE id = ?",
                [now(), review_id],
            )
            self._event(review_id, None, "status", "complete", "in_progress", reason, actor)

    def existing_reviews(self, audit_id: int) -> dict[tuple[int, str], ExistingReview]:
        """(case id, role) -> (review id, reviewer, status), for every review in the audit."""
        rows = self.db.execute(
            "SELECT case_id, role, id, reviewer, status FROM reviews WHERE audit_id = ?",
            [audit_id],
        )
        return {
            (case_id, role): ExistingReview(review_id, reviewer, status)
            for case_id, role, review_id, reviewer, status in rows
        }

    def last_event_id(self) -> int:
        """The newest trail entry: every change to reviews and audits writes one, so a later
        value means something changed since."""
        return int(self.db.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])

    def import_reviews(
        self,
        audit_id: int,
        reviews: Sequence[Any],
        actor: str,
        unchanged_since: int | None = None,
    ) -> int:
        """Store checked reviews (importing.ImportedReview) in one transaction; returns answers.

        The file was checked against the reviews as they stood at `unchanged_since` (a
        last_event_id); if anything was written since, the checks may no longer hold (a
        review started or reopened meanwhile), so nothing is written and the import is to be
        run again."""
        stamp = now()
        n = 0
        with self._write():
            if unchanged_since is not None and self.last_event_id() != unchanged_since:
                raise DatabaseUnavailable(
                    "the audit changed while the file was being checked (someone saved "
                    "meanwhile); nothing was imported: run the import again"
                )
            for r in reviews:
                cursor = self.db.execute(
                    "INSERT INTO reviews (audit_id, case_id, role, reviewer, status, started_at,"
                    " updated_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        audit_id,
                        r.case_id,
                        r.role,
                        r.reviewer,
                        "complete" if r.complete else "in_progress",
                        stamp,
                        stamp,
                        stamp if r.complete else None,
                    ],
                )
                review_id = cursor.lastrowid
                if r.role == "second":  # an imported second review chooses its case for one
                    self.db.execute(
                        "UPDATE audit_cases SET second_reviewer = ? WHERE audit_id = ?"
                        " AND case_id = ? AND second_reviewer IS NULL",
                        [r.reviewer, audit_id, r.case_id],
                    )
                self._event(review_id, None, "imported", None, r.role, None, actor)
                # A moderated answer is a decision, logged with its reason as the app logs
                # one ("agreed" where both reviewers gave it); a note goes in the trail as a
                # typed one does.
                kind = "moderation" if r.role == "moderated" else "answer"
                reasons = getattr(r, "reasons", {})
                for qid, (value, note) in r.answers.items():
                    self.db.execute(
                        "INSERT INTO answers (review_id, question_id, value, note, updated_by,"
                        " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                        [review_id, qid, value, note, r.reviewer, stamp],
                    )
                    reason = reasons.get(qid) or "imported"
                    self._event(review_id, qid, kind, None, value, reason, actor)
                    if note:
                        self._event(review_id, qid, "note", None, note, None, actor)
                    n += 1
                if r.complete:
                    self._event(review_id, None, "status", None, "complete", "imported", actor)
        return n

    def events(self, review_id: int | None = None, audit_id: int | None = None) -> list[Event]:
        sql = "SELECT e.* FROM events e"
        params: list[Any] = []
        if review_id is not None:
            sql += " WHERE e.review_id = ?"
            params.append(review_id)
        elif audit_id is not None:
            sql += (
                " LEFT JOIN reviews r ON r.id = e.review_id"
                " WHERE coalesce(e.audit_id, r.audit_id) = ?"
            )
            params.append(audit_id)
        return [
            Event(**{k: r[k] for k in Event.__dataclass_fields__})
            for r in self.db.query(sql + " ORDER BY e.id", params)
        ]

    def review_records(self, audit_id: int, group_by: str | None = None) -> list[ReviewRecord]:
        """The audit's completed reviews with their raw answers, for scoring.

        Scoring counts completed reviews only, so unfinished ones are not read. A national
        audit has a million answers: SQLite hands them over one row per review, ids and
        values each joined by the unit separator (question ids cannot contain it), and Python
        splits them in C rather than looping a million times.
        """
        from casereview.scoring import ReviewRecord  # not needed to open the app

        with no_cycle_collection():
            reviews = self.db.execute(
                "SELECT id, case_id, role, status, reviewer FROM reviews"
                " WHERE audit_id = ? AND status = 'complete' ORDER BY id",
                [audit_id],
            ).fetchall()
            answers: dict[int, Mapping[str, str | None]] = {}
            # One row per review, its answers as "id RS value US id RS value ...": the plan
            # walks the audit's reviews, then each review's answers by the primary key.
            for review_id, packed in self.db.execute(
                "SELECT r.id, (SELECT group_concat(x.question_id || char(30)"
                " || coalesce(x.value, ''), char(31)) FROM answers x WHERE x.review_id = r.id)"
                " FROM reviews r WHERE r.audit_id = ? AND r.status = 'complete'",
                [audit_id],
            ):
                cells = packed.replace(_RS, _US).split(_US) if packed else []
                answer = dict(zip(cells[::2], cells[1::2], strict=True))
                if "" in answer.values():  # a note whose answer was cleared
                    answer = {q: v or None for q, v in answer.items()}
                answers[review_id] = answer
        groups: dict[int, str | None] = {}
        if group_by:
            for ac in self.audit_cases(audit_id):
                if group_by == "stratum":
                    groups[ac.case.id] = ac.stratum
                elif group_by != "reviewer":
                    groups[ac.case.id] = ac.case.attribute(group_by)
        return [
            ReviewRecord(
                case_id=case_id,
                role=role,
                status=status,
                reviewer=reviewer,
                answers=answers[review_id],
                group=reviewer if group_by == "reviewer" else groups.get(case_id),
            )
            for review_id, case_id, role, status, reviewer in reviews
        ]
