"""A reviewer's (or the moderator's gold) calibration answers from a CSV file: one row per
case and question, `case_ref, question_id, answer, note`. Every case in the file is recorded
as one completed review, checked as the app checks a review before it completes: answers
the question allows, none to a question skip logic hides, every shown question answered.
Every problem is listed and nothing is written if there is one."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from casereview.core.problems import InputError, Problem
from casereview.core.rules import calibration_record_refusal
from casereview.io.imports.csvfile import decode, read_rows
from casereview.store import StoreError

if TYPE_CHECKING:
    from casereview.core.checklist.models import Checklist
    from casereview.store import Store
    from casereview.store.calibration_records import CalibrationRole

COLUMNS = ("case_ref", "question_id", "answer")
"""Required; `note` (the reasons, for gold) is optional."""


def _case_problems(
    checklist: Checklist, ref: str, values: dict[str, str | None], source: str, line: int
) -> list[Problem]:
    hidden = set(checklist.hidden_ids(values))
    problems = [
        Problem(source, line, f"{ref}: {qid} is answered, but its skip logic hides it")
        for qid, value in values.items()
        if qid in hidden and value is not None
    ]
    missing = checklist.unanswered(values)
    if missing:
        problems.append(
            Problem(source, line, f"{ref}: shown questions are unanswered ({', '.join(missing)})")
        )
    return problems


def record_file(store: Store, name: str, path: Path, recorder: str, gold: bool) -> int:
    """Record `recorder`'s reviews of the calibration's cases in `path`; returns how many
    cases. Refused (StoreError) for someone who may not record them; InputError with every
    problem of the file."""
    info = store.calibration_named(name)
    refusal = calibration_record_refusal(recorder, gold, info.moderator, info.reviewers)
    if refusal:
        raise StoreError(refusal)
    source = str(path)
    decoded = decode(path.read_bytes(), source)
    _, rows = read_rows(decoded.text, source, COLUMNS)
    checklist = store.checklist(info.checklist_pk)
    refs = {store.case(c).case_ref: c for c in info.case_ids}
    problems: list[Problem] = []
    values: dict[str, dict[str, str | None]] = defaultdict(dict)
    notes: dict[str, dict[str, str]] = defaultdict(dict)
    first_line: dict[str, int] = {}
    for row in rows:
        ref, qid = row.values["case_ref"].strip(), row.values["question_id"].strip()
        answer = row.values["answer"].strip().lower() or None
        if ref not in refs:
            problems.append(Problem(source, row.line, f"'{ref}' is not a case of '{name}'"))
            continue
        if not checklist.has_question(qid):
            problems.append(Problem(source, row.line, f"no question {qid} in the checklist"))
            continue
        if answer is not None and answer not in checklist.question(qid).answers:
            problems.append(Problem(source, row.line, f"{qid} does not allow '{answer}'"))
            continue
        if qid in values[ref]:
            problems.append(Problem(source, row.line, f"{ref}: {qid} is given twice"))
            continue
        first_line.setdefault(ref, row.line)
        values[ref][qid] = answer
        if note := row.values.get("note", "").strip():
            notes[ref][qid] = note
    for ref, answers in values.items():
        problems += _case_problems(checklist, ref, answers, source, first_line[ref])
    if not values and not problems:
        problems.append(Problem(source, 1, "no answers in the file"))
    if problems:
        raise InputError(problems, decoded.warnings)
    role: CalibrationRole = "gold" if gold else "reviewer"
    done = {(r.case_id, r.reviewer) for r in store.calibration_reviews(info.id)}
    again = [ref for ref in values if (refs[ref], recorder) in done]
    if again:
        raise StoreError(
            f"{recorder} has already recorded {', '.join(again)}; a calibration review is "
            "recorded once"
        )
    store.record_calibration_reviews(
        info.id,
        recorder,
        role,
        {refs[ref]: (answers, notes.get(ref, {})) for ref, answers in values.items()},
    )
    return len(values)
