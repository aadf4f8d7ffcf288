"""The review's redraw-only-what-changed widgets show what the plain widgets showed.

TextPanel (the question panel, scrolling its own text) and QuestionList (an OptionList that
redraws only the lines a key changes) keep their own caches; these tests look at the lines
they draw, so a stale cache or a wrong wrap width would show.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.content import Content

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import ReviewScreen
from casereview.tui.widgets.question_list import QuestionList
from casereview.tui.widgets.text_panel import TextPanel

LONG = Content(" ".join(f"word{i:02d}" for i in range(60)))  # 60 words: many lines at 30
SHORT = Content("Two\nlines")


class PanelApp(App[None]):
    CSS = "TextPanel { width: 30; height: 6; padding: 0 1; }"

    def compose(self) -> ComposeResult:
        yield TextPanel(id="panel")


def drawn(panel: TextPanel) -> list[str]:
    """Every line of the panel's text as drawn, scrolled through from the top."""
    lines = []
    for y in range(panel.virtual_size.height):
        panel.scroll_to(y=y, animate=False)  # stops at the last screenful
        lines.append(panel.render_line(y - panel.scroll_offset.y).text.rstrip())
    panel.scroll_to(y=0, animate=False)
    return lines


async def test_a_long_text_wraps_beside_its_scrollbar_and_a_short_one_takes_the_width() -> None:
    app = PanelApp()
    async with app.run_test(size=(40, 10)) as pilot:
        panel = app.query_one(TextPanel)
        panel.update(LONG)
        await pilot.pause()
        assert panel.show_vertical_scrollbar
        # 28 columns inside the padding, 2 of them the scrollbar's: 26 for the text
        expected = [str(line).rstrip() for line in LONG.wrap(26)]
        assert drawn(panel) == expected
        assert len(expected) > 6 and all(len(line) <= 26 for line in expected)
        assert panel.vertical_scrollbar.window_virtual_size == len(expected)

        panel.scroll_to(y=3, animate=False)
        panel.update(SHORT)  # a new text starts at its top, without the scrollbar
        await pilot.pause()
        assert not panel.show_vertical_scrollbar
        assert panel.scroll_offset.y == 0
        assert drawn(panel) == ["Two", "lines"]
        assert panel.render_line(2).text.strip() == ""  # nothing left of the long text

        panel.update(LONG)  # and back
        await pilot.pause()
        assert panel.show_vertical_scrollbar and drawn(panel) == expected
        assert str(panel.render()) == str(LONG)


async def test_a_panel_resized_wraps_again() -> None:
    app = PanelApp()
    async with app.run_test(size=(40, 10)) as pilot:
        panel = app.query_one(TextPanel)
        panel.update(LONG)
        await pilot.pause()
        panel.styles.width = 20
        await pilot.pause()
        assert drawn(panel) == [str(line).rstrip() for line in LONG.wrap(16)]


async def test_an_answer_redraws_its_line_and_the_cursor_lines(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, _audit = audited
    app = make_app(store, "ann")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter", "enter")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        questions = screen.query_one(QuestionList)

        def line(option_id: str) -> str:
            index = questions.get_option_index(option_id)
            return questions.render_line(index - questions.scroll_offset.y).text

        await pilot.press("j")  # REC-03: answering it shows or hides nothing
        assert screen.current == "REC-03"
        assert "REC-03" in line("REC-03") and "No" not in line("REC-03")
        assert "0/2" in line("section:rec")
        await pilot.press("n")
        assert "✗" in line("REC-03") and "No" in line("REC-03")
        assert "1/2" in line("section:rec")
        # the highlight moved on to SPO-01: its line is drawn highlighted, REC-03's not
        assert screen.current == "SPO-01"
        highlighted = questions.get_visual_style(
            "option-list--option", "option-list--option-highlighted"
        ).rich_style
        spo = questions.render_line(questions.get_option_index("SPO-01"))
        rec = questions.render_line(questions.get_option_index("REC-03"))
        assert highlighted.bgcolor is not None
        assert any(s.style and s.style.bgcolor == highlighted.bgcolor for s in spo)
        assert not any(s.style and s.style.bgcolor == highlighted.bgcolor for s in rec)
