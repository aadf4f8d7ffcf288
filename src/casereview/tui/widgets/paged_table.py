"""A row table of any length that holds only the rows it draws: Textual's Line API over pages.

A DataTable keeps a widget row per row, so a 25,000-case sample took seconds to fill. This
table knows only how many rows there are; `render_line` asks a fetch function for the page
(PAGE rows) a line falls in and keeps the last few pages, so opening and scrolling cost the
rows on screen, whatever the length. It has one cursor (a row), the DataTable's keys and
look, and says so with RowHighlighted and RowSelected as DataTable does.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Row = tuple[str, Sequence[Text]]  # (key, cells): cells are Text, so data is never markup
Fetch = Callable[[int, int], Sequence[Row]]  # (offset, limit) -> rows in order


class PagedTable(ScrollView, can_focus=True):
    """`count` rows under a fixed header; rows come from `fetch(offset, limit)`."""

    PAGE = 200  # rows per fetch: a screen at any terminal size plus a margin
    PAGES_KEPT = 6

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First row", show=False),
        Binding("end,ctrl+end", "last", "Last row", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paged-table--header",
        "paged-table--cursor",
        "paged-table--even-row",
    }

    # DataTable's look (its DEFAULT_CSS, for a row cursor with zebra stripes).
    DEFAULT_CSS = """
    PagedTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .paged-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .paged-table--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .paged-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .paged-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .paged-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .paged-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .paged-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class RowHighlighted(Message):
        """The cursor moved to row `row` (key `key`)."""

        def __init__(self, table: PagedTable, row: int, key: str) -> None:
            super().__init__()
            self.table = table
            self.row = row
            self.key = key

        @property
        def control(self) -> PagedTable:
            return self.table

    class RowSelected(RowHighlighted):
        """Enter (or a click on the cursor row) on row `row` (key `key`)."""

    class Stale(Message):
        """A page came back shorter than the count said: the rows changed under the table
        (another session reassigned a case out of "your queue"). Count them again."""

        def __init__(self, table: PagedTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(self, columns: Sequence[str], fetch: Fetch, *, id: str | None = None) -> None:  # noqa: A002 (as Widget)
        super().__init__(id=id)
        self.columns = [Text(c) for c in columns]
        self._fetch = fetch
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._widths = [c.cell_len for c in self.columns]
        self.row_count = 0
        self.cursor_row = 0
        self._stale = False  # Stale posted, and no reset since

    # ------------------------------------------------------------------ rows

    def reset(self, count: int, cursor: int | None = None) -> None:
        """Forget every row read; the table now has `count` rows, the cursor on row `cursor`
        (None: where it was), within them."""
        self._pages.clear()
        self._stale = False
        self.row_count = max(0, count)
        self._widths[0] = max(self._widths[0], len(str(self.row_count)))
        row = self.cursor_row if cursor is None else cursor
        self.cursor_row = max(0, min(row, self.row_count - 1))
        if self.row_count:
            self.row_at(self.cursor_row)  # the columns' widths before the first frame
        self._resize()
        self.refresh()
        self.call_after_refresh(self._scroll_to_cursor)

    def row_at(self, index: int) -> Row:
        """The key and cells of row `index`, read with its page when not held."""
        page = index // self.PAGE
        rows = self._pages.get(page)
        if rows is None:
            rows = list(self._fetch(page * self.PAGE, self.PAGE))
            self._pages[page] = rows
            if len(self._pages) > self.PAGES_KEPT:
                self._pages.popitem(last=False)
            self._widen(rows)
        else:
            self._pages.move_to_end(page)
        if index - page * self.PAGE < len(rows):
            return rows[index - page * self.PAGE]
        # Fewer rows than counted: drawn blank (no key, so nothing opens) until recounted.
        self._pages.pop(page, None)
        if not self._stale:
            self._stale = True
            self.post_message(self.Stale(self))
        return "", tuple(Text() for _ in self.columns)

    def get_row_at(self, index: int) -> Sequence[Text]:
        """The cells of row `index` (as DataTable.get_row_at)."""
        return self.row_at(index)[1]

    def key_at(self, index: int) -> str | None:
        if not 0 <= index < self.row_count:
            return None
        return self.row_at(index)[0] or None  # "": a row that is no longer there

    @property
    def cursor_key(self) -> str | None:
        """The key of the cursor's row; None when the table is empty."""
        return self.key_at(self.cursor_row)

    def held_keys(self) -> set[str]:
        """The keys of the rows read and kept."""
        return {key for rows in self._pages.values() for key, _ in rows}

    def update_row(self, key: str, cells: Sequence[Text]) -> bool:
        """Redraw the held row `key` with these cells (False: it is not held)."""
        for page, rows in self._pages.items():
            for i, (held, _) in enumerate(rows):
                if held == key:
                    rows[i] = (key, cells)
                    self._widen([(key, cells)])
                    self._refresh_row(page * self.PAGE + i)
                    return True
        return False

    def _widen(self, rows: Sequence[Row]) -> None:
        """Columns as wide as their widest cell yet read (they never narrow while shown,
        so scrolling does not make the columns jump back)."""
        widths = list(self._widths)
        for _, cells in rows:
            for i, cell in enumerate(cells):
                if cell.cell_len > widths[i]:
                    widths[i] = cell.cell_len
        if widths != self._widths:
            self._widths = widths
            self._resize()
            self.refresh()

    def _resize(self) -> None:
        self.virtual_size = Size(sum(w + 2 for w in self._widths), self.row_count + 1)

    # ------------------------------------------------------------------ cursor

    @property
    def _body_height(self) -> int:
        """Rows that fit under the header (0 before the table is laid out)."""
        return max(0, self.scrollable_content_region.height - 1)

    def move_cursor(self, row: int, scroll: bool = True) -> None:
        """Put the cursor on row `row` (clamped) and, with `scroll`, bring it into view."""
        if not self.row_count:
            return
        row = max(0, min(row, self.row_count - 1))
        old, self.cursor_row = self.cursor_row, row
        self._refresh_row(old)
        self._refresh_row(row)
        if scroll:
            self._scroll_to_cursor()
            self.call_after_refresh(self._scroll_to_cursor)  # once the size is known
        if row != old:
            self.post_message(self.RowHighlighted(self, row, self.row_at(row)[0]))

    def _scroll_to_cursor(self) -> None:
        if not self._body_height:
            return  # not laid out yet: call_after_refresh comes back
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, force=True)
        elif self.cursor_row >= top + self._body_height:
            self.scroll_to(y=self.cursor_row - self._body_height + 1, animate=False, force=True)

    def _refresh_row(self, index: int) -> None:
        y = index - round(self.scroll_y) + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + max(1, self._body_height))

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - max(1, self._body_height))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self.row_count - 1)

    def action_select_cursor(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.RowSelected(self, self.cursor_row, key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = round(self.scroll_y) + offset.y - 1
        if row >= self.row_count:
            return
        event.stop()
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row, scroll=False)

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = round(self.scroll_x), round(self.scroll_y)
        base = self.rich_style
        if y == 0:
            style = base + self._component("header")
            return self._line(self.columns, style, scroll_x, width)
        index = scroll_y + y - 1
        if index >= self.row_count:
            return Strip.blank(width, base)
        style = base
        if index % 2 == 0:
            style += self._component("even-row")
        if index == self.cursor_row:
            style += self._component("cursor")
        return self._line(self.get_row_at(index), style, scroll_x, width)

    def _component(self, name: str) -> Style:
        return self.get_component_styles(f"paged-table--{name}").rich_style

    def on_focus(self) -> None:
        self.refresh()  # the cursor's colours follow the focus

    def on_blur(self) -> None:
        self.refresh()

    def _line(self, cells: Sequence[Text], style: Style, scroll_x: int, width: int) -> Strip:
        segments: list[Segment] = []
        console = self.app.console
        for cell, cell_width in zip(cells, self._widths, strict=False):
            text = Text(" ", end="")
            text.append_text(cell)
            text.truncate(cell_width + 1, overflow="ellipsis", pad=True)
            text.append(" ")
            text.stylize_before(style)  # under the cell's own styles (render drops .style)
            segments.extend(text.render(console))
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.extend_cell_length(width, style).simplify()
