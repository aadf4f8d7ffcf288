"""casereview bundle ...: an audit carried off the network as one checked file, and merged back."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from casereview.cli import secrets
from casereview.cli.base import (
    Context,
    force_option,
    friendly_errors,
    output_target,
    pass_ctx,
    warn,
)
from casereview.core.text import visible

if TYPE_CHECKING:
    from casereview.core.bundles.batching import Totals
    from casereview.core.bundles.merge import Bundle, Plan
    from casereview.io.bundles.stream import Streamed
    from casereview.store import Store


@click.group("bundle")
def bundle_group() -> None:
    """Carry an audit to a laptop and back: one sealed, signed, encrypted file, merged by
    identity.

    A bundle holds case data and notes: it is encrypted (age) to the recipient's public key
    or to a passphrase, and signed with this installation's key (`casereview keys`).
    """


@bundle_group.command("export")
@click.option("--audit", "audit_name", required=True, help="The audit to bundle.")
@click.option("--reviewer", help="Only this reviewer's reviews (default: every review).")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Bundle file."
)
@click.option(
    "--to",
    "to_keys",
    multiple=True,
    metavar="age1...",
    help="Encrypt to this age public key (repeat for more recipients).",
)
@click.option(
    "--to-file",
    "to_files",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Encrypt to every age public key in this file (one a line, # comments).",
)
@secrets.passphrase_options
@click.option(
    "--plain",
    is_flag=True,
    help="Write it unencrypted (still sealed and signed), as before; a warning says so.",
)
@force_option
@pass_ctx
@friendly_errors
def bundle_export(
    context: Context,
    audit_name: str,
    reviewer: str | None,
    out: Path,
    to_keys: tuple[str, ...],
    to_files: tuple[Path, ...],
    passphrase_file: Path | None,
    passphrase_stdin: bool,
    plain: bool,
    force: bool,
) -> None:
    """Write an audit (checklist, scope, sample, assignment) and its reviews, answers, notes
    and events to one sealed file, signed with this installation's key, owner-only. The action
    plan of each force of the sample travels with it, with the plan's trail.

    Encrypted by default: to age public keys (--to, --to-file) or to a passphrase (asked
    twice at the terminal, or --passphrase-file / --passphrase-stdin). Without a terminal
    and without either, it refuses at once; --plain writes it unencrypted.

    A blind second reviewer's bundle (theirs, or one they export) leaves out the other
    reviews of the cases whose pair is still open.
    """
    from casereview.io.bundles import protect, signing, stream

    keys = [*to_keys, *(key for file in to_files for key in protect.key_lines(file))]
    passphrase = secrets.given_passphrase(passphrase_file, passphrase_stdin)
    chosen = [name for name, given in (("--to/--to-file", to_keys or to_files),
              ("a passphrase", passphrase is not None), ("--plain", plain)) if given]  # fmt: skip
    if len(chosen) > 1:
        raise click.UsageError(f"give one of {', '.join(chosen)}: a bundle is protected one way")
    store = context.existing_store()
    target = output_target(out, force, store)  # a wrong --out refused before the passphrase
    if to_keys or to_files:
        protect.recipients(keys)  # a wrong key, or a key file with none, refused before any work
    elif not plain and passphrase is None:
        passphrase = secrets.asked_passphrase(
            True,
            "a bundle is encrypted: give the recipient's age public key (--to age1... or "
            "--to-file FILE), or a passphrase (--passphrase-file FILE or --passphrase-stdin; "
            "at a terminal it is asked), or --plain for an unencrypted bundle; nothing was "
            "written",
        )
    audit = store.audit_named(audit_name)
    signer = signing.load_or_create(context.db_path)
    # format 3, written a batch of reviews at a time (io.bundles.stream)
    counts = stream.export(
        store, audit.id, target, reviewer, context.reviewer, signer, keys, passphrase
    )
    if not keys and passphrase is None:
        warn([f"{out} is not encrypted (--plain): it holds case data and notes in the clear"])
    click.echo(
        f"wrote {visible(str(out))}: audit '{visible(audit.name)}', {counts['cases']} "
        f"cases, {counts['reviews']} reviews, {counts['events']} events"
        + (f", the action plan of {counts['plans']} force(s)" if counts["plans"] else "")
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
@click.option(
    "--identity",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The age secret key file (AGE-SECRET-KEY-1...) to decrypt a bundle encrypted to a key.",
)
@secrets.passphrase_options
@click.option(
    "--trust-once",
    is_flag=True,
    help="Import a bundle that is unsigned or signed by a key this database does not trust, "
    "this once (recorded with the import). A signature that does not verify is never let "
    "through.",
)
@pass_ctx
@friendly_errors
def bundle_import(
    context: Context,
    file: Path,
    dry_run: bool,
    settle: str | None,
    identity: Path | None,
    passphrase_file: Path | None,
    passphrase_stdin: bool,
    trust_once: bool,
) -> None:
    """Merge a bundle: new reviews and events added, reviews changed only in the bundle
    brought up to date, the same bundle twice changes nothing. A review changed on both
    sides is a conflict: each is listed and nothing is written (exit 2), unless --settle
    says which side's answers stand. The action plans it carries merge the same way: an
    action's field changed on both sides to different values is a listed conflict.

    An encrypted bundle is opened with --identity or its passphrase (asked at the
    terminal, or --passphrase-file / --passphrase-stdin). Its signature must verify and its
    key be trusted here (`casereview keys add`, or this installation's own), else it is
    refused (exit 2) unless --trust-once.
    """
    from casereview.io.bundles import archive as bundle

    given = secrets.given_passphrase(passphrase_file, passphrase_stdin)

    def passphrase() -> str:
        return given or secrets.asked_passphrase(
            False,
            f"{file} is encrypted to a passphrase: give it with --passphrase-file FILE or "
            "--passphrase-stdin (at a terminal it is asked); nothing was imported",
        )

    # decrypted, then the seal, the manifest, the signature and (format 1 and 2, read
    # whole) the content's own rules; format 3 is checked a batch at a time as it merges
    checked = bundle.read(file, identity, passphrase)
    from casereview.core.bundles.merge import Bundle

    try:
        result = _imported(context, checked, file, dry_run, settle, trust_once)
    finally:
        if not isinstance(checked, Bundle):
            checked.close()
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


def _imported(
    context: Context,
    checked: Bundle | Streamed,
    file: Path,
    dry_run: bool,
    settle: str | None,
    trust_once: bool,
) -> Plan | Totals:
    if not context.db_path.exists() and dry_run:
        from casereview.store import Store

        store = Store.memory()  # planned as for a new database, and none is made
        try:
            signed_by = _trusted(context, store, checked, file, trust_once)
            result = _merged(store, checked, file, context.reviewer, dry_run=True)
            _on_trust_once(result, file, signed_by)
        finally:
            store.close()
        return result
    return _merge(context, checked, file, dry_run, settle, trust_once)


def _merged(
    store: Store, checked: Bundle | Streamed, file: Path, actor: str, **how: Any
) -> Plan | Totals:
    """The merge of a bundle read whole (format 1, 2) or streamed (format 3)."""
    from casereview.core.bundles.merge import Bundle

    if isinstance(checked, Bundle):
        return store.merge_bundle(checked, str(file), actor, **how)
    return store.merge_streamed(checked, str(file), actor, **how)


def _trusted(
    context: Context, store: Store, checked: Bundle | Streamed, file: Path, trust_once: bool
) -> str:
    """Who signed the bundle, as the import records it (and, on --trust-once, warns once it
    is imported); a BundleError (exit 2, naming the key's fingerprint) for an unsigned or
    untrusted bundle without --trust-once."""
    from casereview.core.bundles.merge import BundleError
    from casereview.io.bundles import signing

    name = visible(str(file))
    if checked.signer is None:
        if not trust_once:
            raise BundleError(
                f"{name} is not signed (made by a casereview before signing, or its signature "
                "was removed): nobody vouches for what it holds; import it with --trust-once "
                "if you know where it came from; nothing was imported"
            )
        return "unsigned; --trust-once"
    fingerprint = signing.fingerprint(checked.signer)
    own = signing.key_path(context.db_path)
    if own.exists() and signing.public_text(signing.load_or_create(context.db_path)) == (
        checked.signer
    ):
        return f"this installation ({fingerprint})"
    trusted = store.trusted_key(checked.signer)
    if trusted is not None:
        return f"{trusted.name} ({fingerprint})"
    if not trust_once:
        raise BundleError(
            f"{name} is signed by key {fingerprint}, which this database does not trust; "
            f"trust it with `casereview keys add NAME {checked.signer}` once you have checked "
            "its fingerprint with its owner, or import with --trust-once; nothing was imported"
        )
    return f"untrusted key {fingerprint}; --trust-once"


def _on_trust_once(result: Plan | Totals, file: Path, signed_by: str) -> None:
    if signed_by.endswith("--trust-once"):
        result.warnings.append(f"{file}: {signed_by.replace(';', ', taken on')}")


def _merge(
    context: Context,
    checked: Bundle | Streamed,
    file: Path,
    dry_run: bool,
    settle: str | None,
    trust_once: bool,
) -> Plan | Totals:
    """The merge into --db. A database this import creates and then refuses (or fails) to
    fill is removed again, with the files SQLite keeps beside it: a refused import leaves
    nothing behind."""
    new = not context.db_path.exists()
    store = context.store
    try:
        signed_by = _trusted(context, store, checked, file, trust_once)
        result = _merged(
            store, checked, file, context.reviewer, dry_run=dry_run, settle=settle,
            signed_by=signed_by,
        )  # fmt: skip
        _on_trust_once(result, file, signed_by)
        return result
    except BaseException:
        if new:
            store.close()  # (closed again at the command's end is no harm)
            for path in store.files():
                path.unlink(missing_ok=True)
        raise
