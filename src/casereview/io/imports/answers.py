"""Reading an answers CSV file and adding its reviews to an audit, all or nothing, holding
the app's review rules (rules.py); every problem by line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from casereview.core.checklist.scope import CaseScope
from casereview.core.fields import ROLES, Status
from casereview.core.problems import InputError, Problem
from casereview.core.rules import (
    ExistingReview,
    decision_refusal,
    moderation_refusal,
    needs_reason,
    second_review_refusal,
)
from casereview.core.text import nfc
from casereview.io.files import refuse_the_database
from casereview.io.imports.cases import Imported
from casereview.io.imports.csvfile import decode, ensure_field_limit, read_rows

if TYPE_CHECKING:
    from casereview.core.checklist.models import Checklist
    from casereview.store import Store

ANSWER_REQUIRED = ("case_ref", "reviewer", "role", "question_id", "answer")


@dataclass(frozen=True)
class AnswerRow:
    line: int
    case_ref: str
    force: str
    reviewer: str
    role: str
    question_id: str
    answer: str
    note: str
    reason: str = ""  # why a moderated answer was decided so


def parse_answer_rows(raw: bytes, source: str) -> tuple[list[AnswerRow], list[str]]:
    """The answers CSV's rows, checked for shape only (the audit checks meaning)."""
    ensure_field_limit()
    decoded = decode(raw, source)
    _header, rows = read_rows(decoded.text, source, ANSWER_REQUIRED)
    out = [
        AnswerRow(
            line=r.line,
            # composed (NFC) as the pool stores references, so they find their cases
            case_ref=nfc(r.values["case_ref"].strip()),
            force=nfc(r.values.get("force", "").strip()),
            reviewer=nfc(r.values["reviewer"].strip()),
            role=r.values["role"].strip().lower(),
            question_id=r.values["question_id"].strip(),
            answer=r.values["answer"].strip().lower(),
            note=r.values.get("note", ""),
            reason=r.values.get("reason", "").strip(),
        )
        for r in rows
    ]
    if not out:
        raise InputError([Problem(source, 2, "the file has a header but no answers")])
    return out, decoded.warnings


@dataclass
class ImportedReview:
    """One review assembled from answer rows, ready for the store."""

    case_id: int
    role: str
    reviewer: str
    answers: dict[str, tuple[str, str]] = field(default_factory=dict)  # qid -> (value, note)
    lines: dict[str, int] = field(default_factory=dict)
    complete: bool = False
    reasons: dict[str, str] = field(default_factory=dict)  # moderated: qid -> why


def plan_answer_import(
    rows: list[AnswerRow],
    checklist: Checklist,
    cases_in_audit: dict[tuple[str, str], int],
    existing: Mapping[tuple[int, str], ExistingReview],
    source: str,
    second_assigned: Mapping[int, str] | None = None,
    assigned: Mapping[int, str] | None = None,
    answer_values: Callable[[int], Mapping[str, str | None]] | None = None,
    scopes: Mapping[int, CaseScope] | None = None,
) -> list[ImportedReview]:
    """Check answer rows against the audit and its checklist; InputError lists every problem.

    `cases_in_audit` maps (force, case_ref) to case id; `existing` maps the (case id, role)
    pairs that already have a review to it: an import must not overwrite one.
    `second_assigned` maps cases chosen for second review to their second reviewer, and
    `assigned` cases to their primary reviewer; `answer_values` reads a stored review's
    answers (by review id), for moderating a pair already in the database. `scopes` gives
    each case's report date and force, for questions that apply from a date or in a pilot.

    The review rules are casereview.core.rules', as the store holds them: a second review is by
    the one chosen for it, never by the case's primary reviewer or its assignee; a moderated
    review needs a completed primary and second review (in the database, or imported
    complete by this same file); and a moderated answer other than the one both reviewers
    gave is a decision, which needs its reason.
    """
    problems: list[Problem] = []
    refs: dict[int, str] = {}  # case id -> reference as the file gives it
    by_ref: dict[str, list[int]] = {}
    for (_force, ref), case_id in cases_in_audit.items():
        by_ref.setdefault(ref, []).append(case_id)
    reviews: dict[tuple[int, str], ImportedReview] = {}
    for row in rows:
        bad = []
        if row.force:
            match = cases_in_audit.get((row.force, row.case_ref))
            found = [match] if match is not None else []
        else:
            found = by_ref.get(row.case_ref, [])
        if not found:
            bad.append(f"case {row.case_ref} is not in this audit's sample")
        elif len(found) > 1:
            bad.append(f"case {row.case_ref} is in more than one force here; add a force column")
        if row.role not in ROLES:
            bad.append(f"role '{row.role}' is not one of {', '.join(ROLES)}")
        if not row.reviewer:
            bad.append("reviewer is empty")
        if not checklist.has_question(row.question_id):
            bad.append(f"question '{row.question_id}' is not in checklist {checklist.id}")
        elif row.answer not in checklist.question(row.question_id).answers:
            allowed = ", ".join(checklist.question(row.question_id).answers)
            bad.append(f"{row.question_id} does not allow '{row.answer}' (allowed: {allowed})")
        if bad:
            problems.append(Problem(source, row.line, "; ".join(bad)))
            continue
        key = (found[0], row.role)
        review = reviews.setdefault(key, ImportedReview(found[0], row.role, row.reviewer))
        if key in existing and not review.lines:
            problems.append(
                Problem(
                    source,
                    row.line,
                    f"case {row.case_ref} already has a {row.role} review in this audit",
                )
            )
        if review.reviewer != row.reviewer:
            problems.append(
                Problem(
                    source,
                    row.line,
                    f"case {row.case_ref} {row.role} review is by {review.reviewer} on an earlier "
                    f"line, {row.reviewer} here; one reviewer per review",
                )
            )
        if row.reason and row.role != "moderated":
            problems.append(
                Problem(
                    source,
                    row.line,
                    f"a reason is for moderated answers only, not a {row.role} review's "
                    "(leave the reason column empty)",
                )
            )
        if row.question_id in review.lines:
            problems.append(
                Problem(
                    source,
                    row.line,
                    f"{row.question_id} answered twice for case {row.case_ref} {row.role} "
                    f"(first at line {review.lines[row.question_id]})",
                )
            )
            continue  # the first answer stands, so the checks below judge the file as written
        review.answers[row.question_id] = (row.answer, row.note)
        review.lines[row.question_id] = row.line
        if row.reason:
            review.reasons[row.question_id] = row.reason
        refs[found[0]] = row.case_ref
    chosen = second_assigned or {}
    owners = assigned or {}

    def reviewer_of(case_id: int, role: str) -> str | None:
        in_file = reviews.get((case_id, role))
        stored = existing.get((case_id, role))
        return in_file.reviewer if in_file else stored.reviewer if stored else None

    for (case_id, role), review in reviews.items():
        line = min(review.lines.values())
        if role == "second" and chosen.get(case_id) not in (None, review.reviewer):
            problems.append(
                Problem(
                    source,
                    line,
                    f"the second review of this case is {chosen[case_id]}'s to do, not "
                    f"{review.reviewer}'s",
                )
            )
        refusal = None
        if role == "second":
            primary = reviewer_of(case_id, "primary")
            refusal = second_review_refusal(review.reviewer, owners.get(case_id), primary)
        elif role == "primary" and (case_id, "second") not in reviews:
            # (a pair both in the file is reported once, at its second review)
            second = reviewer_of(case_id, "second") or chosen.get(case_id)
            refusal = second_review_refusal(second, None, review.reviewer)
        if refusal:
            problems.append(Problem(source, line, refusal))
    for review in reviews.values():
        values = {q: v for q, (v, _n) in review.answers.items()}
        scope = (scopes or {}).get(review.case_id)
        shown = set(checklist.visible(values, scope))
        for qid, line in review.lines.items():
            if qid in checklist.out_of_scope(scope):
                where = checklist.question(qid).scope_text()
                problems.append(
                    Problem(source, line, f"{qid} does not apply to this case ({where})")
                )
            elif qid not in shown:
                rule = checklist.question(qid).show_if
                assert rule is not None  # scope aside, only a show_if hides a question
                problems.append(
                    Problem(
                        source,
                        line,
                        f"{qid} is hidden by skip logic here ({rule.question} is "
                        f"'{values.get(rule.question) or 'unanswered'}'), so it cannot be answered",
                    )
                )
        review.complete = not checklist.unanswered(values, scope)
    for (case_id, role), review in reviews.items():
        if role == "moderated":
            problems.extend(
                _moderation_problems(
                    review, refs[case_id], reviews, existing, answer_values, source
                )
            )
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line))
    return list(reviews.values())


def _moderation_problems(
    review: ImportedReview,
    ref: str,
    reviews: Mapping[tuple[int, str], ImportedReview],
    existing: Mapping[tuple[int, str], ExistingReview],
    answer_values: Callable[[int], Mapping[str, str | None]] | None,
    source: str,
) -> list[Problem]:
    """A moderated review needs its completed pair, and each decision its reason.

    The pair may be in the database or in this file: a legacy spreadsheet often holds the
    primary, the second and the moderated answers of a case together, and a pair this file
    imports complete is as finished as one completed in the app. An answer both reviewers
    gave is taken as agreed, as opening moderation in the app takes it; any other is a
    decision, and needs a reason.
    """
    pair: list[dict[str, str | None]] = []
    statuses: list[Status | None] = []
    for role in ("primary", "second"):
        in_file, stored = reviews.get((review.case_id, role)), existing.get((review.case_id, role))
        if in_file is not None:
            statuses.append("complete" if in_file.complete else "in_progress")
            pair.append({q: v for q, (v, _n) in in_file.answers.items()})
        elif stored is not None:
            statuses.append(stored.status)
            pair.append(dict(answer_values(stored.id)) if answer_values else {})
        else:
            statuses.append(None)
            pair.append({})
    refusal = moderation_refusal(*statuses)
    if refusal:
        line = min(review.lines.values())
        return [Problem(source, line, f"case {ref}: {refusal}")]
    problems = []
    for qid, (value, _note) in review.answers.items():
        reason = review.reasons.get(qid)
        refusal = decision_refusal(value, pair[0].get(qid), pair[1].get(qid), reason)
        if refusal:
            problems.append(
                Problem(
                    source,
                    review.lines[qid],
                    f"{qid} of case {ref}: {refusal}; the reviewers did not both answer "
                    f"'{value}', so give it in the reason column",
                )
            )
        elif needs_reason(reason):  # the answer both gave: logged as agreed, as the app does
            review.reasons[qid] = "agreed"
    return problems


def import_answers(store: Store, audit_name: str, path: Path, actor: str) -> Imported:
    """Read an answers file and add its reviews to the audit, all or nothing, holding the
    app's rules (rules.py). Checked against the audit as it stands; if someone saves before
    the write, nothing is written (Store.import_reviews)."""
    refuse_the_database(path, store.files())
    audit = store.audit_named(audit_name)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(path), 1, f"cannot read the file: {exc.strerror}")]) from None
    rows, warnings = parse_answer_rows(raw, str(path))
    checked_at = store.last_event_id()  # what the file is checked against
    sampled = store.audit_cases(audit.id)
    try:
        plan = plan_answer_import(
            rows,
            store.checklist(audit.checklist_pk),
            {(ac.case.force, ac.case.case_ref): ac.case.id for ac in sampled},
            store.existing_reviews(audit.id),
            str(path),
            {ac.case.id: ac.second_reviewer for ac in sampled if ac.second_reviewer},
            {ac.case.id: ac.assigned_to for ac in sampled if ac.assigned_to},
            store.answer_values,
            {ac.case.id: ac.case.scope() for ac in sampled},
        )
    except InputError as exc:
        raise InputError(exc.problems, warnings + exc.warnings) from None
    n = store.import_reviews(audit.id, plan, actor, unchanged_since=checked_at)
    done = sum(1 for r in plan if r.complete)
    return Imported(n, warnings, reviews=len(plan), complete=done)
