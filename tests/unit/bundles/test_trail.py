"""A bundle's trail is read as the database will hold it, and kept to the store's rules: an
event the database has is the database's event (every field), a review it has keeps its case,
role and reviewer, and a completed review changes only after a reopen with its reason, as
ReviewStore enforces. Refused: exit 2, naming the file, bundle.json and the field; the
database as it was. What the real app makes still imports."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from casereview.store import Store
from tests.unit.bundles.bundle_edits import (
    Content,
    central_store,
    dump,
    edited,
    exported,
    ids,
    run_import,
    said,
)


@pytest.fixture
def central(tmp_path: Path) -> Store:
    store, _audit = central_store(tmp_path / "central.db")
    return store


def refused(db: Path, path: Path, *says: str) -> None:
    before = dump(db)
    result = run_import(db, path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"casereview: {path}"), result.stderr
    assert "Traceback" not in result.output
    for text in says:
        assert said(text) in result.stderr, result.stderr
    assert dump(db) == before


def _primary(content: Content) -> dict[str, Any]:
    return next(r for r in content["reviews"] if r["case_ref"] == "T/1" and r["role"] == "primary")


def _set(review: dict[str, Any], qid: str, value: str) -> None:
    next(a for a in review["answers"] if a["question_id"] == qid)["value"] = value


def _event(review: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "review_uuid": review["uuid"],
        "question_id": None,
        "old": None,
        "reason": None,
        "actor": "ann",
        "at": "2099-01-01T00:00:00+00:00",
        **fields,
    }


def _reopened_and_completed(review: dict[str, Any]) -> list[dict[str, Any]]:
    """A reopen with its reason and a completion, as the app writes them."""
    return [
        _event(review, kind="status", old="complete", new="in_progress", reason="a look"),
        _event(review, kind="status", old="in_progress", new="complete"),
    ]


def test_an_event_the_database_holds_cannot_be_rewritten_under_its_uuid(
    central: Store, tmp_path: Path
) -> None:
    """ann's REC-03 "yes" event rewritten to "no", the answer with it, and a harmless reopen
    and completion so that the review counts as updated: the bundle's copy backs "no", the
    database's trail would keep saying "yes"."""
    where: list[int] = []

    def rewrite(content: Content) -> None:
        review = _primary(content)
        _set(review, "REC-03", "no")
        i, event = next(
            (i, e)
            for i, e in enumerate(content["events"])
            if e["review_uuid"] == review["uuid"] and e["question_id"] == "REC-03"
        )
        event["new"] = "no"
        where.append(i)
        content["events"] += _reopened_and_completed(review)

    path = edited(central, tmp_path / "rewritten.zip", rewrite)
    refused(
        tmp_path / "central.db",
        path,
        f"bundle.json: events.{where[0]}.new",
        "this database holds that event",
    )


def test_a_review_the_database_holds_keeps_its_case(central: Store, tmp_path: Path) -> None:
    """ann's T/1 review moved to T/3 under its uuid (with new events, so that it is taken):
    the merge would update T/1's review while every check read it as T/3's."""

    def move(content: Content) -> None:
        review = _primary(content)
        content["events"] += _reopened_and_completed(review)
        review["case_ref"] = "T/3"

    path = edited(central, tmp_path / "moved.zip", move)
    refused(tmp_path / "central.db", path, "bundle.json: reviews.0.case_ref", "T/1")


def test_a_completed_review_is_not_changed_without_a_reopen(central: Store, tmp_path: Path) -> None:
    """One answer event appended to ann's completed review by someone else, and the answer
    set to it: the app refuses this (ReviewLocked), so must the bundle."""
    at: list[int] = []

    def change(content: Content) -> None:
        review = _primary(content)
        _set(review, "REC-03", "no")
        at.append(len(content["events"]))
        content["events"].append(
            _event(review, kind="answer", question_id="REC-03", old="yes", new="no",
                   actor="mallory")
        )  # fmt: skip

    path = edited(central, tmp_path / "locked.zip", change)
    refused(
        tmp_path / "central.db",
        path,
        f"bundle.json: events.{at[0]}.kind",
        "complete and locked",
    )
    fresh = tmp_path / "fresh.db"  # and into a database new to the audit: the same rule
    result = run_import(fresh, path)
    assert result.exit_code == 2, result.output
    assert said(f"bundle.json: events.{at[0]}.kind") in result.stderr
    assert not fresh.exists()


def test_a_reopen_needs_its_reason(central: Store, tmp_path: Path) -> None:
    at: list[int] = []

    def change(content: Content) -> None:
        review = _primary(content)
        _set(review, "REC-03", "no")
        reopen, complete = _reopened_and_completed(review)
        reopen["reason"] = "  "
        at.append(len(content["events"]))
        content["events"] += [
            reopen,
            _event(review, kind="answer", question_id="REC-03", old="yes", new="no"),
            complete,
        ]

    path = edited(central, tmp_path / "no-reason.zip", change)
    refused(tmp_path / "central.db", path, f"bundle.json: events.{at[0]}.reason", "a reason")


def test_a_reopen_change_and_completion_made_by_the_app_imports(
    central: Store, tmp_path: Path
) -> None:
    """The real app's reopen, change and completion (by another reviewer, as the app lets
    anyone take a primary review over) arrives in a database that had the review complete,
    and in a database new to the audit."""
    laptop = tmp_path / "laptop.db"
    assert run_import(laptop, exported(central, tmp_path / "before.zip")).exit_code == 0
    audit = central.audits()[0]
    review = central.find_review(audit.id, ids(central)["T/1@Testshire"], "primary")
    assert review is not None
    central.reopen_review(review.id, "cy", "REC-03 was misread")
    central.set_answer(review.id, "REC-03", "no", "cy")
    central.set_note(review.id, "REC-03", "no referral on file", "cy")
    central.complete_review(review.id, "cy")
    path = exported(central, tmp_path / "after.zip")
    for db in (laptop, tmp_path / "fresh.db"):
        result = run_import(db, path)
        assert result.exit_code == 0, result.output
        there = Store.open(db)
        try:
            got = there.find_review(there.audits()[0].id, ids(there)["T/1@Testshire"], "primary")
            assert got is not None and got.status == "complete"
            assert there.answer_values(got.id)["REC-03"] == "no"
            assert [e.kind for e in there.events(got.id)][-4:] == [
                "status", "answer", "note", "status"
            ]  # fmt: skip
        finally:
            there.close()


def test_events_the_database_holds_are_read_in_its_order(central: Store, tmp_path: Path) -> None:
    """ann changed REC-03 to "partly" then back to "yes". The bundle swaps those two events of
    the database's (and adds a reopen and completion so the review is taken): read in the
    bundle's order they back "partly"; the database keeps its own order, whose trail says
    "yes", so the answer "partly" is not backed."""
    audit = central.audits()[0]
    review = central.find_review(audit.id, ids(central)["T/1@Testshire"], "primary")
    assert review is not None
    central.reopen_review(review.id, "ann", "REC-03 again")
    central.set_answer(review.id, "REC-03", "partly", "ann")
    central.set_answer(review.id, "REC-03", "yes", "ann")
    central.complete_review(review.id, "ann")

    def swap(content: Content) -> None:
        primary = _primary(content)
        _set(primary, "REC-03", "partly")
        events = content["events"]
        a, b = [i for i, e in enumerate(events) if e["question_id"] == "REC-03"][-2:]
        events[a], events[b] = events[b], events[a]
        events += _reopened_and_completed(primary)

    path = edited(central, tmp_path / "reordered.zip", swap)
    refused(tmp_path / "central.db", path, "bundle.json: reviews.0.answers.2.value", "'partly'")
