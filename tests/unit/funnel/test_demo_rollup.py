"""The demo's national roll-up: seven forces of different sizes, one out of line, so the
funnel shows an alarm where there is one and nowhere else on the headline figure."""

from __future__ import annotations

from casereview.demo.build import build_demo
from casereview.demo.rollup import FORCES, OUT_OF_LINE, ROLLUP_AUDIT
from casereview.services.funnel import build
from casereview.store import Store


def test_the_rollup_funnel_alarms_on_the_force_out_of_line() -> None:
    store = Store.memory()
    assert build_demo(store, "newcomer")
    audit = store.audit_named(ROLLUP_AUDIT)
    assert (audit.n_cases, audit.n_complete) == (sum(n for _, n, _ in FORCES),) * 2
    figures = build(store, [ROLLUP_AUDIT], "force")
    first = figures[0]  # the first section, share of files meeting it in full
    assert first.question_id is None
    sizes = {p.unit: p.n for p in first.funnel.points}
    assert sizes == {force: n for force, n, _ in FORCES}  # six or more, sizes differ
    bands = {p.unit: p.band for p in first.funnel.points}
    assert bands[OUT_OF_LINE] == "alarm"
    assert {b for unit, b in bands.items() if unit != OUT_OF_LINE} <= {"", "alert"}
    # across every figure, alarms fall on the force out of line only
    alarmed = {p.unit for f in figures for p in f.funnel.points if p.band == "alarm"}
    assert alarmed == {OUT_OF_LINE}


def test_sections_only_gives_the_section_funnels_and_no_question_s() -> None:
    """The report asks for the sections' funnels alone: the same figures as the full build's
    sections, and no question's (each is a hundred exact limits on a national audit)."""
    store = Store.memory()
    assert build_demo(store, "newcomer")
    every = build(store, [ROLLUP_AUDIT], "force")
    sections = build(store, [ROLLUP_AUDIT], "force", sections_only=True)
    assert any(f.question_id is not None for f in every)
    assert sections == [f for f in every if f.question_id is None]
