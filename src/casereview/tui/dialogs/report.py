"""A report from the app: the findings report of an audit, or the trend report of the
audits on the Trends screen, in Word or Markdown. Written to a file, or (served) sent to the
reviewer's browser as a download, as exports are."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select

from casereview.core.problems import CasereviewError
from casereview.io.files import UnsafeTarget, default_export_folder, replacing, safe_target
from casereview.io.reports.blocks import Block
from casereview.io.reports.files import MIME_TYPES, REPORT_FORMATS, report_bytes
from casereview.store import Store
from casereview.tui.dialogs.export import PANEL_REDACTS, download_name, redact_label
from casereview.tui.dialogs.modals import Dialog


class ReportDialog(Dialog[Path | None]):
    """`blocks` makes the report's content (on the event loop: it reads the store), given
    whether it may name officers (not when redacted); the file is rendered in a worker
    thread (Word draws its charts with matplotlib)."""

    FIELD = "#report-format"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        store: Store,
        title: str,
        stem: str,
        blocks: Callable[[bool], Sequence[Block]],
        folder: Path | None = None,
        redacted_only: bool = False,
    ):
        """`redacted_only` (a scrutiny panel's): the report is redacted, and says so."""
        super().__init__()
        self.redacted_only = redacted_only
        self.store = store
        self.what = title
        self.stem = "".join(ch if ch.isalnum() else "-" for ch in stem.lower()).strip("-")
        self.blocks = blocks
        self.folder = folder

    def _suggested(self, fmt: str) -> str:
        name = f"{self.stem}.{fmt}"
        if self.app.is_web:  # a browser download: a name only
            return name
        return str((self.folder or default_export_folder()) / name)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text.assemble(("Report", "bold"), " ", self.what))
            with Horizontal(classes="export-row"):
                yield Label("Format", classes="export-label")
                formats = [(label, fmt) for fmt, label in REPORT_FORMATS.items()]
                yield Select(
                    formats, value="docx", allow_blank=False, id="report-format", compact=True
                )
            with Horizontal(classes="export-row"):
                yield Label("File", classes="export-label")
                yield Input(self._suggested("docx"), id="report-path", compact=True)
            fixed = self.redacted_only
            yield Checkbox(
                PANEL_REDACTS if fixed else redact_label(False),
                fixed,
                id="report-redact",
                compact=True,
                disabled=fixed,
            )
            yield Label("", id="report-message")
            with Horizontal(classes="buttons"):
                yield Button("Make report", variant="primary", id="report-go", compact=True)
                yield Button("Cancel", id="report-cancel", compact=True)

    @on(Select.Changed, "#report-format")
    def _rename(self, event: Select.Changed) -> None:
        path = self.query_one("#report-path", Input)
        fmt = str(event.value)
        path.value = str(Path(path.value).with_suffix(f".{fmt}")) if path.value else ""

    @on(Checkbox.Changed, "#report-redact")
    def _say_redact(self, event: Checkbox.Changed) -> None:
        if not self.redacted_only:
            event.checkbox.label = redact_label(event.value)

    @on(Button.Pressed, "#report-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#report-go")
    @on(Input.Submitted)
    def _go(self) -> None:
        fmt = str(self.query_one("#report-format", Select).value)
        typed = self.query_one("#report-path", Input).value.strip()
        message = self.query_one("#report-message", Label)
        target: Path | None = None
        if not self.app.is_web:
            target = Path(typed).expanduser().resolve()
            if target.parent == default_export_folder():
                target.parent.mkdir(parents=True, exist_ok=True)
            try:
                target = safe_target(target, self.store.files())
            except UnsafeTarget as exc:
                message.update(Text(str(exc), "red"))
                return
        redact = self.query_one("#report-redact", Checkbox).value or self.redacted_only
        blocks = list(self.blocks(not redact))
        if redact:
            from casereview.core.redaction import Redaction
            from casereview.io.reports.redacted import redacted_blocks

            try:
                key = self.store.redaction_key()
            except CasereviewError as exc:
                message.update(Text(str(exc), "red"))
                return
            blocks = redacted_blocks(blocks, Redaction(key))
        self.query_one("#report-go", Button).disabled = True
        message.update(Text("Making the report...", "dim"))
        self._make(blocks, fmt, target, download_name(typed, fmt))

    @work(thread=True, exclusive=True)
    def _make(self, blocks: list[Block], fmt: str, target: Path | None, name: str) -> None:
        data = report_bytes(blocks, fmt)
        if target is not None:
            with replacing(target, self.store.files()) as tmp:
                tmp.write_bytes(data)
        self.app.call_from_thread(self._done, data, fmt, target, name)

    def _done(self, data: bytes, fmt: str, target: Path | None, name: str) -> None:
        if target is None:  # served: the reviewer's browser downloads it
            self.app.deliver_binary(io.BytesIO(data), save_filename=name, mime_type=MIME_TYPES[fmt])
            self.app.notify(
                f"{name} is on its way to your browser as a download", title="Report", markup=False
            )
        self.dismiss(target)
