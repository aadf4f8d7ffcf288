"""Format 3: bundles written and merged a bounded batch of reviews at a time, and a bundle
imported again decided without planning or writing anything (issue 32, item 1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.core.bundles import batching
from casereview.store import Store
from tests.factories import complete_review, seed_store
from tests.unit.bundles.bundle_edits import FULL, dump, ids

PARTLY = {**FULL, "REC-02": "partly"}


def cli(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "lead", *args])


def export(db: Path, path: Path) -> Path:
    result = cli(db, "bundle", "export", "--audit", "Test audit", "--out", str(path), "--plain")
    assert result.exit_code == 0, result.output
    return path


def imported(db: Path, path: Path) -> Result:
    return cli(db, "bundle", "import", str(path), "--trust-once")


@pytest.fixture
def central(tmp_path: Path) -> Path:
    """Six cases: each with ann's or bob's primary complete, three with a second review by
    the other, so nine reviews in all."""
    path = tmp_path / "central.db"
    store = Store.open(path)
    audit = seed_store(store)
    for n, (_ref, case_id) in enumerate(sorted(ids(store).items())):
        first, other = ("ann", "bob") if n % 2 else ("bob", "ann")
        store.assign(audit.id, case_id, first, "lead")
        complete_review(store, audit.id, case_id, first, "primary", FULL)
        if n < 3:
            complete_review(store, audit.id, case_id, other, "second", PARTLY)
    store.close()
    return path


def test_export_and_import_hold_a_bounded_batch_of_reviews(
    tmp_path: Path, central: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nine reviews, two to a batch: neither side ever builds a batch of more than two
    reviews (the import closes a batch only between cases, so at most two more: a case's
    other reviews), and what arrives is all of it."""
    monkeypatch.setattr(batching, "REVIEWS_PER_BATCH", 2)
    monkeypatch.setattr(batching, "LARGEST", {"export": 0, "import": 0})
    path = export(central, tmp_path / "b.zip")
    laptop = tmp_path / "laptop.db"
    result = imported(laptop, path)
    assert result.exit_code == 0, result.output
    assert 0 < batching.LARGEST["export"] <= 2
    assert 0 < batching.LARGEST["import"] <= 2 + 2
    query = (
        "SELECT r.uuid, r.role, r.reviewer, r.status, x.question_id, x.value FROM reviews r"
        " JOIN answers x ON x.review_id = r.id ORDER BY 1, 5"
    )
    want, got = (sqlite3.connect(db).execute(query).fetchall() for db in (central, laptop))
    assert got == want and len({row[0] for row in got}) == 9


def test_a_bundle_imported_again_is_decided_without_planning_or_writing(
    tmp_path: Path, central: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second import compares each line with the database's copy of the review and
    finds them the same: no plan is made (the merge's plan would raise here), the file is
    not touched."""
    path = export(central, tmp_path / "b.zip")
    laptop = tmp_path / "laptop.db"
    assert imported(laptop, path).exit_code == 0
    before, size = dump(laptop), laptop.stat().st_size

    def no_plan(*args: object, **kwargs: object) -> None:
        raise AssertionError("a review was planned")

    monkeypatch.setattr("casereview.store.bundle_stream.plan", no_plan)
    result = imported(laptop, path)
    assert result.exit_code == 0, result.output
    assert "nothing to add; this database already holds all it has" in result.stderr
    assert dump(laptop) == before and laptop.stat().st_size == size


def test_a_review_changed_on_the_laptop_comes_back_and_only_it(
    tmp_path: Path, central: Path
) -> None:
    """Round trip in format 3: the laptop reopens and changes one review; its bundle brings
    that review up to date at the office, the eight others left as they were."""
    laptop = tmp_path / "laptop.db"
    assert imported(laptop, export(central, tmp_path / "out.zip")).exit_code == 0
    store = Store.open(laptop)
    [audit] = store.audits()
    case_id = ids(store)["T/1@Testshire"]
    [review] = [r for r in store.reviews_of_case(audit.id, case_id) if r.role == "primary"]
    store.reopen_review(review.id, review.reviewer, "a second look")
    store.set_answer(review.id, "REC-03", "no", review.reviewer)
    store.complete_review(review.id, review.reviewer)
    store.close()
    result = imported(central, export(laptop, tmp_path / "back.zip"))
    assert result.exit_code == 0, result.output
    assert "updated: Testshire T/1 primary" in result.stderr
    assert result.stderr.count("updated:") == 1 and "new review" not in result.stderr
    conn = sqlite3.connect(central)
    [(value,)] = conn.execute(
        "SELECT x.value FROM answers x JOIN reviews r ON r.id = x.review_id JOIN cases c"
        " ON c.id = r.case_id WHERE c.case_ref = 'T/1' AND c.force = 'Testshire'"
        " AND r.role = 'primary'"
        " AND x.question_id = 'REC-03'"
    ).fetchall()
    assert value == "no"
