"""Reading case-pool and answers CSV files: decoding, validation, every problem by line."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from casereview.bulk import no_cycle_collection
from casereview.fields import BOOL_COLUMNS, BOOLS, CASE_COLUMNS, DATE_COLUMNS
from casereview.problems import InputError, Problem
from casereview.rules import (
    DECISION_NEEDS_REASON,
    ExistingReview,
    agreed_answer,
    moderation_refusal,
    needs_reason,
    second_review_refusal,
)
from casereview.text import describe, first_invisible, match_key, nfc, utf16_codec

if TYPE_CHECKING:
    from casereview.store import Store

_NOT_BOOL = object()
MAX_FIELD = 100_000  # a summary longer than this is a pasted file, not a summary

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?Z?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


@dataclass
class Decoded:
    text: str
    warnings: list[str] = field(default_factory=list)


def decode(raw: bytes, source: str) -> Decoded:
    """UTF-8 (with or without BOM); UTF-16 (with or without BOM, as Excel's "Unicode text"
    saves); else Windows-1252, as Excel saves, with a warning."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError([Problem(source, 1, "the file is UTF-32 text; save it as UTF-8")])
    codec = utf16_codec(raw)
    if codec is not None:
        try:
            return Decoded(raw.decode(codec))
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].decode(codec, errors="replace").count("\n") + 1
            raise InputError(
                [
                    Problem(
                        source,
                        line,
                        "the file looks like UTF-16 but is not valid UTF-16 "
                        "text from here; save it as UTF-8",
                    )
                ]
            ) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return Decoded(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        first_bad = raw[: exc.start].count(b"\n") + 1
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(
            [Problem(source, first_bad, "the file is neither UTF-8 nor Windows-1252 text")]
        ) from None
    return Decoded(
        text,
        [
            f"{source}: not UTF-8 (first at line {first_bad}); read as Windows-1252, as Excel "
            "saves it. Check accented characters came through."
        ],
    )


def parse_day(value: str) -> str:
    """A day as a person types it (ISO or dd/mm/yyyy, a time allowed) -> `YYYY-MM-DD`;
    ValueError if not a date. The one reading of --from/--to and the screens' date fields."""
    return parse_date(value)[:10]


def parse_date(value: str) -> str:
    """ISO 8601 or UK dd/mm/yyyy[ hh:mm] -> ISO `YYYY-MM-DD[THH:MM[:SS]]`; ValueError if not."""
    value = value.strip()
    if _canonical(value):
        # The common case, 400,000 times in a national import: the C parser checks the
        # digits and the calendar, and the text comes back unchanged. What it refuses gets
        # the full check below (and its message).
        try:
            datetime.fromisoformat(value)
            return value
        except ValueError:
            pass
    m = _ISO.match(value)
    if m:
        y, mo, d, hh, mi, ss = m.groups()
    else:
        m = _UK.match(value)
        if not m:
            raise ValueError(value)
        d, mo, y, hh, mi, ss = m.groups()
    parsed = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
    # isoformat, not strftime: strftime drops the leading zeros of years before 1000
    text = parsed.isoformat()
    if hh is None:
        return text[:10]
    return text if ss else text[:16]


def _canonical(value: str) -> bool:
    """Shaped as YYYY-MM-DD or YYYY-MM-DDTHH:MM (whether the digits are digits is left to
    datetime.fromisoformat, which accepts nothing else of that length and shape)."""
    n = len(value)
    return (
        (n == 10 or (n == 16 and value[10] == "T" and value[13] == ":"))
        and value[4] == "-"
        and value[7] == "-"
    )


class CsvRow(NamedTuple):
    """A data row and the line it starts on (a tuple: a national pool has 200,000 of them)."""

    line: int
    values: dict[str, str]


def read_rows(text: str, source: str, required: tuple[str, ...]) -> tuple[list[str], list[CsvRow]]:
    """Header and rows of a CSV text, each row by column name; InputError lists every bad row."""
    header, table = read_table(text, source, required)
    return header, [CsvRow(line, dict(zip(header, values, strict=True))) for line, values in table]


def read_table(
    text: str, source: str, required: tuple[str, ...]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows of a CSV text as (line, cells), every row as wide as the header."""
    problems: list[Problem] = []
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(
            [Problem(source, line, "not valid CSV: the file contains NUL bytes (a binary file?)")]
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    lines = _rows_with_lines(reader, source, problems)
    # The header is the first row with something in it: blank lines before it (after a BOM,
    # say) are skipped, so problems with it name its real line.
    found = next((row for row in lines if "".join(row[1]).strip()), None)
    if found is None:
        raise InputError(problems or [Problem(source, 1, "the file is empty")])
    header_line, header = found
    names = [h.strip() for h in header]
    lowered = [n.lower() if n.lower() in CASE_COLUMNS + _ANSWER_COLUMNS else n for n in names]
    seen: set[str] = set()
    for n in lowered:
        if n == "":
            problems.append(Problem(source, header_line, "the header has an empty column name"))
        elif n in seen:
            problems.append(Problem(source, header_line, f"column '{n}' appears twice"))
        seen.add(n)
    missing = [c for c in required if c not in seen]
    if missing:
        problems.append(
            Problem(
                source,
                header_line,
                f"missing required column(s): {', '.join(missing)} (header: {', '.join(names)})",
            )
        )
    if problems:
        raise InputError(problems)
    rows: list[tuple[int, list[str]]] = []
    width = len(lowered)
    for line, values in lines:
        joined = "".join(values)
        if not joined or joined.isspace():
            continue  # blank line, or a row of empty cells as spreadsheets leave
        if len(values) != width:
            problems.append(
                Problem(source, line, f"{len(values)} fields where the header has {width}")
            )
            continue
        if len(joined) > MAX_FIELD and max(map(len, values)) > MAX_FIELD:
            name = next(n for n, v in zip(lowered, values, strict=True) if len(v) > MAX_FIELD)
            problems.append(Problem(source, line, f"field {name} is over {MAX_FIELD:,} characters"))
            continue
        rows.append((line, values))
    if problems:
        raise InputError(problems)
    return lowered, rows


def _rows_with_lines(
    reader: Any, source: str, problems: list[Problem]
) -> Iterator[tuple[int, list[str]]]:
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(source, reader.line_num, f"not valid CSV: {exc}"))


def _ensure_field_limit() -> None:
    # The csv module's own limit (128 KiB) raises mid-file; ours is checked per row instead.
    if csv.field_size_limit() < MAX_FIELD * 4:
        csv.field_size_limit(MAX_FIELD * 4)


# ------------------------------------------------------------------ cases


@dataclass
class CaseFile:
    """A validated case pool file.

    `rows` hold each case as the store inserts it: the CASE_COLUMNS values in order, then
    the dict of extra attributes. A national pool is 200,000 cases, so they are built once,
    in that shape; `cases` gives the same as dicts by column name.
    """

    rows: list[list[Any]]
    lines: list[int]
    warnings: list[str]
    extra_columns: list[str]

    @cached_property
    def cases(self) -> list[dict[str, Any]]:
        names = (*CASE_COLUMNS, "extra")
        return [dict(zip(names, row, strict=True)) for row in self.rows]


def parse_cases(raw: bytes, source: str) -> CaseFile:
    """Validate a case-pool CSV completely; InputError lists every bad row."""
    with no_cycle_collection():
        return _parse_cases(raw, source)


def _parse_cases(raw: bytes, source: str) -> CaseFile:
    _ensure_field_limit()
    decoded = decode(raw, source)
    # Every field in the composed form (NFC), so `é` stored one way matches `é` typed the
    # other. Done on the whole text at once: composing never touches commas, quotes or
    # line breaks, so rows and line numbers stay as the file has them.
    decoded.text = nfc(decoded.text)
    try:
        return _check_cases(decoded, source)
    except InputError as exc:
        # A refused file still says how it was read: the encoding may be why rows are bad.
        raise InputError(exc.problems, decoded.warnings + exc.warnings) from None


def _check_cases(decoded: Decoded, source: str) -> CaseFile:
    header, rows = read_table(decoded.text, source, ("case_ref",))
    at = {name: i for i, name in enumerate(header)}
    extras = [(h, at[h]) for h in header if h not in CASE_COLUMNS]
    # Each known column is read by its kind into its place in the row (CASE_COLUMNS order);
    # columns the file lacks stay None. (file column, row position) pairs:
    place = {name: j for j, name in enumerate(CASE_COLUMNS)}
    dates = [(c, at[c], place[c]) for c in DATE_COLUMNS if c in at]
    bools = [(c, at[c], place[c]) for c in BOOL_COLUMNS if c in at]
    special = ("case_ref", "force", "summary", *DATE_COLUMNS, *BOOL_COLUMNS)
    texts = [(at[c], place[c]) for c in CASE_COLUMNS if c in at and c not in special]
    summary = at.get("summary")
    summary_place = place["summary"]
    width = len(CASE_COLUMNS) + 1  # and the extra attributes last
    ref_at, force_at = at["case_ref"], at.get("force")
    problems: list[Problem] = []
    out: list[list[Any]] = []
    lines: list[int] = []
    first_seen: dict[str, tuple[int, str]] = {}  # match key -> (line, case_ref as written)
    for line, v in rows:
        bad: list[str] = []
        ref = v[ref_at].strip()
        force = "" if force_at is None else v[force_at].strip()
        hidden = [
            f"{col} has an invisible or control character ({describe(ch)}); retype it"
            for col, text in (("case_ref", ref), ("force", force))
            if (ch := first_invisible(text)) is not None
        ]
        key = match_key(force, ref)
        if not ref:
            bad.append("case_ref is empty")
        elif hidden:
            bad.extend(hidden)
        elif key in first_seen:
            first_line, first_ref = first_seen[key]
            alike = "" if first_ref == ref else f" as {first_ref}, which it looks like"
            bad.append(
                f"case_ref {ref} appears twice for force '{force or '(none)'}' "
                f"(first at line {first_line}{alike})"
            )
        else:
            first_seen[key] = (line, ref)
        row: list[Any] = [None] * width
        row[0], row[1] = ref, force
        for i, j in texts:
            row[j] = v[i].strip() or None
        if summary is not None:
            row[summary_place] = v[summary] or None  # a summary keeps its own spacing
        for col, i, j in dates:
            text = v[i].strip()
            if text:
                try:
                    row[j] = parse_date(text)
                except ValueError:
                    bad.append(f"{col} '{text}' is not a date (use YYYY-MM-DD or dd/mm/yyyy)")
        for col, i, j in bools:
            flag = BOOLS.get(v[i].strip().lower(), _NOT_BOOL)  # parse_bool, inlined: hot loop
            if flag is _NOT_BOOL:
                bad.append(f"{col} '{v[i].strip()}' is not yes or no")
            else:
                row[j] = flag
        row[-1] = {c: v[i] for c, i in extras if v[i] != ""} if extras else {}
        if bad:
            problems.append(Problem(source, line, "; ".join(bad)))
        else:
            out.append(row)
            lines.append(line)
    if problems:
        raise InputError(problems)
    if not out:
        raise InputError([Problem(source, 2, "the file has a header but no cases")])
    return CaseFile(out, lines, decoded.warnings, [name for name, _ in extras])


def read_case_file(path: str | Path) -> CaseFile:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError([Problem(str(p), 1, f"cannot read the file: {exc.strerror}")]) from None
    return parse_cases(raw, str(p))


# ------------------------------------------------------------------ answers

_ANSWER_COLUMNS = ("reviewer", "role", "question_id", "answer", "note", "reason")
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
    _ensure_field_limit()
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


ROLES = ("primary", "second", "moderated")


def plan_answer_import(
    rows: list[AnswerRow],
    checklist: Any,
    cases_in_audit: dict[tuple[str, str], int],
    existing: Mapping[tuple[int, str], ExistingReview],
    source: str,
    second_assigned: Mapping[int, str] | None = None,
    assigned: Mapping[int, str] | None = None,
    answer_values: Callable[[int], Mapping[str, str | None]] | None = None,
) -> list[ImportedReview]:
    """Check answer rows against the audit and its checklist; InputError lists every problem.

    `cases_in_audit` maps (force, case_ref) to case id; `existing` maps the (case id, role)
    pairs that already have a review to it: an import must not overwrite one.
    `second_assigned` maps cases chosen for second review to their second reviewer, and
    `assigned` cases to their primary reviewer; `answer_values` reads a stored review's
    answers (by review id), for moderating a pair already in the database.

    The review rules are casereview.rules', as the store holds them: a second review is by
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
        shown = set(checklist.visible(values))
        for qid, line in review.lines.items():
            if qid not in shown:
                rule = checklist.question(qid).show_if
                problems.append(
                    Problem(
                        source,
                        line,
                        f"{qid} is hidden by skip logic here ({rule.question} is "
                        f"'{values.get(rule.question) or 'unanswered'}'), so it cannot be answered",
                    )
                )
        review.complete = not checklist.unanswered(values)
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
    statuses: list[str | None] = []
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
        agreed = agreed_answer(pair[0].get(qid), pair[1].get(qid))
        if value == agreed and needs_reason(review.reasons.get(qid)):
            review.reasons[qid] = "agreed"
        elif needs_reason(review.reasons.get(qid)):
            problems.append(
                Problem(
                    source,
                    review.lines[qid],
                    f"{qid} of case {ref}: {DECISION_NEEDS_REASON}; the reviewers did not both "
                    f"answer '{value}', so give it in the reason column",
                )
            )
    return problems


# --------------------------------------------------------------------------- into the store


@dataclass(frozen=True)
class Imported:
    """What an import added, and what its reader had to say about the file."""

    n: int
    warnings: list[str]
    extra_columns: list[str] = field(default_factory=list)
    reviews: int = 0
    complete: int = 0


def import_cases(store: Store, path: Path) -> Imported:
    """Read a case file and add it to the pool, all or nothing. A case already in the pool
    (looked for inside the write transaction) is refused by line, as a bad row is."""
    from casereview.store import CasesInPool

    parsed = read_case_file(path)
    try:
        n = store.insert_case_rows(parsed.rows)
    except CasesInPool as exc:
        keys = [(row[1] or "", row[0]) for row in parsed.rows]  # (force, case_ref)
        raise InputError(
            [
                Problem(
                    str(path), line, f"case {ref} of '{force or '(none)'}' is already in the pool"
                )
                for line, (force, ref) in zip(parsed.lines, keys, strict=True)
                if (force, ref) in exc.keys
            ],
            parsed.warnings,
        ) from None
    return Imported(n, parsed.warnings, list(parsed.extra_columns))


def import_answers(store: Store, audit_name: str, path: Path, actor: str) -> Imported:
    """Read an answers file and add its reviews to the audit, all or nothing, holding the
    app's rules (rules.py). Checked against the audit as it stands; if someone saves before
    the write, nothing is written (Store.import_reviews)."""
    audit = store.audit(audit_name)
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
        )
    except InputError as exc:
        raise InputError(exc.problems, warnings + exc.warnings) from None
    n = store.import_reviews(audit.id, plan, actor, unchanged_since=checked_at)
    done = sum(1 for r in plan if r.complete)
    return Imported(n, warnings, reviews=len(plan), complete=done)
