"""The question figures' counts (counted once at load, a column at a time) against one plain
GROUP BY over the same answers, on a set built so that every rule of counting shows: skip
logic hiding a question, a moderated review replacing the primary, second reviews left out,
and a stale answer to a hidden question. The expected counts are worked out by hand."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from casereview.core.stats.counts import effective_counts, first_unanswered
from casereview.services import findings
from casereview.store import AuditInfo, Store
from tests.factories import complete_review, seed_store

COUNTS = ("yes", "partly", "no", "na", "unknown")

# The counted reviews (mini checklist: REC-02 shows only after REC-01 yes, SPO-02 after
# SPO-01 yes, SPO-03 after SPO-01 no):
#   case 1, ann's primary (A)     REC-01 yes, REC-02 partly, REC-03 no, SPO-01 yes, SPO-02 yes
#   case 2, bob's primary (B)     REC-01 no, REC-03 yes, SPO-01 no, SPO-03 no
#   case 3, mod's moderation (M)  REC-01 yes, REC-02 yes, REC-03 yes, SPO-01 na
# Not counted: case 1's second review, and case 3's primary and second (moderated).
A = {"REC-01": "yes", "REC-02": "partly", "REC-03": "no", "SPO-01": "yes", "SPO-02": "yes"}
B = {"REC-01": "no", "REC-03": "yes", "SPO-01": "no", "SPO-03": "no"}
UNSURE = {"REC-01": "unknown", "REC-03": "unknown", "SPO-01": "na"}

# Effective answers per question over A, B, M (a hidden question is na):
#   REC-01  A yes, B no, M yes              -> yes 2, no 1
#   REC-02  A partly, B hidden, M yes       -> yes 1, partly 1, na 1
#   REC-03  A no, B yes, M yes              -> yes 2, no 1
#   SPO-01  A yes, B no, M na               -> yes 1, no 1, na 1
#   SPO-02  A yes, B hidden, M hidden       -> yes 1, na 2
#   SPO-03  A hidden, B no, M hidden        -> no 1, na 2
EXPECTED = {
    "REC-01": {"yes": 2, "partly": 0, "no": 1, "na": 0, "unknown": 0},
    "REC-02": {"yes": 1, "partly": 1, "no": 0, "na": 1, "unknown": 0},
    "REC-03": {"yes": 2, "partly": 0, "no": 1, "na": 0, "unknown": 0},
    "SPO-01": {"yes": 1, "partly": 0, "no": 1, "na": 1, "unknown": 0},
    "SPO-02": {"yes": 1, "partly": 0, "no": 0, "na": 2, "unknown": 0},
    "SPO-03": {"yes": 0, "partly": 0, "no": 1, "na": 2, "unknown": 0},
}

# The plain way: one GROUP BY over the counted reviews' stored answers (the moderated review
# where a case has one, else the primary), as bench/measures.py's baseline counts them.
GROUP_BY = """
SELECT x.question_id,
       sum(x.value = 'yes'), sum(x.value = 'partly'), sum(x.value = 'no'),
       sum(x.value = 'na'), sum(x.value = 'unknown')
FROM answers x JOIN reviews r ON r.id = x.review_id
WHERE r.audit_id = ? AND r.status = 'complete'
  AND (r.role = 'moderated' OR (r.role = 'primary' AND NOT EXISTS (
       SELECT 1 FROM reviews m WHERE m.audit_id = r.audit_id AND m.case_id = r.case_id
       AND m.role = 'moderated' AND m.status = 'complete')))
GROUP BY x.question_id
"""


Built = tuple[Store, AuditInfo, dict[str, int]]


@pytest.fixture
def built() -> Iterator[Built]:
    store = Store.memory()
    audit = seed_store(store)
    ids = [ac.case.id for ac in store.audit_cases(audit.id)]
    reviews = {
        "A": complete_review(store, audit.id, ids[0], "ann", "primary", A),
        "B": complete_review(store, audit.id, ids[1], "bob", "primary", B),
    }
    complete_review(store, audit.id, ids[0], "sue", "second", {**A, "REC-03": "yes"})
    complete_review(store, audit.id, ids[2], "ann", "primary", UNSURE)
    complete_review(store, audit.id, ids[2], "sue", "second", {**UNSURE, "REC-01": "no"})
    moderated = store.start_moderation(audit.id, ids[2], "mod")
    for qid, value in (("REC-01", "yes"), ("REC-02", "yes"), ("REC-03", "yes")):
        store.set_answer(moderated.id, qid, value, "mod", reason="settled")
    store.complete_review(moderated.id, "mod")
    reviews["M"] = moderated.id
    yield store, audit, reviews
    store.close()


def plain_counts(store: Store, audit: AuditInfo) -> dict[str, dict[str, int]]:
    rows = store.db.conn.execute(GROUP_BY, [audit.id]).fetchall()
    return {r[0]: dict(zip(COUNTS, map(int, r[1:]), strict=True)) for r in rows}


def table_counts(store: Store, audit: AuditInfo) -> dict[str, dict[str, int]]:
    table = findings.question_table(findings.load(store, audit.name))
    return {str(r["question_id"]): {k: int(r[k] or 0) for k in COUNTS} for r in table.rows}


def test_the_figures_are_the_group_by_with_each_hidden_question_as_na(built: Built) -> None:
    store, audit, _ = built
    plain = plain_counts(store, audit)
    # The GROUP BY counts stored answers only: each counted review that hid a question
    # stored nothing for it, so 3 counted reviews minus the stored answers are its na.
    with_hidden = {
        qid: {**plain[qid], "na": plain[qid]["na"] + 3 - sum(plain[qid].values())}
        for qid in EXPECTED
    }
    assert with_hidden == EXPECTED
    assert table_counts(store, audit) == EXPECTED
    rows = {
        r["question_id"]: r for r in findings.question_table(findings.load(store, audit.name)).rows
    }
    # REC-01: 2 yes of 3 applicable = 66.7%; REC-02: (1 + 0.5) / 2 = 75.0%; SPO-02: 1/1.
    assert (rows["REC-01"]["n_reviews"], rows["REC-01"]["compliance_pct"]) == (3, 66.7)
    assert (rows["REC-02"]["n_applicable"], rows["REC-02"]["compliance_pct"]) == (2, 75.0)
    assert (rows["SPO-02"]["n_applicable"], rows["SPO-02"]["compliance_pct"]) == (1, 100.0)


def test_a_stale_answer_to_a_hidden_question_counts_as_na(built: Built) -> None:
    store, audit, reviews = built
    with store.db.conn:  # legacy data: B's REC-02 kept after REC-01 became no
        store.db.conn.execute(
            "INSERT INTO answers (review_id, question_id, value, updated_by, updated_at)"
            " VALUES (?, 'REC-02', 'yes', 'bob', '2024-01-01T00:00:00.000+00:00')",
            [reviews["B"]],
        )
    # The GROUP BY now sees REC-02 yes twice (A partly, B yes, M yes); B hides it: na.
    assert plain_counts(store, audit)["REC-02"] == {
        "yes": 2, "partly": 1, "no": 0, "na": 0, "unknown": 0,
    }  # fmt: skip
    assert table_counts(store, audit) == EXPECTED


def test_effective_counts_counts_every_value_and_what_is_no_answer(built: Built) -> None:
    store, audit, _ = built
    checklist = store.audit_checklist(audit.id)
    # Values made afresh (not the shared strings the store hands over), one unanswered shown
    # question (None) and a value that is no answer: each counted as it is.
    first = {"REC-01": "".join(["y", "es"]), "REC-02": None, "REC-03": "maybe", "SPO-01": "na"}
    second = {"REC-01": "no", "REC-03": "no", "SPO-01": "no", "SPO-03": "yes"}
    counts = effective_counts(checklist, [(first, None), (second, None)])
    # REC-02: shown in the first (REC-01 yes) but unanswered -> None; hidden in the second.
    # SPO-02, SPO-03 hidden in the first (SPO-01 na); SPO-02 hidden in the second.
    assert counts == {
        "REC-01": Counter({"yes": 1, "no": 1}),
        "REC-02": Counter({None: 1, "na": 1}),
        "REC-03": Counter({"maybe": 1, "no": 1}),
        "SPO-01": Counter({"na": 1, "no": 1}),
        "SPO-02": Counter({"na": 2}),
        "SPO-03": Counter({"na": 1, "yes": 1}),
    }
    assert first_unanswered(checklist, [(second, None), (first, None)]) == 1
    assert first_unanswered(checklist, [(second, None)]) is None
