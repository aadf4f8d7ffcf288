"""Scoring as pure functions: compliance, Wilson intervals, section scores, kappa, sample size."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from statistics import NormalDist
from typing import TYPE_CHECKING

from casereview.core.checklist.scope import CaseScope
from casereview.core.fields import Role, Status
from casereview.core.stats.counts import effective_counts

if TYPE_CHECKING:  # the models are pydantic's: not loaded to score (nor at start-up)
    from casereview.core.checklist.models import Checklist, Question, Section

SCORES: dict[str, float] = {"yes": 1.0, "partly": 0.5, "no": 0.0}
SMALL_N = 10
SMALL_MARK = "\u2020"  # a dagger after a figure on fewer than SMALL_N: too uncertain alone
"""Below this many applicable answers a figure is flagged as too uncertain to quote alone."""
SMALL_WORDS = f"fewer than {SMALL_N} applicable answers: too uncertain to quote on its own"
"""What the mark means, wherever a key to it is printed (a report's note, the screen's)."""
UNKNOWN_FLAG = Fraction(1, 5)
"""A question is flagged as not recorded when at least this share of the answers to it
where it applied (yes, partly, no and unknown: N/A and skip-logic-hidden are left out, the
question did not apply) are unknown: the file does not say, itself a recording finding."""


def z_value(confidence: float = 0.95) -> float:
    """The two-sided normal quantile: 1.959964 for 95%."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(
    successes: float, n: float, confidence: float = 0.95
) -> tuple[float, float] | None:
    """The Wilson score interval for successes/n (successes may be fractional); None if n = 0."""
    if n <= 0:
        return None
    z = z_value(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(max(p * (1 - p) / n + z * z / (4 * n * n), 0.0)) / denominator
    # At p = 0 (or 1) the bound is exactly 0 (or 1); float rounding would leave 1e-17.
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= n else min(1.0, centre + half)
    return low, high


def sample_size(
    margin: float = 0.05,
    confidence: float = 0.95,
    expected: float = 0.5,
    population: int | None = None,
) -> int:
    """Cases needed to estimate a proportion within ±margin: n0 = z²p(1-p)/E², then the
    finite-population correction n = n0 / (1 + (n0 - 1)/N), rounded up."""
    if not 0 < margin < 1:
        raise ValueError(f"margin must be between 0 and 1 (0.05 is ±5%), not {margin}")
    if not 0 <= expected <= 1:
        raise ValueError(f"expected proportion must be between 0 and 1, not {expected}")
    if population is not None and population < 1:
        raise ValueError(f"population must be at least 1, not {population}")
    z = z_value(confidence)
    n0 = z * z * expected * (1 - expected) / (margin * margin)
    if population is not None:
        n0 = n0 / (1 + (n0 - 1) / population)
    # Guard against 384.00000000001 becoming 385 through float noise.
    n = math.ceil(round(n0, 9))
    if population is not None:
        n = min(n, population)
    return max(n, 1)


def allocate_proportional(sizes: Mapping[str, int], n: int) -> dict[str, int]:
    """Largest-remainder allocation of n over strata in proportion to their sizes.

    Every stratum gets the whole part of its exact share; the cases left go one each to the
    largest remainders (ties by key order). Sums to n; each within one of its exact share.
    """
    total = sum(sizes.values())
    if n < 0 or n > total:
        raise ValueError(f"cannot allocate {n} cases over strata holding {total}")
    if total == 0:
        return {k: 0 for k in sizes}
    keys = sorted(sizes)
    exact = {k: n * sizes[k] / total for k in keys}
    out = {k: min(int(exact[k]), sizes[k]) for k in keys}
    left = n - sum(out.values())
    order = sorted(keys, key=lambda k: (-(exact[k] - int(exact[k])), k))
    while left > 0:
        for k in order:
            if left == 0:
                break
            if out[k] < sizes[k]:
                out[k] += 1
                left -= 1
    return out


def pct(x: float | None) -> float | None:
    """A proportion as a percentage with one decimal, None kept."""
    return None if x is None else round(100 * x, 1)


def small_sample(n: int) -> bool:
    return 0 < n < SMALL_N


def credit(yes: float, partly: float) -> float:
    """The numerator of compliance: yes scores 1, partly half (SCORES), no nothing."""
    return yes * SCORES["yes"] + partly * SCORES["partly"] + 0.0


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class QuestionFigures:
    question_id: str
    n_reviews: int
    n_applicable: int
    yes: int
    partly: int
    no: int
    na: int
    unknown: int
    compliance: float | None
    ci_low: float | None
    ci_high: float | None
    scored: bool = True
    """False for a fact question: compliance and its interval stay None, and the share of
    known answers that are yes is `prevalence` with its Wilson interval instead."""
    prevalence: float | None = None
    prevalence_low: float | None = None
    prevalence_high: float | None = None

    @property
    def credit(self) -> float:
        """yes + half of partly: the numerator of compliance."""
        return credit(self.yes, self.partly)

    @property
    def unknown_scored(self) -> bool:
        """True when the unknown answers are in n_applicable (scored as no), not left out."""
        return self.n_applicable > self.yes + self.partly + self.no

    @property
    def unknown_share(self) -> Fraction | None:
        """Unknown answers as a share of the answers where the question applied (yes,
        partly, no, unknown); None when it applied in no review."""
        applied = self.yes + self.partly + self.no + self.unknown
        return Fraction(self.unknown, applied) if applied else None

    @property
    def not_recorded(self) -> bool:
        """A large share unknown (UNKNOWN_FLAG or more): the files do not say."""
        share = self.unknown_share
        return share is not None and self.unknown > 0 and share >= UNKNOWN_FLAG


def question_figures_from_counts(
    question_id: str,
    counts: Mapping[str | None, int],
    unknown_scores_as: str = "excluded",
    scored: bool = True,
) -> QuestionFigures:
    """Counts, compliance and its Wilson interval, from how many reviews gave each
    effective answer (one per review).

    A fact question (scored False) has no compliance: its n_applicable is the reviews that
    know the fact (yes or no; unknown is not a no, whatever the checklist says of unknown
    answers to standards), and its prevalence is the share of them answering yes."""
    counts = Counter(counts)
    if counts[None]:
        raise ValueError(f"{question_id}: a counted review has no answer to a shown question")
    n_applicable = counts["yes"] + counts["partly"] + counts["no"]
    if scored and unknown_scores_as == "no":
        n_applicable += counts["unknown"]
    part = credit(counts["yes"], counts["partly"]) if scored else counts["yes"]
    share = part / n_applicable if n_applicable else None
    ci = wilson_interval(part, n_applicable)
    low, high = ci if ci else (None, None)
    return QuestionFigures(
        question_id=question_id,
        n_reviews=sum(counts.values()),
        n_applicable=n_applicable,
        yes=counts["yes"],
        partly=counts["partly"],
        no=counts["no"],
        na=counts["na"],
        unknown=counts["unknown"],
        compliance=share if scored else None,
        ci_low=low if scored else None,
        ci_high=high if scored else None,
        scored=scored,
        prevalence=None if scored else share,
        prevalence_low=None if scored else low,
        prevalence_high=None if scored else high,
    )


def percent(x: float, decimals: int = 0) -> str:
    """A proportion as a percentage, without the sign: percent(0.7) == '70'.

    With one decimal it is the exports' figure (pct). Whole percentages are rounded once
    from the proportion, half up, after dropping float noise: a mean of 0.695 (stored as
    0.69499999...) reads 70%, and a Wilson bound of 0.0945 reads 9%, not its CSV 9.5 twice
    rounded."""
    if decimals == 1:
        return str(pct(x))
    cleaned = Decimal(repr(round(100 * x, 9)))
    return str(cleaned.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def figure_words(
    part: float,
    n: int,
    p: float,
    low: float,
    high: float,
    decimals: int = 1,
    unit: str = "",
) -> str:
    """The one way a figure is written, counts always beside the percentage:
    '14 of 20, 70.0%, 95% CI 48.1-85.5%' (decimals=0: '14 of 20, 70%, 95% CI 48-86%')."""
    return (
        f"{part:g} of {n}{unit}, {percent(p, decimals)}%, "
        f"95% CI {percent(low, decimals)}-{percent(high, decimals)}%"
    )


def unknown_words(unknown: int, scored_as_no: bool = False, unit: str = "") -> str:
    """What a figure leaves out, said after it: '; 1 unknown' ('; 3 unknown answers' with
    unit ' answer'); '; 1 unknown, scored as no' when the checklist scores it so (it is in
    the figure then, but still said); '' when there is none."""
    if unknown <= 0:
        return ""
    noun = f"{unit}s" if unit and unknown != 1 else unit
    return f"; {unknown} unknown{noun}" + (", scored as no" if scored_as_no else "")


def caveat_words(n: int, unknown: int, scored_as_no: bool = False, unit: str = "") -> str:
    """The one tail every figure carries: the small-sample mark (' \u2020') when n is under
    SMALL_N, then its unknown answers (unknown_words): ' \u2020; 1 unknown'."""
    mark = f" {SMALL_MARK}" if small_sample(n) else ""
    return mark + unknown_words(unknown, scored_as_no, unit)


def interval_words(low: float | None, high: float | None) -> str:
    """An interval on its own, whole percentages: '48-86%', or '-' when there is none."""
    if low is None or high is None:
        return "-"
    return f"{percent(low)}-{percent(high)}%"


def share_words(part: float, whole: int) -> str:
    """'3 of 8 (38%)': a count of cases with its share."""
    if whole == 0:
        return "no applicable cases"
    return f"{part:g} of {whole} ({100 * part / whole:.0f}%)"


def describe(fig: QuestionFigures) -> str:
    """'14 of 20, 70.0%, 95% CI 48.1-85.5%'. A fact question: 'yes in 4 of 20 cases, 20.0%,
    95% CI 8.1-41.6%'. A small sample is marked, and the unknown answers are counted:
    '2 of 2, 100.0%, 95% CI 34.2-100.0% \u2020; 1 unknown' (caveat_words)."""
    tail = unknown_words(fig.unknown, fig.unknown_scored)
    if not fig.scored:
        if fig.n_applicable == 0 or fig.prevalence is None:
            return "not known in any case" + tail
        assert fig.prevalence_low is not None and fig.prevalence_high is not None
        text = "yes in " + figure_words(
            fig.yes,
            fig.n_applicable,
            fig.prevalence,
            fig.prevalence_low,
            fig.prevalence_high,
            unit=" cases",
        )
    elif fig.n_applicable == 0 or fig.compliance is None:
        return "no applicable answers" + tail
    else:
        assert fig.ci_low is not None and fig.ci_high is not None
        text = figure_words(fig.credit, fig.n_applicable, fig.compliance, fig.ci_low, fig.ci_high)
    return text + caveat_words(fig.n_applicable, fig.unknown, fig.unknown_scored)


# --------------------------------------------------------------------------- sections


def _score(value: str | None, unknown_scores_as: str) -> float | None:
    if value in SCORES:
        return SCORES[value]
    if value == "unknown" and unknown_scores_as == "no":
        return 0.0
    return None


def weighted_score(
    questions: Iterable[Question],
    answers: Mapping[str, str | None],
    unknown_scores_as: str = "excluded",
) -> float | None:
    """Weighted mean score of the applicable answered questions among `questions` in one
    review; fact questions (scored: false) are no part of it. None when none applies."""
    total = weight = 0.0
    for q in questions:
        if not q.scored:
            continue
        score = _score(answers.get(q.id), unknown_scores_as)
        if score is not None:
            total += q.weight * score
            weight += q.weight
    return total / weight if weight > 0 else None


def case_section_score(
    section: Section, answers: Mapping[str, str | None], unknown_scores_as: str = "excluded"
) -> float | None:
    """A section's score in one review: the weighted mean of its applicable answers."""
    return weighted_score(section.questions, answers, unknown_scores_as)


def case_overall_score(
    checklist: Checklist, answers: Mapping[str, str | None], unknown_scores_as: str = "excluded"
) -> float | None:
    """One review's overall score: the weighted mean over every applicable answer of the
    checklist (not the mean of its sections)."""
    return weighted_score(checklist.questions, answers, unknown_scores_as)


@dataclass(frozen=True)
class SectionFigures:
    section_id: str
    n_cases: int
    mean_score: float | None
    n_full: int
    share_full: float | None
    ci_low: float | None
    ci_high: float | None
    unknown: int = 0
    """Unknown answers to the section's scored questions in these reviews: left out of each
    case's score (or scored as no, then unknown_scored)."""
    unknown_scored: bool = False


def section_figures(
    section: Section,
    case_answers: Sequence[Mapping[str, str | None]],
    unknown_scores_as: str = "excluded",
) -> SectionFigures:
    """Mean case score and the share of cases meeting the section in full, with its interval."""
    scores = [
        s
        for s in (case_section_score(section, a, unknown_scores_as) for a in case_answers)
        if s is not None
    ]
    n = len(scores)
    full = sum(1 for s in scores if s >= 1.0 - 1e-12)
    ci = wilson_interval(full, n)
    scored = [q.id for q in section.questions if q.scored]
    unknown = sum(1 for a in case_answers for q in scored if a.get(q) == "unknown")
    return SectionFigures(
        section_id=section.id,
        n_cases=n,
        mean_score=sum(scores) / n if n else None,
        n_full=full,
        share_full=full / n if n else None,
        ci_low=ci[0] if ci else None,
        ci_high=ci[1] if ci else None,
        unknown=unknown,
        unknown_scored=unknown_scores_as == "no",
    )


# --------------------------------------------------------------------------- reviews


@dataclass(frozen=True)
class ReviewRecord:
    """One review as scoring sees it: raw answers as stored (hidden questions not yet na)."""

    case_id: int
    role: Role
    status: Status
    reviewer: str
    answers: Mapping[str, str | None]
    group: str | None = None
    case: CaseScope | None = None
    """The case's report date and force, for questions that apply from a date or in a
    pilot (None: every question applies)."""


def counted_reviews(reviews: Iterable[ReviewRecord]) -> list[ReviewRecord]:
    """Completed reviews only; per case the moderated one where it exists, else the primary."""
    best: dict[int, ReviewRecord] = {}
    for r in reviews:
        if r.status != "complete" or r.role not in ("primary", "moderated"):
            continue
        current = best.get(r.case_id)
        if current is None or (r.role == "moderated" and current.role != "moderated"):
            best[r.case_id] = r
    return [best[k] for k in sorted(best)]


def grouped(
    reviews: Iterable[ReviewRecord], key: Callable[[ReviewRecord], str | None]
) -> dict[str, list[ReviewRecord]]:
    """Reviews split by a group key (None becomes '(none)'), keys sorted."""
    groups: dict[str, list[ReviewRecord]] = defaultdict(list)
    for r in reviews:
        groups[key(r) or "(none)"].append(r)
    return {k: groups[k] for k in sorted(groups)}


def audit_question_figures(
    checklist: Checklist, reviews: Iterable[ReviewRecord]
) -> list[QuestionFigures]:
    counts = effective_counts(checklist, ((r.answers, r.case) for r in counted_reviews(reviews)))
    return figures_of_counts(checklist, counts)


def figures_of_counts(
    checklist: Checklist, counts: Mapping[str, Mapping[str | None, int]]
) -> list[QuestionFigures]:
    """Every question's figures from its effective answers' counts (counts.effective_counts)."""
    return [
        question_figures_from_counts(q.id, counts[q.id], checklist.unknown_scores_as, q.scored)
        for q in checklist.questions
    ]


@dataclass(frozen=True)
class PooledFigures:
    """Scored questions' answers pooled (a tag's figure): credit of n applicable answers."""

    question_ids: tuple[str, ...]
    credit: float
    n_applicable: int
    compliance: float | None
    ci_low: float | None
    ci_high: float | None
    unknown: int = 0
    unknown_scored: bool = False


def pooled_figures(figures: Iterable[QuestionFigures]) -> PooledFigures:
    """The answers to several questions pooled, as a concern or theme is reported: yes 1,
    partly 0.5 over the applicable answers, with a Wilson interval. Fact questions are left
    out: a fact is no part of any compliance figure."""
    scored = [f for f in figures if f.scored]
    credit = sum(f.credit for f in scored)
    n = sum(f.n_applicable for f in scored)
    ci = wilson_interval(credit, n)
    return PooledFigures(
        question_ids=tuple(f.question_id for f in scored),
        credit=credit,
        n_applicable=n,
        compliance=credit / n if n else None,
        ci_low=ci[0] if ci else None,
        ci_high=ci[1] if ci else None,
        unknown=sum(f.unknown for f in scored),
        unknown_scored=any(f.unknown_scored for f in scored),
    )


def audit_section_figures(
    checklist: Checklist, reviews: Iterable[ReviewRecord]
) -> list[SectionFigures]:
    counted = [checklist.effective_answers(r.answers, r.case) for r in counted_reviews(reviews)]
    return [section_figures(s, counted, checklist.unknown_scores_as) for s in checklist.sections]
