"""The command line: a click group; bare `casereview` opens the TUI, the rest run headless.

Each command group lives in its own module here; this one wires them to `main`.
"""

from __future__ import annotations

from pathlib import Path

import click

from casereview.cli.base import (
    DB_HELP,
    REVIEWER_HELP,
    Context,
    GlobalOptionsGroup,
    default_db,
    default_reviewer,
    fail,
    friendly_errors,
    pass_ctx,
)
from casereview.core.text import visible

__all__ = ["Context", "default_db", "default_reviewer", "fail", "main"]


# Each command's module, imported only when that command runs (GlobalOptionsGroup).
COMMANDS = {
    "answers": "casereview.cli.answers:answers",
    "audit": "casereview.cli.audits:audit",
    "bundle": "casereview.cli.bundle:bundle_group",
    "calibration": "casereview.cli.calibration:calibration",
    "cases": "casereview.cli.cases:cases",
    "checklist": "casereview.cli.checklists:checklist",
    "export": "casereview.cli.outputs:export_cmd",
    "keys": "casereview.cli.keys:keys_group",
    "lqas": "casereview.cli.funnel:lqas_cmd",
    "lqas-plan": "casereview.cli.funnel:lqas_plan_cmd",
    "plan": "casereview.cli.plans:plan_group",
    "report": "casereview.cli.outputs:report_cmd",
    "sample-size": "casereview.cli.outputs:sample_size_cmd",
    "serve": "casereview.cli.serve:serve_cmd",
    "trend": "casereview.cli.trend:trend_cmd",
    "users": "casereview.cli.users:users",
}


@click.group(
    cls=GlobalOptionsGroup,  # --db and --reviewer after any command's name too
    lazy=COMMANDS,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help=DB_HELP + " Also accepted after the command; given in both places, it must agree.",
)
@click.option("--reviewer", help=REVIEWER_HELP + " Also accepted after the command.")
@click.version_option(package_name="casereview", prog_name="casereview")
@click.pass_context
@friendly_errors
def main(ctx: click.Context, db_path: Path | None, reviewer: str | None) -> None:
    """Quality review of police stalking case files, keyboard first.

    With no command, opens the terminal app on the database.
    """
    # closed when the command ends, however it ends (Context says why that matters)
    ctx.obj = ctx.with_resource(Context(db_path or default_db(), reviewer or default_reviewer()))
    ctx.obj.db_chosen = db_path is not None
    ctx.obj.given = {k: v for k, v in (("db_path", db_path), ("reviewer", reviewer)) if v}
    if ctx.invoked_subcommand is None:
        _run_tui(ctx.obj)


def _run_tui(context: Context) -> None:
    from casereview.tui.app import make_app  # Textual is imported only when the TUI runs

    make_app(context.store_with_checklists(), context.reviewer).run()


@main.command()
@click.option("--no-tui", is_flag=True, help="Build the database and exit.")
@pass_ctx
@friendly_errors
def demo(context: Context, no_tui: bool) -> None:
    """Build a demo database (sample cases, the checklist, a part-reviewed audit), then open it.

    It goes to demo.db in this folder unless --db (before or after `demo`) names another
    file; never to $CASEREVIEW_DB, your working database.
    """
    from casereview.demo.build import build_demo

    path = context.db_path if context.db_chosen else Path("demo.db")
    context.db_path = path
    created = build_demo(context.store, context.reviewer)
    built = "Built" if created else "Using existing"
    click.echo(f"{built} demo database {visible(str(path))}", err=True)
    if not no_tui:
        _run_tui(context)
