"""The YAML readers every casereview file goes through (core/checklist/loading.read_yaml):
YAML 1.2-style booleans, no timestamps, integers read with their own message, anchors and
aliases refused as the text is composed, and libyaml's faster composer for a checklist the
database holds."""

from __future__ import annotations

import re
from typing import Any

import yaml


class Loader(yaml.SafeLoader):
    """YAML 1.2-style booleans: `yes`/`no` stay strings, because they are answer values."""


# Booleans only as true/false, and no timestamps: `version: 2024-02-30` is text, not a crash.
_DROPPED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"}
Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    # Python refuses to read an integer of thousands of digits (with advice about
    # sys.set_int_max_str_digits); say so at the number's own line instead.
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)  # type: ignore[arg-type]
    except ValueError:
        digits = sum(ch.isdigit() for ch in str(node.value))
        raise yaml.constructor.ConstructorError(
            None, None, f"a number of {digits:,} digits is too long to read", node.start_mark
        ) from None


Loader.add_constructor("tag:yaml.org,2002:int", construct_int)


class Anchored(Exception):
    """An anchor or an alias met while composing (an "alias bomb" refused unbuilt)."""

    def __init__(self, line: int):
        self.line = line


class Composer(Loader):
    """The loader that refuses anchors and aliases as it composes, so the text is scanned
    once: the node tree it composes is also what the data is built from."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise Anchored(event.start_mark.line + 1 if event.start_mark else 1)
        return super().compose_node(parent, index)


# libyaml's parser, with the same resolvers and constructors as Loader, where PyYAML was built
# with it: it composes a checklist's node tree ten times faster than the pure-Python composer
# (10 ms, not 100 ms, for checklist 3.0, on every command that reads an audit's findings).
# It reads only a checklist the database holds (parse_checklist's `stored`), which the
# pure composer accepted when it was stored: libyaml accepts some text that one refuses (a
# tab before a colon, `?` inside a flow list), so a file, a bundle or a plan never meets it.
_CLoader: type[Any] | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        yaml_implicit_resolvers = Loader.yaml_implicit_resolvers
        yaml_constructors = Loader.yaml_constructors


def fast_root(text: str) -> tuple[Any, Any] | None:
    """The loader and root node libyaml composes, where the text can hold no anchor or alias
    (no `&`, no `*`) and every character is one PyYAML reads; None (the pure-Python
    composer decides, with its messages) otherwise or on any error."""
    if _CLoader is None or "&" in text or "*" in text:
        return None
    if yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None
    try:
        loader = _CLoader(text)
        return loader, loader.get_single_node()
    except Exception:  # noqa: BLE001 - the pure composer names the problem by line
        return None
