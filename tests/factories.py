"""Builders shared by the tests: the test checklist and cases, audits, completed reviews."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from casereview.importing import read_case_file
from casereview.scoring import QuestionFigures, question_figures_from_counts
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
    return store.create_audit("Test audit", info.pk, ids, created_by="tester", seed=1)


def complete_review(
    store: Store, audit_id: int, case_id: int, who: str, role: str, answers: dict[str, str]
) -> int:
    """Start a review, answer it and complete it, as a reviewer would; its id."""
    review = store.open_review(audit_id, case_id, who, role)
    for qid, value in answers.items():
        store.set_answer(review.id, qid, value, who)
    store.complete_review(review.id, who)
    return review.id


def complete(
    store: Store, audit: AuditInfo, case_id: int, who: str, role: str, answers: dict[str, str]
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
