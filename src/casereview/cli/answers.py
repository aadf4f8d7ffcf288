"""casereview answers ...: answers recorded elsewhere."""

from __future__ import annotations

from pathlib import Path

import click

from casereview.cli.base import Context, friendly_errors, pass_ctx, warn
from casereview.core.text import visible


@click.group()
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
    from casereview.io.imports.answers import import_answers

    store = context.existing_store()
    done = import_answers(store, audit_name, file, context.reviewer)
    warn(done.warnings)
    click.echo(
        f"imported {done.n} answers in {done.reviews} reviews ({done.complete} complete, "
        f"{done.reviews - done.complete} in progress) into "
        f"'{visible(store.audit_named(audit_name).name)}'"
    )
