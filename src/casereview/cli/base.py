"""What every command shares: the context (database and reviewer), errors, progress."""

from __future__ import annotations

import codecs
import functools
import getpass
import io
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn, Self, TypeVar

import click

from casereview.core.problems import CasereviewError, InputError
from casereview.core.text import visible
from casereview.store.errors import StoreError

if TYPE_CHECKING:
    from casereview.store import Store

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
    click.echo(f"casereview: {visible(message, newlines=True)}", err=True)
    sys.exit(status)


def friendly_errors(fn: F) -> F:
    """Bad input exits 2 with every problem listed; nothing else shows a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            warn(exc.warnings)
            for problem in exc.problems:
                click.echo(visible(str(problem), newlines=True), err=True)
            click.echo(f"casereview: {len(exc.problems)} problem(s); nothing was written", err=True)
            sys.exit(2)
        except CasereviewError as exc:  # a refusal of the store, a sample, an export target...
            fail(str(exc), exc.exit_status)
        except sqlite3.DatabaseError as exc:  # found while reading, after opening
            from casereview.store import explain

            error = explain(exc)
            fail(str(error), error.exit_status)
        except OSError as exc:
            fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), 1)

    return wrapper  # type: ignore[return-value]


class Context:
    """What every command shares: where the database is and who is working.

    A context manager: the store a command opened is closed when the command ends, however
    it ends (`main` enters it with click's `ctx.with_resource`). Left to the garbage
    collector, the connection closed at a random later moment, and the last one to close
    rewrites the file (it checkpoints the write-ahead log): a program that runs `main`
    in-process (the tests) saw the file change under it."""

    def __init__(self, db_path: Path, reviewer: str):
        self.db_path = db_path
        self.reviewer = reviewer
        self.db_chosen = False  # --db given on the command line
        self.given: dict[str, object] = {}  # the global options given before the command
        self._store: Store | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store if a command opened it (`serve` and the app: after they end)."""
        store, self._store = self._store, None
        if store is not None:
            store.close()

    def given_after(self, name: str, value: object) -> None:
        """A global option given after the command (`cases import x.csv --db new.db`): the
        same as before it; given in both places with two values, it is refused, since
        neither can be the one meant."""
        flag = "--db" if name == "db_path" else f"--{name}"
        before = self.given.get(name)
        if before is not None and before != value:
            raise click.UsageError(
                f"{flag} is given twice, {before} before the command and {value} after it; "
                "give it once"
            )
        if self._store is not None:  # cannot happen: no command opens it before its options
            raise click.UsageError(f"{flag} after the command came too late")
        self.given[name] = value
        if name == "db_path":
            assert isinstance(value, Path)
            self.db_path, self.db_chosen = value, True
        else:
            self.reviewer = str(value)

    @property
    def store(self) -> Store:
        if self._store is None:
            from casereview.store import Store  # only a command that opens the database

            self._store = Store.open(self.db_path)
            if self._store.network_fs:
                warn(
                    [
                        f"{self.db_path} is on a network file system "
                        f"({self._store.network_fs}): it is only read here, nothing can be "
                        "saved in it (keep it on a local disk and share it with `casereview "
                        "serve`)"
                    ]
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
        warn(store.ensure_shipped_checklists())
        return store


pass_ctx = click.make_pass_decorator(Context)


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "json"]),
    help="Default: from --out's extension, else csv.",
)
out_option = click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default stdout)."
)
force_option = click.option(
    "--force", is_flag=True, help="Replace --out if it exists (else refused)."
)


def redact_option(what: str) -> Callable[[F], F]:
    """--redact: `what` is the command's output ("the export", "the report")."""
    return click.option(
        "--redact",
        is_flag=True,
        help=f"Redact {what} for readers outside the force: case references become stable "
        "pseudonyms (case- and 12 hex digits of an HMAC-SHA256 keyed with a secret kept in "
        "this database), officer identifiers and free text (summaries, notes, reasons) are "
        "removed, dates are cut to the month; figures are unchanged. The file says so in "
        "its first line.",
    )


def output_target(out: Path, force: bool, store: Store) -> Path:
    """The file `--out` writes, checked before any work so a refusal touches nothing: never
    the database, a folder or a device (safe_target), and an existing file only with
    --force, as the app asks before it replaces one."""
    from casereview.io.files import safe_target

    target = safe_target(out, store.files())
    if out.exists() and not force:
        fail(f"{out} exists; give --force to replace it")
    return target


class _Visible(io.RawIOBase):
    """A binary stream to a terminal that writes data's invisible characters out as escapes
    (text.visible), so an export read on screen cannot clear it, retitle it or fake a line.
    Line ends (CRLF or LF) stay line ends; UTF-8 split across writes is decoded whole."""

    def __init__(self, out: BinaryIO):
        super().__init__()
        self.out = out
        self._decode = codecs.getincrementaldecoder("utf-8-sig")("replace")  # (a BOM is for Excel)
        self._cr = False  # a CR at the end of the last write: CRLF or a lone CR?

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        text = ("\r" if self._cr else "") + self._decode.decode(bytes(data))
        self._cr = text.endswith("\r")
        text = text[:-1] if self._cr else text
        self.out.write(visible(text.replace("\r\n", "\n"), newlines=True).encode("utf-8"))
        return len(data)

    def flush(self) -> None:
        self.out.flush()


def data_stdout() -> BinaryIO:
    """Where a command writes a file format (CSV, JSON) with no --out: standard output as it
    is when piped or redirected, the bytes exact; on a terminal, with data's control
    characters written out (a case file's cell may hold an escape sequence)."""
    out = sys.stdout.buffer
    return _Visible(out) if out.isatty() else out  # type: ignore[return-value]


def for_reading(fmt: str | None, out: Path | None) -> bool:
    """Whether a command's data goes to a person rather than a program: no --out, no
    --format, and standard output a terminal. Then it prints an aligned table to read;
    piped, redirected or with --format, the file format exactly."""
    return fmt is None and out is None and sys.stdout.isatty()


def print_for_reading(text: str) -> None:
    """A table to read on the terminal, data's control characters written out."""
    data_stdout().write(text.encode("utf-8"))
    sys.stdout.flush()


def terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"warning: {visible(warning, newlines=True)}", err=True)


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


# ------------------------------------------------------------------ global options

DB_HELP = "Database file. Default: $CASEREVIEW_DB, else the user data folder."
REVIEWER_HELP = (
    "Your name on reviews and the audit trail. Default: $CASEREVIEW_REVIEWER or the OS user."
)


def _after(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None and param.name is not None:
        ctx.ensure_object(Context).given_after(param.name, value)
    return value


def _global_options() -> list[click.Option]:
    """--db and --reviewer as a command's own options: `casereview cases import x.csv
    --db new.db` is what newcomers type. They write into the shared Context."""
    return [
        click.Option(
            ["--db", "db_path"],
            type=click.Path(dir_okay=False, path_type=Path),
            expose_value=False,
            callback=_after,
            help=DB_HELP + " (Also accepted before the command.)",
        ),
        click.Option(
            ["--reviewer"],
            expose_value=False,
            callback=_after,
            help=REVIEWER_HELP + " (Also accepted before the command.)",
        ),
    ]


def accept_global_options(command: click.Command) -> None:
    """Give a command (and, for a group, each of its commands) the global options, unless it
    has an option of that name of its own (`audit second --reviewer` names the second
    reviewer: your own name then goes before the command)."""
    taken = {opt for p in command.params for opt in getattr(p, "opts", [])}
    for option in _global_options():
        if not taken.intersection(option.opts):
            command.params.append(option)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            accept_global_options(sub)


class GlobalOptionsGroup(click.Group):
    """The top-level group: every command added to it accepts --db and --reviewer after
    its name as well as before (one place, so a new command group gets them too).

    Commands named in `lazy` (name: "module:attribute") are imported when they run, not
    when `casereview` starts: a headless command loads its own module only, so `audit
    list` does not pay for the bundle, serve and report modules (issue 32). `--help`
    still lists them all, each module imported then."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        accept_global_options(cmd)
        super().add_command(cmd, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            import importlib

            module, _, attribute = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            if command.name != cmd_name:  # the table and the module disagree: a bug here
                raise RuntimeError(f"{self.lazy[cmd_name]} is {command.name!r}, not {cmd_name!r}")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)
