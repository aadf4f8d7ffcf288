"""Moderation: two completed reviews of one case side by side; the moderator settles each
disagreement with a reason, building the moderated review that findings count."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from casereview.core.checklist.models import ANSWER_LABELS, Checklist
from casereview.core.fields import Role
from casereview.core.rules import agreed_answer, disagree, moderation_refusal
from casereview.store.errors import ReviewIncomplete, StoreError
from casereview.store.records import Answer
from casereview.tui.dialogs.modals import ReasonScreen
from casereview.tui.screens._base import StoreScreen, highlighted_key
from casereview.tui.widgets.bars import KeyBar, TitleBar
from casereview.tui.widgets.row_detail import RowDetail


class ModerationScreen(StoreScreen):
    """Only the disagreements by default (d shows all)."""

    BINDINGS = [
        # Each decision opens the reason dialog: priority, so that the reason typed straight
        # after the key is the dialog's (see modals.Dialog).
        Binding("1", "take('primary')", "Take primary", priority=True),
        Binding("2", "take('second')", "Take second", priority=True),
        Binding("y", "decide('yes')", "Yes", show=False, priority=True),
        Binding("p", "decide('partly')", "Partly", show=False, priority=True),
        Binding("n", "decide('no')", "No", show=False, priority=True),
        Binding("a", "decide('na')", "N/A", show=False, priority=True),
        Binding("u", "decide('unknown')", "Unknown", show=False, priority=True),
        Binding("d", "toggle_all", "Show all"),
        Binding("c", "complete", "Complete"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, audit_id: int, case_id: int):
        super().__init__()
        self.audit_id = audit_id
        self.case_id = case_id
        self.show_all = False
        self.checklist: Checklist | None = None
        self.review_id: int | None = None
        self.sides: dict[str, dict[str, Answer]] = {}
        self.names: dict[str, str] = {}
        self.ready = False  # both reviews are there to moderate

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="moderation-title")
        yield DataTable(id="moderation", cursor_type="row", zebra_stripes=True)
        yield RowDetail(id="moderation-question")
        yield Static(id="moderation-status")
        yield KeyBar()

    def on_mount(self) -> None:
        audit = self.store.audit(self.audit_id)
        case = self.store.case(self.case_id)
        self.sub_title = f"{audit.name} - moderating {case.case_ref}"
        self.checklist = self.store.checklist(audit.checklist_pk)
        # Looking starts nothing (as on the review screen): the moderated review starts
        # with the first decision; until then the agreed answers are worked out here.
        reviews = {r.role: r for r in self.store.reviews_of_case(self.audit_id, self.case_id)}
        if "moderated" not in reviews:
            first, second = reviews.get("primary"), reviews.get("second")
            refusal = moderation_refusal(
                first.status if first else None, second.status if second else None
            )
            if refusal:
                self.query_one("#moderation-title", Static).update(Text(refusal, "bold yellow"))
                return
        else:
            self.review_id = reviews["moderated"].id
        self.ready = True
        self.sides = {role: self.store.answers(reviews[role].id) for role in ("primary", "second")}
        self.names = {role: reviews[role].reviewer for role in ("primary", "second")}
        table = self.query_one(DataTable)
        # The decision comes right after the question, so it stays in view at 80 columns.
        table.add_columns(  # reviewers' names are data: Text labels, never markup
            "Question",
            "Agreed",
            Text(f"Primary ({self.names['primary']})"),
            Text(f"Second ({self.names['second']})"),
        )
        self._refresh()

    def _effective(self, role: Role) -> dict[str, str | None]:
        assert self.checklist is not None
        return self.checklist.effective_answers({q: a.value for q, a in self.sides[role].items()})

    def _given(self, role: Role, qid: str) -> str | None:
        """The answer that reviewer gave (None: none, as where skip logic hid it)."""
        answer = self.sides[role].get(qid)
        return answer.value if answer else None

    def _cell(self, role: Role, qid: str, effective: dict[str, str | None]) -> Text:
        value = effective.get(qid)
        note = self.sides[role].get(qid)
        # hidden for this reviewer: scored as N/A, but no answer they gave
        hidden = value == "na" and self._given(role, qid) is None
        text = Text("hidden" if hidden else ANSWER_LABELS.get(value or "", "-"), "bold")
        if note and note.note:
            text.append(f"  {note.note[: self._note_width]}", "italic")
        return text

    @property
    def _note_width(self) -> int:
        """Notes shrink on narrow terminals, so the second reviewer's column stays in view."""
        return 40 if self.size.width >= 120 else 12

    def _question_width(self, sides: list[list[Text]]) -> int:
        """What the question text may take of the row once the other columns have theirs
        (each column is as wide as its header or its widest cell, plus two of padding)."""
        taken = sum(
            max([len(f"{title} ({self.names.get(role, '')})")] + [c.cell_len for c in cells]) + 2
            for (role, title), cells in zip(
                (("primary", "Primary"), ("second", "Second")), sides, strict=True
            )
        )
        return max(10, self.size.width - 2 - taken - (9 + 2) - (7 + 2))

    def _agreed(self) -> dict[str, str | None]:
        """The moderated answers: the stored review's, or (not started yet) what starting
        it would take, every answer the two reviewers agree on."""
        if self.review_id is not None:
            return self.store.answer_values(self.review_id)
        both = {role: {q: a.value for q, a in self.sides[role].items()} for role in self.sides}
        a, b = both["primary"], both["second"]
        agreed = {q: agreed_answer(a.get(q), b.get(q)) for q in set(a) | set(b)}
        return {q: v for q, v in agreed.items() if v is not None}

    def _refresh(self) -> None:
        assert self.checklist is not None and self.ready
        first, second = self._effective("primary"), self._effective("second")
        agreed = self._agreed()
        shown = set(self.checklist.visible(agreed))
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        disagreements = [  # rules.disagree, as moderation in the store takes agreed answers
            q.id
            for q in self.checklist.questions
            if disagree(self._given("primary", q.id), self._given("second", q.id))
        ]
        listed = [q for q in self.checklist.questions if self.show_all or q.id in disagreements]
        sides = [
            [self._cell("primary", q.id, first) for q in listed],
            [self._cell("second", q.id, second) for q in listed],
        ]
        width = self._question_width(sides)
        for q, primary_cell, second_cell in zip(listed, *sides, strict=True):
            decided = agreed.get(q.id)
            table.add_row(
                Text.assemble((q.id, "bold"), f" {q.text[:width]}"),
                Text(ANSWER_LABELS[decided], "green bold")
                if decided
                else Text("hidden" if q.id not in shown else "to decide", "yellow"),
                primary_cell,
                second_cell,
                key=q.id,
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        status = (
            self.store.review(self.review_id).status
            if self.review_id is not None
            else "not started"
        )
        open_ = self.checklist.unanswered(agreed)
        self.query_one("#moderation-title", Static).update(
            Text(
                f"{len(disagreements)} disagreement(s) of {len(self.checklist.questions)} "
                "questions; "
                f"{len(open_)} shown question(s) still to decide; moderated review "
                f"{status.replace('_', ' ')}. "
                f"{'All questions' if self.show_all else 'Disagreements only'} (d toggles)."
            )
        )

    def _start(self) -> None:
        """Start the moderated review (at the first decision, or completing it)."""
        if self.review_id is None:
            review = self.store.start_moderation(self.audit_id, self.case_id, self.reviewer)
            self.review_id = review.id

    @on(DataTable.RowHighlighted)
    def _show_question(self) -> None:
        """The question being decided, whole (its text is cut in the table's column)."""
        qid = self._current()
        if qid is None or self.checklist is None:
            self.query_one(RowDetail).show("")
            return
        self.query_one(RowDetail).show((qid, "bold"), " ", self.checklist.question(qid).text)

    def _current(self) -> str | None:
        return highlighted_key(self.query_one(DataTable))

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        if self.ready:
            self._refresh()

    def action_take(self, role: Role) -> None:
        qid = self._current()
        if qid is not None:
            self._decide(qid, self._effective(role).get(qid), f"{role} reviewer's answer")

    def action_decide(self, value: str) -> None:
        qid = self._current()
        if qid is not None:
            self._decide(qid, value, None)

    def _decide(self, qid: str, value: str | None, suggestion: str | None) -> None:
        status = self.query_one("#moderation-status", Static)
        if not self.ready or value is None or self.checklist is None:
            return
        question = self.checklist.question(qid)
        if value == "na" and "na" not in question.answers:
            status.update(Text(f"{qid} was hidden for that reviewer; answer it directly.", "red"))
            return
        # Pushed here, not from a worker, so the reason typed after the key is the dialog's;
        # its title names the question the decision is for.
        self.app.push_screen(
            ReasonScreen(
                f"{qid}: agree {ANSWER_LABELS[value]} - {question.text}",
                "Why is this the right answer? A reason is required; it is logged with the "
                "decision." + (f" (Taking the {suggestion}.)" if suggestion else ""),
            ),
            lambda reason: self._record(qid, value, reason),
        )

    def _record(self, qid: str, value: str, reason: str | None) -> None:
        status = self.query_one("#moderation-status", Static)
        if not reason:
            status.update(Text("Not decided: a moderation decision needs a reason.", "red"))
            return
        try:
            self._start()
            assert self.review_id is not None
            cleared = self.store.set_answer(self.review_id, qid, value, self.reviewer, reason)
        except StoreError as exc:
            status.update(Text(f"Not saved: {exc}", "bold red"))
            return
        message = f"Saved: {qid} = {ANSWER_LABELS[value]}"
        if cleared:
            message += f"; {', '.join(cleared)} no longer apply"
        self._refresh()
        following = self._next_undecided(qid)
        if following is None:
            message += ". Every question shown is decided: c completes the moderated review."
        else:
            table = self.query_one(DataTable)
            table.move_cursor(row=table.get_row_index(following))
        status.update(Text(message, "green"))

    def _next_undecided(self, after: str) -> str | None:
        """The next listed question still to decide after `after`, wrapping round."""
        assert self.checklist is not None
        agreed = self._agreed()
        shown = set(self.checklist.visible(agreed))
        listed = [str(key.value) for key in self.query_one(DataTable).rows]
        start = listed.index(after) + 1 if after in listed else 0
        for qid in listed[start:] + listed[:start]:
            if qid in shown and not agreed.get(qid):
                return qid
        return None

    def action_complete(self) -> None:
        status = self.query_one("#moderation-status", Static)
        if not self.ready:
            return
        try:
            self._start()
            assert self.review_id is not None
            self.store.complete_review(self.review_id, self.reviewer)
        except ReviewIncomplete as exc:
            status.update(Text(f"Cannot complete: {exc}", "bold red"))
            return
        except StoreError as exc:
            status.update(Text(str(exc), "bold red"))
            return
        status.update(
            Text("Moderated review complete: findings now use it for this case.", "bold green")
        )
        self._refresh()
