"""Agreement figures a statistician would sign: kappa with its 95% interval (checked against
statsmodels, an independent oracle used only here), Gwet's AC1 worked by hand, no band on
fewer than 10 pairs, and pairs that skip logic hid from both reviewers left out."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa  # type: ignore[import-untyped]

from casereview.core.checklist.loading import load_checklist
from casereview.core.checklist.models import Checklist
from casereview.core.stats.agreement import (
    band_text,
    cohen_kappa,
    gwet_ac1,
    kappa_interval,
    too_few_pairs,
)
from casereview.core.stats.scoring import ReviewRecord
from casereview.services import agreement, findings
from casereview.store import Store
from tests.factories import MINI, complete_review, seed_store


def pairs_from_table(labels: list[str], counts: list[list[int]]) -> list[tuple[str, str]]:
    """A contingency table (rows: primary, columns: second) as the answer pairs it counts."""
    return [
        (labels[i], labels[j])
        for i, row in enumerate(counts)
        for j, count in enumerate(row)
        for _ in range(count)
    ]


# Three tables:
# - Wikipedia's worked 2x2 (kappa 0.4);
# - the prevalence paradox of Feinstein & Cicchetti (1990), J Clin Epidemiol 43:543, Table:
#   80/10/5/5, po = 0.85 yet pe = 0.9*0.85 + 0.1*0.15 = 0.78 and kappa = 0.07/0.22 = 0.32;
# - a 3x3 table (Fleiss, Levin & Paik's proportions x 100): po = 0.70,
#   pe = .60*.65 + .30*.25 + .10*.10 = 0.475, kappa = 0.225/0.525 = 0.4286.
TABLES = {
    "wikipedia": (["yes", "no"], [[20, 5], [10, 15]], 0.4),
    "prevalence paradox": (["yes", "no"], [[80, 10], [5, 5]], 0.07 / 0.22),
    "three categories": (
        ["yes", "partly", "no"],
        [[53, 5, 2], [11, 14, 5], [1, 6, 3]],
        0.225 / 0.525,
    ),
}


@pytest.mark.parametrize("name", list(TABLES))
def test_kappa_and_its_interval_match_statsmodels(name: str) -> None:
    labels, counts, by_hand = TABLES[name]
    pairs = pairs_from_table(labels, counts)
    oracle = sm_cohens_kappa(np.array(counts))
    assert cohen_kappa(pairs) == pytest.approx(by_hand)
    figure = kappa_interval(pairs)
    assert figure is not None
    assert figure.kappa == pytest.approx(oracle["kappa"])
    assert figure.se == pytest.approx(oracle["std_kappa"], rel=1e-9)
    assert figure.low == pytest.approx(oracle["kappa_low"], rel=1e-9)
    assert figure.high == pytest.approx(oracle["kappa_upp"], rel=1e-9)


def test_the_interval_stays_within_kappas_range() -> None:
    # 10 pairs, 9 (yes, yes) and one (no, no): kappa 1, se 0 -> [1, 1] exactly.
    # 13 pairs, 12 agreeing (10 yes, 2 no) and one (no, yes): kappa 0.755, statsmodels'
    # Wald interval 0.307 to 1.202 passes kappa's top, so the upper limit is 1.
    perfect = kappa_interval([("yes", "yes")] * 9 + [("no", "no")])
    assert perfect is not None and (perfect.low, perfect.high) == (1.0, 1.0)
    near = [("yes", "yes")] * 10 + [("no", "no")] * 2 + [("no", "yes")]
    oracle = sm_cohens_kappa(np.array([[10, 0], [1, 2]]))
    figure = kappa_interval(near)
    assert oracle["kappa_upp"] > 1.0
    assert figure is not None and figure.high == 1.0
    assert figure.low == pytest.approx(max(-1.0, oracle["kappa_low"]))
    assert kappa_interval([("yes", "yes")] * 12) is None  # kappa undefined: no interval


def test_ac1_worked_by_hand() -> None:
    # Gwet (2008): AC1 = (pa - pe) / (1 - pe), pe = 1/(q-1) * sum_k pi_k (1 - pi_k),
    # pi_k the mean of the two raters' shares of category k.
    # Wikipedia's table: A yes .50 no .50; B yes .60 no .40 -> pi_yes .55, pi_no .45;
    #   q = 2: pe = .55*.45 + .45*.55 = .495; AC1 = (.70 - .495)/(1 - .495) = .205/.505
    wiki = pairs_from_table(["yes", "no"], [[20, 5], [10, 15]])
    assert gwet_ac1(wiki, ["yes", "no"]) == pytest.approx(0.205 / 0.505)
    # Prevalence paradox: A yes .90, B yes .85 -> pi_yes .875, pi_no .125;
    #   pe = 2 * .875 * .125 = .21875; AC1 = (.85 - .21875)/(.78125) = 0.808,
    #   where kappa is 0.32: AC1 does not collapse when one answer dominates.
    paradox = pairs_from_table(["yes", "no"], [[80, 10], [5, 5]])
    assert gwet_ac1(paradox, ["yes", "no"]) == pytest.approx(0.63125 / 0.78125)
    # The same pairs on a three-value scale (yes/partly/no, partly never used): q = 3,
    #   pe = (.875*.125 + .125*.875 + 0)/2 = .109375; AC1 = (.85 - .109375)/.890625
    assert gwet_ac1(paradox, ["yes", "partly", "no"]) == pytest.approx(0.740625 / 0.890625)
    # Three categories (rows .60 .30 .10, columns .65 .25 .10): pi = .625, .275, .10;
    #   sum pi(1-pi) = .234375 + .199375 + .09 = .52375; pe = .52375/2 = .261875;
    #   AC1 = (.70 - .261875)/(1 - .261875) = .438125/.738125
    three = pairs_from_table(["yes", "partly", "no"], [[53, 5, 2], [11, 14, 5], [1, 6, 3]])
    assert gwet_ac1(three, ["yes", "partly", "no"]) == pytest.approx(0.438125 / 0.738125)
    # All pairs agree on yes: kappa undefined, but AC1 on a scale of two is 1 (pe = 0).
    assert gwet_ac1([("yes", "yes")] * 5, ["yes", "no"]) == 1.0
    assert gwet_ac1([], ["yes", "no"]) is None


def test_too_few_pairs_give_no_band() -> None:
    # One disagreeing pair is kappa 0.00 ("slight") arithmetically; it must not read so.
    assert band_text(1, 0.0) == "too few pairs (1)"
    assert band_text(9, 0.9) == "too few pairs (9)"
    assert band_text(10, 0.9) == "almost perfect"
    assert band_text(0, None) is None
    # pooled pairs (a section): enough pairs, but from too few cases
    assert band_text(33, 0.79, n_cases=9) == "too few cases (9)"
    assert band_text(33, 0.79, n_cases=10) == "substantial"
    assert too_few_pairs(33, 9) and not too_few_pairs(33, 10) and not too_few_pairs(0)


# ------------------------------------------------------------------ pairs as the audit gives


def record(case: int, role: str, answers: dict[str, str]) -> ReviewRecord:
    return ReviewRecord(case, role, "complete", role, answers)  # type: ignore[arg-type]


def test_pairs_hidden_in_both_reviews_are_left_out() -> None:
    # mini: REC-02 is shown only when REC-01 is yes.
    checklist = load_checklist(MINI)
    answers = [
        # case: (primary, second) for REC-01, REC-02 (None: hidden), REC-03
        (("yes", "yes", "yes"), ("yes", "yes", "yes")),  # REC-02 (yes, yes)
        (("no", None, "yes"), ("no", None, "yes")),  # REC-02 hidden in both: left out
        (("yes", "no", "yes"), ("no", None, "yes")),  # REC-02 (no, hidden): a disagreement
        (("no", None, "yes"), ("no", None, "yes")),  # REC-02 hidden in both: left out
    ]
    reviews = []
    for case, sides in enumerate(answers, start=1):
        for role, (r1, r2, r3) in zip(("primary", "second"), sides, strict=True):
            given = {"REC-01": r1, "REC-03": r3, "SPO-01": "na"}
            reviews.append(record(case, role, given | ({"REC-02": r2} if r2 else {})))
    per_question = {f.question_id: f for f in agreement.audit_agreement(checklist, reviews)}
    # REC-02: 2 pairs (yes, yes) and (no, hidden): 1 of 2. (Counting hidden as na it was
    # 4 pairs, 3 agreeing: the two hidden-in-both pairs read as agreement.)
    assert (per_question["REC-02"].n_pairs, per_question["REC-02"].agree) == (2, 1)
    assert per_question["REC-02"].band is None
    assert per_question["REC-02"].band_text == "too few pairs (2)"
    # SPO-02 and SPO-03 are hidden in every review (SPO-01 na): no pairs at all.
    assert per_question["SPO-02"].n_pairs == per_question["SPO-03"].n_pairs == 0
    # The rec section pools REC-01 (yes,yes) (no,no) (yes,no) (no,no), REC-02 (yes,yes)
    #   (no,hidden) and REC-03 (yes,yes) x4: 10 pairs, 8 agreeing (80%).
    #   primary: yes 2+1+4 = 7, no 2+1 = 3; second: yes 1+1+4 = 6, no 3, hidden 1
    #   pe = (7*6 + 3*3)/100 = 0.51; kappa = (0.80 - 0.51)/0.49 = 29/49 = 0.592 (moderate)
    #   AC1 over the section's scale {yes, partly, no, na, unknown, hidden}, q = 6:
    #   pi_yes .65, pi_no .30, pi_hidden .05; sum pi(1-pi) = .2275 + .21 + .0475 = .485;
    #   pe = .485/5 = .097; AC1 = (.80 - .097)/(.903)
    rec = {f.question_id: f for f in agreement.section_agreement(checklist, reviews)}["rec"]
    assert (rec.n_pairs, rec.agree) == (10, 8)
    assert rec.kappa == pytest.approx(29 / 49)
    assert rec.ac1 == pytest.approx(0.703 / 0.903)
    # 10 pairs, but from 4 cases: answers from one case are not independent, so no band
    # (moderate, by kappa alone) and no interval.
    assert rec.n_cases == 4
    assert rec.band is None and rec.band_text == "too few cases (4)"
    assert (rec.kappa_ci_low, rec.kappa_ci_high) == (None, None)


def test_a_question_shown_to_one_reviewer_only_is_a_disagreement_even_against_na() -> None:
    checklist = Checklist.model_validate(
        {
            "id": "c",
            "version": "1",
            "title": "t",
            "sections": [
                {
                    "id": "s",
                    "title": "S",
                    "questions": [
                        {"id": "Q1", "text": "Q1?", "answers": ["yes", "no"]},
                        {"id": "Q2", "text": "Q2?", "show_if": {"question": "Q1", "in": ["yes"]}},
                    ],
                }
            ],
        }
    )
    reviews = [
        record(1, "primary", {"Q1": "yes", "Q2": "na"}),
        record(1, "second", {"Q1": "no"}),  # Q2 hidden for the second reviewer
    ]
    q2 = {f.question_id: f for f in agreement.audit_agreement(checklist, reviews)}["Q2"]
    assert (q2.n_pairs, q2.agree) == (1, 0)


def test_the_export_carries_the_interval_ac1_and_too_few(fresh_store: Store) -> None:
    audit = seed_store(fresh_store)
    ids = [ac.case.id for ac in fresh_store.audit_cases(audit.id)]
    base = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    for case_id, rec03 in zip(ids, ("yes", "no"), strict=False):
        complete_review(fresh_store, audit.id, case_id, "ann", "primary", base)
        fresh_store.assign_second(audit.id, [case_id], "bob", "lead")
        complete_review(fresh_store, audit.id, case_id, "bob", "second", base | {"REC-03": rec03})
    table = agreement.agreement_table(findings.load(fresh_store, "Test audit"))
    assert table.columns[-3:] == ("kappa_ci_low", "kappa_ci_high", "ac1")
    rows = {(r["section_id"], r["question_id"]): r for r in table.rows}
    # REC-03: (yes, yes), (yes, no): 2 pairs, too few for a band or an interval.
    #   AC1 on the five-value scale: pa .5; A yes 1.0, B yes .5 no .5 -> pi_yes .75,
    #   pi_no .25; pe = (.1875 + .1875)/4 = .09375; AC1 = (.5 - .09375)/.90625 = 0.448
    r3 = rows[("rec", "REC-03")]
    assert r3["kappa_band"] == "too few pairs (2)"
    assert (r3["kappa_ci_low"], r3["kappa_ci_high"]) == (None, None)
    assert r3["ac1"] == 0.448
    # The spo section: SPO-02 and SPO-03 hidden in both reviews of both cases, left out:
    # only SPO-01's 2 pairs remain (6 when hidden counted as na).
    assert rows[("spo", None)]["n_pairs"] == 2


def test_one_disagreeing_pair_reads_as_too_few_not_as_a_verdict() -> None:
    # Before: "0% agree, kappa 0.00, slight". One pair (yes, no): po 0, pe 0, kappa 0.
    checklist = load_checklist(MINI)
    base = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    reviews = [record(1, "primary", base), record(1, "second", base | {"REC-03": "no"})]
    rec03 = {f.question_id: f for f in agreement.audit_agreement(checklist, reviews)}["REC-03"]
    assert agreement.figure_cells(rec03) == ("1", "0 of 1 (0%)", "-", "-", "too few pairs (1)")
    assert rec03.band is None and rec03.kappa_ci_low is None


answer = st.sampled_from(["yes", "partly", "no", "na", "unknown", "hidden"])


@given(st.lists(st.tuples(answer, answer), min_size=1, max_size=60))
def test_the_interval_holds_kappa_and_ac1_stays_in_range(pairs: list[tuple[str, str]]) -> None:
    figure = kappa_interval(pairs)
    if figure is not None:
        assert -1.0 <= figure.low <= figure.kappa + 1e-12
        assert figure.kappa - 1e-12 <= figure.high <= 1.0
        assert figure.se >= 0
    ac1 = gwet_ac1(pairs, ["yes", "partly", "no", "na", "unknown", "hidden"])
    assert ac1 is not None and -1.0 - 1e-12 <= ac1 <= 1.0 + 1e-12
