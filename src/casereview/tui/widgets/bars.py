"""The title line and the key line of every screen, each drawn as a single widget.

Textual's Header and Footer are containers of small widgets: the Header four (icon, title,
clock space, itself) with watchers that set the title after the first frame; the Footer a
widget per key, composed when mounted and again once the screen's bindings are ready, each key
styled twice on the way (FooterKey.compact starts True and its binding to the footer's sets it
False). On the audits screen they were about a third of the time from the app's start to its
first screen (bench: TUI start), and on the review screen the Footer is rebuilt whenever the
keys that apply change. These two render the same lines from the same sources, so a change of
title or keys is a repaint.

They keep what users had: the title and subtitle centred with the palette's icon at the left;
the keys the screen shows with what they do, keys that do not apply now dimmed, grouped keys on
one entry ("y p n a u Answer"), the command palette's key at the right, and a click on a key
presses it.
"""

from __future__ import annotations

from itertools import groupby
from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget


class Key(NamedTuple):
    key: str  # as pressed (`simulate_key` takes it)
    display: str  # as shown
    enabled: bool  # False: it does nothing here now (dimmed)


class Entry(NamedTuple):
    """One place on the bar: a key (or a group's keys) and what it says."""

    keys: list[Key]
    description: str


class KeyBar(Widget, can_focus=False):
    """The keys of the screen it is on, with the command palette's key at the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"keybar--key", "keybar--description"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .keybar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .keybar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    show_command_palette: reactive[bool] = reactive(True)  # a change repaints
    """Show the command palette's key at the right (screens hide it below 100 columns)."""

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, str, bool]] = []  # (start, end, key, enabled)
        self._drawn: tuple[list[Entry], Entry | None] | None = None  # what render last drew

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        # The screen says so on every focus change, most of which change no key shown.
        if self.entries() != self._drawn:
            self.refresh()

    def entries(self) -> tuple[list[Entry], Entry | None]:
        """What the bar shows, in order, and the command palette's entry (None: hidden)."""
        active = self.screen.active_bindings
        by_action: dict[str, tuple[Binding, bool]] = {}
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show:
                by_action.setdefault(binding.action, (binding, enabled))
        shown: list[Entry] = []
        for group, members in groupby(by_action.values(), lambda item: item[0].group):
            items = list(members)
            if group is not None and len(items) > 1:
                keys = [Key(b.key, self.app.get_key_display(b), e) for b, e in items]
                shown.append(Entry(keys, group.description))
            else:
                shown.extend(
                    Entry([Key(b.key, self.app.get_key_display(b), e)], b.description)
                    for b, e in items
                )
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                binding = found.binding
                palette = Entry(
                    [Key(binding.key, self.app.get_key_display(binding), found.enabled)],
                    binding.description,
                )
        return shown, palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key", partial=True)
        description_style = self.get_component_rich_style("keybar--description", partial=True)
        self._drawn = shown, palette = self.entries()
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, str, bool]] = []

        def add(entry: Entry) -> None:
            grouped = len(entry.keys) > 1  # " y p n a u Answer ": the group's keys close up
            if grouped:
                line.append(" ")
            for key in entry.keys:
                start = line.cell_len
                chip = f"{key.display} " if grouped else f" {key.display} "
                line.append(chip, key_style + _dim(key.enabled))
                spans.append((start, line.cell_len, key.key, key.enabled))
            if entry.description:
                enabled = any(key.enabled for key in entry.keys)
                line.append(f"{entry.description} ", description_style + _dim(enabled))
                if len(entry.keys) == 1:  # a click on the words presses the key too
                    start, _end, pressed, enabled = spans[-1]
                    spans[-1] = (start, line.cell_len, pressed, enabled)

        for entry in shown:
            add(entry)
        if palette is not None:
            width = sum(cell_len(k.display) + 2 for k in palette.keys)
            width += cell_len(palette.description) + 1
            gap = self.size.width - line.cell_len - width - 1
            if gap >= 0:  # the palette's key at the right edge, as Footer puts it
                line.append(" " * gap)
                line.append("▏", "dim")
                add(palette)
        self._spans = spans
        return line

    def key_at(self, x: int) -> tuple[str, bool] | None:
        """The key drawn at column `x` and whether it applies now; None between keys."""
        for start, end, key, enabled in self._spans:
            if start <= x < end:
                return key, enabled
        return None

    def on_click(self, event: events.Click) -> None:
        hit = self.key_at(event.x)
        if hit is None:
            return
        key, enabled = hit
        if enabled:
            self.app.simulate_key(key)
        else:
            self.app.bell()


def _dim(enabled: bool) -> Style:
    return Style() if enabled else Style(dim=True)


class TitleBar(Widget, can_focus=False):
    """The app's title and the screen's subtitle, centred, with the palette's icon at the
    left (a click on it opens the command palette), laid out as Textual's Header."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """
    ICON = "⭘"
    LEFT = 8  # the Header's icon column
    RIGHT = 10  # the Header's clock space (no clock here)

    def on_mount(self) -> None:
        for owner in (self.app, self.screen):
            for name in ("title", "sub_title"):
                self.watch(owner, name, self._retitle, init=False)

    def _retitle(self) -> None:
        self.refresh()

    def title_content(self) -> Content:
        """What the bar says: the screen's title and subtitle, or else the app's."""
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = screen.sub_title if screen.sub_title is not None else app.sub_title
        return app.format_title(title, sub_title)  # Content: names in it are never markup

    def render(self) -> Content:
        middle = max(self.size.width - self.LEFT - self.RIGHT, 0)
        title = self.title_content().rstrip().truncate(middle, ellipsis=True)
        left = (middle - title.cell_length) // 2
        return Content.assemble(
            f" {self.ICON}".ljust(self.LEFT),
            title.pad(left, middle - left - title.cell_length),
            " " * self.RIGHT,
        )

    def on_click(self, event: events.Click) -> None:
        if event.x < self.LEFT and self.app.ENABLE_COMMAND_PALETTE:
            event.stop()
            self.app.action_command_palette()
