"""The command line: a click group; bare `casereview` opens the TUI, the rest run headless.

Each command group lives in its own module here; this one wires them to `main`.
"""

from __future__ import annotations

from pathlib import Path

import click

from casereview.cli import answers, audits, bundle, cases, checklists, outputs, serve, trend, users
from casereview.cli.base import (
    Context,
    default_db,
    default_reviewer,
    fail,
    friendly_errors,
    pass_ctx,
)

__all__ = ["Context", "default_db", "default_reviewer", "fail", "main"]


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
@click.version_option(package_name="casereview", prog_name="casereview")
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


main.add_command(checklists.checklist)
main.add_command(cases.cases)
main.add_command(audits.audit)
main.add_command(answers.answers)
main.add_command(outputs.export_cmd)
main.add_command(outputs.report_cmd)
main.add_command(outputs.sample_size_cmd)
main.add_command(users.users)
main.add_command(serve.serve_cmd)
main.add_command(bundle.bundle_group)
main.add_command(trend.trend_cmd)
