"""Bundles protected on the road: encrypted (age) by default, signed (Ed25519), checked on
import against the keys this database trusts."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.io.bundles import archive as bundle
from casereview.io.bundles import signing, stream
from casereview.store import Store
from tests.factories import FIXTURES
from tests.unit.bundles.bundle_edits import central_store, dump, files_of

AUDIT = "Test audit"


def cli(db: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "lead", *args], input=stdin)


@pytest.fixture
def central(tmp_path: Path) -> Path:
    store, _ = central_store(tmp_path / "central.db")
    store.close()
    return tmp_path / "central.db"


def export(db: Path, out: Path, *how: str) -> Path:
    result = cli(db, "bundle", "export", "--audit", AUDIT, "--out", str(out), *how)
    assert result.exit_code == 0, result.output
    return out


def age_identity(tmp_path: Path, name: str) -> tuple[str, Path]:
    """(the public key, the identity file) of a new age key pair, by `keys age-identity`."""
    path = tmp_path / name
    result = CliRunner().invoke(main, ["keys", "age-identity", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return result.stdout.strip(), path


def trust(db: Path, source: Path, name: str = "office") -> None:
    public = signing.public_text(signing.load_or_create(source))
    result = cli(db, "keys", "add", name, public)
    assert result.exit_code == 0, result.output


def empty_db(path: Path) -> Path:
    Store.open(path).close()
    return path


# --------------------------------------------------------------------- encryption


def test_a_bundle_encrypted_to_a_key_opens_only_with_its_identity(
    tmp_path: Path, central: Path
) -> None:
    public, identity = age_identity(tmp_path, "inspector.key")
    path = export(central, tmp_path / "b.crb", "--to", public)
    raw = path.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1\n-> X25519 ")
    assert b"T/1" not in raw and b"Testshire" not in raw  # nothing of the content in clear
    laptop = empty_db(tmp_path / "laptop.db")
    trust(laptop, central)
    before = dump(laptop)
    _, other = age_identity(tmp_path, "someone-else.key")
    wrong = cli(laptop, "bundle", "import", str(path), "--identity", str(other))
    assert wrong.exit_code == 2
    assert f"{path} cannot be decrypted with the keys in {other}" in wrong.stderr
    assert dump(laptop) == before
    missing = cli(laptop, "bundle", "import", str(path))
    assert missing.exit_code == 2
    assert "is encrypted: give the age secret key it was encrypted to with --identity" in (
        missing.stderr
    )
    assert dump(laptop) == before
    right = cli(laptop, "bundle", "import", str(path), "--identity", str(identity))
    assert right.exit_code == 0, right.output
    [audit] = Store.open(laptop).audits()
    assert audit.name == AUDIT


def test_a_key_file_encrypts_to_every_key_in_it(tmp_path: Path, central: Path) -> None:
    one, first = age_identity(tmp_path, "one.key")
    two, second = age_identity(tmp_path, "two.key")
    keys = tmp_path / "team.txt"
    keys.write_text(f"# the review team\n{one}\n\n{two}\n", encoding="utf-8")
    path = export(central, tmp_path / "b.crb", "--to-file", str(keys))
    for identity in (first, second):
        opened = bundle.read(path, identity)  # format 3: opened, its header read
        assert isinstance(opened, stream.Streamed)
        assert opened.header["audit"]["name"] == AUDIT
        opened.close()


def test_a_bundle_encrypted_to_a_passphrase_round_trips_and_refuses_a_wrong_one(
    tmp_path: Path, central: Path
) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_text("correct horse battery staple\n", encoding="utf-8")
    path = export(central, tmp_path / "b.crb", "--passphrase-file", str(secret))
    assert path.read_bytes().startswith(b"age-encryption.org/v1\n-> scrypt ")
    laptop = empty_db(tmp_path / "laptop.db")
    trust(laptop, central)
    before = dump(laptop)
    wrong = cli(laptop, "bundle", "import", str(path), "--passphrase-stdin", stdin="horse\n")
    assert wrong.exit_code == 2
    assert f"{path} cannot be decrypted with that passphrase" in wrong.stderr
    assert dump(laptop) == before
    # with no terminal and no --passphrase-*, refused at once, not waiting for input
    asked = cli(laptop, "bundle", "import", str(path))
    assert asked.exit_code == 2
    assert "is encrypted to a passphrase: give it with --passphrase-file" in asked.stderr
    assert dump(laptop) == before
    right = cli(
        laptop,
        "bundle",
        "import",
        str(path),
        "--passphrase-stdin",
        stdin="correct horse battery staple\n",
    )
    assert right.exit_code == 0, right.output
    assert Store.open(laptop).audits()[0].name == AUDIT


def test_a_wrong_passphrase_into_a_new_database_leaves_no_file(
    tmp_path: Path, central: Path
) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_text("one\n", encoding="utf-8")
    path = export(central, tmp_path / "b.crb", "--passphrase-file", str(secret))
    result = cli(
        tmp_path / "new.db", "bundle", "import", str(path), "--passphrase-stdin", stdin="two\n"
    )
    assert result.exit_code == 2
    assert files_of(tmp_path / "new.db") == []


@pytest.mark.parametrize("command", ["export", "import"])
def test_without_a_terminal_or_a_source_it_refuses_at_once(
    tmp_path: Path, central: Path, command: str
) -> None:
    """Run as a script runs it: standard input a pipe left open, never written. Waiting for
    a passphrase would hang until the timeout; it must exit 2 at once, saying how."""
    secret = tmp_path / "pass.txt"
    secret.write_text("pw\n", encoding="utf-8")
    sealed = export(central, tmp_path / "in.crb", "--passphrase-file", str(secret))
    out = tmp_path / "out.crb"
    args = (
        ["bundle", "export", "--audit", AUDIT, "--out", str(out)]
        if command == "export"
        else ["bundle", "import", str(sealed)]
    )
    db = central if command == "export" else tmp_path / "laptop.db"
    with subprocess.Popen(
        [str(Path(sys.executable).with_name("casereview")), "--db", str(db), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CASEREVIEW_REVIEWER": "lead"},
    ) as proc:
        try:
            _, err = proc.communicate(timeout=60)  # bound: a hang fails, never blocks the run
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail(f"bundle {command} waited for input with no terminal")
    assert proc.returncode == 2, err
    if command == "export":
        assert b"give the recipient's age public key (--to age1..." in err
        assert b"--passphrase-stdin" in err and b"--plain" in err
        assert not out.exists()
    else:
        assert b"--passphrase-file FILE or --passphrase-stdin" in err
        assert files_of(db) == []


def test_plain_writes_the_zip_with_a_warning(tmp_path: Path, central: Path) -> None:
    result = cli(central, "bundle", "export", "--audit", AUDIT, "--out", str(tmp_path / "p.zip"),
                 "--plain")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "is not encrypted (--plain)" in result.stderr
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        assert "signature.json" in zf.namelist()


def test_two_protections_at_once_are_refused(tmp_path: Path, central: Path) -> None:
    public, _ = age_identity(tmp_path, "k.key")
    result = cli(central, "bundle", "export", "--audit", AUDIT, "--out", str(tmp_path / "b"),
                 "--to", public, "--plain")  # fmt: skip
    assert result.exit_code == 2
    assert "a bundle is protected one way" in result.stderr
    assert not (tmp_path / "b").exists()


def test_a_wrong_age_public_key_is_refused_before_any_work(tmp_path: Path, central: Path) -> None:
    result = cli(central, "bundle", "export", "--audit", AUDIT, "--out", str(tmp_path / "b"),
                 "--to", "age1notakey")  # fmt: skip
    assert result.exit_code == 2
    assert "'age1notakey' is not an age public key" in result.stderr
    assert not (tmp_path / "b").exists()


# --------------------------------------------------------------------- signatures


def _resealed_after_edit(path: Path, out: Path) -> Path:
    """The signed bundle with one answer's note changed, its manifest made honest again and
    the seal recomputed: everything anyone can redo without the signing key."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    content = json.loads(members["audit.json"])
    content["audit"]["name"] = "Someone else's audit"
    members["audit.json"] = json.dumps(content).encode()
    manifest = json.loads(members["manifest.json"])
    manifest["files"]["audit.json"] = {
        "sha256": hashlib.sha256(members["audit.json"]).hexdigest(),
        "bytes": len(members["audit.json"]),
    }
    members["manifest.json"] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.comment = bundle.SEAL_PREFIX + b"0" * 64
        for name, data in members.items():
            zf.writestr(name, data)
    raw = bytearray(buffer.getvalue())
    raw[-64:] = hashlib.sha256(raw[:-64]).hexdigest().encode()
    out.write_bytes(bytes(raw))
    return out


def test_an_edited_and_resealed_bundle_is_refused_by_its_signature(
    tmp_path: Path, central: Path
) -> None:
    """The seal has no key: before signatures, this bundle imported (the old tests in
    bundle_edits reseal edits the same way). The signature over the manifest has one."""
    path = export(central, tmp_path / "b.zip", "--plain")
    edited = _resealed_after_edit(path, tmp_path / "edited.zip")
    laptop = empty_db(tmp_path / "laptop.db")
    trust(laptop, central)
    before = dump(laptop)
    for more in ([], ["--trust-once"]):  # no option lets a broken signature through
        result = cli(laptop, "bundle", "import", str(edited), *more)
        assert result.exit_code == 2
        assert f"{edited}: its signature does not verify" in result.stderr
        assert dump(laptop) == before


def test_an_untrusted_key_is_refused_then_taken_once_and_recorded(
    tmp_path: Path, central: Path
) -> None:
    path = export(central, tmp_path / "b.zip", "--plain")
    fingerprint = signing.fingerprint(signing.public_text(signing.load_or_create(central)))
    laptop = empty_db(tmp_path / "laptop.db")
    before = dump(laptop)
    refused = cli(laptop, "bundle", "import", str(path))
    assert refused.exit_code == 2
    assert f"signed by key {fingerprint}, which this database does not trust" in refused.stderr
    assert dump(laptop) == before
    taken = cli(laptop, "bundle", "import", str(path), "--trust-once")
    assert taken.exit_code == 0, taken.output
    assert f"untrusted key {fingerprint}, taken on --trust-once" in taken.stderr
    conn = sqlite3.connect(laptop)
    [(signed_by,)] = conn.execute("SELECT signed_by FROM bundle_merges").fetchall()
    conn.close()
    assert signed_by == f"untrusted key {fingerprint}; --trust-once"


def test_a_trusted_key_is_named_in_the_record_and_removing_it_refuses_again(
    tmp_path: Path, central: Path
) -> None:
    path = export(central, tmp_path / "b.zip", "--plain")
    laptop = empty_db(tmp_path / "laptop.db")
    trust(laptop, central, "Northmoor office")
    listed = cli(laptop, "keys", "list")
    fingerprint = signing.fingerprint(signing.public_text(signing.load_or_create(central)))
    assert listed.stdout.startswith(f"Northmoor office\t{fingerprint}\tlead\t")
    again = cli(
        laptop, "keys", "add", "again", signing.public_text(signing.load_or_create(central))
    )
    assert again.exit_code == 2
    assert "is trusted already as 'Northmoor office'" in again.stderr
    assert cli(laptop, "keys", "remove", "Northmoor office").exit_code == 0
    assert cli(laptop, "bundle", "import", str(path)).exit_code == 2
    trust(laptop, central, "Northmoor office")
    assert cli(laptop, "bundle", "import", str(path)).exit_code == 0
    conn = sqlite3.connect(laptop)
    [(signed_by,)] = conn.execute("SELECT signed_by FROM bundle_merges").fetchall()
    conn.close()
    assert signed_by == f"Northmoor office ({fingerprint})"


def test_this_installations_own_key_is_trusted(tmp_path: Path, central: Path) -> None:
    path = export(central, tmp_path / "b.zip", "--plain")
    result = cli(central, "bundle", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "nothing to add" in result.stderr


def test_the_signing_key_is_owner_only_and_kept(tmp_path: Path, central: Path) -> None:
    old = os.umask(0o022)
    try:
        export(central, tmp_path / "b.zip", "--plain")
    finally:
        os.umask(old)
    key = signing.key_path(central)
    assert key.stat().st_mode & 0o777 == 0o600
    first = key.read_bytes()
    export(central, tmp_path / "c.zip", "--plain")
    assert key.read_bytes() == first


def test_the_first_format_fixture_is_unsigned_and_imports_only_on_trust_once(
    tmp_path: Path,
) -> None:
    fixture = FIXTURES / "bundle-v1.zip"
    db = tmp_path / "t.db"
    refused = cli(db, "bundle", "import", str(fixture))
    assert refused.exit_code == 2
    assert "is not signed" in refused.stderr and "--trust-once" in refused.stderr
    assert files_of(db) == []
    taken = cli(db, "bundle", "import", str(fixture), "--trust-once")
    assert taken.exit_code == 0, taken.output
    assert "unsigned, taken on --trust-once" in taken.stderr


# --------------------------------------------------------------------- the audit's period


def test_the_audits_period_travels_in_the_bundle(tmp_path: Path, central: Path) -> None:
    """A period given by hand (`audit period`, not from report dates in the scope) reached
    the laptop as nothing: its trend then left the audit out."""
    assert cli(central, "audit", "period", AUDIT, "2024-10..2024-12").exit_code == 0
    path = export(central, tmp_path / "b.zip", "--plain")
    with zipfile.ZipFile(path) as zf:  # the content's own version: 2 carries the period
        assert json.loads(zf.read("audit.json"))["format_version"] == 2
    laptop = tmp_path / "laptop.db"
    assert cli(laptop, "bundle", "import", str(path), "--trust-once").exit_code == 0
    conn = sqlite3.connect(laptop)
    rows = conn.execute("SELECT period_start, period_end FROM audits").fetchall()
    conn.close()
    assert rows == [("2024-10-01", "2024-12-31")]


def test_a_bundle_without_a_period_still_takes_it_from_its_scope(tmp_path: Path) -> None:
    """The format-1 fixture has no period fields: the audit's period comes from report dates
    in its scope, as before, else none."""
    db = tmp_path / "t.db"
    assert (
        cli(db, "bundle", "import", str(FIXTURES / "bundle-v1.zip"), "--trust-once").exit_code == 0
    )
    with zipfile.ZipFile(FIXTURES / "bundle-v1.zip") as zf:
        content = json.loads(zf.read("bundle.json"))
    assert "period_start" not in content["audit"]
    scope = content["audit"]["scope"]
    conn = sqlite3.connect(db)
    [row] = conn.execute("SELECT period_start, period_end FROM audits").fetchall()
    conn.close()
    want = (scope.get("from") or None, scope.get("to") or None)
    assert row == (want[0] and want[0][:10], want[1] and want[1][:10])


def test_a_key_file_with_no_key_is_refused_not_taken_for_a_passphrase(
    tmp_path: Path, central: Path
) -> None:
    keys = tmp_path / "team.txt"
    keys.write_text("# nobody yet\n", encoding="utf-8")
    result = cli(central, "bundle", "export", "--audit", AUDIT, "--out", str(tmp_path / "b"),
                 "--to-file", str(keys))  # fmt: skip
    assert result.exit_code == 2
    assert "no age public key given" in result.stderr
    assert not (tmp_path / "b").exists()
