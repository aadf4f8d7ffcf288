"""The checklists that ship with casereview, and the content hash that identifies a version.

Kept apart from checklist.py (pydantic, YAML) so that opening the app can see that the
shipped checklists are already stored without building a single model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path


def content_hash(text: str) -> str:
    """Hash of a checklist's content, stored with every audit that uses it."""
    normalised = text.replace("\r\n", "\n").encode("utf-8")
    return hashlib.sha256(normalised).hexdigest()


def shipped_checklists() -> Iterator[Path]:
    """The checklist files that ship with casereview: `checklists/` of the source tree."""
    folder = Path(__file__).resolve().parents[2] / "checklists"
    if folder.is_dir():
        yield from sorted(folder.glob("*.yaml"))
