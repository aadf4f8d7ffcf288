"""Which file system a database is on, from the mount table: SQLite's WAL needs every
process on one host, and a network share (NFS, SMB/CIFS, sshfs ...) corrupts it."""

from __future__ import annotations

import os
from pathlib import Path

MOUNT_TABLE = Path("/proc/self/mounts")  # tests point this at a table of their own

NETWORK_TYPES = frozenset(
    (
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb3",
        "smbfs",
        "sshfs",
        "fuse.sshfs",
        "afs",
        "ceph",
        "fuse.ceph",
        "glusterfs",
        "fuse.glusterfs",
        "lustre",
        "gpfs",
        "ocfs2",
        "gfs2",
        "davfs",
        "fuse.davfs",
        "fuse.rclone",
        "fuse.s3fs",
        "ncpfs",
        "coda",
    )
)


def _unescape(field: str) -> str:
    """The mount table writes space, tab, newline and backslash as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def parse(table: str) -> list[tuple[str, str]]:
    """(mount point, file-system type) for each line of a /proc/mounts-style table."""
    mounts = []
    for line in table.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            mounts.append((_unescape(fields[1]), fields[2]))
    return mounts


def filesystem_of(path: Path, table: str | None = None) -> str | None:
    """The type of the file system holding `path` (its deepest mount), or None if unknown."""
    if table is None:
        try:
            table = MOUNT_TABLE.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None  # no mount table (not Linux): nothing to say
    target = Path(os.path.realpath(path))
    best: tuple[int, str] | None = None
    for point, fstype in parse(table):
        mount = Path(point)
        if target == mount or mount in target.parents:
            depth = len(mount.parts)
            if best is None or depth >= best[0]:  # a later mount on the same point wins
                best = (depth, fstype)
    return None if best is None else best[1]


def network_filesystem(path: Path, table: str | None = None) -> str | None:
    """The network file system's type if `path` is on one (None: local, or unknown)."""
    fstype = filesystem_of(path, table)
    if fstype is None:
        return None
    return fstype if fstype.lower() in NETWORK_TYPES else None
