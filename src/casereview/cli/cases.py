"""casereview cases ...: the case pool."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from casereview.cli.base import Context, fail, friendly_errors, pass_ctx, warn
from casereview.core.text import visible


@click.group()
def cases() -> None:
    """The case pool: import case files' metadata."""


@cases.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--skip-existing",
    is_flag=True,
    help="Cases already in the pool are listed and left as they are; the rest are added.",
)
@click.option(
    "--update",
    is_flag=True,
    help="Cases already in the pool take the file's metadata (the change is in the trail); "
    "the rest are added.",
)
@pass_ctx
@friendly_errors
def cases_import(context: Context, file: Path, skip_existing: bool, update: bool) -> None:
    """Add cases from a CSV file, all or nothing.

    Header row required; case_ref required and unique within a force. Known columns: force,
    team, offence, reported_at, recorded_at, outcome, da_related, repeat_victim, officer,
    summary; others are kept as attributes. Dates ISO or dd/mm/yyyy[ hh:mm].

    A case already in the pool refuses the file, unless --skip-existing (leave it as it is)
    or --update (replace its metadata with the file's: the columns the file has, a blank
    attribute removed; each change is written to the trail). A monthly extract that
    overlaps the last one imports with either.
    """
    from casereview.io.imports.cases import Existing, import_cases

    if skip_existing and update:
        fail("--skip-existing and --update are either-or: choose one")
    mode: Existing = "update" if update else "skip" if skip_existing else "refuse"
    bar = _progress(file)
    try:
        done = import_cases(context.store, file, mode, context.reviewer, bar)
    finally:
        if bar is not None:
            bar.finish()
    warn(done.warnings)
    for problem in done.existing:
        click.echo(visible(str(problem)), err=True)
    extra = (
        f"; extra columns kept: {visible(', '.join(done.extra_columns))}"
        if done.extra_columns
        else ""
    )
    click.echo(f"imported {done.n} cases from {visible(str(file))}{extra}")
    if done.existing:
        if update:
            click.echo(
                f"{len(done.existing)} already in the pool: {done.updated} updated, "
                f"{len(done.existing) - done.updated} unchanged"
            )
        else:
            click.echo(f"{len(done.existing)} already in the pool, left as they are")


class _Bar:
    """click's progress bar over the file's bytes, drawn on stderr once it has run a while."""

    def __init__(self, size: int):
        self.bar: Any = click.progressbar(length=size, label="importing", file=sys.stderr)
        self.seen = 0

    def __call__(self, done: int, _total: int) -> None:
        self.bar.update(done - self.seen)
        self.seen = done

    def finish(self) -> None:
        self.bar.render_finish()


def _progress(file: Path) -> _Bar | None:
    """A bar for a file big enough to take a few seconds (about 20 MB, 100,000 cases), only
    when stderr is a terminal: a piped or logged import prints none."""
    if not sys.stderr.isatty():
        return None
    try:
        size = file.stat().st_size
    except OSError:
        return None
    return _Bar(size) if size > 20_000_000 else None
