"""Fuzzing answer CSVs: imported whole, or refused with every problem named by its line
and the database unchanged."""

from __future__ import annotations

import csv
import io
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from casereview.core.checklist.loading import parse_checklist
from casereview.core.checklist.models import Checklist
from casereview.core.problems import InputError
from casereview.io.imports.answers import parse_answer_rows, plan_answer_import
from casereview.store import Store
from tests.factories import MINI, seed_store
from tests.fuzzing import FORMULA, FUZZ, NO_NUL, assert_clean_refusal, csv_line, n_lines

_MINI: Checklist = parse_checklist(MINI.read_text(), str(MINI))
_CASES = [("Testshire", "T/1"), ("Testshire", "T/2"), ("Testshire", "T/3"), ("Testshire", "T/4")]
_CASES += [("Otherton", "T/5"), ("Otherton", "T/1")]
_NOTE = st.one_of(st.text(NO_NUL, max_size=20), FORMULA, st.just('a, "b"\r\nc'))
_ANSWER_HEAD = ["case_ref", "force", "reviewer", "role", "question_id", "answer", "note"]
_BAD_VALUES = {
    "case_ref": ["T/9", "", "t/1"],
    "force": ["Nowhere"],
    "reviewer": ["", "   "],
    "role": ["boss", "", "primary second"],
    "question_id": ["XX-99", "", "rec-01", "REC-01 "],
    "answer": ["maybe", "", "y", "n/a"],
}


@st.composite
def answer_batches(draw: st.DrawFn) -> list[list[str]]:
    """Rows for a few reviews that follow the checklist's skip logic, then maybe spoilt."""
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(_CASES), st.sampled_from(["primary", "second", "moderated"])),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    rows: list[list[str]] = []
    for (force, ref), role in keys:
        reviewer = draw(st.sampled_from(["ann", "bob", "kim"]))
        given_answers: dict[str, str] = {}
        for q in _MINI.questions:
            if q.id not in _MINI.visible(given_answers) or not draw(st.integers(0, 3)):
                continue
            given_answers[q.id] = draw(st.sampled_from(q.answers))
        for qid, value in given_answers.items():
            # T/1 is in both forces and needs its force; a unique ref may leave it out
            shown_force = force if ref == "T/1" else draw(st.sampled_from([force, force, ""]))
            rows.append(
                [
                    draw(st.sampled_from([ref, f" {ref} "])),
                    shown_force,
                    reviewer,
                    draw(st.sampled_from([role, role.title(), role.upper()])),
                    qid,
                    draw(st.sampled_from([value, value.upper(), f" {value}"])),
                    draw(_NOTE),
                ]
            )
    rows = draw(st.permutations(rows))
    for _ in range(draw(st.integers(0, 2))):  # spoil some rows
        if not rows:
            break
        i = draw(st.integers(0, len(rows) - 1))
        how = draw(st.sampled_from(["value", "duplicate", "shape", "hidden"]))
        if len(rows[i]) != len(_ANSWER_HEAD):
            continue  # already cut short
        if how == "value":
            col = draw(st.sampled_from(sorted(_BAD_VALUES)))
            rows[i][_ANSWER_HEAD.index(col)] = draw(st.sampled_from(_BAD_VALUES[col]))
        elif how == "duplicate":
            rows.insert(i, list(rows[i]))
        elif how == "shape":
            rows[i] = rows[i][: draw(st.integers(1, 6))]
        else:
            rows[i][4], rows[i][5] = draw(st.sampled_from([("REC-02", "yes"), ("SPO-03", "no")]))
    return rows


def _csv_bytes(rows: list[list[str]], header: list[str] = _ANSWER_HEAD) -> bytes:
    return "".join(csv_line(r) for r in [header, *rows]).encode("utf-8")


def _import_answers(store: Store, audit_id: int, raw: bytes) -> int:
    rows, _warnings = parse_answer_rows(raw, "answers.csv")
    in_audit = {(ac.case.force, ac.case.case_ref): ac.case.id for ac in store.audit_cases(audit_id)}
    plan = plan_answer_import(
        rows,
        store.audit_checklist(audit_id),
        in_audit,
        store.existing_reviews(audit_id),
        "answers.csv",
    )
    return store.import_reviews(audit_id, plan, "importer")


def _stored_reviews(store: Store, audit_id: int) -> dict[tuple[str, str, str], Any]:
    out: dict[tuple[str, str, str], Any] = {}
    for ac in store.audit_cases(audit_id):
        for review in store.reviews_of_case(audit_id, ac.case.id):
            answers = {q: (a.value, a.note) for q, a in store.answers(review.id).items()}
            out[(ac.case.force, ac.case.case_ref, review.role)] = (
                review.reviewer,
                review.status,
                answers,
            )
    return out


def _expected_reviews(raw: bytes) -> dict[tuple[str, str, str], Any]:
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))[1:]
    out: dict[tuple[str, str, str], Any] = {}
    for ref, force, reviewer, role, qid, answer, note in rows:
        if not force:
            force = next(f for f, r in _CASES if r == ref.strip())
        key = (force, ref.strip(), role.strip().lower())
        entry = out.setdefault(key, (reviewer.strip(), {}))
        entry[1][qid.strip()] = (answer.strip().lower(), note)
    return {
        key: (
            reviewer,
            "in_progress" if _MINI.unanswered({q: v for q, (v, _) in a.items()}) else "complete",
            a,
        )
        for key, (reviewer, a) in out.items()
    }


@settings(FUZZ, max_examples=80)
@given(st.lists(answer_batches(), min_size=1, max_size=2), st.booleans())
def test_answers_import_is_all_or_nothing(batches: list[list[list[str]]], bom: bool) -> None:
    store = Store.memory()
    try:
        audit = seed_store(store)
        imported: dict[tuple[str, str, str], Any] = {}
        for rows in batches:
            raw = (b"\xef\xbb\xbf" if bom else b"") + _csv_bytes(rows)
            before = list(store.db.conn.iterdump())
            try:
                _import_answers(store, audit.id, raw)
            except InputError as exc:
                event("refused")
                assert_clean_refusal(exc, max_line=n_lines(raw.decode("utf-8-sig")) + 1)
                assert list(store.db.conn.iterdump()) == before
            else:
                event("imported")
                imported.update(_expected_reviews(raw[3:] if bom else raw))
            assert _stored_reviews(store, audit.id) == imported
    finally:
        store.close()


@settings(FUZZ, max_examples=80)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode)), st.booleans())
def test_answers_import_random_files(raw: bytes, with_header: bool) -> None:
    store = Store.memory()
    try:
        audit = seed_store(store)
        if with_header:
            raw = ",".join(_ANSWER_HEAD).encode() + b"\n" + raw
        before = list(store.db.conn.iterdump())
        try:
            _import_answers(store, audit.id, raw)
        except InputError as exc:
            assert_clean_refusal(exc)
            assert list(store.db.conn.iterdump()) == before
    finally:
        store.close()
