"""The case import as a big file takes it: decoded while it is read, streamed into the
transaction. The whole behaviour of test_cases.py is checked again on that path (the
read-whole threshold set to a few bytes), then skipping and updating cases already in the
pool (--skip-existing, --update)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from casereview.io.imports import cases as importing
from casereview.store import Store
from tests.factories import CASES
from tests.unit.imports.test_cases import (  # noqa: F401 - collected again, streamed
    HEADER,
    run,
    test_a_bom_then_blank_lines_names_the_real_header_line,
    test_a_clash_with_the_pool_imports_nothing,
    test_a_look_alike_of_a_pooled_reference_is_a_duplicate,
    test_a_look_alike_within_the_file_is_a_duplicate,
    test_a_refused_cp1252_file_still_says_how_it_was_read,
    test_bad_files_are_refused,
    test_bad_rows_are_listed_and_nothing_is_written,
    test_bom_and_cp1252,
    test_import_keeps_known_and_extra_columns,
    test_invisible_characters_in_a_reference_or_force_are_refused_by_line,
    test_text_is_stored_composed_nfc,
    write,
)


@pytest.fixture(autouse=True)
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file over 8 bytes is read as a stream (the threshold is 1 MB)."""
    monkeypatch.setattr(importing, "_HEAD", 8)


def test_a_non_utf8_byte_late_in_a_streamed_file_rereads_it_all_as_cp1252(
    tmp_path: Path,
) -> None:
    db = tmp_path / "t.db"
    rows = "".join(f"A{i},F,caf\u00e9 {i}\n" for i in range(3000))  # UTF-8 é, far past 8 bytes
    body = ("case_ref,force,summary\n" + rows).encode("utf-8") + "Z1,F,caf\u00e9\n".encode("cp1252")
    result = run(db, "cases", "import", str(write(tmp_path, body)))
    assert result.exit_code == 0, result.stderr
    assert "not UTF-8 (first at line 3002); read as Windows-1252" in result.stderr
    summaries = {c.case_ref: c.summary for c in Store.open(db).cases()}
    assert len(summaries) == 3001
    assert summaries["Z1"] == "caf\u00e9"
    assert summaries["A0"] == "caf\u00c3\u00a9 0"  # as the whole file is read: one encoding


def test_a_nul_byte_is_named_by_its_own_line(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    body = b'case_ref,force,summary\nA1,F,"two\nlines"\nA2,F,x\x00y\n'
    result = run(db, "cases", "import", str(write(tmp_path, body)))
    assert result.exit_code == 2
    assert "in.csv:4: not valid CSV: the file contains NUL bytes" in result.stderr
    assert Store.open(db).count_cases() == 0


# ------------------------------------------------------------- cases already in the pool

OVERLAP = (
    HEADER
    + "NEW/1,Testshire,Harassment,2024-07-01,yes,north\n"
    + "T/3,Testshire,Stalking (s2A),01/03/2024,no,south\n"
)


def pooled(tmp_path: Path) -> Path:
    db = tmp_path / "t.db"
    assert run(db, "cases", "import", str(CASES)).exit_code == 0
    return db


def case(db: Path, ref: str, force: str = "Testshire") -> dict[str, object]:
    store = Store.open(db)
    try:
        found = [c for c in store.cases() if (c.case_ref, c.force) == (ref, force)]
        return {} if not found else {**found[0].__dict__}
    finally:
        store.close()


def events(db: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT kind, old, new, actor FROM events WHERE kind = 'case_updated' ORDER BY id"
        ).fetchall()
    return [tuple(r) for r in rows]


def test_skip_existing_adds_the_new_cases_and_leaves_the_pooled_ones(tmp_path: Path) -> None:
    db = pooled(tmp_path)
    before = case(db, "T/3")
    result = run(
        db, "--reviewer", "ann", "cases", "import", str(write(tmp_path, OVERLAP)), "--skip-existing"
    )
    assert result.exit_code == 0, result.stderr
    assert "imported 1 cases" in result.stdout
    assert "1 already in the pool, left as they are" in result.stdout
    assert result.stderr.replace(str(tmp_path) + "/", "").splitlines() == [
        "in.csv:3: case T/3 of 'Testshire' is already in the pool; left as it is"
    ]
    assert case(db, "T/3") == before  # Malicious communications, as first imported
    assert case(db, "NEW/1")["extra"] == {"division": "north"}
    assert events(db) == []


def test_update_replaces_the_files_columns_and_writes_the_trail(tmp_path: Path) -> None:
    db = pooled(tmp_path)
    before = case(db, "T/3")
    result = run(
        db, "--reviewer", "ann", "cases", "import", str(write(tmp_path, OVERLAP)), "--update"
    )
    assert result.exit_code == 0, result.stderr
    assert "imported 1 cases" in result.stdout
    assert "1 already in the pool: 1 updated, 0 unchanged" in result.stdout
    assert "case T/3 of 'Testshire' is already in the pool; updated from the file" in result.output
    after = case(db, "T/3")
    # the file's columns replace the stored ones; the others stay
    assert after["offence"] == "Stalking (s2A)"
    assert after["reported_at"] == "2024-03-01"
    assert after["da_related"] is False
    assert after["extra"] == {"relationship": "ex-partner", "division": "south"}
    assert after["recorded_at"] == before["recorded_at"] == "2024-03-20"
    assert after["id"] == before["id"]
    ((kind, old, new, actor),) = events(db)
    assert actor == "ann"
    assert json.loads(old) == {
        "case_ref": "T/3",
        "force": "Testshire",
        "offence": "Malicious communications",
        "da_related": True,
        "division": None,
    }
    assert json.loads(new) == {
        "offence": "Stalking (s2A)",
        "da_related": False,
        "division": "south",
    }
    # the same file again changes nothing and says so
    again = run(db, "cases", "import", str(write(tmp_path, OVERLAP)), "--update")
    assert again.exit_code == 0, again.stderr
    assert "imported 0 cases" in again.stdout
    assert "2 already in the pool: 0 updated, 2 unchanged" in again.stdout
    assert "updated from the file" not in again.output  # each line says what happened to it
    assert again.output.count("is already in the pool; the file changes nothing") == 2
    assert len(events(db)) == 1


def test_update_of_a_look_alike_keeps_the_pooled_reference(tmp_path: Path) -> None:
    db = pooled(tmp_path)
    body = "case_ref,force,team\nT/\uff13,Testshire,Hub\n"  # fullwidth 3
    result = run(db, "cases", "import", str(write(tmp_path, body)), "--update")
    assert result.exit_code == 0, result.stderr
    assert case(db, "T/3")["team"] == "Hub"
    assert case(db, "T/\uff13") == {}


def test_a_bad_row_or_a_repeat_still_refuses_the_whole_file(tmp_path: Path) -> None:
    db = pooled(tmp_path)
    body = OVERLAP + "NEW/2,Testshire,H,never,yes,x\nNEW/1,Testshire,H,2024-01-01,yes,x\n"
    for flag in ("--skip-existing", "--update"):
        result = run(db, "cases", "import", str(write(tmp_path, body)), flag)
        assert result.exit_code == 2
        lines = result.stderr.replace(str(tmp_path) + "/", "").splitlines()
        assert lines[0].startswith("in.csv:4: reported_at 'never' is not a date")
        assert (
            lines[1]
            == "in.csv:5: case_ref NEW/1 appears twice for force 'Testshire' (first at line 2)"
        )
        assert case(db, "NEW/1") == {}
        assert case(db, "T/3")["offence"] == "Malicious communications"
    assert events(db) == []


def test_skip_and_update_are_either_or(tmp_path: Path) -> None:
    db = pooled(tmp_path)
    result = run(
        db, "cases", "import", str(write(tmp_path, OVERLAP)), "--skip-existing", "--update"
    )
    assert result.exit_code == 2
    assert "either-or" in result.stderr
    assert case(db, "NEW/1") == {}
