"""The case pool: search by reference, filter by force, team, offence and date; see its audits."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Select, Static

from casereview.io.imports.csvfile import parse_day
from casereview.tui.screens._base import StoreScreen
from casereview.tui.widgets.bars import KeyBar, TitleBar

LIMIT = 500


class PoolScreen(StoreScreen):
    """Every case imported, filtered as you type."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("slash", "search", "Search", key_display="/"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="pool-filters"):
            yield Input(placeholder="ref, offence or team", id="pool-search")
            # forces and offences are data: Text prompts, since Select reads a str as markup
            yield Select(
                [(Text(f), f) for f in self.store.distinct_values("force")],
                prompt="any force",
                id="pool-force",
            )
            yield Select(
                [(Text(o), o) for o in self.store.distinct_values("offence")],
                prompt="any offence",
                id="pool-offence",
            )
            yield Input(placeholder="from", id="pool-from")
            yield Input(placeholder="to", id="pool-to")
        yield DataTable(id="pool", cursor_type="row", zebra_stripes=True)
        yield Static(id="pool-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        self.sub_title = "case pool"
        self.query_one(DataTable).add_columns(
            "Case", "Force", "Team", "Offence as recorded", "Reported"
        )
        self._refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "/" is a character in references (NM/24/00412): while typing, it is not a key
        if action == "search" and isinstance(self.focused, Input):
            return False
        return True

    def action_search(self) -> None:
        self.query_one("#pool-search", Input).focus()

    def _day(self, field_id: str) -> str | None:
        text = self.query_one(f"#{field_id}", Input).value.strip()
        if not text:
            return None
        try:
            return parse_day(text)
        except ValueError:
            return None

    @on(Input.Changed)
    @on(Select.Changed)
    def _refresh(self) -> None:
        where = {}
        for name in ("force", "offence"):
            value = self.query_one(f"#pool-{name}", Select).value
            if value is not Select.NULL:
                where[name] = str(value)
        search = self.query_one("#pool-search", Input).value.strip() or None
        cases = self.store.cases(
            where=where,
            date_from=self._day("pool-from"),
            date_to=self._day("pool-to"),
            search=search,
            limit=LIMIT + 1,
        )
        table = self.query_one(DataTable)
        table.clear()
        for case in cases[:LIMIT]:
            table.add_row(  # Text cells: DataTable reads a str cell as markup
                *(
                    Text(cell)
                    for cell in (
                        case.case_ref,
                        case.force,
                        case.team or "",
                        case.offence or "",
                        (case.reported_at or "")[:10],
                    )
                ),
                key=str(case.id),
            )
        more = f" (first {LIMIT} shown; narrow the filters)" if len(cases) > LIMIT else ""
        self.query_one("#pool-detail", Static).update(Text(f"{min(len(cases), LIMIT)} cases{more}"))

    @on(DataTable.RowHighlighted)
    def _show(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is None:
            return
        case = self.store.case(int(event.row_key.value))
        audits = self.store.audits_of_case(case.id)
        extra = ", ".join(f"{k}: {v}" for k, v in sorted(case.extra.items()))
        self.query_one("#pool-detail", Static).update(
            Text.assemble(
                (case.case_ref, "bold"),
                f"  {case.offence or ''}  reported {case.reported_at or '-'}, recorded "
                f"{case.recorded_at or '-'}  {case.outcome or ''}\n",
                f"{extra}\n" if extra else "",
                ("In audits: ", "bold"),
                ", ".join(audits) if audits else "none",
            )
        )
