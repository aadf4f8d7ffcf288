"""From a finding to an action (`a` on the findings screen, and the palette): the highlighted
question, where some applicable files fall short of it, drafts an action in the plan of the
audit's force, linked to the question and prefilled with it and its figure (DraftActionScreen).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casereview.core.plans import DraftAction
from casereview.core.stats import scoring

if TYPE_CHECKING:
    from casereview.services.findings import AuditData
    from casereview.store import AuditInfo
    from casereview.tui.screens.findings import FindingsScreen


def audit_force(audit: AuditInfo) -> str | None:
    """The one force the audit was drawn from (its scope's force filter), else None."""
    force = (audit.scope.get("where") or {}).get("force")
    if isinstance(force, list) and len(force) == 1:
        force = force[0]
    return force if isinstance(force, str) else None


def draft_from_finding(
    screen: FindingsScreen, audit: AuditInfo, data: AuditData, key: str | None
) -> None:
    """Open the draft dialog for the question row `key` of the audit's findings (`data`);
    say why not where it cannot."""
    from casereview.tui.dialogs.plan import DraftActionScreen

    if key is None or not data.checklist.has_question(key):
        screen.notify("Highlight a question (Enter on a section lists them).", markup=False)
        return
    figures = {f.question_id: f for f in data.question_figures}
    fig = figures.get(key)
    if fig is None or not fig.scored or fig.compliance is None:
        screen.notify(f"{key} is not a standard with a figure here.", markup=False)
        return
    if fig.compliance >= 1:
        screen.notify(f"{key}: every applicable file meets it; nothing to act on.", markup=False)
        return
    force = audit_force(audit)
    plan = screen.store.plan(force) if force else None
    if force is None or plan is None or not plan.recommendations:
        screen.notify(
            f"No action plan for {force or 'this audit (it is not of one force)'}: "
            "import one with `casereview plan import FILE --force NAME`.",
            severity="warning",
            markup=False,
        )
        return
    question = data.checklist.question(key)
    figure = scoring.describe(fig)
    heading = f"{key} {question.text}\n{audit.name}: {figure}"
    text = f"Raise {key} ({question.text}) from {scoring.percent(fig.compliance)}%"
    linked = [r for r in plan.recommendations if r.tag and r.tag in question.recommendations]
    others = [r for r in plan.recommendations if r not in linked]
    recs = [(r.ref, r.text) for r in linked + others]  # its own recommendation first

    def save(chosen: tuple[str, str] | None) -> None:
        if chosen is None:
            return
        rec, action_text = chosen
        action = screen.store.add_action(
            force,
            rec,
            DraftAction(action_text, questions=(key,)),
            screen.reviewer,
            f"drafted from the findings of {audit.name}: {figure}",
        )
        screen.notify(f"{action.ref} added to the plan of {force}.", markup=False)

    screen.app.push_screen(DraftActionScreen(force, heading, text, recs), save)
