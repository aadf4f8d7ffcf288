"""The palette's "Export bundle": the highlighted audit as a bundle file for a reviewer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static

from casereview.io.files import safe_target
from casereview.tui.dialogs.export import download_name
from casereview.tui.dialogs.modals import Dialog
from casereview.tui.session import Session, session

if TYPE_CHECKING:
    from casereview.tui.screens.audits import AuditsScreen

TITLE = "Export bundle of the highlighted audit for a reviewer"


class BundleCommands(Provider):
    """On the audits screen: export the highlighted audit's bundle."""

    def _screen(self) -> AuditsScreen | None:
        from casereview.tui.screens.audits import AuditsScreen

        return self.screen if isinstance(self.screen, AuditsScreen) else None

    async def search(self, query: str) -> Hits:
        screen = self._screen()
        if screen is None:
            return
        matcher = self.matcher(query)
        score = matcher.match(TITLE)
        if score > 0:
            yield Hit(score, Content(TITLE), screen.action_export_bundle, text=TITLE)

    async def discover(self) -> Hits:
        screen = self._screen()
        if screen is not None:
            yield DiscoveryHit(Content(TITLE), screen.action_export_bundle, text=TITLE)


def _counts(counts: dict[str, int], reviewer: str | None) -> str:
    return f"{counts['reviews']} reviews, {counts['events']} events" + (
        f" for {reviewer}" if reviewer else ""
    )


def default_name(audit: str, reviewer: str) -> str:
    """`<audit>[-<reviewer>].bundle`, letters, digits and dashes only (encrypted, it is no
    longer a zip)."""
    stem = "-".join(p for p in (audit, reviewer) if p)
    return re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower() + ".bundle"


class BundleDialog(Dialog[str | None]):
    """Reviewer (blank: every review), the recipient's age public key or a passphrase
    (typed twice), and file; Enter on the file writes the bundle, encrypted and signed as
    `bundle export` writes it. The dialog closes with a line saying what was written, or
    stays open saying why not."""

    FIELD = "#bundle-reviewer"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, audit_id: int):
        super().__init__()
        self.audit_id = audit_id

    @property
    def session(self) -> Session:
        return session(self.app)

    def compose(self) -> ComposeResult:
        name = self.session.store.audit(self.audit_id).name
        with Vertical(classes="dialog"):
            yield Label(
                Text.assemble(
                    ("Export bundle: ", "bold"),
                    (name, "bold"),
                    "\nOne sealed, signed file for a laptop; it holds case data and notes, so "
                    "it is encrypted to the recipient's age public key or to a passphrase.",
                )
            )
            yield Input(
                placeholder="reviewer (blank: every review), then Enter", id="bundle-reviewer"
            )
            yield Input(placeholder="recipient's age public key (age1...), or", id="bundle-to")
            yield Input(placeholder="a passphrase", password=True, id="bundle-passphrase")
            yield Input(
                placeholder="the passphrase again", password=True, id="bundle-passphrase-again"
            )
            yield Input(value=default_name(name, ""), id="bundle-file")
            yield Static("", id="bundle-message")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "bundle-reviewer":
            name = self.session.store.audit(self.audit_id).name
            self.query_one("#bundle-file", Input).value = default_name(name, event.value.strip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        order = ["bundle-reviewer", "bundle-to", "bundle-passphrase", "bundle-passphrase-again"]
        if event.input.id in order:
            following = order[order.index(event.input.id) + 1 :] + ["bundle-file"]
            if event.input.id == "bundle-to" and event.value.strip():
                following = ["bundle-file"]  # a key given: no passphrase to ask
            self.query_one(f"#{following[0]}", Input).focus()
            return
        self._write(event.value.strip())

    def _protection(self) -> tuple[list[str], str | None] | None:
        """The age keys or the passphrase the bundle is encrypted to; None (the reason
        shown) when they are not given as they must be."""
        from casereview.core.problems import CasereviewError
        from casereview.io.bundles import protect

        message = self.query_one("#bundle-message", Static)
        key = self.query_one("#bundle-to", Input).value.strip()
        passphrase = self.query_one("#bundle-passphrase", Input).value
        again = self.query_one("#bundle-passphrase-again", Input).value
        if key and passphrase:
            message.update(Text("Give a recipient's key or a passphrase, not both."))
            return None
        if not key and not passphrase:
            message.update(
                Text("A bundle is encrypted: give the recipient's age public key or a passphrase.")
            )
            return None
        if passphrase and passphrase != again:
            message.update(Text("The two passphrases differ; type them again."))
            return None
        try:
            if key:
                protect.recipients([key])
            elif not passphrase:  # pragma: no cover - refused above
                return None
        except CasereviewError as exc:
            message.update(Text(f"Not written: {exc}"))
            return None
        return ([key], None) if key else ([], passphrase)

    def _exported(
        self, target: Path, reviewer: str | None, keys: list[str], passphrase: str | None
    ) -> dict[str, int]:
        """The audit's bundle written to `target` as `bundle export` writes it (format 3, a
        batch of reviews at a time), signed with this installation's key; its counts."""
        from casereview.io.bundles import signing, stream

        store = self.session.store
        signer = None if store.path is None else signing.load_or_create(store.path)
        return stream.export(
            store, self.audit_id, target, reviewer, self.session.reviewer, signer, keys, passphrase
        )

    def _write(self, file: str) -> None:
        from casereview.core.problems import CasereviewError

        message = self.query_one("#bundle-message", Static)
        if not file:
            message.update(Text("Give a file name for the bundle."))
            return
        reviewer = self.query_one("#bundle-reviewer", Input).value.strip() or None
        store = self.session.store
        protection = self._protection()
        if protection is None:
            return
        if self.app.is_web:  # served: the reviewer's browser downloads it, the server keeps none
            self._deliver(download_name(file, "bundle"), reviewer, *protection)
            return
        path = Path(file)
        try:
            target = safe_target(path, store.files())
            if target.exists():
                message.update(Text(f"{file} exists; choose another name (nothing replaced)."))
                return
            counts = self._exported(target, reviewer, *protection)
        except (CasereviewError, OSError) as exc:
            message.update(Text(f"Not written: {exc}"))
            return
        self.dismiss(f"Wrote {file}: {_counts(counts, reviewer)}")

    def _deliver(
        self, name: str, reviewer: str | None, keys: list[str], passphrase: str | None
    ) -> None:
        """The bundle to the browser as a download (as a served export): written to an
        owner-only temporary file, removed at once, and sent from its open handle."""
        import tempfile

        from casereview.core.problems import CasereviewError

        folder = Path(tempfile.mkdtemp(prefix="casereview-bundle-"))
        target = folder / "bundle"
        try:
            counts = self._exported(target, reviewer, keys, passphrase)
            handle = target.open("rb")
        except (CasereviewError, OSError) as exc:
            self.query_one("#bundle-message", Static).update(Text(f"Not made: {exc}"))
            return
        finally:
            target.unlink(missing_ok=True)
            folder.rmdir()
        self.app.deliver_binary(handle, save_filename=name, mime_type="application/octet-stream")
        self.dismiss(
            f"{name} is on its way to your browser as a download: {_counts(counts, reviewer)}"
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
