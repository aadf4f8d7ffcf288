"""`casereview report`: sections, notable gaps and caveats, figures worked out by hand in the
comments beside them.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.store import Store
from tests.factories import complete_review, seed_store


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def test_report_sections_gaps_and_caveats_by_hand(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    store = Store.open(db)
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "no", "SPO-03": "no"}
    weak = {"REC-01": "yes", "REC-02": "partly", "REC-03": "no", "SPO-01": "yes", "SPO-02": "yes"}
    complete_review(store, audit.id, ids[0], "ann", "primary", full)
    complete_review(store, audit.id, ids[1], "ann", "primary", weak)
    store.close()
    result = run(db, "report", "--audit", "Test audit")
    assert result.exit_code == 0, result.output
    text = result.stdout
    # Recording: full 1.0; weak (1 + 2*0.5 + 0)/4 = 0.5 -> 2 cases, mean 75%, 1 of 2 in full
    # Wilson 1 of 2: 9.5-90.5% -> "9%-91%" style as the report prints it
    assert "| Recording | 2 | 75% | 1 of 2 (50%) \u2020 |" in text
    # Protective orders: full (1*0 + 1*0)/2 = 0 [SPO-01 no, SPO-03 no]; weak (1 + 1)/2 = 1
    assert "| Protective orders | 2 | 50% | 1 of 2 (50%) \u2020 |" in text
    # SPO-03: one applicable answer, no -> 0 of 1; REC-03 yes, no -> 1 of 2
    assert "- SPO-03 Is the reason for not applying recorded? 0 of 1, 0.0%" in text
    assert "- REC-01 **(critical)** Was a crime recorded? 2 of 2, 100.0%" in text
    gaps = text[text.index("## Notable gaps") : text.index("## Caveats")]
    # lowest first: SPO-03 0% (n 1) before REC-03 50% (n 2) etc.
    assert gaps.index("SPO-03") < gaps.index("REC-03")
    assert "This is a sample of 2 reviewed files." in text
    assert "Reviews counted: 2 completed of 6 sampled (4 not complete and left out)" in text
    assert "- Sample: 6 case files drawn at random (seed 1)" in text
    assert "6 question(s) have fewer than 10 applicable answers" in text
