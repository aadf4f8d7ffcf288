"""What every command shares: the context (database and reviewer), errors, progress."""

from __future__ import annotations

import functools
import getpass
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from casereview.problems import CasereviewError, InputError
from casereview.store import Store, StoreError, explain

F = TypeVar("F", bound=Callable[..., Any])


def default_db() -> Path:
    env = os.environ.get("CASEREVIEW_DB")
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_data_path("casereview") / "casereview.db"


def default_reviewer() -> str:
    name = os.environ.get("CASEREVIEW_REVIEWER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        return "reviewer"


def fail(message: str, status: int = 2) -> NoReturn:
    click.echo(f"casereview: {message}", err=True)
    sys.exit(status)


def friendly_errors(fn: F) -> F:
    """Bad input exits 2 with every problem listed; nothing else shows a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            for warning in exc.warnings:
                click.echo(f"warning: {warning}", err=True)
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            click.echo(f"casereview: {len(exc.problems)} problem(s); nothing was written", err=True)
            sys.exit(2)
        except CasereviewError as exc:  # a refusal of the store, a sample, an export target...
            fail(str(exc), exc.exit_status)
        except sqlite3.DatabaseError as exc:  # found while reading, after opening
            error = explain(exc)
            fail(str(error), error.exit_status)
        except OSError as exc:
            fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), 1)

    return wrapper  # type: ignore[return-value]


class Context:
    """What every command shares: where the database is and who is working."""

    def __init__(self, db_path: Path, reviewer: str):
        self.db_path = db_path
        self.reviewer = reviewer
        self.db_chosen = False  # --db given on the command line
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.db_path)
            if self._store.network_fs:
                click.echo(
                    f"warning: {self.db_path} is on a network file system "
                    f"({self._store.network_fs}): it is only read here, nothing can be saved "
                    "in it (keep it on a local disk and share it with `casereview serve`)",
                    err=True,
                )
        return self._store

    def existing_store(self) -> Store:
        """The store, for commands that read what is there: a missing file is not created."""
        if self._store is None and not self.db_path.exists():
            raise StoreError(
                f"no database at {self.db_path}; `casereview cases import FILE.csv` or "
                "`casereview demo` creates one (or name another with --db)"
            )
        return self.store

    def store_with_checklists(self, existing: bool = False) -> Store:
        """The store, with the shipped checklists stored (for commands that offer them)."""
        store = self.existing_store() if existing else self.store
        for warning in store.ensure_shipped_checklists():
            click.echo(f"warning: {warning}", err=True)
        return store


pass_ctx = click.make_pass_decorator(Context)


def warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def progress_bar(total: int, label: str = "exporting") -> Any:
    """A progress callback `(done, total)` drawing a bar on stderr, or None for small jobs."""
    if total < 5000:
        return None
    bar = click.progressbar(length=total, label=label, file=sys.stderr)
    seen = [0]

    def update(done: int, _total: int) -> None:
        bar.update(done - seen[0])
        seen[0] = done
        if done >= total:
            bar.render_finish()

    return update
