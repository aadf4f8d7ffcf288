"""Drawing samples: reproducible by seed, proportional strata, filters that never leak."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from casereview.cli import main
from casereview.services.sampling import SampleError, draw, round_robin
from casereview.store import Case, Store

FORCES = ["Alpha", "Bravo", "Charlie", "Delta"]


def pool(sizes: dict[str, int]) -> list[Case]:
    cases, n = [], 0
    for force, size in sizes.items():
        for i in range(size):
            n += 1
            cases.append(Case(id=n, case_ref=f"{force[0]}/{i:04d}", force=force, team=f"T{i % 3}"))
    return cases


SKEWED = pool({"Alpha": 70, "Bravo": 20, "Charlie": 7, "Delta": 3})


def refs(cases: list[Case]) -> list[str]:
    return [c.case_ref for c in cases]


def test_same_seed_same_sample_other_seed_other_sample() -> None:
    first = draw(SKEWED, 20, seed=7)
    assert refs(first.cases) == refs(draw(list(reversed(SKEWED)), 20, seed=7).cases)
    assert refs(first.cases) != refs(draw(SKEWED, 20, seed=8).cases)
    assert len(set(refs(first.cases))) == 20


def test_skewed_pool_gets_proportional_strata() -> None:
    # exact shares of 20 from 70/20/7/3 of 100: 14, 4, 1.4, 0.6. Whole parts 14+4+1+0 = 19;
    # the one remaining case goes to the largest remainder, Delta's 0.6: 14, 4, 1, 1.
    sample = draw(SKEWED, 20, seed=3, stratify="force")
    assert {s.name: (s.pool, s.sample) for s in sample.strata} == {
        "Alpha": (70, 14),
        "Bravo": (20, 4),
        "Charlie": (7, 1),
        "Delta": (3, 1),
    }
    by_force = {f: sum(1 for c in sample.cases if c.force == f) for f in FORCES}
    assert by_force == {"Alpha": 14, "Bravo": 4, "Charlie": 1, "Delta": 1}
    assert all(sample.stratum_of[c.id] == c.force for c in sample.cases)


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=4),
    data=st.data(),
)
def test_strata_add_up_and_stay_within_one_of_their_share(
    sizes: list[int], data: st.DataObject
) -> None:
    cases = pool(dict(zip(FORCES, sizes, strict=False)))
    n = data.draw(st.integers(min_value=1, max_value=len(cases)))
    sample = draw(cases, n, seed=data.draw(st.integers(0, 999)), stratify="force")
    assert len(sample.cases) == n == sum(s.sample for s in sample.strata)
    for s in sample.strata:
        exact = n * s.pool / len(cases)
        assert abs(s.sample - exact) < 1
        assert s.sample <= s.pool


def test_too_many_is_an_error() -> None:
    with pytest.raises(SampleError, match="scope holds only 100"):
        draw(SKEWED, 101, seed=1)


def test_round_robin() -> None:
    assert round_robin([5, 6, 7], ["ann", "bob"]) == {5: "ann", 6: "bob", 7: "ann"}
    assert round_robin([5], []) == {}


def test_cli_filters_never_leak(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    runner = CliRunner()
    assert (
        runner.invoke(
            main,
            ["--db", str(db), "cases", "import", "src/casereview/sample_cases/sample_cases.csv"],
        ).exit_code
        == 0
    )
    store = Store.open(db)
    force = store.cases()[0].force
    command = ["--checklist", "stalking-casefile", "--sample", "15", "--seed", "5"]
    command += ["--where", f"force={force}", "--where", "da_related=yes"]  # force has a space
    command += ["--from", "2024-03-01", "--to", "31/08/2024", "--stratify", "team"]
    result = runner.invoke(main, ["--db", str(db), "audit", "create", "Scoped", *command])
    assert result.exit_code == 0, result.stderr
    audit = store.audit_named("Scoped")
    sampled = [ac.case for ac in store.audit_cases(audit.id)]
    assert len(sampled) == 15
    for case in sampled:
        assert case.force == force and case.da_related is True
        assert "2024-03-01" <= (case.reported_at or "")[:10] <= "2024-08-31"
    assert "stratum (team)" in result.output
    # the same command draws the same cases again
    again = runner.invoke(main, ["--db", str(db), "audit", "create", "Scoped again", *command])
    assert again.exit_code == 0
    assert [ac.case.id for ac in store.audit_cases(store.audit_named("Scoped again").id)] == [
        c.id for c in sampled
    ]
    too_many = runner.invoke(
        main,
        [
            "--db",
            str(db),
            "audit",
            "create",
            "Big",
            "--checklist",
            "stalking-casefile",
            "--sample",
            "5000",
        ],
    )
    assert too_many.exit_code == 2 and "the scope holds only" in too_many.stderr
    assert [a.name for a in store.audits()] == ["Scoped again", "Scoped"]


@pytest.mark.parametrize(
    ("args", "out"),
    [
        ([], "385"),
        (["--population", "200"], "132"),
        (["--margin", "0.1"], "97"),
    ],
)
def test_sample_size_command(args: list[str], out: str) -> None:
    # 385: 1.96^2 * 0.25 / 0.05^2 = 384.1 -> 385; with N = 200: 384.1 / (1 + 383.1/200) = 131.7
    # -> 132; at +-10%: 1.96^2 * 0.25 / 0.01 = 96.04 -> 97
    result = CliRunner().invoke(main, ["sample-size", *args])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == out


def test_sample_size_refuses_nonsense() -> None:
    result = CliRunner().invoke(main, ["sample-size", "--margin", "2"])
    assert result.exit_code == 2 and "Traceback" not in result.stderr


def test_reviewer_names_as_typed() -> None:
    from casereview.services.sampling import reviewer_names

    assert reviewer_names(None) == []
    assert reviewer_names("") == []
    assert reviewer_names(" ann, ,bob ,") == ["ann", "bob"]


def test_a_new_seed_is_drawn_from_1_to_999999(monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    from casereview.services import sampling

    asked: list[tuple[int, ...]] = []

    class Recording:
        def randrange(self, *args: int) -> int:
            asked.append(args)
            return 7

    monkeypatch.setattr(random, "SystemRandom", Recording)
    assert sampling.new_seed() == 7
    assert asked == [(1, 1_000_000)]


def test_choose_second_skips_the_primarys_own_reviewer_and_is_seeded() -> None:
    from casereview.services.sampling import SampleError, choose_second
    from tests.factories import seed_store

    def fresh() -> tuple[Store, int]:
        store = Store.memory()
        audit = seed_store(store)
        # kim started the primary of the first case without being assigned it
        store.open_review(audit.id, store.audit_cases(audit.id)[0].case.id, "kim")
        return store, audit.id

    store, audit_id = fresh()
    with pytest.raises(SampleError) as caught:  # six cases, but kim's own is not eligible
        choose_second(store, audit_id, "kim", "lead", count=6, seed=11)
    assert str(caught.value) == (
        "asked for 6 second reviews but only 5 cases are neither kim's own primary reviews "
        "nor already chosen for a second review"
    )
    first = store.audit_cases(audit_id)[0].case.id
    chosen, seed = choose_second(store, audit_id, "kim", "lead", count=5, seed=11)
    assert seed == 11 and first not in [c.id for c in chosen] and len(chosen) == 5
    again, _ = choose_second(*fresh(), "kim", "lead", count=5, seed=11)
    assert [c.case_ref for c in again] == [c.case_ref for c in chosen]  # the seed decides
    store, audit_id = fresh()
    _, drawn = choose_second(store, audit_id, "sue", "lead", share=0.5)
    assert isinstance(drawn, int) and 1 <= drawn < 1_000_000  # an unseeded draw gets one
    with pytest.raises(SampleError) as caught:
        choose_second(store, audit_id, "sue", "lead")
    assert str(caught.value) == "give one of --share (e.g. 0.2) or --count"
