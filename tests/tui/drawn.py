"""What a one-line bar shows on the screen, read from the screen's own drawing (the
compositor), not from the widget's `render()`: a bar that was not redrawn after a change
still shows its old line here, as it would to the user."""

from __future__ import annotations

from rich.color import Color
from textual._compositor import LayoutUpdate
from textual.strip import Strip
from textual.widget import Widget

from casereview.tui.widgets.bars import KeyBar


def drawn(widget: Widget) -> Strip:
    """The row a one-line widget takes on the screen, as the screen draws it now."""
    update = widget.screen._compositor.render_update(full=True, simplify=True)
    assert isinstance(update, LayoutUpdate) and widget.region.height == 1
    (row,) = update.strips[widget.region.y]
    return row.crop(widget.region.x, widget.region.right)


def line(widget: Widget) -> str:
    return drawn(widget).text


def colour_at(widget: Widget, x: int) -> Color | None:
    """The colour the character at column `x` is drawn in (a dimmed key is drawn in a
    duller colour: Textual blends dim text into its background)."""
    for segment in drawn(widget).crop(x, x + 1):
        assert segment.style is not None
        return segment.style.color
    return None


def key_colours(bar: KeyBar) -> dict[str, Color | None]:
    """Each key drawn on the bar, with the colour of its chip."""
    out: dict[str, Color | None] = {}
    for x in range(bar.region.width):
        hit = bar.key_at(x)
        if hit is not None and hit[0] not in out:
            out[hit[0]] = colour_at(bar, x + 1 if line(bar)[x] == " " else x)
    return out
