"""What the funnel and LQAS screens share: the audits pooled with the one they were opened
from, their figures by a unit, and the title line that names what was pooled."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable, Static

from casereview.core.problems import CasereviewError

if TYPE_CHECKING:
    from casereview.services.funnel import FigureFunnel
    from casereview.store import Store


def load_pooled(
    store: Store, audit_id: int, by: str, viewer: str, title: Static, table: DataTable
) -> tuple[list[str], list[FigureFunnel]]:
    """The pooled audits' names and their figures by `by`; a refusal (a blind reviewer,
    checklists that cannot pool) is said in `title`, the table emptied, and no figures."""
    from casereview.services.funnel import build, pooled_audits

    names = pooled_audits(store, audit_id)
    try:
        return names, build(store, names, by, viewer=viewer)
    except CasereviewError as exc:
        title.update(Text(str(exc), "bold yellow"))
        table.clear(columns=True)
        return names, []


def pooled_line(names: list[str], versions: list[str] | tuple[str, ...]) -> Text:
    """ "Pooled: A, B", and the checklist versions when there were several."""
    line = Text("\nPooled: ", "dim")
    line.append(", ".join(names))  # names are data: Text, never markup
    if len(versions) > 1:
        line.append(f" (versions {', '.join(versions)}: the questions that carry over)")
    return line
