"""The review's question list: an OptionList that redraws only the lines a key changes.

OptionList redraws every line in view when the highlight moves, and replacing one prompt
throws away the drawing of every option. A key in the review moves the highlight and, for an
answer, changes two prompts (the question's and its section's): four lines, not a screenful.
"""

from __future__ import annotations

from textual.reactive import reactive
from textual.visual import VisualType
from textual.widgets import OptionList


class QuestionList(OptionList):
    """One line per option (the stylesheet sets `text-wrap: nowrap`)."""

    # Not repainting the whole list: the watcher redraws the two lines that change.
    highlighted: reactive[int | None] = reactive(None, repaint=False)

    def watch_highlighted(self, old: int | None, new: int | None) -> None:  # type: ignore[override]
        super().watch_highlighted(new)
        self._refresh_option(old)
        self._refresh_option(new)

    def replace_prompt(self, option_id: str, prompt: VisualType) -> None:
        """Like `replace_option_prompt`, redrawing that option's line alone."""
        if self.styles.text_wrap != "nowrap":  # a prompt could change its height
            self.replace_option_prompt(option_id, prompt)
            return
        index = self.get_option_index(option_id)
        option = self.get_option_at_index(index)
        option._set_prompt(prompt)
        cache = self._option_render_cache
        for key in [key for key in cache.keys() if key[0] is option]:
            cache.discard(key)
        self._refresh_option(index)

    def _refresh_option(self, index: int | None) -> None:
        if index is None or not self.is_mounted:
            return
        line = self._index_to_line.get(index)
        if line is not None:
            self.refresh_lines(line, self._heights.get(index, 1))
