"""A panel that scrolls its own text, so that new text is a repaint and not a layout.

The review screen's question panel changes on every key. As a Static inside a VerticalScroll,
each new text changed the Static's height, and Textual then laid the screen out two or three
times over (the size change, the scroll container's new virtual size, its scrollbar), a frame
each: most of a key's time. This widget keeps its size whatever it shows; only the text it
scrolls over changes, and a layout is asked for only when its scrollbar comes or goes.
"""

from __future__ import annotations

from textual.content import Content
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual


class TextPanel(ScrollView, can_focus=False):
    """Shows one `Content`, wrapped to the panel's width, scrolled vertically."""

    DEFAULT_CSS = """
    TextPanel {
        overflow-x: hidden;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self._content = Content("")
        self._lines: list[Strip] = []
        self._wrapped_for: tuple[int, int] | None = None  # the box the lines were made for

    @property
    def content(self) -> Content:
        """What the panel shows."""
        return self._content

    def render(self) -> Content:  # type: ignore[override]
        """What the panel shows, as Static.render gives it (the lines are drawn by render_line)."""
        return self._content

    def update(self, content: Content) -> None:
        """Show `content` from its top."""
        self._content = content
        self._wrap()
        # Forced: a text that fits has nothing to scroll, and would otherwise keep the old
        # text's offset (and be drawn from there).
        self.scroll_to(y=0, animate=False, force=True)

    def on_resize(self, event: Resize) -> None:
        if self._wrapped_for != self._box():
            self._wrap()

    def selection_updated(self, selection: object) -> None:
        self._wrap()  # the selection is drawn into the lines

    def _box(self) -> tuple[int, int]:
        """The width and height for text, the scrollbar's column included."""
        box = self.content_region
        return box.width, box.height

    def _wrap(self) -> None:
        """Wrap the content to the panel's width, less the scrollbar's when the text is taller
        than the panel, and show or hide the scrollbar to match."""
        width, height = self._wrapped_for = self._box()
        if not width or not height:
            return
        bar = self.styles.scrollbar_size_vertical
        shown = self.show_vertical_scrollbar
        # First for the scrollbar as it is (usually still right), then the other way if the
        # text no longer fits, or now fits, beside it.
        lines = self._strips(width - bar if shown else width)
        if bar and (len(lines) > height) != shown:
            shown = not shown
            lines = self._strips(width - bar if shown else width)
        self._lines = lines
        size = Size(lines[0].cell_length if lines else 0, len(lines))
        # Not `self.virtual_size = size`: that asks for a layout, and after a layout every
        # scrolling widget on the screen redraws its scrollbar, in a frame of its own.
        self.set_reactive(TextPanel.virtual_size, size)
        if shown != self.show_vertical_scrollbar:
            # The scrollbar comes or goes: the one case that needs a layout (asked for here,
            # so that the one layout places the scrollbar).
            self.show_vertical_scrollbar = shown
            self.vertical_scrollbar.display = shown
        if shown:
            scrollbar = self.vertical_scrollbar
            scrollbar.window_virtual_size = size.height
            scrollbar.window_size = height
        self.refresh()

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # A layout hands a ScrollView its own region as its "virtual size", which ScrollView
        # then finds changed every time and redraws the scrollbar for, in a frame of its own.
        # The virtual size is the text's, set above.
        return super()._size_updated(size, self.virtual_size, container_size, layout)

    def _strips(self, width: int) -> list[Strip]:
        if width <= 0:
            return []
        style = self.visual_style
        strips = Visual.to_strips(self, self._content, width, None, style)
        return [strip.extend_cell_length(width, style.rich_style) for strip in strips]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if index >= len(self._lines):
            return Strip.blank(width, self.visual_style.rich_style)
        return self._lines[index].crop_extend(0, width, self.visual_style.rich_style)
