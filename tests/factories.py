"""Builders shared by the tests: the test checklist and cases, audits, completed reviews."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from casereview.core.fields import Role
from casereview.core.periods import parse as parse_period
from casereview.core.stats.scoring import QuestionFigures, question_figures_from_counts
from casereview.io.imports.cases import read_case_file
from casereview.store import AuditInfo, Store

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini.yaml"
CASES = FIXTURES / "cases.csv"
ROOT = Path(__file__).resolve().parents[1]


def seed_store(store: Store) -> AuditInfo:
    """The mini checklist, the six fixture cases and an audit of all of them."""
    info = store.add_checklist(MINI.read_text(), str(MINI))
    store.insert_case_rows(read_case_file(CASES).rows)
    ids = [c.id for c in store.cases()]
    return store.create_audit(
        "Test audit", info.pk, ids, created_by="tester", seed=1, period=parse_period("2024-01")
    )


def complete_review(
    store: Store, audit_id: int, case_id: int, who: str, role: Role, answers: dict[str, str]
) -> int:
    """Start a review, answer it and complete it, as a reviewer would; its id."""
    review = store.open_review(audit_id, case_id, who, role)
    for qid, value in answers.items():
        store.set_answer(review.id, qid, value, who)
    store.complete_review(review.id, who)
    return review.id


def complete(
    store: Store, audit: AuditInfo, case_id: int, who: str, role: Role, answers: dict[str, str]
) -> int:
    return complete_review(store, audit.id, case_id, who, role, answers)


def moderated_audit(path: Path) -> tuple[Store, AuditInfo, list[int]]:
    """Three completed cases. The first: ann's primary says REC-03 yes, sue's second no,
    and mod's moderation settles on no. The second is ann's alone, the third bob's alone."""
    store = Store.open(path)
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    full = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
    complete(store, audit, ids[0], "ann", "primary", full)
    complete(store, audit, ids[0], "sue", "second", {**full, "REC-03": "no"})
    moderated = store.start_moderation(audit.id, ids[0], "mod")  # takes the agreed answers
    store.set_answer(moderated.id, "REC-03", "no", "mod", reason="no link on file")
    store.complete_review(moderated.id, "mod")
    complete(store, audit, ids[1], "ann", "primary", {**full, "REC-02": "partly"})
    complete(
        store, audit, ids[2], "bob", "primary", {"REC-01": "no", "REC-03": "yes", "SPO-01": "na"}
    )
    return store, audit, ids


def question_figures(
    question_id: str,
    answers: Sequence[str | None],
    unknown_scores_as: str = "excluded",
    scored: bool = True,
) -> QuestionFigures:
    """One question's figures from a list of effective answers, one per review."""
    return question_figures_from_counts(question_id, Counter(answers), unknown_scores_as, scored)


TREND_V1 = FIXTURES / "trend-1.yaml"
TREND_V2 = FIXTURES / "trend-2.yaml"
# Answers per case of the three trend audits (tests/unit/trend/test_figures.py works the figures
# out by hand from these). Jan is on version 1, Feb and Mar on version 2 (A-2 continues as A-9).
TREND_ANSWERS: dict[str, list[dict[str, str]]] = {
    "Jan": [
        {"A-1": "yes", "A-2": "yes", "B-1": "yes", "B-2": "yes"},
        {"A-1": "yes", "A-2": "no", "B-1": "no", "B-2": "yes"},
        {"A-1": "partly", "A-2": "yes", "B-1": "no", "B-2": "yes"},
        {"A-1": "no", "A-2": "yes", "B-1": "no", "B-2": "no"},
    ],
    "Feb": [
        {"A-1": "yes", "A-9": "yes", "B-1": "yes", "B-2": "yes", "B-3": "yes"},
        {"A-1": "yes", "A-9": "yes", "B-1": "yes", "B-2": "yes", "B-3": "no"},
        {"A-1": "yes", "A-9": "yes", "B-1": "no", "B-2": "yes", "B-3": "yes"},
        {"A-1": "yes", "A-9": "yes", "B-1": "no", "B-2": "yes", "B-3": "no"},
    ],
    "Mar": [
        {"A-1": "no", "A-9": "yes", "B-1": "yes", "B-2": "yes", "B-3": "yes"},
        {"A-1": "no", "A-9": "no", "B-1": "yes", "B-2": "yes", "B-3": "yes"},
    ],
}


def trend_audits(store: Store) -> dict[str, AuditInfo]:
    """Three monthly audits of the `trendy` checklist, every review complete: Jan (version 1,
    reported January), Feb (version 2, reported February) and Mar (version 2, no report
    dates, its period given: March 2024). Feb is created first, so only the periods put Jan
    first."""
    v1 = store.add_checklist(TREND_V1.read_text(), str(TREND_V1))
    v2 = store.add_checklist(TREND_V2.read_text(), str(TREND_V2))
    store.insert_case_rows(read_case_file(CASES).rows)
    ids = [c.id for c in store.cases()]
    audits: dict[str, AuditInfo] = {}
    for name, pk, scope in (
        ("Feb", v2.pk, {"from": "2024-02-01", "to": "2024-02-29"}),
        ("Jan", v1.pk, {"from": "2024-01-01", "to": "2024-01-31"}),
        ("Mar", v2.pk, {}),
    ):
        answers = TREND_ANSWERS[name]
        period = None if scope else parse_period("2024-03")
        audit = store.create_audit(
            name, pk, ids[: len(answers)], "qa", seed=1, scope=scope, period=period
        )
        for case_id, given in zip(ids, answers, strict=False):
            complete_review(store, audit.id, case_id, "qa", "primary", given)
        audits[name] = store.audit(audit.id)
    return audits


TREND_MONTHS = {"Jan": "2024-01", "Feb": "2024-02", "Mar": "2024-03"}
MONTH_ENDS = {"Jan": "31", "Feb": "29", "Mar": "31"}


def monthly_trend(path: Path, names: dict[str, str] | None = None) -> Store:
    """Jan (checklist version 1), Feb and Mar (version 2, where A-2 continues as A-9 and
    B-3 is new), each reported in its month of 2024, with TREND_ANSWERS' reviews complete.
    `names` renames the audits (Jan, Feb, Mar by default)."""
    names = names or {m: m for m in TREND_MONTHS}
    store = Store.open(path)
    v1 = store.add_checklist(TREND_V1.read_text(), str(TREND_V1))
    v2 = store.add_checklist(TREND_V2.read_text(), str(TREND_V2))
    store.insert_case_rows(read_case_file(CASES).rows)
    ids = [c.id for c in store.cases()]
    for month, pk in (("Mar", v2.pk), ("Jan", v1.pk), ("Feb", v2.pk)):  # not in time order
        answers = TREND_ANSWERS[month]
        start = TREND_MONTHS[month]
        scope = {"from": f"{start}-01", "to": f"{start}-{MONTH_ENDS[month]}"}  # whole months
        audit = store.create_audit(names[month], pk, ids[: len(answers)], "qa", 1, scope)
        for case_id, given in zip(ids, answers, strict=False):
            complete_review(store, audit.id, case_id, "qa", "primary", given)
    return store
