"""Hostile bundles for the tests: a real exported bundle, edited and resealed as anyone can.

A bundle's seal has no key: bundle.pack (and, for members a real export never holds, the
same zip and SHA-256 comment written by hand here) seals any content. So a test built on
these proves that an edit is caught by the content rules, never by the seal.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.io.bundles import archive as bundle
from casereview.io.bundles import stream
from casereview.store import AuditInfo, Store
from tests.factories import complete_review, seed_store

FULL = {"REC-01": "yes", "REC-02": "yes", "REC-03": "yes", "SPO-01": "na"}
Content = dict[str, Any]


def ids(store: Store) -> dict[str, int]:
    return {c.case_ref + "@" + c.force: c.id for c in store.cases()}


def central_store(path: Path) -> tuple[Store, AuditInfo]:
    """The office's database: the mini audit, three cases assigned, ann's T/1 primary
    complete."""
    store = Store.open(path)
    audit = seed_store(store)
    case = ids(store)
    store.assign(audit.id, case["T/1@Testshire"], "ann", "lead")
    store.assign(audit.id, case["T/2@Testshire"], "bob", "lead")
    store.assign(audit.id, case["T/3@Testshire"], "ann", "lead")
    complete_review(store, audit.id, case["T/1@Testshire"], "ann", "primary", FULL)
    return store, audit


def edited(store: Store, path: Path, edit: Callable[[Content], object], lines: bool = True) -> Path:
    """The store's audit exported, edited, and resealed: as format 3 (as_lines, the format
    `bundle export` writes), or with `lines` False by bundle.pack (format 2, one document)."""
    content, text = store.bundle_content(store.audits()[0].id, None, "lead")
    edit(content)
    if lines:
        return as_lines(path, content, text)
    path.write_bytes(bundle.pack(content, text))
    return path


def as_lines(path: Path, content: Content, text: str) -> Path:
    """The same content as a format-3 bundle (io.bundles.stream), unsigned and sealed: each
    review on its line with its events, the audit's own events on theirs."""
    header = {k: v for k, v in content.items() if k not in ("cases", "reviews", "events")}
    of: dict[str | None, list[Content]] = {}
    for event in content["events"]:
        of.setdefault(event["review_uuid"], []).append(event)
    reviews = [{**r, "events": of.pop(r.get("uuid"), [])} for r in content["reviews"]]
    audit_events = of.pop(None, [])
    if reviews:  # events of no review the content holds: on the last line, still saying so
        reviews[-1]["events"] += [e for events in of.values() for e in events]
    path.unlink(missing_ok=True)
    stream.write(path, header, text, content["cases"], audit_events, reviews)
    return path


def content_of(path: Path) -> Content:
    """A plain format-3 bundle's content in the one-document shape (bundle.json's): the
    header, the cases, the reviews, and every event (each review's told its review)."""
    with zipfile.ZipFile(path) as zf:
        content: Content = json.loads(zf.read("audit.json"))
        content["cases"] = [json.loads(x) for x in zf.read("cases.jsonl").splitlines()]
        content["events"] = [json.loads(x) for x in zf.read("events.jsonl").splitlines()]
        content["reviews"] = [json.loads(x) for x in zf.read("reviews.jsonl").splitlines()]
    for review in content["reviews"]:
        content["events"] += [{**e, "review_uuid": review["uuid"]} for e in review.pop("events")]
    return content


def exported(store: Store, path: Path) -> Path:
    """The store's audit as a format-2 bundle (bundle.json: the members tests edit by hand)."""
    return edited(store, path, lambda c: None, lines=False)


def said(text: str) -> str:
    """What a refusal says of a format-2 bundle's `bundle.json: reviews.3...`, as it says it
    of the same content in format 3 (as_lines): each part in its member, a review's event by
    its place on the review's line (unknown here: the name is left to the field)."""
    for part, member in (("reviews", "reviews.jsonl"), ("cases", "cases.jsonl"),
                         ("audit", "audit.json"), ("checklist", "audit.json")):  # fmt: skip
        text = text.replace(f"bundle.json: {part}", f"{member}: {part}")
    return re.sub(r"bundle\.json: events\.\d+", "", text)


def members_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in bundle.MEMBERS}


def resealed_members(
    path: Path, members: dict[str, bytes], manifest: dict[str, Any] | None = None
) -> Path:
    """A bundle of these member bytes, with an honest manifest unless one is given, sealed as
    bundle.pack seals (zip comment: the prefix and the SHA-256 of every byte before it)."""
    manifest = manifest or {
        "format": bundle.FORMAT,
        "format_version": bundle.FORMAT_VERSION,
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in members.items()
        },
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.comment = bundle.SEAL_PREFIX + b"0" * 64
        zf.writestr("manifest.json", json.dumps(manifest))
        for name, data in members.items():
            zf.writestr(name, data)
    return seal(path)


def seal(path: Path) -> Path:
    raw = bytearray(path.read_bytes())
    raw[-64:] = hashlib.sha256(raw[:-64]).hexdigest().encode()
    path.write_bytes(bytes(raw))
    return path


def deflated_zeros(mib: int) -> bytes:
    """Raw deflate data that inflates to `mib` MiB of zeros, made in milliseconds: one MiB
    compressed once and ended with a full flush (so it refers to nothing before it),
    repeated, then an empty final block."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(1 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)
    return block * mib + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def zip_by_hand(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A sealed zip of (name, raw deflate data, inflated size, CRC-32) members, written
    byte by byte: zipfile would inflate nothing it is not given, so a member that claims
    1.5 GB is written here without 1.5 GB ever existing."""
    out, central = bytearray(), bytearray()
    for name, data, size, crc in members:
        encoded = name.encode()
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
            len(encoded), 0, 0, 0, 0, 0o600 << 16, len(out),
        ) + encoded  # fmt: skip
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0
        )
        out += encoded + data
    comment = bundle.SEAL_PREFIX + b"0" * 64
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out),
        len(comment),
    )  # fmt: skip
    path.write_bytes(bytes(out + central + end + comment))
    return seal(path)


def deflated(data: bytes) -> tuple[bytes, int, int]:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(), len(data), zlib.crc32(data)


def run_import(db: Path, path: Path, *more: str) -> Result:
    """Import as the lead, on --trust-once: these bundles are unsigned (bundle.pack without a
    key), so what refuses them is the content's rules, as for a bundle signed by a trusted
    key that holds the same."""
    return CliRunner().invoke(
        main,
        ["--db", str(db), "--reviewer", "lead", "bundle", "import", str(path), "--trust-once",
         *more],
    )  # fmt: skip


def dump(db: Path) -> list[str]:
    """Every row of every table of the file, read through a connection of its own."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def files_of(db: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it that exist."""
    return [p for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"))
            if p.exists()]  # fmt: skip
