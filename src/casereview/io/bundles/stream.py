"""Bundle format 3: the audit as JSON lines in a zip, written and read a line at a time.

Members: `audit.json` (the audit, its checklist, who exported it), `cases.jsonl` (the sample,
one case a line), `events.jsonl` (the audit's own events: assignments), `reviews.jsonl` (one
review a line, with its answers and its events), `checklist.yaml`, `plans.jsonl` (optional:
the action plans of the sample's forces, one a line with their trail; io.bundles.plan_lines,
core.bundles.plans), then `manifest.json`
(each member's SHA-256, size and number of lines) and `signature.json` (Ed25519 over the
manifest's bytes). The zip's comment is the seal every format keeps (archive.py). Each
member's hash is taken as it is written and again as it is read, so neither side ever holds
more than a bounded batch of reviews (core.bundles.batching); the seal is checked over the
file, and the signature over the manifest, before any line is read.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic_core import from_json

from casereview.core import bounded
from casereview.core.bundles.merge import BundleError, Json, _listed
from casereview.io.bundles import schema_lines
from casereview.io.bundles.archive import FORMAT, MAX_JSON_DEPTH, SEAL_PREFIX, seal_file

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from casereview.store import Store

FORMAT_VERSION = 3
_DATE = (1980, 1, 1, 0, 0, 0)
LINES = ("cases.jsonl", "events.jsonl", "reviews.jsonl")
MEMBERS = ("audit.json", *LINES, "checklist.yaml")
PLANS = "plans.jsonl"  # optional: a bundle written before plans travelled has none
# What is read is bounded before it is read: each member by its cap (and the manifest's
# size), each line by LINE_CAP (a review with every answer and a long trail is far less).
MEMBER_CAP = {
    "audit.json": 1 << 20,
    "cases.jsonl": 4 << 30,
    "events.jsonl": 4 << 30,
    "reviews.jsonl": 64 << 30,
    "checklist.yaml": 16 << 20,
    PLANS: 64 << 20,  # read whole (a few forces, each plan a line of at most LINE_CAP)
}
LINE_CAP = 16 << 20
_READ_BUFFER = 1 << 16  # bytes read from a member at a time
_FLUSH = 1 << 20


def loads(data: bytes) -> Any:
    """JSON text parsed as json.loads parses it, at twice its speed on a review's line:
    by pydantic-core's parser, and text that one refuses (not JSON; or JSON it does not
    take, as a lone surrogate escape or a byte order mark) by json itself, whose value or
    message is then the answer."""
    try:
        return from_json(data)
    except ValueError:
        return json.loads(data)


def _line(value: Json) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class _Writer:
    """One member written through: hashed, counted and compressed as it goes."""

    def __init__(self, zf: zipfile.ZipFile, name: str):
        info = zipfile.ZipInfo(name, date_time=_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        self.name = name
        self.out = zf.open(info, "w", force_zip64=True)
        self.sha = hashlib.sha256()
        self.bytes = self.lines = 0
        self.pending = bytearray()

    def write(self, data: bytes, lines: int = 0) -> None:
        self.pending += data
        self.lines += lines
        if len(self.pending) >= _FLUSH:
            self._flush()

    def _flush(self) -> None:
        self.sha.update(self.pending)
        self.bytes += len(self.pending)
        self.out.write(self.pending)
        self.pending = bytearray()

    def close(self) -> Json:
        self._flush()
        self.out.close()
        entry: Json = {"sha256": self.sha.hexdigest(), "bytes": self.bytes}
        if self.name.endswith(".jsonl"):
            entry["lines"] = self.lines
        return entry


def write(
    path: Path,
    header: Json,
    checklist_text: str,
    cases: Iterable[Json],
    audit_events: Iterable[Json],
    reviews: Iterable[Json],
    signer: Ed25519PrivateKey | None = None,
    plans: Iterable[Json] | None = None,
) -> dict[str, int]:
    """Write a format-3 bundle to `path` (an owner-only file the caller made), sealed; the
    counts of what it holds (cases, reviews, events, plans). `plans` None: no plans.jsonl."""
    files: dict[str, Json] = {}
    counts = {"cases": 0, "reviews": 0, "events": 0, "plans": 0}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        zf.comment = SEAL_PREFIX + b"0" * 64  # fixed length: seal_file fills it in
        member = _Writer(zf, "audit.json")
        member.write(_line(header))
        files["audit.json"] = member.close()
        for name, items in (("cases.jsonl", cases), ("events.jsonl", audit_events)):
            member = _Writer(zf, name)
            for item in items:
                member.write(_line(item) + b"\n", 1)
            files[name] = member.close()
        counts["cases"], counts["events"] = (
            files["cases.jsonl"]["lines"],
            files["events.jsonl"]["lines"],
        )
        member = _Writer(zf, "reviews.jsonl")
        for review in reviews:
            counts["events"] += len(review["events"])
            member.write(_line(review) + b"\n", 1)
        files["reviews.jsonl"] = member.close()
        counts["reviews"] = files["reviews.jsonl"]["lines"]
        member = _Writer(zf, "checklist.yaml")
        member.write(checklist_text.encode("utf-8"))
        files["checklist.yaml"] = member.close()
        if plans is not None:
            member = _Writer(zf, PLANS)
            for line in plans:
                counts["events"] += len(line["events"])
                member.write(_line(line) + b"\n", 1)
            files[PLANS] = member.close()
            counts["plans"] = files[PLANS]["lines"]
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "files": files}
        manifest_bytes = json.dumps(manifest, sort_keys=True, indent=1).encode()
        zf.writestr(_info("manifest.json"), manifest_bytes)
        if signer is not None:
            from casereview.io.bundles import signing

            signature = signing.sign(signer, manifest_bytes)
            zf.writestr(_info("signature.json"), json.dumps(signature, sort_keys=True).encode())
    seal_file(path)
    return counts


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


class Streamed:
    """A format-3 bundle opened and its envelope checked (seal, manifest, signature): its
    header and checklist read, its lines read on demand, each member's hash, size and count
    checked when its last line has been read (a member not read to its end is not checked:
    the importer reads every one before it commits)."""

    def __init__(self, zf: zipfile.ZipFile, name: str, manifest: Json, signer: str | None):
        self.zf, self.name, self.files, self.signer = zf, name, manifest["files"], signer
        for member in MEMBERS:
            entry = self.files.get(member)
            if not isinstance(entry, dict) or member not in zf.namelist():
                raise BundleError(f"{name} is damaged or truncated; nothing was imported "
                                  f"({member} is missing)")  # fmt: skip
        if (PLANS in self.files) != (PLANS in zf.namelist()):
            raise self._damaged(f"{PLANS} is not in its manifest" if PLANS in zf.namelist()
                                else f"{PLANS} is missing")  # fmt: skip
        raw = self._whole("audit.json")
        header = self._json("audit.json", raw)
        wrong = schema_lines.problems(schema_lines.Header, header, "audit.json:")
        if wrong:
            raise BundleError(
                f"{name} is not a bundle this casereview can use; nothing was imported:\n"
                + _listed(wrong)
            )
        self.header: Json = header
        try:
            self.checklist_text = self._whole("checklist.yaml").decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self._damaged(f"{type(exc).__name__}: {exc}") from None

    def _damaged(self, why: str) -> BundleError:
        return BundleError(f"{self.name} is damaged or truncated; nothing was imported ({why})")

    def _whole(self, member: str) -> bytes:
        want = self.files[member]
        try:
            data = bounded.read_member(self.zf, member, want.get("bytes"), MEMBER_CAP[member])
        except bounded.Unbounded as exc:
            raise BundleError(f"{self.name}: {exc}; nothing was imported") from None
        except (zipfile.BadZipFile, ValueError, TypeError, EOFError) as exc:
            raise self._damaged(f"{type(exc).__name__}: {exc}") from None
        if len(data) != want["bytes"] or hashlib.sha256(data).hexdigest() != want["sha256"]:
            raise self._damaged(f"{member} does not match its manifest entry")
        return data

    def _json(self, where: str, data: bytes) -> Any:
        try:
            return bounded.load_json(data, where, MAX_JSON_DEPTH, loads)
        except bounded.Unbounded as exc:
            raise BundleError(f"{self.name}: {exc}; nothing was imported") from None
        except ValueError as exc:
            raise self._damaged(f"{where}: {exc}") from None

    def lines(self, member: str) -> Iterator[Any]:
        """The member's lines parsed, one at a time; its hash, size and count checked at its
        end."""
        part = member.removesuffix(".jsonl")
        for n, line in enumerate(self.raw_lines(member)):
            yield self._json(f"{member}: {part}.{n}", line)

    def raw_lines(self, member: str) -> Iterator[bytes]:
        """The member's lines as bytes (each with its line feed), one at a time, unparsed;
        its hash, size and count checked at its end."""
        want = self.files[member]
        size, count = want.get("bytes"), want.get("lines")
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (size, count)):
            raise self._damaged(f"{member}'s size or count in the manifest is not a number")
        if size > MEMBER_CAP[member]:
            raise BundleError(
                f"{self.name}: its manifest gives {member} as {size} bytes, more than this "
                f"casereview reads ({MEMBER_CAP[member]} bytes); nothing was imported"
            )
        sha, got, n = hashlib.sha256(), 0, 0
        try:
            # through a buffered reader: its readline is C, a zip member's is Python (half
            # of a re-import's time went on reading lines)
            raw: Any = self.zf.open(member)
            with io.BufferedReader(raw, _READ_BUFFER) as fh:
                while True:
                    line = fh.readline(LINE_CAP + 1)
                    if not line:
                        break
                    got += len(line)
                    if len(line) > LINE_CAP or got > size:
                        raise BundleError(
                            f"{self.name}: {member} line {n + 1} is longer than this "
                            "casereview reads, or the member is longer than its manifest "
                            "says; nothing was imported"
                        )
                    sha.update(line)
                    yield line
                    n += 1
        except (zipfile.BadZipFile, EOFError) as exc:
            raise self._damaged(f"{type(exc).__name__}: {exc}") from None
        if got != size or n != count or sha.hexdigest() != want["sha256"]:
            raise self._damaged(f"{member} does not match its manifest entry")

    def cases(self) -> Iterator[Json]:
        for i, case in enumerate(self.lines("cases.jsonl")):
            self._checked(schema_lines.Case, case, f"cases.jsonl: cases.{i}")
            yield case

    def audit_events(self) -> Iterator[Json]:
        for i, event in enumerate(self.lines("events.jsonl")):
            where = f"events.jsonl: events.{i}"
            self._checked(schema_lines.Event, event, where)
            if event["review_uuid"] is not None:
                self._refuse([f"{where}.review_uuid: a review's events are on its line "
                              "in reviews.jsonl"])  # fmt: skip
            yield event

    def reviews(self) -> Iterator[Json]:
        """Each review with its events, as its line holds them (an event's review is its
        line's: the merge says so)."""
        for i, review in enumerate(self.lines("reviews.jsonl")):
            self.check_review(i, review)
            yield review

    def review_lines(self) -> Iterator[bytes]:
        """reviews.jsonl's lines as bytes, unparsed (parse_review): a line the database
        holds exactly as it is (its digest recorded) needs no parsing and no check."""
        return self.raw_lines("reviews.jsonl")

    def parse_review(self, i: int, line: bytes) -> Any:
        """Line `i` of reviews.jsonl parsed, its shape not yet checked (check_review)."""
        return self._json(f"reviews.jsonl: reviews.{i}", line)

    def check_review(self, i: int, review: Any) -> None:
        """Refuse line `i` of reviews.jsonl unless it has a review's shape."""
        where = f"reviews.jsonl: reviews.{i}"
        self._checked(schema_lines.ReviewLine, review, where)
        self._refuse([
            f"{where}.events.{k}.review_uuid: an event of another review than its line's"
            for k, event in enumerate(review["events"])
            if event.get("review_uuid") not in (None, review["uuid"])
        ])  # fmt: skip

    def plans(self) -> list[Json]:
        """plans.jsonl's lines, each checked (none: the bundle has no such member); read
        whole, each line bounded, and the member's manifest entry checked at its end."""
        if PLANS not in self.files:
            return []
        from casereview.io.bundles.plan_lines import plan_problems

        lines = list(self.lines(PLANS))
        self._refuse([p for i, line in enumerate(lines)
                      for p in plan_problems(line, f"{PLANS}: plans.{i}")])  # fmt: skip
        forces = [line["force"] for line in lines]
        self._refuse([f"{PLANS}: plans.{i}.force: another line's force"
                      for i, force in enumerate(forces) if force in forces[:i]])  # fmt: skip
        return lines

    def _checked(self, model: Any, value: Any, where: str) -> None:
        wrong = schema_lines.problems(model, value, where)
        if wrong:
            self._refuse(wrong)

    def _refuse(self, wrong: list[str]) -> None:
        if not wrong:
            return
        raise BundleError(
            f"{self.name} is not a bundle this casereview can use; nothing was imported:\n"
            + _listed(wrong)
        )

    def close(self) -> None:
        self.zf.close()


def export(
    store: Store,
    audit_id: int,
    target: Path,
    reviewer: str | None,
    viewer: str | None,
    signer: Ed25519PrivateKey | None,
    keys: list[str],
    passphrase: str | None,
) -> dict[str, int]:
    """Write the audit's bundle to `target`, whole or not at all (io.files.replacing:
    owner-only, synced, renamed into place), encrypted to the keys or the passphrase when
    given (the plain zip first in an owner-only scratch file, removed after); the counts of
    what it holds."""
    from casereview.io.bundles import protect
    from casereview.io.files import replacing

    header, text = store.bundle_header(audit_id, reviewer, viewer)
    parts = (
        store.bundle_cases(audit_id),
        store.bundle_audit_events(audit_id),
        store.bundle_reviews(audit_id, reviewer, viewer),
    )
    plans = store.bundle_plans(audit_id)
    with replacing(target) as tmp:
        if not keys and passphrase is None:
            return write(tmp, header, text, *parts, signer=signer, plans=plans)
        plain = protect.scratch_file(target)
        try:
            counts = write(plain, header, text, *parts, signer=signer, plans=plans)
            protect.encrypt_file(plain, tmp, keys, passphrase)
        finally:
            plain.unlink(missing_ok=True)
    return counts
