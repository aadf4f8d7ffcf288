"""The findings report (Markdown and Word) gives agreement as the screen does: each
section's kappa with its 95% interval and AC1, or "too few pairs (n)"."""

from __future__ import annotations

from pathlib import Path

import docx
import numpy as np
from click.testing import CliRunner
from statsmodels.stats.inter_rater import cohens_kappa as sm_cohens_kappa  # type: ignore[import-untyped]

from casereview.cli import main
from casereview.store import Store
from tests.factories import complete_review, seed_store
from tests.unit.agreement.pairs import RECORDING_TABLE, twelve_pairs


def recording_kappa() -> str:
    # kappa 374/473 = 0.79 by hand (agreement/pairs.py); the interval from statsmodels,
    # its top (1.02) clipped to kappa's range
    oracle = sm_cohens_kappa(np.array(RECORDING_TABLE))
    return f"0.79 ({oracle['kappa_low']:.2f} to 1.00)"


def report(db: Path, *extra: str) -> str:
    args = ["--db", str(db), "report", "--audit", "Agreement audit", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_markdown_report_gives_agreement_with_interval_and_ac1(tmp_path: Path) -> None:
    text = report(twelve_pairs(tmp_path / "r.db"))
    assert "## Agreement between reviewers" in text
    assert "12 case files were reviewed blind by a second reviewer" in text
    assert f"| Recording | 33 | 30 of 33 (91%) | {recording_kappa()} | 0.90 | substantial |" in text
    # every pair na: kappa undefined (one category), AC1 1, no band
    assert "| Protective orders | 12 | 12 of 12 (100%) | undefined | 1.00 | - |" in text


def test_the_word_report_gives_the_same_agreement_table(tmp_path: Path) -> None:
    out = tmp_path / "findings.docx"
    report(twelve_pairs(tmp_path / "r.db"), "--out", str(out))
    rows = [[c.text for c in row.cells] for row in docx.Document(str(out)).tables[-1].rows]
    assert rows == [
        ["Section", "Pairs", "Agree", "Kappa (95% CI)", "AC1", "Band"],
        ["Recording", "33", "30 of 33 (91%)", recording_kappa(), "0.90", "substantial"],
        ["Protective orders", "12", "12 of 12 (100%)", "undefined", "1.00", "-"],
    ]


def test_the_report_says_too_few_pairs(tmp_path: Path) -> None:
    # Two paired cases: Recording pools 3 questions x 2 = 6 pairs (REC-01 yes throughout),
    # 5 agree; Protective orders only SPO-01's 2 pairs (SPO-02, SPO-03 hidden from both).
    path = tmp_path / "r.db"
    store = Store.open(path)
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)][:2]
    store.assign_second(audit.id, ids, "bob", "lead")
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    for case_id, rec03 in zip(ids, ("yes", "no"), strict=True):
        complete_review(store, audit.id, case_id, "ann", "primary", full)
        complete_review(store, audit.id, case_id, "bob", "second", full | {"REC-03": rec03})
    store.close()
    result = CliRunner().invoke(main, ["--db", str(path), "report", "--audit", "Test audit"])
    assert result.exit_code == 0, result.output
    assert "| Recording | 6 | 5 of 6 (83%) | - | - | too few pairs (6) |" in result.stdout
    assert "| Protective orders | 2 | 2 of 2 (100%) | - | - | too few pairs (2) |" in result.stdout


def test_no_agreement_section_without_a_pair(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    store = Store.open(path)
    audit = seed_store(store)
    case_id = store.audit_cases(audit.id)[0].case.id
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    complete_review(store, audit.id, case_id, "ann", "primary", full)
    store.close()
    result = CliRunner().invoke(main, ["--db", str(path), "report", "--audit", "Test audit"])
    assert result.exit_code == 0, result.output
    assert "Agreement between reviewers" not in result.stdout
