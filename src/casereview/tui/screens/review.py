"""The review: one case against the checklist, question by question, every answer saved."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static
from textual.widgets.option_list import Option

from casereview.core.checklist.models import ANSWER_LABELS, CaseScope, Checklist, Question, Section
from casereview.core.fields import Role
from casereview.core.rules import next_in_queue, queue_done
from casereview.store.errors import ReviewIncomplete, StoreError
from casereview.store.records import Answer
from casereview.tui.dialogs.modals import HistoryScreen, NoteScreen, ReasonScreen
from casereview.tui.messages import OpenCase
from casereview.tui.screens._base import StoreScreen
from casereview.tui.screens.review_keys import BINDINGS as KEY_BINDINGS
from casereview.tui.screens.review_keys import KEYS, LOCKED_ACTIONS, LOCKED_KEYS, MARK, ROLE_LABELS
from casereview.tui.widgets.bars import KeyBar, TitleBar
from casereview.tui.widgets.case_file import case_text
from casereview.tui.widgets.question_list import QuestionList
from casereview.tui.widgets.text_panel import TextPanel


class ReviewScreen(StoreScreen):
    """Answer keys save and move on; skip logic applies as you go."""

    BINDINGS = KEY_BINDINGS

    locked: reactive[bool] = reactive(False, bindings=True)

    def __init__(
        self,
        review_id: int | None = None,
        *,
        audit_id: int | None = None,
        case_id: int | None = None,
        role: Role = "primary",
        at: str | None = None,
    ):
        """A started review by id, or (review_id None) the case's review in `role` not
        started yet: it starts with the first answer or note, so a look starts nothing.
        `at`: the question to open at (a finding's), instead of where the reviewer was."""
        super().__init__()
        self.at = at
        self.review_id = review_id
        self.audit_id = audit_id
        self.case_id = case_id
        self.role = role
        self.checklist: Checklist | None = None
        self.scope: CaseScope | None = None  # the case's date and force: dated questions
        self.answers: dict[str, Answer] = {}
        self.shown: list[str] = []
        self._listed: list[str] = []  # the questions the option list was last built with
        self.current: str | None = None
        self._side: dict[str, Text] = {}  # the side pane's texts as last drawn

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="review-body"):
            with Vertical(id="review-side"):
                # Role and state first: at 80 columns the title is cut, and a blind second
                # review must never look like a primary one.
                yield Static(id="review-role")
                with VerticalScroll(id="case-scroll", can_focus=False):
                    yield Static(id="case-details")
                yield Static(id="section-progress")
            with Vertical(id="review-main"):
                yield QuestionList(id="questions")
                # One widget for the question, choices, note and guidance, scrolling its own
                # text: moving to the next question is one repaint, never a layout. Not
                # focusable: Tab would take focus off the questions and leave Up/Down
                # scrolling this panel (shift+up/down scroll it from anywhere).
                yield TextPanel(id="question")
        yield Static(id="review-status")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.review_id is not None:
            review = self.store.review(self.review_id)
            self.audit_id, self.case_id, self.role = review.audit_id, review.case_id, review.role
            status: str | None = review.status
            current = review.current_question
        else:
            status = current = None
        assert self.audit_id is not None and self.case_id is not None
        audit = self.store.audit(self.audit_id)
        self.checklist = self.store.audit_checklist(audit.id)  # the force's limits shown
        case = self.store.case(self.case_id)
        self.scope = case.scope()
        blind = " - blind second review" if self.role == "second" else ""
        self.sub_title = f"{audit.name} - {case.case_ref}{blind}"
        self.query_one("#case-details", Static).update(case_text(case))
        self.locked = status == "complete"
        self._reload()
        self.current = self._resume_point(current)
        self._render_questions()
        questions = self.query_one(QuestionList)
        # Not the OptionHighlighted message: that arrives after the list's own frame, so the
        # question panel would follow one frame (and one layout) behind the cursor.
        self.watch(questions, "highlighted", self._highlighted, init=False)
        questions.focus()

    def _render_role(self) -> None:
        role = ROLE_LABELS.get(self.role, self.role)
        if self.review_id is None:
            state = Text("not started", "dim")
        elif self.locked:
            state = Text("complete: R to reopen", "bold green")
        else:
            state = Text("in progress", "yellow")
        style = "bold reverse magenta" if self.role == "second" else "bold"
        self._update_side("#review-role", Text.assemble((role, style), "\n", state))

    def _resume_point(self, last: str | None) -> str | None:
        """The question asked for (`at`) when the review shows it, else the first unanswered
        shown question from where the reviewer last was."""
        if not self.shown or self.at in self.shown:
            return self.at if self.shown else None
        start = self.shown.index(last) if last in self.shown else 0
        for qid in self.shown[start:] + self.shown[:start]:
            if not self._value(qid):
                return qid
        return last if last in self.shown else self.shown[0]

    def _reload(self) -> None:
        assert self.checklist is not None
        self.answers = self.store.answers(self.review_id) if self.review_id is not None else {}
        self.shown = self.checklist.visible(self._values(), self.scope)

    def _values(self) -> dict[str, str | None]:
        return {qid: a.value for qid, a in self.answers.items()}

    def _value(self, qid: str) -> str | None:
        answer = self.answers.get(qid)
        return answer.value if answer else None

    # ---------------------------------------------------------------- drawing

    def _render_questions(self) -> None:
        """Rebuild the question list: on opening, and when skip logic shows or hides one."""
        assert self.checklist is not None
        options: list[Option] = []
        shown = set(self.shown)
        for section in self.checklist.sections:
            options.append(
                Option(self._section_prompt(section), id=f"section:{section.id}", disabled=True)
            )
            for q in section.questions:
                if q.id in shown:
                    options.append(Option(self._question_prompt(q), id=q.id))
        questions = self.query_one(QuestionList)
        questions.set_options(options)
        self._listed = list(self.shown)
        if self.current:
            questions.highlighted = questions.get_option_index(self.current)
        self._render_sections()
        self._render_current()

    def _render_answer(self, qid: str) -> None:
        """Redraw one answered question's line and its section's count, not the whole list."""
        assert self.checklist is not None
        if self.shown != self._listed:
            self._render_questions()
            return
        questions = self.query_one(QuestionList)
        section = self.checklist.section_of(qid)
        questions.replace_prompt(f"section:{section.id}", self._section_prompt(section))
        questions.replace_prompt(qid, self._question_prompt(self.checklist.question(qid)))
        if self.current:
            questions.highlighted = questions.get_option_index(self.current)
        self._render_sections()
        self._render_current()

    def _section_prompt(self, section: Section) -> Text:
        visible = [q.id for q in section.questions if q.id in self.shown]
        done = sum(1 for qid in visible if self._value(qid))
        return Text(f"{section.title}  {done}/{len(visible)}", style="bold")

    def _question_prompt(self, q: Question) -> Content:
        value = self._value(q.id)
        mark, colour = MARK[value] if value else ("·", "grey50")
        label = ANSWER_LABELS[value] if value else ""
        # The note mark goes before the text, which is cut to the width: never the mark.
        noted = bool(self.answers.get(q.id) and self.answers[q.id].note)
        prompt = Text.assemble(
            (f" {mark}", colour),
            ("✎ " if noted else "  ", "cyan"),
            (f"{q.id:<8}", "bold" if q.critical else ""),
            (f"{label:<8}", colour),
            q.text,
            no_wrap=True,
            overflow="ellipsis",
        )
        return Content.from_rich_text(prompt)

    def _render_sections(self) -> None:
        assert self.checklist is not None
        shown = set(self.shown)
        current_section = self.checklist.section_of(self.current).id if self.current else None
        text = Text("Sections\n", style="bold")
        # the sidebar narrows on small terminals: fit titles to it rather than wrap
        # (from the stylesheet's pane widths, 30 or 24 less padding and border: the pane's
        # own size is not laid out yet when the screen first draws)
        width = (21 if self.app.size.width < 110 else 27) - 8
        total_done = total = 0
        for section in self.checklist.sections:
            visible = [q.id for q in section.questions if q.id in shown]
            done = sum(1 for q in visible if self._value(q))
            total_done, total = total_done + done, total + len(visible)
            pointer = "▸ " if section.id == current_section else "  "
            style = "green" if done == len(visible) else ""
            title = section.title[:width]
            text.append(f"{pointer}{title:<{width}} {done:>2}/{len(visible):<2}\n", style)
        text.append(f"\n{total_done} of {total} answered", "bold")
        self._update_side("#section-progress", text)
        self._render_role()

    def _update_side(self, selector: str, text: Text) -> None:
        """Redraw a side-pane text if it changed. Its size never does (the role is two lines,
        the sections one line each and two below), so no layout."""
        if self._side.get(selector) != text:
            self._side[selector] = text
            self.query_one(selector, Static).update(text, layout=False)

    def _render_current(self) -> None:
        assert self.checklist is not None
        if self.current is None:
            return
        q = self.checklist.question(self.current)
        section = self.checklist.section_of(q.id)
        in_section = [x.id for x in section.questions if x.id in self.shown]
        value = self._value(q.id)
        note = self.answers[q.id].note if q.id in self.answers else ""
        parts: list[str | tuple[str, str]] = [
            (q.id, "bold"),
            f"  {section.title}, {in_section.index(q.id) + 1} of {len(in_section)}",
            ("  CRITICAL" if q.critical else "", "bold red"),
            ("" if q.scored else "  fact, not scored", "italic $text-muted"),
            "\n",
            (q.text, "bold"),
            "\n\n",
        ]
        for option in q.answers:
            parts += [(f" {KEYS[option]} {ANSWER_LABELS[option]} ", "reverse bold")]
            if option != value:
                parts[-1] = parts[-1][0]
            parts.append(" ")
        parts.append("\n")
        parts += [("Note: ", "bold $accent"), note] if note else [("(e: add a note)", "dim")]
        guidance = q.guidance.strip() or "No guidance for this question."
        parts += ["\n\n", ("What good looks like\n", "bold"), (guidance, "$text-muted")]
        text = Content.assemble(*parts)
        self.query_one("#question", TextPanel).update(text)

    def _status(self, message: str, style: str = "") -> None:
        # One line (its height is fixed in the stylesheet), so no layout.
        self.query_one("#review-status", Static).update(Text(message, style), layout=False)

    # ---------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in LOCKED_ACTIONS and self.locked:
            return None  # greyed in the footer; pressed, on_key says why
        if action == "complete" and self.locked:
            return False  # hidden: done, and its room in the footer is Next case's
        if action in ("reopen", "next_case") and not self.locked:
            return False  # hidden: the footer has no room for keys that do not apply
        return True

    def on_key(self, event: events.Key) -> None:
        """A locked key does nothing, so say why rather than nothing."""
        if self.locked and event.key in LOCKED_KEYS:
            event.stop()
            self._status("This review is complete: R to reopen (with a reason).", "yellow")
            self.app.bell()

    def _highlighted(self, index: int | None) -> None:
        """The highlight moved (a watcher, so the panels redraw in the same frame as it)."""
        if index is None:
            return
        qid = self.query_one(QuestionList).get_option_at_index(index).id
        if qid and not qid.startswith("section:") and qid != self.current:
            self.current = qid
            self._render_sections()
            self._render_current()

    def action_scroll_guidance(self, step: int) -> None:
        # With the case file open, shift+up/down read it; else the guidance.
        panel = (
            self.query_one("#case-scroll", VerticalScroll)
            if self.has_class("case-open")
            else self.query_one("#question", TextPanel)
        )
        panel.scroll_relative(y=step * max(panel.size.height - 2, 1), animate=False)

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        self.set_class(event.size.width < 110, "narrow")
        if self.checklist is not None:
            self.call_after_refresh(self._render_sections)

    def action_next_gap(self) -> None:
        """To the next shown question without an answer, round from the current one."""
        gaps = self.checklist_unanswered()
        if not gaps:
            self._status("No unanswered question: c completes the review.", "green")
            return
        order = self.shown
        start = order.index(self.current) + 1 if self.current in order else 0
        self._go_to(next((q for q in order[start:] + order[:start] if q in gaps), gaps[0]))

    def action_next_section(self, step: int) -> None:
        """To the first shown question of the next (or previous) section."""
        assert self.checklist is not None
        sections = [
            s for s in self.checklist.sections if any(q.id in self.shown for q in s.questions)
        ]
        if not sections or self.current is None:
            return
        here = self.checklist.section_of(self.current).id
        index = next(i for i, s in enumerate(sections) if s.id == here)
        target = sections[(index + step) % len(sections)]
        self._go_to(next(q.id for q in target.questions if q.id in self.shown))

    def _go_to(self, qid: str) -> None:
        self.current = qid
        questions = self.query_one(QuestionList)
        questions.highlighted = questions.get_option_index(qid)
        self._render_sections()
        self._render_current()

    def action_next_case(self) -> None:
        """The next unfinished case in this reviewer's queue (rules.next_in_queue)."""
        assert self.audit_id is not None
        rows = self.store.audit_cases(self.audit_id, assigned_to=self.reviewer)
        here = next((i for i, ac in enumerate(rows) if ac.case.id == self.case_id), None)
        found = next_in_queue(rows, self.reviewer, here if here is not None else -1)
        if found is None:
            said = queue_done(self.store.audit(self.audit_id))
            self._status(said, "green")
            self.notify(said, title="Queue", markup=False)
            return
        self.app.post_message(OpenCase(self.audit_id, found.case.id))

    def action_case_file(self) -> None:
        """Open the case panel over the whole side pane (and back): at 80 columns it has
        room for a few lines only."""
        self.toggle_class("case-open")

    def action_move(self, step: int) -> None:
        questions = self.query_one(QuestionList)
        if step > 0:
            questions.action_cursor_down()
        else:
            questions.action_cursor_up()

    def action_answer(self, value: str) -> None:
        if self.current is None or self.checklist is None:
            return
        q = self.checklist.question(self.current)
        if value not in q.answers:
            allowed = ", ".join(ANSWER_LABELS[a] for a in q.answers)
            self._status(
                f"{q.id} cannot be answered {ANSWER_LABELS[value]} (allowed: {allowed})", "red"
            )
            self.app.bell()
            return
        self._save(q.id, value)

    def action_clear(self) -> None:
        if self.current is not None and self._value(self.current):
            self._save(self.current, None, advance=False)

    def _started(self) -> int:
        """The review's id, starting it now if this is its first answer or note."""
        if self.review_id is None:
            assert self.audit_id is not None and self.case_id is not None
            review = self.store.open_review(self.audit_id, self.case_id, self.reviewer, self.role)
            self.review_id = review.id
        return self.review_id

    def _save(self, qid: str, value: str | None, advance: bool = True) -> None:
        try:
            cleared = self.store.set_answer(self._started(), qid, value, self.reviewer)
        except StoreError as exc:
            self._status(f"Not saved: {exc}", "bold red")
            self.app.bell()
            return
        # The write is committed (synchronous=FULL) before anything below says "saved".
        self._reload()
        if advance:
            after = self.shown[self.shown.index(qid) + 1 :]
            self.current = after[0] if after else qid
        message = f"Saved {qid} = {ANSWER_LABELS[value] if value else '(cleared)'}"
        if cleared:
            message += f"; cleared {', '.join(cleared)} (no longer applies)"
            self.notify(
                f"Skip logic hid {', '.join(cleared)}; their answers were cleared and logged.",
                title="Answers cleared",
                markup=False,  # question ids come from the checklist file
            )
        elif advance and not self.checklist_unanswered() and self.shown[-1] == qid:
            message += ". All shown questions answered: press c to complete."
        self._status(message, "green")
        self._render_answer(qid)

    def checklist_unanswered(self) -> list[str]:
        assert self.checklist is not None
        return self.checklist.unanswered(self._values(), self.scope)

    def action_note(self) -> None:
        if self.current is None:
            return
        qid = self.current
        existing = self.answers[qid].note if qid in self.answers else ""
        # Pushed here, not from a worker: the keys typed after e are the note's from now on.
        self.app.push_screen(NoteScreen(qid, existing), lambda note: self._save_note(qid, note))

    def _save_note(self, qid: str, note: str | None) -> None:
        if note is None:
            return
        try:
            self.store.set_note(self._started(), qid, note, self.reviewer)
        except StoreError as exc:
            self._status(f"Note not saved: {exc}", "bold red")
            return
        self._reload()
        self._status(f"Saved note on {qid}", "green")
        self._render_answer(qid)

    def action_complete(self) -> None:
        try:
            if self.review_id is None:  # nothing answered: the store says which are missing
                assert self.checklist is not None
                raise ReviewIncomplete(self.checklist.unanswered({}))
            self.store.complete_review(self.review_id, self.reviewer)
        except ReviewIncomplete as exc:
            self.current = exc.unanswered[0]
            self._render_questions()
            self._status(f"Cannot complete: {exc}", "bold red")
            self.notify(
                f"Answer {', '.join(exc.unanswered[:6])}"
                + (" ..." if len(exc.unanswered) > 6 else "")
                + " first.",
                title="Review not complete",
                severity="error",
                markup=False,
            )
            return
        except StoreError as exc:
            self._status(str(exc), "bold red")
            return
        self.locked = True
        self._render_questions()
        self._status(
            "Review complete and locked. N opens your next case, Escape the cases.", "bold green"
        )
        self.notify("Review complete.", title="Saved")

    def action_reopen(self) -> None:
        self.app.push_screen(
            ReasonScreen("Reopen this review", "Why does it need to change? (logged)"),
            self._reopen,
        )

    def _reopen(self, reason: str | None) -> None:
        if not reason:
            self._status("Not reopened: a reason is needed.", "red")
            return
        try:
            assert self.review_id is not None  # only a complete (so started) one is reopened
            self.store.reopen_review(self.review_id, self.reviewer, reason)
        except StoreError as exc:
            self._status(str(exc), "bold red")
            return
        self.locked = False
        self._render_questions()
        self._status("Reopened; the reason is in the audit trail.", "yellow")

    def action_history(self) -> None:
        if self.current is None:
            return
        trail = self.store.events(self.review_id) if self.review_id is not None else []
        events = [e for e in trail if e.question_id == self.current]
        self.app.push_screen(HistoryScreen(self.current, events))

    def action_back(self) -> None:
        if self.current and not self.locked and self.review_id is not None:
            self.store.set_position(self.review_id, self.current)
        self.app.pop_screen()
