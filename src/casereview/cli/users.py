"""casereview users ...: the reviewers' accounts that `casereview serve` signs in."""

from __future__ import annotations

import sys

import click

from casereview.cli.base import Context, fail, friendly_errors, pass_ctx
from casereview.core.text import visible
from casereview.store.sign_ins import ACCOUNT_ROLES, DEFAULT_ROLE, ROLE_HELP, AccountRole

_ROLES_HELP = "; ".join(f"{role}: {what}" for role, what in ROLE_HELP.items())


def _read_password(password_stdin: bool) -> str:
    """One line from stdin (--password-stdin), else asked twice on the terminal."""
    from casereview.serve.accounts import AccountError, check_password

    if password_stdin:
        line = sys.stdin.readline()
        if not line:
            fail("--password-stdin: no password on standard input")
        password = line.rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            fail("no terminal to ask for a password on; use --password-stdin")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    try:
        return check_password(password)
    except AccountError as exc:
        fail(str(exc))


@click.group()
def users() -> None:
    """Reviewers' accounts for `casereview serve` (passwords kept as argon2 hashes).

    Each account has a role: reviewer (the default), admin (also manages accounts from the
    app) or scrutiny (a scrutiny panel member: findings, trends and counts only). The first
    admin is named here, by whoever runs the server: `casereview users add NAME --role admin`.
    """


@users.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password as one line of stdin.")
@click.option(
    "--role",
    type=click.Choice(ACCOUNT_ROLES),
    default=DEFAULT_ROLE,
    show_default=True,
    help=f"What the account may do in the served app ({_ROLES_HELP}).",
)
@pass_ctx
@friendly_errors
def users_add(context: Context, name: str, password_stdin: bool, role: AccountRole) -> None:
    """Add an account; NAME is the reviewer name its sessions review under."""
    from casereview.serve.accounts import AccountError, check_name, hash_password

    try:
        check_name(name)
    except AccountError as exc:
        fail(str(exc))
    password = _read_password(password_stdin)
    context.store.add_user(name, hash_password(password), context.reviewer, role)
    click.echo(f"added account {name} ({role})")


@users.command("list")
@pass_ctx
@friendly_errors
def users_list(context: Context) -> None:
    """Accounts, their roles, who added them, and their last sign-in."""
    rows = context.existing_store().users()
    if not rows:
        click.echo("no accounts; `casereview users add NAME` adds one", err=True)
    for u in rows:
        last = u.last_sign_in[:16].replace("T", " ") if u.last_sign_in else "never signed in"
        alike = "\tsigns in by this exact name only (a look-alike of an older account's)"
        alike = alike if u.exact_name_only else ""
        added = f"added {u.created_at[:10]} by {visible(u.created_by)}"
        click.echo(f"{u.name}\t{u.role}\t{added}\t{last}{alike}")


@users.command("remove")
@click.argument("name")
@pass_ctx
@friendly_errors
def users_remove(context: Context, name: str) -> None:
    """Remove an account (its reviews and trail stay; it can no longer sign in, and its
    open sessions end)."""
    removed = context.existing_store().remove_user(name, context.reviewer)
    click.echo(f"removed account {removed}")


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ACCOUNT_ROLES))
@pass_ctx
@friendly_errors
def users_role(context: Context, name: str, role: AccountRole) -> None:
    """Give the account NAME a ROLE (reviewer, admin or scrutiny).

    A change ends the account's open sessions: its next sign-in has the new role.
    """
    store = context.existing_store()
    if store.account(name) is None:
        fail(f"there is no account named '{name}'")
    changed, done = store.set_role(name, role, context.reviewer)
    click.echo(f"{changed} is {'now' if done else 'already'} {role}")


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password as one line of stdin.")
@pass_ctx
@friendly_errors
def users_passwd(context: Context, name: str, password_stdin: bool) -> None:
    """Set a new password for an account (its open sessions end)."""
    from casereview.serve.accounts import hash_password

    store = context.existing_store()
    if store.account(name) is None:
        fail(f"there is no account named '{name}'")
    changed = store.set_password(
        name, hash_password(_read_password(password_stdin)), context.reviewer
    )
    click.echo(f"changed the password of {changed}")
