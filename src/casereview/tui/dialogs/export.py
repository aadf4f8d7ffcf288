"""Export from the app: choose what and where, watch the progress bar, get the file."""

from __future__ import annotations

import io
import re
import sqlite3
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select

from casereview.core.problems import CasereviewError
from casereview.io.exports import pipeline as outputs
from casereview.io.files import UnsafeTarget, default_export_folder, safe_target
from casereview.store import Store
from casereview.tui.dialogs.modals import Dialog

FORMATS = [("Excel workbook (.xlsx)", "xlsx"), ("CSV (Excel-safe)", "csv"), ("JSON", "json")]


def download_name(typed: str, fmt: str) -> str:
    """A served session's download name: the typed name's stem, letters, digits, `.`, `_`
    and `-` only (it goes into a header and onto the reviewer's disk), with the format's
    extension."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(typed.strip()).stem).strip(".-") or "export"
    return f"{stem}.{fmt}"


def default_name(audit_name: str, kind: str, fmt: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in audit_name.lower()).strip("-")
    return f"{slug}-{kind}.{fmt}"


PANEL_REDACTS = "Redacted for outside the force: YES (a scrutiny panel's files always are)"


def redact_label(redacted: bool) -> str:
    """The redact checkbox, in words as the notes one is."""
    if redacted:
        return "Redacted for outside the force: YES (pseudonyms, no officers or notes)"
    return "Redacted for outside the force: no (space redacts it)"


def notes_label(included: bool) -> str:
    """The notes checkbox says its state in words: ticked and not look alike but for the
    colour of the X."""
    if included:
        return "Notes and case summaries: INCLUDED (space leaves them out)"
    return "Notes and case summaries: left out (space includes them)"


class ExportScreen(Dialog[Path | None]):
    """Tables are read on the event loop (SQLite stays on one thread); files are written in a
    worker thread so the progress bar moves."""

    FIELD = "#export-kind"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        store: Store,
        audit_name: str,
        kind: str = "questions",
        by: str | None = None,
        folder: Path | None = None,
        redacted_only: bool = False,
    ):
        """Opened from the findings with what they show: the kind for the view, the group
        (`by`) for the grouping, and the folder the last export went to. `redacted_only`
        (a scrutiny panel's): redaction ticked and fixed, notes left out and fixed."""
        super().__init__()
        self.store = store
        self.audit_name = audit_name
        self.kind = kind if kind in outputs.KINDS else "questions"
        self.by = by if outputs.KINDS[self.kind].groupable else None
        self.folder = folder
        self._confirmed: Path | None = None  # an existing file the user chose to replace
        self._default = ""  # the name we suggested (set in compose)
        self._redact = False  # the redact checkbox, as read when Export is pressed
        self.redacted_only = redacted_only

    def _suggested(self, kind: str, fmt: str) -> str:
        """The file the export goes to: in the folder of the last export, else the
        reviewer's documents or data folder; served, a name only (a browser download)."""
        name = default_name(self.audit_name, kind, fmt)
        if self.app.is_web:
            return name
        if self.folder is None:
            self.folder = default_export_folder()
        return str(self.folder / name)

    def compose(self) -> ComposeResult:
        # One line per choice (compact widgets, a label beside each): at 80x24 the dialog
        # then keeps room for a two-line message ("... exists: Export again to replace it").
        self._default = self._suggested(self.kind, "xlsx")
        with Vertical(classes="dialog"):
            yield Label(Text.assemble(("Export", "bold"), " ", self.audit_name))
            kinds = [(k.label, k.name) for k in outputs.KINDS.values()]
            with Horizontal(classes="export-row"):
                yield Label("What", classes="export-label")
                yield Select(
                    kinds, value=self.kind, allow_blank=False, id="export-kind", compact=True
                )
            with Horizontal(classes="export-row"):
                yield Label("By", classes="export-label")
                yield Select(
                    [(Text(g), g) for g in self._groups()],
                    value=self.by if self.by is not None else Select.NULL,
                    prompt="not grouped",
                    id="export-by",
                    compact=True,
                    disabled=not outputs.KINDS[self.kind].groupable,
                )
            with Horizontal(classes="export-row"):
                yield Label("Format", classes="export-label")
                yield Select(
                    FORMATS, value="xlsx", allow_blank=False, id="export-format", compact=True
                )
            with Horizontal(classes="export-row"):
                yield Label("File", classes="export-label")
                yield Input(self._default, id="export-path", compact=True)
            fixed = self.redacted_only
            yield Checkbox(notes_label(False), id="export-notes", compact=True, disabled=fixed)
            yield Checkbox(
                PANEL_REDACTS if fixed else redact_label(False),
                fixed,
                id="export-redact",
                compact=True,
                disabled=fixed,
            )
            yield Label("", id="export-message")
            bar = ProgressBar(id="export-progress", show_eta=False)
            bar.display = False  # shown once writing starts
            yield bar
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export-go", compact=True)
                yield Button("Cancel", id="export-cancel", compact=True)

    def _groups(self) -> list[str]:
        """The findings' groups, then the pool's other fields (a case attribute may be one)."""
        from casereview.services.findings import GROUP_FIELDS_BUILTIN

        names = list(GROUP_FIELDS_BUILTIN)
        names += [n for n in self.store.case_attribute_names() if n not in names]
        if self.by is not None and self.by not in names:
            names.append(self.by)
        return names

    @on(Checkbox.Changed, "#export-notes")
    def _say_notes(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = notes_label(event.value)

    @on(Checkbox.Changed, "#export-redact")
    def _say_redact(self, event: Checkbox.Changed) -> None:
        if not self.redacted_only:
            event.checkbox.label = redact_label(event.value)

    @on(Select.Changed, "#export-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        """Only questions and sections are grouped: the By choice waits for them."""
        by = self.query_one("#export-by", Select)
        by.disabled = not outputs.KINDS[str(event.value)].groupable

    @on(Select.Changed)
    def _rename(self) -> None:
        """Follow the kind and format with the file name, unless the user typed their own."""
        path = self.query_one("#export-path", Input)
        if path.value != self._default:
            return
        kind = self.query_one("#export-kind", Select).value
        fmt = self.query_one("#export-format", Select).value
        self._default = self._suggested(str(kind), str(fmt))
        path.value = self._default

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Changed, "#export-path")
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _choice_changed(self) -> None:
        self._confirmed = None  # a changed export needs its own go-ahead to replace a file
        if self.is_mounted:
            self.query_one("#export-go", Button).label = "Export"

    @on(Input.Changed, "#export-path")
    def _follow_name(self, event: Input.Changed) -> None:
        """A typed .csv, .xlsx or .json name sets the format: never a workbook called .csv."""
        named = outputs.format_named(event.value.strip())
        formats = self.query_one("#export-format", Select)
        if named is not None and formats.value != named:
            formats.value = named

    @on(Button.Pressed, "#export-go")
    @on(Input.Submitted)
    def _go(self) -> None:
        kind = str(self.query_one("#export-kind", Select).value)
        fmt = str(self.query_one("#export-format", Select).value)
        path = Path(self.query_one("#export-path", Input).value.strip()).expanduser().resolve()
        notes = self.query_one("#export-notes", Checkbox).value and not self.redacted_only
        self._redact = self.query_one("#export-redact", Checkbox).value or self.redacted_only
        by_select = self.query_one("#export-by", Select)
        by = None if by_select.disabled or by_select.value is Select.NULL else str(by_select.value)
        message = self.query_one("#export-message", Label)
        if self.app.is_web:  # served: the reviewer's browser downloads it, the server keeps none
            typed = self.query_one("#export-path", Input).value
            self._deliver(download_name(typed, outputs.format_named(typed) or fmt), kind, by, notes)
            return
        if not path.name:
            message.update(Text("Give a file name.", "red"))
            return
        if path.parent == self.folder:  # the data folder the first export there makes
            path.parent.mkdir(parents=True, exist_ok=True)
        if not path.parent.exists():
            message.update(Text(f"No folder {path.parent}.", "red"))
            return
        try:
            path = safe_target(path, self.store.files())
        except UnsafeTarget as exc:
            message.update(Text(str(exc), "red"))
            return
        fmt = outputs.format_named(path) or fmt  # the file name decides (see _follow_name)
        if path.exists() and self._confirmed != path:
            self._confirmed = path
            message.update(Text(f"{path.name} exists: Export again to replace it.", "yellow"))
            self.query_one("#export-go", Button).label = "Replace"
            return
        # Answers and events are read as they are written (a national audit's million rows
        # never sit in memory), on the worker through a read connection of its own.
        stream = self.store.path is not None
        try:
            prepared = outputs.prepare(
                self.store,
                self.audit_name,
                kind,
                fmt,
                by,
                notes,
                stream=stream,
                redact=self._redact,
            )
        except CasereviewError as exc:
            message.update(Text(str(exc), "red"))
            return
        self.query_one("#export-go", Button).disabled = True
        self.query_one("#export-progress", ProgressBar).display = True
        self._write(path, prepared)

    @work(thread=True, exclusive=True)
    def _write(self, path: Path, prepared: outputs.Prepared) -> None:
        bar = self.query_one("#export-progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        reader: Store | None = None
        try:
            if prepared.streamed:
                reader = self.store.reader()  # this thread's own read connection
            outputs.write(prepared, path, self.store.files(), progress, reader)
        except (OSError, sqlite3.Error, CasereviewError) as exc:
            self.app.call_from_thread(
                self.query_one("#export-message", Label).update,
                Text(f"Not written: {exc}", "red"),
            )
            self.app.call_from_thread(
                setattr, self.query_one("#export-go", Button), "disabled", False
            )
            return
        finally:
            if reader is not None:
                reader.close()
        self.app.call_from_thread(self.dismiss, path)

    def _deliver(self, name: str, kind: str, by: str | None, notes: bool) -> None:
        message = self.query_one("#export-message", Label)
        fmt = Path(name).suffix.lstrip(".")
        try:
            # the same request a local export makes: the group-by the screen shows included
            prepared = outputs.prepare(
                self.store, self.audit_name, kind, fmt, by, notes, redact=self._redact
            )
        except CasereviewError as exc:
            message.update(Text(str(exc), "red"))
            return
        self.query_one("#export-go", Button).disabled = True
        self.query_one("#export-progress", ProgressBar).display = True
        self._build(name, prepared)

    @work(thread=True, exclusive=True)
    def _build(self, name: str, prepared: outputs.Prepared) -> None:
        bar = self.query_one("#export-progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        data = outputs.to_bytes(prepared, progress)
        self.app.call_from_thread(self._send, name, data, prepared.fmt)

    def _send(self, name: str, data: bytes, fmt: str) -> None:
        self.app.deliver_binary(
            io.BytesIO(data), save_filename=name, mime_type=outputs.MIME_TYPES[fmt]
        )
        self.app.notify(
            f"{name} is on its way to your browser as a download", title="Exported", markup=False
        )
        self.dismiss(None)
