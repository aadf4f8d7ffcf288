"""Audit bundles: reading any format, the seal, and formats 1 and 2 (no SQL here).

`bundle export` writes format 3 (io.bundles.stream: JSON lines, written and merged a batch of
reviews at a time). Formats 1 and 2, below, still import, read whole: a format-2 bundle is a
zip holding `manifest.json`, `signature.json` (format 2: the maker's Ed25519
signature over the manifest's bytes, io.bundles.signing), `bundle.json` (the audit, its sample,
reviews, answers and events, as `content` below) and `checklist.yaml` (the checklist's text).
The manifest gives the format version and each member's SHA-256 and size; the zip's comment
seals the whole file: `casereview-bundle sha256=` and the SHA-256 of every byte before the
digest, so a byte changed anywhere (a member, a zip header, the manifest) or a file cut short is
found before anything is read from it. The seal is the envelope every format version keeps; a
newer format is refused by its number. The seal finds accidents; the signature finds edits (a
resealed bundle no longer verifies); io.bundles.protect encrypts the whole.

Merging is by identity. Reviews and events carry UUIDs; the trail is append-only, so a
review's events say what each side knows. Where one side holds every event of a review the
other has, the other side is behind and takes the newer state; where each side holds events
the other lacks, both changed it since they last met: a conflict, never settled silently.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casereview.core import bounded
from casereview.core.bundles.merge import Bundle, BundleError, Json, _listed, refusal
from casereview.store.shipped import content_hash

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from casereview.io.bundles.stream import Streamed

FORMAT = "casereview-bundle"
FORMAT_VERSION = 2  # 2: signature.json
SEAL_PREFIX = b"casereview-bundle sha256="
_SEAL_LEN = len(SEAL_PREFIX) + 64
_DATE = (1980, 1, 1, 0, 0, 0)  # members carry no clock: the same content, the same bytes
MEMBERS = ("bundle.json", "checklist.yaml")


# --------------------------------------------------------------------- writing and reading


def pack(content: Json, checklist_text: str, signer: Ed25519PrivateKey | None = None) -> bytes:
    """The bundle file's bytes for `content` (the audit as the store gives it), signed by
    `signer` (None: unsigned, as only tests and hand-made bundles are)."""
    members = {
        "bundle.json": json.dumps(content, ensure_ascii=False, sort_keys=True, indent=1).encode(),
        "checklist.yaml": checklist_text.encode("utf-8"),
    }
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "files": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in members.items()
        },
    }
    written = [("manifest.json", _dump(manifest))]
    if signer is not None:
        from casereview.io.bundles import signing

        written.append(("signature.json", _dump(signing.sign(signer, written[0][1]))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.comment = SEAL_PREFIX + b"0" * 64  # fixed length: the seal fills it in below
        for name, data in [*written, *members.items()]:
            info = zipfile.ZipInfo(name, date_time=_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, data)
    raw = bytearray(buffer.getvalue())
    digest = hashlib.sha256(raw[:-64]).hexdigest().encode()
    raw[-64:] = digest
    return bytes(raw)


def _dump(value: Json) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1).encode()


def write(path: Path, data: bytes) -> None:
    """Write the bundle owner-only (it holds case data and notes), whole or not at all: the
    exports' own writer (export.replacing), which checks the target and syncs before the
    rename."""
    from casereview.io.files import replacing

    with replacing(path) as tmp:
        tmp.write_bytes(data)


# What is read of a bundle is bounded before it is read (casereview.core.bounded): each member up
# to the size its manifest gives, never past its cap; JSON measured for depth before it is
# parsed. A bundle's JSON nests a few levels (content, reviews, a review, its answers, an
# answer; a scope's filters): the bound is far above what any bundle needs.
MEMBER_CAP = {
    "manifest.json": 1 << 20,
    "signature.json": 1 << 16,
    "bundle.json": 1 << 30,
    "checklist.yaml": 16 << 20,
}
MAX_JSON_DEPTH = 32


def read(
    path: Path, identity: Path | None = None, passphrase: Callable[[], str] | None = None
) -> Bundle | Streamed:
    """Read a bundle file, decrypting it (an age file, by its first line) with the identity
    file or the passphrase (asked for only when the file is encrypted to one) into an
    owner-only temporary file, then checking the seal over the file, the format, the
    manifest and its signature before the content. A format-3 bundle comes back opened
    (io.bundles.stream.Streamed, its lines read as it is merged: close it after); an older
    one read whole, as it always was."""
    from casereview.io.bundles import protect

    name = str(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise BundleError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not protect.is_encrypted(head):
        return _opened(path, name)
    if identity is None and not (protect.uses_passphrase(head) and passphrase is not None):
        how = (
            "give its passphrase (at the terminal, or --passphrase-file / --passphrase-stdin)"
            if protect.uses_passphrase(head)
            else "give the age secret key it was encrypted to with --identity FILE"
        )
        raise BundleError(f"{name} is encrypted: {how}; nothing was imported")
    plain = protect.scratch_file(path)
    try:
        if identity is not None:
            protect.decrypt_file_with_identities(path, plain, head, name, identity)
        else:
            assert passphrase is not None
            protect.decrypt_file_with_passphrase(path, plain, head, name, passphrase())
        opened = _opened(plain, name)
    finally:
        if plain.exists():
            plain.unlink()  # an open zip reads on from its file handle (POSIX)
    return opened


def _opened(path: Path, name: str) -> Bundle | Streamed:
    """The plain bundle at `path`: its seal checked over the file, then a format-3 bundle
    opened (stream.Streamed), an older one read whole (unpack)."""
    from casereview.io.bundles import stream

    check_seal_file(path, name)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BundleError(f"{name} is damaged or truncated; nothing was imported "
                          f"({type(exc).__name__}: {exc})") from None  # fmt: skip
    try:
        manifest_bytes = _member(zf, name, "manifest.json", None)
        manifest = _json(name, "manifest.json", manifest_bytes)
        version = _version(manifest, name)
        if version < stream.FORMAT_VERSION:
            zf.close()
            size = path.stat().st_size
            if size > sum(MEMBER_CAP.values()):
                raise BundleError(
                    f"{name} is {size >> 20} MB, larger than any bundle of format {version} "
                    f"this casereview reads ({sum(MEMBER_CAP.values()) >> 20} MB); nothing "
                    "was imported"
                )
            return unpack(path.read_bytes(), name)
        signer = None
        if "signature.json" in zf.namelist():
            from casereview.io.bundles import signing

            signature = _json(name, "signature.json", _member(zf, name, "signature.json", None))
            signer = signing.verify(name, signature, manifest_bytes)
        if not isinstance(manifest.get("files"), dict):
            raise BundleError(f"{name} is damaged or truncated; nothing was imported "
                              "(its manifest lists no files)")  # fmt: skip
        return stream.Streamed(zf, name, manifest, signer)
    except BaseException:
        zf.close()
        raise


def _version(manifest: Any, name: str) -> int:
    """The format version a manifest gives, refused when it is not a casereview bundle's or
    is newer than this casereview reads."""
    from casereview.io.bundles import stream

    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"{name} is not a casereview bundle; nothing was imported")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > stream.FORMAT_VERSION:
        raise BundleError(
            f"{name} is a casereview bundle of format {version}, newer than this "
            f"casereview reads (format {stream.FORMAT_VERSION}); upgrade casereview to import "
            "it; nothing was imported"
        )
    return version


_CHUNK = 1 << 20


def seal_file(path: Path) -> None:
    """Fill in the seal of the zip at `path` (its comment's last 64 bytes: the SHA-256 of
    every byte before them), reading it in chunks."""
    size = path.stat().st_size
    digest = _digest(path, size - 64)
    with path.open("r+b") as fh:
        fh.seek(size - 64)
        fh.write(digest)


def _digest(path: Path, upto: int) -> bytes:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        left = upto
        while left > 0:
            chunk = fh.read(min(_CHUNK, left))
            if not chunk:
                break
            sha.update(chunk)
            left -= len(chunk)
    return sha.hexdigest().encode()


def check_seal_file(path: Path, name: str) -> None:
    """unpack's seal check, over a file read in chunks: a changed byte anywhere, or a file
    cut short, refused before anything is read from it."""
    damaged = f"{name} is damaged or truncated; nothing was imported"
    size = path.stat().st_size
    with path.open("rb") as fh:
        first = fh.read(4)
        fh.seek(max(0, size - _SEAL_LEN))
        seal = fh.read(_SEAL_LEN)
    if size < _SEAL_LEN or not seal.startswith(SEAL_PREFIX):
        if first != b"PK\x03\x04":
            raise BundleError(f"{name} is not a casereview bundle; nothing was imported")
        raise BundleError(f"{damaged} (its seal is missing: the file was cut short?)")
    if _digest(path, size - 64) != seal[len(SEAL_PREFIX) :]:
        raise BundleError(f"{damaged} (its SHA-256 seal does not match the bytes)")


def unpack(raw: bytes, name: str) -> Bundle:
    damaged = f"{name} is damaged or truncated; nothing was imported"
    seal = raw[-_SEAL_LEN:]
    if len(raw) < _SEAL_LEN or not seal.startswith(SEAL_PREFIX):
        if raw[:4] != b"PK\x03\x04":
            raise BundleError(f"{name} is not a casereview bundle; nothing was imported")
        raise BundleError(f"{damaged} (its seal is missing: the file was cut short?)")
    if hashlib.sha256(raw[:-64]).hexdigest().encode() != seal[len(SEAL_PREFIX) :]:
        raise BundleError(f"{damaged} (its SHA-256 seal does not match the bytes)")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            manifest_bytes = _member(zf, name, "manifest.json", None)
            manifest = _json(name, "manifest.json", manifest_bytes)
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BundleError(f"{name} is not a casereview bundle; nothing was imported")
            version = manifest.get("format_version")
            if not isinstance(version, int) or version > FORMAT_VERSION:
                _version(manifest, name)  # a newer format refused by its number
                raise BundleError(
                    f"{name}: a bundle of format {version} is read from its file "
                    "(archive.read); nothing was imported"
                )
            members = {}
            for member in MEMBERS:
                want = manifest["files"][member]
                data = _member(zf, name, member, want["bytes"])
                if len(data) != want["bytes"] or hashlib.sha256(data).hexdigest() != want["sha256"]:
                    raise BundleError(f"{damaged} ({member} does not match its manifest entry)")
                members[member] = data
            signer = None
            if "signature.json" in zf.namelist():
                from casereview.io.bundles import signing

                signature = _json(name, "signature.json", _member(zf, name, "signature.json", None))
                signer = signing.verify(name, signature, manifest_bytes)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, EOFError) as exc:
        raise BundleError(f"{damaged} ({type(exc).__name__}: {exc})") from None
    content = _json(name, "bundle.json", members["bundle.json"])
    try:
        text = members["checklist.yaml"].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(f"{damaged} ({type(exc).__name__}: {exc})") from None
    from casereview.core.bundles import (
        rules as bundle_rules,  # pydantic, only when a bundle is read
    )
    from casereview.io.bundles import schema as bundle_schema

    wrong = [f"bundle.json: {line}" for line in bundle_schema.problems(content)]
    if wrong:
        raise BundleError(
            f"{name} is not a bundle this casereview can use; nothing was imported:\n"
            + _listed(wrong)
        )
    if content_hash(text) != content["checklist"]["content_hash"]:
        raise BundleError(
            f"{name}: checklist.yaml does not match its own hash (bundle.json: "
            "checklist.content_hash); nothing was imported"
        )
    wrong = bundle_rules.content_problems(content)
    if wrong:
        raise BundleError(refusal(name, wrong))
    return Bundle(content, text, signer)


def _member(zf: zipfile.ZipFile, name: str, member: str, want: Any) -> bytes:
    try:
        return bounded.read_member(zf, member, want, MEMBER_CAP[member])
    except bounded.Unbounded as exc:
        raise BundleError(f"{name}: {exc}; nothing was imported") from None


def _json(name: str, member: str, data: bytes) -> Any:
    try:
        return bounded.load_json(data, member, MAX_JSON_DEPTH)
    except bounded.Unbounded as exc:
        raise BundleError(f"{name}: {exc}; nothing was imported") from None
    except ValueError as exc:
        raise BundleError(
            f"{name} is damaged or truncated; nothing was imported ({member}: {exc})"
        ) from None


# --------------------------------------------------------------------- the merge plan
