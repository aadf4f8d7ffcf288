"""Command palette entries: jump to any case of any audit, or open an audit."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

if TYPE_CHECKING:
    from casereview.app import CaseReviewApp


class CaseCommands(Provider):
    """`NM/24/01234` finds the case in every audit that sampled it."""

    def _targets(self) -> list[tuple[str, str, object]]:
        app = cast("CaseReviewApp", self.app)
        out: list[tuple[str, str, object]] = []
        for audit in app.store.audits():
            out.append(
                (
                    f"Open audit {audit.name}",
                    f"{audit.n_cases} cases",
                    partial(app.open_audit, audit.id),
                )
            )
            for ac in app.store.audit_cases(audit.id):
                out.append(
                    (
                        f"Case {ac.case.case_ref} in {audit.name}",
                        f"{ac.case.offence or ''} - "
                        + {None: "not started", "in_progress": "in progress"}.get(
                            ac.status, "complete"
                        ),
                        partial(app.open_case, audit.id, ac.case.id),
                    )
                )
        return out

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._targets():
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
        for title, help_text, callback in self._targets()[:30]:
            yield DiscoveryHit(
                Content(title),
                callback,  # type: ignore[arg-type]
                text=title,
                help=_plain(help_text),
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
