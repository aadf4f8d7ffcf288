"""Check that the installed packages are the locked ones: `make lint` runs it.

Usage: python scripts/check_lock.py requirements-dev.lock

Every `name==version` pinned in the lock must be installed at exactly that version, so a
venv made before the lock changed (or a package upgraded by hand) is reported, not tested
against silently. Packages installed beyond the lock (a profiler, pip-tools) are allowed.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: Path) -> dict[str, str]:
    found = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            found[canonical(match[1])] = match[2]
    return found


def mismatches(locked: dict[str, str], installed: dict[str, str]) -> list[str]:
    problems = []
    for name, version in sorted(locked.items()):
        have = installed.get(name)
        if have is None:
            problems.append(f"{name}=={version} is locked but not installed")
        elif have != version:
            problems.append(f"{name}=={version} is locked but {have} is installed")
    return problems


def main(argv: list[str]) -> int:
    lock = Path(argv[1] if len(argv) > 1 else "requirements-dev.lock")
    installed = {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}
    problems = mismatches(pins(lock), installed)
    for problem in problems:
        print(f"check_lock: {problem}", file=sys.stderr)
    if problems:
        print(f"check_lock: run `rm -rf .venv && make test` to install {lock}", file=sys.stderr)
        return 1
    print(f"check_lock: all {len(pins(lock))} packages are at their locked versions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
