"""What ships with casereview (its checklists, the sample pool) and a checklist's content hash.

Kept apart from checklist.py (pydantic, YAML) so that opening the app can see that the
shipped checklists are already stored without building a single model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path


def content_hash(text: str) -> str:
    """Hash of a checklist's content, stored with every audit that uses it."""
    normalised = text.replace("\r\n", "\n").encode("utf-8")
    return hashlib.sha256(normalised).hexdigest()


def _files(name: str, package: str, pattern: str) -> list[Path]:
    """A data folder's files: the repository's (a checkout or an editable install), else the
    copy an installed wheel carries inside the package (see pyproject's package-dir)."""
    source = Path(__file__).resolve().parents[3] / name
    if source.is_dir():
        return sorted(source.glob(pattern))
    try:
        installed = resources.files(package)
    except ModuleNotFoundError:
        return []
    return sorted(Path(str(f)) for f in installed.iterdir() if fnmatch(f.name, pattern))


def shipped_checklists() -> Iterator[Path]:
    """The checklist files that ship with casereview (`checklists/*.yaml`)."""
    yield from _files("checklists", "casereview.shipped_checklists", "*.yaml")


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
    found = _files("sample_cases", "casereview.sample_cases", "sample_cases.csv")
    if not found:
        raise FileNotFoundError("the sample case pool is not installed with casereview")
    return found[0]
