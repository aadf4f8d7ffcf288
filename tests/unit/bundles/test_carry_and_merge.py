"""Bundles: an audit carried to laptops and merged back, nothing lost, nothing chosen silently."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.core.bundles.batching import Totals
from casereview.core.bundles.merge import BundleConflict, BundleError, Plan
from casereview.io.bundles import archive as bundle
from casereview.io.bundles import stream
from casereview.store import AuditInfo, Store
from tests.factories import complete_review, seed_store
from tests.unit.bundles.bundle_edits import content_of

FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}


def export(store: Store, path: Path, reviewer: str | None = None, viewer: str = "lead") -> Path:
    """The audit as `bundle export` writes it (format 3), unsigned and plain."""
    audit = store.audits()[0]
    stream.export(store, audit.id, path, reviewer, viewer, None, [], None)
    return path


def merge(store: Store, path: Path, actor: str = "lead") -> Plan | Totals:
    """The bundle merged as `bundle import` merges it: format 3 streamed, older read whole."""
    opened = bundle.read(path)
    if isinstance(opened, stream.Streamed):
        try:
            return store.merge_streamed(opened, str(path), actor)
        finally:
            opened.close()
    return store.merge_bundle(opened, str(path), actor)


def dump(store: Store) -> str:
    return "\n".join(store.db.conn.iterdump())


def ids(store: Store) -> dict[str, int]:
    return {c.case_ref + "@" + c.force: c.id for c in store.cases()}


def trail(store: Store, audit_id: int) -> list[tuple[object, ...]]:
    """The audit's events by identity and content (local ids differ between files)."""
    rows = store.db.execute(
        "SELECT e.uuid, r.uuid, e.question_id, e.kind, e.old, e.new, e.reason, e.actor, e.at"
        " FROM events e LEFT JOIN reviews r ON r.id = e.review_id"
        " WHERE e.audit_id = ? OR r.audit_id = ? ORDER BY e.uuid",
        [audit_id, audit_id],
    )
    return [tuple(r) for r in rows]


AnswerState = tuple[str | None, str, str, str]
ReviewState = tuple[str, str, str | None, dict[str, AnswerState]]


def reviews(store: Store, audit_id: int) -> dict[tuple[str, str], ReviewState]:
    """(case, role) -> (reviewer, status, completed_at, answers with notes and who/when)."""
    out: dict[tuple[str, str], ReviewState] = {}
    for ac in store.audit_cases(audit_id):
        for r in store.reviews_of_case(audit_id, ac.case.id):
            answers = {
                q: (a.value, a.note, a.updated_by, a.updated_at)
                for q, a in store.answers(r.id).items()
            }
            out[(ac.case.case_ref + "@" + ac.case.force, r.role)] = (
                r.reviewer,
                r.status,
                r.completed_at,
                answers,
            )
    return out


@pytest.fixture
def central(tmp_path: Path) -> tuple[Store, AuditInfo]:
    store = Store.open(tmp_path / "central.db")
    audit = seed_store(store)
    case = ids(store)
    store.assign(audit.id, case["T/1@Testshire"], "ann", "lead")
    store.assign(audit.id, case["T/2@Testshire"], "bob", "lead")
    store.assign(audit.id, case["T/3@Testshire"], "ann", "lead")
    return store, audit


# --------------------------------------------------------------------- the round trip


def test_central_to_two_laptops_and_back(tmp_path: Path, central: tuple[Store, AuditInfo]) -> None:
    store, audit = central
    laptops = {}
    for who in ("ann", "bob"):
        laptop = Store.open(tmp_path / f"{who}.db")  # a new, empty database on each laptop
        made = merge(laptop, export(store, tmp_path / f"to-{who}.zip", reviewer=who), who)
        assert made.create_audit and "(6 new pool cases)" in made.summary()[0]
        [copy] = laptop.audits()
        assert (copy.name, copy.checklist_label, copy.seed) == ("Test audit", "mini@1", 1)
        assert laptop.bundle_history(copy.id)[0] is not None  # says it came from a bundle
        laptops[who] = (laptop, copy)

    ann, ann_audit = laptops["ann"]
    case = ids(ann)
    done = ann.open_review(ann_audit.id, case["T/1@Testshire"], "ann")
    for qid, value in FULL.items():
        ann.set_answer(done.id, qid, value, "ann")
    ann.set_note(done.id, "REC-03", "Linked to 23/998", "ann")
    ann.complete_review(done.id, "ann")
    going = ann.open_review(ann_audit.id, case["T/3@Testshire"], "ann")
    ann.set_answer(going.id, "REC-01", "no", "ann")
    ann.set_note(going.id, "REC-01", "No crime report on file", "ann")

    bob, bob_audit = laptops["bob"]
    case = ids(bob)
    twice = complete_review(bob, bob_audit.id, case["T/2@Testshire"], "bob", "primary", FULL)
    bob.reopen_review(twice, "bob", "REC-02 was recorded as s2 first")
    bob.set_answer(twice, "REC-02", "partly", "bob")
    bob.complete_review(twice, "bob")

    for who, (laptop, _) in laptops.items():
        merge(store, export(laptop, tmp_path / f"from-{who}.zip", reviewer=who, viewer=who))

    got = reviews(store, audit.id)
    for laptop, copy in laptops.values():
        assert {k: v for k, v in reviews(laptop, copy.id).items()} == {
            k: v for k, v in got.items() if v[0] == laptop_reviewer(laptop, copy.id)
        }
    assert {k: v[:2] for k, v in got.items()} == {
        ("T/1@Testshire", "primary"): ("ann", "complete"),
        ("T/3@Testshire", "primary"): ("ann", "in_progress"),
        ("T/2@Testshire", "primary"): ("bob", "complete"),
    }
    assert got[("T/3@Testshire", "primary")][3]["REC-01"][:2] == ("no", "No crime report on file")
    assert got[("T/1@Testshire", "primary")][3]["REC-03"][:2] == ("yes", "Linked to 23/998")
    assert got[("T/2@Testshire", "primary")][3]["REC-02"][:3] == ("partly", "", "bob")
    # Every event of each laptop is in the central trail, the reopening with its reason.
    central_trail = set(trail(store, audit.id))
    for laptop, copy in laptops.values():
        assert set(trail(laptop, copy.id)) <= central_trail
    reopened = [e for e in central_trail if e[3] == "status" and e[4] == "complete"]
    assert [(e[6], e[7]) for e in reopened] == [("REC-02 was recorded as s2 first", "bob")]
    assert store.bundle_history(audit.id)[1] is not None  # last merged
    assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []


def laptop_reviewer(laptop: Store, audit_id: int) -> str:
    [who] = {r.reviewer for ac in laptop.audit_cases(audit_id) for r in
             laptop.reviews_of_case(audit_id, ac.case.id)}  # fmt: skip
    return who


def test_moderation_decisions_travel_with_their_reasons(
    tmp_path: Path, central: tuple[Store, AuditInfo]
) -> None:
    store, audit = central
    case = ids(store)["T/1@Testshire"]
    complete_review(store, audit.id, case, "ann", "primary", FULL)
    store.assign_second(audit.id, [case], "sue", "lead")
    complete_review(store, audit.id, case, "sue", "second", {**FULL, "REC-03": "no"})
    laptop = Store.open(tmp_path / "mod.db")
    merge(laptop, export(store, tmp_path / "all.zip"), "mod")
    [copy] = laptop.audits()
    moderated = laptop.start_moderation(copy.id, ids(laptop)["T/1@Testshire"], "mod")
    laptop.set_answer(moderated.id, "REC-03", "no", "mod", reason="no link on file")
    laptop.complete_review(moderated.id, "mod")
    merge(store, export(laptop, tmp_path / "back.zip", reviewer="mod", viewer="mod"))
    [got] = [r for r in store.reviews_of_case(audit.id, case) if r.role == "moderated"]
    assert (got.reviewer, got.status) == ("mod", "complete")
    assert store.answer_values(got.id)["REC-03"] == "no"
    decisions = [(e.question_id, e.new, e.reason) for e in store.events(review_id=got.id)]
    assert ("REC-03", "no", "no link on file") in decisions


# --------------------------------------------------------------------- twice, and conflicts


def test_importing_twice_changes_nothing(tmp_path: Path, central: tuple[Store, AuditInfo]) -> None:
    store, audit = central
    complete_review(store, audit.id, ids(store)["T/1@Testshire"], "ann", "primary", FULL)
    path = export(store, tmp_path / "b.zip")
    laptop = Store.open(tmp_path / "laptop.db")
    merge(laptop, path, "ann")
    before = dump(laptop)
    again = merge(laptop, path, "ann")
    assert again.empty
    assert dump(laptop) == before
    # and central, given back what it already has, stays byte for byte as it was
    before = dump(store)
    assert merge(store, export(laptop, tmp_path / "back.zip")).empty
    assert dump(store) == before


def test_a_review_changed_on_both_sides_is_listed_and_nothing_written(
    tmp_path: Path, central: tuple[Store, AuditInfo]
) -> None:
    store, audit = central
    case = ids(store)["T/1@Testshire"]
    review = store.open_review(audit.id, case, "ann")
    store.set_answer(review.id, "REC-01", "yes", "ann")
    laptop = Store.open(tmp_path / "laptop.db")
    merge(laptop, export(store, tmp_path / "out.zip"), "ann")
    [copy] = laptop.audits()
    [there] = laptop.reviews_of_case(copy.id, ids(laptop)["T/1@Testshire"])
    laptop.set_answer(there.id, "REC-03", "no", "ann")  # on the laptop
    store.set_answer(review.id, "REC-03", "partly", "lead")  # meanwhile at the office
    back = export(laptop, tmp_path / "back.zip")
    before = dump(store)
    result = CliRunner().invoke(
        main, ["--db", str(tmp_path / "central.db"), "bundle", "import", str(back), "--trust-once"]
    )
    assert result.exit_code == 2, result.output
    assert dump(store) == before
    err = result.stderr
    assert f"{back} conflicts with this database in 1 place(s); nothing was imported" in err
    line = next(x for x in err.splitlines() if "REC-03" in x)
    assert re.fullmatch(
        r"\s+T/1 Testshire primary REC-03: this database partly by lead at \S+; "
        r"the bundle no by ann at \S+",
        line.replace("Testshire T/1", "T/1 Testshire"),
    ), line
    assert "--settle database" in err and "--settle bundle" in err

    # Settled, by the importer's explicit choice: the bundle's answer stands, both sides'
    # events are in the trail, and one more says how it was settled.
    result = CliRunner().invoke(
        main,
        ["--db", str(tmp_path / "central.db"), "--reviewer", "lead", "bundle", "import",
         str(back), "--settle", "bundle", "--trust-once"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "settled: Testshire T/1 primary by ann: kept bundle's answers" in result.stderr
    settled = Store.open(tmp_path / "central.db")
    assert settled.answer_values(review.id)["REC-03"] == "no"
    kinds = [(e.question_id, e.old, e.new, e.actor, e.reason) for e in settled.events(review.id)]
    assert ("REC-03", None, "partly", "lead", None) in kinds  # the office's change, kept
    assert ("REC-03", None, "no", "ann", None) in kinds  # the laptop's
    assert kinds[-1] == ("REC-03", "partly", "no", "lead", "conflict settled on import: kept "
                         "the bundle's")  # fmt: skip
    settled.close()
    # the laptop, given the office's state, now simply catches up
    store.close()
    store = Store.open(tmp_path / "central.db")
    merge(laptop, export(store, tmp_path / "again.zip"), "ann")
    assert laptop.answer_values(there.id)["REC-03"] == "no"
    assert merge(store, export(laptop, tmp_path / "once-more.zip")).empty


def test_two_reviews_of_one_case_started_apart_are_a_conflict(
    tmp_path: Path, central: tuple[Store, AuditInfo]
) -> None:
    store, audit = central
    laptop = Store.open(tmp_path / "laptop.db")
    merge(laptop, export(store, tmp_path / "out.zip"), "bob")
    [copy] = laptop.audits()
    laptop.open_review(copy.id, ids(laptop)["T/4@Testshire"], "bob")
    store.open_review(audit.id, ids(store)["T/4@Testshire"], "ann")
    before = dump(store)
    with pytest.raises(BundleConflict) as caught:
        merge(store, export(laptop, tmp_path / "back.zip"))
    assert "two reviews of one case in one role" in str(caught.value)
    assert "by ann" in str(caught.value) and "by bob" in str(caught.value)
    assert dump(store) == before


def test_dry_run_lists_and_writes_nothing(tmp_path: Path, central: tuple[Store, AuditInfo]) -> None:
    store, audit = central
    complete_review(store, audit.id, ids(store)["T/1@Testshire"], "ann", "primary", FULL)
    path = export(store, tmp_path / "b.zip")
    db = tmp_path / "laptop.db"
    Store.open(db).close()
    before = db.read_bytes()
    result = CliRunner().invoke(
        main, ["--db", str(db), "bundle", "import", str(path), "--dry-run", "--trust-once"]
    )
    assert result.exit_code == 0, result.output
    assert "the audit, new to this database (6 new pool cases)" in result.stdout
    assert "new review: Testshire T/1 primary by ann (complete, 4 answers)" in result.stdout
    assert db.read_bytes() == before


# --------------------------------------------------------------------- damaged files


def _bundle_bytes(tmp_path: Path, central: tuple[Store, AuditInfo]) -> bytes:
    store, audit = central
    complete_review(store, audit.id, ids(store)["T/1@Testshire"], "ann", "primary", FULL)
    return export(store, tmp_path / "good.zip").read_bytes()


def test_one_byte_flipped_anywhere_is_refused(
    tmp_path: Path, central: tuple[Store, AuditInfo]
) -> None:
    raw = _bundle_bytes(tmp_path, central)
    path = tmp_path / "x.zip"
    for at in range(len(raw)):  # every position: headers, members, manifest, seal
        spoilt = bytearray(raw)
        spoilt[at] ^= 0x01
        path.write_bytes(bytes(spoilt))  # format 3: its seal checked over the file
        with pytest.raises(BundleError, match="damaged or truncated|not a casereview"):
            bundle.read(path)


def test_damaged_and_truncated_bundles_exit_2_naming_the_file(
    tmp_path: Path, central: tuple[Store, AuditInfo]
) -> None:
    raw = _bundle_bytes(tmp_path, central)
    db = tmp_path / "laptop.db"
    Store.open(db).close()
    before = db.read_bytes()
    for name, data in (("flipped.zip", raw[:500] + bytes([raw[500] ^ 0x80]) + raw[501:]),
                       ("cut.zip", raw[: len(raw) * 2 // 3])):  # fmt: skip
        path = tmp_path / name
        path.write_bytes(data)
        result = CliRunner().invoke(main, ["--db", str(db), "bundle", "import", str(path)])
        assert result.exit_code == 2
        assert result.stderr.startswith(f"casereview: {path} is damaged or truncated; nothing")
        assert db.read_bytes() == before


# --------------------------------------------------------------------- blindness, the file


def test_a_second_reviewers_bundle_never_carries_the_primary_answers(
    tmp_path: Path, central: tuple[Store, AuditInfo]
) -> None:
    store, audit = central
    case = ids(store)["T/1@Testshire"]
    complete_review(store, audit.id, case, "ann", "primary", {**FULL, "REC-03": "no"})
    store.set_note(
        store.open_review(audit.id, ids(store)["T/3@Testshire"], "ann").id,
        "REC-01",
        "ann's private note",
        "ann",
    )
    store.assign_second(audit.id, [case], "sue", "lead")
    [primary] = store.db.execute(
        "SELECT uuid FROM reviews WHERE case_id = ? AND role = 'primary'", [case]
    ).fetchone()
    for path, reviewer, viewer in (
        (tmp_path / "sue.zip", "sue", "lead"),  # made for sue
        (tmp_path / "by-sue.zip", None, "sue"),  # made by sue, everything asked for
    ):
        export(store, path, reviewer=reviewer, viewer=viewer)
        content = content_of(path)
        roles = {(r["case_ref"], r["role"]) for r in content["reviews"]}
        assert ("T/1", "primary") not in roles
        assert primary not in {e["review_uuid"] for e in content["events"]}
        assert primary not in json.dumps(content)
    # the lead's own bundle has it; once sue's pair is complete hers does too
    export(store, tmp_path / "all.zip")
    assert ("T/1", "primary") in {
        (r["case_ref"], r["role"]) for r in content_of(tmp_path / "all.zip")["reviews"]
    }
    complete_review(store, audit.id, case, "sue", "second", FULL)
    export(store, tmp_path / "after.zip", viewer="sue")
    assert ("T/1", "primary") in {
        (r["case_ref"], r["role"]) for r in content_of(tmp_path / "after.zip")["reviews"]
    }


def test_the_bundle_file_is_owner_only_and_documented_parts(
    tmp_path: Path, central: tuple[Store, AuditInfo]
) -> None:
    store, _ = central
    old = os.umask(0o022)
    try:
        path = tmp_path / "b.zip"
        result = CliRunner().invoke(
            main,
            ["--db", str(tmp_path / "central.db"), "bundle", "export", "--audit", "Test audit",
             "--out", str(path), "--plain"],
        )  # fmt: skip
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == [
            "audit.json", "cases.jsonl", "events.jsonl", "reviews.jsonl", "checklist.yaml",
            "plans.jsonl", "manifest.json", "signature.json",
        ]  # fmt: skip
        manifest = json.loads(zf.read("manifest.json"))
        header = json.loads(zf.read("audit.json"))
        cases = [json.loads(line) for line in zf.read("cases.jsonl").splitlines()]
    assert manifest["format_version"] == stream.FORMAT_VERSION == 3
    assert manifest["files"]["cases.jsonl"]["lines"] == len(cases) > 0
    assert header["checklist"]["content_hash"] == store.checklists()[0].content_hash
    assert [c["case_ref"] for c in cases][:2] and header["audit"]["seed"] == 1


def test_an_audit_whose_cases_clash_with_the_pool_is_refused(
    tmp_path: Path, central: tuple[Store, AuditInfo]
) -> None:
    store, _ = central
    path = export(store, tmp_path / "b.zip")
    other = Store.open(tmp_path / "other.db")
    other.insert_case_rows(
        [["T/1", "Testshire", None, None, None, None, None, None, None, None, "else", {}]]
    )
    before = dump(other)
    with pytest.raises(BundleError, match="clash with this database's pool") as caught:
        merge(other, path)
    assert "case T/1 of 'Testshire' is in this pool with other" in str(caught.value)
    assert dump(other) == before


# --------------------------------------------------------------------- older bundles


def test_a_bundle_exported_before_a_later_migration_still_imports(
    tmp_path: Path, central: tuple[Store, AuditInfo]
) -> None:
    """The bundle does not depend on the schema: one from this version imports into a
    database that has since taken another step (here a column added, as a later migration
    would); tests/fixtures/bundle-v1.zip, written by the first bundle format, keeps
    imports of it honest across real later steps."""
    store, audit = central
    complete_review(store, audit.id, ids(store)["T/1@Testshire"], "ann", "primary", FULL)
    path = export(store, tmp_path / "b.zip")
    later = tmp_path / "later.db"
    Store.open(later).close()
    conn = sqlite3.connect(later)
    conn.execute("ALTER TABLE reviews ADD COLUMN later_step TEXT")
    conn.commit()
    conn.close()
    target = Store.open(later)
    merge(target, path)
    assert reviews(target, target.audits()[0].id) == reviews(store, audit.id)


def test_the_first_format_fixture_still_imports(tmp_path: Path) -> None:
    from tests.factories import FIXTURES

    target = Store.open(tmp_path / "t.db")
    result = merge(target, FIXTURES / "bundle-v1.zip")
    assert result.create_audit
    [audit] = target.audits()
    got = reviews(target, audit.id)
    assert {k: v[:2] for k, v in got.items()} == {
        ("T/1@Testshire", "primary"): ("ann", "complete"),
        ("T/2@Testshire", "primary"): ("bob", "in_progress"),
    }
    assert got[("T/2@Testshire", "primary")][3]["REC-01"][:2] == ("yes", "see the MG3")


def test_the_first_schema_file_gets_a_uuid_on_every_row(tmp_path: Path) -> None:
    """m006 gives each audit, review and event of an older file its own UUID, and leaves the
    rest of every row as it was (the v1 tests in test_migrations check the values)."""
    import shutil

    from tests.factories import FIXTURES

    path = tmp_path / "v1.db"
    shutil.copyfile(FIXTURES / "v1.db", path)
    old = sqlite3.connect(path)
    before = {t: old.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
              for t in ("audits", "reviews", "events")}  # fmt: skip
    old.close()
    store = Store.open(path)
    for table, rows in before.items():
        after = store.db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        # columns later steps added come after the first schema's (uuid among them, found by
        # name: a later step may add a column after it, as calibration's does to events)
        assert [row[: len(was)] for row, was in zip(after, rows, strict=True)] == rows
        columns = [c[1] for c in store.db.execute(f"PRAGMA table_info({table})")]
        uuids = [row[columns.index("uuid")] for row in after]
        assert len(set(uuids)) == len(uuids) == len(rows) > 0
    triggers = {
        n for (n,) in store.db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
    }
    # the trail's two, and m010's that adds a newly sampled case's reference to the palette's
    # trigram index (a later step that rebuilds audit_cases must create it again), and
    # m021's that drop a review's recorded bundle line digest when the review changes (m022
    # dropped the two on each answer and event inserted: a fingerprint stands in)
    assert {t for t in triggers if not t.startswith("review_line_hashes_")} == {
        "events_append_only_update",
        "events_append_only_delete",
        "sampled_refs_on_sample",
    }
    store.close()


def test_reviews_made_apart_keep_the_second_review_rule(
    tmp_path: Path, central: tuple[Store, AuditInfo]
) -> None:
    """bob does T/4's blind second review on a laptop while, at the office, bob starts its
    primary: each was allowed alone, together they are no second opinion."""
    store, audit = central
    laptop = Store.open(tmp_path / "laptop.db")
    merge(laptop, export(store, tmp_path / "out.zip"), "bob")
    [copy] = laptop.audits()
    laptop.open_review(copy.id, ids(laptop)["T/4@Testshire"], "bob", "second")
    store.open_review(audit.id, ids(store)["T/4@Testshire"], "bob")
    before = dump(store)
    with pytest.raises(BundleError, match="nothing was imported") as caught:
        merge(store, export(laptop, tmp_path / "back.zip"))
    assert (
        "reviews.jsonl: reviews.0.reviewer (Testshire T/4 second by bob): bob would do both the "
        "primary and the second review"
    ) in str(caught.value)
    assert dump(store) == before


# Edited and resealed bundles, checked as input: test_rules.py and test_limits.py.
