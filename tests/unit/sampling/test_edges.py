"""sampling.py at its edges: refusals word for word, strata, the recorded scope.

Written so that mutation testing of sampling.py finds no change the suite misses.
"""

from __future__ import annotations

import random

import pytest

from casereview.services.sampling import (
    SampleError,
    Scope,
    Stratum,
    create_sampled_audit,
    draw,
    round_robin,
)
from casereview.store import Case, Store
from tests.factories import seed_store


def cases(*specs: tuple[str, str, str | None]) -> list[Case]:
    return [
        Case(id=i, case_ref=ref, force=force, team=team)
        for i, (force, ref, team) in enumerate(specs, 1)
    ]


POOL = cases(
    ("B", "2", "x"), ("A", "2", "x"), ("A", "1", None), ("B", "1", "y"), ("A", "3", "y"),
)  # fmt: skip


def test_draw_refusals_word_for_word() -> None:
    with pytest.raises(SampleError, match="^the sample size must be at least 1$"):
        draw(POOL, 0, 1)
    with pytest.raises(
        SampleError,
        match="^asked for 6 cases but the scope holds only 5; widen the filters or ask for fewer$",
    ):
        draw(POOL, 6, 1)
    assert len(draw(POOL, 5, 1).cases) == 5  # all of it is fine


def test_draw_unstratified_is_random_sample_of_the_canonical_order() -> None:
    ordered = sorted(POOL, key=lambda c: (c.force, c.case_ref))
    expected = random.Random(42).sample(ordered, 3)
    sample = draw(POOL, 3, 42)
    assert [c.id for c in sample.cases] == [c.id for c in expected]
    assert sample.strata == [Stratum("(all)", 5, 3)]
    assert sample.stratum_of == {}


def test_draw_stratified_names_missing_values_none() -> None:
    # team: x 2, y 2, none 1; 3 cases: exact 1.2, 1.2, 0.6 -> 1, 1, 0, left 1 to the
    # largest remainder: (none) .6
    sample = draw(POOL, 3, 5, stratify="team")
    assert sample.strata == [Stratum("(none)", 1, 1), Stratum("x", 2, 1), Stratum("y", 2, 1)]
    assert sample.stratum_of[3] == "(none)"  # A/1 has no team
    assert sorted(sample.stratum_of.values()) == ["(none)", "x", "y"]
    assert {c.id for c in sample.cases} == set(sample.stratum_of)
    # strata are drawn in name order, each from its members in canonical order
    rng = random.Random(5)
    expected = [rng.sample([POOL[2]], 1), rng.sample([POOL[1], POOL[0]], 1)]
    expected.append(rng.sample([POOL[4], POOL[3]], 1))
    assert [c.id for c in sample.cases] == [c.id for group in expected for c in group]


def test_stratum_share() -> None:
    assert Stratum("a", 4, 1).share == 0.25
    assert Stratum("a", 0, 0).share == 0.0


def test_round_robin_in_sample_order() -> None:
    assert round_robin([10, 11, 12, 13, 14], ["ann", "bob"]) == {
        10: "ann",
        11: "bob",
        12: "ann",
        13: "bob",
        14: "ann",
    }
    assert round_robin([1, 2], []) == {}


def test_scope_problems_word_for_word(fresh_store: Store) -> None:
    seed_store(fresh_store)
    fields = (
        "(fields: da_related, force, offence, officer, outcome, recorded_at, relationship, "
        "repeat_victim, reported_at, team)"
    )
    scope = Scope(
        {"colour": "red", "repeat_victim": "maybe", "da_related": "yes"}, "2024-05", "2024-01"
    )
    assert scope.problems(fresh_store, "shoe") == [
        f"filter colour=red: no case has a field 'colour' {fields}",
        "filter repeat_victim=maybe: repeat_victim is yes or no",
        f"strata by shoe: no case has a field 'shoe' {fields}",
        "the report dates run backwards: from 2024-05 to 2024-01",
    ]
    assert Scope({"relationship": "ex-partner", "summary": "x"}).problems(fresh_store, "team") == []
    assert Scope({}, "2024-01-01", "2024-01-01").problems(fresh_store) == []
    assert Scope({}, "2024-01-01").problems(fresh_store) == []


def test_scope_pool_and_count_agree(fresh_store: Store) -> None:
    seed_store(fresh_store)
    scope = Scope({"force": "Testshire"}, "2024-02-01", "2024-03-31")
    # Testshire cases reported in Feb-Mar 2024: T/2 (5 Feb) and T/3 (1 Mar)
    assert [c.case_ref for c in scope.pool(fresh_store)] == ["T/2", "T/3"]
    assert scope.count(fresh_store) == 2


def test_create_sampled_audit_records_its_scope(fresh_store: Store) -> None:
    seed_store(fresh_store)
    info = fresh_store.find_checklist("mini")
    scope = Scope({"force": "Testshire"}, "2024-01-01", None)
    audit, sample, pool = create_sampled_audit(
        fresh_store, "Q1", info.pk, 3, 9, scope, "lead", stratify="team", reviewers=["ann", "bob"]
    )
    assert pool == 4
    stored = fresh_store.audit_named("Q1")
    assert (stored.seed, stored.n_cases, audit.name) == (9, 3, "Q1")
    assert stored.scope == {
        "where": {"force": "Testshire"},
        "from": "2024-01-01",
        "to": None,
        "stratify": "team",
        "sample": 3,
        "pool": 4,
        "reviewers": ["ann", "bob"],
    }
    sampled = fresh_store.audit_cases(stored.id)
    assert [ac.case.id for ac in sampled] == [c.id for c in sample.cases]
    assert [ac.assigned_to for ac in sampled] == ["ann", "bob", "ann"]
    assert [ac.stratum for ac in sampled] == [sample.stratum_of[c.id] for c in sample.cases]
    with pytest.raises(SampleError, match="^filter nope=1: no case has a field 'nope'"):
        create_sampled_audit(fresh_store, "Q2", info.pk, 1, 1, Scope({"nope": "1"}), "lead")
    with pytest.raises(SampleError, match="; strata by zz: no case has a field 'zz'"):
        create_sampled_audit(fresh_store, "Q2", info.pk, 1, 1, Scope({"nope": "1"}), "lead", "zz")
    assert [a.name for a in fresh_store.audits()] == ["Q1", "Test audit"]
