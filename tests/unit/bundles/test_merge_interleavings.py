"""Random interleavings of edits on two copies of an audit and merges between them: no event
is ever lost, and each merge either takes everything or writes nothing and lists why."""

from __future__ import annotations

import re
import sqlite3

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casereview.core.bundles.merge import Bundle, BundleConflict
from casereview.io.bundles import archive as bundle
from casereview.store import Store, StoreError
from casereview.store.migrations import KNOWN
from tests.factories import seed_store

CASES = ("T/1@Testshire", "T/2@Testshire", "T/3@Testshire")
QUESTIONS = ("REC-01", "REC-02", "REC-03", "SPO-01")
VALUES = ("yes", "no", "partly", "na", "unknown")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")

edit = st.one_of(
    st.tuples(st.just("answer"), st.sampled_from(CASES), st.sampled_from(QUESTIONS),
              st.sampled_from(VALUES)),
    st.tuples(st.just("note"), st.sampled_from(CASES), st.sampled_from(QUESTIONS),
              st.sampled_from(("", "seen", "ask the OIC"))),
    st.tuples(st.just("complete"), st.sampled_from(CASES), st.just(""), st.just("")),
    st.tuples(st.just("reopen"), st.sampled_from(CASES), st.just(""), st.just("")),
    st.tuples(st.just("merge"), st.just(""), st.just(""), st.just("")),
)  # fmt: skip
steps = st.lists(st.tuples(st.sampled_from("AB"), edit), max_size=14)


def carry(source: Store) -> Bundle:
    """source's audit as a bundle, through the bytes of the file."""
    content, text = source.bundle_content(source.audits()[0].id)
    return bundle.unpack(bundle.pack(content, text), "b.zip")


def event_ids(store: Store) -> set[str]:
    return {u for (u,) in store.db.execute("SELECT uuid FROM events")}


def dump(store: Store) -> str:
    return "\n".join(store.db.conn.iterdump())


def state(store: Store) -> dict[tuple[str, str, str], tuple[object, ...]]:
    rows = store.db.execute(
        "SELECT r.uuid, r.role, r.reviewer, r.status, r.completed_at, x.question_id, x.value,"
        " x.note, x.updated_by, x.updated_at FROM reviews r"
        " LEFT JOIN answers x ON x.review_id = r.id"
    )
    return {(r[0], r[1], str(r[5])): tuple(r[2:]) for r in rows}


def merge_into(target: Store, source: Store, settle: str | None = None) -> bool:
    """Merge source's bundle into target; True if it merged, False on a listed conflict.
    With `settle`, a refused merge is tried again settled that way, which must then merge
    unless what is left are two reviews of one case started apart (never settled)."""
    before_events, before = event_ids(target), dump(target)
    carried = carry(source)
    try:
        target.merge_bundle(carried, "b.zip", "lead")
    except BundleConflict as exc:
        event("conflict")
        assert exc.lines, "a conflict names what clashes"
        assert dump(target) == before, "a conflict writes nothing"
        if settle is None:
            return False
        try:
            target.merge_bundle(carried, "b.zip", "lead", settle=settle)
        except BundleConflict as again:
            assert all("two reviews of one case" in line for line in again.lines), again.lines
            assert dump(target) == before
            return False
        event("settled")
    else:
        event("merged")
    got = event_ids(target)
    assert before_events <= got, "an event was lost"
    assert {e["uuid"] for e in carried.content["events"]} <= got, "an event did not arrive"
    return True


def apply(store: Store, who: str, op: tuple[str, str, str, str]) -> None:
    kind, case_name, qid, value = op
    audit = store.audits()[0]
    cases = {c.case_ref + "@" + c.force: c.id for c in store.cases()}
    try:
        review = store.open_review(audit.id, cases[case_name], who)
        if kind == "answer":
            store.set_answer(review.id, qid, value, who)
        elif kind == "note":
            store.set_note(review.id, qid, value, who)
        elif kind == "complete":
            store.complete_review(review.id, who)
        elif kind == "reopen":
            store.reopen_review(review.id, who, "a second look")
    except StoreError:
        pass  # refused as the app would refuse it (locked, hidden, not allowed): no change


_TEMPLATE: list[Store] = []


def template() -> Store:
    """A copy of the audit as both laptops receive it, built once: two reviews the copies
    share; the third case's review is started apart, or not at all."""
    if not _TEMPLATE:
        central = Store.memory()
        audit = seed_store(central)
        cases = {c.case_ref + "@" + c.force: c.id for c in central.cases()}
        for name in CASES[:2]:
            review = central.open_review(audit.id, cases[name], "ann")
            central.set_answer(review.id, "REC-01", "yes", "ann")
        copy = Store.memory()
        copy.merge_bundle(carry(central), "b.zip", "ann")
        copy.audit_checklist(copy.audits()[0].id)  # parsed once, here, for every copy
        central.close()
        _TEMPLATE.append(copy)
    return _TEMPLATE[0]


def copies() -> tuple[Store, Store]:
    """Two copies of the template's file (SQLite's backup), sharing its parsed checklist:
    parsing it again for every example would be most of the test's time."""
    out = []
    for _ in range(2):
        conn = sqlite3.connect(":memory:")
        template().conn.backup(conn)
        store = Store(conn)
        store._checklists.update(template()._checklists)
        out.append(store)
    return out[0], out[1]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.sampled_from([None, "database", "bundle"]))
def test_interleaved_edits_merge_or_conflict_and_lose_nothing(
    plan: list[tuple[str, tuple[str, str, str, str]]], settle: str | None
) -> None:
    a, b = copies()
    sides = {"A": a, "B": b}
    try:
        for side, op in plan:
            if op[0] == "merge":
                merge_into(sides[side], sides["B" if side == "A" else "A"], settle)
            else:
                apply(sides[side], "ann", op)
        there = merge_into(b, a, settle)
        back = merge_into(a, b, settle)
        if there and back:  # merged both ways: the two copies now hold the same audit
            assert event_ids(a) == event_ids(b)
            assert state(a) == state(b)
    finally:
        a.close()
        b.close()


def test_every_row_has_its_own_uuid_and_new_rows_get_one() -> None:
    store = Store.memory()
    audit = seed_store(store)
    assert "m006_uuids" in KNOWN
    review = store.open_review(audit.id, store.cases()[0].id, "ann")
    store.set_answer(review.id, "REC-01", "yes", "ann")
    for table in ("audits", "reviews", "events"):
        uuids = [u for (u,) in store.db.execute(f"SELECT uuid FROM {table}")]
        assert uuids and all(UUID.fullmatch(u) for u in uuids), uuids
        assert len(set(uuids)) == len(uuids)
    store.close()
