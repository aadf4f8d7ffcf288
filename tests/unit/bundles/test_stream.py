"""Format 3: bundles written and merged a bounded batch of reviews at a time, and a bundle
imported again decided without planning or writing anything (issue 32, item 1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

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


def _imported_again_untouched(db: Path, bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Importing `bundle` into `db` plans no review (merge.plan is never called), says there
    is nothing to add, and leaves the file byte for byte as it was."""
    before, size = dump(db), db.stat().st_size

    def no_plan(*args: object, **kwargs: object) -> None:
        raise AssertionError("a review was planned")

    monkeypatch.setattr("casereview.store.bundle_merge.plan", no_plan)
    result = imported(db, bundle)
    assert result.exit_code == 0, result.output
    assert "nothing to add; this database already holds all it has" in result.stderr
    assert dump(db) == before and db.stat().st_size == size


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
    _imported_again_untouched(laptop, path, monkeypatch)


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


def test_a_new_audits_sample_meets_the_pool_a_bounded_chunk_at_a_time(
    tmp_path: Path, central: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six cases, two to a chunk: the pool is asked about at most two full cases at once
    (the rest of the sample is held only as the audit-level rules read it), and every
    clash, in any chunk, is listed by its line before anything is imported."""
    from casereview.store import bundle_merge
    from casereview.store.bundles import BundleStore

    monkeypatch.setattr(bundle_merge, "_CHUNK", 2)
    largest = [0]
    asked = BundleStore._pool_clashes

    def counted(self: BundleStore, cases: list[dict[str, object]], at: int = 0) -> object:
        largest[0] = max(largest[0], len(cases))
        return asked(self, cases, at)

    monkeypatch.setattr(BundleStore, "_pool_clashes", counted)
    path = export(central, tmp_path / "b.zip")
    laptop = tmp_path / "laptop.db"
    result = imported(laptop, path)
    assert result.exit_code == 0, result.output
    assert largest[0] == 2
    assert "the audit, new to this database (6 new pool cases)" in result.stdout + result.stderr
    query = "SELECT c.force, c.case_ref, c.summary, ac.position FROM cases c JOIN audit_cases ac"
    query += " ON ac.case_id = c.id ORDER BY ac.position"
    want, got = (sqlite3.connect(db).execute(query).fetchall() for db in (central, laptop))
    assert got == want and len(got) == 6

    other = Store.open(tmp_path / "other.db")  # two clashes, in different chunks
    first, last = got[0][:2], got[-1][:2]  # the sample's first and last: chunks 0 and 2
    rows = [[ref, force, None, None, None, None, None, None, None, None, "else", {}]
            for force, ref in (first, last)]  # fmt: skip
    other.insert_case_rows(rows)
    other.close()
    before = dump(tmp_path / "other.db")
    result = imported(tmp_path / "other.db", path)
    assert result.exit_code == 2
    for where, (force, ref) in (("cases.0", first), ("cases.5", last)):
        assert f"cases.jsonl: {where}: case {ref} of '{force}' is in this pool with other" in (
            result.output
        )
    assert dump(tmp_path / "other.db") == before


def test_a_line_settled_on_import_is_left_unplanned_the_next_time(
    tmp_path: Path, central: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review changed on both sides, settled for this database's answers: the bundle's
    line is not what the database holds, but all of it is merged (its events are in the
    trail), so the same bundle imported again is decided from the line's digest, with no
    plan made and nothing written."""
    laptop = tmp_path / "laptop.db"
    assert imported(laptop, export(central, tmp_path / "out.zip")).exit_code == 0
    for db, value in ((laptop, "no"), (central, "partly")):
        store = Store.open(db)
        [audit] = store.audits()
        case_id = ids(store)["T/1@Testshire"]
        [review] = [r for r in store.reviews_of_case(audit.id, case_id) if r.role == "primary"]
        store.reopen_review(review.id, review.reviewer, "a second look")
        store.set_answer(review.id, "REC-03", value, review.reviewer)
        store.close()
    back = export(laptop, tmp_path / "back.zip")
    settle = cli(central, "bundle", "import", str(back), "--settle", "database", "--trust-once")
    assert settle.exit_code == 0, settle.output
    assert "settled: Testshire T/1 primary" in settle.stderr
    _imported_again_untouched(central, back, monkeypatch)


def test_a_large_imports_summary_names_the_first_reviews_and_counts_the_rest(
    tmp_path: Path, central: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nine new reviews, three listed: three named lines, then one line counting the six
    others (a national audit's 25,000 lines would be noise)."""
    monkeypatch.setattr(batching, "LISTED", 3)
    result = imported(tmp_path / "laptop.db", export(central, tmp_path / "b.zip"))
    assert result.exit_code == 0, result.output
    out = result.stdout + result.stderr
    assert out.count("new review: ") == 3
    assert "and 6 more review(s) not listed: 6 new review\n" in out


def test_a_review_whose_identity_another_audit_holds_is_refused_by_its_line(
    tmp_path: Path,
) -> None:
    """A bundle edited to be another audit (its own uuid and name) but carrying this
    database's review: the review's and its events' identities are another audit's here, so
    the import is refused, naming the line, and nothing is written (the unique index refuses
    it first; the message then says which line and why)."""
    import uuid as uuids

    from tests.unit.bundles.bundle_edits import central_store, edited, run_import

    store, _ = central_store(tmp_path / "central.db")

    def another_audit(content: dict[str, Any]) -> None:
        content["audit"]["uuid"] = str(uuids.uuid4())
        content["audit"]["name"] = "A copy under another name"
        # without the audit's own events (whose identities the audit's part refuses first)
        content["events"] = [e for e in content["events"] if e["review_uuid"] is not None]

    path = edited(store, tmp_path / "copy.zip", another_audit)
    store.close()
    before = dump(tmp_path / "central.db")
    result = run_import(tmp_path / "central.db", path)
    assert result.exit_code == 2, result.output
    assert (
        "reviews.jsonl: reviews.0.uuid: the identity of one of another audit's reviews in "
        "this database"
    ) in result.output
    assert "reviews.jsonl: reviews.0.events.0.uuid: the identity of one of another audit's" in (
        result.output
    )
    assert dump(tmp_path / "central.db") == before
