"""The progress report (`report --plan FORCE`): per recommendation, its actions with owner,
due date and status, and for each the evidence of the force's own audits (services/plans.py):
the linked figures before and after the due date with their intervals, the change with its
Newcombe interval, and the control chart's signals. Word and Markdown from the same blocks
(reportdoc); the workbook from the same evidence, a row per action and per linked figure."""

from __future__ import annotations

from collections.abc import Sequence

from casereview.core.plans import STATUS_WORDS
from casereview.core.stats import scoring
from casereview.core.tables import Cell, Table
from casereview.io.reports import blocks as reportdoc
from casereview.io.reports.blocks import Block, Grid, Heading
from casereview.services.plans import (
    MIN_SPC_PERIODS,
    MOVED,
    ActionEvidence,
    LinkEvidence,
    Side,
    plan_evidence,
)
from casereview.services.trend import Figure
from casereview.store import Store
from casereview.store.plan_records import Plan

METHOD = (
    "Each action names the checklist questions or tags it is meant to move (an action that "
    "names none is linked by its recommendation's tag). For each, the last audit of the "
    "force before the action's due date is set beside the latest audit after it, of the "
    "same scope (the same case filters and sample design): compliance (partly counts half) "
    "with its 95% Wilson interval, and the change between the two with its 95% Newcombe "
    "interval (Newcombe 1998, Statistics in Medicine 17:873-890, method 10). A done action "
    "is said to have moved only when every linked figure rose with an interval wholly above "
    "0; otherwise it is not shown to have moved, which is not the same as shown not to "
    f"have moved. With {MIN_SPC_PERIODS} audits of the scope or more, the p-chart's signals "
    "(a point beyond the 3-sigma limits, 8 on one side of the centre, 6 rising or falling) "
    "in the audits after the due date are named."
)
ACTION_COLUMNS = (
    "force",
    "recommendation",
    "recommendation_text",
    "action",
    "text",
    "owner",
    "due",
    "status",
    "reason",
    "overdue",
    "verdict",
)
EVIDENCE_COLUMNS = (
    "action",
    "linked",
    "label",
    "before_audit",
    "before_period",
    "before_credit",
    "before_n",
    "before_pct",
    "before_low_pct",
    "before_high_pct",
    "after_audit",
    "after_period",
    "after_credit",
    "after_n",
    "after_pct",
    "after_low_pct",
    "after_high_pct",
    "change_pts",
    "change_low_pts",
    "change_high_pts",
    "direction",
    "periods",
    "signals",
    "note",
)


def _figure(fig: Figure) -> str:
    """'1 of 6, 17% (95% CI 3-56%)'."""
    if fig.share is None or fig.low is None or fig.high is None:
        return f"{fig.successes:g} of {fig.n}"
    return (
        f"{fig.successes:g} of {fig.n}, {scoring.percent(fig.share)}% "
        f"(95% CI {scoring.interval_words(fig.low, fig.high)})"
    )


def _side(side: Side | None, none: str) -> str:
    return none if side is None else f"{side.audit} ({side.period}): {_figure(side.figure)}"


def link_words(link: LinkEvidence) -> str:
    """One linked figure's evidence in a sentence."""
    if link.kind == "question":
        name = f"{link.key} {link.label}"
    else:  # a tag: its label first, the tag after
        name = link.key if link.label == link.key else f"{link.label} ({link.key})"
    parts = [
        f"before: {_side(link.before, 'no audit')}",
        f"after: {_side(link.after, 'no audit')}",
    ]
    if link.change is not None:
        c = link.change
        parts.append(
            f"change {100 * c.difference:+.1f} points (95% CI {100 * c.low:+.1f} to "
            f"{100 * c.high:+.1f}), {link.direction}"
        )
    if link.signals:
        parts.append("control chart: " + "; ".join(link.signals))
    elif link.periods >= MIN_SPC_PERIODS:
        parts.append("control chart: no signal after the due date")
    if link.note:
        parts.append(link.note)
    return f"{name} \u2014 " + "; ".join(parts)


def flags(e: ActionEvidence) -> list[str]:
    out = []
    if e.overdue:
        out.append("overdue")
    if e.verdict is not None and e.verdict != MOVED:
        out.append("done, not shown to have moved")
    return out


def blocks(
    store: Store, force: str, today: str | None = None, viewer: str | None = None
) -> list[Block]:
    plan = store.plan_of(force)
    evidence = plan_evidence(store, plan, today, viewer)
    by_ref = {e.action.ref: e for e in evidence}
    out: list[Block] = [
        Heading(f"Action plan progress: {plan.force}", 1),
        _summary(plan, evidence),
        Heading("Method", 2),
        reportdoc.paragraph(METHOD),
    ]
    for rec in plan.recommendations:
        out.append(Heading(f"{rec.ref} {rec.text}", 2))
        if not rec.actions:
            out.append(reportdoc.paragraph("No action yet."))
            continue
        out.append(
            Grid(
                ("Action", "Owner", "Due", "Status", "Flags"),
                (False,) * 5,
                tuple(
                    (
                        f"{a.ref} {a.text}",
                        a.owner or "-",
                        a.due or "-",
                        STATUS_WORDS[a.status] + (f" ({a.reason})" if a.reason else ""),
                        ", ".join(flags(by_ref[a.ref])) or "-",
                    )
                    for a in rec.actions
                ),
            )
        )
        for a in rec.actions:
            e = by_ref[a.ref]
            title = f"{a.ref}: " + (f"{e.verdict}" if e.verdict else STATUS_WORDS[a.status])
            out.append(Heading(title, 3))
            if e.links:
                out.append(reportdoc.items(*(link_words(lk) for lk in e.links)))
            else:
                out.append(reportdoc.paragraph("No linked figure from the force's audits yet."))
    return out


def _summary(plan: Plan, evidence: Sequence[ActionEvidence]) -> Block:
    done = [e for e in evidence if e.action.status == "done"]
    moved = [e for e in done if e.verdict == MOVED]
    bare = [r.ref for r in plan.recommendations if not r.actions]
    lines = [
        f"{len(plan.recommendations)} recommendations, {len(evidence)} actions: "
        f"{len(done)} done ({len(moved)} with linked figures shown to have moved), "
        f"{sum(e.overdue for e in evidence)} overdue.",
    ]
    if bare:
        lines.append(f"No action yet under {', '.join(bare)}.")
    return reportdoc.paragraph(*lines)


def _pcts(side: Side | None, prefix: str) -> dict[str, Cell]:
    if side is None:
        return {}
    f = side.figure
    return {
        f"{prefix}_audit": side.audit,
        f"{prefix}_period": side.period,
        f"{prefix}_credit": f.successes,
        f"{prefix}_n": f.n,
        f"{prefix}_pct": scoring.pct(f.share),
        f"{prefix}_low_pct": scoring.pct(f.low),
        f"{prefix}_high_pct": scoring.pct(f.high),
    }


def tables(
    store: Store, force: str, today: str | None = None, viewer: str | None = None
) -> list[Table]:
    plan = store.plan_of(force)
    evidence = plan_evidence(store, plan, today, viewer)
    texts = {r.ref: r.text for r in plan.recommendations}
    actions: list[dict[str, Cell]] = []
    links: list[dict[str, Cell]] = []
    for e in evidence:
        a = e.action
        actions.append(
            {
                "force": plan.force,
                "recommendation": a.recommendation,
                "recommendation_text": texts[a.recommendation],
                "action": a.ref,
                "text": a.text,
                "owner": a.owner,
                "due": a.due,
                "status": a.status,
                "reason": a.reason,
                "overdue": e.overdue,
                "verdict": e.verdict,
            }
        )
        for lk in e.links:
            c = lk.change
            links.append(
                {
                    "action": a.ref,
                    "linked": lk.key,
                    "label": lk.label,
                    **_pcts(lk.before, "before"),
                    **_pcts(lk.after, "after"),
                    "change_pts": None if c is None else round(100 * c.difference, 1),
                    "change_low_pts": None if c is None else round(100 * c.low, 1),
                    "change_high_pts": None if c is None else round(100 * c.high, 1),
                    "direction": lk.direction,
                    "periods": lk.periods,
                    "signals": "; ".join(lk.signals),
                    "note": lk.note,
                }
            )
    return [Table("actions", ACTION_COLUMNS, actions), Table("evidence", EVIDENCE_COLUMNS, links)]


def summary(force: str) -> list[tuple[str, Cell]]:
    """The workbook's summary sheet (the command line writes it with io.exports)."""
    return [("report", "action plan progress"), ("force", force), ("method", METHOD)]
