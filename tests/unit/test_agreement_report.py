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
from tests.unit.agreement_pairs import RECORDING_TABLE, six_pairs


def paired(path: Path) -> Path:
    store = Store.open(path)
    six_pairs(store, seed_store(store))
    store.close()
    return path


def recording_kappa() -> str:
    # kappa 76/112 = 0.68 by hand (agreement_pairs.py); the interval from statsmodels,
    # its top (1.09) clipped to kappa's range
    oracle = sm_cohens_kappa(np.array(RECORDING_TABLE))
    return f"0.68 ({oracle['kappa_low']:.2f} to {min(1.0, oracle['kappa_upp']):.2f})"


def test_the_markdown_report_gives_agreement_with_interval_ac1_and_too_few(
    tmp_path: Path,
) -> None:
    db = paired(tmp_path / "r.db")
    result = CliRunner().invoke(main, ["--db", str(db), "report", "--audit", "Test audit"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "## Agreement between reviewers" in text
    assert f"| Recording | 18 | 16 of 18 (89%) | {recording_kappa()} | 0.88 | substantial |" in text
    assert "| Protective orders | 6 | 6 of 6 (100%) | - | - | too few pairs (6) |" in text
    assert "6 case files were reviewed blind by a second reviewer" in text


def test_the_word_report_gives_the_same_agreement_table(tmp_path: Path) -> None:
    db = paired(tmp_path / "r.db")
    out = tmp_path / "findings.docx"
    result = CliRunner().invoke(
        main, ["--db", str(db), "report", "--audit", "Test audit", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    doc = docx.Document(str(out))
    rows = [[c.text for c in row.cells] for row in doc.tables[-1].rows]
    assert rows == [
        ["Section", "Pairs", "Agree", "Kappa (95% CI)", "AC1", "Band"],
        ["Recording", "18", "16 of 18 (89%)", recording_kappa(), "0.88", "substantial"],
        ["Protective orders", "6", "6 of 6 (100%)", "-", "-", "too few pairs (6)"],
    ]


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
