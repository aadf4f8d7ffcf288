"""The shipped checklist 3.0 (issue 26): one test per numbered item of the issue, on what
ships (the rule, the anchors, the skip logic), and the trend across 2.0 and 3.0.

The sources for each change are in docs/checklist-3.0.md."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from casereview.core.checklist.loading import load_checklist
from casereview.core.checklist.models import Checklist
from casereview.core.checklist.scope import CaseScope
from casereview.core.checklist.settings import ForceSettings
from casereview.core.checklist.versions import diff_checklists
from casereview.core.periods import parse
from casereview.io.imports.answers import ImportedReview
from casereview.io.imports.cases import read_case_file
from casereview.services.trend import build_trend, lineage
from casereview.store import Store
from tests.factories import CASES

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "src" / "casereview" / "shipped_checklists"
V2_PATH = SHIPPED / "stalking-casefile-2.0.yaml"
V3_PATH = SHIPPED / "stalking-casefile-3.0.yaml"
DOC_PATH = ROOT / "docs" / "checklist-3.0.md"

ANCHORED = ["REC-01", "REC-06", "RISK-05", "RISK-07", "INV-05", "INV-10", "INV-13", "SPO-03"]
ANCHORED += ["SPO-06", "SPO-09", "SPO-13", "SUP-02", "SUP-03", "SUP-04", "VIC-09"]
WOOLLY = re.compile(r"\b(considered|appropriate)\b", re.I)


@pytest.fixture(scope="module")
def v2() -> Checklist:
    return load_checklist(V2_PATH)


@pytest.fixture(scope="module")
def v3() -> Checklist:
    return load_checklist(V3_PATH)


def shown(checklist: Checklist, answers: dict[str, str], case: CaseScope | None = None) -> set[str]:
    return set(checklist.visible(answers, case))


def test_2_0_is_unchanged() -> None:
    # 2.0 is immutable: audits hold its hash. This is the hash of the file as 2.0 shipped.
    digest = hashlib.sha256(V2_PATH.read_bytes()).hexdigest()
    assert digest == V2_SHA256


def test_new_audits_default_to_3_0() -> None:
    store = Store.memory()
    store.ensure_shipped_checklists()
    assert store.find_checklist("stalking-casefile").version == "3.0"
    assert store.find_checklist("stalking-casefile@2.0").version == "2.0"


# ------------------------------------------------------------------ 1-7: errors, double penalties


def test_1_vps_information_is_enough_before_charge(v3: Checklist) -> None:
    q = v3.question("VIC-07")
    assert "told about the Victim Personal Statement" in q.text
    assert "right to be provided with information" in q.guidance  # the Code's words
    assert "not yet offered it is not a failure" in q.guidance
    assert "N/A: no witness statement was taken and the case was not charged" in q.guidance


def test_2_right_to_review_only_for_qualifying_decisions(v3: Checklist) -> None:
    outcome, review = v3.question("VIC-12"), v3.question("VIC-13")
    assert outcome.replaces == "VIC-08" and "review" not in outcome.text
    assert review.show_if and review.show_if.question == "FACT-04"
    gate = v3.question("FACT-04")
    assert not gate.scored and "interviewed under caution" in gate.text
    assert "victim" in gate.guidance and "withdrew" in gate.guidance  # outside the scheme
    # closed, not charged, but no qualifying decision: VIC-13 is hidden and counts as N/A
    base = {"INV-11": "yes", "FACT-01": "yes", "FACT-03": "no", "FACT-02": "yes"}
    assert "VIC-12" in shown(v3, {**base, "FACT-04": "no"})
    assert "VIC-13" not in shown(v3, {**base, "FACT-04": "no"})
    assert "VIC-13" in shown(v3, {**base, "FACT-04": "yes"})
    assert "VIC-13" not in shown(v3, {**base, "FACT-03": "yes"})  # charged: no gate at all
    assert "VIC-12" not in shown(v3, {**base, "FACT-02": "no"})  # still open


def test_3_a_pin_is_a_fact_and_the_standard_is_investigation(v3: Checklist) -> None:
    pin = v3.question("FACT-05")
    assert not pin.scored and "Police Information Notice" in pin.text
    inv = v3.question("INV-16")
    assert inv.replaces == "INV-14" and inv.scored
    assert "investigated as a crime" in inv.text and "PIN" not in inv.text
    assert not v3.has_question("INV-14")


def test_4_rec_05_principal_crime_is_na_and_new_offences_listed(v3: Checklist) -> None:
    g = v3.question("REC-05").guidance
    for words in ("Online Safety Act 2023", "s179", "s181", "31 January 2024", "s76"):
        assert words in g
    assert "controlling or coercive behaviour" in g
    assert re.search(r"N/A:.*correctly the principal crime.*REC-07", g, re.S)


def test_5_the_suspect_gate_is_asked_first_and_drives_the_suspect_questions(
    v3: Checklist,
) -> None:
    ids = [q.id for q in v3.questions]
    assert v3.sections[0].id == "facts"
    assert {"INV-11", "FACT-01"} <= {q.id for q in v3.sections[0].questions}
    for qid in ("RISK-08", "RISK-09", "INV-13"):
        q = v3.question(qid)
        assert q.show_if and q.show_if.question == "FACT-01" and q.show_if.in_ == ("yes",)
        assert ids.index("FACT-01") < ids.index(qid)
        assert "na" not in q.answers  # no reviewer N/A for "never identified" any more
    assert not {"RISK-08", "RISK-09", "INV-13", "INV-07"} & shown(v3, {"FACT-01": "no"})
    assert v3.effective_answers({"FACT-01": "no"})["INV-13"] == "na"


def test_6_no_double_penalties(v3: Checklist) -> None:
    sup = v3.question("SUP-02")
    assert "na" not in sup.answers and "partly" in sup.answers
    assert "was really a Yes" in sup.guidance
    risk7 = v3.question("RISK-07")
    assert "carried out" in risk7.text and "match" not in risk7.text
    assert "leaflet" not in risk7.guidance.split("Yes:")[1]  # the leaflet is RISK-06's
    assert "RISK-07" not in shown(v3, {"RISK-06": "no"})
    assert "RISK-07" in shown(v3, {"RISK-06": "partly"})


def test_7_no_hindsight_and_limits_are_the_checklists_own(v3: Checklist) -> None:
    spo9 = v3.question("SPO-09")
    assert "before any further incident" not in spo9.guidance
    assert "further incidents" not in spo9.guidance.split("Yes:")[1]
    fact = v3.question("SPO-14")
    assert not fact.scored and "further incident" in fact.text
    for qid in ("SPO-09", "INV-13"):
        q = v3.question(qid)
        assert "(the checklist's default, not a national standard)" in q.text
        assert "not a national" in q.guidance or "No national source" in q.guidance


# ------------------------------------------------------------------ 8-13: newly relevant


def test_8_right_to_know_is_asked_without_a_commencement_date(v3: Checklist) -> None:
    q = v3.question("VIC-14")
    assert q.show_if and q.show_if.question == "INV-11" and q.show_if.in_ == ("no",)
    assert q.applies_from is None  # commencement not confirmed: see docs
    assert "a recorded decision not to\ntell, with its reason, is a Yes" in q.guidance


def test_9_managing_an_order(v3: Checklist) -> None:
    made = v3.question("SPO-15")
    assert not made.scored and made.show_if and made.show_if.question == "SPO-02"
    for qid in ("SPO-16", "SPO-17"):
        assert v3.question(qid).show_if.question == "SPO-15"  # type: ignore[union-attr]
    assert "3-day" in v3.question("SPO-16").text and "s9(1)" in v3.question("SPO-16").guidance
    assert "s9(1)(a)" in v3.question("SPO-16").guidance  # a full order replacing an interim
    assert "checklist's own standard" in v3.question("SPO-17").guidance
    assert {"SPO-16", "SPO-17"} <= shown(v3, {"SPO-01": "yes", "SPO-02": "yes", "SPO-15": "yes"})
    assert not {"SPO-16", "SPO-17"} & shown(v3, {"SPO-01": "yes", "SPO-02": "yes", "SPO-15": "no"})


def test_10_right_6_timescales_are_the_codes(v3: Checklist) -> None:
    q = v3.question("VIC-15")
    assert "5 working days" in q.text and "1 working day" in q.text
    assert "Right 6" in q.guidance and "not a force setting" in q.guidance
    assert q.show_if and q.show_if.question == "FACT-01"


def test_11_dapo_pilot_and_breaches_under_the_right_question(v3: Checklist) -> None:
    q = v3.question("SPO-18")
    assert q.applies_from == "2024-11-27"
    assert "Greater Manchester Police" in q.applies_to and "Cleveland Police" in q.applies_to
    north = CaseScope("2025-06-01", "Northmoor Police")
    gmp = CaseScope("2025-06-01", "Greater Manchester Police")
    before = CaseScope("2024-11-01", "Greater Manchester Police")
    assert "SPO-18" in shown(v3, {}, gmp)
    assert "SPO-18" not in shown(v3, {}, north) and "SPO-18" not in shown(v3, {}, before)
    assert v3.effective_answers({}, north)["SPO-18"] == "na"
    assert "DAPO" in v3.question("SPO-11").text  # an offence (s39)
    assert "DVPN/DVPO" in v3.question("SPO-12").text and "DAPN" in v3.question("SPO-12").text
    assert "DVPO" not in v3.question("SPO-11").text


def test_12_spo_yes_covers_asking_the_court(v3: Checklist) -> None:
    g = v3.question("SPO-01").guidance.split("Yes:")[1].split("No:")[0]
    assert "asked the\nprosecutor or the court" in g


def test_13_technology_enabled_stalking(v3: Checklist) -> None:
    q = v3.question("INV-04")
    for words in ("trackers", "spyware", "shared accounts"):
        assert words in q.text
    assert "stalkerware" in q.guidance


# ------------------------------------------------------------------ 14-17


def test_14_scope_is_validated_in_the_shipped_file(v3: Checklist) -> None:
    scoped = [q.id for q in v3.questions if q.applies_from or q.applies_to]
    assert scoped == ["SPO-18"]


def test_15_force_limits_are_settings_with_the_checklists_default(v3: Checklist) -> None:
    for qid, setting in (("INV-13", "interview_days"), ("SPO-09", "spo_application_days")):
        q = v3.question(qid)
        assert q.limit and (q.limit.setting, q.limit.default, q.limit.unit) == (setting, 7, "days")
        assert "within 7 days (the checklist's default, not a national standard)" in q.text
        assert setting in q.guidance
    northmoor = ForceSettings("Northmoor Police", {"interview_days": 3})
    shown_to_northmoor = v3.for_force(northmoor)
    assert "within 3 days (Northmoor Police's limit)" in shown_to_northmoor.question("INV-13").text
    assert "the checklist's default" in shown_to_northmoor.question("SPO-09").text  # not set
    # the grade-based first contact stays the force's policy per grade, not one figure
    assert v3.question("VIC-09").limit is None


def test_16_gate_facts_drive_the_questions_they_make_fair(v3: Checklist) -> None:
    facts = {q.id for q in v3.questions if not q.scored}
    assert {"FACT-01", "FACT-02", "FACT-03", "FACT-04", "FACT-05", "FACT-06"} <= facts
    assert "extremely frightened" in v3.question("FACT-06").text  # S-DASH's own words
    risk2 = v3.question("RISK-02")
    assert risk2.show_if and risk2.show_if.question == "FACT-06" and "na" not in risk2.answers
    for qid in ("SUP-04", "SUP-05"):
        q = v3.question(qid)
        assert q.show_if and q.show_if.question == "FACT-02" and "na" not in q.answers


@pytest.mark.parametrize("qid", ANCHORED)
def test_17_anchors_with_examples_and_no_woolly_words(v3: Checklist, qid: str) -> None:
    q = v3.question(qid)
    assert not WOOLLY.search(q.text), q.text
    for answer, label in (("yes", "Yes:"), ("partly", "Partly:"), ("no", "No:")):
        if answer in q.answers:
            assert label in q.guidance, f"{qid} lacks {label}"
    assert q.guidance.count("For example") + q.guidance.count("For\nexample") >= 2


def test_new_partly_where_it_splits_real_cases(v3: Checklist) -> None:
    for qid in ("RISK-05", "INV-10", "SUP-02"):
        assert "partly" in v3.question(qid).answers


# ------------------------------------------------------------------ diff and trend


def test_the_diff_lists_every_change(v2: Checklist, v3: Checklist) -> None:
    lines = diff_checklists(v2, v3)
    text = "\n".join(lines)
    for needed in (
        "replaced  VIC-08 -> VIC-12",
        "replaced  INV-14 -> INV-16",
        "added     VIC-13",
        "added     FACT-01",
        "added     SPO-18",
        "changed   RISK-07  show_if: (always shown) -> RISK-06 in [yes, partly]",
        "changed   SUP-02  answers: yes, no, na, unknown -> yes, partly, no, unknown",
        "changed   INV-11  section: investigation -> facts",
        "added     SPO-14",
    ):
        assert needed in text, needed
    assert not [line for line in lines if line.startswith("removed")]


def test_a_trend_follows_replaced_questions_and_new_ones_start_their_own_row(
    v2: Checklist, v3: Checklist
) -> None:
    ids_in_2_0 = lineage(v3, [v2])["2.0"]
    assert ids_in_2_0["VIC-12"] == "VIC-08" and ids_in_2_0["INV-16"] == "INV-14"
    assert ids_in_2_0["REC-01"] == "REC-01"
    assert ids_in_2_0["SPO-09"] == "SPO-09"
    for new in ("VIC-13", "VIC-14", "VIC-15", "SPO-18", "FACT-01"):
        assert new not in ids_in_2_0  # no 2.0 figure: its row starts with 3.0


V2_SHA256 = "f0297a5d3ed1ee891e881c182d8c48067eae1bfe818942800afd17cfa4bb0123"


def _answer_all(checklist: Checklist, case: CaseScope, chosen: dict[str, str]) -> dict[str, str]:
    """Every question shown for the case answered: `chosen` where given, else its first
    allowed answer other than unknown."""
    given: dict[str, str | None] = {}
    for q in checklist.questions:
        if q.id in checklist.visible(given, case):
            given[q.id] = chosen.get(q.id) or next(a for a in q.answers if a != "unknown")
    return {k: v for k, v in given.items() if v}


def test_a_trend_across_a_2_0_and_a_3_0_audit_in_the_store() -> None:
    store = Store.memory()
    store.ensure_shipped_checklists()
    store.insert_case_rows(read_case_file(CASES).rows)
    ids = [c.id for c in store.cases()]
    for name, spec, period, outcome in (
        ("Jan", "stalking-casefile@2.0", "2024-01", "partly"),
        ("Feb", "stalking-casefile@3.0", "2024-02", "yes"),
    ):
        info = store.find_checklist(spec)
        checklist = store.checklist(info.pk)
        audit = store.create_audit(name, info.pk, ids[:4], "t", seed=1, period=parse(period))
        reviews = [
            ImportedReview(
                case_id,
                "primary",
                "ann",
                answers={
                    q: (v, "")
                    for q, v in _answer_all(
                        checklist,
                        store.case(case_id).scope(),
                        {"VIC-08": outcome, "FACT-02": "yes", "VIC-12": outcome},
                    ).items()
                },
                complete=True,
            )
            for case_id in ids[:4]
        ]
        store.import_reviews(audit.id, reviews, "t")
    trend = build_trend(store, "stalking-casefile")
    rows = {q.key: q for q in trend.questions}
    # VIC-12 carries VIC-08's January figure: partly in 4 of 4 cases, credit 2 of 4 (0.5 each);
    # in February yes in 4 of 4.
    vic12 = rows["VIC-12"]
    assert [(f.successes, f.n) for f in vic12.figures if f] == [(2.0, 4), (4, 4)]
    # VIC-13 is new in 3.0: its row starts in February, with no January figure.
    assert rows["VIC-13"].figures[0] is None
    # a kept id carries its own figures: REC-03 answered yes throughout
    assert [(f.successes, f.n) for f in rows["REC-03"].figures if f] == [(4, 4), (4, 4)]
    assert "VIC-08" not in rows and "INV-14" not in rows  # spoken as 3.0 names them


def test_the_description_says_where_each_limit_comes_from(v3: Checklist) -> None:
    d = v3.description
    assert d.count("Time limits are written into the questions") == 1
    assert "force settings" in d and "not a national standard" in d
    assert "Facts first" in d and "the findings say so" in d
