"""casereview cases ...: the case pool."""

from __future__ import annotations

from pathlib import Path

import click

from casereview.cli.base import Context, friendly_errors, pass_ctx, warn


@click.group()
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
    warn(done.warnings)
    extra = f"; extra columns kept: {', '.join(done.extra_columns)}" if done.extra_columns else ""
    click.echo(f"imported {done.n} cases from {file}{extra}")
