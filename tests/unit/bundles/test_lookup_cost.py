"""A streamed import's costs that grew or ran per row (issue 32 item 1): its batch's reviews
looked up by uuid at a cost that does not grow with the audit (with `uuid IN (...)` beside
`audit_id = ?`, SQLite read every review of the audit for each batch of 200: a national
import's reviews read 125 times), and its lines parsed faster, as json parses them."""

from __future__ import annotations

import json
import uuid as uuids
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from casereview.io.bundles.stream import loads
from casereview.store import Store
from tests.factories import seed_store

BATCH = 200  # core.bundles.batching.REVIEWS_PER_BATCH: the lines looked up at once


def steps(store: Store, call: Callable[[], Any]) -> int:
    """SQLite's virtual machine instructions (in hundreds) that `call` runs."""
    count = [0]

    def tick() -> int:
        count[0] += 1
        return 0

    store.conn.set_progress_handler(tick, 100)
    try:
        call()
    finally:
        store.conn.set_progress_handler(None, 0)
    return count[0]


def add_reviews(store: Store, audit_id: int, n: int) -> list[str]:
    """`n` reviews of new cases in the audit, written as rows (a test's shortcut to a big
    audit); their uuids."""
    conn = store.conn
    (top,) = conn.execute("SELECT coalesce(max(id), 0) FROM cases").fetchone()
    made = [str(uuids.uuid4()) for _ in range(n)]
    with conn:
        conn.executemany(
            "INSERT INTO cases (id, force, case_ref, imported_at, match_key)"
            " VALUES (?, 'F', ?, 't', ?)",
            [(top + 1 + i, f"X{top + i}", f"F\x1fX{top + i}") for i in range(n)],
        )
        conn.executemany(
            "INSERT INTO audit_cases (audit_id, case_id, position) VALUES (?, ?, ?)",
            [(audit_id, top + 1 + i, 1000 + top + i) for i in range(n)],
        )
        conn.executemany(
            "INSERT INTO reviews (audit_id, case_id, role, reviewer, started_at, updated_at,"
            " uuid) VALUES (?, ?, 'primary', 'ann', 't', 't', ?)",
            [(audit_id, top + 1 + i, made[i]) for i in range(n)],
        )
    return made


def test_a_batchs_reviews_are_found_without_reading_the_whole_audit(tmp_path: Path) -> None:
    """The three lookups by uuid a batch makes (the database's copy of each line's review,
    whether it holds the line as it is, and the written reviews' ids), for the same 200
    reviews: with 10,000 more reviews in the audit they cost what they did (before, about
    fifty times as much: each read the audit's every review)."""
    store = Store.open(tmp_path / "x.db")
    audit = seed_store(store)
    (audit_uuid,) = store.conn.execute(
        "SELECT uuid FROM audits WHERE id = ?", [audit.id]
    ).fetchone()
    wanted = add_reviews(store, audit.id, BATCH)
    lines = [
        {
            k: None
            for k in (
                "answers",
                "case_ref",
                "completed_at",
                "current_question",
                "events",
                "force",
                "reviewer",
                "role",
                "started_at",
                "status",
                "updated_at",
            )
        }
        | {"uuid": u}  # fmt: skip
        for u in wanted
    ]
    lines = [{k: line[k] for k in sorted(line)} for line in lines]  # the export's key order
    keys = {("F", f"X{i}") for i in range(6, 6 + BATCH)}
    lookups = {
        "review ids": lambda: store._review_ids(audit.id, set(wanted)),
        "held copies": lambda: store.same_as_held(audit_uuid, lines),
        "batch state": lambda: store._batch_state(audit.id, keys, set(wanted)),
    }
    found = store._review_ids(audit.id, set(wanted))
    assert sorted(found) == sorted(wanted)  # they are found, by uuid
    before = {name: steps(store, call) for name, call in lookups.items()}
    add_reviews(store, audit.id, 10_000)
    after = {name: steps(store, call) for name, call in lookups.items()}
    assert store._review_ids(audit.id, set(wanted)) == found
    grew = {name: (before[name], after[name]) for name in lookups
            if after[name] > 2 * before[name] + 5}  # fmt: skip
    assert grew == {}
    store.close()


TEXTS = [
    b'{"note": "caf\\u00e9 \\ud83d\\ude00", "n": 12345678901234567890123, "x": -0.0}\n',
    b'{"note": "\\ud800"}',  # a lone surrogate: json takes it, pydantic-core does not
    b'\xef\xbb\xbf{"a": 1}',  # a byte order mark
    b'{"a": NaN, "b": Infinity, "a": 2}',
    b'{"a": 1} x',
    b"[1,]",
    b'"a\tb"',
    b"\xff",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_line_is_parsed_as_json_parses_it(text: bytes) -> None:
    """A guard: the faster parser of a bundle's lines (io.bundles.stream.loads) gives json's
    value, or json's refusal with json's message."""
    try:
        want: object = json.loads(text)
    except ValueError as exc:
        with pytest.raises(ValueError) as got:
            loads(text)
        assert str(got.value) == str(exc)
        return
    assert repr(loads(text)) == repr(want)
