"""What ships with casereview (its checklists, the sample pool) and a checklist's content hash.

Kept apart from checklist.py (pydantic, YAML) so that opening the app can see that the
shipped checklists are already stored without building a single model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

# The data that ships inside the package (src/casereview/...): one place whether casereview
# runs from a checkout, an editable install or a wheel.
PACKAGE = Path(__file__).resolve().parents[1]
CHECKLISTS = PACKAGE / "shipped_checklists"
SAMPLE_POOL = PACKAGE / "sample_cases" / "sample_cases.csv"


def content_hash(text: str) -> str:
    """Hash of a checklist's content, stored with every audit that uses it."""
    normalised = text.replace("\r\n", "\n").encode("utf-8")
    import hashlib  # (here: its C library is 2 ms of every command's start)

    return hashlib.sha256(normalised).hexdigest()


def shipped_checklists() -> Iterator[Path]:
    """The checklist files that ship with casereview (`shipped_checklists/*.yaml`)."""
    yield from sorted(CHECKLISTS.glob("*.yaml"))


def shipped_checklist_text(checklist_id: str, version: str) -> str | None:
    """The text of the shipped checklist of this id and version, or None: none ships. (Only
    a file whose text gives that id is parsed to be sure: parsing one takes half a second.)"""
    from casereview.core.checklist.loading import parse_checklist

    named = re.compile(rf"""^id:\s*["']?{re.escape(checklist_id)}["']?\s*(#.*)?$""", re.M)
    for path in shipped_checklists():
        text = path.read_text(encoding="utf-8")
        if not named.search(text):
            continue
        checklist = parse_checklist(text, str(path))
        if (checklist.id, checklist.version) == (checklist_id, version):
            return text
    return None


def sample_pool() -> Path:
    """The synthetic sample case pool that the demo imports."""
    if not SAMPLE_POOL.is_file():
        raise FileNotFoundError("the sample case pool is not installed with casereview")
    return SAMPLE_POOL
