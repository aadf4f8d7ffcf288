"""casereview plan: a force's action plan (recommendations and the actions under them),
imported from the file the force keeps, listed, and edited with every change in the trail."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from casereview.cli.base import Context, fail, friendly_errors, pass_ctx
from casereview.core.plans import STATUS_WORDS, overdue, parse_status
from casereview.core.text import visible


@click.group("plan")
def plan_group() -> None:
    """A force's action plan: recommendations, actions, owners, due dates, statuses."""


@plan_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", "force_name", help="The force whose plan it is (else the file's `force`).")
@click.option("--replace", is_flag=True, help="Replace the force's plan (its trail is kept).")
@pass_ctx
@friendly_errors
def plan_import(context: Context, file: Path, force_name: str | None, replace: bool) -> None:
    """Import a force's action plan from a CSV or YAML file (.yaml/.yml).

    CSV columns: recommendation, recommendation_text and, optionally, tag, force, action,
    owner, due, status (planned, in progress, done, dropped), reason (for a dropped
    action), questions and tags (the checklist question ids and tags the action is meant
    to move, separated by ';' or ','). See the action plans guide for both formats. Every
    problem is listed by line and nothing is written if there is one.
    """
    from casereview.io.imports.plans import import_plan

    store = context.store_with_checklists(existing=True)
    force, n_recs, n_actions = import_plan(store, file, force_name, context.reviewer, replace)
    click.echo(f"{visible(force)}: {n_recs} recommendations, {n_actions} actions")


@plan_group.command("list")
@click.option("--force", "force_name", help="One force's plan (default: every plan).")
@pass_ctx
@friendly_errors
def plan_list(context: Context, force_name: str | None) -> None:
    """Each plan's recommendations and actions: id, status, due date, owner, flags."""
    store = context.existing_store()
    forces = [force_name] if force_name else store.plan_forces()
    if not forces:
        fail("no action plan yet (`casereview plan import FILE --force NAME`)")
    today = date.today().isoformat()
    for force in forces:
        plan = store.plan_of(force)
        click.echo(visible(plan.force))
        for rec in plan.recommendations:
            flag = "  [no action]" if not rec.actions else ""
            click.echo(f"  {visible(rec.ref)}  {visible(rec.text)}{flag}")
            for a in rec.actions:
                late = "  [overdue]" if overdue(a.status, a.due, today) else ""
                owner = f"  {visible(a.owner)}" if a.owner else ""
                click.echo(
                    f"    {a.ref}  {STATUS_WORDS[a.status]:<11}  {a.due or 'no date':<10}"
                    f"{owner}  {visible(a.text)}{late}"
                )


@plan_group.command("set")
@click.argument("force")
@click.argument("action")
@click.option("--status", help="planned, in progress, done or dropped.")
@click.option("--reason", help="Why it was dropped (with --status dropped).")
@click.option("--owner", help="Who is responsible.")
@click.option("--due", help="The due date (YYYY-MM-DD or dd/mm/yyyy).")
@pass_ctx
@friendly_errors
def plan_set(
    context: Context,
    force: str,
    action: str,
    status: str | None,
    reason: str | None,
    owner: str | None,
    due: str | None,
) -> None:
    """Change an action of FORCE's plan (ACTION is its id, e.g. R1.2); each change is written
    to the trail with its old and new values."""
    from casereview.io.imports.csvfile import parse_day

    changes: dict[str, object] = {}
    if status is not None:
        try:
            changes["status"] = parse_status(status)
        except ValueError as exc:
            fail(str(exc))
    if reason is not None:
        changes["reason"] = reason.strip()
    if owner is not None:
        changes["owner"] = owner.strip()
    if due is not None:
        try:
            changes["due"] = parse_day(due)
        except ValueError:
            fail(f"--due '{due}' is not a date (YYYY-MM-DD or dd/mm/yyyy)")
    if not changes:
        fail("give what to change: --status, --reason, --owner or --due")
    store = context.existing_store()
    changed = store.update_action(force, action, changes, context.reviewer)
    click.echo(f"{action}: " + (", ".join(changed) + " changed" if changed else "no change"))
