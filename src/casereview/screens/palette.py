"""Command palette entries: jump to any case of any audit, or open an audit."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

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
                yield Hit(score, matcher.highlight(title), callback, help=help_text)  # type: ignore[arg-type]

    async def discover(self) -> Hits:
        for title, help_text, callback in self._targets()[:30]:
            yield DiscoveryHit(title, callback, help=help_text)  # type: ignore[arg-type]
