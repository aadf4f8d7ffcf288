"""Trends across the audits of one checklist: each section's, question's and tag's figure per
audit in time order, with its change from the audit before (or, compared side by side, from
the other audits pooled) and a 95% Newcombe interval on that change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from casereview.core.checklist.models import Checklist
from casereview.core.fields import TREND_BY
from casereview.core.periods import Period
from casereview.core.problems import CasereviewError
from casereview.core.rules import blind_refusal
from casereview.core.stats import scoring
from casereview.core.stats.change import (
    HIGHER,
    LOWER,
    NO_CLEAR_DIFFERENCE,
    Change,
    change,
)
from casereview.core.text import natural_key
from casereview.services import findings, trend_scope
from casereview.store import AuditInfo, Store

BY = TREND_BY
"""What `--by` may name: sections only, questions only, or questions pooled by a tag."""
TAG_KINDS = ("recommendation", "concern", "theme")


class TrendError(CasereviewError):
    """A trend that cannot be drawn as asked (exit 2): the message says why."""


@dataclass(frozen=True)
class TrendAudit:
    """One audit in a trend, in time order."""

    name: str
    checklist_label: str
    """The checklist version it scores with, `ID@VERSION`."""
    period: str
    """Its period as people write it: 2024-10, 2024-10..2024-12, 2024 (core/periods.py)."""
    when: str
    """What it is ordered by: the first day of its period (else the last)."""
    n_counted: int
    """Completed reviews counted (per case the moderated one, else the primary)."""
    scope: str = ""
    """What its sample was drawn from and how ('force = Northmoor Police; strata by team')."""


@dataclass(frozen=True)
class Figure:
    """One section's, question's or tag's figure in one audit."""

    audit: str
    successes: float
    """Cases meeting the section in full; a question's credit (yes + half of partly); a fact
    question's yes answers; a tag's pooled credit."""
    n: int
    """n_applicable: the cases with an applicable answer in the section, a question's
    applicable answers, a fact question's known answers (yes or no), a tag's pooled answers."""
    share: float | None
    """successes / n (None where n is 0): compliance, or a fact question's prevalence."""
    low: float | None
    high: float | None
    """The share's 95% Wilson interval."""
    scored: bool = True
    """False: a fact question, whose share is prevalence and never gets a direction."""
    change: Change | None = None
    """From the audit before (compared: from the other audits pooled); None for the first
    audit and where either side has no applicable answers or they are of different kinds."""
    direction: str | None = None
    """improved / declined / no clear change (compared: higher / lower / no clear
    difference); None where change is None and for fact questions."""
    against: str | None = None
    """The audit the change is from (in time order: the latest earlier one of the same scope;
    compared side by side: None, the others of its design pooled)."""


@dataclass(frozen=True)
class TrendItem:
    """A section, question or tag followed across the audits."""

    kind: str
    """"section", "question", "recommendation", "concern" or "theme"."""
    key: str
    """The section id, question id (as the newest version of the checklist spells it) or tag."""
    label: str
    """The section title, question text or tag label."""
    section_id: str | None
    """A question's section (None for sections and tags)."""
    scored: bool
    """False for a fact question (as the newest version has it)."""
    figures: tuple[Figure | None, ...]
    """One per audit of the trend, in its order; None where that audit's checklist version
    has no such section, question (under its id or one it `replaces`) or tag."""
    question_ids: tuple[str, ...] = ()
    """A tag's scored questions (newest ids, in any version tagged)."""


@dataclass(frozen=True)
class Trend:
    """Audits of one checklist and every figure followed across them."""

    checklist_id: str
    title: str
    audits: tuple[TrendAudit, ...]
    compare: bool
    """Side by side (audits of one period): changes are from the other audits pooled."""
    sections: tuple[TrendItem, ...]
    questions: tuple[TrendItem, ...]
    """Every question of the newest version in checklist order, fact questions included."""
    tags: dict[str, tuple[TrendItem, ...]] = field(default_factory=dict)
    """"recommendation", "concern" and "theme": questions pooled by tag, tags in natural
    order (R7 before R10)."""
    skipped: tuple[str, ...] = ()
    """Audits of the checklist left out (not asked for by name) for having no completed
    review."""
    undated: tuple[str, ...] = ()
    """Audits left out for having no period (a trend never dates one by its creation)."""
    notes: tuple[str, ...] = ()
    """What a reader must know to compare these audits: groups of different scope, periods
    that overlap (trend_scope.scope_notes). Said wherever the trend is shown."""

    def warnings(self) -> list[str]:
        """Every audit left out and why, then the notes: what the CLI says on stderr, the
        Trends screen and the trend report show."""
        out = []
        if self.skipped:
            out.append(f"left out (no completed review yet): {', '.join(self.skipped)}")
        if self.undated:
            out.append(trend_scope.left_out_note(self.undated))
        return out + list(self.notes)

    def questions_of(self, section_id: str) -> list[TrendItem]:
        return [q for q in self.questions if q.section_id == section_id]

    def items(self, by: str | None = None) -> list[TrendItem]:
        """The rows `--by` asks for: none, each section followed by its questions."""
        if by is None:
            return [item for s in self.sections for item in (s, *self.questions_of(s.key))]
        if by == "section":
            return list(self.sections)
        if by == "question":
            return list(self.questions)
        if by in TAG_KINDS:
            return list(self.tags[by])
        raise TrendError(f"--by takes {', '.join(BY)}, not '{by}'")


# --------------------------------------------------------------------------- choosing audits


def _chosen(store: Store, spec: str, names: Sequence[str] | None) -> tuple[list[AuditInfo], str]:
    """The audits of checklist `spec` (`ID`, or `ID@VERSION` for one version), all of them
    or the ones named, and the checklist id."""
    checklist_id, _, version = spec.partition("@")
    versions = {c.pk: c for c in store.checklists() if c.checklist_id == checklist_id}
    if not versions:
        known = ", ".join(sorted({c.checklist_id for c in store.checklists()})) or "none"
        raise TrendError(f"no checklist '{checklist_id}' in this database (checklists: {known})")
    if version and not any(c.version == version for c in versions.values()):
        stored = ", ".join(c.version for c in versions.values())
        raise TrendError(f"checklist '{checklist_id}' has no version {version} (stored: {stored})")

    def fits(a: AuditInfo) -> bool:
        info = versions.get(a.checklist_pk)
        return info is not None and (not version or info.version == version)

    if names is None:
        return [a for a in store.audits() if fits(a)], checklist_id
    chosen: list[AuditInfo] = []
    for name in names:
        audit = store.audit_named(name)  # an unknown name: StoreError, exit 2, naming the audits
        if not fits(audit):
            raise TrendError(
                f"audit '{audit.name}' uses {audit.checklist_label}, not checklist {spec}"
            )
        if any(a.id == audit.id for a in chosen):
            raise TrendError(f"audit '{audit.name}' is named twice")
        chosen.append(audit)
    return chosen, checklist_id


# --------------------------------------------------------------------------- figures


def lineage(newest: Checklist, older: Iterable[Checklist]) -> dict[str, dict[str, str]]:
    """Per version: each question id of `newest` -> the id it has in that version.

    A question continues the question it `replaces` where that version has it, else the one
    with its own id (as `checklist diff` reads it), version by version back from the newest,
    so a chain of renamings is followed. Questions of older versions that no newer one
    continues are not in the map: a trend speaks the newest version's questions."""
    out = {newest.version: {q.id: q.id for q in newest.questions}}
    current = {q.id: q for q in newest.questions}
    for version in sorted(older, key=lambda c: natural_key(c.version), reverse=True):
        ids: dict[str, str] = {}
        for canonical, q in current.items():
            if q.replaces and q.replaces != q.id and version.has_question(q.replaces):
                ids[canonical] = q.replaces
            elif version.has_question(q.id):
                ids[canonical] = q.id
        current = {**current, **{c: version.question(i) for c, i in ids.items()}}
        out[version.version] = ids
    return out


def _question_figure(name: str, fig: scoring.QuestionFigures) -> Figure:
    if fig.scored:
        return Figure(name, fig.credit, fig.n_applicable, fig.compliance, fig.ci_low, fig.ci_high)
    return Figure(
        name,
        fig.yes,
        fig.n_applicable,
        fig.prevalence,
        fig.prevalence_low,
        fig.prevalence_high,
        scored=False,
    )


def _tag_keys(checklist: Checklist, kind: str) -> list[str]:
    return [k for q in checklist.questions for k in getattr(q, kind + "s")]


@dataclass
class _AuditFigures:
    """One audit's figures, keyed as the trend keys them."""

    info: TrendAudit
    sections: dict[str, Figure]
    questions: dict[str, Figure]
    tags: dict[str, dict[str, Figure]]
    tagged: dict[str, dict[str, list[str]]]


def _audit_figures(
    data: findings.AuditData, info: TrendAudit, ids: dict[str, str]
) -> _AuditFigures:
    """Scoring applied to one audit as its own findings apply it (its own checklist version)."""
    checklist = data.checklist
    name = info.name
    sections = {
        f.section_id: Figure(name, f.n_full, f.n_cases, f.share_full, f.ci_low, f.ci_high)
        for f in scoring.audit_section_figures(checklist, data.reviews)
    }
    own = {f.question_id: f for f in data.question_figures}  # counted once, at load
    canonical_of = {own_id: canonical for canonical, own_id in ids.items()}
    questions = {c: _question_figure(name, own[i]) for c, i in ids.items()}
    tags: dict[str, dict[str, Figure]] = {}
    tagged: dict[str, dict[str, list[str]]] = {}
    for kind in TAG_KINDS:
        tags[kind], tagged[kind] = {}, {}
        for key in dict.fromkeys(_tag_keys(checklist, kind)):
            members = [q for q in checklist.questions if key in getattr(q, kind + "s")]
            pooled = scoring.pooled_figures(own[q.id] for q in members)
            if not pooled.question_ids:  # fact questions only: no compliance to pool
                continue
            tags[kind][key] = Figure(
                name,
                pooled.credit,
                pooled.n_applicable,
                pooled.compliance,
                pooled.ci_low,
                pooled.ci_high,
            )
            tagged[kind][key] = [canonical_of.get(q, q) for q in pooled.question_ids]
    return _AuditFigures(info, sections, questions, tags, tagged)


def _comparable(a: Figure | None, b: Figure | None) -> bool:
    return a is not None and b is not None and a.n > 0 and b.n > 0 and a.scored == b.scored


def _with_changes(
    figures: list[Figure | None], bases: list[list[int]], compare: bool
) -> tuple[Figure | None, ...]:
    """Each figure with its change from its bases (trend_scope.bases: in time order the
    latest earlier audit of its scope, or compared, the others of its design pooled: their
    successes over their n). A fact question gets a change but no direction."""
    out: list[Figure | None] = []
    for i, fig in enumerate(figures):
        if fig is None:
            out.append(None)
            continue
        others = [f for j in bases[i] if (f := figures[j]) is not None and _comparable(fig, f)]
        base = (sum(f.successes for f in others), sum(f.n for f in others)) if others else None
        ch = change(fig.successes, fig.n, *base) if base and fig.n else None
        direction = None
        if ch is not None and fig.scored:
            direction = ch.say(HIGHER, LOWER, NO_CLEAR_DIFFERENCE) if compare else ch.say()
        against = others[0].audit if ch is not None and not compare else None
        out.append(replace(fig, change=ch, direction=direction, against=against))
    return tuple(out)


def build_trend(
    store: Store,
    checklist: str,
    audit_names: Sequence[str] | None = None,
    compare: bool = False,
    viewer: str | None = None,
) -> Trend:
    """The trend of checklist `checklist` (`ID`, or `ID@VERSION`) over `audit_names` (default
    every audit of it with a completed review), in time order.

    Refused (TrendError, FindingsError or StoreError; exit 2 on the command line): an
    unknown checklist or audit, a named audit of another checklist or without completed
    reviews, no audits at all, `compare` with fewer than two, and for `viewer` an audit
    where they are a blind second reviewer with a pair still open (the figures would show
    them the primary answers)."""
    chosen, checklist_id = _chosen(store, checklist, audit_names)
    skipped: list[str] = []
    undated: list[str] = []
    loaded: list[tuple[AuditInfo, findings.AuditData]] = []
    for audit in chosen:
        if viewer is not None:
            refusal = blind_refusal(store, audit.id, viewer)
            if refusal:
                raise TrendError(f"audit '{audit.name}': {refusal}")
        if audit_names is None and audit.n_complete == 0:
            skipped.append(audit.name)
            continue
        if audit.period is None:  # never dated by when it was created
            undated.append(audit.name)
            continue
        loaded.append((audit, findings.load(store, audit.name)))  # none complete: FindingsError
    if not loaded:
        raise TrendError(
            f"no audit of checklist {checklist} has a completed review and a period yet"
            + (f" ({', '.join(skipped)} have no completed review)" if skipped else "")
            + (f"; {trend_scope.left_out_note(undated)}" if undated else "")
        )
    if compare and len(loaded) < 2:
        raise TrendError("--compare puts audits side by side: it needs at least two")
    loaded.sort(key=lambda pair: (_period_of(pair[0]).sort_key, pair[0].created_at, pair[0].name))
    names = [a.name for a, _d in loaded]
    periods = [_period_of(a) for a, _d in loaded]
    scopes = [trend_scope.Scope.of(a.scope) for a, _d in loaded]
    bases = trend_scope.bases(periods, scopes, compare)
    infos = [
        TrendAudit(a.name, a.checklist_label, p.label, p.sort_key[0], len(d.counted), sc.words)
        for (a, d), p, sc in zip(loaded, periods, scopes, strict=True)
    ]
    versions = {data.checklist.version: data.checklist for _a, data in loaded}
    newest = versions[max(versions, key=natural_key)]
    ids = lineage(newest, [c for v, c in versions.items() if v != newest.version])
    per_audit = [
        _audit_figures(d, i, ids[d.checklist.version])
        for i, (_a, d) in zip(infos, loaded, strict=True)
    ]

    def item(
        kind: str,
        key: str,
        label: str,
        figures: list[Figure | None],
        section_id: str | None = None,
        scored: bool = True,
        question_ids: tuple[str, ...] = (),
    ) -> TrendItem:
        return TrendItem(
            kind,
            key,
            label,
            section_id,
            scored,
            _with_changes(figures, bases, compare),
            question_ids,
        )

    sections = tuple(
        item("section", s.id, s.title, [a.sections.get(s.id) for a in per_audit])
        for s in newest.sections
    )
    questions = tuple(
        item(
            "question",
            q.id,
            q.text,
            [a.questions.get(q.id) for a in per_audit],
            section_id=newest.section_of(q.id).id,
            scored=q.scored,
        )
        for q in newest.questions
    )
    in_order = sorted(versions.values(), key=lambda c: natural_key(c.version))
    tags: dict[str, tuple[TrendItem, ...]] = {}
    for kind in TAG_KINDS:
        keys = sorted({k for a in per_audit for k in a.tags[kind]}, key=natural_key)
        labels = _tag_labels(kind, in_order)
        tags[kind] = tuple(
            item(
                kind,
                key,
                labels.get(key, key),
                [a.tags[kind].get(key) for a in per_audit],
                question_ids=tuple(
                    dict.fromkeys(q for a in per_audit for q in a.tagged[kind].get(key, []))
                ),
            )
            for key in keys
        )
    return Trend(
        checklist_id,
        newest.title,
        tuple(a.info for a in per_audit),
        compare,
        sections,
        questions,
        tags,
        tuple(skipped),
        tuple(undated),
        tuple(trend_scope.scope_notes(names, periods, scopes, compare)),
    )


def _period_of(audit: AuditInfo) -> Period:
    assert audit.period is not None  # the undated are left out before
    return audit.period


def _tag_labels(kind: str, checklists: Sequence[Checklist]) -> dict[str, str]:
    """A tag's label, the newest version's where versions differ (the last one wins)."""
    labels: dict[str, str] = {}
    for c in checklists:
        if kind == "concern":
            labels.update(c.concerns)
        elif kind == "theme":
            labels.update(c.themes)
    return labels
