"""A database on a network file system is read, never written (the mount table says where)."""

from __future__ import annotations

import gc
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from casereview.cli import main
from casereview.store import NetworkFileSystem, Store, mounts
from tests.factories import CASES

LOCAL = "/dev/sda1 / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\n"


def share(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: Path, fstype: str) -> None:
    """Make the mount table say that `where` is a mount of type `fstype`."""
    table = tmp_path / "mounts"
    point = str(where).replace(" ", "\\040")
    table.write_text(LOCAL + f"server:/export {point} {fstype} rw,vers=4.2 0 0\n")
    monkeypatch.setattr(mounts, "MOUNT_TABLE", table)


@pytest.mark.parametrize("fstype", ["nfs4", "nfs", "cifs", "smb3", "fuse.sshfs"])
def test_parse_finds_the_share_and_the_deepest_mount(fstype: str) -> None:
    table = (
        LOCAL
        + f"srv:/x /mnt/team\\040share {fstype} rw 0 0\n"
        + "/dev/sdb1 /mnt/team\\040share/local ext4 rw 0 0\n"
    )
    assert mounts.network_filesystem(Path("/mnt/team share/review.db"), table) == fstype
    assert mounts.network_filesystem(Path("/mnt/team share/local/review.db"), table) is None
    assert mounts.network_filesystem(Path("/mnt/teamshare.db"), table) is None
    assert mounts.filesystem_of(Path("/home/x/review.db"), table) == "ext4"


def test_a_database_on_a_share_is_refused_for_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "on share" / "team.db"
    db.parent.mkdir()
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(db), "cases", "import", str(CASES)]).exit_code == 0
    before = db.read_bytes()
    # Anything the command left for the collector closes now, not at a random moment below:
    # a connection closed last checkpoints its write-ahead log into the file (this test
    # failed at random under -n 2, when the collector ran between here and the end).
    gc.collect()
    share(monkeypatch, tmp_path, db.parent, "nfs4")

    result = runner.invoke(main, ["--db", str(db), "cases", "import", str(CASES)])
    assert result.exit_code == 1
    assert "network file system (nfs4)" in result.output and "casereview serve" in result.output
    assert "Traceback" not in result.output
    with closing(Store.open(db)) as store, pytest.raises(NetworkFileSystem):
        store.add_user("ana", "$argon2id$x", "admin")
    # reading goes on, with a warning
    listed = runner.invoke(main, ["--db", str(db), "audit", "list"])
    assert listed.exit_code == 0, listed.output
    assert "warning:" in listed.output and "network file system" in listed.output
    assert db.read_bytes() == before


def test_no_database_is_created_on_a_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share(monkeypatch, tmp_path, tmp_path, "cifs")
    db = tmp_path / "new.db"
    result = CliRunner().invoke(main, ["--db", str(db), "demo", "--no-tui"])
    assert result.exit_code == 1 and "network file system (cifs)" in result.output
    assert not db.exists()


def test_a_local_disk_is_written_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share(monkeypatch, tmp_path, tmp_path / "elsewhere", "nfs4")
    store = Store.open(tmp_path / "local.db")
    assert store.network_fs is None and not store.readonly
    store.add_user("ana", "$argon2id$x", "admin")
