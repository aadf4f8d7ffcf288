"""The trend across audits, figures worked out by hand from tests/factories.TREND_ANSWERS."""

from __future__ import annotations

import pytest

from casereview.core.checklist.loading import load_checklist
from casereview.core.stats.change import newcombe_interval
from casereview.services.findings import FindingsError
from casereview.services.trend import TrendError, build_trend, lineage
from casereview.services.trend_tables import trend_table
from casereview.store import Store, StoreError
from tests.factories import MINI, TREND_V1, TREND_V2, complete_review, trend_audits


@pytest.fixture
def store() -> Store:
    store = Store.memory()
    trend_audits(store)
    return store


def test_audits_in_period_order(store: Store) -> None:
    trend = build_trend(store, "trendy")
    # Feb was created first, but Jan's report dates come first; Mar has no report dates
    # and its period was given (March 2024).
    assert [a.name for a in trend.audits] == ["Jan", "Feb", "Mar"]
    assert [a.checklist_label for a in trend.audits] == ["trendy@1", "trendy@2", "trendy@2"]
    assert [a.period for a in trend.audits] == ["2024-01", "2024-02", "2024-03"]
    assert [a.n_counted for a in trend.audits] == [4, 4, 2]


def test_section_figures_and_changes_by_hand(store: Store) -> None:
    section_a = build_trend(store, "trendy").sections[0]
    jan, feb, mar = section_a.figures
    assert jan and feb and mar
    # Cases meeting section A in full (A-1 and both yes): Jan 1 of 4, Feb 4 of 4,
    # Mar 0 of 2.
    assert [(f.successes, f.n) for f in (jan, feb, mar)] == [(1, 4), (4, 4), (0, 2)]
    assert jan.change is None and jan.direction is None  # the first audit
    # Feb - Jan = 1 - 0.25 = 0.75. Wilson 4/4 = [4/(4 + z^2), 1] = [0.510109, 1]; Wilson 1/4
    # = [0.045586, 0.699358]. Lower = 0.75 - sqrt((1 - 0.510109)^2 + (0.699358 - 0.25)^2)
    # = 0.75 - sqrt(0.239993 + 0.201922) = 0.085226; upper = 0.75 + sqrt(0 + (0.25 -
    # 0.045586)^2) = 0.954414. The interval excludes 0: improved.
    assert feb.change is not None
    assert (feb.change.difference, feb.change.low, feb.change.high) == pytest.approx(
        (0.75, 0.085226, 0.954414), abs=1e-5
    )
    assert feb.direction == "improved"
    # Mar - Feb = 0 - 1 = -1. Wilson 0/2 = [0, z^2/(2 + z^2)] = [0, 0.657620], so upper =
    # -1 + sqrt((0.657620 - 0)^2 + (1 - 0.510109)^2) = -1 + sqrt(0.432464 + 0.239993)
    # = -0.179965; lower = -1 - sqrt(0 + 0) = -1.
    assert mar.change is not None
    assert (mar.change.low, mar.change.high) == pytest.approx((-1.0, -0.179965), abs=1e-5)
    assert mar.direction == "declined"


def test_a_section_is_scored_as_its_own_version_defines_it(store: Store) -> None:
    section_b = build_trend(store, "trendy").sections[1]
    # Version 1's section B scores B-2 alone (B-1 is a fact): Jan 3 of 4 meet it. Version 2
    # adds B-3: Feb's cases 1 and 3 have both B-2 and B-3 yes, 2 of 4.
    assert [(f.successes, f.n) for f in section_b.figures if f] == [(3, 4), (2, 4), (2, 2)]
    feb = section_b.figures[1]
    assert feb and feb.direction == "no clear change"
    assert feb.change and feb.change.difference == pytest.approx(-0.25)


def test_a_question_continues_through_replaces(store: Store) -> None:
    trend = build_trend(store, "trendy")
    a9 = next(q for q in trend.questions if q.key == "A-9")
    assert a9.label == "Second standard, reworded?"  # the newest version speaks
    # Jan's A-2 (yes, no, yes, yes: 3 of 4) is A-9's figure in January.
    assert [(f.successes, f.n) for f in a9.figures if f] == [(3, 4), (4, 4), (1, 2)]
    feb = a9.figures[1]
    assert feb and feb.change
    assert (feb.change.low, feb.change.high) == newcombe_interval(4, 4, 3, 4)
    assert feb.direction == "no clear change"
    # B-3 is new in version 2: no January figure, and February is its first.
    b3 = next(q for q in trend.questions if q.key == "B-3")
    assert b3.figures[0] is None
    assert b3.figures[1] and b3.figures[1].change is None


def test_partly_counts_half_in_a_question(store: Store) -> None:
    a1 = build_trend(store, "trendy").questions[0]
    jan = a1.figures[0]
    # yes, yes, partly, no: credit 2.5 of 4
    assert jan and (jan.successes, jan.n, jan.share) == (2.5, 4, 0.625)
    feb = a1.figures[1]
    assert feb and feb.change and feb.change.difference == pytest.approx(0.375)


def test_fact_questions_give_prevalence_and_never_a_direction(store: Store) -> None:
    b1 = next(q for q in build_trend(store, "trendy").questions if q.key == "B-1")
    assert not b1.scored
    # yes in 1 of 4 (Jan), 2 of 4 (Feb), 2 of 2 (Mar)
    assert [(f.successes, f.n, f.scored) for f in b1.figures if f] == [
        (1, 4, False),
        (2, 4, False),
        (2, 2, False),
    ]
    assert all(f and f.direction is None for f in b1.figures)
    mar = b1.figures[2]
    assert mar and mar.change and mar.change.difference == pytest.approx(0.5)


def test_tags_pool_their_questions_answers(store: Store) -> None:
    trend = build_trend(store, "trendy")
    concern = trend.tags["concern"][0]
    assert (concern.key, concern.label) == ("c1", "Concern one (reworded)")
    assert concern.question_ids == ("A-1", "A-9")
    # Jan: A-1 credit 2.5 + A-2 3 = 5.5 of 8; Feb: 8 of 8.
    assert [(f.successes, f.n) for f in concern.figures if f][:2] == [(5.5, 8), (8, 8)]
    r7 = trend.tags["recommendation"][0]
    assert r7.key == "R7" and r7.label == "R7"
    assert trend.tags["theme"][0].question_ids == ("B-2",)


def test_compare_sets_each_audit_against_the_others_pooled(store: Store) -> None:
    trend = build_trend(store, "trendy", ["Jan", "Feb", "Mar"], compare=True)
    jan, feb, mar = trend.sections[0].figures
    assert jan and feb and mar
    # Jan 1/4 against Feb + Mar pooled: 4 of 6.
    assert jan.change and (jan.change.low, jan.change.high) == newcombe_interval(1, 4, 4, 6)
    assert jan.change.difference == pytest.approx(0.25 - 4 / 6)
    # Feb 4/4 against Jan + Mar pooled: 1 of 6; Wilson 4/4 = [0.510109, 1], Wilson 1/6 =
    # [0.030053, 0.563502]; lower = 5/6 - sqrt(0.489891^2 + 0.396835^2) = 0.202871 > 0.
    assert feb.change and feb.change.low == pytest.approx(0.202871, abs=1e-5)
    assert feb.direction == "higher"
    assert jan.direction == "no clear difference"


def test_refusals(store: Store) -> None:
    with pytest.raises(TrendError, match="no checklist 'nosuch'"):
        build_trend(store, "nosuch")
    with pytest.raises(TrendError, match="no version 9"):
        build_trend(store, "trendy@9")
    with pytest.raises(StoreError, match="no audit named 'Apr'"):
        build_trend(store, "trendy", ["Jan", "Apr"])
    with pytest.raises(TrendError, match="named twice"):
        build_trend(store, "trendy", ["Jan", "Jan"])
    with pytest.raises(TrendError, match="at least two"):
        build_trend(store, "trendy", ["Jan"], compare=True)
    mini = store.add_checklist(MINI.read_text(), str(MINI))
    other = store.create_audit("Other", mini.pk, [1], "qa", seed=1)
    with pytest.raises(TrendError, match="uses mini@1, not checklist trendy"):
        build_trend(store, "trendy", ["Jan", "Other"])
    with pytest.raises(TrendError, match="no audit of checklist mini has a completed review"):
        build_trend(store, "mini")
    assert other.n_complete == 0


def test_one_version_only_and_audits_without_completed_reviews(store: Store) -> None:
    trend = build_trend(store, "trendy@2")
    assert [a.name for a in trend.audits] == ["Feb", "Mar"]
    v2 = store.find_checklist("trendy@2")
    store.create_audit("Apr", v2.pk, [1, 2], "qa", seed=1, scope={"from": "2024-04-01"})
    assert build_trend(store, "trendy").skipped == ("Apr",)  # left out, and said so
    with pytest.raises(FindingsError, match="no completed reviews"):
        build_trend(store, "trendy", ["Jan", "Apr"])  # named: refused
    complete_review(
        store,
        store.audit_named("Apr").id,
        1,
        "qa",
        "primary",
        {"A-1": "yes"} | {"A-9": "yes", "B-1": "no", "B-2": "yes", "B-3": "yes"},
    )
    # Apr's period is open-ended from 1 April: after March
    assert [a.name for a in build_trend(store, "trendy").audits][-2:] == ["Mar", "Apr"]


def test_a_blind_second_reviewer_with_a_pair_open_is_refused(store: Store) -> None:
    jan = store.audit_named("Jan")
    store.assign_second(jan.id, [1], "sue", "qa")
    with pytest.raises(TrendError, match="audit 'Jan': sue is the blind second reviewer"):
        build_trend(store, "trendy", viewer="sue")
    assert build_trend(store, "trendy", viewer="qa").audits


def test_lineage_follows_a_chain_of_renamings() -> None:
    v1, v2 = load_checklist(TREND_V1), load_checklist(TREND_V2)
    ids = lineage(v2, [v1])
    assert ids["2"]["A-9"] == "A-9"
    assert ids["1"] == {"A-1": "A-1", "A-9": "A-2", "B-1": "B-1", "B-2": "B-2"}


def test_table_rows_by_section_question_and_tag(store: Store) -> None:
    trend = build_trend(store, "trendy")
    everything = trend_table(trend)
    # each section's rows (one per audit), then each of its questions' rows
    keys = [(r["section_id"], r["question_id"]) for r in everything.rows]
    assert keys[:3] == [("a", None)] * 3
    assert keys[3:9] == [("a", "A-1")] * 3 + [("a", "A-9")] * 3
    assert keys.count(("b", "B-3")) == 2  # no January row: version 1 has no B-3
    sections = trend_table(trend, "section").rows
    assert {r["question_id"] for r in sections} == {None}
    assert sections[1]["question"] == "Section A" and sections[1]["direction"] == "improved"
    questions = trend_table(trend, "question").rows
    assert all(r["question_id"] for r in questions)
    concern = trend_table(trend, "concern").rows
    assert [(r["section_id"], r["question_id"], r["question"]) for r in concern][0] == (
        "c1",
        None,
        "Concern one (reworded)",
    )
    with pytest.raises(TrendError):
        trend_table(trend, "force")
