"""A bundle encrypted for the road: the age format (age-encryption.org/v1), through pyrage.

No cipher is written here. A bundle is encrypted either to age public keys (X25519
recipients, `age1...`) or to a passphrase (age's scrypt mode); it is told from a plain
bundle by age's own first line, so a plain bundle of any format still imports. pyrage's
passphrase mode works on bytes in memory; to keys, a bundle is encrypted and decrypted file
to file, a chunk at a time (below: files, streamed).
"""

from __future__ import annotations

from pathlib import Path

import pyrage

from casereview.core.bundles.merge import BundleError

MAGIC = b"age-encryption.org/v1\n"
ARMORED = b"-----BEGIN AGE ENCRYPTED FILE-----"
_KEY_FILE_CAP = 1 << 20


def is_encrypted(raw: bytes) -> bool:
    """Whether these bytes are an age file (binary or armored), by its first line."""
    return raw.startswith(MAGIC) or raw.lstrip().startswith(ARMORED)


def uses_passphrase(raw: bytes) -> bool:
    """Whether an age file was encrypted to a passphrase (its first stanza is scrypt)."""
    header = raw[len(MAGIC) : len(MAGIC) + 64] if raw.startswith(MAGIC) else b""
    return header.startswith(b"-> scrypt ")


def recipients(keys: list[str]) -> list[pyrage.x25519.Recipient]:
    """age public keys, each checked: a wrong one is refused by name."""
    parsed = []
    for key in keys:
        try:
            parsed.append(pyrage.x25519.Recipient.from_str(key.strip()))
        except pyrage.RecipientError:
            raise BundleError(
                f"'{key.strip()[:80]}' is not an age public key (age1...); nothing was written"
            ) from None
    if not parsed:
        raise BundleError("no age public key given; nothing was written")
    return parsed


def key_lines(path: Path) -> list[str]:
    """The keys of a key or identity file, one a line; blank lines and # comments skipped
    (age-keygen's file has its public key in a comment)."""
    try:
        if path.stat().st_size > _KEY_FILE_CAP:
            raise BundleError(f"{path} is too large to be a key file")
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path}: cannot be read as a key file ({exc})") from None
    return [line.strip() for line in text.splitlines() if line.strip() and line[:1] != "#"]


def identities(path: Path) -> list[pyrage.x25519.Identity]:
    """The age secret keys (AGE-SECRET-KEY-1...) of an identity file."""
    found = []
    for line in key_lines(path):
        try:
            found.append(pyrage.x25519.Identity.from_str(line))
        except pyrage.IdentityError:
            raise BundleError(
                f"{path} holds a line that is not an age secret key (AGE-SECRET-KEY-1...); "
                "nothing was imported"
            ) from None
    if not found:
        raise BundleError(f"{path} holds no age secret key; nothing was imported")
    return found


def encrypt_to(data: bytes, keys: list[str]) -> bytes:
    return bytes(pyrage.encrypt(data, recipients(keys)))


def encrypt_with_passphrase(data: bytes, passphrase: str) -> bytes:
    if not passphrase:
        raise BundleError("the passphrase is empty; nothing was written")
    return bytes(pyrage.passphrase.encrypt(data, passphrase))


def for_the_road(data: bytes, keys: list[str], passphrase: str | None) -> bytes:
    """The bundle encrypted to the age keys, else to the passphrase; as it was without
    either (the caller has said so: --plain)."""
    if keys:
        return encrypt_to(data, keys)
    if passphrase is not None:
        return encrypt_with_passphrase(data, passphrase)
    return data


def decrypt_with_identities(raw: bytes, name: str, path: Path) -> bytes:
    if uses_passphrase(raw):
        raise BundleError(
            f"{name} is encrypted to a passphrase, not to a key: import it without "
            "--identity and give the passphrase; nothing was imported"
        )
    try:
        return bytes(pyrage.decrypt(raw, identities(path)))
    except pyrage.DecryptError:
        raise BundleError(
            f"{name} cannot be decrypted with the keys in {path} (it was encrypted to other "
            "keys, or it is damaged); nothing was imported"
        ) from None


def decrypt_with_passphrase(raw: bytes, name: str, passphrase: str) -> bytes:
    if not uses_passphrase(raw):
        raise BundleError(
            f"{name} is encrypted to age keys, not to a passphrase: import it with "
            "--identity FILE; nothing was imported"
        )
    try:
        return bytes(pyrage.passphrase.decrypt(raw, passphrase))
    except pyrage.DecryptError:
        raise BundleError(
            f"{name} cannot be decrypted with that passphrase (wrong passphrase, or the file is "
            "damaged); nothing was imported"
        ) from None


# --------------------------------------------------------------------- files, streamed
# A bundle of any size is encrypted and decrypted file to file: to age keys through
# pyrage's streams (encrypt_io, decrypt_io), a chunk at a time. pyrage's passphrase mode
# has no stream: a passphrase bundle is encrypted and decrypted whole in memory (its
# compressed size; age's scrypt itself takes 512 MiB at pyrage's work factor).


def scratch_file(beside: Path) -> Path:
    """An owner-only temporary file for a bundle's plain bytes, beside the bundle (or, where
    that folder cannot be written, in the system's temporary folder)."""
    import os
    import tempfile

    for folder in (beside.parent, None):
        try:
            fd, name = tempfile.mkstemp(dir=folder, prefix=".casereview-bundle-", suffix=".part")
        except OSError:
            continue
        os.close(fd)
        return Path(name)
    raise BundleError(f"no folder to decrypt {beside} into; nothing was imported")


def encrypt_file(plain: Path, out: Path, keys: list[str], passphrase: str | None) -> None:
    """`plain` encrypted into `out`: to the age keys, streamed, else to the passphrase."""
    if keys:
        parsed = recipients(keys)
        with plain.open("rb") as reader, out.open("wb") as writer:
            pyrage.encrypt_io(reader, writer, parsed)
        return
    assert passphrase is not None
    out.write_bytes(encrypt_with_passphrase(plain.read_bytes(), passphrase))


def decrypt_file_with_identities(
    source: Path, plain: Path, head: bytes, name: str, identity: Path
) -> None:
    if uses_passphrase(head):
        raise BundleError(
            f"{name} is encrypted to a passphrase, not to a key: import it without "
            "--identity and give the passphrase; nothing was imported"
        )
    found = identities(identity)
    try:
        with source.open("rb") as reader, plain.open("wb") as writer:
            if head.lstrip().startswith(ARMORED):  # pragma: no cover - casereview writes binary
                writer.write(bytes(pyrage.decrypt(reader.read(), found)))
            else:
                pyrage.decrypt_io(reader, writer, found)
    except pyrage.DecryptError:
        raise BundleError(
            f"{name} cannot be decrypted with the keys in {identity} (it was encrypted to other "
            "keys, or it is damaged); nothing was imported"
        ) from None


def decrypt_file_with_passphrase(
    source: Path, plain: Path, head: bytes, name: str, passphrase: str
) -> None:
    plain.write_bytes(decrypt_with_passphrase(source.read_bytes(), name, passphrase))
