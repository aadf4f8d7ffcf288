"""Scoring against worked examples derived by hand or taken from the literature."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casereview.core.checklist.loading import load_checklist
from casereview.core.fields import Role, Status
from casereview.core.stats import scoring
from casereview.core.stats.agreement import cohen_kappa, landis_koch_band
from casereview.core.stats.scoring import (
    ReviewRecord,
    allocate_proportional,
    audit_question_figures,
    audit_section_figures,
    case_section_score,
    counted_reviews,
    describe,
    pct,
    sample_size,
    section_figures,
    wilson_interval,
)
from casereview.services.agreement import audit_agreement, section_agreement
from tests.factories import MINI, question_figures

Z = 1.959964  # the 97.5% normal quantile


def test_wilson_14_of_20_by_hand() -> None:
    # p = 0.7, n = 20, z^2 = 3.841459, z^2/n = 0.192073, denominator = 1.192073
    # centre = (0.7 + z^2/(2n)) / denominator = (0.7 + 0.096036) / 1.192073 = 0.667774
    # half = z * sqrt(p(1-p)/n + z^2/(4n^2)) / denominator
    #      = 1.959964 * sqrt(0.0105 + 0.0024009) / 1.192073 = 0.186748
    low, high = wilson_interval(14, 20) or (0, 0)
    assert low == pytest.approx(0.481026, abs=1e-5)
    assert high == pytest.approx(0.854522, abs=1e-5)


def test_wilson_newcombe_1998_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:857, Table I: 81/263 -> Wilson 0.2553-0.3662
    low, high = wilson_interval(81, 263) or (0, 0)
    assert round(low, 4) == 0.2553
    assert round(high, 4) == 0.3662


def test_wilson_edges() -> None:
    # 0 of 20: lower 0; upper = (z^2/n) / (1 + z^2/n) = 0.192073 / 1.192073 = 0.161126
    low, high = wilson_interval(0, 20) or (1, 1)
    assert low == 0.0 and high == pytest.approx(0.161126, abs=1e-5)
    # 10 of 10 mirrors 0 of 10: upper 1, lower = 1 - 0.384146/1.384146 = 0.722467
    low, high = wilson_interval(10, 10) or (0, 0)
    assert high == 1.0 and low == pytest.approx(0.722467, abs=1e-5)
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, 385),  # 1.959964^2 * 0.25 / 0.0025 = 384.15 -> 385
        ({"population": 200}, 132),  # 384.15 / (1 + 383.15/200) = 131.7 -> 132
        ({"margin": 0.03}, 1068),  # 0.960365 / 0.0009 = 1067.07 -> 1068
        ({"margin": 0.10}, 97),  # 0.960365 / 0.01 = 96.04 -> 97
        ({"population": 1000}, 278),  # 384.15 / 1.38315 = 277.7 -> 278
        ({"expected": 0.2}, 246),  # 3.841459 * 0.16 / 0.0025 = 245.85 -> 246
        ({"population": 20}, 20),  # 384.15 / (1 + 383.15/20) = 19.06 -> 20: the whole scope
    ],
)
def test_sample_size(kwargs: dict[str, float], expected: int) -> None:
    assert sample_size(**kwargs) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [{"margin": 0}, {"margin": 1.5}, {"confidence": 1}, {"expected": 2}, {"population": 0}],
)
def test_sample_size_refuses_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        sample_size(**kwargs)  # type: ignore[arg-type]


def test_largest_remainder_on_a_skewed_pool() -> None:
    # shares of 20 over 70/20/7/3: 14, 4, 1.4, 0.6 -> floors 14, 4, 1, 0 (19); the last case
    # goes to the largest remainder, 0.6
    assert allocate_proportional({"a": 70, "b": 20, "c": 7, "d": 3}, 20) == {
        "a": 14,
        "b": 4,
        "c": 1,
        "d": 1,
    }
    with pytest.raises(ValueError):
        allocate_proportional({"a": 2}, 3)


@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 50), min_size=1, max_size=6),
    st.data(),
)
def test_allocation_properties(sizes: dict[str, int], data: st.DataObject) -> None:
    total = sum(sizes.values())
    n = data.draw(st.integers(0, total))
    out = allocate_proportional(sizes, n)
    assert sum(out.values()) == n
    for key, size in sizes.items():
        assert out[key] <= size
        if total:
            assert abs(out[key] - n * size / total) < 1


def test_question_figures_with_partly_and_unknown() -> None:
    answers = ["yes"] * 3 + ["partly"] * 2 + ["no", "na", "unknown"]
    fig = question_figures("Q", answers)
    # n_applicable = 3 + 2 + 1 = 6; compliance = (3 + 0.5 * 2) / 6 = 4/6
    assert (fig.n_reviews, fig.n_applicable) == (8, 6)
    assert (fig.yes, fig.partly, fig.no, fig.na, fig.unknown) == (3, 2, 1, 1, 1)
    assert fig.compliance == pytest.approx(4 / 6)
    as_no = question_figures("Q", answers, "no")
    # unknown scores 0: n_applicable 7, compliance 4/7
    assert as_no.n_applicable == 7 and as_no.compliance == pytest.approx(4 / 7)
    assert describe(question_figures("Q", ["yes"] * 14 + ["no"] * 6)).startswith(
        "14 of 20, 70.0%, 95% CI 48.1-85.5%"
    )


def test_no_applicable_answers_gives_empty_cells() -> None:
    fig = question_figures("Q", ["na", "unknown"])
    assert fig.n_applicable == 0
    assert (fig.compliance, fig.ci_low, fig.ci_high) == (None, None, None)
    assert describe(fig) == "no applicable answers; 1 unknown"
    with pytest.raises(ValueError):
        question_figures("Q", ["yes", None])


def test_section_score_weights_and_skip_logic() -> None:
    checklist = load_checklist(MINI)
    rec = checklist.sections[0]  # REC-01 (w1), REC-02 (w2, shown if REC-01 yes), REC-03 (w1)
    # REC-01 yes (1 x 1), REC-02 partly (2 x 0.5), REC-03 no (1 x 0): (1 + 1 + 0) / 4 = 0.5
    effective = checklist.effective_answers({"REC-01": "yes", "REC-02": "partly", "REC-03": "no"})
    assert case_section_score(rec, effective) == pytest.approx(0.5)
    # REC-01 no hides REC-02 (na): (0 + 1) / 2 = 0.5 with REC-03 yes
    effective = checklist.effective_answers({"REC-01": "no", "REC-02": "yes", "REC-03": "yes"})
    assert effective["REC-02"] == "na"
    assert case_section_score(rec, effective) == pytest.approx(0.5)
    # unknown left out, or scored 0
    effective = checklist.effective_answers({"REC-01": "unknown", "REC-03": "yes"})
    assert case_section_score(rec, effective) == 1.0
    assert case_section_score(rec, effective, "no") == pytest.approx(0.5)
    assert case_section_score(rec, {"REC-01": "na", "REC-02": "na", "REC-03": "na"}) is None


def test_section_figures_share_in_full() -> None:
    checklist = load_checklist(MINI)
    spo = checklist.sections[1]
    cases = [
        checklist.effective_answers(a)
        for a in (
            {"SPO-01": "yes", "SPO-02": "yes"},  # 1.0, in full
            {"SPO-01": "no", "SPO-03": "yes"},  # (0 + 1) / 2 = 0.5
            {"SPO-01": "na"},  # nothing applicable: not counted
            {"SPO-01": "yes", "SPO-02": "partly"},  # 0.75
        )
    ]
    fig = section_figures(spo, cases)
    assert fig.n_cases == 3 and fig.n_full == 1
    assert fig.mean_score == pytest.approx((1.0 + 0.5 + 0.75) / 3)
    assert fig.share_full == pytest.approx(1 / 3)
    assert (fig.ci_low, fig.ci_high) == wilson_interval(1, 3)


def record(
    case: int, role: Role, answers: dict[str, str], status: Status = "complete"
) -> ReviewRecord:
    return ReviewRecord(case_id=case, role=role, status=status, reviewer=role, answers=answers)


def test_moderated_over_primary_completed_only() -> None:
    checklist = load_checklist(MINI)
    full = {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"}
    reviews = [
        record(1, "primary", full),
        record(1, "second", {**full, "REC-03": "no"}),
        record(2, "primary", {**full, "REC-03": "no"}),
        record(2, "moderated", full),  # overrides case 2's primary
        record(3, "primary", {"REC-01": "yes"}, status="in_progress"),  # not counted
        record(4, "moderated", {**full, "REC-03": "no"}, status="in_progress"),  # not complete
        record(4, "primary", full),
    ]
    counted = counted_reviews(reviews)
    assert [(r.case_id, r.role) for r in counted] == [
        (1, "primary"),
        (2, "moderated"),
        (4, "primary"),
    ]
    figs = {f.question_id: f for f in audit_question_figures(checklist, reviews)}
    assert (figs["REC-03"].yes, figs["REC-03"].no) == (3, 0)
    # REC-02 is hidden in all three (REC-01 = no): counted as na, so the counts still add up
    assert figs["REC-02"].na == 3 and figs["REC-02"].n_applicable == 0
    assert figs["SPO-02"].na == 3
    sections = audit_section_figures(checklist, reviews)
    # Recording in each counted review: REC-01 no (0 x 1), REC-02 hidden, REC-03 yes (1 x 1):
    # (0 + 1) / 2 = 0.5, so 3 cases, mean 0.5, none in full. Orders: SPO-01 na, the rest hidden.
    assert (sections[0].n_cases, sections[0].n_full) == (3, 0)
    assert sections[0].mean_score == pytest.approx(0.5)
    assert sections[1].n_cases == 0 and sections[1].share_full is None


def test_kappa_wikipedia_worked_example() -> None:
    # 50 pairs:        B yes  B no
    #          A yes     20     5    (A yes 25)
    #          A no      10    15    (A no 25)
    #                  (30)   (20)
    # po = 35/50 = 0.7; pe = (25*30 + 25*20)/2500 = 0.5; kappa = (0.7-0.5)/(1-0.5) = 0.4
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    assert landis_koch_band(0.4) == "fair"


def test_kappa_edges() -> None:
    # perfect agreement over two categories: po = 1, pe = 0.5 -> 1
    assert cohen_kappa([("yes", "yes"), ("no", "no")]) == 1.0
    # no better than chance:   B yes B no
    #                  A yes     1    1
    #                  A no      1    1   po = 0.5, pe = 0.5 -> 0
    assert cohen_kappa([("yes", "yes"), ("yes", "no"), ("no", "yes"), ("no", "no")]) == 0.0
    # undefined: everything in one category for both raters (pe = 1)
    assert cohen_kappa([("yes", "yes")] * 5) is None
    assert cohen_kappa([]) is None
    # worse than chance: complete disagreement, po = 0, pe = 0.5 -> -1
    assert cohen_kappa([("yes", "no"), ("no", "yes")]) == -1.0


# Landis JR, Koch GG (1977), "The measurement of observer agreement for categorical data",
# Biometrics 33:159-174, Table 1: < 0.00 poor, 0.00-0.20 slight, 0.21-0.40 fair,
# 0.41-0.60 moderate, 0.61-0.80 substantial, 0.81-1.00 almost perfect. Zero is slight.
@pytest.mark.parametrize(
    ("kappa", "band"),
    [
        (None, None),
        (-1.0, "poor"),
        (-0.2, "poor"),
        (-0.01, "poor"),
        (0.0, "slight"),
        (0.01, "slight"),
        (0.20, "slight"),
        (0.21, "fair"),
        (0.40, "fair"),
        (0.41, "moderate"),
        (0.60, "moderate"),
        (0.61, "substantial"),
        (0.80, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
    ],
)
def test_landis_koch(kappa: float | None, band: str | None) -> None:
    assert landis_koch_band(kappa) == band


def test_agreement_over_pairs_of_completed_reviews() -> None:
    checklist = load_checklist(MINI)
    base = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    reviews = [
        record(1, "primary", base),
        record(1, "second", {**base, "REC-03": "no"}),
        record(2, "primary", {**base, "REC-03": "no"}),
        record(2, "second", {**base, "REC-03": "no"}),
        record(3, "primary", base),
        record(3, "second", base, status="in_progress"),  # not a pair yet
    ]
    figs = {f.question_id: f for f in audit_agreement(checklist, reviews)}
    rec03 = figs["REC-03"]
    # pairs (yes, no), (no, no): po = 1/2; A: yes 1, no 1; B: no 2; pe = (1*0 + 1*2)/4 = 0.5
    # kappa = (0.5 - 0.5) / 0.5 = 0; on 2 pairs no Landis-Koch band, "too few pairs (2)"
    assert (rec03.n_pairs, rec03.agree, rec03.agree_pct) == (2, 1, 50.0)
    assert rec03.kappa == 0.0 and rec03.band is None
    assert rec03.band_text == "too few pairs (2)"
    # REC-01 all yes from both: agreement 100% but kappa undefined
    assert figs["REC-01"].agree_pct == 100.0 and figs["REC-01"].kappa is None
    # a question hidden in both reviews of a pair is left out (SPO-01 na hides SPO-02)
    assert figs["SPO-02"].n_pairs == 0 and figs["SPO-02"].agree_pct is None


def test_section_agreement_pools_the_pairs_of_its_questions() -> None:
    checklist = load_checklist(MINI)
    base = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "no", "SPO-03": "yes"}
    reviews = [
        record(1, "primary", base),
        record(1, "second", {**base, "REC-03": "no", "SPO-03": "no"}),
        record(2, "primary", {**base, "REC-03": "no"}),
        record(2, "second", {**base, "REC-03": "no"}),
        record(3, "primary", base),  # no second review: no pair
        record(4, "primary", base, status="in_progress"),
        record(4, "second", {**base, "REC-01": "no"}),  # primary not complete: no pair
    ]
    figs = {f.question_id: f for f in section_agreement(checklist, reviews)}
    assert list(figs) == ["rec", "spo"]
    # rec pools REC-01..03 over cases 1 and 2: 2 cases x 3 questions = 6 pairs
    #   case 1: (yes, yes) (yes, yes) (yes, no);  case 2: (yes, yes) (yes, yes) (no, no)
    #   agree 5 of 6 = 83.3%; primary yes 5, no 1; second yes 4, no 2
    #   po = 5/6 = 30/36; pe = (5*4 + 1*2)/36 = 22/36
    #   kappa = (30/36 - 22/36) / (1 - 22/36) = 8/14 = 0.5714: moderate (0.41-0.60)
    rec = figs["rec"]
    assert (rec.n_pairs, rec.agree) == (6, 5)
    assert rec.agree_pct == pytest.approx(100 * 5 / 6)
    assert rec.kappa == pytest.approx(8 / 14)
    assert rec.band is None and rec.band_text == "too few pairs (6)"  # no band below 10
    # spo pools SPO-01..03, SPO-02 hidden in both reviews of both pairs and so left out:
    #   case 1: (no, no) (yes, no);  case 2: (no, no) (yes, yes): 4 pairs
    #   agree 3 of 4; primary no 2, yes 2; second no 3, yes 1
    #   pe = (2*3 + 2*1)/16 = 0.5; po = 0.75; kappa = 0.25 / 0.5 = 0.5
    spo = figs["spo"]
    assert (spo.n_pairs, spo.agree) == (4, 3)
    assert spo.kappa == pytest.approx(0.5)


answer = st.sampled_from(["yes", "partly", "no", "na", "unknown"])


@given(st.lists(answer, max_size=60), st.sampled_from(["excluded", "no"]))
def test_question_figure_properties(answers: list[str], unknown_as: str) -> None:
    fig = question_figures("Q", answers, unknown_as)
    assert fig.yes + fig.partly + fig.no + fig.na + fig.unknown == fig.n_reviews == len(answers)
    if fig.compliance is None:
        assert fig.n_applicable == 0 and fig.ci_low is None
    else:
        assert fig.ci_low is not None and fig.ci_high is not None
        assert 0 <= fig.ci_low <= fig.compliance <= fig.ci_high <= 1
        assert 0 <= (pct(fig.ci_low) or 0) <= (pct(fig.ci_high) or 0) <= 100


@given(st.lists(st.tuples(answer, answer), min_size=1, max_size=60))
def test_kappa_range(pairs: list[tuple[str, str]]) -> None:
    kappa = cohen_kappa(pairs)
    if kappa is not None:
        assert -1 - 1e-9 <= kappa <= 1 + 1e-9


def test_one_way_of_writing_a_figure() -> None:
    # Whole percentages are rounded once from the proportion, half up: a Wilson lower bound
    # of 0.0945 (1 of 2) is 9%, though its one-decimal CSV figure is 9.5; a mean of 0.695,
    # which floating point holds as 0.69499999999999995, is 70%.
    assert scoring.percent(0.0945) == "9"
    assert scoring.percent(0.695) == "70"  # 100 * 0.695 == 69.49999999999999
    assert scoring.percent(0.815) == "82"
    assert scoring.percent(0.6944) == "69"
    assert scoring.percent(0.6951) == "70"
    assert scoring.percent(0.7, 1) == "70.0"
    assert scoring.percent(0.48123, 1) == "48.1"
    assert scoring.percent(1.0) == "100"
    assert scoring.figure_words(14, 20, 0.7, 0.481, 0.855) == "14 of 20, 70.0%, 95% CI 48.1-85.5%"
    assert scoring.figure_words(14, 20, 0.7, 0.481, 0.856, decimals=0, unit=" cases") == (
        "14 of 20 cases, 70%, 95% CI 48-86%"
    )
    assert scoring.interval_words(0.0, 0.278) == "0-28%"
    assert scoring.interval_words(None, 0.3) == "-"
    assert scoring.share_words(2, 10) == "2 of 10 (20%)"
    assert scoring.share_words(0, 0) == "no applicable cases"
