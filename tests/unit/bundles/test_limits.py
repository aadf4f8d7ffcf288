"""A bundle is read within bounds and refused, never crashed on: a field the merge reads
missing, JSON nested without end, a member that inflates far past its manifest, content
that contradicts itself. Each refusal exits 2 naming the file, the member and the field, and
leaves no new database behind; a dry run creates nothing."""

from __future__ import annotations

import json
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casereview.core import bounded
from casereview.io.bundles import archive as bundle
from casereview.io.bundles import stream
from casereview.store import Store
from tests.unit.bundles.bundle_edits import (
    Content,
    central_store,
    deflated,
    deflated_zeros,
    dump,
    edited,
    exported,
    files_of,
    members_of,
    resealed_members,
    run_import,
    said,
    zip_by_hand,
)


@pytest.fixture
def central(tmp_path: Path) -> Store:
    store, _audit = central_store(tmp_path / "central.db")
    return store


def refused_into_new(tmp_path: Path, path: Path, *says: str) -> str:
    db = tmp_path / "new.db"
    result = run_import(db, path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"casereview: {path}"), result.stderr
    assert "Traceback" not in result.output
    for text in says:
        assert said(text) in result.stderr, result.stderr
    assert files_of(db) == []
    return result.stderr


def _other_review_uuid(c: Content) -> None:
    c["reviews"].append({**c["reviews"][0]})  # the same uuid twice


def _unsampled_case(c: Content) -> None:
    c["reviews"][0]["case_ref"] = "T/99"


def _event_of_no_review(c: Content) -> None:
    c["events"][-1]["review_uuid"] = str(uuid.uuid4())


def _object_value(c: Content) -> None:
    c["events"][-1]["new"] = {"value": "yes"}


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda c: c.pop("checklist"), "bundle.json: checklist: Field required"),
        (lambda c: c["reviews"][0].pop("uuid"), "bundle.json: reviews.0.uuid: Field required"),
        (lambda c: c["reviews"][0].update(role="boss"), "reviews.0.role: Input should be"),
        (lambda c: c["cases"][0].update(reported_at="yesterday"), "cases.0.reported_at"),
        (lambda c: c["events"][0].update(at=7), "events.0.at: Input should be a valid string"),
        (lambda c: c["cases"][0].pop("team"), "bundle.json: cases.0.team: Field required"),
        (lambda c: c["audit"].update(seed=10**30), "bundle.json: audit.seed: Input should be"),
        (lambda c: c["audit"].update(uuid=""), "bundle.json: audit.uuid: String should match"),
        (lambda c: c["checklist"].pop("source"), "bundle.json: checklist.source: Field required"),
        (lambda c: c["audit"].pop("created_by"), "bundle.json: audit.created_by: Field required"),
        (lambda c: c["cases"][0].update(extra={"x": [1]}), "bundle.json: cases.0.extra.x"),
        (lambda c: c["reviews"][0]["answers"][0].update(note=None), "reviews.0.answers.0.note"),
        (_object_value, "bundle.json: events.{last}.new"),
        (_other_review_uuid, "bundle.json: reviews.1.uuid"),
        (_unsampled_case, "bundle.json: reviews.0 (Testshire T/99 primary by ann)"),
        (_event_of_no_review, "bundle.json: events.{last}.review_uuid"),
    ],
)
def test_a_field_the_merge_reads_missing_or_wrong_is_refused_by_name(
    tmp_path: Path, central: Store, edit: Callable[[Content], object], says: str
) -> None:
    last = []

    def edit_and_count(content: Content) -> None:
        edit(content)
        last.append(len(content["events"]) - 1)

    path = edited(central, tmp_path / "edited.zip", edit_and_count)
    refused_into_new(tmp_path, path, says.replace("{last}", str(last[0])))


def test_an_existing_database_is_left_as_it_was(tmp_path: Path, central: Store) -> None:
    db = tmp_path / "laptop.db"
    assert run_import(db, exported(central, tmp_path / "honest.zip")).exit_code == 0
    before = dump(db)
    path = edited(central, tmp_path / "x.zip", _object_value)
    result = run_import(db, path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"casereview: {path}")
    assert dump(db) == before


def test_json_nested_200000_deep_is_refused_before_it_is_parsed(
    tmp_path: Path, central: Store
) -> None:
    members = members_of(exported(central, tmp_path / "honest.zip"))
    members["bundle.json"] = b"[" * 200_000 + b"]" * 200_000
    path = resealed_members(tmp_path / "deep.zip", members)
    refused_into_new(tmp_path, path, "bundle.json", "nested deeper than")


@pytest.mark.parametrize("manifest_says", ["the real size", "1.5 GiB"])
def test_a_member_inflating_to_15_gib_is_refused_reading_little(
    tmp_path: Path, central: Store, manifest_says: str
) -> None:
    """A 1.5 MB file whose bundle.json inflates to 1.5 GiB: the manifest's size (or, claimed
    that large, a cap) bounds what is read, in chunks, never the whole member first."""
    members = members_of(exported(central, tmp_path / "honest.zip"))
    gib = 1536 << 20
    files = {name: {"sha256": "0" * 64, "bytes": len(data)} for name, data in members.items()}
    if manifest_says != "the real size":
        files["bundle.json"]["bytes"] = gib
    manifest = json.dumps({"format": bundle.FORMAT, "format_version": 1, "files": files})
    path = zip_by_hand(
        tmp_path / "bomb.zip",
        [
            ("manifest.json", *deflated(manifest.encode())),
            ("bundle.json", deflated_zeros(1536), gib, 0),
            ("checklist.yaml", *deflated(members["checklist.yaml"])),
        ],
    )
    assert path.stat().st_size < 4 << 20
    tracemalloc.start()
    began = time.monotonic()
    try:
        refused_into_new(tmp_path, path, "bundle.json")
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, f"{peak >> 20} MiB held while refusing it"
    assert time.monotonic() - began < 30  # a bound, not a measurement: reading it all is minutes


def test_a_dry_run_creates_no_database(tmp_path: Path, central: Store) -> None:
    db = tmp_path / "new.db"
    result = run_import(db, exported(central, tmp_path / "honest.zip"), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "the audit, new to this database (6 new pool cases)" in result.stdout
    assert "new review: Testshire T/1 primary by ann (complete, 4 answers)" in result.stdout
    assert files_of(db) == []
    assert not db.parent.joinpath("new.db-journal").exists()


def test_a_newer_format_is_refused_by_name(tmp_path: Path) -> None:
    """A format this casereview does not know, sealed correctly, is named, not called damage."""
    newer = stream.FORMAT_VERSION + 1  # the newest this casereview reads (format 3)
    manifest = json.dumps({"format": bundle.FORMAT, "format_version": newer}).encode()
    path = zip_by_hand(tmp_path / "new.zip", [("manifest.json", *deflated(manifest))])
    result = run_import(tmp_path / "x.db", path)
    assert result.exit_code == 2
    assert f"{path} is a casereview bundle of format {newer}, newer than this casereview" in (
        result.stderr
    )
    assert files_of(tmp_path / "x.db") == []


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


# strings full of what could fool a count of brackets: brackets, quotes, backslashes
tricky = st.text(st.sampled_from('[]{}"\\ab\u00e9\n'), max_size=6)
values = st.recursive(
    st.none() | st.integers() | tricky,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky, inner, max_size=3),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(values, st.booleans(), st.sampled_from([None, 1]))
def test_json_depth_is_the_parsed_depth(
    value: object, ascii_only: bool, indent: int | None
) -> None:
    """json_depth counts nesting without parsing, whatever the strings hold."""
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode()
    assert bounded.json_depth(text) == _depth(value)
