"""The demo's calibration: a moderator's gold review of ten synthetic cases written for it
(demo/calibration_cases.py: the answers they turn on and the reasons, written; the rest of
each review drawn), and three reviewers' blind reviews of them. Two score much as the gold
does; the third drifts, answering Yes where the gold says Partly or No more often than
chance, so the results, the lean counts and the questions that split reviewers all have
something to show."""

from __future__ import annotations

import random

from casereview.core.checklist.models import CaseScope, Checklist, Question
from casereview.demo.calibration_cases import case_csv, written_gold
from casereview.io.imports.cases import parse_cases
from casereview.store import Store

DEMO_CALIBRATION = "Northmoor calibration 2024"
MODERATOR = "sgt.lewis"
REVIEWERS = ("insp.khan", "dc.morgan", "ps.osei")
CASES = 10
SEED = 2029
# How often each reviewer gives another answer than the gold's, and how often the drifting
# one says Yes where the gold says Partly or No.
_SLIPS = {"insp.khan": 0.04, "dc.morgan": 0.07, "ps.osei": 0.05}
_DRIFT = {"ps.osei": 0.6}
_GOLD_WEIGHTS = {"yes": 5, "partly": 3, "no": 3, "na": 1, "unknown": 1}


def _reason(q: Question, value: str) -> str:
    """The gold's reason: what the agreed answer rests on, from the question's guidance."""
    guidance = (q.guidance or q.text).split(". ")[0].rstrip(".")
    return f"Agreed {value}: {guidance}."


def _review(
    checklist: Checklist,
    rng: random.Random,
    gold: dict[str, str | None] | None,
    who: str,
    scope: CaseScope | None = None,
    written: dict[str, tuple[str, str]] | None = None,
) -> dict[str, str | None]:
    """A complete review walked in checklist order (skip logic follows the answers given):
    the gold as written for the case where it says, else drawn at random; a reviewer's from
    the gold with their slips and drift."""
    answers: dict[str, str | None] = {}
    for q in checklist.questions:
        if q.id not in checklist.visible(answers, scope):
            continue
        options: list[str] = list(q.answers)
        if gold is None and written and written.get(q.id, ("",))[0] in options:
            value = written[q.id][0]
        elif gold is None or gold.get(q.id) not in options:
            value = rng.choices(options, [_GOLD_WEIGHTS[o] for o in options])[0]
        else:
            value = str(gold[q.id])
            if value in ("partly", "no") and "yes" in options and rng.random() < _DRIFT.get(who, 0):
                value = "yes"
            elif rng.random() < _SLIPS[who]:
                value = rng.choice(options)
        answers[q.id] = value
    return answers


def demo_calibration(store: Store, checklist_pk: int) -> None:
    """Add the synthetic cases to the pool, set up the calibration on them and record the
    gold (with its written reasons) and all three reviews."""
    checklist = store.checklist(checklist_pk)
    store.insert_case_rows(parse_cases(case_csv(), "demo calibration cases").rows)
    written = written_gold()
    case_ids = store.case_ids_by_ref(list(written))
    info = store.create_calibration(
        DEMO_CALIBRATION, checklist_pk, case_ids[:CASES], MODERATOR, list(REVIEWERS), "demo"
    )
    rng = random.Random(SEED)
    gold = {}
    scopes = {c: store.case(c).scope() for c in info.case_ids}
    for case_id in info.case_ids:
        mine = written[store.case(case_id).case_ref]
        answers = _review(checklist, rng, None, MODERATOR, scopes[case_id], mine)
        notes = {
            qid: mine[qid][1]
            if mine.get(qid, ("",))[0] == v
            else _reason(checklist.question(qid), str(v))
            for qid, v in answers.items()
            if v
        }
        gold[case_id] = (answers, notes)
    store.record_calibration_reviews(info.id, MODERATOR, "gold", gold)
    for who in REVIEWERS:
        reviews: dict[int, tuple[dict[str, str | None], dict[str, str]]] = {
            case_id: (_review(checklist, rng, gold[case_id][0], who, scopes[case_id]), {})
            for case_id in info.case_ids
        }
        store.record_calibration_reviews(info.id, who, "reviewer", reviews)
