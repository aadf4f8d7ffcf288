"""The shipped checklist 2.0 (issue 11): its content, checked against the 1.0 file it follows.

These test what ships, not the loader: a fact is unscored, each judgement question has its
anchors, the recommendations cited are the confirmed ones, the rule fixes and new checks are
there, and every 1.0 question is kept, continued (`replaces`) or removed on purpose.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casereview.core.checklist.loading import load_checklist
from casereview.core.checklist.models import Checklist, Question

ROOT = Path(__file__).resolve().parents[3]
V1_PATH = ROOT / "src" / "casereview" / "shipped_checklists" / "stalking-casefile.yaml"
V2_PATH = ROOT / "src" / "casereview" / "shipped_checklists" / "stalking-casefile-2.0.yaml"
DOC_PATH = ROOT / "docs" / "checklist-2.0.md"

# 1.0 questions with no successor in 2.0, and why (docs/checklist-2.0.md says the same).
REMOVED = {"VIC-01": "recording without unjustified delay is tested once, by REC-04"}

# The questions a reviewer of the checklist judged hardest to score alike (issue 11, item 4).
HARDEST = ["REC-01", "REC-05", "RISK-07", "INV-01", "INV-05", "INV-06", "SPO-04", "VIC-05"]
HARDEST += ["SUP-03", "SUP-04"]

ANCHORS = ("Yes:", "Partly:", "No:")


@pytest.fixture(scope="module")
def v1() -> Checklist:
    return load_checklist(V1_PATH)


@pytest.fixture(scope="module")
def v2() -> Checklist:
    return load_checklist(V2_PATH)


@pytest.fixture(scope="module")
def replaced(v2: Checklist) -> dict[str, str]:
    """Old id -> the 2.0 id that continues it."""
    return replaces_pairs(v2, V2_PATH.read_text(encoding="utf-8"))


def replaces_pairs(v2: Checklist, text: str) -> dict[str, str]:
    """The `replaces` pairs, from the models once the loader has the key, else from the
    `# replaces: OLD-ID` comment inside each question (how the file carries them until then)."""
    pairs: dict[str, str] = {}

    def add(old: str, new: str) -> None:
        assert old not in pairs, f"{old} is replaced twice ({pairs[old]} and {new})"
        pairs[old] = new

    if "replaces" in Question.model_fields:
        assert not re.search(r"^\s*#\s*replaces:", text, re.M), (
            "the loader reads `replaces` now: uncomment the `# replaces:` lines"
        )
        for q in v2.questions:
            value = getattr(q, "replaces", None)
            for old in [value] if isinstance(value, str) else list(value or ()):
                add(old, q.id)
        return pairs
    current = None
    for line in text.splitlines():
        if m := re.match(r"\s*- id: (\S+)\s*$", line):
            current = m[1]
        elif m := re.match(r"\s*#\s*replaces:\s*(\S+)\s*$", line):
            assert current is not None, f"a replaces comment outside a question: {line!r}"
            add(m[1], current)
    return pairs


def successor(old_id: str, v2: Checklist, replaced: dict[str, str]) -> Question:
    """The 2.0 question that continues a 1.0 one: the same id, or the one that replaces it."""
    if v2.has_question(old_id):
        return v2.question(old_id)
    assert old_id in replaced, f"1.0's {old_id} has no successor in 2.0"
    return v2.question(replaced[old_id])


def with_text(v2: Checklist, *words: str) -> list[Question]:
    """Questions whose text holds every one of these words (case-insensitive)."""
    return [q for q in v2.questions if all(w.lower() in q.text.lower() for w in words)]


def one_with_text(v2: Checklist, *words: str) -> Question:
    found = with_text(v2, *words)
    assert len(found) == 1, f"expected one question with {words}, found {[q.id for q in found]}"
    return found[0]


def anchor_paragraphs(guidance: str) -> dict[str, str]:
    """Each anchor (`Yes:`, `Partly:`, `No:`, `N/A:`, `Unknown:`) with the text up to the next."""
    paragraphs: dict[str, str] = {}
    key = None
    for line in guidance.splitlines():
        head = line.split(":", 1)[0] + ":"
        if head in (*ANCHORS, "N/A:", "Unknown:"):
            key = head
            assert key not in paragraphs, f"{key} twice in {guidance!r}"
            paragraphs[key] = line
        elif key is not None:
            paragraphs[key] += " " + line
    return paragraphs


def test_both_versions_load_with_one_id(v1: Checklist, v2: Checklist) -> None:
    assert (v1.id, v1.version) == ("stalking-casefile", "1.0")
    assert (v2.id, v2.version) == ("stalking-casefile", "2.0")
    assert '"2.0"' in V2_PATH.read_text(encoding="utf-8")  # quoted, as the README asks


def test_withdrawal_and_spo_application_are_facts(
    v1: Checklist, v2: Checklist, replaced: dict[str, str]
) -> None:
    withdrew = successor("INV-08", v2, replaced)
    applied = successor("SPO-02", v2, replaced)
    assert "withdraw support" in withdrew.text
    assert "applied for" in applied.text
    assert withdrew.scored is False
    assert applied.scored is False


def test_every_question_1_0_called_factual_is_a_fact_in_2_0(
    v1: Checklist, v2: Checklist, replaced: dict[str, str]
) -> None:
    factual = [q.id for q in v1.questions if "factual question" in q.guidance]
    assert {"INV-08", "SPO-02", "SPO-07"} <= set(factual)
    assert [qid for qid in factual if successor(qid, v2, replaced).scored] == []


def test_facts_are_declared_as_facts_and_nothing_else_is(v2: Checklist) -> None:
    for q in v2.questions:
        says_fact = q.guidance.startswith("A fact about the case")
        assert says_fact == (not q.scored), q.id
        if not q.scored:
            assert not q.critical and q.weight == 1.0, q.id
            assert "partly" not in q.answers, q.id


def test_every_fact_opens_a_later_question(v2: Checklist) -> None:
    controllers = {q.show_if.question for q in v2.questions if q.show_if}
    assert [q.id for q in v2.questions if not q.scored and q.id not in controllers] == []


def test_scored_questions_that_allow_partly_have_anchored_examples(v2: Checklist) -> None:
    judged = [q for q in v2.questions if q.scored and "partly" in q.answers]
    assert len(judged) >= 30
    for q in judged:
        lines = q.guidance.splitlines()
        for anchor in ANCHORS:
            assert any(line.startswith(anchor) for line in lines), f"{q.id} has no {anchor}"
        paragraphs = anchor_paragraphs(q.guidance)
        for anchor in ANCHORS:
            assert "for example" in paragraphs[anchor].lower(), f"{q.id} {anchor} has no example"


def test_the_hardest_questions_are_judged_with_anchors(
    v2: Checklist, replaced: dict[str, str]
) -> None:
    for old in HARDEST:
        q = successor(old, v2, replaced)
        assert q.scored and "partly" in q.answers, old
        assert set(ANCHORS) <= set(anchor_paragraphs(q.guidance)), old


def test_no_question_asks_for_promptly(v2: Checklist) -> None:
    assert [q.id for q in v2.questions if "prompt" in q.text.lower()] == []


def test_timeliness_questions_state_their_limit(v2: Checklist, replaced: dict[str, str]) -> None:
    assert "within 24 hours" in v2.question("REC-04").text
    assert "within 7 days" in successor("INV-06", v2, replaced).text
    assert "within 7 days" in successor("SPO-04", v2, replaced).text
    assert "within the time the force states" in one_with_text(v2, "first contact").text


def test_only_confirmed_chief_constable_recommendations_are_cited(v2: Checklist) -> None:
    cited = {r for q in v2.questions for r in q.recommendations}
    assert cited == {"R7"}
    assert v2.question("REC-07").recommendations == ("R7",)


def test_r15_is_not_cited_anywhere_in_a_question(v2: Checklist) -> None:
    for q in v2.questions:
        words = f"{q.text}\n{q.guidance}".lower()
        assert "r15" not in words and "recommendation 15" not in words, q.id
        assert "R15" not in q.recommendations, q.id


def test_r10_is_a_theme_not_a_recommendation(v2: Checklist) -> None:
    assert [q.id for q in v2.questions if "R10" in q.recommendations] == []
    assert "recommendation 10" in v2.themes["training"]
    assert "training" in v2.question("SUP-03").themes
    assert "recommendation 10" not in v2.question("SUP-03").guidance.lower()


def test_vps_offer_does_not_wait_for_a_charge(v2: Checklist, replaced: dict[str, str]) -> None:
    vps = successor("VIC-07", v2, replaced)
    assert vps is one_with_text(v2, "Victim Personal Statement")
    if vps.show_if is not None:
        assert "charge" not in v2.question(vps.show_if.question).text.lower()
    na = anchor_paragraphs(vps.guidance)["N/A:"]
    assert "charge" not in na.lower()
    assert "uncharged case is asked" in " ".join(vps.guidance.split())


def test_spo_consideration_turns_on_the_acts(v2: Checklist, replaced: dict[str, str]) -> None:
    spo = successor("SPO-01", v2, replaced)
    assert "na" in spo.answers and spo.show_if is None
    na = anchor_paragraphs(spo.guidance)["N/A:"]
    assert "no acts associated with stalking" in na
    assert "whatever the crime was recorded as" in na


def test_order_breaches_and_bail_breaches_are_asked_apart(
    v2: Checklist, replaced: dict[str, str]
) -> None:
    orders = successor("SPO-08", v2, replaced)
    bail = one_with_text(v2, "breaches of bail conditions")
    assert orders.id != bail.id and orders.id != "SPO-08"
    assert "offence" in orders.text and "bail" not in orders.text.lower()
    assert "offence" not in bail.text
    assert "not an offence" in bail.guidance


def test_recording_without_delay_is_tested_once(v2: Checklist) -> None:
    assert not v2.has_question("VIC-01")
    delay = [q.id for q in v2.questions if "without unjustified delay" in q.text]
    recorded_in_time = [q.id for q in v2.questions if re.search(r"recorded within", q.text)]
    assert delay == [] and recorded_in_time == ["REC-04"]
    first_contact = one_with_text(v2, "first contact")
    assert v2.section_of(first_contact.id).id == "victim"


def test_recording_fixes(v2: Checklist) -> None:
    rec03 = v2.question("REC-03")
    assert "na" in rec03.answers
    assert "genuinely not a crime" in anchor_paragraphs(rec03.guidance)["N/A:"]
    assert v2.question("REC-08").show_if is None


def test_risk_tools_and_multi_agency_routes(v2: Checklist) -> None:
    tool = v2.question("RISK-01").text
    assert all(name in tool for name in ("DASH", "DARA", "S-DASH", "approved"))
    route = v2.question("RISK-05")
    assert all(name in route.text for name in ("MARAC", "stalking clinic", "MASIP", "MAPPA"))
    assert "domestic abuse" in route.guidance


@pytest.mark.parametrize(
    "words",
    [
        ("harassment warning", "PIN"),
        ("breach", "pattern", "new stalking crime"),
        ("identify", "online suspect", "victim told"),
        ("intervention", "suspect's behaviour", "multi-agency referral"),
        ("specialist stalking advice", "SPOC"),
        ("other victims", "same suspect"),
        ("eligibility", "enhanced service"),
    ],
)
def test_new_checks_exist_with_guidance(
    words: tuple[str, ...], v1: Checklist, v2: Checklist
) -> None:
    assert with_text(v1, *words) == []
    q = one_with_text(v2, *words)
    assert q.scored and not v1.has_question(q.id)
    assert set(ANCHORS) <= set(anchor_paragraphs(q.guidance)), q.id


def test_replaces_names_only_old_ids_that_2_0_dropped(
    v1: Checklist, v2: Checklist, replaced: dict[str, str]
) -> None:
    assert replaced  # the file does continue some 1.0 questions under new ids
    for old, new in replaced.items():
        assert v1.has_question(old), f"{new} replaces {old}, which 1.0 does not have"
        assert not v2.has_question(old), f"{new} replaces {old}, which 2.0 still has"
        assert not v1.has_question(new), f"{new} is a 1.0 id: it cannot be a new question"


def test_every_1_0_question_is_kept_continued_or_removed_on_purpose(
    v1: Checklist, v2: Checklist, replaced: dict[str, str]
) -> None:
    missing = [
        q.id
        for q in v1.questions
        if not v2.has_question(q.id) and q.id not in replaced and q.id not in REMOVED
    ]
    assert missing == []
    assert [qid for qid in REMOVED if v2.has_question(qid) or qid in replaced] == []


def test_kept_ids_keep_their_section(v1: Checklist, v2: Checklist) -> None:
    for q in v1.questions:
        if v2.has_question(q.id):
            assert v1.section_of(q.id).id == v2.section_of(q.id).id, q.id


def test_description_states_the_evidence_rule(v2: Checklist) -> None:
    text = " ".join(v2.description.split())
    assert "What the file does not record counts as No" in text
    assert "Unknown is only for parts of the file the reviewer could not see" in text


def test_unknown_guidance_follows_the_evidence_rule(v2: Checklist) -> None:
    for q in v2.questions:
        if "unknown" in q.answers and "Unknown:" in q.guidance:
            unknown = anchor_paragraphs(q.guidance)["Unknown:"]
            assert "not available to the reviewer" in " ".join(unknown.split()), q.id
        assert "does not show whether" not in q.guidance, q.id  # a silent file is No


def test_the_note_lists_every_question_and_pair(v2: Checklist, replaced: dict[str, str]) -> None:
    doc = DOC_PATH.read_text(encoding="utf-8")
    assert [q.id for q in v2.questions if f"| {q.id} |" not in doc] == []
    for old, new in replaced.items():
        assert f"replaces {old}" in doc, (old, new)
    for old in REMOVED:
        assert f"| {old} |" in doc
