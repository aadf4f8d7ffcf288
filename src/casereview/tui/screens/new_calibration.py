"""The new-calibration form: a name, the checklist version, the cases (by reference from the
pool, or from an audit's sample) and the reviewers who review them blind. Whoever sets it up
is its moderator, who records the gold review."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from casereview.services.sampling import reviewer_names
from casereview.store.errors import StoreError
from casereview.tui.screens._base import StoreScreen
from casereview.tui.widgets.bars import KeyBar, TitleBar

FIELDS = ("name", "checklist", "force", "audit", "cases", "count", "reviewers")
FROM_AUDIT = 10
"""From an audit with no references given: the first this many cases of its sample."""


class NewCalibrationScreen(StoreScreen):
    """Fill in, ctrl+s (or the button) to set it up; Escape leaves."""

    BINDINGS = [
        Binding("ctrl+s", "create", "Set up"),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="calibration-intro")
        with VerticalScroll(id="new-calibration"):
            yield from self._field("Name", Input(placeholder="e.g. Spring calibration", id="name"))
            checklists = [(Text(c.label), c.pk) for c in self.store.checklists()]
            yield from self._field(
                "Checklist",
                Select(
                    checklists,
                    value=checklists[-1][1] if checklists else Select.NULL,
                    id="checklist",
                ),
            )
            forces = [(Text(f), f) for f in self.store.distinct_values("force")]
            yield from self._field(
                "Force", Select(forces, prompt="any (where a reference is one force's)", id="force")
            )
            audits = [(Text(a.name), a.id) for a in self.store.audits()]
            yield from self._field(
                "Cases from", Select(audits, prompt="the pool (references below)", id="audit")
            )
            yield from self._field(
                "Case refs",
                Input(
                    placeholder="comma-separated; from an audit: blank takes its first", id="cases"
                ),
            )
            yield from self._field("How many", Input(str(FROM_AUDIT), id="count"))
            yield from self._field(
                "Reviewers", Input(placeholder="comma-separated; they review blind", id="reviewers")
            )
            with Horizontal(classes="buttons"):
                yield Button("Set up", variant="primary", id="create")
        yield KeyBar()

    def _field(self, label: str, widget: Input | Select) -> ComposeResult:  # type: ignore[type-arg]
        with Horizontal(classes="field"):
            yield Label(label, classes="field-label")
            with Vertical(classes="field-input"):
                yield widget
                yield Label("", id=f"{widget.id}-error", classes="field-error")

    def on_mount(self) -> None:
        self.sub_title = "new calibration"
        self.query_one("#calibration-intro", Static).update(
            Text(
                f"You ({self.reviewer}) are its moderator: you record the gold review, with "
                "the reasons as notes. The reviewers see neither the gold nor each other's "
                "answers until all theirs are recorded."
            )
        )
        self.query_one("#name", Input).focus()

    def action_cancel(self) -> None:
        for select in self.query(Select):
            if select.expanded:
                select.expanded = False
                return
        self.app.pop_screen()

    def _text(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def _error(self, field_id: str, message: str) -> None:
        self.query_one(f"#{field_id}-error", Label).update(Text(message))  # may quote data

    def _case_ids(self) -> list[int] | None:
        """The cases asked for, or None with the problem shown by its field."""
        refs = [r.strip() for r in self._text("cases").split(",") if r.strip()]
        audit_id = self.query_one("#audit", Select).value
        try:
            if audit_id is Select.NULL:
                if not refs:
                    self._error("cases", "give case references, or choose an audit")
                    return None
                force = self.query_one("#force", Select).value
                return self.store.case_ids_by_ref(
                    refs, None if force is Select.NULL else str(force)
                )
            # in sample order; a reference may be two forces' cases (ids, not references, key it)
            rows = self.store.audit_cases(int(str(audit_id)))
            sample = [(ac.case.case_ref, ac.case.id) for ac in rows]
            if refs:
                found = [[i for ref, i in sample if ref == r] for r in refs]
                missing = [r for r, ids in zip(refs, found, strict=True) if len(ids) != 1]
                if missing:
                    self._error(
                        "cases", f"not one case of that audit's sample: {', '.join(missing)}"
                    )
                    return None
                return [ids[0] for ids in found]
            try:
                count = int(self._text("count"))
                if count < 1:
                    raise ValueError
            except ValueError:
                self._error("count", "a whole number of cases, 1 or more")
                return None
            return [i for _, i in sample][:count]
        except StoreError as exc:
            self._error("cases", str(exc))
            return None

    @on(Button.Pressed, "#create")
    def _pressed(self) -> None:
        self.action_create()

    def action_create(self) -> None:
        for field_id in FIELDS:
            self._error(field_id, "")
        checklist_pk = self.query_one("#checklist", Select).value
        if checklist_pk is Select.NULL:
            self._error("checklist", "choose a checklist")
            return
        case_ids = self._case_ids()
        if case_ids is None:
            return
        try:
            info = self.store.create_calibration(
                self._text("name"),
                int(checklist_pk),  # type: ignore[arg-type]
                case_ids,
                self.reviewer,
                reviewer_names(self._text("reviewers")),
                self.reviewer,
            )
        except StoreError as exc:
            said = str(exc)
            field = "name" if "name" in said else "cases" if "case" in said else "reviewers"
            self._error(field, said)
            return
        self.notify(
            f"'{info.name}': {len(info.case_ids)} cases; record the gold (Enter on it).",
            title="Calibration set up",
            markup=False,
        )
        self.app.pop_screen()
