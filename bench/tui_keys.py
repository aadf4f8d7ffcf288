"""Key-to-frame latency in the TUI on the big database, and in a bare Textual floor; JSON out.

    python -m bench.tui_keys casereview DB LIVE_AUDIT_ID NATIONAL_AUDIT_ID N
    python -m bench.tui_keys baseline DB NATIONAL_AUDIT_ID N

Each timed key is posted to the app as the terminal driver would, and timed to the first
frame it causes and to the last (frames then stop for 100 ms): one key can cause a burst,
the cursor first, then the panels it refills. Prints one JSON object of millisecond samples.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

import casereview
from bench.data import TUI_REVIEWER
from bench.frames import FrameClock
from casereview.checklist import ANSWER_LABELS, Checklist
from casereview.store import Store

SIZE = (120, 40)
KEY_FOR = {"yes": "y", "partly": "p", "no": "n", "na": "a", "unknown": "u"}
CHAR = {"y": "y", "p": "p", "n": "n", "a": "a", "u": "u", "enter": "\r", "escape": "\x1b"}


async def timed_key(
    app: App[Any], clock: FrameClock, key: str, quiet: float = 0.1
) -> tuple[float, float]:
    """Milliseconds from posting `key` to the first frame and to the last frame it causes."""
    start = time.perf_counter()
    app.post_message(events.Key(key, CHAR.get(key)))
    end = await clock.settled(since=start, quiet=quiet, timeout=600)
    return (clock.first_after(start) - start) * 1000, (end - start) * 1000


def record(out: dict[str, Any], name: str, times: tuple[float, float]) -> None:
    out.setdefault(f"{name}_first", []).append(times[0])
    out.setdefault(name, []).append(times[1])


def answer_key(checklist: Checklist, qid: str) -> str:
    """`y` where the question allows Yes, else the key of its first allowed answer."""
    allowed = checklist.question(qid).answers
    return "y" if "yes" in allowed else KEY_FOR[allowed[0]]


# ------------------------------------------------------------------ casereview


async def casereview_keys(db: str, live_id: int, national_id: int, n: int) -> dict[str, Any]:
    from casereview.app import make_app
    from casereview.screens import AuditCasesScreen, AuditsScreen, ReviewScreen
    from casereview.screens.modals import ConfirmScreen

    store = Store.open(db)
    store.ensure_shipped_checklists()
    app = make_app(store, TUI_REVIEWER)
    out: dict[str, Any] = {"answer": [], "down": [], "keys": []}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, AuditsScreen), app.screen
        await _choose_audit(pilot, live_id)
        await pilot.press("enter")  # the audit's cases
        opened: set[int] = set()
        await _open_fresh_case(pilot, store, live_id, opened)
        clock = FrameClock(app)
        while len(out["answer"]) < n or len(out["down"]) < n:
            screen = app.screen
            assert isinstance(screen, ReviewScreen), screen
            assert screen.checklist is not None and screen.current is not None
            if screen.current == screen.shown[-1]:
                await pilot.press("escape")  # end of this review: the next case
                await _open_fresh_case(pilot, store, live_id, opened)
                continue
            before = screen.current
            if len(out["answer"]) <= len(out["down"]):
                key = answer_key(screen.checklist, before)
                value = {v: k for k, v in KEY_FOR.items()}[key]
                record(out, "answer", await timed_key(app, clock, key))
                saved = store.answer_values(screen.review_id).get(before)
                assert saved == value, f"{before} not saved ({saved!r})"
            else:
                key = "down"
                record(out, "down", await timed_key(app, clock, key))
            assert screen.current != before, f"{key} did not move on from {before}"
            out["keys"].append(key)
        out["reviews_used"] = len(opened)

        # The national audit: its 25,000-row case list, and back to it from a review.
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, AuditsScreen), app.screen
        await _choose_audit(pilot, national_id)
        out["open_big_audit"] = (await timed_key(app, clock, "enter", quiet=0.3))[1]
        assert isinstance(app.screen, AuditCasesScreen), app.screen
        out["open_big_review"] = (await timed_key(app, clock, "enter", quiet=0.3))[1]
        if isinstance(app.screen, ConfirmScreen):  # the first case is another reviewer's
            out["open_big_review"] += (await timed_key(app, clock, "y", quiet=0.3))[1]
        assert isinstance(app.screen, ReviewScreen), app.screen
        out["back_to_big_audit"] = (await timed_key(app, clock, "escape", quiet=0.3))[1]
        assert isinstance(app.screen, AuditCasesScreen), app.screen
    store.close()
    return out


async def _open_fresh_case(
    pilot: Pilot[Any], store: Store, audit_id: int, opened: set[int]
) -> None:
    """From the audit's cases, open a case of the TUI reviewer's not yet started."""
    from casereview.screens import AuditCasesScreen, ReviewScreen

    app = pilot.app
    assert isinstance(app.screen, AuditCasesScreen), app.screen
    fresh = [
        ac.case.id
        for ac in store.audit_cases(audit_id)
        if ac.assigned_to == TUI_REVIEWER and ac.status is None
    ]
    if not fresh:
        raise SystemExit("no unstarted cases left for the TUI: rebuild (run without --reuse)")
    table = app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(str(fresh[0])))
    await pilot.pause()
    await pilot.press("enter")
    assert isinstance(app.screen, ReviewScreen), app.screen
    assert app.screen.review_id not in opened, "the case did not open"
    opened.add(app.screen.review_id)


async def _choose_audit(pilot: Pilot[Any], audit_id: int) -> None:
    table = pilot.app.screen.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(str(audit_id)))
    await pilot.pause()


# ------------------------------------------------------------------ baseline


def _css() -> str:
    """casereview's stylesheet with the review rules aimed at the bare screen."""
    path = Path(casereview.__file__).parent / "casereview.tcss"
    return path.read_text(encoding="utf-8").replace("ReviewScreen", "BareReviewScreen")


class BareReviewScreen(Screen[None]):
    """The review screen's widgets and drawing, answers kept in a dict: no database.

    It draws as ReviewScreen does: one line redrawn per answer (the whole list only when
    skip logic changes what is shown), the panel updated in the cursor's frame.
    """

    BINDINGS = [Binding(k, f"answer('{v}')", ANSWER_LABELS[v]) for v, k in KEY_FOR.items()]

    def __init__(self, checklist: Checklist):
        super().__init__()
        self.checklist = checklist
        self.answers: dict[str, str | None] = {}
        self.shown = checklist.visible(self.answers)
        self.listed: list[str] = []
        self.current: str = self.shown[0]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="review-body"):
            with Vertical(id="review-side"):
                yield Static("BENCH/24/000001\nForce\nTeam\nStalking (s2A)", id="case-details")
                yield Static(id="section-progress")
            with Vertical(id="review-main"):
                yield OptionList(id="questions")
                with VerticalScroll(id="question-panel"):
                    yield Static(id="question")
        yield Static(id="review-status")
        yield Footer()

    def on_mount(self) -> None:
        self._render_questions()
        questions = self.query_one(OptionList)
        self.watch(questions, "highlighted", self._highlighted, init=False)
        questions.focus()

    def _section_prompt(self, section: Any) -> Text:
        visible = [q.id for q in section.questions if q.id in self.shown]
        done = sum(1 for qid in visible if self.answers.get(qid))
        return Text(f"{section.title}  {done}/{len(visible)}", style="bold")

    def _question_prompt(self, q: Any) -> Content:
        value = self.answers.get(q.id)
        label = ANSWER_LABELS[value] if value else ""
        prompt = Text.assemble(
            (" ✓ " if value else " · ", "green"),
            (f"{q.id:<8}", "bold" if q.critical else ""),
            (f"{label:<8}", "green"),
            q.text,
            no_wrap=True,
            overflow="ellipsis",
        )
        return Content.from_rich_text(prompt)

    def _render_questions(self) -> None:
        options: list[Option] = []
        shown = set(self.shown)
        for section in self.checklist.sections:
            options.append(
                Option(self._section_prompt(section), id=f"section:{section.id}", disabled=True)
            )
            for q in section.questions:
                if q.id in shown:
                    options.append(Option(self._question_prompt(q), id=q.id))
        questions = self.query_one(OptionList)
        questions.set_options(options)
        self.listed = list(self.shown)
        questions.highlighted = questions.get_option_index(self.current)
        self._render_current()

    def _render_current(self) -> None:
        q = self.checklist.question(self.current)
        shown = set(self.shown)
        text = Text("Sections\n", style="bold")
        for section in self.checklist.sections:
            visible = [x.id for x in section.questions if x.id in shown]
            done = sum(1 for x in visible if self.answers.get(x))
            text.append(f"  {section.title[:20]:<20} {done:>2}/{len(visible):<2}\n")
        self.query_one("#section-progress", Static).update(text, layout=False)
        choices = " ".join(f" {KEY_FOR[option]} {ANSWER_LABELS[option]} " for option in q.answers)
        self.query_one("#question", Static).update(
            Content.assemble(
                (q.id, "bold"),
                "\n",
                (q.text, "bold"),
                "\n\n",
                choices,
                "\n",
                ("(e: add a note)", "dim"),
                "\n\n",
                (q.guidance.strip(), "$text-muted"),
            )  # fmt: skip
        )

    def _highlighted(self, index: int | None) -> None:
        if index is None:
            return
        qid = self.query_one(OptionList).get_option_at_index(index).id
        if qid and not qid.startswith("section:") and qid != self.current:
            self.current = qid
            self._render_current()

    def action_answer(self, value: str) -> None:
        qid = self.current
        self.answers[qid] = value
        self.shown = self.checklist.visible(self.answers)
        after = self.shown[self.shown.index(qid) + 1 :]
        self.current = after[0] if after else qid
        self.query_one("#review-status", Static).update(Text(f"Saved {qid}", "green"))
        if self.shown != self.listed:
            self._render_questions()
            return
        questions = self.query_one(OptionList)
        section = self.checklist.section_of(qid)
        questions.replace_option_prompt(f"section:{section.id}", self._section_prompt(section))
        questions.replace_option_prompt(qid, self._question_prompt(self.checklist.question(qid)))
        questions.highlighted = questions.get_option_index(self.current)
        self._render_current()


class BareCasesScreen(Screen[None]):
    """A DataTable of the big audit's rows (read beforehand): Textual's cost for the list."""

    def __init__(self, rows: list[tuple[str, ...]]):
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("National audit")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.add_columns("#", "Case", "Status", "Assigned", "2nd", "Team", "Offence", "Reported")
        for i, row in enumerate(self.rows):
            table.add_row(*row, key=str(i))


class BareApp(App[None]):
    CSS = _css()
    BINDINGS = [Binding("enter", "cases", "Cases")]

    def __init__(self, checklist: Checklist, rows: list[tuple[str, ...]]):
        super().__init__()
        self.checklist = checklist
        self.rows = rows

    def on_mount(self) -> None:
        self.push_screen(BareReviewScreen(self.checklist))

    def action_cases(self) -> None:
        self.push_screen(BareCasesScreen(self.rows))


async def baseline_keys(db: str, national_id: int, n: int) -> dict[str, Any]:
    store = Store.open(db)
    checklist = store.audit_checklist(national_id)
    rows: list[tuple[str, ...]] = [
        (
            str(ac.position + 1),
            ac.case.case_ref,
            "complete" if ac.status == "complete" else "not started",
            ac.assigned_to or "",
            "",
            ac.case.team or "",
            (ac.case.offence or "")[:34],
            (ac.case.reported_at or "")[:10],
        )
        for ac in store.audit_cases(national_id)
    ]
    store.close()
    app = BareApp(checklist, rows)
    out: dict[str, Any] = {"answer": [], "down": []}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        clock = FrameClock(app)
        while len(out["answer"]) < n or len(out["down"]) < n:
            screen = app.screen
            assert isinstance(screen, BareReviewScreen), screen
            if screen.current == screen.shown[-1]:
                app.pop_screen()
                await app.push_screen(BareReviewScreen(checklist))
                await pilot.pause()
                continue
            before = screen.current
            if len(out["answer"]) <= len(out["down"]):
                key = answer_key(checklist, before)
                record(out, "answer", await timed_key(app, clock, key))
            else:
                record(out, "down", await timed_key(app, clock, "down"))
            assert screen.current != before
        app.screen.set_focus(None)  # Enter goes to the app binding, not the option list
        out["open_big_audit"] = (await timed_key(app, clock, "enter", quiet=0.3))[1]
        assert isinstance(app.screen, BareCasesScreen), app.screen
    return out


def main(argv: list[str]) -> None:
    if argv[:1] == ["casereview"] and len(argv) == 5:
        result = asyncio.run(casereview_keys(argv[1], int(argv[2]), int(argv[3]), int(argv[4])))
    elif argv[:1] == ["baseline"] and len(argv) == 4:
        result = asyncio.run(baseline_keys(argv[1], int(argv[2]), int(argv[3])))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
