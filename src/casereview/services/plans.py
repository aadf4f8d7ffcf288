"""An action plan beside the evidence of the force's own audits: for each action, the figures
of the questions and tags it is meant to move, before and after its due date.

For each linked figure: the last audit before the due date and the latest after it (of the
same scope: the same case filters and sample design, so like is compared with like), each
with its compliance, counts and 95% Wilson interval; the change between them with its
Newcombe interval (Newcombe 1998, method 10; core/stats/change.py); and, where the scope has
MIN_SPC_PERIODS audits or more, the p-chart's signals in the audits after the due date
(core/stats/spc.py). A done action is said to have `moved` only when every linked figure
that has both audits rose with an interval wholly above 0; otherwise it is `not shown to
have moved`: the data do not show a change, which is not the same as showing none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from casereview.core.checklist.models import Checklist
from casereview.core.plans import overdue
from casereview.core.stats.change import Change, change
from casereview.services.trend import TAG_KINDS, Figure, Trend, TrendItem, build_trend
from casereview.services.trend_spc import series
from casereview.store import AuditInfo, Store
from casereview.store.plan_records import Action, Plan

DEFAULT_CHECKLIST = "stalking-casefile"
"""The shipped checklist: what a force with no audit yet links its actions to."""
MIN_SPC_PERIODS = 5
"""Fewer audits of one scope make no control chart worth reading: its centre line and
limits would rest on a handful of points, and the run rules need 6 or 8."""
MOVED, NOT_SHOWN = "moved", "not shown to have moved"


def force_audits(store: Store, force: str) -> list[AuditInfo]:
    """The audits drawn from this force's files alone (their scope's `force` filter)."""
    out = []
    for audit in store.audits():
        where = (audit.scope or {}).get("where") or {}
        value = where.get("force")
        forces = value if isinstance(value, list) else [value]
        if value is not None and forces == [force]:
            out.append(audit)
    return out


def force_checklists(store: Store, force: str) -> list[Checklist]:
    """The checklist versions the force's audits use; where it has none, the shipped
    checklist's newest version (else every checklist stored)."""
    pks = list(dict.fromkeys(a.checklist_pk for a in force_audits(store, force)))
    if not pks:
        shipped = [c for c in store.checklists() if c.checklist_id == DEFAULT_CHECKLIST]
        pks = [shipped[-1].pk] if shipped else [c.pk for c in store.checklists()]
    return [store.checklist(pk) for pk in pks]


def linkable(store: Store, force: str) -> tuple[set[str], set[str]]:
    """The question ids and tags (recommendations, concerns, themes) an action of this
    force may name."""
    questions: set[str] = set()
    tags: set[str] = set()
    for checklist in force_checklists(store, force):
        for q in checklist.questions:
            questions.add(q.id)
            for kind in TAG_KINDS:
                tags.update(getattr(q, kind + "s"))
    return questions, tags


@dataclass(frozen=True)
class Side:
    """One audit's figure on one side of the due date."""

    audit: str
    period: str
    figure: Figure


@dataclass(frozen=True)
class LinkEvidence:
    """One linked question's or tag's figures across the due date."""

    kind: str
    """"question", or the tag's kind: "recommendation", "concern", "theme"."""
    key: str
    label: str
    before: Side | None
    after: Side | None
    change: Change | None
    """after - before, with its Newcombe interval; None without both."""
    periods: int
    """Audits of the compared scope with a figure: the control chart's points."""
    signals: tuple[str, ...]
    """The p-chart's signals in audits after the due date, 'Dec 2024: beyond limits'."""
    note: str = ""
    """Why there is no change or chart, in words."""

    @property
    def direction(self) -> str | None:
        return None if self.change is None else self.change.say()


@dataclass(frozen=True)
class ActionEvidence:
    action: Action
    links: tuple[LinkEvidence, ...]
    overdue: bool
    verdict: str | None
    """For a done action: MOVED or NOT_SHOWN; None otherwise."""


def _links(action: Action, rec_tag: str) -> list[str]:
    """What the action names; its recommendation's tag when it names nothing."""
    named = [*action.questions, *action.tags]
    return named or ([rec_tag] if rec_tag else [])


def _item(trend: Trend, key: str) -> TrendItem | None:
    for q in trend.questions:
        if q.key == key:
            return q
    for kind in TAG_KINDS:
        for t in trend.tags.get(kind, ()):
            if t.key == key:
                return t
    return None


def link_evidence(
    trend: Trend, periods: dict[str, tuple[str, str]], key: str, due: str | None
) -> LinkEvidence:
    """The figures of question or tag `key` around `due`; `periods` gives each audit's first
    and last day."""
    item = _item(trend, key)
    if item is None:
        return LinkEvidence("question", key, key, None, None, None, 0, (), "no audit scores it")
    figures = [
        (audit, fig)
        for audit, fig in zip(trend.audits, item.figures, strict=True)
        if fig is not None and fig.n > 0
    ]
    if due is None:
        return LinkEvidence(item.kind, key, item.label, None, None, None, 0, (), "no due date")
    after_all = [(a, f) for a, f in figures if periods[a.name][0] > due]
    scope = after_all[-1][0].scope if after_all else None
    same = [(a, f) for a, f in figures if scope is None or a.scope == scope]
    before = [(a, f) for a, f in same if periods[a.name][1] <= due]
    b = Side(before[-1][0].name, before[-1][0].period, before[-1][1]) if before else None
    a = (
        Side(after_all[-1][0].name, after_all[-1][0].period, after_all[-1][1])
        if after_all
        else None
    )
    moved = None
    note = ""
    if a is None:
        note = "no audit after the due date yet"
    elif b is None:
        note = "no audit of the same scope before the due date"
    else:
        moved = change(a.figure.successes, a.figure.n, b.figure.successes, b.figure.n)
    signals: list[str] = []
    n_periods = 0
    for chart_scope, points in series(trend, item, None):
        if chart_scope != (scope or (figures[-1][0].scope if figures else None)):
            continue
        n_periods = len(points)
        if n_periods >= MIN_SPC_PERIODS:
            by_name = {x.name: x for x in trend.audits}
            signals = [
                f"{by_name[p.label].period}: {', '.join(p.signals)}"
                for p in points
                if p.signals and periods[p.label][0] > due
            ]
    if n_periods and n_periods < MIN_SPC_PERIODS:
        chart = (
            f"{n_periods} audits of this scope: too few for a control chart"
            f" (it needs {MIN_SPC_PERIODS})"
        )
        note = f"{note}; {chart}" if note else chart
    return LinkEvidence(item.kind, key, item.label, b, a, moved, n_periods, tuple(signals), note)


def verdict(links: list[LinkEvidence]) -> str:
    """MOVED only when every linked figure with both audits rose clearly, and one did."""
    compared = [lk for lk in links if lk.change is not None]
    if compared and all(lk.change is not None and lk.change.low > 0 for lk in compared):
        return MOVED
    return NOT_SHOWN


def force_trend(
    store: Store, force: str, viewer: str | None = None
) -> tuple[Trend | None, dict[str, tuple[str, str]]]:
    """The trend of the force's audits (on the checklist most of them use, every version),
    in period order, and each audit's first and last day; None where none has a completed
    review and a period. Refused (TrendError) for a `viewer` who is a blind second reviewer
    with a pair open in one of them, as every figure is."""
    audits = [a for a in force_audits(store, force) if a.n_complete > 0 and a.period is not None]
    if not audits:
        return None, {}
    labels = {c.pk: c.checklist_id for c in store.checklists()}
    checklist_id = Counter(labels[a.checklist_pk] for a in audits).most_common(1)[0][0]
    chosen = [a for a in audits if labels[a.checklist_pk] == checklist_id]
    periods = {}
    for a in chosen:
        assert a.period is not None
        periods[a.name] = (a.period.start or a.period.end or "", a.period.end or "9999-12-31")
    return build_trend(store, checklist_id, [a.name for a in chosen], viewer=viewer), periods


def plan_evidence(
    store: Store, plan: Plan, today: str | None = None, viewer: str | None = None
) -> list[ActionEvidence]:
    """Every action of the plan with its evidence, in the plan's order; for `viewer`, refused
    where they are a blind second reviewer with a pair open (force_trend)."""
    today = today or date.today().isoformat()
    trend, periods = force_trend(store, plan.force, viewer)
    out = []
    for rec in plan.recommendations:
        for action in rec.actions:
            links = (
                [link_evidence(trend, periods, k, action.due) for k in _links(action, rec.tag)]
                if trend is not None
                else []
            )
            out.append(
                ActionEvidence(
                    action,
                    tuple(links),
                    overdue(action.status, action.due, today),
                    verdict(links) if action.status == "done" else None,
                )
            )
    return out
