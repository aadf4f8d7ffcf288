"""casereview serve: the app in reviewers' browsers, each signed in with an account."""

from __future__ import annotations

from pathlib import Path

import click

from casereview.cli.base import Context, fail, friendly_errors, pass_ctx


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port; the URL printed says which).",
)
@click.option(
    "--certfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TLS certificate (PEM), needed to listen on anything but loopback.",
)
@click.option(
    "--keyfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The certificate's private key (PEM).",
)
@click.option(
    "--public-url",
    help="The address reviewers open, when a reverse proxy is in front (https://... if the "
    "proxy does TLS: the session cookie is then marked Secure).",
)
@click.option(
    "--max-sessions",
    type=click.IntRange(1, 10_000),
    help="Browser sessions open at once, all reviewers (each is an app process of about "
    "50 MB). Default: sized from the host's free memory at start, 64 MB a session after "
    "512 MB kept back (at least 4, at most 1000). The next browser is told the server is "
    "full and how to make room.",
)
@click.option(
    "--max-sessions-each",
    type=click.IntRange(1, 1000),
    default=8,
    show_default=True,
    help="Sessions one reviewer may have open at once (tabs left open count).",
)
@click.option(
    "--no-preload",
    is_flag=True,
    help="Start each session's app as a fresh Python process instead of forking it from one "
    "template process that has loaded the app once (slower to start, about 0.4 s of CPU a "
    "session, and more memory; for comparison, or if a fork misbehaves).",
)
@pass_ctx
@friendly_errors
def serve_cmd(
    context: Context,
    host: str,
    port: int,
    certfile: Path | None,
    keyfile: Path | None,
    public_url: str | None,
    max_sessions: int | None,
    max_sessions_each: int,
    no_preload: bool,
) -> None:
    """Serve the app to reviewers' browsers: each signs in with an account (`users add`) and
    reviews under that name. Ctrl+C stops it and ends every session."""
    from casereview.serve.server import CaseReviewServer, is_loopback

    if (certfile is None) != (keyfile is None):
        fail("--certfile and --keyfile go together")
    if certfile is None and not is_loopback(host):
        fail(
            f"refusing to serve on {host} without TLS: passwords and case files would cross "
            "the network readable by anyone on it. Give --certfile and --keyfile, or serve on "
            "127.0.0.1 behind a reverse proxy that does TLS (README: A team on one server)"
        )
    if public_url and not public_url.startswith(("http://", "https://")):
        fail("--public-url is an address such as https://review.example.org")
    store = context.existing_store()
    if store.readonly:
        reason = "it is on a network file system" if store.network_fs else "it is read-only"
        fail(f"cannot serve {context.db_path}: {reason}, and served sessions save answers in it")
    if not store.users():
        fail("no accounts to sign in with yet: add one with `casereview users add NAME`")
    for warning in store.ensure_shipped_checklists():
        click.echo(f"warning: {warning}", err=True)
    ssl_context = None
    if certfile is not None and keyfile is not None:
        import ssl

        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            ssl_context.load_cert_chain(certfile, keyfile)
        except (ssl.SSLError, OSError) as exc:
            fail(f"cannot use {certfile} with {keyfile}: {exc}")
    # the server takes this store: a second connection in one process is one too many
    server = CaseReviewServer(
        store,
        host=host,
        port=port,
        ssl_context=ssl_context,
        public_url=public_url,
        max_sessions=max_sessions,
        max_sessions_each=max_sessions_each,
        preload=not no_preload,
    )
    server.run(announce=click.echo)
