"""The Word findings report's funnel section, on the demo's national roll-up (seven forces,
one out of line); absent where the files come from fewer than three forces."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from scipy.stats import chi2  # type: ignore[import-untyped]

from casereview.cli import main
from casereview.demo.build import build_demo
from casereview.demo.rollup import OUT_OF_LINE, ROLLUP_AUDIT
from casereview.io.reports.markdown import blocks
from casereview.store import Store
from tests.factories import seed_store

HEADING = "Forces compared (funnel plots)"


def test_the_word_report_of_the_rollup_has_a_funnel_per_section(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    store = Store.open(db)
    assert build_demo(store, "newcomer")
    checklist = store.checklist(store.audit_named(ROLLUP_AUDIT).checklist_pk)
    # a funnel per section with a scored question (3.0's facts section has none)
    sections = sum(any(q.scored for q in s.questions) for s in checklist.sections)
    store.close()
    out = tmp_path / "national.docx"
    result = CliRunner().invoke(
        main, ["--db", str(db), "report", "--audit", ROLLUP_AUDIT, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    doc = docx.Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert HEADING in texts
    after = texts[texts.index(HEADING) :]
    assert any(
        t.startswith("Recognition and crime recording: " + OUT_OF_LINE) and t.endswith("alarm")
        for t in after
    )
    # the overdispersion test beside phi: seven forces, 6 df; the p shown is scipy's for the
    # statistic shown, and the words follow p < 0.05
    (spread,) = [t for t in after if t.startswith("Recognition and crime recording: phi ")]
    stat = float(spread.split("chi-square ")[1].split(" on ")[0])
    assert " on 6 df, " in spread
    p = chi2.sf(stat, 6)
    if "p < 0.001" in spread:
        assert p < 0.001
    else:
        assert float(spread.split("p = ")[1].split(":")[0]) == pytest.approx(p, abs=5e-4)
    more = spread.endswith(": more spread than chance alone")
    assert more == bool(p < 0.05)
    # the section chart, then a funnel per section: pictures with their captions
    assert len(doc.inline_shapes) == 1 + sections
    captions = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Caption"]
    assert sum(c.startswith("recording: ") for c in captions) == 1


def test_no_funnel_with_fewer_than_three_forces() -> None:
    store = Store.memory()
    audit = seed_store(store)  # Testshire and Otherton
    from tests.factories import complete

    for ac in store.audit_cases(audit.id):
        complete(store, audit, ac.case.id, "ann", "primary", {"REC-01": "no", "REC-03": "no",
                                                             "SPO-01": "na"})  # fmt: skip
    titles = [getattr(b, "text", "") for b in blocks(store, audit.name)]
    assert HEADING not in titles
