"""Redacted exports read back: every kind, every format, table and streamed paths. Nothing
of the source's references, officers, notes, reasons or summaries is anywhere in the file,
no date to the day; the file says it is redacted first; every figure is the unredacted
export's; a case's pseudonym is the same in two exports of one database, another's differs.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from casereview.cli import main
from casereview.io.exports import pipeline as outputs
from casereview.store import Store
from tests.unit.redaction.source import (
    AUDIT,
    REFERENCES,
    leaks,
    number,
    source_db,
    tables_of,
)

KINDS = ("questions", "sections", "cases", "answers", "agreement", "events")
NOTICE_START = "REDACTED export: case references replaced by keyed pseudonyms"


def cli(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--reviewer", "lead", *args])


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return source_db(tmp_path_factory.mktemp("redaction") / "source.db")


def written(db: Path, out: Path, kind: str, fmt: str, stream: bool, redact: bool) -> Path:
    """`kind` exported with notes (the most a file can hold) through the pipeline."""
    store = Store.open(db)
    try:
        prepared = outputs.prepare(
            store, AUDIT, kind, fmt, None, True, stream=stream, redact=redact
        )
        outputs.write(prepared, out, store=store)
    finally:
        store.close()
    return out


@pytest.mark.parametrize("stream", [False, True], ids=["table", "streamed"])
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_redacted_export_holds_nothing_of_the_source_and_the_same_figures(
    tmp_path: Path, source: Path, kind: str, fmt: str, stream: bool
) -> None:
    plain = written(source, tmp_path / f"plain.{fmt}", kind, fmt, stream, redact=False)
    redacted = written(source, tmp_path / f"redacted.{fmt}", kind, fmt, stream, redact=True)
    if kind in ("cases", "answers", "events") or fmt == "xlsx":  # a workbook has the cases
        assert leaks(plain), "the unredacted export should hold what the redacted must not"
    assert leaks(redacted) == []
    plain_notice, plain_tables = tables_of(plain, fmt, kind)
    notice, tables = tables_of(redacted, fmt, kind)
    assert plain_notice is None
    assert notice is not None and notice.lstrip("# ").startswith(NOTICE_START)
    assert tables.keys() == plain_tables.keys()
    for name, plain_rows in plain_tables.items():
        rows = tables[name]
        assert len(rows) == len(plain_rows), name
        for before, after in zip(plain_rows, rows, strict=True):
            for column, value in before.items():
                figure = number(value)
                if figure is not None:  # every figure kept, and the same
                    assert number(after[column]) == figure, (name, column)


def test_the_csv_notice_is_the_first_line_and_the_header_follows(
    tmp_path: Path, source: Path
) -> None:
    out = tmp_path / "cases.csv"
    result = cli(source, "export", "cases", "--audit", AUDIT, "--out", str(out), "--redact")
    assert result.exit_code == 0, result.output
    lines = out.read_bytes()[3:].decode("utf-8").split("\r\n")
    assert lines[0].startswith("# " + NOTICE_START)
    assert "," not in lines[0] and ";" not in lines[0]  # one cell in any spreadsheet
    assert lines[1].startswith("audit,position,case_ref,force,team,offence,reported_at,")
    assert "reviewer" not in lines[1] and "assigned_to" not in lines[1]


def csv_tables_of(data: bytes, path: Path) -> tuple[str | None, dict[str, list[dict[str, object]]]]:
    path.write_bytes(data)
    return tables_of(path, "csv", "cases")


def _pseudonyms(db: Path, tmp_path: Path, name: str) -> list[str]:
    out = tmp_path / name
    result = cli(db, "export", "cases", "--audit", AUDIT, "--out", str(out), "--redact")
    assert result.exit_code == 0, result.output
    _, tables = tables_of(out, "csv", "cases")
    return [str(r["case_ref"]) for r in tables["cases"]]


def test_pseudonyms_are_stable_in_one_database_and_differ_in_another(
    tmp_path: Path, source: Path
) -> None:
    first = _pseudonyms(source, tmp_path, "a.csv")
    again = _pseudonyms(source, tmp_path, "b.csv")
    other = _pseudonyms(source_db(tmp_path / "other.db"), tmp_path, "c.csv")
    assert first == again
    assert len(set(first)) == 6  # two forces' T/1 are two cases, two pseudonyms
    assert set(first).isdisjoint(other)
    # the pseudonym is HMAC-SHA256 of force, U+001F, reference with the key kept in the
    # database, its first 12 hex digits (worked here with the standard library alone)
    conn = sqlite3.connect(source)
    [(key,)] = conn.execute("SELECT secret FROM redaction_secret").fetchall()
    conn.close()
    assert len(key) == 32
    plain = cli(source, "export", "cases", "--audit", AUDIT, "--format", "csv")
    _, tables = csv_tables_of(plain.stdout_bytes, tmp_path / "plain.csv")
    for row, pseudonym in zip(tables["cases"], first, strict=True):
        message = f"{row['force']}\x1f{row['case_ref']}".encode()
        assert pseudonym == "case-" + hmac.new(key, message, hashlib.sha256).hexdigest()[:12]
    assert not any(ref in p for p in first for ref in REFERENCES)


def test_the_same_case_has_one_pseudonym_across_kinds(tmp_path: Path, source: Path) -> None:
    cases = _pseudonyms(source, tmp_path, "cases.csv")
    out = tmp_path / "answers.json"
    result = cli(source, "export", "answers", "--audit", AUDIT, "--out", str(out), "--redact")
    assert result.exit_code == 0, result.output
    _, tables = tables_of(out, "json", "answers")
    assert {str(r["case_ref"]) for r in tables["answers"]} == set(cases[:3])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "questions", "--audit", AUDIT, "--by", "reviewer"), "cannot be grouped by"),
        (("export", "funnel", "--audit", AUDIT, "--by", "reviewer"), "cannot be grouped by"),
        (("export", "sections", "--audit", AUDIT, "--by", "officer"), "cannot be grouped by"),
        (("export", "calibration", "--calibration", "x"), "its rows are reviewers"),
        (("report", "--calibration", "x"), "it is of reviewers"),
    ],
)
def test_what_redaction_cannot_keep_is_refused_and_nothing_written(
    tmp_path: Path, source: Path, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "out.csv"
    result = cli(source, *args, "--out", str(out), "--redact")
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_redacted_funnel_says_so_and_keeps_its_figures(
    tmp_path: Path, source: Path, fmt: str
) -> None:
    plain, redacted = tmp_path / f"plain.{fmt}", tmp_path / f"redacted.{fmt}"
    args = ("export", "funnel", "--audit", AUDIT, "--by", "team")
    assert cli(source, *args, "--out", str(plain)).exit_code == 0
    result = cli(source, *args, "--out", str(redacted), "--redact")
    assert result.exit_code == 0, result.output
    assert leaks(redacted) == []
    _, plain_tables = tables_of(plain, fmt, "funnel")
    notice, tables = tables_of(redacted, fmt, "funnel")
    assert notice is not None and notice.lstrip("# ").startswith(NOTICE_START)
    assert tables == plain_tables  # units are teams: nothing in the rows to redact
