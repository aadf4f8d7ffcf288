"""casereview bundle ...: an audit carried off the network as one checked file, and merged back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from casereview.cli.base import Context, force_option, friendly_errors, output_target, pass_ctx
from casereview.core.text import visible

if TYPE_CHECKING:
    from casereview.core.bundles.merge import Bundle, Plan


@click.group("bundle")
def bundle_group() -> None:
    """Carry an audit to a laptop and back: one sealed file, merged by identity.

    A bundle holds case data and notes: keep it as you keep the database.
    """


@bundle_group.command("export")
@click.option("--audit", "audit_name", required=True, help="The audit to bundle.")
@click.option("--reviewer", help="Only this reviewer's reviews (default: every review).")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Bundle file."
)
@force_option
@pass_ctx
@friendly_errors
def bundle_export(
    context: Context, audit_name: str, reviewer: str | None, out: Path, force: bool
) -> None:
    """Write an audit (checklist, scope, sample, assignment) and its reviews, answers, notes
    and events to one sealed file, owner-only.

    A blind second reviewer's bundle (theirs, or one they export) leaves out the other
    reviews of the cases whose pair is still open.
    """
    from casereview.io.bundles import archive as bundle

    store = context.existing_store()
    target = output_target(out, force, store)
    audit = store.audit_named(audit_name)
    content, text = store.bundle_content(audit.id, reviewer, context.reviewer)
    bundle.write(target, bundle.pack(content, text))
    click.echo(
        f"wrote {visible(str(out))}: audit '{visible(audit.name)}', {len(content['cases'])} "
        f"cases, {len(content['reviews'])} reviews, {len(content['events'])} events"
        + (f" (reviewer {visible(reviewer)})" if reviewer else ""),
        err=True,
    )


@bundle_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and list what would be added; write nothing.")
@click.option(
    "--settle",
    type=click.Choice(["database", "bundle"]),
    help="For reviews changed on both sides: whose answers stand (both trails are kept).",
)
@pass_ctx
@friendly_errors
def bundle_import(context: Context, file: Path, dry_run: bool, settle: str | None) -> None:
    """Merge a bundle: new reviews and events added, reviews changed only in the bundle
    brought up to date, the same bundle twice changes nothing. A review changed on both
    sides is a conflict: each is listed and nothing is written (exit 2), unless --settle
    says which side's answers stand.
    """
    from casereview.io.bundles import archive as bundle

    checked = bundle.read(file)  # the seal, the manifest and the content's own rules
    db = context.db_path
    if not db.exists() and dry_run:
        from casereview.store import Store

        store = Store.memory()  # planned as for a new database, and none is made
        try:
            result = store.merge_bundle(checked, str(file), context.reviewer, dry_run=True)
        finally:
            store.close()
    else:
        result = _merge(context, checked, file, dry_run, settle)
    for warning in result.warnings:
        click.echo(f"warning: {visible(warning)}", err=True)
    name = visible(str(file))
    if result.empty:
        click.echo(f"{name}: nothing to add; this database already holds all it has", err=True)
        return
    if dry_run:
        click.echo(f"{name} would add:")
        for line in result.summary():  # the bundle's references, names and notes
            click.echo(f"  {visible(line)}")
        return
    click.echo(f"imported {name}:", err=True)
    for line in result.summary():
        click.echo(f"  {visible(line)}", err=True)


def _merge(
    context: Context, checked: Bundle, file: Path, dry_run: bool, settle: str | None
) -> Plan:
    """The merge into --db. A database this import creates and then refuses (or fails) to
    fill is removed again, with the files SQLite keeps beside it: a refused import leaves
    nothing behind."""
    new = not context.db_path.exists()
    store = context.store
    try:
        return store.merge_bundle(
            checked, str(file), context.reviewer, dry_run=dry_run, settle=settle
        )
    except BaseException:
        if new:
            store.close()  # (closed again at the command's end is no harm)
            for path in store.files():
                path.unlink(missing_ok=True)
        raise
