"""The command line: a click group; bare `casereview` opens the TUI, the rest run headless."""

from __future__ import annotations

import functools
import getpass
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from casereview import __version__
from casereview.outputs import KINDS
from casereview.problems import CasereviewError, InputError
from casereview.store import Store, StoreError, explain

if TYPE_CHECKING:
    from casereview.checklist import Checklist

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
        except StoreError as exc:
            fail(str(exc), exc.exit_status)
        except CasereviewError as exc:  # e.g. an export target that would destroy something
            fail(str(exc))
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


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Database file. Default: $CASEREVIEW_DB, else the user data folder.",
)
@click.option(
    "--reviewer",
    help="Your name on reviews and the audit trail. Default: $CASEREVIEW_REVIEWER or the OS user.",
)
@click.version_option(__version__, prog_name="casereview")
@click.pass_context
@friendly_errors
def main(ctx: click.Context, db_path: Path | None, reviewer: str | None) -> None:
    """Quality review of police stalking case files, keyboard first.

    With no command, opens the terminal app on the database.
    """
    ctx.obj = Context(db_path or default_db(), reviewer or default_reviewer())
    ctx.obj.db_chosen = db_path is not None
    if ctx.invoked_subcommand is None:
        _run_tui(ctx.obj)


def _run_tui(context: Context) -> None:
    from casereview.app import make_app  # Textual is imported only when the TUI runs

    make_app(context.store_with_checklists(), context.reviewer).run()


@main.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to build the demo database (default: the global --db if given, else demo.db "
    "in this folder; never $CASEREVIEW_DB).",
)
@click.option("--no-tui", is_flag=True, help="Build the database and exit.")
@pass_ctx
@friendly_errors
def demo(context: Context, db_path: Path | None, no_tui: bool) -> None:
    """Build a demo database (sample cases, the checklist, a part-reviewed audit), then open it."""
    from casereview.demo import build_demo

    # The demo never lands in your working database by default ($CASEREVIEW_DB is not
    # used): demo.db here, unless --db names a file (before or after `demo`).
    path = db_path or (context.db_path if context.db_chosen else Path("demo.db"))
    context.db_path = path
    created = build_demo(context.store, context.reviewer)
    click.echo(f"{'Built' if created else 'Using existing'} demo database {path}", err=True)
    if not no_tui:
        _run_tui(context)


# ---------------------------------------------------------------- checklists


@main.group()
def checklist() -> None:
    """Validate, store and list checklists."""


@checklist.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@friendly_errors
def checklist_validate(files: tuple[Path, ...]) -> None:
    """Check checklist files; every problem is printed as FILE:LINE: message."""
    from casereview.checklist import ChecklistError, load_checklist

    problems = []
    for path in files:
        try:
            cl = load_checklist(path)
        except ChecklistError as exc:
            problems.extend(exc.problems)
            continue
        click.echo(
            f"{path}: ok: {cl.id} version {cl.version}, {len(cl.sections)} sections, "
            f"{len(cl.questions)} questions"
        )
    if problems:
        raise InputError(problems)


@checklist.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@pass_ctx
@friendly_errors
def checklist_add(context: Context, file: Path) -> None:
    """Validate a checklist and store it; a stored version cannot change."""
    from casereview.checklist import load_checklist

    load_checklist(file)  # errors with file and line before anything is stored
    info = context.store.add_checklist(file.read_text(encoding="utf-8-sig"), str(file))
    click.echo(f"stored {info.label} ({info.title})")


@checklist.command("diff")
@click.argument("old")
@click.argument("new")
@pass_ctx
@friendly_errors
def checklist_diff(context: Context, old: str, new: str) -> None:
    """Questions added, removed and changed between two checklist versions.

    OLD and NEW are each a YAML file or ID@VERSION stored in the database. A question of NEW
    that says `replaces: OLD-ID` continues that question; the pair is shown as replaced,
    then whatever changed (text, section, answers, skip logic, scored, weight, critical,
    tags, guidance), one line each.
    """
    from casereview.checklist import diff_checklists

    before, after = _checklist_for(context, old), _checklist_for(context, new)
    click.echo(f"--- {before.id}@{before.version}\n+++ {after.id}@{after.version}")
    lines = diff_checklists(before, after)
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo("no differences in the questions")


def _checklist_for(context: Context, spec: str) -> Checklist:
    """A checklist named on the command line: a YAML file, else ID@VERSION in the database."""
    from casereview.checklist import load_checklist

    if Path(spec).suffix in (".yaml", ".yml") or Path(spec).is_file():
        return load_checklist(spec)
    store = context.store_with_checklists(existing=True)
    return store.checklist(store.find_checklist(spec).pk)


@checklist.command("list")
@pass_ctx
@friendly_errors
def checklist_list(context: Context) -> None:
    """Checklists and versions in the database."""
    for info in context.store_with_checklists(existing=True).checklists():
        click.echo(
            f"{info.label:32} {info.title}  [{info.n_audits} audit(s), {info.content_hash[:12]}]"
        )


# ---------------------------------------------------------------- cases


@main.group()
def cases() -> None:
    """The case pool: import case files' metadata."""


@cases.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@pass_ctx
@friendly_errors
def cases_import(context: Context, file: Path) -> None:
    """Add cases from a CSV file, all or nothing.

    Header row required; case_ref required and unique within a force. Known columns: force,
    team, offence, reported_at, recorded_at, outcome, da_related, repeat_victim, officer,
    summary; others are kept as attributes. Dates ISO or dd/mm/yyyy[ hh:mm].
    """
    from casereview.importing import import_cases

    done = import_cases(context.store, file)
    _warn(done.warnings)
    extra = f"; extra columns kept: {', '.join(done.extra_columns)}" if done.extra_columns else ""
    click.echo(f"imported {done.n} cases from {file}{extra}")


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


# ---------------------------------------------------------------- audits


@main.group()
def audit() -> None:
    """Create and list audits (dip samples)."""


def _parse_where(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise click.BadParameter(f"'{item}' is not FIELD=VALUE", param_hint="--where")
        if name in out:
            raise click.BadParameter(
                f"{name} is given twice; a scope takes one value per field (draw one audit per "
                "value, or stratify by the field)",
                param_hint="--where",
            )
        out[name] = value.strip()
    return out


def _parse_day(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    from casereview.importing import parse_day

    try:
        return parse_day(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date", param_hint=option) from None


@audit.command("create")
@click.argument("name")
@click.option("--checklist", "checklist_spec", required=True, help="ID, ID@VERSION or a YAML file.")
@click.option("--sample", "n", type=click.IntRange(min=1), required=True, help="Cases to draw.")
@click.option("--seed", type=int, default=None, help="Random seed (recorded; default: random).")
@click.option("--stratify", help="Field for proportional strata (force, team, offence, ...).")
@click.option("--where", multiple=True, help="FIELD=VALUE filter on the pool; repeatable.")
@click.option("--from", "date_from", help="Reported on or after this date.")
@click.option("--to", "date_to", help="Reported on or before this date.")
@click.option("--reviewers", help="Comma-separated names; cases are assigned round robin.")
@pass_ctx
@friendly_errors
def audit_create(
    context: Context,
    name: str,
    checklist_spec: str,
    n: int,
    seed: int | None,
    stratify: str | None,
    where: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    reviewers: str | None,
) -> None:
    """Draw a seeded dip sample and print its case refs and strata."""
    from casereview.sampling import (
        SampleError,
        Scope,
        create_sampled_audit,
        new_seed,
        reviewer_names,
    )

    store = context.store_with_checklists(existing=True)
    scope = Scope(_parse_where(where), _parse_day(date_from, "--from"), _parse_day(date_to, "--to"))
    if Path(checklist_spec).suffix in (".yaml", ".yml"):
        from casereview.checklist import load_checklist

        load_checklist(checklist_spec)
        text = Path(checklist_spec).read_text(encoding="utf-8-sig")
        info = store.add_checklist(text, checklist_spec)
    else:
        info = store.find_checklist(checklist_spec)
    seed = new_seed() if seed is None else seed
    try:
        created, sample, pool_size = create_sampled_audit(
            store,
            name,
            info.pk,
            n,
            seed,
            scope,
            context.reviewer,
            stratify,
            reviewer_names(reviewers),
        )
    except SampleError as exc:
        fail(str(exc))
    click.echo(
        f"audit '{created.name}': {n} of {pool_size} cases, checklist {info.label}, seed {seed}"
    )
    if stratify:
        click.echo(f"\n{'stratum (' + stratify + ')':40} {'pool':>6} {'sample':>7} {'share':>7}")
        for s in sample.strata:
            click.echo(f"{s.name:40} {s.pool:6d} {s.sample:7d} {s.share:7.1%}")
        click.echo("")
    for case in sample.cases:
        click.echo(f"{case.force}\t{case.case_ref}")


@audit.command("second")
@click.argument("name")
@click.option("--reviewer", "second", required=True, help="Who does the blind second reviews.")
@click.option("--share", type=click.FloatRange(0, 1, min_open=True), help="Share of the sample.")
@click.option("--count", type=click.IntRange(min=1), help="Number of cases.")
@click.option("--seed", type=int, default=None, help="Random seed (default: random).")
@pass_ctx
@friendly_errors
def audit_second(
    context: Context,
    name: str,
    second: str,
    share: float | None,
    count: int | None,
    seed: int | None,
) -> None:
    """Choose cases for a blind second review and assign the second reviewer.

    The second reviewer opens those cases as a second review and never sees the primary's
    answers or notes; agreement and moderation use the pairs once both are complete.
    """
    from casereview.sampling import choose_second

    store = context.existing_store()
    audit_info = store.audit(name)
    chosen, seed = choose_second(store, audit_info.id, second, context.reviewer, share, count, seed)
    click.echo(
        f"{len(chosen)} cases of '{audit_info.name}' for a blind second review by {second} "
        f"(seed {seed})"
    )
    for case in chosen:
        click.echo(f"{case.force}\t{case.case_ref}")


@audit.command("list")
@pass_ctx
@friendly_errors
def audit_list(context: Context) -> None:
    """Audits with their progress."""
    audits = context.existing_store().audits()
    if not audits:
        click.echo("no audits yet; create one with `casereview audit create`", err=True)
        return
    # columns as wide as their longest entry, so a long name never pushes the figures over
    w = max(len("audit"), *(len(a.name) for a in audits))
    c = max(len("checklist"), *(len(a.checklist_label) for a in audits))
    click.echo(f"{'audit':{w}} {'checklist':{c}} {'cases':>5} {'done':>5} {'open':>5}")
    for a in audits:
        click.echo(
            f"{a.name:{w}} {a.checklist_label:{c}} {a.n_cases:5d} {a.n_complete:5d} "
            f"{a.n_in_progress:5d}"
        )


# ---------------------------------------------------------------- answers


@main.group()
def answers() -> None:
    """Answers recorded elsewhere (a legacy spreadsheet audit)."""


@answers.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--audit", "audit_name", required=True, help="The audit the answers belong to.")
@pass_ctx
@friendly_errors
def answers_import(context: Context, file: Path, audit_name: str) -> None:
    """Load answers from CSV, all or nothing.

    Columns case_ref, reviewer, role, question_id, answer; optional note, force and reason
    (why a moderated answer was decided so). A review whose shown questions are all answered
    is imported as complete, else in progress. The app's rules hold: a moderated review needs
    a completed primary and second review, and a second review is never by the case's
    primary reviewer or its assignee.
    """
    from casereview.importing import import_answers

    store = context.existing_store()
    done = import_answers(store, audit_name, file, context.reviewer)
    _warn(done.warnings)
    click.echo(
        f"imported {done.n} answers in {done.reviews} reviews ({done.complete} complete, "
        f"{done.reviews - done.complete} in progress) into '{store.audit(audit_name).name}'"
    )


# ---------------------------------------------------------------- findings


@main.command("export")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.option("--audit", "audit_name", required=True, help="The audit to export.")
@click.option("--by", help="Group by force, team, reviewer, stratum or a case attribute.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "json"]),
    help="Default: from --out's extension, else csv.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default stdout)."
)
@click.option("--include-notes", is_flag=True, help="Include free-text notes and case summaries.")
@pass_ctx
@friendly_errors
def export_cmd(
    context: Context,
    kind: str,
    audit_name: str,
    by: str | None,
    fmt: str | None,
    out: Path | None,
    include_notes: bool,
) -> None:
    """Export findings or raw answers as Excel-safe CSV, XLSX or JSON.

    questions and sections are compliance figures (completed reviews; moderated over
    primary); cases has a score per section; answers has every answer; agreement compares
    primary and second reviews. Notes and summaries leave the machine only with
    --include-notes.
    """
    from casereview import export, outputs

    if fmt is None and out is not None and out.suffix and outputs.format_named(out) is None:
        fail(f"cannot tell the format from '{out}'; give --format csv, xlsx or json")
    fmt = fmt or outputs.format_named(out) or "csv"
    if fmt == "xlsx" and out is None:
        fail("xlsx needs --out FILE (a workbook cannot go to the terminal)")
    store = context.existing_store()
    if out is not None:
        export.safe_target(out, store.files())  # refused before any work, nothing touched
    prepared = outputs.prepare(store, audit_name, kind, fmt, by, include_notes, context.reviewer)
    if out is None:
        sys.stdout.buffer.write(outputs.render(prepared))
        sys.stdout.flush()
        return
    outputs.write(prepared, out, store.files(), _progress_bar(prepared.rows))
    click.echo(f"wrote {prepared.rows} {kind} rows to {out}", err=True)


def _progress_bar(total: int) -> Any:
    if total < 5000:
        return None
    bar = click.progressbar(length=total, label="exporting", file=sys.stderr)
    seen = [0]

    def update(done: int, _total: int) -> None:
        bar.update(done - seen[0])
        seen[0] = done
        if done >= total:
            bar.render_finish()

    return update


@main.command("report")
@click.option("--audit", "audit_name", required=True, help="The audit to report on.")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default stdout)."
)
@pass_ctx
@friendly_errors
def report_cmd(context: Context, audit_name: str, out: Path | None) -> None:
    """A Markdown findings report: scope, sample, method, findings with counts and intervals."""
    from casereview import export, outputs, report

    store = context.existing_store()
    if out is not None:
        export.safe_target(out, store.files())  # refused before any work, nothing touched
    refusal = outputs.blind_refusal(store, store.audit(audit_name).id, context.reviewer)
    if refusal:
        fail(refusal)
    text = report.render(store, audit_name)
    if out is None:
        click.echo(text, nl=False)
    else:
        with export.replacing(out, store.files()) as tmp:
            tmp.write_bytes(text.encode("utf-8"))
        click.echo(f"wrote the report to {out}", err=True)


# ---------------------------------------------------------------- statistics


@main.command("sample-size")
@click.option("--margin", type=float, default=0.05, show_default=True, help="Half-width wanted.")
@click.option("--confidence", type=float, default=0.95, show_default=True, help="Confidence level.")
@click.option("--expected", type=float, default=0.5, show_default=True, help="Expected share.")
@click.option("--population", type=click.IntRange(min=1), help="Cases in scope (corrects for it).")
@friendly_errors
def sample_size_cmd(
    margin: float, confidence: float, expected: float, population: int | None
) -> None:
    """Cases needed to estimate a compliance rate within a margin."""
    from casereview.scoring import sample_size

    try:
        n = sample_size(margin, confidence, expected, population)
    except ValueError as exc:
        fail(str(exc))
    scope = f" from a population of {population}" if population else ""
    click.echo(n)
    click.echo(
        f"{n} cases for +-{margin:.1%} at {confidence:.0%} confidence{scope} "
        f"(expected proportion {expected:.0%})",
        err=True,
    )
