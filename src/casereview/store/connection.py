"""The connection: opening a file safely, the write transaction, the trail, SQLite errors."""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Self

from casereview.store import migrations, mounts
from casereview.store.errors import (
    DatabaseDamaged,
    DatabaseUnavailable,
    NetworkFileSystem,
    ReadOnlyDatabase,
    StoreError,
)
from casereview.store.migrations import KNOWN, REQUIRED_TABLES, REQUIRED_TRIGGERS
from casereview.store.records import (
    now,
)
from casereview.store.sampled_refs import sync_sampled_refs

if TYPE_CHECKING:
    from sqlite_utils import Database

    from casereview.core.checklist.models import Checklist

BUSY_TIMEOUT_MS = 10_000  # how long a write waits for another writer before giving up
_SIDE_FILES = ("-wal", "-shm", "-journal")


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


def _refused(exc: sqlite3.Error, path: Path) -> StoreError:
    """Why opening `path` failed: a file whose header is not SQLite's is the wrong file (not
    a damaged database), else what `explain` says."""
    if getattr(exc, "sqlite_errorname", "") == "SQLITE_NOTADB":
        return StoreError(f"{path} is not a SQLite database (is it the right file?)")
    return explain(exc, path)


def _identified(conn: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    """`conn`, once SQLite has read the file's header (nothing is written: a refused file is
    left exactly as it was); closed and refused (SQLITE_NOTADB) if it is not SQLite's."""
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


class Connection:
    """The file: opening it (checked, configured, migrated), the write transaction and the
    trail's append. The layers above add the tables' operations; `Store` is the whole."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None, readonly: bool = False):
        self.conn = conn
        self.path = path  # None for an in-memory store
        self.readonly = readonly
        self.network_fs: str | None = None  # the share's type when read-only for being on one
        self.middle_match = False  # the palette can match inside references (sampled_refs)
        self._checklists: dict[int, Checklist] = {}
        try:
            # Check what the file is before changing anything in it (WAL mode rewrites the
            # header), so a refused file is left exactly as it was.
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils has it
            applied = self._check_schema()
            pending = [step for step in KNOWN if step not in applied]
            if readonly:
                if pending:
                    raise DatabaseUnavailable(
                        f"{path} was written by an older casereview and needs upgrading, but "
                        "it is read-only; open it once where it can be written"
                    )
            else:
                self._configure()
                if pending:
                    migrations.migration_set().apply(self.db)
            # the palette's match in the middle of a reference needs trigram FTS5 (m010)
            self.middle_match = sync_sampled_refs(conn, not readonly, self._write)
        except sqlite3.Error as exc:
            conn.close()
            raise explain(exc, path) from None
        except BaseException:
            conn.close()
            raise

    @cached_property
    def db(self) -> Database:
        """sqlite-utils over the same connection: writes, transactions and migrations go
        through it. Made on first use, so opening a file and drawing the first screen (reads,
        straight to sqlite3 through `conn`) does not wait for sqlite-utils' import."""
        from casereview.store._sqlite_utils import database

        return database(self.conn)

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: str | Path) -> Self:
        """Open (creating owner-only if absent) and migrate a database file.

        A file on a network file system (mounts.network_filesystem) is opened read-only,
        and one that does not exist there is not created: its writes are refused
        (NetworkFileSystem), its reads go on and `network_fs` names the share's type."""
        p = Path(path)
        if p.is_dir():
            raise StoreError(f"{p} is a folder, not a database file")
        network = mounts.network_filesystem(p if p.exists() else p.parent)
        if not p.exists():
            if network:
                raise NetworkFileSystem(p, network)
            _create_private(p)
        # The file is never opened here but through SQLite (_identified reads its header):
        # on POSIX, closing any descriptor of a file drops every lock this process holds on
        # it, so a Python open() and close() while another connection of this process has the
        # file open would let another process checkpoint and delete the -wal under it.
        try:
            if network:
                store = cls(_identified(_connect_read_only(p), p), p, True)
                store.network_fs = network
                return store
            if _can_write(p):
                try:
                    conn = sqlite3.connect(str(p), timeout=BUSY_TIMEOUT_MS / 1000)
                    return cls(_identified(conn, p), p)
                except ReadOnlyDatabase:
                    pass  # a read-only mount, where even root cannot write: read it as such
            return cls(_identified(_connect_read_only(p), p), p, readonly=True)
        except sqlite3.Error as exc:
            raise _refused(exc, p) from None

    def files(self) -> list[Path]:
        """The database file and the files SQLite keeps beside it: never an export target."""
        if self.path is None:
            return []
        return [self.path] + [self.path.with_name(self.path.name + s) for s in _SIDE_FILES]

    def reader(self) -> Self | None:
        """Another connection to the same file, read only, for a thread of its own (an
        export written on a worker: SQLite's connection stays on the thread that opened it).
        None for a store in memory, which no other connection can see. Close it after."""
        if self.path is None:
            return None
        conn = _connect_read_only(self.path)
        return type(self)(conn, self.path, readonly=True)

    @classmethod
    def memory(cls) -> Self:
        return cls(sqlite3.connect(":memory:"))

    def close(self) -> None:
        self.conn.close()

    def _configure(self) -> None:
        conn = self.conn
        # Two reviewers on one file: busy_timeout (set first) waits for the other writer.
        if self.path is not None and conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = wal")
        # FULL: in WAL mode every commit is synced, so an answer shown saved survives a crash.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")

    def _check_schema(self) -> list[str]:
        """The steps the file records; refused if it is not a whole casereview database."""
        applied = migrations.applied_steps(self.conn)
        unknown = sorted(set(applied) - set(KNOWN))
        if unknown:
            raise StoreError(
                "this database was written by a newer casereview (schema step "
                f"{unknown[-1]}); upgrade casereview to open it"
            )
        tables = {
            name
            for (name,) in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if tables - {migrations.MIGRATIONS_TABLE} and not applied:
            raise StoreError("this SQLite file is not a casereview database")
        if applied:
            triggers = {
                name
                for (name,) in self.conn.execute(
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
        return applied

    def _rows(self, sql: str, params: list[object] | None = None) -> list[sqlite3.Row]:
        """A read's rows, each readable by column name (row["id"]), straight from sqlite3."""
        cursor = self.conn.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, params or []).fetchall()

    def warm(self) -> None:
        """Make the sqlite-utils wrapper now (an idle moment), not at the first write."""
        _ = self.db

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, taken IMMEDIATE.

        sqlite-utils' atomic() begins DEFERRED; a transaction that reads (say, the old
        answer) before writing can then fail at once with "database is locked" when another
        process wrote in between, because SQLite cannot wait for a snapshot to become current.
        Taking the write lock up front lets busy_timeout do its job.
        """
        conn = self.conn
        if conn.in_transaction:
            with self.db.atomic():  # nested: a savepoint inside the outer transaction
                yield
            return
        if self.readonly:
            if self.network_fs:
                raise NetworkFileSystem(self.path, self.network_fs)
            raise ReadOnlyDatabase(self.path)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
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

    def last_event_id(self) -> int:
        """The newest trail entry: every change to reviews and audits writes one, so a later
        value means something changed since."""
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])
