"""What a format-3 import costs, held so it cannot silently come back (issue 32, item 1):
the shipped checklists' YAML parsed at most once each per import."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from casereview.core.checklist import loading
from casereview.store.shipped import shipped_checklists
from tests.unit.bundles.test_stream import central, export, imported

__all__ = ["central"]  # the fixture, shared with test_stream


def test_an_import_into_a_new_file_parses_each_checklist_at_most_once(
    tmp_path: Path, central: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into a new file the shipped checklists are stored and the audit's checklist is read:
    each text goes through the YAML reader at most once (it was read three times a parse,
    and parsed again to store it and again to read it back: about half the import)."""
    path = export(central, tmp_path / "b.zip")
    getattr(loading, "_PARSED", {}).clear()  # nothing parsed yet in this process
    reads: Counter[str] = Counter()
    original = yaml.reader.Reader.__init__

    def counted(self: yaml.reader.Reader, stream: object) -> None:
        if isinstance(stream, str):
            reads[stream] += 1
        original(self, stream)

    monkeypatch.setattr(yaml.reader.Reader, "__init__", counted)
    result = imported(tmp_path / "laptop.db", path)
    assert result.exit_code == 0, result.output
    shipped = [p.read_text(encoding="utf-8") for p in shipped_checklists()]
    assert all(reads[text] == 1 for text in shipped), [reads[text] for text in shipped]
    assert max(reads.values()) == 1
