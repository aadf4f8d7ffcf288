"""The findings agreement view: kappa with its 95% interval and AC1 where there are enough
pairs, "too few pairs (n)" where there are not, and no row for a question skip logic hid
from both reviewers in every pair."""

from __future__ import annotations

import numpy as np
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa  # type: ignore[import-untyped]
from textual.widgets import DataTable, Static

from casereview.store import AuditInfo, Store
from casereview.tui.app import make_app
from casereview.tui.screens import FindingsScreen
from tests.factories import complete_review
from tests.tui.waiting import until

SIZE = (140, 40)

# Six cases, each reviewed by ann (primary) and bob (second); (REC-02, REC-03) per side.
ANSWERS = [
    (("yes", "yes"), ("yes", "yes")),
    (("yes", "yes"), ("yes", "yes")),
    (("yes", "yes"), ("yes", "yes")),
    (("yes", "no"), ("yes", "no")),
    (("no", "no"), ("no", "no")),
    (("no", "yes"), ("yes", "no")),
]


def six_pairs(store: Store, audit: AuditInfo) -> None:
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    store.assign_second(audit.id, ids, "bob", "lead")
    for case_id, sides in zip(ids, ANSWERS, strict=True):
        for (who, role), (rec02, rec03) in zip(
            (("ann", "primary"), ("bob", "second")), sides, strict=True
        ):
            answers = {"REC-01": "yes", "REC-02": rec02, "REC-03": rec03, "SPO-01": "na"}
            complete_review(store, audit.id, case_id, who, role, answers)  # type: ignore[arg-type]


def row(table: DataTable, key: str) -> list[str]:  # type: ignore[type-arg]
    return [str(cell) for cell in table.get_row(key)]


async def test_the_agreement_view_shows_the_interval_ac1_and_too_few(
    audited: tuple[Store, AuditInfo],
) -> None:
    store, audit = audited
    six_pairs(store, audit)
    app = make_app(store, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "v", "v", "v", "v")
        screen = app.screen
        assert isinstance(screen, FindingsScreen)
        await until(pilot, lambda: screen.view == "agreement", "the agreement view")
        table = screen.query_one(DataTable)
        header = [str(c.label) for c in table.ordered_columns]
        assert header == ["Section / question", "Pairs", "Agree", "Kappa (95% CI)", "AC1", "Band"]
        # Recording pools 3 questions x 6 cases = 18 pairs:
        #   REC-01 (yes, yes) x6; REC-02 (yes, yes) x4, (no, no), (no, yes);
        #   REC-03 (yes, yes) x3, (no, no) x2, (yes, no): agree 6 + 5 + 5 = 16 of 18 (89%)
        #   table (rows ann, columns bob): yes/yes 13, yes/no 1, no/yes 1, no/no 3
        #   po = 16/18; pe = (14*14 + 4*4)/324 = 212/324; kappa = 76/112 = 0.68, substantial
        #   AC1 over yes partly no na unknown hidden (q = 6): pi_yes 14/18, pi_no 4/18;
        #   pe = 2(14/18)(4/18)/5 = 0.0691; AC1 = (0.8889 - 0.0691)/(1 - 0.0691) = 0.88
        oracle = sm_cohens_kappa(np.array([[13, 1], [1, 3]]))
        low, high = oracle["kappa_low"], min(1.0, oracle["kappa_upp"])  # 0.27, 1.09 -> 1
        assert row(table, "section:rec")[1:] == [
            "18",
            "16 of 18 (89%)",
            f"0.68 ({low:.2f} to {high:.2f})",
            "0.88",
            "substantial",
        ]
        # Protective orders: SPO-01 (na, na) x6; SPO-02 and SPO-03 hidden from both
        # reviewers in every pair, so left out: 6 pairs, too few for kappa to say anything.
        assert row(table, "section:spo")[1:] == [
            "6",
            "6 of 6 (100%)",
            "-",
            "-",
            "too few pairs (6)",
        ]
        # REC-03 alone: 5 of 6 pairs agree, kappa 0.67 on paper, but no verdict on 6 pairs
        assert row(table, "REC-03")[1:] == ["6", "5 of 6 (83%)", "-", "-", "too few pairs (6)"]
        keys = [k.value for k in table.rows]
        assert "SPO-02" not in keys and "SPO-03" not in keys
        note = str(screen.query_one("#findings-note", Static).render())
        assert "Gwet (2008)" in note and "given on 10 pairs or more" in note
