"""The demo's monthly self-audits: three months of one force on one checklist, a trend to see."""

from __future__ import annotations

from casereview.demo.build import DEMO_AUDIT, EARLIER_AUDIT, build_demo
from casereview.demo.monthly import MONTHLY_SIZE, MONTHS
from casereview.demo.rollup import ROLLUP_AUDIT
from casereview.services.trend import build_trend
from casereview.services.trend_tables import trend_table
from casereview.store import Store

MONTHLY = [name for name, *_ in MONTHS]


def _demo() -> Store:
    store = Store.memory()
    assert build_demo(store, "newcomer")
    return store


def test_three_months_of_one_force_complete_on_the_current_checklist() -> None:
    store = _demo()
    audits = {a.name: a for a in store.audits()}
    assert set(MONTHLY) | {DEMO_AUDIT, EARLIER_AUDIT, ROLLUP_AUDIT} == set(audits)
    # newest first: the dip sample still opens the list, the monthly audits come last
    assert [a.name for a in store.audits()][:2] == [DEMO_AUDIT, EARLIER_AUDIT]
    for name, start, end, _good in MONTHS:
        audit = audits[name]
        assert audit.checklist_label == "stalking-casefile@3.0"
        assert (audit.scope["from"], audit.scope["to"]) == (start, end)
        assert audit.scope["where"] == {"force": "Northmoor Police"}
        assert (audit.n_cases, audit.n_complete) == (MONTHLY_SIZE, MONTHLY_SIZE)
        cases = store.audit_cases(audit.id)
        assert all(start <= (ac.case.reported_at or "")[:10] <= end for ac in cases)


def test_the_monthly_audits_show_a_trend() -> None:
    trend = build_trend(_demo(), "stalking-casefile", MONTHLY)
    assert [a.name for a in trend.audits] == MONTHLY
    changes = [f.direction for s in trend.sections for f in s.figures[1:] if f]
    assert "improved" in changes  # something a board can be told got better
    assert "declined" not in changes
    shares = [[f.share or 0 if f else 0 for f in s.figures] for s in trend.sections]
    assert sum(row[2] for row in shares) > sum(row[0] for row in shares)


def test_the_demo_is_the_same_every_time() -> None:
    tables = [trend_table(build_trend(_demo(), "stalking-casefile")).rows for _ in range(2)]
    strip = [[{k: v for k, v in r.items() if k != "period"} for r in t] for t in tables]
    assert strip[0] == strip[1] and len(strip[0]) > 0


def test_each_audits_trend_figures_are_its_own_findings() -> None:
    from casereview.services import findings

    store = _demo()
    rows = trend_table(build_trend(store, "stalking-casefile"), "section").rows
    for name in [*MONTHLY, EARLIER_AUDIT, DEMO_AUDIT]:
        own = findings.section_table(findings.load(store, name)).rows
        mine = [r for r in rows if r["audit"] == name]
        assert [(r["section_id"], r["n_cases"], r["full_pct"], r["ci_low_pct"]) for r in own] == [
            (r["section_id"], r["n_applicable"], r["compliance_pct"], r["ci_low_pct"]) for r in mine
        ]
