"""Findings: compliance per section and question with intervals, by group, tag and agreement."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Static

from casereview.core.access import is_panel, units_for
from casereview.core.problems import CasereviewError
from casereview.core.stats import scoring
from casereview.services import agreement, findings
from casereview.tui.dialogs.export import ExportScreen
from casereview.tui.screens._base import StoreScreen, highlighted_key
from casereview.tui.widgets.bars import KeyBar, TitleBar
from casereview.tui.widgets.figures import BAR, figure_text, interval_bar
from casereview.tui.widgets.row_detail import RowDetail

VIEWS = ("sections", "concerns", "themes", "recommendations", "agreement")
GROUPS = (None, "force", "team", "reviewer", "stratum")


class FindingsScreen(StoreScreen):
    """Sections as bars with intervals; Enter drills into a section's questions."""

    BINDINGS = [
        # priority: the focused DataTable's own (hidden) enter would otherwise take the key's
        # place in the footer, and the footer would not say what Enter does
        Binding("enter", "drill", "Questions", priority=True),
        # opens a list that owns the keyboard from this key (see modals.Dialog)
        Binding("l", "flagged", "Cases No/Partly", priority=True),
        Binding("g", "group", "Group by"),
        Binding("v", "view", "View"),
        Binding("x", "export", "Export", priority=True),  # opens a dialog: see modals.Dialog
        # the 80-column key bar is full: the funnel is in the palette (commands.hidden_key_commands)
        Binding("f", "funnel", "Funnel", show=False, tooltip="The figure across forces or teams"),
        Binding(
            "d",
            "lqas",
            "LQAS verdicts",
            show=False,
            tooltip="Meets / does not meet / not enough files",
        ),
        # the key bar is full at 80 columns: shown in the help and the palette (issue 30)
        Binding("w", "report", "Report", show=False, priority=True, tooltip="Word or Markdown"),
        # an action in the force's plan from the highlighted question (a dialog; palette too)
        Binding(
            "a",
            "draft_action",
            "Draft an action",
            show=False,
            priority=True,
            tooltip="In the force's action plan, from this question",
        ),
        Binding("escape", "back", "Back"),
    ]
    PANEL_CLOSED = {  # (core.access)
        "flagged": "case references, reviewers' names or notes",
        "draft_action": "a change to a force's plan",
    }

    view: reactive[str] = reactive("sections", init=False)
    group: reactive[str | None] = reactive(None, init=False)
    section: reactive[str | None] = reactive(None, init=False)

    def __init__(self, audit_id: int):
        super().__init__()
        self.audit_id = audit_id
        self._ready = False  # reactive watchers fire before the table exists
        # The audit as findings.load read it, per group, while the trail's newest entry is
        # `_loaded_at`: v, g and Enter redraw from it; any write since (a review completed
        # from the cases list, another process) makes the next redraw read it afresh.
        self._loaded: dict[str | None, findings.AuditData] = {}
        self._loaded_at: int | None = None
        self._unknowns = False  # whether any counted answer is unknown: figures say so

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="findings-title")
        yield DataTable(id="findings", cursor_type="row", zebra_stripes=True)
        yield RowDetail(id="findings-row")
        yield Static(id="findings-note")
        yield KeyBar()

    def on_mount(self) -> None:
        self._ready = True

    def on_screen_resume(self) -> None:
        # Also sent when first shown. Back from a review opened from the list of cases, or
        # from the export dialog: redraw (from the cache, unless something was written).
        self.refresh_table()

    def _data(self, audit_name: str, group: str | None) -> findings.AuditData:
        mark = self.store.last_event_id()
        if mark != self._loaded_at:
            self._loaded, self._loaded_at = {}, mark
        if group not in self._loaded:
            self._loaded[group] = findings.load(self.store, audit_name, group)
        return self._loaded[group]

    def watch_view(self) -> None:
        self.refresh_table()

    def watch_group(self) -> None:
        self.refresh_table()

    def watch_section(self) -> None:
        self.refresh_table()

    def refresh_table(self) -> None:
        if not self._ready:
            return
        table = self.query_one(DataTable)
        keep = highlighted_key(table)  # the row to come back to, when it is still there
        table.clear(columns=True)
        title = self.query_one("#findings-title", Static)
        note = self.query_one("#findings-note", Static)
        audit = self.store.audit(self.audit_id)
        self.sub_title = f"{audit.name} - findings"
        try:
            data = self._data(audit.name, self.group)
        except CasereviewError as exc:
            title.update(Text(str(exc), "bold yellow"))
            note.update("Complete some reviews, then come back (findings count completed reviews).")
            return
        self._unknowns = any("unknown" in r.answers.values() for r in data.counted)
        grouped_view = self.view == "sections"  # tags and agreement are never split by group
        grouping = f", by {self.group}" if self.group and grouped_view else ""
        titles = {sec.id: sec.title for sec in data.checklist.sections}
        what = self.view if self.section is None else f"questions in {titles[self.section]}"
        title.update(
            Text.assemble(
                (f"{audit.name}", "bold"),
                f"  {len(data.counted)} completed reviews - {what}{grouping}",
            )
        )
        note.update(
            Text(
                "█ compliance (dim inside its 95% interval), ▒ the interval above it. Sections: "
                f"share of cases meeting the section in full. {scoring.SMALL_MARK} fewer than "
                f"{scoring.SMALL_N} applicable answers; unknown answers are left out and counted "
                "after the figure. Red ids: critical.",
                "dim",
            )
        )
        if self.view == "agreement":
            self._agreement(data)
        elif self.section is not None:
            self._questions(data)
        elif self.view == "sections":
            self._sections(data)
        else:
            self._tags(data)
        if keep is not None and keep in {k.value for k in table.rows}:
            table.move_cursor(row=table.get_row_index(keep))

    def _columns(
        self, first: str, data: findings.AuditData
    ) -> list[tuple[str | None, list[scoring.ReviewRecord]]]:
        """Adds the columns; returns the groups with their reviews ((None, all) ungrouped).

        findings.groups() is the exports' grouping too: by reviewer, a case and all its
        reviews sit under its primary reviewer, so no case is counted twice."""
        table = self.query_one(DataTable)
        split = findings.groups(data, self.group)
        if self.group is None:
            table.add_columns(first, self._bar_heading, "Figures")
        else:
            # group names (forces, teams, reviewers) are data: Text labels, never markup
            table.add_columns(first, *(Text(g or "") for g, _ in split))
        return split

    @property
    def _bar(self) -> int:
        """Bars shrink on narrow terminals so the counts always fit."""
        return max(10, min(BAR, (self.size.width - 60) // 2))

    @property
    def _bar_heading(self) -> str:
        """The bars' column heading, no wider than the bars (the column is as wide as both)."""
        return "Compliance, 95% CI" if self._bar >= 18 else "Compliance"

    @property
    def _label(self) -> int:
        """What the figure leaves for the label: 44 columns, 12 more where it says unknowns
        ('; 12 unknown'); the whole label is under the table (RowDetail)."""
        return max(18, self.size.width - self._bar - 44 - 12 * self._unknowns)

    def _sections(self, data: findings.AuditData) -> None:
        table = self.query_one(DataTable)
        split = self._columns("Section", data)
        groups = [g for g, _ in split]
        per_group = {
            g: {f.section_id: f for f in scoring.audit_section_figures(data.checklist, rs)}
            for g, rs in split
        }
        for section in data.checklist.sections:
            cells: list[Text | str] = [Text(section.title[: self._label], "bold")]
            for g in groups:
                fig = per_group[g].get(section.id)
                if fig is None:
                    cells += ["-"] if g is not None else ["-", "-"]
                    continue
                figure = figure_text(
                    fig.n_full,
                    fig.n_cases,
                    fig.share_full,
                    fig.ci_low,
                    fig.ci_high,
                    unknown=fig.unknown,
                    scored_as_no=fig.unknown_scored,
                    unknown_unit=" answer" if self.size.width >= 100 else "",
                )
                if g is None:
                    cells += [
                        interval_bar(fig.share_full, fig.ci_low, fig.ci_high, self._bar),
                        figure,
                    ]
                else:
                    cells.append(figure)
            table.add_row(*cells, key=section.id)

    def _questions(self, data: findings.AuditData) -> None:
        table = self.query_one(DataTable)
        split = self._columns("Question", data)
        groups = [g for g, _ in split]
        per_group = {
            g: {f.question_id: f for f in scoring.audit_question_figures(data.checklist, rs)}
            for g, rs in split
        }
        section = next(s for s in data.checklist.sections if s.id == self.section)
        standards = [q for q in section.questions if q.scored]
        facts = [q for q in section.questions if not q.scored]
        for q in standards:
            text = q.text[: self._label - len(q.id) - 1]
            label = Text.assemble((q.id, "bold red" if q.critical else "bold"), f" {text}")
            cells: list[Text | str] = [label]
            for g in groups:
                fig = per_group[g][q.id]
                figure = figure_text(
                    fig.credit,
                    fig.n_applicable,
                    fig.compliance,
                    fig.ci_low,
                    fig.ci_high,
                    unknown=fig.unknown,
                    scored_as_no=fig.unknown_scored,
                )
                if g is None:
                    cells += [
                        interval_bar(fig.compliance, fig.ci_low, fig.ci_high, self._bar),
                        figure,
                    ]
                else:
                    cells.append(figure)
            table.add_row(*cells, key=q.id)
        if not facts:
            return
        # Facts about the cases are context, not compliance: a block of their own, the share
        # of cases where the fact holds, and no bar that could be read as a score.
        width = 1 + (2 if self.group is None else len(groups))
        table.add_row(
            Text("Context: facts, not scored", "bold italic"), *[""] * (width - 1), key="context"
        )
        for q in facts:
            text = q.text[: self._label - len(q.id) - 1]
            cells = [Text.assemble((q.id, "italic"), f" {text}")]
            for g in groups:
                fig = per_group[g][q.id]
                figure = figure_text(
                    fig.yes,
                    fig.n_applicable,
                    fig.prevalence,
                    fig.prevalence_low,
                    fig.prevalence_high,
                    unit=" cases" if self.size.width >= 100 else "",  # the figure must fit
                    unknown=fig.unknown,
                )
                cells += [Text("prevalence", "italic grey50"), figure] if g is None else [figure]
            table.add_row(*cells, key=q.id)

    def _tags(self, data: findings.AuditData) -> None:
        """Questions pooled by their concern, theme or recommendation tag."""
        table = self.query_one(DataTable)
        table.add_columns(self.view[:-1].capitalize(), self._bar_heading, "Figures", "Questions")
        for label, pooled in findings.tag_figures(data, self.view):
            low, high, p = pooled.ci_low, pooled.ci_high, pooled.compliance
            table.add_row(
                Text(label[: self._label], "bold"),
                interval_bar(p, low, high, self._bar),
                figure_text(
                    pooled.credit,
                    pooled.n_applicable,
                    p,
                    low,
                    high,
                    unknown=pooled.unknown,
                    scored_as_no=pooled.unknown_scored,
                ),
                Text(", ".join(pooled.question_ids)),
            )
        self.query_one("#findings-note", Static).update(
            Text(
                "Tag figures pool the answers to every question with the tag; answers from one "
                "case are not independent, so read the interval as a guide.",
                "dim",
            )
        )

    def _agreement(self, data: findings.AuditData) -> None:
        """Each section's pooled agreement first, then the questions, worst first."""
        table = self.query_one(DataTable)
        table.add_columns("Section / question", *agreement.CELL_HEADINGS)
        by_section = agreement.agreement_figures(data)
        figs = [f for section in by_section for f in section.questions]
        if not any(f.n_pairs for f in figs):
            self.query_one("#findings-note", Static).update(
                "No case has both a completed primary and a completed second review yet."
            )
            return

        titles = {sec.id: sec.title for sec in data.checklist.sections}
        # Pairs, Agree, Kappa with its interval, AC1 and Band take about 64 columns.
        width = max(24, self.size.width - 64)
        for section_id, _questions, pooled in by_section:
            title = titles[section_id][: width - 16]
            label = Text.assemble((title, "bold"), (" (all questions)", "dim"))
            table.add_row(
                label, *map(Text, agreement.figure_cells(pooled)), key=f"section:{section_id}"
            )
        # Worst first: the questions where reviewers disagree most need better guidance.
        ordered = sorted(
            (f for f in figs if f.n_pairs),
            key=lambda f: (f.kappa if f.kappa is not None else 2.0, f.agree_pct or 0.0),
        )
        for fig in ordered:
            q = data.checklist.question(fig.question_id)
            text = q.text[: width - len(q.id) - 1]
            label = Text.assemble((q.id, "bold"), f" {text}")
            table.add_row(label, *map(Text, agreement.figure_cells(fig)), key=q.id)
        self.query_one("#findings-note", Static).update(
            Text(
                "A section row pools the answer pairs of all its questions (Pairs counts "
                "answers; a question hidden from both reviewers is left out); the questions "
                "follow, worst first. Kappa bands: Landis & Koch (1977), given on "
                f"{scoring.SMALL_N} pairs or more; AC1: Gwet (2008), steadier than kappa when "
                "one answer dominates.",
                "dim",
            )
        )

    def action_flagged(self) -> None:
        """The cases that answered No, Partly or Unknown to the highlighted question or
        section, with their notes; Enter opens one's review."""
        from casereview.tui.screens.finding_cases import open_flagged

        if not self.panel_refused("flagged"):
            open_flagged(self)

    @on(DataTable.RowHighlighted)
    def _show_row(self) -> None:
        """The highlighted section's or question's whole title, cut in the table."""
        key = highlighted_key(self.query_one(DataTable)) or ""
        data = self._loaded.get(self.group)
        section_id = key.removeprefix("section:")
        found = data and next((s for s in data.checklist.sections if s.id == section_id), None)
        if found:
            self.query_one(RowDetail).show((found.title, "bold"))
        elif data and data.checklist.has_question(key):
            self.query_one(RowDetail).show((key, "bold"), " ", data.checklist.question(key).text)
        else:
            self.query_one(RowDetail).show("")

    def action_drill(self) -> None:
        key = highlighted_key(self.query_one(DataTable))
        if self.view != "sections" or self.section is not None or key is None:
            return
        self.section = key

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def action_group(self) -> None:
        groups = units_for(self.session.role, GROUPS)  # a scrutiny panel: no names
        self.group = groups[(groups.index(self.group) + 1) % len(groups)]

    def action_view(self) -> None:
        self.section = None
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]

    def action_export(self) -> None:
        """The export dialog, set to what is on screen: the kind this view shows, the group
        (`g`) for the grouped views, and the folder the last export went to."""
        audit = self.store.audit(self.audit_id)

        def done(path: Path | None) -> None:
            if path is not None:
                self.session.export_folder = path.parent
                self.notify(f"Wrote {path}", title="Exported", markup=False)

        if self.view == "agreement":
            kind = "agreement"
        elif self.view == "sections" and self.section is None:
            kind = "sections"
        else:
            kind = "questions"
        by = self.group if self.view == "sections" else None
        self.app.push_screen(
            ExportScreen(
                self.store,
                audit.name,
                kind,
                by,
                self.session.export_folder,
                redacted_only=is_panel(self.session.role),  # a scrutiny panel's: redacted
            ),
            done,
        )

    def action_funnel(self) -> None:
        """The highlighted figure across units, against the noise their n allows."""
        from casereview.tui.screens.funnel import FunnelScreen

        start = highlighted_key(self.query_one(DataTable)) if self.view == "sections" else None
        self.app.push_screen(FunnelScreen(self.audit_id, self.group, start))

    def action_lqas(self) -> None:
        """Meets / does not meet / not enough files per unit and question (LQAS)."""
        from casereview.tui.screens.lqas import LqasScreen

        self.app.push_screen(LqasScreen(self.audit_id, self.group))

    def action_report(self) -> None:
        """The findings report, Word or Markdown (served: a browser download)."""
        from casereview.io.reports import markdown as report
        from casereview.tui.dialogs.report import ReportDialog

        name = self.store.audit(self.audit_id).name
        self.app.push_screen(
            ReportDialog(
                self.store,
                name,
                f"{name}-report",
                lambda officers: report.blocks(self.store, name, officers),
                redacted_only=is_panel(self.session.role),  # a scrutiny panel's: redacted
            )
        )

    def action_draft_action(self) -> None:
        """Draft an action in the force's plan, linked to the highlighted question."""
        from casereview.tui.screens.findings_plan import draft_from_finding

        audit = self.store.audit(self.audit_id)
        try:
            data = self._data(audit.name, None)
        except CasereviewError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        draft_from_finding(self, audit, data, highlighted_key(self.query_one(DataTable)))

    def action_back(self) -> None:
        if self.section is not None:
            self.section = None
        else:
            self.app.pop_screen()
