"""Case import: all or nothing, every bad row by line, encodings and date forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.io.imports.csvfile import parse_date
from casereview.store import Store
from tests.factories import CASES

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


# ------------------------------------------------------------- look-alike references (issue 10.8)

POOL = (
    "case_ref,force,team,summary\n"
    "NM/24/00170,Northmoor Police,Hub,first\n"
    "NM/24/00171,Northmoor Police,Hub,second\n"
)
ZWSP, FULLWIDTH_0 = "\u200b", "\uff10"


def dump(db: Path) -> str:
    store = Store.open(db)
    try:
        return "\n".join(store.db.conn.iterdump())
    finally:
        store.close()


def pooled(tmp_path: Path) -> tuple[Path, str]:
    """A database holding NM/24/00170 of Northmoor Police, and its dump."""
    db = tmp_path / "t.db"
    assert run(db, "cases", "import", str(write(tmp_path, POOL, "pool.csv"))).exit_code == 0
    return db, dump(db)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            f"NM/24/00170{ZWSP},Northmoor Police,Hub,zero-width space after the ref\n",
            "in.csv:3: case_ref has an invisible or control character "
            "(U+200B ZERO WIDTH SPACE); retype it",
        ),
        (
            f"NM/24/00175,North{ZWSP}moor Police,Hub,zero-width space in the force\n",
            "in.csv:3: force has an invisible or control character "
            "(U+200B ZERO WIDTH SPACE); retype it",
        ),
        (
            "NM/24/\u200d00172,Northmoor Police,Hub,a zero-width joiner\n",
            "in.csv:3: case_ref has an invisible or control character "
            "(U+200D ZERO WIDTH JOINER); retype it",
        ),
        (
            'NM/24/00173,"Northmoor\x07Police",Hub,a control character\n',
            "in.csv:3: force has an invisible or control character (U+0007 CONTROL); retype it",
        ),
        (
            '"NM/24\n/00174",Northmoor Police,Hub,a line break inside the ref\n',
            "in.csv:3: case_ref has an invisible or control character "
            "(U+000A LINE FEED); retype it",
        ),
    ],
)
def test_invisible_characters_in_a_reference_or_force_are_refused_by_line(
    tmp_path: Path, row: str, message: str
) -> None:
    db, before = pooled(tmp_path)
    body = "case_ref,force,team,summary\nNM/24/00180,Northmoor Police,Hub,fine\n" + row
    result = run(db, "cases", "import", str(write(tmp_path, body)))
    assert result.exit_code == 2
    lines = [line.replace(str(tmp_path) + "/", "") for line in result.stderr.splitlines()]
    assert lines == [message, "casereview: 1 problem(s); nothing was written"]
    assert dump(db) == before


def test_a_look_alike_of_a_pooled_reference_is_a_duplicate(tmp_path: Path) -> None:
    db, before = pooled(tmp_path)
    body = (
        "case_ref,force,team,summary\n"
        "NM/24/00181,Northmoor Police,Hub,new\n"
        f"NM/24/0017{FULLWIDTH_0},Northmoor Police,Hub,fullwidth zero\n"
        "NM/24/00171,\uff2eorthmoor Police,Hub,fullwidth N in the force\n"
    )
    result = run(db, "cases", "import", str(write(tmp_path, body)))
    assert result.exit_code == 2
    lines = [line.replace(str(tmp_path) + "/", "") for line in result.stderr.splitlines()]
    assert lines == [
        f"in.csv:3: case NM/24/0017{FULLWIDTH_0} of 'Northmoor Police' is already in the pool",
        "in.csv:4: case NM/24/00171 of '\uff2eorthmoor Police' is already in the pool",
        "casereview: 2 problem(s); nothing was written",
    ]
    assert dump(db) == before  # NM/24/00181 was not added either


def test_a_look_alike_within_the_file_is_a_duplicate(tmp_path: Path) -> None:
    db, before = pooled(tmp_path)
    body = (
        "case_ref,force,team,summary\n"
        "NM/24/00190,Northmoor Police,Hub,new\n"
        "NM/24/0019\uff10,Northmoor Police,Hub,fullwidth zero\n"
    )
    result = run(db, "cases", "import", str(write(tmp_path, body)))
    assert result.exit_code == 2
    lines = [line.replace(str(tmp_path) + "/", "") for line in result.stderr.splitlines()]
    assert lines == [
        "in.csv:3: case_ref NM/24/0019\uff10 appears twice for force 'Northmoor Police' "
        "(first at line 2 as NM/24/00190, which it looks like)",
        "casereview: 1 problem(s); nothing was written",
    ]
    assert dump(db) == before


def test_text_is_stored_composed_nfc(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    decomposed = "Ame\u0301lie"  # e + combining acute, as some Macs write it
    cells = ",".join([decomposed] * 3)
    body = f"case_ref,force,team,summary,officer_note\nR\u0301/1,F,{cells}\n"
    assert run(db, "cases", "import", str(write(tmp_path, body))).exit_code == 0
    store = Store.open(db)
    (case,) = store.cases()
    store.close()
    assert case.case_ref == "\u0154/1"  # R with acute, one character
    assert case.team == case.summary == "Am\u00e9lie"
    assert case.extra == {"officer_note": "Am\u00e9lie"}
    # the composed form typed later is the same case, not a new one
    before = dump(db)
    result = run(
        db, "cases", "import", str(write(tmp_path, "case_ref,force\n\u0154/1,F\n", "b.csv"))
    )
    assert result.exit_code == 2
    assert "b.csv:2: case \u0154/1 of 'F' is already in the pool" in result.stderr
    assert dump(db) == before


# ------------------------------------------------------------- encodings and headers (issue 10.11)

UTF16_BODY = "case_ref,force,summary\r\nU/1,F,café\r\nU/2,F,naïve\r\n"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_read_with_or_without_bom(tmp_path: Path, codec: str) -> None:
    db = tmp_path / "t.db"
    result = run(db, "cases", "import", str(write(tmp_path, UTF16_BODY.encode(codec))))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # no "read as Windows-1252" warning
    store = Store.open(db)
    assert {c.case_ref: c.summary for c in store.cases()} == {"U/1": "café", "U/2": "naïve"}
    store.close()


def test_broken_utf16_is_refused_by_name(tmp_path: Path) -> None:
    db, before = pooled(tmp_path)
    raw = UTF16_BODY.encode("utf-16-le") + "U/3,F,x".encode("utf-16-le")[:-2] + b"\x00\xdc"
    result = run(db, "cases", "import", str(write(tmp_path, raw)))
    assert result.exit_code == 2
    lines = [line.replace(str(tmp_path) + "/", "") for line in result.stderr.splitlines()]
    assert lines == [
        "in.csv:4: the file looks like UTF-16 but is not valid UTF-16 text from here; save it "
        "as UTF-8",
        "casereview: 1 problem(s); nothing was written",
    ]
    assert dump(db) == before


def test_a_bom_then_blank_lines_names_the_real_header_line(tmp_path: Path) -> None:
    db, before = pooled(tmp_path)
    raw = b"\xef\xbb\xbf\r\n\r\ncase_ref,force,force\r\nA/1,F,G\r\n"
    result = run(db, "cases", "import", str(write(tmp_path, raw)))
    assert result.exit_code == 2
    lines = [line.replace(str(tmp_path) + "/", "") for line in result.stderr.splitlines()]
    assert lines == [
        "in.csv:3: column 'force' appears twice",
        "casereview: 1 problem(s); nothing was written",
    ]
    assert dump(db) == before
    # and a good header after blank lines is found and used, its rows at their own lines
    raw = b"\xef\xbb\xbf\n\ncase_ref,force\nA/1,F\nA/1,F\n"
    result = run(db, "cases", "import", str(write(tmp_path, raw)))
    assert "in.csv:5: case_ref A/1 appears twice for force 'F' (first at line 4)" in result.stderr
    assert dump(db) == before


# ------------------------------------------------------------- --where with quotes (issue 10.11)


def test_where_values_and_attribute_names_with_quotes_match(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    pool = (
        'case_ref,force,team,"my ""unit""",it\'s\n'
        "Q/1,F,O'Brien unit,north,yes\n"
        'Q/2,F,"The ""Quoted"" team",south,no\n'
        "Q/3,F,Other,north,no\n"
    )
    assert run(db, "cases", "import", str(write(tmp_path, pool))).exit_code == 0
    for n, (where, refs) in enumerate(
        [
            ("team=O'Brien unit", ["Q/1"]),
            ('team=The "Quoted" team', ["Q/2"]),
            ('my "unit"=north', ["Q/1", "Q/3"]),
            ("it's=no", ["Q/2", "Q/3"]),
        ]
    ):
        result = run(
            db, "audit", "create", f"A{n}", "--checklist", "stalking-casefile",
            "--sample", str(len(refs)), "--seed", "1", "--where", where,
        )  # fmt: skip
        assert result.exit_code == 0, (where, result.stderr)
        assert sorted(line.split("\t")[1] for line in result.stdout.splitlines()[1:]) == refs
    store = Store.open(db)
    assert store.distinct_values('my "unit"') == ["north", "south"]
    store.close()
