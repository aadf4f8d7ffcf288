"""Scoring's edges, pinned down so that mutation testing finds no change the suite misses.

Every expected value is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import pytest

from casereview.core.checklist.loading import parse_checklist
from casereview.core.fields import Role, Status
from casereview.core.stats import scoring
from casereview.core.stats.agreement import cohen_kappa, landis_koch_band
from casereview.core.stats.scoring import (
    QuestionFigures,
    ReviewRecord,
    allocate_proportional,
    case_section_score,
    counted_reviews,
    describe,
    grouped,
    pct,
    question_figures_from_counts,
    sample_size,
    section_figures,
    small_sample,
    wilson_interval,
    z_value,
)
from casereview.services import agreement
from tests.factories import question_figures


def test_z_value_and_its_bounds() -> None:
    # standard normal quantiles: 0.975 -> 1.959964, 0.95 -> 1.644854, 0.995 -> 2.575829
    assert z_value() == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.90) == pytest.approx(1.644854, abs=1e-6)
    assert z_value(0.99) == pytest.approx(2.575829, abs=1e-6)
    for bad in (0, 1, -0.5, 1.5):
        with pytest.raises(ValueError, match=f"confidence must be between 0 and 1, not {bad}"):
            z_value(bad)


def test_wilson_with_another_confidence_and_fractional_successes() -> None:
    # 90%: z = 1.644854, z^2 = 2.705543; 14 of 20: denominator 1 + 0.135277 = 1.135277
    # centre (0.7 + 0.067639)/1.135277 = 0.676169
    # half 1.644854 * sqrt(0.0105 + 2.705543/1600)/1.135277 = 1.644854*0.110413/1.135277
    #      = 0.159973 -> 0.516196 - 0.836142
    low, high = wilson_interval(14, 20, 0.90) or (0, 0)
    assert low == pytest.approx(0.516196, abs=1e-5)
    assert high == pytest.approx(0.836142, abs=1e-5)
    # 2.5 of 4 (partly counts half), p = 0.625, z^2/n = 0.960365, denominator 1.960365
    # centre (0.625 + 0.480182)/1.960365 = 0.563766
    # half 1.959964 * sqrt(0.058594 + 0.060027)/1.960365 = 1.959964*0.344414/1.960365 = 0.344343
    low, high = wilson_interval(2.5, 4) or (0, 0)
    assert low == pytest.approx(0.219423, abs=1e-5)
    assert high == pytest.approx(0.908109, abs=1e-5)
    assert wilson_interval(3, -1) is None


def test_wilson_one_of_one_and_zero_of_one() -> None:
    # n = 1: denominator 1 + 3.841459 = 4.841459; 1 of 1: lower = 1/4.841459 = 0.206549
    low, high = wilson_interval(1, 1) or (0, 0)
    assert high == 1.0 and low == pytest.approx(0.206549, abs=1e-5)
    low, high = wilson_interval(0, 1) or (1, 1)
    assert low == 0.0 and high == pytest.approx(0.793451, abs=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # n0 = 1.959964^2 * 0.25 / 0.0025 = 384.146 -> 385
        ({}, 385),
        # 99%: 2.575829^2 * 0.25 / 0.0025 = 663.49 -> 664
        ({"confidence": 0.99}, 664),
        # expected 0.2: 3.841459 * 0.16 / 0.0025 = 245.85 -> 246
        ({"expected": 0.2}, 246),
        # margin 0.1: 3.841459 * 0.25 / 0.01 = 96.04 -> 97
        ({"margin": 0.1}, 97),
        # population 200: 384.146 / (1 + 383.146/200) = 384.146 / 2.91573 = 131.75 -> 132
        ({"population": 200}, 132),
        # population 1000: 384.146 / 1.383146 = 277.74 -> 278
        ({"population": 1000}, 278),
        # a population of 1 needs its one case; 50 needs at most 50 (44.4 -> 45)
        ({"population": 1}, 1),
        ({"population": 50}, 45),
        # expected 0 or 1: n0 = 0, yet one case is the least a sample can be
        ({"expected": 0.0}, 1),
        ({"expected": 1.0}, 1),
    ],
)
def test_sample_size_worked(kwargs: dict[str, float], expected: int) -> None:
    assert sample_size(**kwargs) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"margin": 0}, "margin must be between 0 and 1 (0.05 is ±5%), not 0"),
        ({"margin": 1}, "margin must be between 0 and 1"),
        ({"expected": -0.01}, "expected proportion must be between 0 and 1, not -0.01"),
        ({"expected": 1.01}, "expected proportion must be between 0 and 1"),
        ({"population": 0}, "population must be at least 1, not 0"),
    ],
)
def test_sample_size_refusals_say_why(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sample_size(**kwargs)  # type: ignore[arg-type]


def test_allocation_worked_examples() -> None:
    # 5 of {a:5, b:3, c:2} (total 10): exact 2.5, 1.5, 1.0 -> whole parts 2, 1, 1 = 4;
    # one left, remainders a .5, b .5, c 0: the tie goes by key order, to a
    assert allocate_proportional({"b": 3, "a": 5, "c": 2}, 5) == {"a": 3, "b": 1, "c": 1}
    # 7 of the same: exact 3.5, 2.1, 1.4 -> 3, 2, 1 = 6; largest remainder a (.5)
    assert allocate_proportional({"a": 5, "b": 3, "c": 2}, 7) == {"a": 4, "b": 2, "c": 1}
    # 2 of {a:1, b:1, c:8}: exact 0.2, 0.2, 1.6 -> 0, 0, 1; left 1: c's .6 is largest
    assert allocate_proportional({"a": 1, "b": 1, "c": 8}, 2) == {"a": 0, "b": 0, "c": 2}
    # all and none
    assert allocate_proportional({"a": 5, "b": 3}, 8) == {"a": 5, "b": 3}
    assert allocate_proportional({"a": 5, "b": 3}, 0) == {"a": 0, "b": 0}
    assert allocate_proportional({"a": 0, "b": 0}, 0) == {"a": 0, "b": 0}
    # 3 of {a:1, b:1, c:1, d:1}: exact .75 each -> 0s; three left go a, b, c (key order)
    assert allocate_proportional({"d": 1, "c": 1, "b": 1, "a": 1}, 3) == {
        "a": 1,
        "b": 1,
        "c": 1,
        "d": 0,
    }
    for n in (-1, 9):
        with pytest.raises(ValueError, match=f"cannot allocate {n} cases over strata holding 8"):
            allocate_proportional({"a": 5, "b": 3}, n)


def test_pct_and_small_sample() -> None:
    assert pct(None) is None
    assert pct(0.12345) == 12.3 and pct(1.0) == 100.0 and pct(0.0) == 0.0
    assert pct(2 / 3) == 66.7
    assert [small_sample(n) for n in (0, 1, 9, 10, 11)] == [False, True, True, False, False]


def test_question_figures_keep_their_question_and_count_every_value() -> None:
    fig = question_figures("Q-1", ["yes", "partly", "no", "na", "unknown", "yes"])
    assert fig == QuestionFigures(
        question_id="Q-1",
        n_reviews=6,
        n_applicable=4,  # yes 2 + partly 1 + no 1
        yes=2,
        partly=1,
        no=1,
        na=1,
        unknown=1,
        compliance=(2 + 0.5) / 4,  # 0.625
        ci_low=wilson_interval(2.5, 4)[0],  # type: ignore[index]
        ci_high=wilson_interval(2.5, 4)[1],  # type: ignore[index]
    )
    assert fig.credit == 2.5
    # unknown as no: n_applicable 5, 2.5 of 5 = 0.5
    strict = question_figures("Q-1", ["yes", "partly", "no", "na", "unknown", "yes"], "no")
    assert (strict.n_applicable, strict.compliance, strict.unknown) == (5, 0.5, 1)
    with pytest.raises(ValueError, match="Q-9: a counted review has no answer to a shown question"):
        question_figures_from_counts("Q-9", {"yes": 1, None: 1})


def test_describe_spells_counts_beside_percentages() -> None:
    fig = question_figures("Q", ["yes"] * 14 + ["no"] * 6)
    assert describe(fig) == "14 of 20, 70.0%, 95% CI 48.1-85.5%"
    # 2.5 of 4: 62.5%, CI 21.9-90.8% (worked above), fewer than 10: flagged
    small = question_figures("Q", ["yes", "yes", "partly", "no"])
    assert describe(small) == "2.5 of 4, 62.5%, 95% CI 21.9-90.8% \u2020"
    assert describe(question_figures("Q", ["na", "unknown"])) == "no applicable answers; 1 unknown"
    assert describe(question_figures("Q", [])) == "no applicable answers"


SCORED = parse_checklist(
    """
id: w
version: "1"
title: Weights
sections:
  - id: s
    title: S
    questions:
      - {id: A, text: a, weight: 3}
      - {id: B, text: b}
      - {id: Z, text: z, weight: 0}
"""
)


def test_case_section_score_weights_and_zero_weight() -> None:
    section = SCORED.sections[0]
    # A yes (3 x 1), B no (1 x 0): 3 / 4 = 0.75; Z weighs nothing
    assert case_section_score(section, {"A": "yes", "B": "no", "Z": "no"}) == 0.75
    # A partly (3 x 0.5), B yes (1): 2.5 / 4 = 0.625
    assert case_section_score(section, {"A": "partly", "B": "yes"}) == 0.625
    # only a zero-weight answer applies: no weight, no score
    assert case_section_score(section, {"Z": "yes", "A": "na", "B": "unknown"}) is None
    # unknown as no: B unknown scores 0 -> A yes 3 / 4
    assert case_section_score(section, {"A": "yes", "B": "unknown"}, "no") == 0.75
    assert case_section_score(section, {"A": "yes", "B": "unknown"}) == 1.0


def test_section_figures_full_share_and_unknown_rule() -> None:
    section = SCORED.sections[0]
    cases = [
        {"A": "yes", "B": "yes"},  # 1.0: in full
        {"A": "yes", "B": "unknown"},  # 1.0 (unknown left out), 0.75 as no
        {"A": "no", "B": "yes"},  # 0.25
        {"A": "na", "B": "na"},  # nothing applies
    ]
    fig = section_figures(section, cases)
    # 3 cases: mean (1 + 1 + 0.25)/3 = 0.75, 2 in full
    assert (fig.section_id, fig.n_cases, fig.n_full) == ("s", 3, 2)
    assert fig.mean_score == pytest.approx(0.75)
    assert fig.share_full == pytest.approx(2 / 3)
    assert (fig.ci_low, fig.ci_high) == wilson_interval(2, 3)
    strict = section_figures(section, cases, "no")
    # mean (1 + 0.75 + 0.25)/3 = 0.6667, 1 in full
    assert (strict.n_cases, strict.n_full) == (3, 1)
    assert strict.mean_score == pytest.approx(2 / 3)
    empty = section_figures(section, [{"A": "na"}])
    assert (empty.n_cases, empty.mean_score, empty.share_full, empty.ci_low) == (
        0,
        None,
        None,
        None,
    )


def rec(
    case: int, role: Role, status: Status = "complete", group: str | None = None
) -> ReviewRecord:
    return ReviewRecord(case, role, status, f"{role}-{case}", {}, group)


def test_counted_reviews_prefer_moderated_in_either_order() -> None:
    reviews = [
        rec(2, "moderated"),
        rec(2, "primary"),  # after the moderated one: still the moderated counts
        rec(1, "primary"),
        rec(1, "moderated"),
        rec(3, "second"),  # a second review alone is never counted
        rec(4, "primary", "in_progress"),
    ]
    assert [(r.case_id, r.role) for r in counted_reviews(reviews)] == [
        (1, "moderated"),
        (2, "moderated"),
    ]


def test_grouped_puts_reviews_without_a_group_under_none() -> None:
    reviews = [rec(1, "primary", group="b"), rec(2, "primary"), rec(3, "primary", group="a")]
    groups = grouped(reviews, key=lambda r: r.group)
    assert list(groups) == ["(none)", "a", "b"]
    assert [r.case_id for r in groups["(none)"]] == [2]


@pytest.mark.parametrize(
    ("kappa", "band"),
    [
        (-0.01, "poor"),
        (0.0, "slight"),
        (0.2, "slight"),
        (0.2001, "fair"),
        (0.4, "fair"),
        (0.4001, "moderate"),
        (0.6, "moderate"),
        (0.6001, "substantial"),
        (0.8, "substantial"),
        (0.8001, "almost perfect"),
        (1.0, "almost perfect"),
        (None, None),
    ],
)
def test_landis_koch_edges(kappa: float | None, band: str | None) -> None:
    assert landis_koch_band(kappa) == band


def test_kappa_by_hand_with_three_categories() -> None:
    # pairs: (yes,yes) x2, (no,no), (yes,no), (na,yes)
    # po = 3/5; A: yes 3, no 1, na 1; B: yes 3, no 2
    # pe = (3*3 + 1*2 + 1*0)/25 = 11/25; kappa = (15/25 - 11/25)/(14/25) = 4/14 = 0.285714
    pairs = [("yes", "yes"), ("yes", "yes"), ("no", "no"), ("yes", "no"), ("na", "yes")]
    assert cohen_kappa(pairs) == pytest.approx(4 / 14)
    assert cohen_kappa([]) is None
    assert cohen_kappa([("no", "no")] * 3) is None  # one category: undefined


def test_agreement_figures_by_hand() -> None:
    checklist = parse_checklist(
        """
id: k
version: "1"
title: K
sections:
  - id: s
    title: S
    questions:
      - {id: A, text: a}
      - {id: B, text: b}
"""
    )
    reviews = [
        ReviewRecord(1, "primary", "complete", "ann", {"A": "yes", "B": "no"}),
        ReviewRecord(1, "second", "complete", "bob", {"A": "yes", "B": "yes"}),
        ReviewRecord(2, "primary", "complete", "ann", {"A": "no", "B": "no"}),
        ReviewRecord(2, "second", "complete", "bob", {"A": "no", "B": "no"}),
        ReviewRecord(3, "primary", "complete", "ann", {"A": "yes", "B": "yes"}),
        ReviewRecord(3, "second", "in_progress", "bob", {"A": "no", "B": "no"}),  # no pair
        ReviewRecord(4, "moderated", "complete", "mod", {"A": "no", "B": "no"}),  # not a pair
        ReviewRecord(4, "second", "complete", "bob", {"A": "yes", "B": "yes"}),
    ]
    a, b = agreement.audit_agreement(checklist, reviews)
    # A: (yes,yes), (no,no): 2 pairs, 100%; pe = (1*1 + 1*1)/4 = 0.5 -> kappa 1, but on
    # 2 pairs no Landis-Koch band
    assert (a.question_id, a.n_pairs, a.agree, a.agree_pct, a.kappa, a.band) == (
        "A",
        2,
        2,
        100.0,
        1.0,
        None,
    )
    assert a.band_text == "too few pairs (2)"
    # B: (no,yes), (no,no): 1 of 2 = 50%; A: no 2; B: yes 1, no 1; pe = (2*1)/4 = 0.5;
    # kappa = (0.5 - 0.5)/0.5 = 0
    assert (b.n_pairs, b.agree, b.agree_pct, b.kappa, b.band) == (2, 1, 50.0, 0.0, None)
    (pooled,) = agreement.section_agreement(checklist, reviews)
    # four pairs: (yes,yes) (no,yes) (no,no) (no,no): 3 of 4 = 75%
    # primary: yes 1, no 3; second: yes 2, no 2; pe = (1*2 + 3*2)/16 = 0.5
    # kappa = (0.75 - 0.5)/0.5 = 0.5 -> moderate
    assert (pooled.question_id, pooled.n_pairs, pooled.agree, pooled.agree_pct) == ("s", 4, 3, 75.0)
    assert pooled.kappa == pytest.approx(0.5) and pooled.band_text == "too few pairs (4)"
    none = agreement.audit_agreement(checklist, reviews[:1])
    assert [(f.n_pairs, f.agree_pct, f.kappa, f.band) for f in none] == [(0, None, None, None)] * 2


def test_wilson_upper_bound_of_all_successes_is_exactly_one() -> None:
    # At 13 of 13 the formula's centre + half comes to 0.9999999999999999 in floats; the
    # bound is 1 by definition (p = 1), and so is 0 at none. Lower: 1 - (z²/13)/(1 + z²/13)
    # = 1 - 0.295497/1.295497 = 0.771904.
    assert wilson_interval(13, 13) == (pytest.approx(0.771907, abs=1e-5), 1.0)
    assert (wilson_interval(13, 13) or (0, 0))[1] == 1.0
    assert (wilson_interval(0, 13) or (1, 1))[0] == 0.0


def test_sample_size_finite_population_correction_uses_n0_minus_one() -> None:
    # n0 = 384.146; N = 21: 384.146 / (1 + 383.146/21) = 384.146 / 19.24505 = 19.96 -> 20
    # (with n0 - 2 it would be 384.146 / 19.19743 = 20.01 -> 21)
    assert sample_size(population=21) == 20


def test_audit_section_figures_follow_the_checklists_unknown_rule() -> None:
    strict = SCORED.model_copy(update={"unknown_scores_as": "no"})
    reviews = [ReviewRecord(1, "primary", "complete", "ann", {"A": "yes", "B": "unknown"})]
    # excluded: A alone, 1.0 in full; as no: (3 + 0)/4 = 0.75, not in full
    (loose,) = scoring.audit_section_figures(SCORED, reviews)
    (tight,) = scoring.audit_section_figures(strict, reviews)
    assert (loose.mean_score, loose.n_full) == (1.0, 1)
    assert (tight.mean_score, tight.n_full) == (0.75, 0)
