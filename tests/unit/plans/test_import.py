"""Importing a force's action plan: a good file in each format, each kind of bad row refused
by its line, and nothing written on any problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from casereview.core.problems import InputError
from casereview.io.imports.plans import import_plan
from casereview.store import Store, StoreError
from tests.unit.plans.factories import FORCE, force_audits

GOOD_CSV = """recommendation,recommendation_text,tag,action,owner,due,status,reason,questions,tags
R1,Record stalking correctly,R7,Train call handlers,insp.khan,2024-02-29,done,,A-1,
R1,,,Audit crime recording weekly,dc.morgan,31/03/2024,in progress,,,c1
R2,Safeguard victims early,,Refer every victim to advocacy,,2024-06-30,dropped,Funding withdrawn,,
R3,Use protection orders,,,,,,,,
"""

GOOD_YAML = """force: Testshire
recommendations:
  - id: R1
    text: Record stalking correctly
    tag: R7
    actions:
      - text: Train call handlers
        owner: insp.khan
        due: 2024-02-29
        status: done
        questions: [A-1]
  - id: R3
    text: Use protection orders
"""


@pytest.fixture
def store() -> Store:
    store = Store.memory()
    force_audits(store, months=2)
    return store


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_csv_is_stored_with_its_trail(store: Store, tmp_path: Path) -> None:
    force, n_recs, n_actions = import_plan(
        store, write(tmp_path, "plan.csv", GOOD_CSV), FORCE, "qa.lead"
    )
    assert (force, n_recs, n_actions) == (FORCE, 3, 3)
    plan = store.plan_of(FORCE)
    assert [(r.ref, r.text, r.tag) for r in plan.recommendations] == [
        ("R1", "Record stalking correctly", "R7"),
        ("R2", "Safeguard victims early", ""),
        ("R3", "Use protection orders", ""),
    ]
    first, second, dropped = plan.actions()
    assert (first.ref, first.owner, first.due, first.status, first.questions) == (
        "R1.1",
        "insp.khan",
        "2024-02-29",
        "done",
        ("A-1",),
    )
    assert (second.ref, second.due, second.status, second.tags) == (
        "R1.2",
        "2024-03-31",  # a UK date read as the day it is
        "in_progress",
        ("c1",),
    )
    assert (dropped.status, dropped.reason) == ("dropped", "Funding withdrawn")
    assert plan.recommendations[2].actions == ()  # a recommendation with no action yet
    kinds = [e.kind for e in store.plan_events(FORCE)]
    assert kinds == [
        "plan_imported",
        "recommendation_added",
        "action_added",
        "action_added",
        "recommendation_added",
        "action_added",
        "recommendation_added",
    ]
    assert store.plan_event_items(FORCE)[:3] == [None, "R1", "R1.1"]


def test_a_good_yaml_names_its_force(store: Store, tmp_path: Path) -> None:
    force, n_recs, n_actions = import_plan(
        store, write(tmp_path, "plan.yaml", GOOD_YAML), None, "qa.lead"
    )
    assert (force, n_recs, n_actions) == (FORCE, 2, 1)
    assert store.plan_of(FORCE).action("R1.1").questions == ("A-1",)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("R1,Text,,Act,,2024-02-30,planned,,,", "due '2024-02-30' is not a date"),
        ("R1,Text,,Act,,,finished,,,", "status 'finished' is not one of"),
        ("R1,Text,,Act,,,dropped,,,", "a dropped action needs its reason"),
        ("R1,Text,,Act,,,done,Because,,", "a reason is given only for a dropped action"),
        ("R1,Text,,Act,,,,,Z-99,", "no question Z-99 in the checklist"),
        ("R1,Text,,Act,,,,,,R99", "no tag R99 in the checklist"),
        ("R1,,,Act,,,,,,", "R1: the recommendation's text is missing"),
        ("R 1,Text,,Act,,,,,,", "recommendation id 'R 1' must be"),
        ("R1,Text,,,owner.only,,,,,", "an action needs its text"),
        ("R1,Te\u200bxt,,Act,,,,,,", "R1's text"),
        ("R1,Text,,Act\u202e,,,,,,", "the action"),
    ],
)
def test_each_bad_row_is_refused_by_its_line_and_nothing_is_written(
    store: Store, tmp_path: Path, row: str, message: str
) -> None:
    text = GOOD_CSV.splitlines()[0] + "\nR9,Fine,,Fine action,,,,,,\n" + row + "\n"
    with pytest.raises(InputError) as caught:
        import_plan(store, write(tmp_path, "plan.csv", text), FORCE, "qa.lead")
    assert [p.line for p in caught.value.problems] == [3]
    assert message in caught.value.problems[0].message
    assert store.plan(FORCE) is None
    assert store.db.execute("SELECT count(*) FROM plan_actions").fetchone()[0] == 0


def test_a_yaml_problem_is_refused_at_its_line(store: Store, tmp_path: Path) -> None:
    bad = GOOD_YAML.replace("questions: [A-1]", "questions: [A-1, Q-404]")
    with pytest.raises(InputError) as caught:
        import_plan(store, write(tmp_path, "plan.yaml", bad), None, "qa.lead")
    # the action starts at line 7 (`- text: Train call handlers`)
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (7, "no question Q-404 in the checklist")
    ]
    assert store.plan(FORCE) is None


def test_a_file_of_another_force_or_none_is_refused(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "plan.yaml", GOOD_YAML)
    with pytest.raises(InputError, match="the plan of Testshire, not of Elsewhere"):
        import_plan(store, path, "Elsewhere", "qa.lead")
    no_force = write(tmp_path, "plan.csv", GOOD_CSV)
    with pytest.raises(InputError, match="name the force"):
        import_plan(store, no_force, None, "qa.lead")


def test_a_second_import_is_refused_unless_it_replaces(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "plan.csv", GOOD_CSV)
    import_plan(store, path, FORCE, "qa.lead")
    with pytest.raises(StoreError, match="has an action plan already"):
        import_plan(store, write(tmp_path, "p.yaml", GOOD_YAML), FORCE, "qa.lead")
    assert len(store.plan_of(FORCE).actions()) == 3
    import_plan(store, write(tmp_path, "p.yaml", GOOD_YAML), FORCE, "qa.lead", replace=True)
    assert len(store.plan_of(FORCE).actions()) == 1
    assert "plan_replaced" in [e.kind for e in store.plan_events(FORCE)]


def test_actions_that_are_not_a_list_are_refused_at_their_line(
    store: Store, tmp_path: Path
) -> None:
    bad = "force: Testshire\nrecommendations:\n  - id: R1\n    text: T\n    actions: Train\n"
    with pytest.raises(InputError) as caught:
        import_plan(store, write(tmp_path, "plan.yaml", bad), None, "qa.lead")
    assert [(p.line, p.message) for p in caught.value.problems] == [(5, "'actions' is a list")]
    assert store.plan(FORCE) is None
