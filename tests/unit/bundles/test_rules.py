"""An edited, resealed bundle brings nothing the app would not let a reviewer do: its reviews,
answers, assignments and references keep the app's rules (rules.py, text.py), every answer is
backed by its events, and a shipped checklist is not replaced. Refused: exit 2, naming the
file, the member and the field; the database as it was, or no new file at all."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from casereview.store import Store
from tests.unit.bundles.bundle_edits import (
    Content,
    central_store,
    dump,
    edited,
    exported,
    files_of,
    ids,
    run_import,
    said,
)


@pytest.fixture
def central(tmp_path: Path) -> Store:
    store, _audit = central_store(tmp_path / "central.db")
    return store


@pytest.fixture
def laptop(tmp_path: Path, central: Store) -> Path:
    """A laptop's database holding the audit, from an honest bundle of the office's."""
    db = tmp_path / "laptop.db"
    result = run_import(db, exported(central, tmp_path / "honest.zip"))
    assert result.exit_code == 0, result.output
    return db


def refused(db: Path, path: Path, *says: str) -> None:
    """Importing `path` into `db` is refused naming the file, the member and the fields, and
    the database is as it was (or, new, not there at all)."""
    before = dump(db) if db.exists() else None
    result = run_import(db, path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"casereview: {path}"), result.stderr
    assert "Traceback" not in result.output
    for text in says:
        assert said(text) in result.stderr, result.stderr
    if before is None:
        assert files_of(db) == []
    else:
        assert dump(db) == before


def _index(content: Content, part: str, case_ref: str, role: str | None = None) -> int:
    return next(
        i
        for i, item in enumerate(content[part])
        if item["case_ref"] == case_ref and (role is None or item["role"] == role)
    )


# --------------------------------------------------------------------- moderation


def _moderate(content: Content, with_events: bool) -> int:
    """A completed moderated review of T/1, whose pair has no second review: the primary's
    answers taken as moderated. With events: a trail forged to match it."""
    primary = content["reviews"][_index(content, "reviews", "T/1", "primary")]
    review = {
        **primary,
        "uuid": str(uuid.uuid4()),
        "role": "moderated",
        "reviewer": "mod",
        "answers": [{**a, "updated_by": "mod"} for a in primary["answers"]],
    }
    content["reviews"].append(review)
    if with_events:
        at = primary["updated_at"]
        forged: list[tuple[str, str | None, str | None, str | None]]
        forged = [("review_started", None, "moderated", None)]
        forged += [
            ("moderation", a["question_id"], a["value"], "agreed") for a in primary["answers"]
        ]
        forged += [("status", None, "complete", None)]
        for kind, qid, new, reason in forged:
            content["events"].append(
                {"uuid": str(uuid.uuid4()), "review_uuid": review["uuid"], "at": at,
                 "actor": "mod", "kind": kind, "question_id": qid, "old": None, "new": new,
                 "reason": reason}
            )  # fmt: skip
    return len(content["reviews"]) - 1


@pytest.mark.parametrize("with_events", [False, True])
def test_a_moderated_review_without_its_second_review_is_refused(
    tmp_path: Path, central: Store, laptop: Path, with_events: bool
) -> None:
    n = []
    path = edited(
        central, tmp_path / "moderated.zip", lambda c: n.append(_moderate(c, with_events))
    )
    if with_events:  # the trail forged too: the moderation rule, with the database's state
        says = [
            f"bundle.json: reviews.{n[0]} (Testshire T/1 moderated by mod): moderation needs "
            "a completed primary and a completed second review"
        ]
    else:  # answers nobody gave in the trail: refused before the database is opened
        says = [
            f"bundle.json: reviews.{n[0]}.answers.0.value (Testshire T/1 moderated by mod): "
            "REC-01 'yes' is not backed by its events",
            f"bundle.json: reviews.{n[0]}.status",
        ]
    refused(laptop, path, *says)
    refused(tmp_path / "new.db", path, *says)


def test_an_answer_changed_without_its_events_is_refused(tmp_path: Path, central: Store) -> None:
    """ann's completed T/1: REC-03 said yes, the file now says no (allowed and shown, so only
    the trail tells), and her review stays complete."""
    where = []

    def edit(content: Content) -> None:
        i = _index(content, "reviews", "T/1", "primary")
        for j, answer in enumerate(content["reviews"][i]["answers"]):
            if answer["question_id"] == "REC-03":
                answer["value"] = "no"
                where.append(f"bundle.json: reviews.{i}.answers.{j}.value")

    path = edited(central, tmp_path / "changed.zip", edit)
    refused(tmp_path / "new.db", path, where[0], "'no'", "not backed by its events")


def test_a_completed_review_whose_events_never_complete_it_is_refused(
    tmp_path: Path, central: Store
) -> None:
    where = []

    def edit(content: Content) -> None:
        i = _index(content, "reviews", "T/1", "primary")
        review = content["reviews"][i]
        content["events"] = [
            e for e in content["events"]
            if not (e["review_uuid"] == review["uuid"] and e["kind"] == "status")
        ]  # fmt: skip
        where.append(f"bundle.json: reviews.{i}.status")

    refused(tmp_path / "new.db", edited(central, tmp_path / "x.zip", edit), where[0], "complete")


# The edits below forge the trail to match, so that what refuses them is the rule named.


def _blank_answers(content: Content) -> None:
    content["reviews"][0]["answers"] = []
    content["events"] = [e for e in content["events"] if e["kind"] not in ("answer", "note")]


def _answer_hidden(content: Content) -> None:
    # mini.yaml shows REC-02 only when REC-01 is yes: REC-01 becomes no, REC-02 keeps yes
    for a in content["reviews"][0]["answers"] + content["events"]:
        if a["question_id"] == "REC-01":
            a["value" if "value" in a else "new"] = "no"


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (_blank_answers, "status (Testshire T/1 primary by ann): complete, but shown questions"
                         " are unanswered (REC-01"),
        (_answer_hidden, "answers (Testshire T/1 primary by ann): REC-02 is answered, but its "
                         "skip logic hides it"),
    ],
)  # fmt: skip
def test_an_edited_bundle_breaking_the_checklist_writes_nothing(
    tmp_path: Path, central: Store, edit: Callable[[Content], None], says: str
) -> None:
    refused(
        tmp_path / "new.db",
        edited(central, tmp_path / "x.zip", edit),
        f"bundle.json: reviews.0.{says}",
    )


def test_a_bundle_cannot_hand_a_review_to_another_reviewer(
    tmp_path: Path, central: Store, laptop: Path
) -> None:
    audit = central.audits()[0]
    [review] = central.reviews_of_case(audit.id, ids(central)["T/1@Testshire"])
    central.reopen_review(review.id, "ann", "one more look")  # the bundle is ahead of the laptop
    path = edited(central, tmp_path / "x.zip", lambda c: c["reviews"][0].update(reviewer="mallory"))
    refused(laptop, path, "bundle.json: reviews.0.reviewer", "was ann's, the bundle says mallory's")


# --------------------------------------------------------------------- assignment


def test_a_forged_assignment_cannot_make_the_assignee_its_own_second_reviewer(
    tmp_path: Path, central: Store, laptop: Path
) -> None:
    k = []

    def edit(content: Content) -> None:
        k.append(_index(content, "cases", "T/2"))
        content["cases"][k[0]]["second_reviewer"] = "bob"  # T/2 is assigned to bob

    path = edited(central, tmp_path / "assigned.zip", edit)
    says = (
        f"bundle.json: cases.{k[0]}.second_reviewer (Testshire T/2)",
        "bob is assigned this case's primary review; a second review must be by someone else",
    )
    refused(laptop, path, *says)
    refused(tmp_path / "new.db", path, *says)


# --------------------------------------------------------------------- references


def test_a_reference_with_invisible_characters_is_refused_and_not_echoed(
    tmp_path: Path, central: Store, laptop: Path
) -> None:
    """`cases import` refuses a reference with a zero-width space or a control character;
    a bundle brings none either, and says which without printing it."""
    k = []

    def edit(content: Content) -> None:
        k.append(_index(content, "cases", "T/5"))  # a case nobody has reviewed
        content["cases"][k[0]]["case_ref"] = "T/5\u200b\x1b]0;owned\x07\x1b[2J"

    path = edited(central, tmp_path / "ref.zip", edit)
    says = (f"bundle.json: cases.{k[0]}.case_ref", "U+200B ZERO WIDTH SPACE")
    for db in (tmp_path / "new.db", laptop):
        refused(db, path, *says)
        assert "\x1b" not in run_import(db, path).output


def test_a_name_with_escape_sequences_is_refused_and_not_echoed(
    tmp_path: Path, central: Store
) -> None:
    """Names are held to the same rule as references: none makes a terminal misbehave."""

    def reviewer(content: Content) -> None:
        content["reviews"][0]["reviewer"] = "ann\x1b[2J"

    def actor(content: Content) -> None:
        content["events"][0]["actor"] = "lead\u200b"

    # (a format-3 bundle is refused at the first part that breaks a rule: one edit each)
    for edit, says in (
        (reviewer, "bundle.json: reviews.0.reviewer: reviewer has an invisible or control"),
        (actor, "bundle.json: events.0.actor: actor has an invisible or control character (U+200B"),
    ):
        path = edited(central, tmp_path / "names.zip", edit)
        refused(tmp_path / "new.db", path, says)
        assert "\x1b" not in run_import(tmp_path / "new.db", path).output


@pytest.mark.parametrize("name", ["Forged\x1b[31m\nname", "Dip\u202esample", "   "])
def test_an_audit_name_no_audit_may_have_is_refused(
    tmp_path: Path, central: Store, name: str
) -> None:
    """An audit's name from a bundle is held to the rule `audit create` and the app hold
    (store.check_audit_name): a database the bundle's audit would be made in refuses it."""

    def edit(content: Content) -> None:
        content["audit"]["name"] = name

    path = edited(central, tmp_path / "audit-name.zip", edit)
    says = ("bundle.json: audit.name:",)
    refused(tmp_path / "new.db", path, *says)
    assert "\x1b" not in run_import(tmp_path / "new.db", path).output


# --------------------------------------------------------------------- shipped checklists


def _shipped_audit(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "office.db")
    store.ensure_shipped_checklists()
    from casereview.io.imports.cases import read_case_file
    from tests.factories import CASES

    store.insert_case_rows(read_case_file(CASES).rows)
    info = store.find_checklist("stalking-casefile@2.0")
    store.create_audit("Casefile audit", info.pk, list(ids(store).values()), "lead", seed=1)
    return store


def test_a_bundle_cannot_replace_a_shipped_checklist_in_a_new_database(tmp_path: Path) -> None:
    from casereview.store.shipped import content_hash

    office = _shipped_audit(tmp_path)
    honest = exported(office, tmp_path / "honest.zip")
    content, text = office.bundle_content(office.audits()[0].id, None, "lead")
    changed = text.replace("title: Stalking and harassment case-file review", "title: Ours", 1)
    assert changed != text
    content["checklist"]["content_hash"] = content["audit"]["checklist_hash"] = content_hash(
        changed
    )
    content["checklist"]["title"] = "Ours"
    from casereview.io.bundles import archive as bundle

    path = tmp_path / "replaced.zip"
    path.write_bytes(bundle.pack(content, changed))
    says = ("checklist.yaml", "stalking-casefile@2.0", "ships with casereview")
    refused(tmp_path / "new.db", path, *says)  # a fresh laptop: no file left behind
    dry = run_import(tmp_path / "new.db", path, "--dry-run")  # says so too, creating nothing
    assert dry.exit_code == 2 and all(text in dry.stderr for text in says), dry.output
    assert files_of(tmp_path / "new.db") == []
    Store.open(tmp_path / "empty.db").close()  # a database made, nothing stored yet
    refused(tmp_path / "empty.db", path, *says)

    # the honest bundle is welcome, and the version it uses is the one that ships
    result = run_import(tmp_path / "new.db", honest)
    assert result.exit_code == 0, result.output
    laptop = Store.open(tmp_path / "new.db")
    assert laptop.find_checklist("stalking-casefile@2.0").content_hash == content_hash(text)
    laptop.close()
