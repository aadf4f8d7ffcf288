"""The new-audit form: scope, strata, size (with the size needed shown live), seed, reviewers."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from casereview.core import periods
from casereview.core.stats.scoring import sample_size
from casereview.io.imports.csvfile import parse_day
from casereview.services.sampling import (
    SampleError,
    Scope,
    create_sampled_audit,
    new_seed,
    reviewer_names,
)
from casereview.store.errors import StoreError
from casereview.tui.messages import OpenAudit
from casereview.tui.screens._base import StoreScreen
from casereview.tui.widgets.bars import KeyBar, TitleBar

UNGROUPABLE = ("reported_at", "recorded_at", "officer")  # one value per case, near enough


class NewAuditScreen(StoreScreen):
    """Fill in, read the live scope and sample-size line, ctrl+s (or the button) to draw."""

    BINDINGS = [
        Binding("ctrl+s", "create", "Draw sample"),
        # Priority: it may open a dialog, and the y typed straight after it is the dialog's,
        # not a letter in the form's name field (see modals.Dialog).
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        # Docked above the form so the scope and the size it needs stay in view while typing.
        yield Static(id="scope-line")
        with VerticalScroll(id="new-audit"):
            yield from self._field(
                "Name", Input(placeholder="e.g. Force A stalking Q3 2024", id="name")
            )
            # Labels, forces, teams and offences are data: Text prompts (a str is read as markup).
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
            yield from self._field("Force", Select(forces, prompt="any force", id="force"))
            teams = [(Text(t), t) for t in self.store.distinct_values("team")]
            yield from self._field("Team", Select(teams, prompt="any team", id="team"))
            offences = [(Text(o), o) for o in self.store.distinct_values("offence")]
            yield from self._field("Offence", Select(offences, prompt="any offence", id="offence"))
            yield from self._field(
                "Reported from", Input(placeholder="YYYY-MM-DD or dd/mm/yyyy", id="from")
            )
            yield from self._field(
                "Reported to", Input(placeholder="YYYY-MM-DD or dd/mm/yyyy", id="to")
            )
            yield from self._field(
                "Period",
                Input(placeholder="2024-10, 2024, 2024-10..2024-12; blank: the dates", id="period"),
            )
            strata = [(Text(s), s) for s in self._strata()]
            yield from self._field("Stratify by", Select(strata, prompt="no strata", id="stratify"))
            yield from self._field("Margin (±)", Input("0.05", id="margin"))
            yield from self._field("Sample size", Input(placeholder="cases to draw", id="size"))
            yield from self._field("Seed", Input(str(new_seed()), id="seed"))
            yield from self._field(
                "Reviewers", Input(placeholder="comma-separated; round robin", id="reviewers")
            )
            with Horizontal(classes="buttons"):
                yield Button("Draw sample", variant="primary", id="create")
        yield KeyBar()

    def _strata(self) -> list[str]:
        """Any field of the pool's cases (extra attributes too), but not dates or officers:
        strata are a handful of groups, not one per case."""
        return [f for f in self.store.case_attribute_names() if f not in UNGROUPABLE]

    def _field(self, label: str, widget: Input | Select) -> ComposeResult:  # type: ignore[type-arg]
        with Horizontal(classes="field"):
            yield Label(label, classes="field-label")
            with Vertical(classes="field-input"):
                yield widget
                yield Label("", id=f"{widget.id}-error", classes="field-error")

    def action_cancel(self) -> None:
        """Leave, asking first if something was typed that would be lost."""
        from casereview.tui.dialogs.modals import ConfirmScreen

        for select in self.query(Select):
            if select.expanded:  # escape on an open list closes the list, as it did before
                select.expanded = False
                return
        if not any(self._text(f) for f in ("name", "from", "to", "size", "reviewers")):
            self.app.pop_screen()
            return

        def discard(yes: bool | None) -> None:
            if yes:
                self.app.pop_screen()

        self.app.push_screen(
            ConfirmScreen("Discard this new audit?", "What you typed here is not kept."), discard
        )

    def on_mount(self) -> None:
        self.sub_title = "new audit"
        self.query_one("#name", Input).focus()
        self._update_scope()

    # ------------------------------------------------------------- reading the form

    def _text(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def _select(self, field_id: str) -> str | None:
        value = self.query_one(f"#{field_id}", Select).value
        return None if value is Select.NULL else str(value)

    def _error(self, field_id: str, message: str) -> None:
        self.query_one(f"#{field_id}-error", Label).update(Text(message))  # may quote data

    def _scope(self) -> Scope | None:
        where: dict[str, str | list[str]] = {
            k: v for k in ("force", "team", "offence") if (v := self._select(k))
        }
        days: list[str | None] = []
        ok = True
        for field_id in ("from", "to"):
            text = self._text(field_id)
            self._error(field_id, "")
            if not text:
                days.append(None)
                continue
            try:
                days.append(parse_day(text))
            except ValueError:
                self._error(field_id, "not a date (YYYY-MM-DD or dd/mm/yyyy)")
                ok = False
        if ok and days[0] and days[1] and days[0] > days[1]:
            # said where the dates are, in the CLI's words (sampling.Scope.problems)
            self._error("to", f"the report dates run backwards: from {days[0]} to {days[1]}")
            ok = False
        return Scope(where, days[0], days[1]) if ok else None

    def _margin(self) -> float | None:
        self._error("margin", "")
        try:
            margin = float(self._text("margin"))
        except ValueError:
            self._error("margin", "a number such as 0.05 for ±5%")
            return None
        if not 0 < margin < 1:
            self._error("margin", "between 0 and 1 (0.05 is ±5%)")
            return None
        return margin

    @on(Input.Changed, "#name")
    def _name_typed(self, event: Input.Changed) -> None:
        """A name typed clears "an audit needs a name" (Draw checks the name again)."""
        if event.value.strip():
            self._error("name", "")

    @on(Input.Changed)
    @on(Select.Changed)
    def _update_scope(self) -> None:
        """The scope's population and the sample size it needs, as the user types."""
        line = self.query_one("#scope-line", Static)
        scope = self._scope()
        margin = self._margin()
        if scope is None:
            line.update(
                Text("Fix the report dates to see the scope and the sample size.", "yellow")
            )
            return
        population = scope.count(self.store)
        if population == 0:
            line.update(Text("No cases in this scope.", "bold red"))
            return
        needed = sample_size(margin, population=population) if margin else None
        text = Text.assemble("Scope: ", (str(population), "bold"), " cases.")
        if needed is not None and margin is not None:
            text.append(f" For ±{margin:.0%} at 95% confidence you need ")
            text.append(str(needed), "bold")
            text.append(" cases.")
        line.update(text)
        size = self.query_one("#size", Input)
        if needed is not None and not size.value:
            size.placeholder = f"{needed} (press ctrl+s to use it)"

    # ------------------------------------------------------------- creating

    @on(Button.Pressed, "#create")
    def _pressed(self) -> None:
        self.action_create()

    def action_create(self) -> None:
        for field_id in ("name", "checklist", "size", "seed", "period"):
            self._error(field_id, "")
        name = self._text("name")
        checklist_pk = self._select("checklist")
        scope, margin = self._scope(), self._margin()
        ok = scope is not None
        if not name:
            self._error("name", "an audit needs a name")
            ok = False
        elif any(a.name == name for a in self.store.audits()):
            self._error("name", "an audit with this name exists")
            ok = False
        if checklist_pk is None:
            self._error("checklist", "choose a checklist")
            ok = False
        size_text = self._text("size")
        n: int | None = None
        if not size_text and scope is not None and margin is not None:
            n = sample_size(margin, population=scope.count(self.store))
        else:
            try:
                n = int(size_text)
                if n < 1:
                    raise ValueError
            except ValueError:
                self._error("size", "a whole number of cases, 1 or more")
                ok = False
        try:
            seed = int(self._text("seed"))
        except ValueError:
            self._error("seed", "a whole number")
            ok = False
        period = None
        if self._text("period"):  # what it covers in time (trends order audits by it)
            try:
                period = periods.parse(self._text("period"))
            except periods.PeriodError as exc:
                self._error("period", str(exc))
                ok = False
        if not ok or scope is None or n is None or checklist_pk is None:
            return
        reviewers = reviewer_names(self._text("reviewers"))
        try:
            audit, _sample, _pool = create_sampled_audit(
                self.store,
                name,
                int(checklist_pk),
                n,
                seed,
                scope,
                self.reviewer,
                self._select("stratify"),
                reviewers,
                period,
            )
        except SampleError as exc:
            self._error("size", str(exc))
            return
        except StoreError as exc:
            self._error("name", str(exc))
            return
        self.notify(
            f"Drew {n} cases for '{audit.name}' (seed {seed}).", title="Audit created", markup=False
        )
        self.app.pop_screen()
        self.app.post_message(OpenAudit(audit.id))
