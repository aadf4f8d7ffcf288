"""casereview keys ...: this installation's signing key, and the keys whose bundles it trusts."""

from __future__ import annotations

from pathlib import Path

import click

from casereview.cli.base import Context, force_option, friendly_errors, pass_ctx
from casereview.core.problems import CasereviewError
from casereview.core.text import visible


@click.group("keys")
def keys_group() -> None:
    """Signing keys: who made a bundle, and whose bundles this database imports.

    Each installation signs the bundles it exports with its own Ed25519 key, kept
    owner-only beside the database (DATABASE.signing-key). A database imports a bundle
    signed by its own key or by a key trusted here by name.
    """


@keys_group.command("create")
@pass_ctx
@friendly_errors
def keys_create(context: Context) -> None:
    """Make this installation's signing key if it has none (bundle export makes it on first
    use too), and print its public key and fingerprint."""
    from casereview.io.bundles import signing

    made = not signing.key_path(context.db_path).exists()
    _show(signing.public_text(signing.load_or_create(context.db_path)))
    click.echo(
        f"{'made' if made else 'kept the existing'} {signing.key_path(context.db_path)}", err=True
    )


@keys_group.command("show")
@pass_ctx
@friendly_errors
def keys_show(context: Context) -> None:
    """Print this installation's public key and its fingerprint, to give to whoever imports
    its bundles (they check the fingerprint with you, then `casereview keys add`)."""
    from casereview.io.bundles import signing

    if not signing.key_path(context.db_path).exists():
        raise CasereviewError(
            f"no signing key beside {context.db_path} yet; `casereview keys create` makes one"
        )
    _show(signing.public_text(signing.load_or_create(context.db_path)))


def _show(public: str) -> None:
    from casereview.io.bundles import signing

    click.echo(f"public key:  {public}")
    click.echo(f"fingerprint: {signing.fingerprint(public)}")


@keys_group.command("add")
@click.argument("name")
@click.argument("public_key")
@pass_ctx
@friendly_errors
def keys_add(context: Context, name: str, public_key: str) -> None:
    """Trust bundles signed by PUBLIC_KEY (as `casereview keys show` prints it), under NAME
    (say, the laptop or the office it belongs to). Check its fingerprint with its owner
    first, by a channel other than the one the key came by."""
    from casereview.io.bundles import signing

    try:
        public = signing.parse_public(public_key)
    except ValueError as exc:
        raise CasereviewError(str(exc)) from None
    fingerprint = signing.fingerprint(public)
    context.store.trust_key(name, public, fingerprint, context.reviewer)
    click.echo(f"trusted '{visible(name.strip())}': {fingerprint}", err=True)


@keys_group.command("list")
@pass_ctx
@friendly_errors
def keys_list(context: Context) -> None:
    """The keys this database trusts: name, fingerprint, who added it and when."""
    keys = context.existing_store().trusted_keys()
    if not keys:
        click.echo("no trusted keys (bundles signed by this installation are trusted)", err=True)
    for key in keys:
        click.echo(
            f"{visible(key.name)}\t{key.fingerprint}\t{visible(key.added_by)}\t{key.added_at}"
        )


@keys_group.command("remove")
@click.argument("name")
@pass_ctx
@friendly_errors
def keys_remove(context: Context, name: str) -> None:
    """Stop trusting the key named NAME: its bundles are refused from now on."""
    context.existing_store().forget_key(name)
    click.echo(f"no longer trusted: '{visible(name)}'", err=True)


@keys_group.command("age-identity")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the secret key (owner-only); keep it off the bundle's road.",
)
@force_option
@friendly_errors
def keys_age_identity(out: Path, force: bool) -> None:
    """Make an age key pair for receiving encrypted bundles: the secret key goes to --out
    (give it to `bundle import --identity`), the public key (age1...) is printed, to give
    to whoever exports bundles for you (`bundle export --to`)."""
    import pyrage

    from casereview.io.files import replacing

    if out.exists() and not force:
        raise CasereviewError(f"{out} exists; give --force to replace it")
    identity = pyrage.x25519.Identity.generate()
    public = str(identity.to_public())
    with replacing(out) as tmp:
        tmp.write_text(f"# public key: {public}\n{identity}\n", "utf-8")
    click.echo(public)
    click.echo(f"wrote the secret key to {visible(str(out))}", err=True)
