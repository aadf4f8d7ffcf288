"""Case import: all or nothing, every bad row by line, encodings and date forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.importing import parse_date
from casereview.store import Store
from tests.conftest import CASES

HEADER = "case_ref,force,offence,reported_at,da_related,division\n"


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def write(tmp_path: Path, content: bytes | str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_import_keeps_known_and_extra_columns(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    result = run(db, "cases", "import", str(CASES))
    assert result.exit_code == 0, result.stderr
    assert "imported 6 cases" in result.output
    store = Store.open(db)
    by_ref = {(c.force, c.case_ref): c for c in store.cases()}
    t2 = by_ref[("Testshire", "T/2")]
    assert t2.reported_at == "2024-02-05T09:30"  # UK date read day-first
    assert t2.recorded_at == "2024-02-05"
    assert t2.da_related is False and t2.repeat_victim is True
    assert t2.summary == "Loitering, gifts"
    assert t2.extra == {"relationship": "neighbour"}
    # the same ref in another force is another case
    assert by_ref[("Otherton", "T/1")].offence == "Stalking (s2A)"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "A1,F,Harassment,2024-13-01,yes,x\n",
            ["in.csv:2: reported_at '2024-13-01' is not a date"],
        ),
        (
            "A1,F,Harassment,31/02/2024,yes,x\n",
            ["in.csv:2: reported_at '31/02/2024' is not a date"],
        ),
        ("A1,F,Harassment,2024-01-01,maybe,x\n", ["in.csv:2: da_related 'maybe' is not yes or no"]),
        (",F,Harassment,2024-01-01,yes,x\n", ["in.csv:2: case_ref is empty"]),
        ("A1,F,Harassment\n", ["in.csv:2: 3 fields where the header has 6"]),
        (
            "A1,F,H,2024-01-01,yes,x\nA2,F,H,2024-01-01,yes,x\nA1,F,H,2024-01-02,no,y\n",
            ["in.csv:4: case_ref A1 appears twice for force 'F' (first at line 2)"],
        ),
        (
            "A1,F,H,bad,yes,x\nA2,F,H,2024-01-01,yes,x\nA3,F,H,2024-01-01,nah,x\n",
            ["in.csv:2: reported_at 'bad'", "in.csv:4: da_related 'nah'"],
        ),
        (
            'A1,F,"multi\nline",2024-01-01,yes,x\nA2,F,H,never,yes,x\n',
            ["in.csv:4: reported_at 'never'"],
        ),
    ],
)
def test_bad_rows_are_listed_and_nothing_is_written(
    tmp_path: Path, body: str, expected: list[str]
) -> None:
    db = tmp_path / "t.db"
    path = write(tmp_path, HEADER + body)
    result = run(db, "cases", "import", str(path))
    assert result.exit_code == 2
    lines = [line.replace(str(tmp_path) + "/", "") for line in result.stderr.splitlines()]
    for fragment in expected:
        assert any(line.startswith(fragment) for line in lines), lines
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert Store.open(db).count_cases() == 0


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "the file is empty"),
        (b"force,team\nF,T\n", "missing required column(s): case_ref"),
        (b"case_ref,force,force\nA,F,G\n", "column 'force' appears twice"),
        (b"case_ref,force\n", "a header but no cases"),
        (b"case_ref,force\n\x00A,F\n", "not valid CSV"),
        (b'case_ref,force\n"A,F\n', "not valid CSV"),
    ],
)
def test_bad_files_are_refused(tmp_path: Path, content: bytes, fragment: str) -> None:
    db = tmp_path / "t.db"
    result = run(db, "cases", "import", str(write(tmp_path, content)))
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert Store.open(db).count_cases() == 0


def test_a_clash_with_the_pool_imports_nothing(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    assert run(db, "cases", "import", str(CASES)).exit_code == 0
    again = write(
        tmp_path, HEADER + "NEW/1,Testshire,H,2024-01-01,yes,x\nT/3,Testshire,H,2024-01-01,no,x\n"
    )
    result = run(db, "cases", "import", str(again))
    assert result.exit_code == 2
    assert "in.csv:3: case T/3 of 'Testshire' is already in the pool" in result.stderr
    assert Store.open(db).count_cases() == 6  # NEW/1 was not added either


def test_bom_and_cp1252(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    bom = write(tmp_path, b"\xef\xbb\xbfcase_ref,force,summary\nB1,F,caf\xc3\xa9\n", "bom.csv")
    result = run(db, "cases", "import", str(bom))
    assert result.exit_code == 0 and "warning" not in result.stderr
    excel = write(
        tmp_path, "case_ref,force,summary\r\nC1,F,café – “quoted”\r\n".encode("cp1252"), "x.csv"
    )
    result = run(db, "cases", "import", str(excel))
    assert result.exit_code == 0
    assert "read as Windows-1252" in result.stderr
    summaries = {c.case_ref: c.summary for c in Store.open(db).cases()}
    assert summaries == {"B1": "café", "C1": "café – “quoted”"}


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024-03-01", "2024-03-01"),
        ("2024-03-01T09:05", "2024-03-01T09:05"),
        ("2024-03-01 09:05:07", "2024-03-01T09:05:07"),
        ("01/03/2024", "2024-03-01"),  # UK: day first
        ("1/3/2024 9:05", "2024-03-01T09:05"),
        ("29/02/2024", "2024-02-29"),
    ],
)
def test_dates(text: str, iso: str) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    "text", ["2023-02-29", "13/13/2024", "2024/03/01", "yesterday", "32/01/2024"]
)
def test_not_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_new_database_is_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "new.db"
    assert run(db, "cases", "import", str(CASES)).exit_code == 0
    assert db.stat().st_mode & 0o777 == 0o600
    wal = db.with_name("new.db-wal")
    if wal.exists():
        assert wal.stat().st_mode & 0o077 == 0


def test_a_refused_cp1252_file_still_says_how_it_was_read(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    excel = write(
        tmp_path,
        "case_ref,force,reported_at\r\nC1,F,café\r\n".encode("cp1252"),
        "bad.csv",
    )
    result = run(db, "cases", "import", str(excel))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert "read as Windows-1252" in lines[0]  # the warning comes before the problems
    assert any("reported_at 'café' is not a date" in line for line in lines[1:])
    assert Store.open(db).count_cases() == 0
