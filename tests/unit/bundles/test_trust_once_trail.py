"""A bundle taken on --trust-once is in the audit's trail (an event), not only in the record
of merges: the trail export an inspector reads shows who took it, when, and on what key."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.unit.bundles.test_protection import AUDIT, central, cli, empty_db, export, trust

__all__ = ["central"]  # the fixture, used below by name


def test_an_import_on_trust_once_is_an_event_in_the_audits_trail_export(
    tmp_path: Path, central: Path
) -> None:
    path = export(central, tmp_path / "b.zip", "--plain")
    laptop = empty_db(tmp_path / "laptop.db")
    assert cli(laptop, "bundle", "import", str(path), "--trust-once").exit_code == 0
    trail = cli(laptop, "export", "events", "--audit", AUDIT, "--format", "csv")
    assert trail.exit_code == 0, trail.output
    rows = list(csv.DictReader(io.StringIO(trail.stdout.lstrip("\ufeff"))))
    taken = [r for r in rows if r["kind"] == "bundle_trust_once"]
    assert len(taken) == 1
    assert taken[0]["actor"] == "lead"
    assert taken[0]["new"].startswith("untrusted key ")
    assert taken[0]["new"].endswith("; --trust-once")
    assert taken[0]["reason"] == str(path)


def test_an_import_of_a_trusted_key_adds_no_trust_once_event(tmp_path: Path, central: Path) -> None:
    path = export(central, tmp_path / "b.zip", "--plain")
    laptop = empty_db(tmp_path / "laptop.db")
    trust(laptop, central)
    assert cli(laptop, "bundle", "import", str(path)).exit_code == 0
    trail = cli(laptop, "export", "events", "--audit", AUDIT, "--format", "csv")
    assert "bundle_trust_once" not in trail.stdout
