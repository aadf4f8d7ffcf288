"""Question figures counted by SQLite (Store.answer_counts) against the Python rule
(scoring.audit_question_figures over the reviews' answers with skip logic), on random
audits: reviews of every role and status, answers walked through the checklist's skip
logic as the app and the importer store them (a hidden question holds no answer)."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from casereview.core.stats import scoring
from casereview.io.imports.answers import ImportedReview
from casereview.store import Store
from tests.factories import seed_store

ROLES = ("primary", "second", "moderated")


def walk(checklist, rng: random.Random, complete: bool) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Answers to the questions shown, in order; an unfinished review stops part way."""
    values: dict[str, str] = {}
    for q in checklist.questions:
        rule = q.show_if
        if rule is not None and values.get(rule.question) not in rule.in_:
            continue
        if not complete and rng.random() < 0.3:
            break
        values[q.id] = rng.choice(q.answers)
    return {q: (v, "") for q, v in values.items()}


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_reviews=st.integers(0, 14))
def test_sql_counts_give_the_python_figures(seed: int, n_reviews: int) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "t.db")
        audit = seed_store(store)
        checklist = store.checklist(audit.checklist_pk)
        case_ids = [ac.case.id for ac in store.audit_cases(audit.id)]
        taken: set[tuple[int, str]] = set()
        reviews: list[ImportedReview] = []
        for _ in range(n_reviews):
            case_id, role = rng.choice(case_ids), rng.choice(ROLES)
            if (case_id, role) in taken:
                continue
            taken.add((case_id, role))
            complete = rng.random() < 0.75
            reviews.append(
                ImportedReview(
                    case_id,
                    role,
                    f"r{len(reviews)}",
                    walk(checklist, rng, complete),
                    complete=complete,
                )
            )
        store.import_reviews(audit.id, reviews, "test")
        python = scoring.audit_question_figures(checklist, store.review_records(audit.id))
        n, counts = store.answer_counts(audit.id)
        assert n == len(scoring.counted_reviews(store.review_records(audit.id)))
        assert scoring.question_figures_from_answer_counts(checklist, n, counts) == python
        store.close()


def test_a_moderated_review_replaces_the_primary_and_hidden_questions_count_as_na(
    tmp_path: Path,
) -> None:
    """By hand: two cases. On the first the primary says REC-01 no (REC-02 hidden) and the
    moderation REC-01 yes, REC-02 partly; the second's primary says REC-01 yes, REC-02 yes.
    Counted: the moderation and the second primary, so REC-02 is partly 1, yes 1, na 0;
    REC-01 yes 2."""
    store = Store.open(tmp_path / "t.db")
    audit = seed_store(store)
    a, b = [ac.case.id for ac in store.audit_cases(audit.id)][:2]
    rest = {"REC-03": ("yes", ""), "SPO-01": ("na", "")}
    store.import_reviews(
        audit.id,
        [
            ImportedReview(a, "primary", "ann", {"REC-01": ("no", ""), **rest}, complete=True),
            ImportedReview(
                a,
                "moderated",
                "mod",
                {"REC-01": ("yes", ""), "REC-02": ("partly", ""), **rest},
                complete=True,
            ),
            ImportedReview(
                b,
                "primary",
                "bob",
                {"REC-01": ("yes", ""), "REC-02": ("yes", ""), **rest},
                complete=True,
            ),
        ],
        "test",
    )
    n, counts = store.answer_counts(audit.id)
    figures = {
        f.question_id: f
        for f in scoring.question_figures_from_answer_counts(
            store.checklist(audit.checklist_pk), n, counts
        )
    }
    assert n == 2
    assert (figures["REC-01"].yes, figures["REC-01"].no) == (2, 0)
    assert (figures["REC-02"].yes, figures["REC-02"].partly, figures["REC-02"].na) == (1, 1, 0)
    assert (figures["SPO-02"].na, figures["SPO-02"].n_reviews) == (2, 2)  # hidden by SPO-01 na
    store.close()
