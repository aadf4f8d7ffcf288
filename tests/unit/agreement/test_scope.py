"""Agreement and a question's scope: a question not yet in force for a case (applies_from),
or piloted elsewhere (applies_to), is hidden from both reviewers of that case, so the pair
is left out of its agreement, as a pair skip logic hid from both is."""

from __future__ import annotations

from casereview.core.checklist.loading import parse_checklist
from casereview.core.checklist.scope import CaseScope
from casereview.core.stats.scoring import ReviewRecord
from casereview.services.agreement import HIDDEN, review_pairs, scale

CHECKLIST = """\
id: t
version: "1"
title: T
sections:
  - id: s1
    title: S1
    questions:
      - {id: Q1, text: 'a?'}
      - id: Q2
        text: b?
        applies_from: 2024-01-31
"""


def _pair(case: CaseScope) -> list[ReviewRecord]:
    # Neither reviewer answered Q2: for a case before its commencement it does not apply.
    return [
        ReviewRecord(1, "primary", "complete", "ann", {"Q1": "yes"}, case=case),
        ReviewRecord(1, "second", "complete", "bob", {"Q1": "yes"}, case=case),
    ]


def test_a_question_not_yet_in_force_is_left_out_of_the_pair() -> None:
    checklist = parse_checklist(CHECKLIST)
    [before] = review_pairs(checklist, _pair(CaseScope("2024-01-30", "Northmoor")))
    # hidden in both: no pair for Q2 (before the fix both read "unanswered" and agreed)
    assert before.answers("Q2") is None
    assert before.answers("Q1") is not None
    [after] = review_pairs(checklist, _pair(CaseScope("2024-02-01", "Northmoor")))
    assert after.answers("Q2") is not None  # in force: the pair counts (both unanswered)


def test_a_scoped_question_can_be_hidden_so_ac1_counts_that_category() -> None:
    checklist = parse_checklist(CHECKLIST)
    assert HIDDEN in scale(checklist.question("Q2"))
    assert HIDDEN not in scale(checklist.question("Q1"))
