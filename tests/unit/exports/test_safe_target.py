"""export.safe_target alone, fast (the end-to-end refusals are in store/test_safety)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casereview.io.files import UnsafeTarget, safe_target


def refusal(path: Path, protect: list[Path]) -> str:
    with pytest.raises(UnsafeTarget) as caught:
        safe_target(path, protect)
    return str(caught.value)


def test_the_database_by_name_or_by_hard_link(tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    db.write_bytes(b"SQLite format 3\x00")
    expected = (
        " is the open database (or a file SQLite keeps beside it); an export there would "
        "replace every review: choose another file name"
    )
    assert refusal(db, [db]) == f"{db}{expected}"
    link = tmp_path / "other.csv"
    os.link(db, link)  # another name, the same file: only the inode tells
    assert refusal(link, [db]) == f"{link}{expected}"


def test_folders_devices_and_missing_folders(tmp_path: Path) -> None:
    assert refusal(tmp_path, []) == f"{tmp_path} is a folder; give a file name for the export"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert refusal(fifo, []) == (
        f"{fifo} is not a regular file (a device, pipe or socket) and would be replaced by "
        "one; leave out the file name to write to the terminal"
    )
    missing = tmp_path / "nope" / "x.csv"
    assert refusal(missing, []) == f"{missing}: there is no folder {tmp_path / 'nope'}"


def test_an_ordinary_target_is_given_back_resolved(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("x", encoding="utf-8")
    alias = tmp_path / "alias.csv"
    alias.symlink_to(real)
    assert safe_target(alias, [tmp_path / "d.db"]) == real
    assert safe_target(tmp_path / "new.csv") == tmp_path / "new.csv"
