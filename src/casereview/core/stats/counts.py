"""How many reviews gave each effective answer to each question, counted a column at a time.

A national audit has a million answers. Every review's effective answers are laid end to
end in one list, in checklist order, so each question's answers are one slice of it,
counted by `list.count` in C for every answer value: no Python step runs per answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from typing import TYPE_CHECKING

from casereview.core.fields import ANSWER_VALUES

if TYPE_CHECKING:
    from casereview.core.checklist.models import Checklist
    from casereview.core.checklist.scope import CaseScope

Answers = Mapping[str, str | None]
_COUNTED: tuple[str | None, ...] = (*ANSWER_VALUES, None)


def effective_rows(
    checklist: Checklist, reviews: Iterable[tuple[Answers, CaseScope | None]]
) -> Iterator[Iterable[str | None]]:
    """Each review's effective answers (Checklist.effective_answers: a hidden question is
    `na`, an unanswered shown one None), as values in checklist order.

    Built by one dict merge in C per review: every question unanswered, then the review's
    answers, then `na` over the questions its answers and its case hide (one overlay per
    set of hidden questions)."""
    blank: dict[str, str | None] = dict.fromkeys(q.id for q in checklist.questions)
    overlays: dict[tuple[str, ...], dict[str, str | None]] = {}
    for answers, case in reviews:
        hidden = checklist.hidden_ids(answers, case)
        overlay = overlays.get(hidden)
        if overlay is None:
            overlay = overlays[hidden] = dict.fromkeys(hidden, "na")
        effective = {**blank, **answers, **overlay}
        if len(effective) != len(blank):  # ids the checklist does not have
            effective = {qid: effective[qid] for qid in blank}
        yield effective.values()


def effective_counts(
    checklist: Checklist, reviews: Iterable[tuple[Answers, CaseScope | None]]
) -> dict[str, Counter[str | None]]:
    """Per question (checklist order), how many of these reviews' effective answers are
    each value. `reviews` are (raw answers, case) pairs."""
    ids = [q.id for q in checklist.questions]
    flat = list(chain.from_iterable(effective_rows(checklist, reviews)))
    counts: dict[str, Counter[str | None]] = {}
    for j, qid in enumerate(ids):
        column = flat[j :: len(ids)]  # row after row: question j's answers
        tally: Counter[str | None] = Counter()
        for value in _COUNTED:
            n = column.count(value)
            if n:
                tally[value] = n
        if sum(tally.values()) != len(column):  # a value that is no answer (a hand-edited file)
            tally.update(v for v in column if v not in _COUNTED)
        counts[qid] = tally
    return counts


def first_unanswered(
    checklist: Checklist, reviews: Iterable[tuple[Answers, CaseScope | None]]
) -> int | None:
    """The position among `reviews` of the first whose answers leave a shown question
    unanswered (None: every review answers every question it shows)."""
    for i, row in enumerate(effective_rows(checklist, reviews)):
        if None in row:
            return i
    return None
