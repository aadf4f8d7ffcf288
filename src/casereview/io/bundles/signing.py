"""Who made a bundle: an Ed25519 signature (cryptography) over its manifest.

The seal (archive.py) has no key: anyone who edits a bundle can reseal it. The manifest
holds each member's SHA-256, so a signature over the manifest's bytes covers the whole
content; a bundle edited and resealed no longer verifies, and one signed again by someone
else is signed by a key the receiving database does not trust.

Each installation has one signing key, made on first use and kept owner-only beside the
database (`<database>.signing-key`, PEM, PKCS#8). A key is named by its fingerprint: the
first 32 hex digits of the SHA-256 of its 32 raw public bytes, in groups of four.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from casereview.core.bundles.merge import BundleError

ALGORITHM = "ed25519"


def key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".signing-key")


def load_or_create(db_path: Path) -> Ed25519PrivateKey:
    """This installation's signing key, made (owner-only, never replaced) on first use."""
    path = key_path(db_path)
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: two first uses at once keep the one written first
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_or_create(db_path)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        return key
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise BundleError(f"{path}: the signing key cannot be read ({exc})") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise BundleError(f"{path} is not an Ed25519 signing key")
    return loaded


def public_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A public key as it is shown and trusted: base64 of its 32 raw bytes."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def fingerprint(public: str) -> str:
    digest = hashlib.sha256(base64.b64decode(public)).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def parse_public(text: str) -> str:
    """A public key given by a person, checked; its canonical text. ValueError says why."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise ValueError(
            f"'{text.strip()[:80]}' is not an Ed25519 public key (44 characters of base64, "
            "as `casereview keys show` prints it)"
        ) from None
    return base64.b64encode(raw).decode()


def sign(key: Ed25519PrivateKey, manifest: bytes) -> dict[str, str]:
    """The signature member's content for these manifest bytes."""
    return {
        "algorithm": ALGORITHM,
        "public_key": public_text(key),
        "signature": base64.b64encode(key.sign(manifest)).decode(),
    }


def verify(name: str, signature: object, manifest: bytes) -> str:
    """The signer's public key, or a BundleError: a signature that does not verify means the
    bundle changed after it was signed, and no option lets that through."""
    bad = (
        f"{name}: its signature does not verify (the bundle was changed after it was "
        "signed); nothing was imported"
    )
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        raise BundleError(bad)
    try:
        public = parse_public(str(signature.get("public_key", "")))
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public))
        key.verify(base64.b64decode(str(signature.get("signature", "")), validate=True), manifest)
    except (ValueError, binascii.Error, InvalidSignature):
        raise BundleError(bad) from None
    return public
