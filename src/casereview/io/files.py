"""A user's file written safely: a target that is not the database or a protected file,
written whole or not at all (the exports, the bundles and the importers' guards)."""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from casereview.core.problems import CasereviewError, InputError, Problem

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator


class UnsafeTarget(CasereviewError):
    """An export target that writing would destroy: the database, a folder, a device."""


def safe_target(path: Path, protect: Iterable[Path] = ()) -> Path:
    """The file an export to `path` writes (symlinks followed), or UnsafeTarget.

    Refused: the open database or a file SQLite keeps beside it (`protect`, by name and, for
    hard links, by inode), anything that exists and is not a regular file (a folder, /dev/null,
    a pipe), and a file in a folder that does not exist. Writing replaces the file by renaming
    a new one over it, which would turn any of these into a plain file of export rows.
    """
    target = Path(os.path.realpath(path))
    if is_protected(target, protect):
        raise UnsafeTarget(
            f"{path} is the open database (or a file SQLite keeps beside it); an export there "
            "would replace every review: choose another file name"
        )
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise UnsafeTarget(f"{path}: there is no folder {target.parent}") from None
        return target
    if stat.S_ISDIR(mode):
        raise UnsafeTarget(f"{path} is a folder; give a file name for the export")
    if not stat.S_ISREG(mode):
        raise UnsafeTarget(
            f"{path} is not a regular file (a device, pipe or socket) and would be replaced by "
            "one; leave out the file name to write to the terminal"
        )
    return target


def is_protected(path: Path, protect: Iterable[Path]) -> bool:
    """Whether `path` is one of the files `protect` (the open database and the files SQLite
    keeps beside it): by name, symlinks followed, or by inode (a hard link)."""
    target = Path(os.path.realpath(path))
    guarded = [Path(os.path.realpath(p)) for p in protect]
    return target in guarded or any(_same_file(target, p) for p in guarded)


def refuse_the_database(path: Path, protect: Iterable[Path]) -> None:
    """An input file (cases, answers, a checklist) that is the open database or a file
    beside it is refused before it is read: a mistake, and reading it would close a
    descriptor of it, which on POSIX drops every lock this process holds on it (another
    process could then checkpoint and delete the -wal under this one's connection)."""
    if is_protected(path, protect):
        raise InputError(
            [
                Problem(
                    str(path),
                    1,
                    "this is the open database (or a file SQLite keeps beside it), not a file "
                    "to import; nothing was read",
                )
            ]
        )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # either is missing: not the same file
        return False


@contextmanager
def replacing(path: Path, protect: Iterable[Path] = ()) -> Iterator[Path]:
    """A temporary file beside `path` to write the export to, renamed over `path` only when
    the block finishes and removed when it fails: no half-written file is ever left. The
    target is checked first (safe_target: never the database, a folder or a device). It is
    created owner-only (mkstemp), and the rename keeps that: exports hold case data. The new
    file is flushed to disk before the rename, so a power cut leaves the old file or the new
    one, never an empty one under the old name."""
    target = safe_target(path, protect)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def default_export_folder() -> Path:
    """Where the app's exports and reports go unless the reviewer chose a folder: their
    documents folder, else casereview's data folder (created), never the current folder,
    which under `make run` is the repository (case data one `git add .` from a commit)."""
    import platformdirs

    documents = platformdirs.user_documents_path()
    if documents.is_dir():
        return documents
    return platformdirs.user_data_path("casereview") / "exports"
