"""A calibration's figures: each reviewer against the gold (overall and per question), the
questions that split reviewers (Fleiss' kappa among them all, with the answers each chose
and their notes), and which way each reviewer leans against gold (counts).

Which pairs count is services.agreement's rule, with gold in the primary's place: a case
gives a pair per question shown in the gold or the reviewer's review; hidden in both is left
out, hidden in one only is a disagreement (`hidden` a category of its own)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from casereview.core.rules import calibration_blind_refusal
from casereview.core.stats import scoring
from casereview.core.stats.multirater import (
    ORDERED,
    FleissKappa,
    fleiss_kappa,
    linear_weighted_kappa,
    ordered_pairs,
)
from casereview.core.tables import Cell, Table
from casereview.services.agreement import (
    HIDDEN,
    AgreementFigures,
    ReviewPair,
    compared,
    pair_figures,
)
from casereview.store import StoreError

if TYPE_CHECKING:
    from casereview.core.checklist.models import Checklist, Question
    from casereview.store import Store
    from casereview.store.calibration_records import CalibrationInfo, CalibrationReview

SPLIT_BELOW = 0.6
"""A question whose Fleiss' kappa among the calibration reviewers is below this (or
undefined) is marked in the report: its guidance needs rewriting before it can be scored
alike (Landis & Koch's "moderate" ends at 0.60)."""


@dataclass(frozen=True)
class Threshold:
    """A reviewer passes with kappa against gold at least `kappa` or agreement at least
    `agreement` percent: the team's choice, by default the published rule (kappa 0.75 or
    95% agreement)."""

    kappa: float = 0.75
    agreement: float = 95.0

    def passes(self, fig: AgreementFigures) -> bool:
        return (fig.kappa is not None and fig.kappa >= self.kappa) or (
            fig.agree_pct is not None and fig.agree_pct >= self.agreement
        )

    @property
    def words(self) -> str:
        return f"kappa {self.kappa:g} or {self.agreement:g}% agreement"


@dataclass(frozen=True)
class Lean:
    """How a reviewer's answers lie against gold: on the ordered answers (no < partly < yes),
    how often above gold and below it; and per answer, how often the reviewer gave it and
    how often gold did, on the same pairs. Counts, not a score."""

    above: int
    below: int
    reviewer_counts: dict[str, int]
    gold_counts: dict[str, int]


@dataclass(frozen=True)
class QuestionFigures:
    question_id: str
    figures: AgreementFigures
    weighted_kappa: float | None


@dataclass(frozen=True)
class ReviewerFigures:
    reviewer: str
    done: int
    """The calibration cases this reviewer has recorded."""
    overall: AgreementFigures
    """All the reviewer's answer pairs against gold, pooled over the questions."""
    weighted_kappa: float | None
    n_ordered: int
    """The pooled pairs on the ordered scale (what weighted kappa counts)."""
    passed: bool | None
    """None until the reviewer and the gold have recorded every case."""
    per_question: list[QuestionFigures]
    lean: Lean


@dataclass(frozen=True)
class Chosen:
    """One case's answers to a question: gold's and each reviewer's, with notes."""

    case_id: int
    gold: str | None
    gold_note: str
    answers: dict[str, tuple[str, str]]  # reviewer -> (answer or `hidden`, note)


@dataclass(frozen=True)
class QuestionSplit:
    question: Question
    fleiss: FleissKappa
    chosen: list[Chosen]

    @property
    def split(self) -> bool:
        """Below SPLIT_BELOW, or undefined with raters and cases to judge it by."""
        k = self.fleiss.kappa
        return k < SPLIT_BELOW if k is not None else self.fleiss.subjects > 0


@dataclass(frozen=True)
class CalibrationFigures:
    info: CalibrationInfo
    threshold: Threshold
    gold_done: int
    reviewers: list[ReviewerFigures]
    questions: list[QuestionSplit]
    """Ranked by Fleiss' kappa, lowest (the worst split) first; undefined last."""
    case_refs: dict[int, str] = field(default_factory=dict)


def _pairs(
    checklist: Checklist,
    gold: dict[int, CalibrationReview],
    mine: dict[int, CalibrationReview],
) -> list[ReviewPair]:
    return [
        ReviewPair(
            case_id,
            compared(checklist, gold[case_id].answers),
            compared(checklist, mine[case_id].answers),
        )
        for case_id in sorted(gold.keys() & mine.keys())
    ]


def _lean(pairs: Sequence[tuple[str, str]]) -> Lean:
    place = {c: i for i, c in enumerate(ORDERED)}
    kept = ordered_pairs(pairs)
    return Lean(
        above=sum(1 for g, r in kept if place[r] > place[g]),
        below=sum(1 for g, r in kept if place[r] < place[g]),
        reviewer_counts=dict(Counter(r for _, r in pairs)),
        gold_counts=dict(Counter(g for g, _ in pairs)),
    )


def _reviewer(
    checklist: Checklist,
    info: CalibrationInfo,
    threshold: Threshold,
    gold: dict[int, CalibrationReview],
    mine: dict[int, CalibrationReview],
    reviewer: str,
) -> ReviewerFigures:
    cases = _pairs(checklist, gold, mine)
    questions = checklist.questions
    overall = pair_figures("", cases, questions)
    pooled = [a for c in cases for q in questions if (a := c.answers(q.id)) is not None]
    finished = len(mine) == len(gold) == len(info.case_ids)
    per_question = []
    for q in questions:
        pairs = [a for c in cases if (a := c.answers(q.id)) is not None]
        per_question.append(
            QuestionFigures(q.id, pair_figures(q.id, cases, [q]), linear_weighted_kappa(pairs))
        )
    return ReviewerFigures(
        reviewer=reviewer,
        done=len(mine),
        overall=overall,
        weighted_kappa=linear_weighted_kappa(pooled),
        n_ordered=len(ordered_pairs(pooled)),
        passed=threshold.passes(overall) if finished else None,
        per_question=per_question,
        lean=_lean(pooled),
    )


def _splits(
    checklist: Checklist,
    info: CalibrationInfo,
    gold: dict[int, CalibrationReview],
    by_reviewer: dict[str, dict[int, CalibrationReview]],
) -> list[QuestionSplit]:
    """Per question, Fleiss' kappa among the reviewers who recorded every case (so each
    case has the same raters), over the cases not hidden for all of them."""
    raters = [r for r in info.reviewers if len(by_reviewer.get(r, {})) == len(info.case_ids)]
    out = []
    for q in checklist.questions:
        chosen, ratings = [], []
        for case_id in info.case_ids:
            answers = {}
            for r in info.reviewers:
                review = by_reviewer.get(r, {}).get(case_id)
                if review is not None:
                    value = compared(checklist, review.answers)[q.id]
                    answers[r] = (value, review.notes.get(q.id, ""))
            g = gold.get(case_id)
            gold_value = compared(checklist, g.answers)[q.id] if g else None
            chosen.append(Chosen(case_id, gold_value, g.notes.get(q.id, "") if g else "", answers))
            counts = Counter(answers[r][0] for r in raters)
            if len(raters) >= 2 and set(counts) != {HIDDEN}:
                ratings.append(dict(counts))
        fleiss = fleiss_kappa(ratings) if len(raters) >= 2 else fleiss_kappa([])
        if scoring.small_sample(fleiss.subjects):  # the small-sample rule of every figure
            fleiss = fleiss._replace(se=None, low=None, high=None)
        out.append(QuestionSplit(q, fleiss, chosen))
    return sorted(out, key=lambda s: (s.fleiss.kappa is None, s.fleiss.kappa or 0.0))


def figures(
    checklist: Checklist,
    info: CalibrationInfo,
    reviews: Sequence[CalibrationReview],
    threshold: Threshold | None = None,
) -> CalibrationFigures:
    """Every figure of a calibration from its recorded reviews (pure)."""
    threshold = threshold or Threshold()
    gold = {r.case_id: r for r in reviews if r.role == "gold"}
    by_reviewer: dict[str, dict[int, CalibrationReview]] = {r: {} for r in info.reviewers}
    for r in reviews:
        if r.role == "reviewer":
            by_reviewer.setdefault(r.reviewer, {})[r.case_id] = r
    return CalibrationFigures(
        info,
        threshold,
        len(gold),
        [_reviewer(checklist, info, threshold, gold, by_reviewer[r], r) for r in info.reviewers],
        _splits(checklist, info, gold, by_reviewer),
    )


def viewable(
    store: Store, name: str, viewer: str
) -> tuple[CalibrationInfo, list[CalibrationReview]]:
    """The calibration and its reviews, or refused (StoreError) for a calibration reviewer
    who has not recorded every case yet (core.rules.calibration_blind_refusal)."""
    info = store.calibration_named(name)
    reviews = store.calibration_reviews(info.id)
    done = sum(1 for r in reviews if r.reviewer == viewer and r.role == "reviewer")
    refusal = calibration_blind_refusal(viewer, info.reviewers, done, len(info.case_ids))
    if refusal:
        raise StoreError(refusal)
    return info, reviews


def read(
    store: Store, name: str, viewer: str, threshold: Threshold | None = None
) -> CalibrationFigures:
    """The calibration's figures as `viewer` may see them (refused: see `viewable`), with
    its cases' references."""
    info, reviews = viewable(store, name, viewer)
    figs = figures(store.checklist(info.checklist_pk), info, reviews, threshold)
    return replace(figs, case_refs={c: store.case(c).case_ref for c in info.case_ids})


def record_results(store: Store, figs: CalibrationFigures, actor: str) -> list[str]:
    """Record each finished reviewer's verdict at the figures' threshold, dated now (an
    audit requiring calibration reads it; a trail event says so); the reviewers whose
    result is new or changed (the same result again keeps its first date)."""
    from casereview.store.calibration_records import CalibrationResult
    from casereview.store.records import now

    stamp, changed = now(), []
    for rev in figs.reviewers:
        if rev.passed is None:
            continue
        result = CalibrationResult(
            figs.info.name,
            figs.info.checklist_pk,
            rev.reviewer,
            rev.overall.kappa,
            rev.overall.agree_pct,
            figs.threshold.kappa,
            figs.threshold.agreement,
            rev.passed,
            stamp,
        )
        if store.save_calibration_result(figs.info.id, result, actor):
            changed.append(rev.reviewer)
    return changed


# ------------------------------------------------------------------ the export


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


EXPORT_COLUMNS = (
    "calibration",
    "reviewer",
    "question_id",
    "n_pairs",
    "agree_pct",
    "kappa",
    "kappa_ci_low",
    "kappa_ci_high",
    "ac1",
    "weighted_kappa",
    "fleiss_kappa",
    "fleiss_ci_low",
    "fleiss_ci_high",
    "above_gold",
    "below_gold",
    "passed",
)


def _against_gold(fig: AgreementFigures) -> dict[str, Cell]:
    return {
        "n_pairs": fig.n_pairs,
        "agree_pct": None if fig.agree_pct is None else round(fig.agree_pct, 1),
        "kappa": _r(fig.kappa),
        "kappa_ci_low": _r(fig.kappa_ci_low),
        "kappa_ci_high": _r(fig.kappa_ci_high),
        "ac1": _r(fig.ac1),
    }


def export_table(figs: CalibrationFigures) -> Table:
    """Per reviewer a row against gold over every question (empty question_id: `passed`
    says the verdict, empty until they and the gold have recorded every case) and a row per
    question; then per question a row for all reviewers (empty reviewer) with Fleiss'
    kappa, in checklist order."""
    name = figs.info.name
    rows: list[dict[str, Cell]] = []
    for rev in figs.reviewers:
        rows.append(
            {
                "calibration": name,
                "reviewer": rev.reviewer,
                "question_id": None,
                **_against_gold(rev.overall),
                "weighted_kappa": _r(rev.weighted_kappa),
                "above_gold": rev.lean.above,
                "below_gold": rev.lean.below,
                "passed": rev.passed,
            }
        )
        for q in rev.per_question:
            rows.append(
                {
                    "calibration": name,
                    "reviewer": rev.reviewer,
                    "question_id": q.question_id,
                    **_against_gold(q.figures),
                    "weighted_kappa": _r(q.weighted_kappa),
                }
            )
    by_id = {s.question.id: s for s in figs.questions}
    for question_id in (
        q.question_id for q in (figs.reviewers[0].per_question if figs.reviewers else [])
    ):
        f = by_id[question_id].fleiss
        rows.append(
            {
                "calibration": name,
                "reviewer": None,
                "question_id": question_id,
                "n_pairs": f.subjects,
                "fleiss_kappa": _r(f.kappa),
                "fleiss_ci_low": _r(f.low),
                "fleiss_ci_high": _r(f.high),
            }
        )
    return Table("calibration", EXPORT_COLUMNS, rows)


TRAIL_COLUMNS = (
    "calibration",
    "event_id",
    "at",
    "actor",
    "case_ref",
    "question_id",
    "kind",
    "old",
    "new",
    "reason",
)


def trail_table(store: Store, name: str, viewer: str, include_notes: bool = False) -> Table:
    """The calibration's trail (`export events --calibration`): set up, answers, notes,
    completions, the gold and the results, oldest first. Its answers are others' answers,
    so it is refused as `viewable` refuses; notes are free text, shown only with the flag."""
    info, _ = viewable(store, name, viewer)
    rows: list[dict[str, Cell]] = []
    for event_id, at, actor, ref, qid, kind, old, new, reason in store.calibration_event_rows(
        info.id
    ):
        hide = kind == "calibration_note" and not include_notes
        rows.append(
            {
                "calibration": info.name,
                "event_id": event_id,
                "at": at,
                "actor": actor,
                "case_ref": ref,
                "question_id": qid,
                "kind": kind,
                "old": "(note)" if hide and old else old,
                "new": "(note)" if hide and new else new,
                "reason": reason,
            }
        )
    return Table("events", TRAIL_COLUMNS, rows)


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day where it has fewer)."""
    import calendar

    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def not_calibrated(store: Store, audit_id: int, today: date | None = None) -> list[str] | None:
    """The audit's reviewers without a passed calibration on its checklist version within
    the months it requires (None: it requires none)."""
    months = store.calibration_months(audit_id)
    if months is None:
        return None
    since = months_before(today or date.today(), months).isoformat()
    audit = store.audit(audit_id)
    passed = {
        r.reviewer
        for r in store.calibration_results(audit.checklist_pk)
        if r.passed and r.decided_at[:10] >= since
    }
    return [r for r in store.audit_reviewers(audit_id) if r not in passed]
