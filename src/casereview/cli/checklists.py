"""casereview checklist ...: validate, store, compare and list checklists."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from casereview.cli.base import Context, friendly_errors, pass_ctx
from casereview.core.problems import InputError
from casereview.core.text import visible

if TYPE_CHECKING:
    from casereview.core.checklist.models import Checklist


@click.group()
def checklist() -> None:
    """Validate, store and list checklists."""


@checklist.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@friendly_errors
def checklist_validate(files: tuple[Path, ...]) -> None:
    """Check checklist files; every problem is printed as FILE:LINE: message.

    Versions of one checklist given together are checked against each other too: an id an
    earlier version retired (continued under another id) cannot name a question again."""
    from casereview.core.checklist.loading import ChecklistError, load_checklist, version_clashes

    problems = []
    loaded = []
    for path in files:
        try:
            cl = load_checklist(path)
        except ChecklistError as exc:
            problems.extend(exc.problems)
            continue
        loaded.append((path, cl))
    clashes = version_clashes(loaded)  # versions of one checklist given together
    for path, cl in loaded:
        if not any(p.file == str(path) for p in clashes):
            click.echo(
                visible(f"{path}: ok: {cl.id} version {cl.version}")
                + f", {len(cl.sections)} sections, {len(cl.questions)} questions"
            )
    problems += clashes
    if problems:
        raise InputError(problems)


@checklist.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@pass_ctx
@friendly_errors
def checklist_add(context: Context, file: Path) -> None:
    """Validate a checklist and store it; a stored version cannot change."""
    from casereview.core.checklist.loading import load_checklist

    load_checklist(file)  # errors with file and line before anything is stored
    info = context.store.add_checklist(file.read_text(encoding="utf-8-sig"), str(file))
    click.echo(f"stored {visible(info.label)} ({visible(info.title)})")


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
    from casereview.core.checklist.versions import diff_checklists

    before, after = _checklist_for(context, old), _checklist_for(context, new)
    click.echo(visible(f"--- {before.id}@{before.version}"))
    click.echo(visible(f"+++ {after.id}@{after.version}"))
    lines = diff_checklists(before, after)
    for line in lines:  # question text and guidance: a checklist's own
        click.echo(visible(line))
    if not lines:
        click.echo("no differences in the questions")


def _checklist_for(context: Context, spec: str) -> Checklist:
    """A checklist named on the command line: a YAML file, else ID@VERSION in the database."""
    from casereview.core.checklist.loading import load_checklist

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
            f"{visible(info.label):32} {visible(info.title)}  "
            f"[{info.n_audits} audit(s), {info.content_hash[:12]}]"
        )
