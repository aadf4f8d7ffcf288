"""An action beside its evidence: the linked figures before and after its due date, worked by
hand from tests/unit/plans/factories.py's audits, with statsmodels' Newcombe interval as an
independent check."""

from __future__ import annotations

from pathlib import Path

import pytest
from statsmodels.stats.proportion import (  # type: ignore[import-untyped]
    confint_proportions_2indep,
)

from casereview.io.imports.plans import import_plan
from casereview.services.plans import MOVED, NOT_SHOWN, plan_evidence
from casereview.store import Store
from tests.unit.plans.factories import FORCE, force_audits

PLAN = """recommendation,recommendation_text,tag,action,owner,due,status,reason,questions,tags
R1,Record stalking correctly,,Train call handlers,insp.khan,2024-02-29,done,,A-1,
R1,,,Check the second standard,insp.khan,2024-02-29,done,,A-9,
R1,,,Not yet,insp.khan,2024-06-30,planned,,A-1,
R2,Tagged,R7,Follow R7,insp.khan,2024-03-15,in progress,,,
"""


def evidence(tmp_path: Path, months: int = 5):  # type: ignore[no-untyped-def]
    store = Store.memory()
    force_audits(store, months)
    path = tmp_path / "plan.csv"
    path.write_text(PLAN, encoding="utf-8")
    import_plan(store, path, FORCE, "qa.lead")
    return {e.action.ref: e for e in plan_evidence(store, store.plan_of(FORCE), "2024-07-01")}


def test_a_done_action_whose_figure_rose_clearly_moved(tmp_path: Path) -> None:
    r11 = evidence(tmp_path)["R1.1"]
    (link,) = r11.links
    assert link.before and link.after and link.change
    # Due 2024-02-29: the last audit before is Feb, the latest after May.
    assert (link.before.audit, link.after.audit) == ("Feb", "May")
    assert (link.before.figure.successes, link.before.figure.n) == (1, 6)
    assert (link.after.figure.successes, link.after.figure.n) == (6, 6)
    # Wilson 6/6 = [6 / (6 + z^2), 1] = [6 / 9.841459, 1] = [0.609665, 1]. Wilson 1/6, z^2/n
    # = 0.640243: centre (1/6 + 0.320122) / 1.640243 = 0.296778, half-width 1.959964 *
    # sqrt(0.023148 + 0.026677) / 1.640243 = 0.266724: [0.030054, 0.563502].
    # Newcombe (method 10) on 6/6 - 1/6 = 0.833333: lower = 0.833333 - sqrt((1 - 0.609665)^2
    # + (0.563502 - 0.166667)^2) = 0.833333 - 0.556632 = 0.276701; upper = 0.833333 +
    # sqrt(0^2 + (0.166667 - 0.030054)^2) = 0.969946. Wholly above 0: moved.
    assert (link.change.difference, link.change.low, link.change.high) == pytest.approx(
        (0.833333, 0.276701, 0.969946), abs=1e-5
    )
    oracle = confint_proportions_2indep(6, 6, 1, 6, method="newcomb", compare="diff")
    assert (link.change.low, link.change.high) == pytest.approx(oracle, abs=1e-9)
    assert link.direction == "improved"
    assert r11.verdict == MOVED
    assert not r11.overdue


def test_the_control_chart_signal_after_the_due_date(tmp_path: Path) -> None:
    (link,) = evidence(tmp_path)["R1.1"].links
    # A-1 over five months: 1, 1, 1, 1, 6 of 6. Centre 10/30 = 1/3; sigma for n = 6 is
    # sqrt((1/3)(2/3)/6) = 0.192450, upper limit 1/3 + 3 * 0.192450 = 0.910684. May's 6/6
    # = 1 is beyond it.
    assert link.periods == 5
    assert link.signals == ("2024-05: beyond limits",)


def test_a_done_action_whose_figure_did_not_clearly_rise_is_not_shown_to_have_moved(
    tmp_path: Path,
) -> None:
    r12 = evidence(tmp_path)["R1.2"]
    (link,) = r12.links
    assert link.before and link.after and link.change
    # Feb 3 of 6, May 4 of 6. Wilson 3/6 = 0.5 +- 1.959964 * sqrt(0.041667 + 0.026677)
    # / 1.640243 = [0.187616, 0.812384]; Wilson 4/6: centre (0.666667 + 0.320122) / 1.640243
    # = 0.601611, half-width 1.959964 * sqrt(0.037037 + 0.026677) / 1.640243 = 0.301618:
    # [0.299993, 0.903229]. Lower = 0.166667 - sqrt((0.666667 - 0.299993)^2 + (0.812384 -
    # 0.5)^2) = 0.166667 - sqrt(0.134450 + 0.097584) = -0.315032: the interval holds 0.
    assert link.change.difference == pytest.approx(1 / 6)
    assert link.change.low == pytest.approx(-0.315032, abs=1e-5)
    oracle = confint_proportions_2indep(4, 6, 3, 6, method="newcomb", compare="diff")
    assert (link.change.low, link.change.high) == pytest.approx(oracle, abs=1e-9)
    assert link.direction == "no clear change"
    assert link.signals == ()  # 3, 3, 3, 3, 4 of 6: inside the limits
    assert r12.verdict == NOT_SHOWN


def test_no_audit_after_the_due_date_and_overdue(tmp_path: Path) -> None:
    late = evidence(tmp_path)["R1.3"]
    (link,) = late.links
    assert link.after is None and link.change is None
    assert link.before and link.before.audit == "May"
    assert "no audit after the due date yet" in link.note
    assert late.overdue  # due 2024-06-30, planned, seen on 2024-07-01
    assert late.verdict is None  # not done: no verdict


def test_the_recommendation_tag_links_an_action_that_names_nothing(tmp_path: Path) -> None:
    tagged = evidence(tmp_path)["R2.1"]
    (link,) = tagged.links
    # R7 tags A-9 alone: its figures are A-9's. Due 2024-03-15: Feb before, May after.
    assert (link.kind, link.key) == ("recommendation", "R7")
    assert link.before and link.before.audit == "Feb"
    assert link.after and (link.after.figure.successes, link.after.figure.n) == (4, 6)


def test_too_few_audits_for_a_control_chart(tmp_path: Path) -> None:
    (link,) = evidence(tmp_path, months=4)["R1.1"].links
    # Four months: the change is drawn (Feb 1/6 to Apr 1/6), no chart.
    assert link.change and link.change.difference == 0
    assert link.periods == 4 and link.signals == ()
    assert "too few for a control chart" in link.note
