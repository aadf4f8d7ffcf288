"""Command palette entries: jump to any case of any audit, or open an audit; and every key a
screen leaves off its key bar."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, cast

from textual.app import App, SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.screen import Screen

from casereview.core.access import is_panel
from casereview.tui.messages import OpenAudit, OpenCase
from casereview.tui.session import session


class CaseCommands(Provider):
    """`NM/24/01234` finds the case in every audit that sampled it.

    Cases are asked of the store on each keystroke, by the start of their reference and
    then by any part of it (`01234` finds NM/24/01234), both through indexes and at most
    HITS of them (Store.find_sampled_cases), so typing costs the same in a 25-case audit
    and a 25,000-case one; audits, a handful, are matched as the palette matches anything.
    """

    HITS = 20

    def _audits(self) -> list[tuple[str, str, object]]:
        post = self.app.post_message
        return [
            (f"Open audit {a.name}", f"{a.n_cases} cases", partial(post, OpenAudit(a.id)))
            for a in session(self.app).store.audits()
        ]

    def _cases(self, prefix: str) -> list[tuple[str, str, object]]:
        if is_panel(session(self.app).role):  # no case references for a scrutiny panel
            return []
        post = self.app.post_message
        return [
            (
                f"Case {ref} in {audit_name}",
                f"{offence or ''} - "
                + {None: "not started", "in_progress": "in progress"}.get(status, "complete"),
                partial(post, OpenCase(audit_id, case_id)),
            )
            for audit_id, audit_name, case_id, ref, offence, status in session(
                self.app
            ).store.find_sampled_cases(prefix, self.HITS)
        ]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        prefix = query.strip()
        if prefix[:5].lower() == "case ":  # as the hits read: "Case NM/24/01234 in ..."
            prefix = prefix[5:].strip()
        targets = self._audits() + (self._cases(prefix) if prefix else [])
        for title, help_text, callback in targets:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    _highlight(matcher, title),
                    callback,  # type: ignore[arg-type]
                    text=title,
                    help=_plain(help_text),
                )

    async def discover(self) -> Hits:
        for title, help_text, callback in self._audits()[:30]:
            yield DiscoveryHit(
                Content(title),
                callback,  # type: ignore[arg-type]
                text=title,
                help=_plain(help_text),
            )


def hidden_key_commands(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """The screen's own keys that its key bar leaves out (no room at 80 columns), each as
    "Description (key)" and doing what the key does, so none is reachable only by knowing it.
    Keys that do not apply now are left out; a key with several names (down, j) is one entry.
    Give such a binding a `tooltip`: it is the entry's help line."""
    done: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if active.node is not screen or binding.show or not binding.description:
            continue
        if not active.enabled or binding.action in done:
            continue
        done.add(binding.action)
        yield SystemCommand(
            f"{binding.description} ({app.get_key_display(binding)})",
            binding.tooltip or binding.description,  # the tooltip says what it does
            partial(app.run_action, binding.action, screen),
        )


# Audit names, case references and offences are data. The palette reads a str prompt or help
# as markup (Matcher.highlight too), so both go to it as Content.


def _highlight(matcher: Matcher, title: str) -> Content:
    """The title with the matched letters marked, as Matcher.highlight does, but as text."""
    content = Content(title)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _plain(text: str) -> str:
    """Help text that the palette shows as it is (it passes Content through unparsed)."""
    return cast(str, Content(text))
